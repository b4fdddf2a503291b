import { validatePlan, type Catalog, type Compare, type Grain, type Plan } from '../semantic/index.js';
import { buildLexicon, correctTypo, normalize, stem, tokenize, type Lexicon, type Sense, type Token } from './lexicon.js';
import * as T from './time.js';

/**
 * The deterministic planner: question text → a plan (BRIEF.md "Question plan"), or a
 * question back (clarify) or a refusal. No LLM, no I/O, no clock: `now` comes in.
 *
 * How it reads a question, in order (each step consumes the words it understood):
 *   1. refusals: changing data, prompt injection, personal data, forecasts;
 *   2. words → tokens (Slack noise dropped), typos corrected against the catalog's words;
 *   3. catalog phrases, longest first: metrics, dimensions, dimension values and aliases;
 *   4. comparison words ("vs the day before", "WoW"), then time words, grain words, top/worst;
 *   5. dimensions named after "by/per/which/top N" become group-bys; values become filters;
 *   6. anything left that is not a filler word makes it ask back rather than guess.
 * A clarify is always preferred to a confident wrong plan.
 */

export interface PlanContext {
  now: Date;
  /** IANA zone whose calendar the time words use. */
  tz: string;
  /**
   * The answer this question follows up on (the same Slack thread). A question that names
   * both a metric and a period starts afresh; otherwise it inherits what it does not say:
   * "and by region?", "what about meta?", "same for last month".
   */
  previous?: PreviousAnswer;
}

export interface PreviousAnswer {
  plan: Plan;
  /** The previous answer's period words ("yesterday"), reused when the period is inherited. */
  period: string;
  comparePeriod?: string;
}

export type PlanOutcome =
  | {
      status: 'answered';
      plan: Plan;
      /** Plain words for the asked range and the baseline ("yesterday", "the day before"). */
      period: string;
      comparePeriod?: string;
    }
  | { status: 'clarify'; question: string; options: string[] }
  | { status: 'refused'; reason: string };

export interface Planner {
  plan(question: string, ctx: PlanContext): PlanOutcome;
}

/** The LLM's answer for questions the catalog cannot express: SQL, checked again before it runs. */
export interface SqlOutcome {
  status: 'sql';
  sql: string;
  explanation: string;
}

/** Any planner runAsk can use: the embedded one (sync) or one that calls an LLM (async). */
export interface QuestionPlanner {
  plan(question: string, ctx: PlanContext): PlanOutcome | SqlOutcome | Promise<PlanOutcome | SqlOutcome>;
}

// ---------------------------------------------------------------------------------------
// Word lists (English only)

/** Words that carry no meaning for the plan ("how much revenue did we make"). */
const FILLER = new Set(
  (
    'a an the of for in on at to from with and or & by per each every across among which what whats who how hows much many ' +
    'did do does done is are was were be been being am has have had having get got getting we our us ours i me my you your it its ' +
    'this that these those there here show tell give see look pull report display list share let lets know can could would should ' +
    'make made generate generated bring brought earn earned take took produce produced drive drove come came ' +
    'total totals overall all sum count number value values level levels current currently right now just only about around ' +
    'so far please quick quickly latest real actual actually some any up down over split broken breakdown grouped group ' +
    'numbers number metrics metric kpi kpis stats stat figures figure performance perform performing results result doing going ' +
    'working work business things thing data info information status update summary view ' +
    'hey hi hello ok okay yo team folks guys opsight bot ' +
    'check checking want need like get give whole entire via through during while where when why ' +
    'change changed changes trend trending compare compared comparison versus vs v than against relative ' +
    'higher lower increase increased decrease decreased grow grew growth drop dropped fall fell rise rose spike spiked ' +
    'last past previous prior since today yesterday week month year day hour minute time period same ago before earlier ' +
    'table tables chart charts list slow slower faster speed sluggish ' +
    'been ve s d ll re m t weve ive im youre dont didnt isnt arent wasnt werent hasnt havent whos wheres'
  ).split(' '),
);

/** Words that only make sense as time words: if one is left over, the time was not understood. */
const TIME_VOCAB = new Set(
  (
    'today yesterday tomorrow tonight morning afternoon evening night weekend weekday weekdays ' +
    'week weeks month months year years day days hour hours minute minutes quarter quarters ' +
    'q1 q2 q3 q4 qtd ytd mtd wtd ago since until till between last past previous prior next ' +
    'hourly daily weekly monthly minutely yearly annually quarterly ' +
    'monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun ' +
    'january february march april may june july august september october november december ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec ' +
    'trend trends chart graph plot wow yoy dod mom pop'
  ).split(' '),
);

/** Words whose presence beside a ratio metric ("delivery rate", "conversion %") adds nothing. */
const RATE_WORDS = new Set(['rate', 'rates', 'ratio', 'percentage', 'percent', '%', 'pct', 'share']);

const SUPERLATIVES: Record<string, 'desc' | 'asc' | 'best' | 'worst'> = {
  top: 'desc', highest: 'desc', most: 'desc', biggest: 'desc', largest: 'desc', greatest: 'desc', slowest: 'desc', leading: 'desc', maximum: 'desc',
  bottom: 'asc', lowest: 'asc', least: 'asc', fewest: 'asc', smallest: 'asc', fastest: 'asc', minimum: 'asc',
  best: 'best', strongest: 'best', worst: 'worst', poorest: 'worst', weakest: 'worst',
};

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, sixty: 60, ninety: 90, hundred: 100,
};
const NUM = `(\\d{1,4}|${Object.keys(NUMBER_WORDS).join('|')})`;
const numberOf = (s: string): number => NUMBER_WORDS[s] ?? Number(s);

