import { cumulative } from './random.js';

/**
 * The demo business as static data: who the customers are, where, on which device, through
 * which channel and campaign, what they buy and how the infrastructure behaves. Dimension
 * values are exactly BRIEF.md's list; weights and rates are plausible, not measured.
 * Index order matters: the generator addresses these arrays by position.
 */

export const REGIONS = ['NA', 'EU', 'LATAM', 'APAC'] as const;
export const NR = REGIONS.length;
/** Fixed offsets (no DST): the region's "local time" that drives its daily curve. */
export const REGION_UTC_OFFSET_H = [-5, 1, -3, 8] as const;
export const REGION_SHOP_SHARE = [0.38, 0.32, 0.1, 0.2] as const;
export const REGION_B2B_SHARE = [0.45, 0.35, 0.08, 0.12] as const;
/** Basket value relative to the base AOV (USD). */
export const REGION_PRICE = [1.1, 1.0, 0.75, 0.95] as const;
/** Network distance: latency multiplier per region. */
export const REGION_LATENCY = [1.0, 1.05, 1.3, 1.2] as const;

export const COUNTRIES: readonly (readonly string[])[] = [
  ['US', 'CA', 'MX'],
  ['GB', 'DE', 'FR', 'ES', 'NL'],
  ['BR', 'AR'],
  ['JP', 'SG', 'AU', 'IN'],
];
export const COUNTRY_CUM = [
  cumulative([0.78, 0.12, 0.1]),
  cumulative([0.28, 0.3, 0.2, 0.12, 0.1]),
  cumulative([0.7, 0.3]),
  cumulative([0.35, 0.15, 0.25, 0.25]),
];
export const COUNTRY_REGION: Readonly<Record<string, string>> = Object.fromEntries(
  COUNTRIES.flatMap((cs, r) => cs.map((c) => [c, REGIONS[r]!])),
);

export const DEVICES = ['desktop', 'mobile', 'tablet'] as const;
export const ND = DEVICES.length;
const DEVICE_SESSION_SHARE = [
  [0.42, 0.48, 0.1],
  [0.4, 0.5, 0.1],
  [0.25, 0.7, 0.05],
  [0.3, 0.62, 0.08],
];
/** Desktop converts better than mobile. */
const DEVICE_CONV = [1.25, 0.85, 1.0];
export const SESSION_DEVICE_SHARE = DEVICE_SESSION_SHARE.map((w) => normalize(w));
export const FUNNEL_DEVICE_SHARE = DEVICE_SESSION_SHARE.map((w) => normalize(w.map((x, d) => x * DEVICE_CONV[d]!)));
export const SESSION_DEVICE_CUM = SESSION_DEVICE_SHARE.map((w) => cumulative(w));
export const FUNNEL_DEVICE_CUM = FUNNEL_DEVICE_SHARE.map((w) => cumulative(w));

export const CHANNELS = ['google', 'meta', 'email', 'organic', 'tiktok'] as const;
export const CAMPAIGNS = ['black-friday-2026', 'cyber-monday-2026', 'brand-always-on', 'retargeting-q4'] as const;

/** A channel a campaign runs on. Organic traffic is credited to the brand campaign. */
export interface Pair {
  channel: string;
  campaign: string;
  campaignIndex: number;
  /** Share of sessions. */
  share: number;
  /** Conversion relative to the average session. */
  conv: number;
  /** Paid pairs report ad_stats; roas is the long-run attributed revenue / spend. */
  paid: boolean;
  roas: number;
  ctr: number;
}

function pair(channel: string, campaign: string, share: number, conv: number, roas = 0, ctr = 0): Pair {
  return { channel, campaign, campaignIndex: CAMPAIGNS.indexOf(campaign as never), share, conv, paid: roas > 0, roas, ctr };
}

