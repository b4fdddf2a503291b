import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EXIT_SCORE,
  FLAP_WINDOW_MS,
  RESOLVED_KEEP_MS,
  emptyBook,
  fingerprintOf,
  reduce,
  seriesKeyOf,
  type AlertBook,
  type AlertGroup,
  type Labels,
  type LifecycleEffect,
  type LifecycleInput,
  type LifecycleRule,
  type Observation,
  type ReduceResult,
  type Silence,
} from '../../src/detect/lifecycle/index.js';

const MIN = 60_000;
/** Monday 2026-03-02 10:00 UTC: minute m of the tests is T0 + m min. */
const T0 = Date.UTC(2026, 2, 2, 10, 0);
/** Wall clock lags data time: minute m is read at T0 + m min + LAG. */
const LAG = 30_000;

function at(minute: number): number {
  return T0 + minute * MIN;
}

function rule(over: Partial<LifecycleRule> = {}): LifecycleRule {
  return { id: 'checkout_errors', metric: 'checkout_errors', severity: 'critical', forMs: 0, resolveAfterMs: 5 * MIN, renotifyMs: 0, groupBy: [], maintenance: [], ...over };
}

function obs(minute: number, score: number, labels: Labels = {}, extra: Partial<Observation> = {}): Observation {
  return { ruleId: 'checkout_errors', seriesKey: seriesKeyOf(labels), labels, t: at(minute), value: Math.round(score * 100), score, ...extra };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Drives the reducer the way the engine does. The book is deep-frozen before every step (any
 * mutation throws in strict mode), and with `restartEachStep` it goes through JSON between steps.
 */
class Sim {
  book: AlertBook = emptyBook();
  last: ReduceResult | undefined;

  constructor(
    public rules: LifecycleRule[] = [rule()],
    private readonly restartEachStep = false,
  ) {}

  send(input: LifecycleInput): readonly LifecycleEffect[] {
    const before = JSON.stringify(this.book);
    const result = reduce(deepFreeze(this.book), input, { rules: Object.fromEntries(this.rules.map((r) => [r.id, r])) });
    assert.equal(JSON.stringify(this.book), before, 'reduce changed its input book');
    this.last = result;
    this.book = this.restartEachStep ? (JSON.parse(JSON.stringify(result.book)) as AlertBook) : result.book;
    return result.effects;
  }

  /** Observations of one minute, read LAG after it starts. */
  observe(minute: number, ...observations: Observation[]): readonly LifecycleEffect[] {
    return this.send({ kind: 'observe', now: at(minute) + LAG, observations });
  }

  tick(minute: number): readonly LifecycleEffect[] {
    return this.send({ kind: 'tick', now: at(minute) + LAG });
  }

  /** What the notifier does after a post effect. */
  posted(groupId: string, minute: number, ts = `${minute}.000100`): readonly LifecycleEffect[] {
    return this.send({ kind: 'posted', groupId, channel: 'C0OPSALERTS', ts, now: at(minute) + LAG });
  }

  ack(groupId: string, by: string, minute: number): readonly LifecycleEffect[] {
    return this.send({ kind: 'acknowledge', groupId, by, now: at(minute) + LAG });
  }

  silence(silence: Silence, minute: number): readonly LifecycleEffect[] {
    return this.send({ kind: 'silence', silence, now: at(minute) + LAG });
  }

  groups(): AlertGroup[] {
    return Object.values(this.book.groups).sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  }

  group(id: string): AlertGroup {
    const g = this.book.groups[id];
    assert.ok(g, `no group ${id}`);
    return g;
  }

  phase(labels: Labels = {}, ruleId = 'checkout_errors'): string | undefined {
    return this.book.series[`${ruleId}|${seriesKeyOf(labels)}`]?.phase;
  }
}

/** The id of the one group a post effect list names. */
function postedId(effects: readonly LifecycleEffect[]): string {
  assert.equal(effects.length, 1, `expected one post, got ${JSON.stringify(effects)}`);
  const [e] = effects;
  assert.equal(e!.kind, 'post');
  return e!.groupId;
}

const EU_ADYEN = { region: 'EU', gateway: 'adyen' };
const EU_STRIPE = { region: 'EU', gateway: 'stripe' };
const US_ADYEN = { region: 'US', gateway: 'adyen' };

function silenceOf(over: Partial<Silence> = {}): Silence {
  return { id: 'sil-1', matchers: { rule: 'checkout_errors' }, startsAt: at(1), endsAt: at(31), createdBy: 'U0SILENCER', reason: 'known incident', ...over };
}

function thread(groupId: string, change: string, extra: { seriesKey?: string; by?: string } = {}): LifecycleEffect {
  return { kind: 'thread', groupId, change, ...extra } as LifecycleEffect;
}

describe('series transitions', () => {
  it('goes ok → pending → ok without any effect when the anomaly does not last `for`', () => {
    const sim = new Sim([rule({ forMs: 3 * MIN })]);
    assert.deepEqual(sim.observe(0, obs(0, 0.5)), []);
    assert.equal(sim.phase(), 'pending');
    assert.deepEqual(sim.observe(1, obs(1, 0.49)), []);
    assert.equal(sim.phase(), 'ok');
    assert.deepEqual(sim.book.groups, {});
  });

  it('goes pending → firing once anomalous for `for` of data time, and posts only then', () => {
    const sim = new Sim([rule({ forMs: 3 * MIN })]);
    for (const m of [0, 1, 2]) assert.deepEqual(sim.observe(m, obs(m, 0.8)), [], `minute ${m}`);
    assert.equal(sim.phase(), 'pending');
    const id = postedId(sim.observe(3, obs(3, 0.8)));
    assert.equal(id, `${fingerprintOf('checkout_errors', {})}@${at(3) + LAG}`);
    const g = sim.group(id);
    assert.equal(g.status, 'firing');
    assert.equal(g.since, at(0), 'since is the first anomalous minute, not the firing one');
    assert.equal(g.openedAt, at(3) + LAG);
    assert.equal(g.lastNotifiedAt, at(3) + LAG);
    assert.deepEqual(Object.keys(g.members), ['']);
    assert.equal(sim.book.series['checkout_errors|']?.groupId, id);
  });

  it('fires on the first anomalous point when `for` is 0', () => {
    const sim = new Sim([rule({ forMs: 0 })]);
    postedId(sim.observe(0, obs(0, 0.9)));
    assert.equal(sim.phase(), 'firing');
  });

  it('resolves after resolveAfter of quiet, with update and a resolved reply', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    for (const m of [1, 2, 3, 4, 5]) assert.deepEqual(sim.observe(m, obs(m, 0.1)), [], `minute ${m}`);
    assert.deepEqual(sim.observe(6, obs(6, 0.1)), [{ kind: 'update', groupId: id }, thread(id, 'resolved')]);
    const g = sim.group(id);
    assert.equal(g.status, 'resolved');
    assert.equal(g.resolvedAt, at(6) + LAG);
    assert.equal(g.members['']?.phase, 'resolved');
    assert.equal(sim.phase(), 'ok');
    assert.equal(sim.book.series['checkout_errors|']?.groupId, null);
  });

  it('keeps firing on a score between EXIT and ENTER and restarts the quiet run there (hysteresis)', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    for (const m of [1, 2, 3]) sim.observe(m, obs(m, 0.1));
    assert.deepEqual(sim.observe(4, obs(4, EXIT_SCORE + 0.05)), []);
    assert.equal(sim.phase(), 'firing');
    // Without the reset it would resolve at minute 6 (5 min after minute 1).
    for (const m of [5, 6, 7, 8, 9]) assert.deepEqual(sim.observe(m, obs(m, 0.1)), [], `minute ${m}`);
    assert.equal(sim.phase(), 'firing');
    assert.deepEqual(sim.observe(10, obs(10, 0.1)), [{ kind: 'update', groupId: id }, thread(id, 'resolved')]);
  });

  it('keeps the peak of the run on the card member', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.7)));
    sim.observe(1, obs(1, 0.95));
    sim.observe(2, obs(2, 0.6));
    const member = sim.group(id).members['']!;
    assert.equal(member.peak?.score, 0.95);
    assert.equal(member.last?.score, 0.6);
  });
});