const MONTH_RE = '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)';
const monthIndex = (s: string): number => T.MONTHS.findIndex((m) => m.startsWith(s.slice(0, 3)));
const WEEKDAY_RE = '(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)';
const weekdayIndex = (s: string): number => T.WEEKDAYS.findIndex((d) => d.startsWith(s.slice(0, 3)));

// ---------------------------------------------------------------------------------------
// Refusals: checked on the whole text before anything else

const UNSAFE =
  /\b(delete|deleting|truncate|wipe|erase|destroy|purge|overwrite|rm -rf|(drop|remove|clear|empty)\b.*\b(tables?|database|db|rows|events|schema|everything|all data)|insert into|alter table|update (the |all )?(table|rows|data|events|records)|grant|revoke|shut ?down|disable (the )?(alerts|monitoring)|(change|modify|edit) (the )?(data|numbers|records|events))\b/;
const INJECTION = /\b(ignore|disregard|forget) (all |any |the |your |my )?(previous|prior|above|earlier|system)( \w+)? (instructions?|prompts?|rules)|system prompt|jailbreak|developer mode|you are now\b/;
const PERSONAL =
  /\b(e ?mail|phone|contact|home|street|postal|mailing|ip) (address|addresses|numbers?|details)\b|\b(user|users|customer|customers|client|clients|buyer|buyers|shopper|shoppers|people|person|subscriber|subscribers|member|members|lead|leads|their)( s)? (e ?mails?|names?|phones?|phone numbers?|addresses|details|identities|identity|ids?|pii|personal)\b|\b(e ?mails?|names|addresses|phone numbers) (of|for) (the |our |all )?(users|customers|people|buyers|clients|leads|subscribers)\b|\bpii\b|\bpasswords?\b|\bcredit cards?\b|\bcard numbers?\b|\bssns?\b|social security|\bwho (exactly )?(bought|purchased|signed up|ordered|paid|churned)\b|\blist (of )?(the |all |our )?(users|customers|buyers|shoppers|clients|subscribers)\b|\bpersonal (data|information|details)\b|\bde ?anonymi[sz]e\b|\bunmask\b/;