export const PAIRS: readonly Pair[] = [
  pair('organic', 'brand-always-on', 0.28, 1.0),
  pair('google', 'brand-always-on', 0.12, 1.25, 4.6, 0.03),
  pair('google', 'black-friday-2026', 0.08, 1.15, 3.6, 0.022),
  pair('google', 'cyber-monday-2026', 0.05, 1.1, 3.3, 0.02),
  pair('google', 'retargeting-q4', 0.04, 1.6, 4.2, 0.018),
  pair('meta', 'brand-always-on', 0.06, 0.8, 2.4, 0.012),
  pair('meta', 'black-friday-2026', 0.07, 0.95, 3.0, 0.014),
  pair('meta', 'cyber-monday-2026', 0.04, 0.9, 2.7, 0.013),
  pair('meta', 'retargeting-q4', 0.06, 1.5, 3.9, 0.016),
  pair('email', 'black-friday-2026', 0.05, 1.6, 4.8, 0.028),
  pair('email', 'cyber-monday-2026', 0.04, 1.5, 4.5, 0.026),
  pair('email', 'retargeting-q4', 0.03, 1.7, 5.0, 0.025),
  pair('tiktok', 'brand-always-on', 0.04, 0.55, 2.0, 0.011),
  pair('tiktok', 'black-friday-2026', 0.04, 0.6, 2.2, 0.012),
];
export const NP = PAIRS.length;
export const SESSION_PAIR_CUM = cumulative(PAIRS.map((p) => p.share));
export const FUNNEL_PAIR_SHARE = normalize(PAIRS.map((p) => p.share * p.conv));
export const FUNNEL_PAIR_CUM = cumulative(FUNNEL_PAIR_SHARE);
/** Fraction of order revenue the ad platforms claim for their clicks. */
export const ATTRIBUTION = 0.9;
/** Ad clicks per landed session (some clicks bounce before the session starts). */
export const CLICKS_PER_SESSION = 1.08;

export const CATEGORIES = ['electronics', 'apparel', 'home', 'beauty', 'sports'] as const;
export const CATEGORY_SHARE = [0.2, 0.3, 0.2, 0.17, 0.13] as const;
export const CATEGORY_CUM = cumulative(CATEGORY_SHARE);
/** Mean basket value (USD, before the region's price level) and extra items beyond one. */
export const CATEGORY_AOV = [165, 72, 118, 52, 95] as const;
export const CATEGORY_EXTRA_ITEMS = [0.2, 1.3, 0.6, 1.6, 0.5] as const;
export const REVENUE_SIGMA = 0.45;
export const BASE_AOV = CATEGORY_SHARE.reduce((a, s, i) => a + s * CATEGORY_AOV[i]!, 0);

export const GATEWAYS = ['stripe', 'adyen', 'paypal'] as const;
export const NG = GATEWAYS.length;
export const GATEWAY_SHARE = [
  [0.55, 0.15, 0.3],
  [0.3, 0.45, 0.25],
  [0.4, 0.25, 0.35],
  [0.45, 0.35, 0.2],
] as const;
export const GATEWAY_CUM = GATEWAY_SHARE.map((w) => cumulative(w));
/** Per checkout_started. */
export const GATEWAY_ERROR_RATE = [0.025, 0.03, 0.035] as const;
export const GATEWAY_FAIL_RATE = [0.02, 0.025, 0.03] as const;

export const CARRIERS = ['dhl', 'dpd', 'ups', 'fedex'] as const;
export const NC = CARRIERS.length;
export const CARRIER_SHARE = [
  [0.1, 0, 0.5, 0.4],
  [0.4, 0.45, 0.1, 0.05],
  [0.5, 0, 0.2, 0.3],
  [0.5, 0, 0.2, 0.3],
] as const;
export const CARRIER_CUM = CARRIER_SHARE.map((w) => cumulative(w));
export const CARRIER_SUCCESS = [0.955, 0.945, 0.96, 0.95] as const;
/** Where each carrier delivers most (an incident is timed for that region's working day). */
export const CARRIER_HOME_REGION = [1, 1, 0, 0] as const;