describe('grouping and dedup', () => {
  it('adds a second series of the same group labels to the open card instead of posting again', () => {
    const sim = new Sim([rule({ groupBy: ['region'] })]);
    const eu = postedId(sim.observe(0, obs(0, 0.9, EU_ADYEN)));
    sim.posted(eu, 0);
    assert.deepEqual(sim.observe(1, obs(1, 0.9, EU_ADYEN), obs(1, 0.9, EU_STRIPE)), [
      { kind: 'update', groupId: eu },
      thread(eu, 'series_added', { seriesKey: 'gateway=stripe,region=EU' }),
    ]);
    assert.deepEqual(sim.group(eu).labels, { region: 'EU' });
    assert.deepEqual(Object.keys(sim.group(eu).members).sort(), ['gateway=adyen,region=EU', 'gateway=stripe,region=EU']);

    const us = postedId(sim.observe(2, obs(2, 0.9, US_ADYEN), obs(2, 0.9, EU_ADYEN), obs(2, 0.9, EU_STRIPE)));
    assert.notEqual(us, eu);
    assert.deepEqual(sim.group(us).labels, { region: 'US' });

    for (let m = 3; m <= 7; m++) assert.deepEqual(sim.observe(m, obs(m, 0.1, EU_ADYEN), obs(m, 0.9, EU_STRIPE)), [], `minute ${m}`);
    assert.deepEqual(sim.observe(8, obs(8, 0.1, EU_ADYEN), obs(8, 0.9, EU_STRIPE)), [
      { kind: 'update', groupId: eu },
      thread(eu, 'series_resolved', { seriesKey: 'gateway=adyen,region=EU' }),
    ]);
    assert.equal(sim.group(eu).status, 'firing');
    for (let m = 9; m <= 13; m++) assert.deepEqual(sim.observe(m, obs(m, 0.1, EU_STRIPE)), [], `minute ${m}`);
    assert.deepEqual(sim.observe(14, obs(14, 0.1, EU_STRIPE)), [{ kind: 'update', groupId: eu }, thread(eu, 'resolved')]);
    assert.equal(sim.group(us).status, 'firing', 'the other card is untouched');
  });

  it('posts one card for two series of one group firing in the same batch', () => {
    const sim = new Sim([rule({ groupBy: ['region'] })]);
    const id = postedId(sim.observe(0, obs(0, 0.9, EU_ADYEN), obs(0, 0.9, EU_STRIPE)));
    assert.equal(Object.keys(sim.group(id).members).length, 2);
  });

  it('posts one card per rule when the rule does not group, whatever the series', () => {
    const sim = new Sim([rule({ groupBy: [] })]);
    const id = postedId(sim.observe(0, obs(0, 0.9, EU_ADYEN)));
    sim.posted(id, 0);
    assert.deepEqual(sim.observe(1, obs(1, 0.9, US_ADYEN)), [{ kind: 'update', groupId: id }, thread(id, 'series_added', { seriesKey: 'gateway=adyen,region=US' })]);
    assert.equal(Object.values(sim.book.groups).filter((g) => g.status === 'firing').length, 1);
  });

  it('opens a new card when the same alert fires again after the reopen window', () => {
    const sim = new Sim();
    const first = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(first, 0);
    for (let m = 1; m <= 6; m++) sim.observe(m, obs(m, 0.1));
    assert.equal(sim.group(first).status, 'resolved');
    // max(REOPEN_WINDOW_MS, 3 × 5 min) = 15 min after resolving at minute 6.
    for (let m = 7; m <= 21; m++) sim.observe(m, obs(m, 0));
    const second = postedId(sim.observe(22, obs(22, 0.9)));
    assert.notEqual(second, first);
    assert.equal(sim.group(second).reopened, 0);
  });
});

