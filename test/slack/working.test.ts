import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withWorkingIndicator } from '../../src/slack/working.js';

describe('withWorkingIndicator', () => {
  it('shows no placeholder when the work finishes first', async () => {
    let shown = 0;
    const r = await withWorkingIndicator(Promise.resolve(42), 10_000, async () => {
      shown++;
      return 'ts';
    });
    assert.deepEqual(r, { outcome: { ok: true, value: 42 }, placeholderTs: undefined });
    assert.equal(shown, 0);
  });

  it('shows the placeholder once when the work outlasts the delay, and returns its ts', async () => {
    let release!: (v: string) => void;
    const work = new Promise<string>((resolve) => (release = resolve));
    let shown = 0;
    const placeholderPosted = new Promise<void>((resolve) => {
      void withWorkingIndicator(work, 1, async () => {
        shown++;
        resolve();
        return '1.0001';
      }).then((r) => results.push(r));
    });
    const results: unknown[] = [];
    await placeholderPosted;
    release('done');
    await work;
    await new Promise((r) => setImmediate(r));
    assert.equal(shown, 1);
    assert.deepEqual(results, [{ outcome: { ok: true, value: 'done' }, placeholderTs: '1.0001' }]);
  });

  it('returns a failure with the placeholder ts so the caller can replace it with an apology', async () => {
    let fail!: (e: Error) => void;
    const work = new Promise<string>((_, reject) => (fail = reject));
    let posted!: () => void;
    const placeholder = new Promise<void>((r) => (posted = r));
    const pending = withWorkingIndicator(work, 1, async () => {
      posted();
      return '2.0001';
    });
    await placeholder;
    fail(new Error('store down'));
    const r = await pending;
    assert.equal(r.placeholderTs, '2.0001');
    assert.equal(r.outcome.ok, false);
  });
});
