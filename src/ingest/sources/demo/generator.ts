/**
 * Deterministic demo traffic for opsight.
 *
 * Why it looks like this:
 * - Every question, detector and digest needs believable data on a fresh install, so the
 *   stream models a business rather than noise: region-local daily curves (shoppers peak in
 *   the afternoon and evening of *their* time zone, NA UTC-5, EU UTC+1, LATAM UTC-3, APAC
 *   UTC+8), a weekly rhythm (shop up and B2B signups/leads down at weekends, couriers rest on
 *   Sunday), a slow bounded trend and correlated hourly noise, so that "vs last week" answers
 *   and seasonal baselines have something to learn, and planted incidents have something to
 *   stand out from.
 * - Counts are Poisson around expected rates, so small segments are realistically noisy and
 *   big ones are smooth; a detector's false-positive rate on the demo is an honest one.
 * - Each minute is a pure function of (seed, minute, scale, incidents in effect): its own PRNG
 *   stream, its own ids. Generating [a, c) is therefore identical to generating [a, b) and
 *   then [b, c) for any b, and a live stream, a backfill and a replay agree event for event
 *   (ids make re-delivery idempotent).
 * - A minute's events are one superposed Poisson process: the total count is drawn once,
 *   timestamps come out already sorted (exponential spacings) and each event picks its
 *   (type, region) cell by rate. No sort, no per-event closures: ~1M+ events/s.
 * - Ad platforms report aggregates, not events, so ad_stats are one row per paid
 *   (campaign, channel) × region × device each minute, their attributed revenue derived from
 *   the same order rates (ROAS 2–5 by construction). At small scales the rows are sampled
 *   (one device, or one cell per campaign) with Horvitz–Thompson weights so their count does
 *   not dwarf the events while every sum stays unbiased.
 */
import type { RolledUpType } from '../../envelope.js';
import { DEFAULT_FACTOR, demoIncidents, type Incident } from './incidents.js';
import {
  ATTRIBUTION,
  B2B_DIURNAL,
  B2B_WEEKLY,
  BASE_AOV,
  CARRIER_CUM,
  CARRIER_SUCCESS,
  CARRIERS,
  CATEGORIES,
  CATEGORY_AOV,
  CATEGORY_CUM,
  CATEGORY_EXTRA_ITEMS,
  CLICKS_PER_SESSION,
  COUNTRIES,
  COUNTRY_CUM,
  CARRIER_SHARE,
  DELIVERY_DIURNAL,
  DELIVERY_WEEKLY,
  DEVICES,
  FUNNEL_DEVICE_CUM,
  FUNNEL_DEVICE_SHARE,
  FUNNEL_PAIR_CUM,
  FUNNEL_PAIR_SHARE,
  GATEWAY_CUM,
  GATEWAY_ERROR_RATE,
  GATEWAY_FAIL_RATE,
  GATEWAY_SHARE,
  GATEWAYS,
  LEAD_PLAN_CUM,
  LEAD_SCORE_MEAN,
  NC,
  ND,
  NG,
  NP,
  NR,
  NS,
  PAIRS,
  PLANS,
  RATES,
  REGION_B2B_SHARE,
  REGION_LATENCY,
  REGION_PRICE,
  REGION_SHOP_SHARE,
  REGION_UTC_OFFSET_H,
  REGIONS,
  REVENUE_SIGMA,
  SERVICE_CUM,
  SERVICE_MEDIAN_MS,
  SERVICE_SIGMA,
  SERVICES,
  SESSION_DEVICE_CUM,
  SESSION_DEVICE_SHARE,
  SESSION_PAIR_CUM,
  SHOP_DIURNAL,
  SHOP_WEEKLY,
  SIGNUP_PLAN_CUM,
  STATUS_5XX_RATE,
  STATUS_CLASSES,
  STATUS_CUM,
  STATUS_LATENCY,
  curveAt,
} from './model.js';
import { Rng, cumulative, hash32, hashNormal } from './random.js';

export interface DemoOptions {
  seed: number;
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
  /** Multiplies every volume; 1 ≈ 50 events/s averaged over a week (see estimateEventsPerMinute). */
  scale?: number;
  /** Incidents to apply; default demoIncidents(seed, fromMs, toMs). Pass [] for a quiet stream. */
  incidents?: readonly Incident[];
}

