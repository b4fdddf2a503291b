import type { Store } from '../src/store/index.js';

/**
 * Fills the events table inside the engine (INSERT … SELECT FROM numbers), so benchmarks can
 * reach 100M raw events in minutes; the materialized views roll them up exactly as for
 * ingested events. Dimensions follow the brief's catalog, each type with its own dims.
 */
const pick = (values: readonly string[], salt: number) =>
  `[${values.map((v) => `'${v}'`).join(',')}][1 + cityHash64(number, ${salt}) % ${values.length}]`;

const COUNTRIES = ['US', 'CA', 'MX', 'GB', 'DE', 'FR', 'ES', 'NL', 'BR', 'AR', 'JP', 'SG', 'AU', 'IN'];
const REGION_OF = ['NA', 'NA', 'NA', 'EU', 'EU', 'EU', 'EU', 'EU', 'LATAM', 'LATAM', 'APAC', 'APAC', 'APAC', 'APAC'];
const countryIndex = `(1 + cityHash64(number, 3) % ${COUNTRIES.length})`;
const D: Record<string, string> = {
  channel: pick(['google', 'meta', 'email', 'organic', 'tiktok'], 1),
  campaign: pick(['black-friday-2026', 'cyber-monday-2026', 'brand-always-on', 'retargeting-q4'], 2),
  country: `[${COUNTRIES.map((c) => `'${c}'`).join(',')}][${countryIndex}]`,
  region: `[${REGION_OF.map((c) => `'${c}'`).join(',')}][${countryIndex}]`,
  device: pick(['desktop', 'mobile', 'tablet'], 4),
  product_category: pick(['electronics', 'apparel', 'home', 'beauty', 'sports'], 5),
  payment_gateway: pick(['stripe', 'adyen', 'paypal'], 6),
  carrier: pick(['dhl', 'dpd', 'ups', 'fedex'], 7),
  service: pick(['checkout-api', 'payments-api', 'search-api', 'auth-api'], 8),
  status_class: `multiIf(cityHash64(number, 9) % 1000 < 5, '5xx', cityHash64(number, 9) % 1000 < 30, '4xx', cityHash64(number, 9) % 1000 < 80, '3xx', '2xx')`,
  plan: pick(['free', 'pro', 'enterprise'], 10),
};
const MARKETING = ['channel', 'campaign', 'region', 'country', 'device'];
const u = (salt: number, lo: number, span: number) => `${lo} + (cityHash64(number, ${salt}) % ${span * 100}) / 100`;

const TYPES: Array<{ type: string; share: number; dims: string[]; measures: Record<string, string> }> = [
  { type: 'session_started', share: 40, dims: MARKETING, measures: {} },
  { type: 'http_request', share: 20, dims: ['service', 'region', 'status_class'], measures: { latency_ms: `exp(4.8 + (cityHash64(number, 20) % 1000) / 1000)` } },
  { type: 'ad_stats', share: 10, dims: MARKETING, measures: { spend: u(21, 1, 20), impressions: u(22, 100, 900), clicks: u(23, 1, 20), attributed_revenue: u(24, 0, 80) } },
  { type: 'cart_created', share: 5, dims: MARKETING, measures: {} },
  { type: 'checkout_started', share: 3, dims: [...MARKETING, 'payment_gateway'], measures: {} },
  { type: 'order_placed', share: 2.5, dims: [...MARKETING, 'product_category', 'payment_gateway'], measures: { revenue: u(25, 10, 250), items: `1 + cityHash64(number, 26) % 4` } },
  { type: 'delivery_attempted', share: 3, dims: ['carrier', 'region', 'country', 'product_category'], measures: { success: `if(cityHash64(number, 27) % 100 < 95, 1, 0)` } },
  { type: 'signup', share: 2, dims: [...MARKETING, 'plan'], measures: {} },
  { type: 'lead', share: 2, dims: [...MARKETING, 'plan'], measures: { score: u(28, 0, 100) } },
  { type: 'checkout_error', share: 0.2, dims: ['region', 'country', 'device', 'payment_gateway'], measures: {} },
  { type: 'payment_failed', share: 0.2, dims: ['region', 'country', 'device', 'payment_gateway'], measures: { amount: u(29, 10, 250) } },
];

/** Inserts `count` events spread evenly over [fromMs, toMs), in chunks, reporting progress. */
export async function fillEvents(
  store: Store,
  opts: { count: number; fromMs: number; toMs: number; idPrefix: string; chunk?: number; onProgress?: (done: number) => void },
): Promise<void> {
  const totalShare = TYPES.reduce((s, t) => s + t.share, 0);
  const chunk = opts.chunk ?? 5_000_000;
  let done = 0;
  for (const t of TYPES) {
    const n = Math.round((opts.count * t.share) / totalShare);
    const dims = `map(${t.dims.map((d) => `'${d}', ${D[d]}`).join(', ')})`;
    const entries = Object.entries(t.measures);
    const measures = entries.length ? `map(${entries.map(([k, v]) => `'${k}', toFloat64(${v})`).join(', ')})` : 'map()::Map(String, Float64)';
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      await store.command(
        `INSERT INTO events (id, ts, type, source, user_id, dims, measures)
         SELECT concat({prefix:String}, '-${t.type}-', toString(number)), fromUnixTimestamp64Milli(toInt64({from:Int64} + intDiv(number * {span:Int64}, {n:Int64}))),
                '${t.type}', 'bench', concat('p_', toString(cityHash64(number, 30) % 500000)), ${dims}, ${measures}
         FROM numbers({offset:UInt64}, {size:UInt64})`,
        { from: opts.fromMs, span: opts.toMs - opts.fromMs, n, offset: start, size, prefix: opts.idPrefix },
      );
      done += size;
      opts.onProgress?.(done);
    }
  }
}
