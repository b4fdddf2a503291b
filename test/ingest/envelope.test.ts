import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envelopeSchema, validateEnvelope } from '../../src/ingest/index.js';
import { mulberry32 } from '../support/random.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const valid = {
  id: 'o-1',
  ts: '2026-11-21T09:30:00.123Z',
  type: 'order_placed',
  source: 'shop',
  user_id: 'u42',
  dims: { channel: 'google', region: 'EU' },
  measures: { revenue: 129.5, items: 3 },
};


const STRANGE: unknown[] = [
  null, undefined, '', 'x', ' ', 'a'.repeat(201), 'a'.repeat(257), 0, -1, 1.5, 1e308, Number.NaN, Infinity, true, false,
  [], {}, { a: 1 }, ['x'], '1', 'order placed', '9abc', 'ok_name', 1732182600123, '2026-11-21', '2026-11-21T09:30:00Z',
];
const KEYS = ['id', 'ts', 'type', 'source', 'user_id', 'dims', 'measures', 'extra', '__proto__'];

function mutate(r: () => number): unknown {
  const e: Record<string, unknown> = structuredClone(valid);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const key = KEYS[Math.floor(r() * KEYS.length)]!;
    const value = STRANGE[Math.floor(r() * STRANGE.length)];
    if (key === 'dims' || key === 'measures') {
      const inner = { ...(e[key] as Record<string, unknown>) };
      const innerKey = ['channel', 'revenue', 'Bad Key', '9x', 'a'.repeat(65), 'ok.key'][Math.floor(r() * 6)]!;
      if (r() < 0.3) e[key] = value;
      else {
        inner[innerKey] = value;
        e[key] = inner;
      }
    } else if (r() < 0.2) delete e[key];
    else e[key] = value;
  }
  return e;
}

describe('validateEnvelope', () => {
  test('accepts the brief example and normalises ts to epoch ms', () => {
    const v = validateEnvelope(valid, NOW);
    assert.ok(v.ok);
    assert.equal(v.event.tsMs, Date.parse('2026-11-21T09:30:00.123Z'));
    assert.deepEqual(v.event.dims, { channel: 'google', region: 'EU' });
  });

  test('accepts epoch milliseconds and fills source and user_id defaults', () => {
    const v = validateEnvelope({ id: 7, ts: 1763717400000, type: 'signup' }, NOW, 'http');
    assert.ok(v.ok);
    assert.equal(v.event.id, '7');
    assert.equal(v.event.source, 'http');
    assert.equal(v.event.userId, '');
  });

  test('names the field that is wrong', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...valid, id: undefined }, 'schema', /^id: /],
      [{ ...valid, measures: { revenue: 'lots' } }, 'schema', /^measures\.revenue: /],
      [{ ...valid, ts: 'yesterday' }, 'bad_timestamp', /^ts: /],
      [{ ...valid, ts: '2026-11-21T09:30:00' }, 'bad_timestamp', /with a zone/],
      [{ ...valid, ts: NOW + 2 * 86_400_000 }, 'future_timestamp', /in the future/],
      [{ ...valid, ts: 0 }, 'too_old', /before 2000/],
      [{ ...valid, surprise: 1 }, 'schema', /surprise|Unrecognized/i],
      [[valid], 'schema', /object/i],
    ];
    for (const [input, reason, message] of cases) {
      const v = validateEnvelope(input, NOW);
      assert.equal(v.ok, false, JSON.stringify(input));
      if (!v.ok) {
        assert.equal(v.reason, reason, JSON.stringify(input));
        assert.match(v.error, message);
      }
    }
  });

  test('the fast path accepts exactly what the zod schema accepts, with the same result', () => {
    const r = mulberry32(2026);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const input = mutate(r);
      const fast = validateEnvelope(input, NOW);
      const zod = envelopeSchema.safeParse(input);
      if (!zod.success) {
        assert.equal(fast.ok, false, `accepted what zod refuses: ${JSON.stringify(input)}`);
        continue;
      }
      // zod accepted the shape; only the timestamp rules may still refuse it.
      if (fast.ok) {
        accepted++;
        const z = zod.data;
        assert.equal(fast.event.id, z.id);
        assert.equal(fast.event.type, z.type);
        assert.equal(fast.event.userId, z.user_id ?? '');
        assert.deepEqual(fast.event.dims, z.dims ?? {});
        assert.deepEqual(fast.event.measures, z.measures ?? {});
      } else {
        assert.match(fast.reason, /timestamp|too_old/, `refused what zod accepts: ${JSON.stringify(input)} (${fast.error})`);
      }
    }
    assert.ok(accepted > 500, `corpus too hostile to say anything: ${accepted} accepted`);
  });
});