const FORECAST = /\b(forecast|forecasts|forecasting|predict|predicted|prediction|projection|projected|will (we|it|they|revenue|sales|orders|\w+) (be|make|hit|reach|get)|going to (be|hit|reach|make)|tomorrow|next (week|month|year|quarter|monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b/;
/** Topics plainly outside business metrics; only decisive when no metric was recognised. */
const OFF_TOPIC = /\b(weather|temperature|rain|forecast|stock price|share price|joke|jokes|poem|recipe|news|headlines|football|soccer|score|movie|song|lyrics|translate|capital of|who is|who was|meaning of life|horoscope|bitcoin|crypto)\b/;

// ---------------------------------------------------------------------------------------
// Items: the question as words and recognised catalog phrases, consumed step by step

interface Mention {
  start: number;
  end: number;
  senses: Sense[];
  /** As typed, for echoing back. */
  raw: string;
  /** The last word was typed in the plural ("campaigns"): "top campaigns" means several. */
  plural: boolean;
}

interface Item {
  /** The word, or a placeholder like §m0 / §d1 / §v2 for a recognised phrase. */
  text: string;
  mention?: number;
  used: boolean;
}

class Items {
  constructor(readonly list: Item[]) {}

  /** Unused items joined by single spaces; used ones masked with '·' of the same length. */
  private render(): { s: string; starts: number[] } {
    const starts: number[] = [];
    let s = '';
    for (const item of this.list) {
      if (s) s += ' ';
      starts.push(s.length);
      s += item.used ? '·'.repeat(item.text.length) : item.text;
    }
    return { s, starts };
  }

  /**
   * Runs `re` (matched on whole words) over the unused items; for each match `fn` decides
   * whether it is taken (return false to leave it). Taken items are marked used.
   */
  take(re: RegExp, fn: (m: RegExpExecArray, items: number[]) => boolean | void): void {
    const whole = new RegExp(`(?<![^\\s])(?:${re.source})(?![^\\s])`, 'g');
    let { s, starts } = this.render();
    let m: RegExpExecArray | null;
    while ((m = whole.exec(s))) {
      const from = m.index;
      const to = m.index + m[0].length;
      const covered: number[] = [];
      starts.forEach((st, i) => {
        if (st >= from && st < to) covered.push(i);
      });
      if (covered.length === 0 || fn(m, covered) === false) continue;
      for (const i of covered) this.list[i]!.used = true;
      ({ s, starts } = this.render());
      whole.lastIndex = to;
    }
  }

  has(re: RegExp): boolean {
    const whole = new RegExp(`(?<![^\\s])(?:${re.source})(?![^\\s])`);
    return whole.test(this.render().s);
  }
}

type CompareIntent =
  | { kind: 'fixed'; compare: Compare; label: string }
  | { kind: 'unit'; unit: 'day' | 'month'; label: string }
  | { kind: 'rolling'; ms: number; label: string };

interface Clarify {
  status: 'clarify';
  question: string;
  options: string[];
}

const clarify = (question: string, options: string[]): Clarify => ({ status: 'clarify', question, options: [...new Set(options)].slice(0, 6) });

/** Metrics offered when a question names none: the ones execs ask about most. */
const POPULAR_METRICS = ['revenue', 'orders', 'conversion_rate', 'sessions', 'aov', 'roas'];

export function createPlanner(catalog: Catalog, options: { seenValues?: SeenValues } = {}): Planner {
  const known = options.seenValues ? withSeenValues(catalog, options.seenValues) : catalog;
  const lexicon = buildLexicon(known);
  const vocabulary = new Set<string>([...lexicon.words, ...TIME_VOCAB, ...Object.keys(SUPERLATIVES)]);
  return { plan: (question, ctx) => planQuestion(question, ctx, known, lexicon, vocabulary) };
}

/** Dimension values found in the data (dimension id → values), beyond the catalog's own. */
export type SeenValues = Readonly<Record<string, readonly string[]>>;

/** A value that reads like a name: letters/digits first, short, no markup. */
const VALUE_SHAPE = /^[\p{L}\p{N}][\p{L}\p{N} ._&+-]{0,62}$/u;

/**
 * The catalog plus values seen in the data (real data has channels and campaigns the catalog
 * never listed). A seen value that is also a word the planner reads ("all", "today", "top")
 * is left out: it would turn ordinary questions into filters.
 */
export function withSeenValues(catalog: Catalog, seen: SeenValues): Catalog {
  const dimensions: Record<string, Catalog['dimensions'][string]> = {};
  for (const [id, d] of Object.entries(catalog.dimensions)) {
    const extra = (seen[id] ?? []).filter((v) => {
      if (!VALUE_SHAPE.test(v) || d.values.includes(v)) return false;
      const words = v.toLowerCase().split(/[\s._-]+/);
      return !(words.length === 1 && (FILLER.has(words[0]!) || TIME_VOCAB.has(words[0]!) || words[0]! in SUPERLATIVES || words[0]! in NUMBER_WORDS || words[0]!.length < 2));
    });
    dimensions[id] = extra.length > 0 ? { ...d, values: [...d.values, ...extra] } : d;
  }
  return { ...catalog, dimensions };
}

function planQuestion(question: string, ctx: PlanContext, catalog: Catalog, lexicon: Lexicon, vocabulary: ReadonlySet<string>): PlanOutcome {
  const now = ctx.now.getTime();
  const tz = ctx.tz;
  const normalized = normalize(question);
  const lower = normalized.toLowerCase();
  if (!lower) return clarify('What would you like to know? Ask about a metric, e.g. "revenue yesterday by channel".', optionsFor(catalog, POPULAR_METRICS, 'today'));

  // 1. Refusals.
  if (INJECTION.test(lower)) return { status: 'refused', reason: "I only answer questions about the business metrics; I can't change how I work." };
  if (UNSAFE.test(lower)) return { status: 'refused', reason: 'I only read metrics; I never change or delete data. Ask me about a metric instead, e.g. "revenue yesterday".' };
  if (PERSONAL.test(lower)) return { status: 'refused', reason: "I can't share personal data about users or customers; I answer with aggregate metrics only (e.g. signups by plan)." };
  if (FORECAST.test(lower)) return { status: 'refused', reason: "I report what has already happened; I can't forecast. I can show the trend so far, e.g. \"revenue trend this year\"." };

  // 2. Tokens, typo correction.
  const allCaps = normalized === normalized.toUpperCase();
  const tokens: Token[] = tokenize(normalized);
  const corrections: string[] = [];
  for (const t of tokens) {
    const s = stem(t.text);
    if (lexicon.words.has(s) || FILLER.has(t.text) || TIME_VOCAB.has(t.text) || t.text in SUPERLATIVES || t.text in NUMBER_WORDS) continue;
    const fixed = correctTypo(s, vocabulary) ?? correctTypo(t.text, vocabulary);
    if (fixed) {
      corrections.push(`${t.text} → ${fixed}`);
      t.text = fixed;
    }
  }

  // 3. Catalog phrases, longest first.
  const stems = tokens.map((t) => stem(t.text));
  const mentions: Mention[] = [];
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; ) {
    let found: Mention | undefined;
    for (let len = Math.min(lexicon.maxWords, tokens.length - i); len >= 1 && !found; len--) {
      const key = stems.slice(i, i + len).join(' ');
      const senses = lexicon.phrases.get(key);
      if (!senses) continue;
      const raw = tokens.slice(i, i + len).map((t) => t.raw).join(' ');
      // "in"/"us" are countries only when typed as codes (IN, US), not in an all-caps message.
      // "in the us" / "orders from us" still name the country: a pronoun does not follow "the"/"in"/"from".
      const after = ['the', 'in', 'from', 'across'].includes(tokens[i - 1]?.text ?? '') && key === 'us';
      if (lexicon.capitalsOnly.has(key) && !after && (allCaps || raw !== raw.toUpperCase())) continue;
      const last = tokens[i + len - 1]!.text;
      found = { start: i, end: i + len, senses, raw, plural: stem(last) !== last && last.endsWith('s') };
    }
    if (found) {
      const kinds = new Set(found.senses.map((s) => s.kind));
      const letter = kinds.size > 1 ? 'x' : found.senses[0]!.kind === 'metric' ? 'm' : found.senses[0]!.kind === 'dimension' ? 'd' : 'v';
      items.push({ text: `§${letter}${mentions.length}`, mention: mentions.length, used: false });
      mentions.push(found);
      i = found.end;
    } else {
      items.push({ text: tokens[i]!.text, used: false });
      i++;
    }
  }
  const words = new Items(items);

  // 4a. Comparison words (before time words: "vs last week" is a baseline, not the range).
  const compares: CompareIntent[] = [];
  const LEAD = '(?:vs|versus|v|against|compared (?:to|with)|compare (?:it |this |that )?(?:to|with)|relative to|than)';
  const SAME = '(?:(?:the )?same (?:day|time|period|hour|date|days|hours|point|stretch|week|month|range|window) (?:of |in )?)?';
  words.take(new RegExp(`${LEAD} ${SAME}(?:the )?(?:last|previous|prior|a) year(?: ago)?|${LEAD} (?:the )?(?:a )?year (?:before|earlier|ago)|yoy|year (?:over|on) year|(?:the )?same (?:day|time|period|date|week|month) (?:of |in )?last year`), () => {
    compares.push({ kind: 'fixed', compare: 'same_period_last_year', label: 'the same period last year' });
  });
  words.take(new RegExp(`${LEAD} ${SAME}(?:the )?(?:last|previous|prior|preceding) week|${LEAD} (?:the )?(?:a )?week (?:before|earlier|ago)|${LEAD} ${SAME}a week ago|wow|week (?:over|on) week|(?:the )?same (?:day|time|period|date|hour) (?:of |in )?last week`), () => {
    compares.push({ kind: 'fixed', compare: 'same_period_last_week', label: 'the same period last week' });
  });
  words.take(new RegExp(`${LEAD} (?:the )?(?:last|previous|prior|preceding) month|${LEAD} (?:the )?(?:a )?month (?:before|earlier|ago)|mom|month (?:over|on) month`), () => {
    compares.push({ kind: 'unit', unit: 'month', label: 'the previous month' });
  });
  words.take(new RegExp(`${LEAD} yesterday|${LEAD} (?:the )?(?:day|date) (?:before|earlier)|${LEAD} (?:the )?(?:previous|prior|preceding) day|${LEAD} (?:a )?day ago|dod|day (?:over|on) day`), () => {
    compares.push({ kind: 'unit', unit: 'day', label: 'the day before' });
  });
  words.take(new RegExp(`${LEAD} (?:the )?(?:previous|prior|preceding|last) ${NUM} (hour|day|week)s?`), (m) => {
    const size = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 }[m[2] as 'hour' | 'day' | 'week'];
    compares.push({ kind: 'rolling', ms: numberOf(m[1]!) * size, label: `the ${m[1]} ${m[2]}s before` });
  });
  words.take(new RegExp(`${LEAD} (?:the )?(?:previous|prior|preceding|last|earlier) (?:period|one|stretch|window)|${LEAD} (?:the )?(?:period|one|stretch|window) before|${LEAD} (?:before|previous|prior|prior period|previous period)|pop|period (?:over|on) period`), () => {
    compares.push({ kind: 'fixed', compare: 'previous_period', label: 'the previous period' });
  });

  // 4b. Time words.
  const ranges: T.TimeRange[] = [];
  const add = (r: T.TimeRange | undefined) => {
    if (!r) return false;
    ranges.push(r);
    return true;
  };
  const PRE = '(?:(?:in|over|during|for|from|within) )?(?:the )?';
  words.take(/(?:so far )?today(?: so far)?|(?:for )?the day so far/, () => add(T.today(now, tz)));
  words.take(/(?:on )?the day before yesterday/, () => add(T.daysAgo(now, 2, tz)));
  words.take(/since yesterday/, () => add(T.sinceYesterday(now, tz)));
  words.take(/yesterday/, () => add(T.yesterday(now, tz)));
  words.take(/(?:so far )?this week(?: so far)?|(?:the )?week to date|wtd|(?:the )?week so far/, () => add(T.thisWeek(now, tz)));
  words.take(/(?:so far )?this month(?: so far)?|(?:the )?month to date|mtd|(?:the )?month so far/, () => add(T.thisMonth(now, tz)));
  words.take(/(?:so far )?this year(?: so far)?|(?:the )?year to date|ytd|(?:the )?year so far/, () => add(T.thisYear(now, tz)));
  words.take(new RegExp(`${PRE}(?:last|past|previous|prior|trailing|rolling) ${NUM} (minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|years?)`), (m) => {
    const n = numberOf(m[1]!);
    if (!(n > 0)) return false;
    const u = m[2]!;
    const unit: T.RollingUnit = /^m(in|inute)?s?$/.test(u) ? 'minute' : /^h/.test(u) ? 'hour' : /^d/.test(u) ? 'day' : /^w/.test(u) ? 'week' : /^mo/.test(u) ? 'month' : 'year';
    return add(T.rolling(now, n, unit, tz));
  });
  words.take(new RegExp(`${PRE}(?:last|past|trailing) (minute|hour|day)`), (m) => add(T.rolling(now, 1, m[1] as T.RollingUnit, tz)));
  // README: "past week" is rolling (7 × 24 h); "last week" is the calendar week.
  words.take(new RegExp(`${PRE}(?:past|trailing) (week|month|year)`), (m) => add(T.rolling(now, 1, m[1] as T.RollingUnit, tz)));
  words.take(new RegExp(`${PRE}(?:last|previous|prior) week`), () => add(T.lastWeek(now, tz)));
  words.take(new RegExp(`${PRE}(?:last|previous|prior) month`), () => add(T.lastMonth(now, tz)));
  words.take(new RegExp(`${PRE}(?:last|previous|prior) year`), () => add(T.lastYear(now, tz)));
  words.take(new RegExp(`${NUM} days? ago`), (m) => add(T.daysAgo(now, numberOf(m[1]!), tz)));
  words.take(new RegExp(`since (?:last )?${WEEKDAY_RE}`), (m) => add(T.sinceWeekday(now, weekdayIndex(m[1]!), tz)));
  const DAY_NUM = '(\\d{1,2})(?:st|nd|rd|th)?';
  const YEAR = '(?: (\\d{4}))?';
  words.take(new RegExp(`since (?:the )?${DAY_NUM} (?:of )?${MONTH_RE}${YEAR}`), (m) => add(T.sinceDate(now, monthIndex(m[2]!), Number(m[1]), m[3] ? Number(m[3]) : undefined, tz)));
  words.take(new RegExp(`since ${MONTH_RE} (?:the )?${DAY_NUM}${YEAR}`), (m) => add(T.sinceDate(now, monthIndex(m[1]!), Number(m[2]), m[3] ? Number(m[3]) : undefined, tz)));
  words.take(/since (\d{4})-(\d{2})-(\d{2})/, (m) => add(T.sinceDate(now, Number(m[2]) - 1, Number(m[3]), Number(m[1]), tz)));
  words.take(/(?:on )?(\d{4})-(\d{2})-(\d{2})/, (m) => add(T.onDate(now, Number(m[2]) - 1, Number(m[3]), Number(m[1]), tz)));
  words.take(new RegExp(`(?:on )?(?:the )?${DAY_NUM} (?:of )?${MONTH_RE}${YEAR}`), (m) => add(T.onDate(now, monthIndex(m[2]!), Number(m[1]), m[3] ? Number(m[3]) : undefined, tz)));
  words.take(new RegExp(`(?:on )?${MONTH_RE} (?:the )?${DAY_NUM}${YEAR}`), (m) => add(T.onDate(now, monthIndex(m[1]!), Number(m[2]), m[3] ? Number(m[3]) : undefined, tz)));
  words.take(new RegExp(`(?:on )?(last )?${WEEKDAY_RE}`), (m) => {
    // Bare abbreviations ("sat", "sun", "wed") are too often other words; need "on"/"last" or the full name.
    if (m[2]!.length <= 4 && !/^(on|last) /.test(m[0])) return false;
    return add(T.onWeekday(now, weekdayIndex(m[2]!), tz, Boolean(m[1])));
  });
  words.take(new RegExp(`(?:(?:in|during|for|over|throughout) (?:the month of )?)?(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)${YEAR}`), (m) => {
    // "may" and short names alone are ordinary words ("mar", "may we"): need "in"/"during" or a year.
    if ((m[1] === 'may' || m[1]!.length <= 4) && !/^(in|during|for|over|throughout) /.test(m[0]) && !m[2]) return false;
    return add(T.inMonth(now, monthIndex(m[1]!), m[2] ? Number(m[2]) : undefined, tz));
  });

  // 4c. Grain words.
  const grains: Array<Grain | 'auto'> = [];
  const grainWords: Array<[Grain, RegExp]> = [
    ['minute', /minutely|minute by minute|(?:per|by|each|every|a) minute/],
    ['hour', /hourly|hour by hour|(?:per|by|each|every|an) hour/],
    ['day', /daily|day by day|(?:per|by|each|every|a) (?:day|date)/],
    ['week', /weekly|week by week|(?:per|by|each|every|a) week/],
    ['month', /monthly|month by month|(?:per|by|each|every|a) month/],
  ];
  for (const [grain, re] of grainWords) words.take(re, () => void grains.push(grain));
  words.take(/trends?|trending|trendline|over time|charts?|graphs?|plot(?:ted)?|time ?series|sparkline|timeline|how (?:it|they) moved/, () => void grains.push('auto'));

  // 4d. Top / bottom / best / worst.
  let superlative: { word: string; n?: number } | undefined;
  words.take(new RegExp(`(?:the )?(?:${NUM} )?(top|bottom|best|worst|highest|lowest|most|least|fewest|biggest|largest|greatest|smallest|slowest|fastest|strongest|weakest|poorest|leading|maximum|minimum)(?: ${NUM})?`), (m) => {
    if (superlative) return false;
    const nText = m[3] ?? m[1];
    // "a" before a superlative is an article, not a number ("a top campaign").
    const n = nText && nText !== 'a' && nText !== 'an' ? numberOf(nText) : undefined;
    superlative = n !== undefined ? { word: m[2]!, n } : { word: m[2]! };
    return true;
  });

  // 4e. "google vs meta": two values of one dimension side by side → a breakdown of just those.
  const versusDims = new Set<string>();
  words.take(/(§v\d+) (?:vs|versus|v|against|compared to|compared with|or) (§v\d+)/, (m) => {
    const a = mentions[Number(m[1]!.slice(2))]!.senses[0] as Extract<Sense, { kind: 'value' }>;
    const b = mentions[Number(m[2]!.slice(2))]!.senses[0] as Extract<Sense, { kind: 'value' }>;
    if (a.dimension !== b.dimension) return false;
    versusDims.add(a.dimension);
    // Only the connective is consumed; the values stay for the filter step.
    return true;
  });
  for (const item of items) if (item.mention !== undefined) item.used = false;

  // 5. Metric.
  const metricMentions = mentions.filter((m) => m.senses.some((s) => s.kind === 'metric'));
  const pureMetrics = new Set(metricMentions.filter((m) => m.senses.every((s) => s.kind === 'metric')).flatMap((m) => m.senses.map((s) => (s as { metric: string }).metric)));
  let metricIds = pureMetrics.size > 0 ? pureMetrics : new Set(metricMentions.flatMap((m) => m.senses.filter((s) => s.kind === 'metric').map((s) => (s as { metric: string }).metric)));
  // A phrase that is both a metric and a value ("email") is a value when another metric is named.
  const mentionIsMetric = (m: Mention) => m.senses.some((s) => s.kind === 'metric' && metricIds.has(s.metric)) && (m.senses.every((s) => s.kind === 'metric') || pureMetrics.size === 0);

  // Range (needed for options in clarify messages too).
  const distinct = uniqueRanges(ranges);
  const rangeText = distinct.length === 1 ? distinct[0]!.label : 'today';

  // "how slow is checkout", "slowest service": speed words name latency when no metric is named.
  if (metricIds.size === 0 && /\b(slow|slower|slowest|faster|fastest|speed|sluggish)\b/.test(lower) && catalog.metrics.p95_latency_ms) {
    metricIds = new Set(['p95_latency_ms']);
  }
  const prev = ctx.previous;
  const followUp = prev !== undefined && !(metricIds.size > 0 && distinct.length > 0) && !OFF_TOPIC.test(lower);
  if (metricIds.size === 0 && followUp) metricIds = new Set([prev.plan.metric]);
  if (metricIds.size === 0) {
    if (OFF_TOPIC.test(lower)) return { status: 'refused', reason: "That's outside what I know: I answer questions about the business metrics (revenue, orders, conversion, ad spend, deliveries, latency…)." };
    const dims = new Set(mentions.flatMap((m) => m.senses.map((s) => (s.kind === 'metric' ? '' : s.dimension))).filter(Boolean));
    const fitting = Object.values(catalog.metrics).filter((m) => [...dims].every((d) => (m.dimensions as string[]).includes(d))).map((m) => m.id);
    const suggestions = dims.size > 0 ? [...POPULAR_METRICS.filter((id) => fitting.includes(id)), ...fitting] : POPULAR_METRICS;
    const dimWords = [...dims].filter((d) => mentions.some((m) => m.senses.some((s) => s.kind === 'dimension' && s.dimension === d))).map((d) => ` by ${catalog.dimensions[d]?.label ?? d}`);
    return clarify('Which metric do you mean?', optionsFor(catalog, suggestions.length ? suggestions : POPULAR_METRICS, `${dimWords.join('')} ${rangeText}`));
  }
  if (metricIds.size > 1) {
    return clarify('I can answer one metric at a time: which one?', optionsFor(catalog, [...metricIds], rangeText));
  }
  const metricId = [...metricIds][0]!;
  const metric = catalog.metrics[metricId]!;
  metricIds = new Set([metricId]);

  // 6. Dimensions (group-bys) and values (filters).
  const by: string[] = [];
  const filters: Record<string, string[]> = {};
  const valueMentions: Array<{ mention: Mention; index: number }> = [];
  mentions.forEach((m, index) => {
    if (mentionIsMetric(m)) return;
    if (m.senses.some((s) => s.kind === 'value')) valueMentions.push({ mention: m, index });
  });
  for (const { mention } of valueMentions) {
    const senses = mention.senses.filter((s): s is Extract<Sense, { kind: 'value' }> => s.kind === 'value');
    const usable = senses.filter((s) => (metric.dimensions as string[]).includes(s.dimension));
    if (usable.length === 0) {
      const dim = senses[0]!.dimension;
      const others = Object.values(catalog.metrics).filter((m) => (m.dimensions as string[]).includes(dim)).map((m) => m.id);
      return clarify(
        `${metric.label} can't be cut by ${catalog.dimensions[dim]?.label ?? dim} ("${mention.raw}"). ${metric.label} can be cut by ${metric.dimensions.map((d) => catalog.dimensions[d]?.label ?? d).join(', ')}. Did you mean another metric, or ${metric.label.toLowerCase()} without "${mention.raw}"?`,
        [...optionsFor(catalog, others.slice(0, 4), `for ${mention.raw} ${rangeText}`), `${metric.label.toLowerCase()} ${rangeText}`],
      );
    }
    const byDim = new Map<string, string>();
    for (const s of usable) byDim.set(s.dimension, s.value);
    if (byDim.size > 1) {
      return clarify(`"${mention.raw}" could be several things: which do you mean?`, [...byDim].map(([d, v]) => `${metric.label.toLowerCase()} for ${catalog.dimensions[d]?.label ?? d} ${v} ${rangeText}`));
    }
    const [dim, value] = [...byDim][0]!;
    const list = (filters[dim] ??= []);
    if (!list.includes(value)) list.push(value);
  }

  // Dimension mentions: group-by unless they just qualify a value of theirs ("the black friday campaign").
  const dimMentions = mentions
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => !mentionIsMetric(m) && m.senses.some((s) => s.kind === 'dimension') && !m.senses.some((s) => s.kind === 'value'));
  for (const { m, index } of dimMentions) {
    const dims = m.senses.filter((s): s is Extract<Sense, { kind: 'dimension' }> => s.kind === 'dimension').map((s) => s.dimension);
    const dim = dims.find((d) => (metric.dimensions as string[]).includes(d)) ?? dims[0]!;
    const qualifies = valueMentions.some(({ mention, index: vi }) => {
      if (!mention.senses.some((s) => s.kind === 'value' && s.dimension === dim)) return false;
      // Adjacent in the question (ignoring "the"/"of"/"for"): "campaign black friday", "black friday campaign".
      const between = tokens.slice(Math.min(m.end, mention.end), Math.max(m.start, mention.start)).filter((t) => !['the', 'of', 'for', 'in', 'on'].includes(t.text));
      return Math.abs(vi - index) === 1 && between.length === 0;
    });
    if (qualifies) continue;
    if (!(metric.dimensions as string[]).includes(dim)) {
      const others = Object.values(catalog.metrics).filter((x) => (x.dimensions as string[]).includes(dim)).map((x) => x.id);
      return clarify(
        `${metric.label} can't be broken down by ${catalog.dimensions[dim]?.label ?? dim}; it can be by ${metric.dimensions.map((d) => catalog.dimensions[d]?.label ?? d).join(', ')}. Which do you want?`,
        [...metric.dimensions.slice(0, 3).map((d) => `${metric.label.toLowerCase()} by ${catalog.dimensions[d]?.label ?? d} ${rangeText}`), ...optionsFor(catalog, others.slice(0, 2), `by ${catalog.dimensions[dim]?.label ?? dim} ${rangeText}`)],
      );
    }
    if (!by.includes(dim)) by.push(dim);
  }
  // A "vs" left over (not a time comparison): "brand campaign vs retargeting" compares values side by side.
  const looseVersus = compares.length === 0 && items.some((it) => !it.used && ['vs', 'versus', 'against'].includes(it.text));
  if (looseVersus) {
    const multi = Object.entries(filters).filter(([, v]) => v.length > 1).map(([d]) => d);
    if (multi.length === 1) versusDims.add(multi[0]!);
    else if (versusDims.size === 0) {
      return clarify('Compare with what? I can compare with an earlier period, or values side by side.', [
        `${describe(catalog, metricId, by, filters, rangeText)} vs the previous period`,
        `${describe(catalog, metricId, by, filters, rangeText)} vs the same period last week`,
      ]);
    }
  }
  for (const dim of versusDims) if (!by.includes(dim) && (metric.dimensions as string[]).includes(dim)) by.push(dim);

  // A follow-up keeps the previous filters it does not replace, and the previous breakdown when
  // it names none; a dimension now pinned to one value ("what about meta?") stops being a column.
  let inheritedBy = false;
  if (followUp) {
    const allowed = metric.dimensions as string[];
    const pinned = new Set(Object.entries(filters).filter(([, v]) => v.length === 1).map(([d]) => d));
    for (const [d, values] of Object.entries(prev.plan.filters)) if (!(d in filters) && allowed.includes(d)) filters[d] = [...values];
    if (by.length === 0 && dimMentions.length === 0) {
      for (const d of prev.plan.by) if (allowed.includes(d) && !pinned.has(d)) by.push(d);
      inheritedBy = by.length > 0;
    }
  }

  // 7. Whatever is left must be filler; otherwise ask rather than guess.
  const leftovers = items.filter((it) => !it.used && it.mention === undefined).map((it) => it.text);
  const timeLeft = leftovers.filter((w) => (TIME_VOCAB.has(w) && !['last', 'past', 'previous', 'prior', 'since', 'ago', 'before', 'trend', 'trends', 'chart', 'graph', 'plot', 'may'].includes(w)) || /^\d+(st|nd|rd|th|am|pm)?$/.test(w));
  const unknown = leftovers.filter((w) => !FILLER.has(w) && !(followUp && FOLLOW_UP_WORDS.has(w)) && !TIME_VOCAB.has(w) && !/^\d+(st|nd|rd|th|am|pm)?$/.test(w) && !(metric.unit === 'ratio' && RATE_WORDS.has(w)) && !(w in NUMBER_WORDS) && w.length > 1);
  if (timeLeft.length > 0 || leftovers.some((w) => ['since', 'ago', 'between', 'until', 'till'].includes(w))) {
    return clarify(
      `I couldn't read the time in "${question.trim()}". Which period do you mean?`,
      ['today', 'yesterday', 'this week', 'last week', 'this month', 'last 7 days'].map((p) => `${metric.label.toLowerCase()} ${p}`),
    );
  }
  if (unknown.length > 0) {
    const base = describe(catalog, metricId, by, filters, rangeText);
    return clarify(
      `I don't know what "${unknown.join(' ')}" means here, so I won't guess. Did you mean ${base}?`,
      [base, ...optionsFor(catalog, Object.keys(catalog.metrics).filter((id) => id !== metricId && unknown.some((w) => id.includes(w))).slice(0, 3), rangeText)],
    );
  }
  if (distinct.length > 1) {
    return clarify('That names more than one period: which one?', distinct.map((r) => describe(catalog, metricId, by, filters, r.label)));
  }

  // 8. Range, comparison, grain, top.
  const inheritedRange = distinct.length === 0 && followUp ? previousRange(prev) : undefined;
  const range = distinct[0] ?? inheritedRange ?? T.today(now, tz);
  if (!(range.fromMs < range.toMs)) {
    return clarify(`${cap(range.label)} has not started yet (it is ${T.isoUtc(now)}). Which period do you mean?`, [describe(catalog, metricId, by, filters, 'yesterday'), describe(catalog, metricId, by, filters, 'last 24 hours')]);
  }
  let compare: Compare | null = null;
  let compareLabel: string | undefined;
  const intents = uniqueBy(compares, (c) => JSON.stringify(c));
  if (intents.length > 1) return clarify('Compare with which period?', intents.map((c) => `${describe(catalog, metricId, by, filters, range.label)} vs ${c.label}`));
  const intent = intents[0];
  if (intent) {
    const resolved = resolveCompare(intent, range, tz);
    if (!resolved) {
      return clarify(
        `I can compare ${range.label} with the previous period, the same period last week or the same period last year. Which one?`,
        ['the previous period', 'the same period last week', 'last year'].map((c) => `${describe(catalog, metricId, by, filters, range.label)} vs ${c}`),
      );
    }
    compare = resolved.compare;
    compareLabel = resolved.label;
  } else if (followUp && prev.plan.compare) {
    // Same comparison as before: its own words when the period is the same, generic otherwise.
    compare = prev.plan.compare;
    compareLabel = inheritedRange && prev.comparePeriod ? prev.comparePeriod : COMPARE_WORDS[prev.plan.compare];
  }
  const explicitGrains = [...new Set(grains.filter((g): g is Grain => g !== 'auto'))];
  if (explicitGrains.length > 1) return clarify('Which grain do you want?', explicitGrains.map((g) => `${describe(catalog, metricId, by, filters, range.label)}, ${GRAIN_WORD[g]}`));
  const grain: Grain | null = explicitGrains[0] ?? (grains.includes('auto') ? T.defaultGrain(range) : followUp ? prev.plan.grain : null);

  let top: Plan['top'] = null;
  if (superlative) {
    const sense = SUPERLATIVES[superlative.word]!;
    let order: 'asc' | 'desc';
    if (sense === 'best' || sense === 'worst') {
      if (metric.direction === 'neutral') {
        return clarify(
          `"${superlative.word}" is ambiguous for ${metric.label.toLowerCase()}: neither more nor less is better. Highest or lowest?`,
          ['highest', 'lowest'].map((w) => `${w} ${metric.label.toLowerCase()} ${by.map((d) => `by ${catalog.dimensions[d]?.label ?? d}`).join(' ')} ${range.label}`.replace(/\s+/g, ' ')),
        );
      }
      // README: "worst" means worst for the business.
      order = (sense === 'best') === (metric.direction === 'up_is_good') ? 'desc' : 'asc';
    } else order = sense;
    if (by.length === 0) {
      return clarify(
        `${cap(superlative.word)} what? Tell me what to rank, e.g. by ${metric.dimensions.slice(0, 3).map((d) => catalog.dimensions[d]?.label ?? d).join(' or ')}.`,
        metric.dimensions.slice(0, 4).map((d) => `${superlative!.word} ${catalog.dimensions[d]?.synonyms[0] ?? d} by ${metric.label.toLowerCase()} ${range.label}`),
      );
    }
    // README silent on a missing N: "which channel had the highest" is 1, "top campaigns" 5.
    const plural = dimMentions.some(({ m }) => m.plural);
    top = { n: superlative.n ?? (plural ? 5 : 1), order };
  }

  if (!superlative && inheritedBy && followUp) top = prev.plan.top;

  const cmp = compare ? T.compareWindow(range, compare, tz) : undefined;
  const plan = {
    metric: metricId,
    by,
    filters,
    from: T.isoUtc(range.fromMs),
    to: T.isoUtc(range.toMs),
    grain,
    compare,
    compare_from: cmp ? T.isoUtc(cmp.fromMs) : null,
    compare_to: cmp ? T.isoUtc(cmp.toMs) : null,
    top,
    tz,
  };
  try {
    const valid = validatePlan(plan, catalog);
    return { status: 'answered', plan: valid, period: range.label, ...(compareLabel ? { comparePeriod: compareLabel } : {}) };
  } catch (err) {
    return clarify(`${(err as Error).message} What should I show instead?`, [describe(catalog, metricId, [], {}, 'today'), describe(catalog, metricId, [], {}, 'yesterday')]);
  }
}