/** One generated event: a valid envelope (BRIEF.md "Event envelope") with `ts` in epoch ms. */
export interface DemoEvent {
  id: string;
  ts: number;
  type: RolledUpType;
  source: 'demo';
  user_id?: string;
  dims: Record<string, string>;
  measures: Record<string, number>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Size of the pseudo user population ids are drawn from (skewed: some users come back often). */
const USERS = 250_000;

// Poisson-sampled event types. A cell is (type, region): cell = type * NR + region. Ordered
// by volume so the linear cell search usually stops after a few comparisons.
const T_SESSION = 0;
const T_HTTP = 1;
const T_CART = 2;
const T_CHECKOUT = 3;
const T_ORDER = 4;
const T_DELIVERY = 5;
const T_SIGNUP = 6;
const T_LEAD = 7;
const T_CHECKOUT_ERROR = 8;
const T_PAYMENT_FAILED = 9;
const NT = 10;
const NCELL = NT * NR;

// ---------------------------------------------------------------- incident effects

/** Multipliers and sampling tables for one set of incidents in effect. */
interface Effects {
  orderGwCum: Float64Array[];
  orderFactor: Float64Array;
  errGwCum: Float64Array[];
  errFactor: Float64Array;
  failGwCum: Float64Array[];
  failFactor: Float64Array;
  /** [service * NR + region] */
  latencyMult: Float64Array;
  extra5xx: Float64Array;
  /** [carrier * NR + region] */
  deliverySuccess: Float64Array;
  /** [pair * NR + region] */
  spendMult: Float64Array;
  attrMult: Float64Array;
  clickMult: Float64Array;
  impMult: Float64Array;
}

function matches(segment: Record<string, string>, key: string, value: string): boolean {
  const v = segment[key];
  return v === undefined || v === value;
}

function buildEffects(active: readonly Incident[]): Effects {
  const ones = (n: number) => new Float64Array(n).fill(1);
  const errMult = ones(NR * NG);
  const failMult = ones(NR * NG);
  const orderMult = ones(NR * NG);
  const latencyMult = ones(NS * NR);
  const extra5xx = new Float64Array(NS * NR);
  const deliverySuccess = new Float64Array(NC * NR);
  for (let c = 0; c < NC; c++) for (let r = 0; r < NR; r++) deliverySuccess[c * NR + r] = CARRIER_SUCCESS[c]!;
  const spendMult = ones(NP * NR);
  const attrMult = ones(NP * NR);
  const clickMult = ones(NP * NR);
  const impMult = ones(NP * NR);

  for (const inc of active) {
    const f = inc.factor ?? DEFAULT_FACTOR[inc.kind];
    const seg = inc.segment;
    switch (inc.kind) {
      case 'checkout_errors':
        for (let r = 0; r < NR; r++) {
          if (!matches(seg, 'region', REGIONS[r]!)) continue;
          for (let g = 0; g < NG; g++) {
            if (!matches(seg, 'payment_gateway', GATEWAYS[g]!)) continue;
            const k = r * NG + g;
            errMult[k]! *= f;
            failMult[k]! *= Math.max(0, 1 + 0.3 * (f - 1));
            // The extra failed checkouts are orders that never happen.
            orderMult[k]! *= Math.max(0.2, 1 - GATEWAY_ERROR_RATE[g]! * (f - 1));
          }
        }
        break;
      case 'latency_regression':
        for (let s = 0; s < NS; s++) {
          if (!matches(seg, 'service', SERVICES[s]!)) continue;
          for (let r = 0; r < NR; r++) {
            if (!matches(seg, 'region', REGIONS[r]!)) continue;
            latencyMult[s * NR + r]! *= f;
            extra5xx[s * NR + r]! += STATUS_5XX_RATE;
          }
        }
        break;
      case 'delivery_failures':
        for (let c = 0; c < NC; c++) {
          if (!matches(seg, 'carrier', CARRIERS[c]!)) continue;
          for (let r = 0; r < NR; r++) {
            if (!matches(seg, 'region', REGIONS[r]!)) continue;
            const k = c * NR + r;
            deliverySuccess[k] = Math.min(deliverySuccess[k]!, Math.max(0, Math.min(1, f)));
          }
        }
        break;
      case 'roas_collapse':
      case 'ad_overspend':
        for (let p = 0; p < NP; p++) {
          const pair = PAIRS[p]!;
          if (!matches(seg, 'campaign', pair.campaign) || !matches(seg, 'channel', pair.channel)) continue;
          for (let r = 0; r < NR; r++) {
            if (!matches(seg, 'region', REGIONS[r]!)) continue;
            const k = p * NR + r;
            if (inc.kind === 'roas_collapse') {
              attrMult[k]! *= f;
            } else {
              spendMult[k]! *= f;
              impMult[k]! *= 1 + 0.5 * (f - 1);
              clickMult[k]! *= 1 + 0.25 * (f - 1);
            }
          }
        }
        break;
    }
  }

  const perRegion = (rates: readonly number[], mult: Float64Array) => {
    const cums: Float64Array[] = [];
    const factor = new Float64Array(NR);
    for (let r = 0; r < NR; r++) {
      const w = GATEWAY_SHARE[r]!.map((s, g) => s * rates[g]! * mult[r * NG + g]!);
      const sum = w.reduce((a, b) => a + b, 0);
      factor[r] = sum;
      cums.push(sum > 0 ? cumulative(w) : GATEWAY_CUM[r]!);
    }
    return { cums, factor };
  };
  const orders = perRegion([1, 1, 1], orderMult);
  const errs = perRegion(GATEWAY_ERROR_RATE, errMult);
  const fails = perRegion(GATEWAY_FAIL_RATE, failMult);
  return {
    orderGwCum: orders.cums,
    orderFactor: orders.factor,
    errGwCum: errs.cums,
    errFactor: errs.factor,
    failGwCum: fails.cums,
    failFactor: fails.factor,
    latencyMult,
    extra5xx,
    deliverySuccess,
    spendMult,
    attrMult,
    clickMult,
    impMult,
  };
}

const BASE_EFFECTS = buildEffects([]);

// ---------------------------------------------------------------- expected rates

/** Slow, bounded drift (a few slow waves with seed phases): looks like a trend over weeks. */
function trend(seed: number, ms: number): number {
  const days = ms / DAY;
  let t = 1;
  t += 0.03 * Math.sin((2 * Math.PI * days) / 23 + phase(seed, 0));
  t += 0.05 * Math.sin((2 * Math.PI * days) / 61 + phase(seed, 1));
  t += 0.07 * Math.sin((2 * Math.PI * days) / 241 + phase(seed, 2));
  return t;
}

function phase(seed: number, i: number): number {
  return (2 * Math.PI * hash32(seed, 0x7e4d, i)) / 4294967296;
}

/** Mean-one multiplicative noise per region: hourly (interpolated, so no steps) and daily. */
function regionNoise(seed: number, r: number, ms: number): number {
  const h = ms / HOUR;
  const h0 = Math.floor(h);
  const f = h - h0;
  const zh = hashNormal(seed, r, h0) * (1 - f) + hashNormal(seed, r, h0 + 1) * f;
  const zd = hashNormal(seed, 16 + r, Math.floor(ms / DAY));
  return Math.exp(0.07 * zh + 0.05 * zd - 0.004);
}

/**
 * Expected events per minute for each (type, region) cell, plus the per-region session and
 * order rates the ad reports derive from. `noisy` false gives the pure seasonal shape.
 */
function fillRates(
  seed: number,
  minute: number,
  scale: number,
  eff: Effects,
  noisy: boolean,
  lam: Float64Array,
  sessionsR: Float64Array,
  ordersR: Float64Array,
): void {
  const mid = minute * MINUTE + MINUTE / 2;
  const perMinute = 60 * scale * (noisy ? trend(seed, mid) : 1);
  for (let r = 0; r < NR; r++) {
    const local = mid + REGION_UTC_OFFSET_H[r]! * HOUR;
    const localDay = Math.floor(local / DAY);
    const hour = (local - localDay * DAY) / HOUR;
    const dow = (((localDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const k = perMinute * (noisy ? regionNoise(seed, r, mid) : 1);
    const shop = REGION_SHOP_SHARE[r]! * curveAt(SHOP_DIURNAL, hour) * SHOP_WEEKLY[dow]! * k;
    const b2b = REGION_B2B_SHARE[r]! * curveAt(B2B_DIURNAL, hour) * B2B_WEEKLY[dow]! * k;
    const deliveries = REGION_SHOP_SHARE[r]! * curveAt(DELIVERY_DIURNAL, hour) * DELIVERY_WEEKLY[dow]! * k;
    const sessions = RATES.session * shop;
    const carts = sessions * RATES.cartPerSession;
    const checkouts = carts * RATES.checkoutPerCart;
    const orders = checkouts * RATES.orderPerCheckout * eff.orderFactor[r]!;
    lam[T_SESSION * NR + r] = sessions;
    lam[T_HTTP * NR + r] = RATES.http * shop;
    lam[T_CART * NR + r] = carts;
    lam[T_CHECKOUT * NR + r] = checkouts;
    lam[T_ORDER * NR + r] = orders;
    lam[T_DELIVERY * NR + r] = RATES.delivery * deliveries;
    lam[T_SIGNUP * NR + r] = RATES.signup * b2b;
    lam[T_LEAD * NR + r] = RATES.lead * b2b;
    lam[T_CHECKOUT_ERROR * NR + r] = checkouts * eff.errFactor[r]!;
    lam[T_PAYMENT_FAILED * NR + r] = checkouts * eff.failFactor[r]!;
    sessionsR[r] = sessions;
    ordersR[r] = orders;
  }
}

// ---------------------------------------------------------------- ad reports

const PAID_PAIRS = PAIRS.map((p, i) => (p.paid ? i : -1)).filter((i) => i >= 0);
const N_AD_CELLS = PAID_PAIRS.length * NR * ND;
/** Ad cell a = (paidIndex * NR + region) * ND + device. */
const AD_CELL_PAIR = new Int32Array(N_AD_CELLS);
const AD_CELL_REGION = new Int32Array(N_AD_CELLS);
const AD_CELL_DEVICE = new Int32Array(N_AD_CELLS);
for (let q = 0; q < PAID_PAIRS.length; q++) {
  for (let r = 0; r < NR; r++) {
    for (let d = 0; d < ND; d++) {
      const a = (q * NR + r) * ND + d;
      AD_CELL_PAIR[a] = PAID_PAIRS[q]!;
      AD_CELL_REGION[a] = r;
      AD_CELL_DEVICE[a] = d;
    }
  }
}

/**
 * Report granularity: 0 = one row per cell; 1 = one per (campaign, channel, region) with a
 * sampled device; 2 = one per campaign with a sampled (channel, region, device).
 */
const AD_GROUPS: readonly (readonly number[][])[] = [
  Array.from({ length: N_AD_CELLS }, (_, a) => [a]),
  Array.from({ length: PAID_PAIRS.length * NR }, (_, g) => Array.from({ length: ND }, (_, d) => g * ND + d)),
  [0, 1, 2, 3].map((c) =>
    Array.from({ length: N_AD_CELLS }, (_, a) => a).filter((a) => PAIRS[AD_CELL_PAIR[a]!]!.campaignIndex === c),
  ),
];

function adLevel(scale: number): number {
  return scale >= 0.5 ? 0 : scale >= 0.05 ? 1 : 2;
}

/** ad_stats rows per minute at this scale (they do not follow the Poisson volume). */
export function adRowsPerMinute(scale: number): number {
  return AD_GROUPS[adLevel(scale)]!.length;
}

const adSpend = new Float64Array(N_AD_CELLS);
const adAttr = new Float64Array(N_AD_CELLS);
const adClicks = new Float64Array(N_AD_CELLS);
const adImps = new Float64Array(N_AD_CELLS);

function emitAdStats(
  rng: Rng,
  level: number,
  eff: Effects,
  sessionsR: Float64Array,
  ordersR: Float64Array,
  ts: number,
  prefix: string,
  inRange: boolean,
  out: DemoEvent[],
): number {
  for (let a = 0; a < N_AD_CELLS; a++) {
    const p = AD_CELL_PAIR[a]!;
    const r = AD_CELL_REGION[a]!;
    const d = AD_CELL_DEVICE[a]!;
    const pair = PAIRS[p]!;
    const k = p * NR + r;
    const clicks = sessionsR[r]! * pair.share * SESSION_DEVICE_SHARE[r]![d]! * CLICKS_PER_SESSION;
    const attributed =
      ordersR[r]! * FUNNEL_PAIR_SHARE[p]! * FUNNEL_DEVICE_SHARE[r]![d]! * BASE_AOV * REGION_PRICE[r]! * ATTRIBUTION;
    adSpend[a] = (attributed / pair.roas) * eff.spendMult[k]!;
    adAttr[a] = attributed * eff.attrMult[k]!;
    adClicks[a] = clicks * eff.clickMult[k]!;
    adImps[a] = (clicks / pair.ctr) * eff.impMult[k]!;
  }
  const groups = AD_GROUPS[level]!;
  let index = 0;
  for (const group of groups) {
    let a = group[0]!;
    let p = 1;
    if (group.length > 1) {
      let total = 0;
      for (const c of group) total += adSpend[c]!;
      let u = rng.next() * total;
      for (const c of group) {
        a = c;
        u -= adSpend[c]!;
        if (u < 0) break;
      }
      p = total > 0 ? adSpend[a]! / total : 1 / group.length;
    }
    const inv = 1 / p;
    const r = AD_CELL_REGION[a]!;
    const pair = PAIRS[AD_CELL_PAIR[a]!]!;
    const spend = round2(adSpend[a]! * inv * Math.exp(0.12 * rng.normal() - 0.0072));
    const attributed = round2(adAttr[a]! * inv * Math.exp(0.3 * rng.normal() - 0.045));
    const impressions = rng.poisson(adImps[a]! * inv);
    const clicks = Math.min(impressions, rng.poisson(adClicks[a]! * inv));
    const country = COUNTRIES[r]![rng.pickIndex(COUNTRY_CUM[r]!)]!;
    if (inRange) {
      out.push({
        id: prefix + index,
        ts,
        type: 'ad_stats',
        source: 'demo',
        dims: {
          channel: pair.channel,
          campaign: pair.campaign,
          region: REGIONS[r]!,
          country,
          device: DEVICES[AD_CELL_DEVICE[a]!]!,
        },
        measures: { spend, impressions, clicks, attributed_revenue: attributed },
      });
    }
    index++;
  }
  return index;
}

// ---------------------------------------------------------------- events

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function userId(rng: Rng): string {
  const u = rng.next();
  return 'u' + (1 + Math.floor(USERS * u * u));
}

function basketValue(rng: Rng, category: number, r: number): number {
  const mean = CATEGORY_AOV[category]! * REGION_PRICE[r]!;
  const v = mean * Math.exp(REVENUE_SIGMA * rng.normal() - (REVENUE_SIGMA * REVENUE_SIGMA) / 2);
  return Math.max(1, round2(v));
}

/** Who a marketing-funnel event belongs to: a user who came through a channel and campaign, in a country, on a device. */
function visitor(rng: Rng, r: number, pairCum: Float64Array, deviceCum: Float64Array): { user_id: string; dims: Record<string, string> } {
  const p = PAIRS[rng.pickIndex(pairCum)]!;
  return {
    user_id: userId(rng),
    dims: {
      channel: p.channel,
      campaign: p.campaign,
      region: REGIONS[r]!,
      country: COUNTRIES[r]![rng.pickIndex(COUNTRY_CUM[r]!)]!,
      device: DEVICES[rng.pickIndex(deviceCum)]!,
    },
  };
}

function makeEvent(t: number, r: number, rng: Rng, eff: Effects, id: string, ts: number): DemoEvent {
  const region = REGIONS[r]!;
  switch (t) {
    case T_SESSION:
      return { id, ts, type: 'session_started', source: 'demo', ...visitor(rng, r, SESSION_PAIR_CUM, SESSION_DEVICE_CUM[r]!), measures: {} };
    case T_HTTP: {
      const s = rng.pickIndex(SERVICE_CUM);
      const x = eff.extra5xx[s * NR + r]!;
      const status = x > 0 && rng.next() < x ? 3 : rng.pickIndex(STATUS_CUM);
      const latency =
        SERVICE_MEDIAN_MS[s]! *
        REGION_LATENCY[r]! *
        eff.latencyMult[s * NR + r]! *
        STATUS_LATENCY[status]! *
        Math.exp(SERVICE_SIGMA[s]! * rng.normal());
      return {
        id,
        ts,
        type: 'http_request',
        source: 'demo',
        dims: { service: SERVICES[s]!, region, status_class: STATUS_CLASSES[status]! },
        measures: { latency_ms: Math.max(0.5, Math.round(latency * 10) / 10) },
      };
    }
    case T_CART:
      return { id, ts, type: 'cart_created', source: 'demo', ...visitor(rng, r, FUNNEL_PAIR_CUM, FUNNEL_DEVICE_CUM[r]!), measures: {} };
    case T_CHECKOUT: {
      const v = visitor(rng, r, FUNNEL_PAIR_CUM, FUNNEL_DEVICE_CUM[r]!);
      const payment_gateway = GATEWAYS[rng.pickIndex(GATEWAY_CUM[r]!)]!;
      return { id, ts, type: 'checkout_started', source: 'demo', user_id: v.user_id, dims: { ...v.dims, payment_gateway }, measures: {} };
    }
    case T_ORDER: {
      const v = visitor(rng, r, FUNNEL_PAIR_CUM, FUNNEL_DEVICE_CUM[r]!);
      const cat = rng.pickIndex(CATEGORY_CUM);
      return {
        id,
        ts,
        type: 'order_placed',
        source: 'demo',
        user_id: v.user_id,
        dims: { ...v.dims, product_category: CATEGORIES[cat]!, payment_gateway: GATEWAYS[rng.pickIndex(eff.orderGwCum[r]!)]! },
        measures: { revenue: basketValue(rng, cat, r), items: 1 + rng.poisson(CATEGORY_EXTRA_ITEMS[cat]!) },
      };
    }
    case T_DELIVERY: {
      const c = rng.pickIndex(CARRIER_CUM[r]!);
      return {
        id,
        ts,
        type: 'delivery_attempted',
        source: 'demo',
        dims: {
          carrier: CARRIERS[c]!,
          region,
          country: COUNTRIES[r]![rng.pickIndex(COUNTRY_CUM[r]!)]!,
          product_category: CATEGORIES[rng.pickIndex(CATEGORY_CUM)]!,
        },
        measures: { success: rng.next() < eff.deliverySuccess[c * NR + r]! ? 1 : 0 },
      };
    }
    case T_SIGNUP: {
      const v = visitor(rng, r, FUNNEL_PAIR_CUM, FUNNEL_DEVICE_CUM[r]!);
      const plan = PLANS[rng.pickIndex(SIGNUP_PLAN_CUM)]!;
      return { id, ts, type: 'signup', source: 'demo', user_id: v.user_id, dims: { ...v.dims, plan }, measures: {} };
    }
    case T_LEAD: {
      const v = visitor(rng, r, FUNNEL_PAIR_CUM, FUNNEL_DEVICE_CUM[r]!);
      const plan = rng.pickIndex(LEAD_PLAN_CUM);
      const score = Math.max(1, Math.min(100, Math.round(LEAD_SCORE_MEAN[plan]! + 15 * rng.normal())));
      return { id, ts, type: 'lead', source: 'demo', user_id: v.user_id, dims: { ...v.dims, plan: PLANS[plan]! }, measures: { score } };
    }
    case T_CHECKOUT_ERROR:
    case T_PAYMENT_FAILED: {
      const country = COUNTRIES[r]![rng.pickIndex(COUNTRY_CUM[r]!)]!;
      const device = DEVICES[rng.pickIndex(FUNNEL_DEVICE_CUM[r]!)]!;
      if (t === T_CHECKOUT_ERROR) {
        return {
          id,
          ts,
          type: 'checkout_error',
          source: 'demo',
          dims: { region, country, device, payment_gateway: GATEWAYS[rng.pickIndex(eff.errGwCum[r]!)]! },
          measures: {},
        };
      }
      const gateway = GATEWAYS[rng.pickIndex(eff.failGwCum[r]!)]!;
      return {
        id,
        ts,
        type: 'payment_failed',
        source: 'demo',
        dims: { region, country, device, payment_gateway: gateway },
        measures: { amount: basketValue(rng, rng.pickIndex(CATEGORY_CUM), r) },
      };
    }
    default:
      throw new Error(`unknown demo cell type ${t}`);
  }
}

// ---------------------------------------------------------------- minutes

interface Plan {
  seed: number;
  scale: number;
  level: number;
  idBase: string;
  incidents: readonly Incident[];
  effects: Map<string, Effects>;
}

function makePlan(seed: number, scale: number, incidents: readonly Incident[]): Plan {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`demo seed must be a safe integer, got ${seed}`);
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new RangeError(`demo scale must be a finite number >= 0, got ${scale}`);
  return { seed, scale, level: adLevel(scale), idBase: `demo-${seed}-s${scale}-`, incidents, effects: new Map() };
}

function effectsAt(plan: Plan, mid: number): Effects {
  let key = '';
  const incs = plan.incidents;
  for (let i = 0; i < incs.length; i++) {
    const inc = incs[i]!;
    if (inc.startMs <= mid && mid < inc.endMs) key += key ? `,${i}` : `${i}`;
  }
  if (key === '') return BASE_EFFECTS;
  let eff = plan.effects.get(key);
  if (!eff) {
    eff = buildEffects(key.split(',').map((i) => incs[Number(i)]!));
    plan.effects.set(key, eff);
  }
  return eff;
}

const lam = new Float64Array(NCELL);
const cellCum = new Float64Array(NCELL);
const sessionsR = new Float64Array(NR);
const ordersR = new Float64Array(NR);
let spacing = new Float64Array(8192);

/** Appends the events of one minute with ts in [fromMs, toMs) to `out`, in time order. */
function emitMinute(plan: Plan, minute: number, fromMs: number, toMs: number, out: DemoEvent[]): void {
  const mStart = minute * MINUTE;
  const eff = effectsAt(plan, mStart + MINUTE / 2);
  const rng = new Rng(hash32(plan.seed, minute, 0x5eed));
  fillRates(plan.seed, minute, plan.scale, eff, true, lam, sessionsR, ordersR);
  const prefix = `${plan.idBase}${minute}-`;

  // Ad platforms' per-minute reports are stamped at the start of the minute they cover.
  let index = emitAdStats(rng, plan.level, eff, sessionsR, ordersR, mStart, prefix, mStart >= fromMs && mStart < toMs, out);

  let total = 0;
  for (let c = 0; c < NCELL; c++) {
    total += lam[c]!;
    cellCum[c] = total;
  }
  const n = rng.poisson(total);
  if (spacing.length < n + 1) spacing = new Float64Array(Math.max(n + 1, spacing.length * 2));
  // Sorted uniform times from normalised exponential spacings: O(n), no sort.
  let acc = 0;
  for (let i = 0; i <= n; i++) {
    acc -= Math.log(1 - rng.next());
    spacing[i] = acc;
  }
  const toOffset = MINUTE / acc;
  for (let i = 0; i < n; i++) {
    const ts = mStart + Math.min(MINUTE - 1, Math.floor(spacing[i]! * toOffset));
    const u = rng.next() * total;
    let c = 0;
    while (c < NCELL - 1 && u >= cellCum[c]!) c++;
    const t = (c / NR) | 0;
    const ev = makeEvent(t, c - t * NR, rng, eff, prefix + index++, ts);
    if (ts >= fromMs && ts < toMs) out.push(ev);
  }
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
    throw new RangeError(`demo range must be finite epoch ms, got [${fromMs}, ${toMs})`);
  }
}

/**
 * Events with ts in [fromMs, toMs), in time order (ties keep a fixed order). Deterministic in
 * (seed, scale, incidents): any split of the range concatenates to the same sequence.
 */
export function* generateEvents(opts: DemoOptions): Generator<DemoEvent, void, undefined> {
  checkRange(opts.fromMs, opts.toMs);
  const { seed, fromMs, toMs } = opts;
  const plan = makePlan(seed, opts.scale ?? 1, opts.incidents ?? demoIncidents(seed, fromMs, toMs));
  const buf: DemoEvent[] = [];
  for (let m = Math.floor(fromMs / MINUTE); m * MINUTE < toMs; m++) {
    buf.length = 0;
    emitMinute(plan, m, fromMs, toMs, buf);
    for (let i = 0; i < buf.length; i++) yield buf[i]!;
  }
}

/** The same events as generateEvents, in arrays of exactly batchSize (the last may be shorter). */
export function* generateBatches(opts: DemoOptions, batchSize = 10_000): Generator<DemoEvent[], void, undefined> {
  if (!(batchSize >= 1)) throw new RangeError(`batchSize must be >= 1, got ${batchSize}`);
  checkRange(opts.fromMs, opts.toMs);
  const { seed, fromMs, toMs } = opts;
  const plan = makePlan(seed, opts.scale ?? 1, opts.incidents ?? demoIncidents(seed, fromMs, toMs));
  const buf: DemoEvent[] = [];
  let batch: DemoEvent[] = [];
  for (let m = Math.floor(fromMs / MINUTE); m * MINUTE < toMs; m++) {
    buf.length = 0;
    emitMinute(plan, m, fromMs, toMs, buf);
    for (let i = 0; i < buf.length; i++) {
      batch.push(buf[i]!);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Appends every event of one minute (epoch ms / 60000) to `out`. Incidents default to the
 * demo schedule for that minute. This is what a live stream caches between sub-minute ticks.
 */
export function generateMinute(
  opts: { seed: number; scale?: number; incidents?: readonly Incident[] },
  minute: number,
  out: DemoEvent[],
): void {
  if (!Number.isSafeInteger(minute)) throw new RangeError(`minute must be an integer, got ${minute}`);
  const mStart = minute * MINUTE;
  const incidents = opts.incidents ?? demoIncidents(opts.seed, mStart, mStart + MINUTE);
  emitMinute(makePlan(opts.seed, opts.scale ?? 1, incidents), minute, -Infinity, Infinity, out);
}

// ---------------------------------------------------------------- volume

let poissonPerMinuteAtScale1: number | undefined;

/** Long-run mean of the Poisson-sampled events per minute at scale 1 (one week, no incidents). */
function meanPoissonPerMinute(): number {
  if (poissonPerMinuteAtScale1 === undefined) {
    const l = new Float64Array(NCELL);
    const s = new Float64Array(NR);
    const o = new Float64Array(NR);
    const first = Date.UTC(2026, 0, 5) / MINUTE; // a Monday; any whole week gives the same mean
    const step = 5;
    let sum = 0;
    let count = 0;
    for (let m = first; m < first + 7 * 1440; m += step) {
      fillRates(0, m, 1, BASE_EFFECTS, false, l, s, o);
      for (let c = 0; c < NCELL; c++) sum += l[c]!;
      count++;
    }
    poissonPerMinuteAtScale1 = sum / count;
  }
  return poissonPerMinuteAtScale1;
}

/** Expected events per minute, averaged over a week, at this scale (ad_stats included). */
export function estimateEventsPerMinute(scale = 1): number {
  return scale * meanPoissonPerMinute() + adRowsPerMinute(scale);
}

/** The scale whose long-run average is `eventsPerSecond` (never below the ad_stats floor). */
export function scaleForEventsPerSecond(eventsPerSecond: number): number {
  if (!(eventsPerSecond > 0) || !Number.isFinite(eventsPerSecond)) {
    throw new RangeError(`eventsPerSecond must be a positive number, got ${eventsPerSecond}`);
  }
  const perMinute = eventsPerSecond * 60;
  const v = meanPoissonPerMinute();
  // One candidate per ad-report level, plus the level boundaries for targets that fall between.
  const candidates = [...AD_GROUPS.map((g) => (perMinute - g.length) / v), 0.5, 0.05, 1e-4].filter((s) => s > 0);
  let best = 1e-4;
  let bestErr = Infinity;
  for (const s of candidates) {
    const err = Math.abs(estimateEventsPerMinute(s) - perMinute);
    if (err < bestErr) {
      best = s;
      bestErr = err;
    }
  }
  // Rounded: ids carry the scale, so every caller (live stream, backfill) must agree on it
  // exactly, and short ids are cheaper to store and dedupe.
  return Number(best.toPrecision(4));
}