describe('flapping input', () => {
  it('keeps one card for an alternating series: it reopens, then holds it firing until a long quiet', () => {
    const sim = new Sim([rule({ resolveAfterMs: 2 * MIN })]);
    const seen: { minute: number; effects: readonly LifecycleEffect[] }[] = [];
    let id = '';
    for (let m = 0; m < 100; m++) {
      const effects = sim.observe(m, obs(m, m < 40 && m % 4 === 0 ? 0.9 : 0.1));
      if (effects.length > 0) seen.push({ minute: m, effects });
      if (m === 0) {
        id = postedId(effects);
        sim.posted(id, 0);
      }
    }
    const update = { kind: 'update', groupId: id };
    assert.deepEqual(seen, [
      { minute: 0, effects: [{ kind: 'post', groupId: id }] },
      { minute: 3, effects: [update, thread(id, 'resolved')] },
      { minute: 4, effects: [update, thread(id, 'reopened')] },
      { minute: 7, effects: [update, thread(id, 'resolved')] },
      // The fifth flip within an hour: flapping, so it now needs max(3 × 2 min, 30 min) of quiet.
      { minute: 8, effects: [update, thread(id, 'reopened')] },
      { minute: 36 + 1 + 30, effects: [update, thread(id, 'resolved')] },
    ]);
    assert.equal(sim.group(id).reopened, 2);
    assert.equal(Object.keys(sim.book.groups).length, 1);
  });

  it('does not call a series flapping before it flips four times within an hour', () => {
    const sim = new Sim([rule({ resolveAfterMs: 2 * MIN })]);
    // Fire/resolve cycles 20 min apart: at most three flips in any hour at the time of a firing.
    for (let m = 0; m < 120; m++) sim.observe(m, obs(m, m % 40 === 0 ? 0.9 : 0.1));
    const s = sim.book.series['checkout_errors|']!;
    assert.equal(s.flapping, false);
    assert.ok(s.flips.every((f) => f > at(119) - FLAP_WINDOW_MS), 'old flips are forgotten');
  });
});

