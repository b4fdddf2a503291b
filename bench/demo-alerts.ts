/**
 * npm run bench:demo-alerts [-- --days 2 --warmup-days 2 --rate 10 --seed 42 --step 5]
 *
 * Issue 5's demo check: the demo stream (its planted incidents included) is written for
 * warm-up + measured days, then the production alert engine with the shipped rules steps
 * through the measured days on a simulated clock (`--step` minutes per evaluation). Each card
 * is matched to the incident it is about (its rule's metric family, its labels inside the
 * incident's segment, posted between the incident's start and 30 min after its end). Prints
 * every incident found or missed and the alerts per simulated day that match none.
 */
import { loadAlertConfig } from '../src/alert-config.js';
import { createAlertEngine, type AlertReader, type LifecycleEffect } from '../src/detect/index.js';
import { IngestPipeline, demoIncidents, generateBatches, scaleForEventsPerSecond, type Incident } from '../src/ingest/index.js';
import { createMetrics, silentLogger } from '../src/ops/index.js';
import { loadCatalog } from '../src/semantic/index.js';
import { createPseudonymiser } from '../src/store/index.js';
import { fmt, note, numberArg, withBenchStore } from './lib.js';

const DAYS = numberArg('days', 2);
const WARMUP_DAYS = numberArg('warmup-days', 2);
const RATE = numberArg('rate', 10);
const SEED = numberArg('seed', 42);
const STEP_MIN = numberArg('step', 5);
const MIN = 60_000;
const DAY = 86_400_000;

/** Which rules are about which kind of planted incident. */
const RULES_FOR: Record<Incident['kind'], string[]> = {
  checkout_errors: ['checkout-errors', 'payment-failures'],
  roas_collapse: ['roas-collapse'],
  latency_regression: ['latency-regression', 'server-errors'],
  delivery_failures: ['delivery-failures'],
  ad_overspend: ['ad-overspend', 'roas-collapse'],
};

const catalog = loadCatalog('rules');
const { rules } = loadAlertConfig('rules', 'tools', catalog);
const startMs = Math.floor(Date.now() / DAY) * DAY - DAYS * DAY;
const fromMs = startMs - WARMUP_DAYS * DAY;
const endMs = startMs + DAYS * DAY;

await withBenchStore(async (store) => {
  const scale = scaleForEventsPerSecond(RATE);
  const pipeline = new IngestPipeline(store, createPseudonymiser('bench'), createMetrics(), silentLogger(), { exclusiveStore: true });
  let events = 0;
  let lastNote = 0;
  for (const batch of generateBatches({ seed: SEED, fromMs, toMs: endMs, scale }, 20_000)) {
    await pipeline.push(batch, 'demo');
    events += batch.length;
    if (Date.now() - lastNote > 5000) {
      lastNote = Date.now();
      note(`  writing demo history… ${fmt(events)} events`);
    }
  }
  await pipeline.close();
  note(`${fmt(events)} demo events from ${new Date(fromMs).toISOString()} to ${new Date(endMs).toISOString()} (${RATE} events/s, seed ${SEED})`);

  let clock = startMs + 11_000;
  const cards: Array<{ at: number; ruleId: string; labels: Record<string, string>; title: string }> = [];
  const engine = createAlertEngine({ store, catalog, rules: rules.rules, log: silentLogger(), historyMs: WARMUP_DAYS * DAY, staleMs: (STEP_MIN + 1) * MIN, now: () => clock });
  engine.setNotifier({
    async apply(effects: readonly LifecycleEffect[], reader: AlertReader) {
      const posted = [];
      for (const e of effects) {
        if (e.kind !== 'post') continue;
        const g = reader.group(e.groupId)!;
        const member = Object.values(g.members)[0];
        cards.push({ at: reader.now(), ruleId: g.ruleId, labels: { ...g.labels, ...(member?.labels ?? {}) }, title: g.ruleId });
        note(`  card ${new Date(reader.now()).toISOString().slice(0, 16)} ${g.ruleId} ${JSON.stringify(member?.labels ?? g.labels)} value ${member?.last?.value?.toPrecision(3) ?? '?'} expected ${member?.last?.expected?.center.toPrecision(3) ?? '?'}`);
        posted.push({ groupId: g.id, channel: 'C0BENCH', ts: String(reader.now() / 1000) });
      }
      return posted;
    },
  });
  const t0 = performance.now();
  await engine.cycle(); // warm-up on the history before the measured days
  note(`warm-up: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  let cycles = 0;
  while (clock < endMs) {
    clock += STEP_MIN * MIN;
    await engine.cycle();
    cycles++;
    if (cycles % 48 === 0) note(`  simulated ${((clock - startMs) / 3_600_000).toFixed(0)} h of ${DAYS * 24} h, ${cards.length} cards so far`);
  }
  const evalSeconds = (performance.now() - t1) / 1000;

  const incidents = demoIncidents(SEED, startMs, endMs - 2 * 3_600_000);
  const used = new Set<number>();
  let found = 0;
  console.log(`\nIncidents planted in the measured ${DAYS} days: ${incidents.length}`);
  for (const inc of incidents) {
    const match = cards.findIndex(
      (c, i) =>
        !used.has(i) &&
        RULES_FOR[inc.kind].includes(c.ruleId) &&
        c.at >= inc.startMs &&
        c.at <= inc.endMs + 30 * MIN &&
        Object.entries(inc.segment).every(([k, v]) => c.labels[k] === undefined || c.labels[k] === v),
    );
    // Several cards may belong to one incident (its series on other rules): all count as found.
    cards.forEach((c, i) => {
      if (RULES_FOR[inc.kind].includes(c.ruleId) && c.at >= inc.startMs && c.at <= inc.endMs + 30 * MIN && Object.entries(inc.segment).every(([k, v]) => c.labels[k] === undefined || c.labels[k] === v)) used.add(i);
    });
    const c = match >= 0 ? cards[match]! : undefined;
    if (c) found++;
    console.log(`  ${c ? 'found ' : 'MISSED'} ${inc.title} (${new Date(inc.startMs).toISOString().slice(0, 16)}, ${Math.round((inc.endMs - inc.startMs) / MIN)} min)${c ? ` → ${c.ruleId} after ${Math.round((c.at - inc.startMs) / MIN)} min` : ''}`);
  }
  const unmatched = cards.filter((_, i) => !used.has(i));
  console.log(`\nIncidents raising an alert: ${found} of ${incidents.length}`);
  console.log(`Cards posted: ${cards.length}; not about a planted incident: ${unmatched.length} = ${(unmatched.length / DAYS).toFixed(1)} per simulated day`);
  for (const c of unmatched) console.log(`  other: ${new Date(c.at).toISOString().slice(0, 16)} ${c.ruleId} ${JSON.stringify(c.labels)}`);
  console.log(`\nEvaluation: ${cycles} cycles of ${STEP_MIN} simulated min in ${evalSeconds.toFixed(1)} s (${((evalSeconds * 1000) / cycles).toFixed(0)} ms per cycle, ${rules.rules.length} rules)`);
  await engine.stop();
});
