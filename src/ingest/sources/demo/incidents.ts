import {
  CAMPAIGNS,
  CARRIER_HOME_REGION,
  CARRIERS,
  GATEWAY_SHARE,
  GATEWAYS,
  PAIRS,
  REGION_SHOP_SHARE,
  REGION_UTC_OFFSET_H,
  REGIONS,
  SERVICES,
} from './model.js';
import { Rng, cumulative, hash32 } from './random.js';

/**
 * Incidents the demo stream plants so that detectors, alerts and actions have something
 * real to find. The schedule is decided per UTC day from (seed, day) alone, so any range
 * asks for the same incidents on the days it overlaps: a backfill and a live stream agree.
 */

export const INCIDENT_KINDS = [
  'checkout_errors',
  'roas_collapse',
  'latency_regression',
  'delivery_failures',
  'ad_overspend',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface Incident {
  id: string;
  title: string;
  kind: IncidentKind;
  /** Effect window [startMs, endMs), applied minute by minute (a minute counts if its middle is inside). */
  startMs: number;
  endMs: number;
  /** Catalog metric id that shows it best. */
  metric: string;
  /**
   * Where it hits. Keys the generator honours per kind: checkout_errors payment_gateway, region;
   * roas_collapse and ad_overspend campaign, channel, region; latency_regression service,
   * region; delivery_failures carrier, region. A missing key means "all values".
   */
  segment: Record<string, string>;
  description: string;
  /**
   * Strength. checkout_errors: checkout_error rate multiplier; roas_collapse: attributed
   * revenue multiplier; latency_regression: latency multiplier; delivery_failures: success
   * rate; ad_overspend: spend multiplier. Omitted: a typical value for the kind.
   */
  factor?: number;
}

/** Typical strength per kind when an incident has no `factor`. */
export const DEFAULT_FACTOR: Readonly<Record<IncidentKind, number>> = {
  checkout_errors: 10,
  roas_collapse: 0.2,
  latency_regression: 4,
  delivery_failures: 0.55,
  ad_overspend: 3.5,
};

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Each kind happens every PERIOD_DAYS days (phase by seed): never on two consecutive days, never a week apart. */
const PERIOD_DAYS = 3;

/** Incidents overlapping [fromMs, toMs), by start time. */
export function demoIncidents(seed: number, fromMs: number, toMs: number): Incident[] {
  const out: Incident[] = [];
  if (!(toMs > fromMs)) return out;
  // An incident belongs to the UTC day it starts on but may run past midnight.
  const firstDay = Math.floor(fromMs / DAY) - 1;
  const lastDay = Math.floor((toMs - 1) / DAY);
  for (let day = firstDay; day <= lastDay; day++) {
    for (let k = 0; k < INCIDENT_KINDS.length; k++) {
      const phase = hash32(seed, 0xfa5e, k) % PERIOD_DAYS;
      if ((((day + phase) % PERIOD_DAYS) + PERIOD_DAYS) % PERIOD_DAYS !== 0) continue;
      const inc = planIncident(seed, day, INCIDENT_KINDS[k]!, k);
      if (inc.startMs < toMs && inc.endMs > fromMs) out.push(inc);
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

function planIncident(seed: number, day: number, kind: IncidentKind, k: number): Incident {
  const rng = new Rng(hash32(seed, day, 0x1ac1, k));
  const dayStart = day * DAY;
  const durationMs = rng.int(30, 121) * MINUTE;
  /** A start minute in [fromH, toH) of the given UTC offset's local day. */
  const startAt = (fromH: number, toH: number, utcOffsetH = 0): number =>
    dayStart + (fromH - utcOffsetH) * HOUR + rng.int(0, (toH - fromH) * 60) * MINUTE;
  const id = `demo-incident-${seed}-${day}-${kind}`;
  const base = { id, kind };

  switch (kind) {
    case 'checkout_errors': {
      const r = rng.pickIndex(cumulative(REGION_SHOP_SHARE));
      const shares = GATEWAY_SHARE[r]!;
      const gateway = GATEWAYS[rng.pickIndex(cumulative(shares.map((s) => (s >= 0.2 ? 1 : 0))))]!;
      const region = REGIONS[r]!;
      const factor = round(rng.float(8, 15), 1);
      const startMs = startAt(10, 18, REGION_UTC_OFFSET_H[r]!);
      return {
        ...base,
        title: `Checkout errors on ${gateway} in ${region}`,
        startMs,
        endMs: startMs + durationMs,
        metric: 'checkout_error_rate',
        segment: { payment_gateway: gateway, region },
        description:
          `${gateway} is failing checkouts in ${region}: the checkout error rate there runs at about ` +
          `${factor}× normal, payment failures rise and fewer ${gateway} orders complete.`,
        factor,
      };
    }
    case 'roas_collapse': {
      const campaign = rng.pick(CAMPAIGNS);
      const factor = round(rng.float(0.15, 0.25), 2);
      const startMs = startAt(12, 20);
      return {
        ...base,
        title: `ROAS collapse on ${campaign}`,
        startMs,
        endMs: startMs + durationMs,
        metric: 'roas',
        segment: { campaign },
        description:
          `Attributed revenue for ${campaign} dropped by about ${Math.round((1 - factor) * 100)}% on every ` +
          `channel while spend kept running, so ROAS fell well below 1.`,
        factor,
      };
    }
    case 'latency_regression': {
      const service = rng.pick(SERVICES);
      const factor = round(rng.float(3, 5), 1);
      const deploy = `${service}@${hash32(seed, day, k, 7).toString(16).padStart(8, '0').slice(0, 7)}`;
      const startMs = startAt(9, 17);
      return {
        ...base,
        title: `p95 latency regression on ${service} after deploy ${deploy}`,
        startMs,
        endMs: startMs + durationMs,
        metric: 'p95_latency_ms',
        segment: { service },
        description:
          `Deploy ${deploy} made ${service} about ${factor}× slower in every region (p95 latency) ` +
          `and doubled its 5xx rate until it was rolled back.`,
        factor,
      };
    }
    case 'delivery_failures': {
      const c = rng.int(0, CARRIERS.length);
      const carrier = CARRIERS[c]!;
      const home = CARRIER_HOME_REGION[c]!;
      const factor = round(rng.float(0.5, 0.6), 2);
      const startMs = startAt(9, 16, REGION_UTC_OFFSET_H[home]!);
      return {
        ...base,
        title: `Delivery failures at ${carrier}`,
        startMs,
        endMs: startMs + durationMs,
        metric: 'delivery_success_rate',
        segment: { carrier },
        description:
          `${carrier} deliveries are failing: about ${Math.round(factor * 100)}% of attempts succeed ` +
          `instead of ~95%, mostly felt in ${REGIONS[home]}.`,
        factor,
      };
    }
    case 'ad_overspend': {
      const paid = PAIRS.filter((p) => p.paid);
      const p = rng.pick(paid);
      const factor = round(rng.float(3, 4), 1);
      const startMs = startAt(10, 20);
      return {
        ...base,
        title: `Ad overspend on ${p.campaign} (${p.channel})`,
        startMs,
        endMs: startMs + durationMs,
        metric: 'ad_spend',
        segment: { campaign: p.campaign, channel: p.channel },
        description:
          `A bidding change made ${p.channel} spend about ${factor}× faster on ${p.campaign}; ` +
          `clicks rose a little, attributed revenue did not, so ROAS fell.`,
        factor,
      };
    }
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