describe('restart', () => {
  function scenario(sim: Sim): (readonly LifecycleEffect[])[] {
    const out: (readonly LifecycleEffect[])[] = [];
    for (let m = 0; m < 30; m++) {
      const effects = sim.observe(m, obs(m, m >= 2 && m < 10 ? 0.9 : 0.1, EU_ADYEN), obs(m, m >= 4 && m < 15 ? 0.8 : 0.2, EU_STRIPE));
      out.push(effects);
      for (const e of effects) if (e.kind === 'post') out.push(sim.posted(e.groupId, m));
    }
    return out;
  }

  it('gives the same effects when the book goes through JSON between every step', () => {
    const plain = scenario(new Sim([rule({ groupBy: ['region'] })]));
    const restarted = scenario(new Sim([rule({ groupBy: ['region'] })], true));
    assert.deepEqual(restarted, plain);
    assert.ok(plain.flat().length >= 5, 'the scenario posts, adds, resolves');
  });

  it('gives no effects when the same observations are replayed after a restart', () => {
    const sim = new Sim([rule({ groupBy: ['region'] })], true);
    scenario(sim);
    const before = sim.book;
    // The engine restarts and re-feeds the last hour: every minute again, later wall clock.
    for (let m = 0; m < 30; m++) {
      const effects = sim.send({
        kind: 'observe',
        now: at(40 + m),
        observations: [obs(m, m >= 2 && m < 10 ? 0.9 : 0.1, EU_ADYEN), obs(m, m >= 4 && m < 15 ? 0.8 : 0.2, EU_STRIPE)],
      });
      assert.deepEqual(effects, [], `replayed minute ${m}`);
    }
    assert.deepEqual(sim.book.series, before.series);
    assert.deepEqual(sim.book.groups, before.groups);
  });

  it('gives no second post when the minute that fired is read again', () => {
    const sim = new Sim([rule()], true);
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    assert.deepEqual(sim.observe(0, obs(0, 0.9)), []);
    assert.deepEqual(sim.book.series['checkout_errors|']?.flips, [at(0)]);
  });
});

