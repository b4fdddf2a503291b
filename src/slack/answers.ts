import { randomUUID } from 'node:crypto';

/** A Map that forgets its oldest entries past `max` (thread contexts: one per answered thread). */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #max: number;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override set(key: K, value: V): this {
    this.delete(key); // re-inserting moves the key to the newest end
    super.set(key, value);
    if (this.size > this.#max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return this;
  }
}

/**
 * Recent answers by a short id, so a button (whose value Slack caps at 2000 characters)
 * can refer to an answer's plan and SQL. Bounded: the oldest are forgotten first, and a
 * button on a forgotten answer says so instead of failing.
 */
export class RecentAnswers<T> {
  readonly #items: BoundedMap<string, T>;

  constructor(max = 500) {
    this.#items = new BoundedMap(max);
  }

  remember(item: T): string {
    const id = randomUUID().slice(0, 12);
    this.#items.set(id, item);
    return id;
  }

  get(id: string): T | undefined {
    return this.#items.get(id);
  }
}