/** Words a follow-up leans on ("same for last month", "what about meta instead?"). */
const FOLLOW_UP_WORDS = new Set(['same', 'instead', 'also', 'again', 'too', 'then', 'as', 'well', 'rather', 'other', 'switch', 'now', 'one', 'ones']);

const COMPARE_WORDS: Record<Compare, string> = {
  previous_period: 'the previous period',
  same_period_last_week: 'the same period last week',
  same_period_last_year: 'the same period last year',
};

const HOUR_MS = 3_600_000;

/** The previous answer's window, with the kind its length suggests (for comparisons). */
function previousRange(prev: PreviousAnswer): T.TimeRange {
  const fromMs = Date.parse(prev.plan.from);
  const toMs = Date.parse(prev.plan.to);
  const days = Math.round((toMs - fromMs) / HOUR_MS) / 24;
  const kind: T.RangeKind = days === 1 ? 'day' : days === 7 ? 'week' : days >= 28 && days <= 31 ? 'month' : days >= 365 && days <= 366 ? 'year' : 'rolling';
  return { fromMs, toMs, kind, label: prev.period };
}

const GRAIN_WORD: Record<Grain, string> = { minute: 'per minute', hour: 'hourly', day: 'daily', week: 'weekly', month: 'monthly' };

const DAY_MS = 86_400_000;