describe('re-notify and acknowledge', () => {
  it('reminds in the thread every renotify interval until someone acknowledges', () => {
    const sim = new Sim([rule({ renotifyMs: 30 * MIN })]);
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    assert.deepEqual(sim.tick(29), []);
    assert.deepEqual(sim.tick(30), [thread(id, 'renotify')]);
    assert.equal(sim.group(id).lastNotifiedAt, at(30) + LAG);
    assert.deepEqual(sim.tick(59), []);
    assert.deepEqual(sim.tick(60), [thread(id, 'renotify')]);
    assert.deepEqual(sim.ack(id, 'U0ONCALL', 61), [{ kind: 'update', groupId: id }, thread(id, 'acknowledged', { by: 'U0ONCALL' })]);
    assert.deepEqual(sim.group(id).ack, { by: 'U0ONCALL', at: at(61) + LAG });
    assert.deepEqual(sim.tick(200), []);
  });

  it('does not remind before the card is known to be posted, nor when renotify is 0', () => {
    const sim = new Sim([rule({ id: 'checkout_errors', renotifyMs: 30 * MIN }), rule({ id: 'never', renotifyMs: 0 })]);
    postedId(sim.observe(0, obs(0, 0.9)));
    const other = postedId(sim.observe(0, obs(0, 0.9, {}, { ruleId: 'never' })));
    sim.posted(other, 0);
    assert.deepEqual(sim.tick(100), []);
  });

  it('refuses a second acknowledgement, a resolved alert and an unknown one in words', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    sim.ack(id, 'U0ONCALL', 1);
    assert.deepEqual(sim.ack(id, 'U0ONCALL', 2), []);
    assert.equal(sim.last?.refused, 'You already acknowledged this alert.');
    assert.deepEqual(sim.ack(id, 'U0OTHER', 2), []);
    assert.equal(sim.last?.refused, '<@U0ONCALL> already acknowledged this alert.');
    assert.deepEqual(sim.group(id).ack?.by, 'U0ONCALL');
    for (let m = 1; m <= 6; m++) sim.observe(m, obs(m, 0));
    assert.deepEqual(sim.ack(id, 'U0OTHER', 7), []);
    assert.equal(sim.last?.refused, 'That alert has already resolved.');
    assert.deepEqual(sim.ack('nope@1', 'U0OTHER', 7), []);
    assert.match(sim.last?.refused ?? '', /can't find that alert/);
  });

  it('records an acknowledgement of a card that was never posted without effects', () => {
    const sim = new Sim([rule({ maintenance: [{ from: new Date(at(0)).toISOString(), to: new Date(at(60)).toISOString(), reason: 'db migration' }] })]);
    sim.observe(0, obs(0, 0.9));
    const [g] = sim.groups();
    assert.deepEqual(sim.ack(g!.id, 'U0ONCALL', 1), []);
    assert.equal(sim.last?.refused, undefined);
    assert.equal(sim.group(g!.id).ack?.by, 'U0ONCALL');
  });
});

describe('silences', () => {
  it('silences a posted card, holds back matching new firings, and unsuppresses both at expiry', () => {
    const sim = new Sim([rule({ groupBy: ['region', 'gateway'], renotifyMs: 10 * MIN })]);
    const g1 = postedId(sim.observe(0, obs(0, 0.9, EU_ADYEN)));
    sim.posted(g1, 0);

    const s = silenceOf({ matchers: { rule: 'checkout_errors', region: 'EU' } });
    assert.deepEqual(sim.silence(s, 1), [{ kind: 'update', groupId: g1 }, thread(g1, 'silenced', { by: 'U0SILENCER' })]);
    assert.deepEqual(sim.group(g1).suppressed, { kind: 'silence', silenceId: 'sil-1' });
    assert.equal(sim.last?.refused, undefined);

    // EU/stripe matches the silence: its card opens held back. US/adyen does not: posted.
    const effects = sim.observe(2, obs(2, 0.9, EU_STRIPE), obs(2, 0.9, US_ADYEN));
    const g3 = postedId(effects);
    assert.deepEqual(sim.group(g3).labels, US_ADYEN);
    const g2 = sim.groups().find((g) => g.labels.gateway === 'stripe')!;
    assert.deepEqual(g2.suppressed, { kind: 'silence', silenceId: 'sil-1' });
    assert.equal(g2.lastNotifiedAt, null);

    // The silenced card is not reminded (it would be after 10 min otherwise).
    assert.deepEqual(sim.tick(20), []);

    const expiry = sim.tick(31);
    const byGroup = (a: LifecycleEffect, b: LifecycleEffect) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0);
    const want: LifecycleEffect[] = [{ kind: 'update', groupId: g1 }, thread(g1, 'unsuppressed'), { kind: 'post', groupId: g2.id }];
    assert.deepEqual([...expiry].sort(byGroup), want.sort(byGroup));
    assert.deepEqual(sim.book.silences, []);
    assert.equal(sim.group(g1).suppressed, null);
    assert.equal(sim.group(g2.id).suppressed, null);
    assert.deepEqual(sim.tick(40), []);
    assert.deepEqual(sim.tick(41), [thread(g1, 'renotify')], 'reminders restart from the unsuppression');
  });

  it('holds back series-level replies while silenced but still says when it resolves', () => {
    const sim = new Sim([rule({ groupBy: ['region'] })]);
    const id = postedId(sim.observe(0, obs(0, 0.9, EU_ADYEN)));
    sim.posted(id, 0);
    sim.silence(silenceOf({ matchers: { region: 'EU' }, endsAt: at(120) }), 1);
    assert.deepEqual(sim.observe(2, obs(2, 0.9, EU_ADYEN), obs(2, 0.9, EU_STRIPE)), [{ kind: 'update', groupId: id }]);
    for (let m = 3; m <= 7; m++) sim.observe(m, obs(m, 0.1, EU_ADYEN), obs(m, 0.1, EU_STRIPE));
    assert.deepEqual(sim.observe(8, obs(8, 0.1, EU_ADYEN), obs(8, 0.1, EU_STRIPE)), [{ kind: 'update', groupId: id }, thread(id, 'resolved')]);
  });

  it('silences a card only when every firing series matches, e.g. once the others resolve', () => {
    const sim = new Sim([rule({ groupBy: [] })]);
    const id = postedId(sim.observe(0, obs(0, 0.9, EU_ADYEN), obs(0, 0.9, EU_STRIPE)));
    sim.posted(id, 0);
    assert.deepEqual(sim.silence(silenceOf({ matchers: { gateway: 'adyen' }, endsAt: at(120) }), 1), []);
    assert.equal(sim.group(id).suppressed, null);
    for (let m = 1; m <= 5; m++) sim.observe(m, obs(m, 0.9, EU_ADYEN), obs(m, 0.1, EU_STRIPE));
    assert.deepEqual(sim.observe(6, obs(6, 0.9, EU_ADYEN), obs(6, 0.1, EU_STRIPE)), [
      { kind: 'update', groupId: id },
      thread(id, 'series_resolved', { seriesKey: 'gateway=stripe,region=EU' }),
      thread(id, 'silenced', { by: 'U0SILENCER' }),
    ]);
  });

  it('applies a scheduled silence on the tick it starts', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    assert.deepEqual(sim.silence(silenceOf({ startsAt: at(10), endsAt: at(20) }), 1), []);
    assert.deepEqual(sim.tick(9), []);
    assert.deepEqual(sim.tick(10), [{ kind: 'update', groupId: id }, thread(id, 'silenced', { by: 'U0SILENCER' })]);
  });

  it('refuses a silence without matchers or already over, and ignores a replayed one', () => {
    const sim = new Sim();
    sim.silence(silenceOf({ matchers: {} }), 1);
    assert.match(sim.last?.refused ?? '', /at least one label/);
    sim.silence(silenceOf({ startsAt: at(0), endsAt: at(1) }), 2);
    assert.match(sim.last?.refused ?? '', /already be over/);
    assert.deepEqual(sim.book.silences, []);
    sim.silence(silenceOf({ endsAt: at(60) }), 2);
    sim.silence(silenceOf({ endsAt: at(90), reason: 'again' }), 3);
    assert.equal(sim.last?.refused, undefined);
    assert.deepEqual((sim.book as AlertBook).silences.map((s) => s.endsAt), [at(60)]);
  });
});