export const SERVICES = ['checkout-api', 'payments-api', 'search-api', 'auth-api'] as const;
export const NS = SERVICES.length;
export const SERVICE_CUM = cumulative([0.2, 0.12, 0.43, 0.25]);
/** Lognormal latency: median (ms) and sigma; p95 = median · e^(1.645σ) ≈ 190–320 ms. */
export const SERVICE_MEDIAN_MS = [120, 140, 90, 60] as const;
export const SERVICE_SIGMA = [0.55, 0.5, 0.6, 0.7] as const;
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export const STATUS_CUM = cumulative([0.935, 0.025, 0.035, 0.005]);
export const STATUS_5XX_RATE = 0.005;
/** Latency relative to a 2xx: redirects and client errors are cheap, 5xx often time out. */
export const STATUS_LATENCY = [1, 0.3, 0.5, 2.5] as const;

export const PLANS = ['free', 'pro', 'enterprise'] as const;
export const SIGNUP_PLAN_CUM = cumulative([0.78, 0.18, 0.04]);
export const LEAD_PLAN_CUM = cumulative([0.1, 0.5, 0.4]);
export const LEAD_SCORE_MEAN = [35, 55, 72] as const;

/** Daily averages at scale 1, events per second. */
export const RATES = {
  session: 32,
  http: 9,
  signup: 0.7,
  lead: 0.25,
  delivery: 1.4,
  cartPerSession: 0.1,
  checkoutPerCart: 0.6,
  orderPerCheckout: 0.8,
} as const;

/** Every value the demo emits per dimension (BRIEF.md "Dimension values"). */
export const DIMENSION_VALUES: Readonly<Record<string, readonly string[]>> = {
  channel: CHANNELS,
  campaign: CAMPAIGNS,
  region: REGIONS,
  country: COUNTRIES.flat(),
  device: DEVICES,
  product_category: CATEGORIES,
  payment_gateway: GATEWAYS,
  service: SERVICES,
  carrier: CARRIERS,
  plan: PLANS,
  status_class: STATUS_CLASSES,
};

// ---- seasonality: curves by local hour (0..23) and local weekday (Sun..Sat), mean 1 ----

/** Shoppers: asleep at night, building through the day, peak late afternoon and evening. */
export const SHOP_DIURNAL = normalizeMean([
  0.42, 0.3, 0.22, 0.17, 0.15, 0.18, 0.28, 0.45, 0.65, 0.82, 0.95, 1.05, 1.15, 1.22, 1.3, 1.38, 1.45, 1.42,
  1.38, 1.4, 1.42, 1.3, 1.0, 0.68,
]);
/** Business signups and leads: office hours. */
export const B2B_DIURNAL = normalizeMean([
  0.1, 0.07, 0.05, 0.05, 0.05, 0.08, 0.2, 0.5, 1.1, 1.6, 1.9, 2.0, 1.8, 1.9, 2.0, 1.9, 1.7, 1.3, 0.9, 0.6,
  0.45, 0.35, 0.25, 0.15,
]);
/** Couriers: the working day. */
export const DELIVERY_DIURNAL = normalizeMean([
  0.02, 0.01, 0.01, 0.01, 0.02, 0.05, 0.3, 1.0, 1.8, 2.2, 2.3, 2.3, 2.1, 2.2, 2.2, 2.1, 1.9, 1.6, 1.2, 0.8,
  0.5, 0.2, 0.08, 0.04,
]);
export const SHOP_WEEKLY = normalizeMean([1.12, 0.95, 0.94, 0.95, 0.97, 1.0, 1.12]);
export const B2B_WEEKLY = normalizeMean([0.4, 1.16, 1.18, 1.16, 1.12, 1.0, 0.45]);
export const DELIVERY_WEEKLY = normalizeMean([0.3, 1.12, 1.12, 1.12, 1.12, 1.12, 0.75]);

/** Linear interpolation of an hourly curve at a fractional hour in [0, 24). */
export function curveAt(curve: Float64Array, hour: number): number {
  const i = Math.floor(hour);
  const f = hour - i;
  return curve[i % 24]! * (1 - f) + curve[(i + 1) % 24]! * f;
}

function normalize(w: readonly number[]): number[] {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

function normalizeMean(w: readonly number[]): Float64Array {
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  return Float64Array.from(w, (x) => x / mean);
}