/** The comparison a phrase asks for, given the asked range; undefined when it does not fit. */
function resolveCompare(intent: CompareIntent, range: T.TimeRange, tz: string): { compare: Compare; label: string } | undefined {
  if (intent.kind === 'fixed') return { compare: intent.compare, label: intent.label };
  if (intent.kind === 'rolling') {
    // "last 7 days vs the previous 7 days" = previous_period; other lengths do not fit.
    return range.kind === 'rolling' && range.toMs - range.fromMs === intent.ms ? { compare: 'previous_period', label: intent.label } : undefined;
  }
  if (intent.unit === 'month') {
    // "MTD vs last month", "last month vs the month before"; "today vs last month" is not a comparison we have.
    return range.kind === 'month' ? { compare: 'previous_period', label: 'the previous month' } : undefined;
  }
  // "vs yesterday", "day over day": fits a range of one calendar day, or a rolling day.
  if (range.kind === 'day') {
    const c = T.compareWindow(range, 'previous_period', tz);
    const oneDay = T.shiftDays(range.fromMs, 1, tz) >= range.toMs && c.toMs <= range.fromMs + 1;
    return oneDay ? { compare: 'previous_period', label: 'the day before' } : undefined;
  }
  if (range.kind === 'rolling' && range.toMs - range.fromMs <= DAY_MS) return { compare: 'previous_period', label: 'the period before' };
  return undefined;
}

function uniqueRanges(ranges: T.TimeRange[]): T.TimeRange[] {
  return uniqueBy(ranges, (r) => `${r.fromMs}-${r.toMs}`);
}

function uniqueBy<X>(xs: X[], key: (x: X) => string): X[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A question that would be answered as meant: "revenue by channel for google yesterday". */
function describe(catalog: Catalog, metricId: string, by: string[], filters: Record<string, string[]>, period: string): string {
  const metric = catalog.metrics[metricId];
  const parts = [metric ? metric.label.toLowerCase() : metricId];
  for (const d of by) parts.push(`by ${catalog.dimensions[d]?.label ?? d}`);
  for (const values of Object.values(filters)) parts.push(`for ${values.join(' and ')}`);
  parts.push(period);
  return parts.join(' ');
}

function optionsFor(catalog: Catalog, metricIds: string[], rest: string): string[] {
  return metricIds.filter((id) => catalog.metrics[id]).map((id) => `${catalog.metrics[id]!.label.toLowerCase()} ${rest.trim()}`.trim());
}