describe('maintenance windows', () => {
  const fixed = { from: new Date(at(0)).toISOString(), to: new Date(at(60)).toISOString(), reason: 'db migration' };

  it('holds back a card opened inside a fixed window and posts it when the window ends', () => {
    const sim = new Sim([rule({ maintenance: [fixed] })]);
    assert.deepEqual(sim.observe(5, obs(5, 0.9)), []);
    const [g] = sim.groups();
    assert.deepEqual(g!.suppressed, { kind: 'maintenance', reason: 'db migration' });
    assert.deepEqual(sim.tick(30), []);
    assert.deepEqual(sim.tick(59), []);
    assert.deepEqual(sim.tick(60), [{ kind: 'post', groupId: g!.id }]);
    assert.equal(sim.group(g!.id).suppressed, null);
  });

  it('says nothing at all about an alert that fires and resolves inside the window', () => {
    const sim = new Sim([rule({ maintenance: [fixed] })]);
    const effects: LifecycleEffect[] = [];
    for (let m = 5; m <= 20; m++) effects.push(...sim.observe(m, obs(m, m < 8 ? 0.9 : 0.1)));
    effects.push(...sim.tick(61));
    assert.deepEqual(effects, []);
    assert.equal(sim.groups()[0]?.status, 'resolved');
  });

  it('does not hide a card already posted when a window starts', () => {
    const later = { from: new Date(at(10)).toISOString(), to: new Date(at(60)).toISOString(), reason: 'db migration' };
    const sim = new Sim([rule({ maintenance: [later], renotifyMs: 30 * MIN })]);
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    assert.deepEqual(sim.tick(30), [thread(id, 'renotify')]);
    assert.equal(sim.group(id).suppressed, null);
  });

  it('holds back a card during a recurring window that crosses midnight in its time zone', () => {
    // Fridays 22:00 → Saturday 02:00 in Berlin (UTC+1 in January).
    const nightly = { days: ['fri' as const], start: '22:00', end: '02:00', tz: 'Europe/Berlin', reason: 'nightly batch' };
    const sim = new Sim([rule({ maintenance: [nightly] })]);
    const minuteOf = (utc: number) => (utc - T0) / MIN;
    const sat0030Berlin = minuteOf(Date.UTC(2026, 0, 9, 23, 30)); // Saturday 00:30 in Berlin
    assert.deepEqual(sim.observe(sat0030Berlin, obs(sat0030Berlin, 0.9)), []);
    const [g] = sim.groups();
    assert.deepEqual(g!.suppressed, { kind: 'maintenance', reason: 'nightly batch' });
    assert.deepEqual(sim.tick(minuteOf(Date.UTC(2026, 0, 10, 0, 58))), []); // 01:58:30 Berlin
    assert.deepEqual(sim.tick(minuteOf(Date.UTC(2026, 0, 10, 1, 0))), [{ kind: 'post', groupId: g!.id }]); // 02:00:30 Berlin
  });
});

describe('provisional observations', () => {
  it('lets an open minute fire an alert, and the final reading of that minute adds nothing', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9, {}, { provisional: true })));
    sim.posted(id, 0);
    assert.deepEqual(sim.observe(0, obs(0, 0.9)), []);
    assert.deepEqual(sim.book.series['checkout_errors|']?.flips, [at(0)]);
  });

  it('never starts the quiet run or resolves from open minutes', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    for (let m = 1; m <= 10; m++) assert.deepEqual(sim.observe(m, obs(m, 0.1, {}, { provisional: true })), []);
    assert.equal(sim.phase(), 'firing');
    assert.equal(sim.book.series['checkout_errors|']?.quietSince, null);
    for (let m = 11; m <= 15; m++) assert.deepEqual(sim.observe(m, obs(m, 0.1)), [], `minute ${m}`);
    assert.deepEqual(sim.observe(16, obs(16, 0.1)), [{ kind: 'update', groupId: id }, thread(id, 'resolved')]);
  });

  it('does not send pending back to ok from an open minute, but the final reading of the same minute does', () => {
    const sim = new Sim([rule({ forMs: 5 * MIN })]);
    sim.observe(0, obs(0, 0.9));
    sim.observe(1, obs(1, 0.1, {}, { provisional: true }));
    assert.equal(sim.phase(), 'pending');
    sim.observe(1, obs(1, 0.1));
    assert.equal(sim.phase(), 'ok');
  });

  it('re-evaluates a minute whose open reading was anomalous and final reading is not', () => {
    const sim = new Sim([rule({ forMs: 5 * MIN })]);
    sim.observe(0, obs(0, 0.9, {}, { provisional: true }));
    assert.equal(sim.phase(), 'pending');
    sim.observe(0, obs(0, 0.2));
    assert.equal(sim.phase(), 'ok');
    const after = sim.book;
    assert.deepEqual(sim.observe(0, obs(0, 0.9, {}, { provisional: true })), []);
    assert.equal(sim.phase(), 'ok', 'an open reading arriving after the final one is stale');
    assert.equal(sim.book, after);
  });
});

describe('removed rules', () => {
  it('ignores observations of a rule that is gone, and resolves its cards on the next tick', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    sim.posted(id, 0);
    sim.rules = [];
    const before = sim.book;
    assert.deepEqual(sim.observe(1, obs(1, 0.9)), []);
    assert.equal(sim.book, before);
    assert.deepEqual(sim.tick(2), [{ kind: 'update', groupId: id }, thread(id, 'resolved')]);
    assert.equal(sim.group(id).status, 'resolved');
    assert.deepEqual(sim.book.series, {});
  });

  it('prunes resolved cards a day after they resolved', () => {
    const sim = new Sim();
    const id = postedId(sim.observe(0, obs(0, 0.9)));
    for (let m = 1; m <= 6; m++) sim.observe(m, obs(m, 0));
    const day = RESOLVED_KEEP_MS / MIN;
    sim.tick(6 + day);
    assert.ok(sim.book.groups[id], 'kept for a day');
    sim.tick(7 + day);
    assert.equal(sim.book.groups[id], undefined);
    assert.deepEqual(sim.book.series, {}, 'the idle ok series is forgotten too');
  });
});
