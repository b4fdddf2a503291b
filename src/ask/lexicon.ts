import type { Catalog } from '../semantic/index.js';

/**
 * The words the planner knows, built from the catalog (rules/metrics.yaml) so that a new
 * synonym or alias there is understood without code changes: metric ids, labels and
 * synonyms; dimension ids, labels and synonyms; dimension values and their aliases.
 * Multi-word phrases are matched longest first; single words ≥ 5 letters tolerate typos.
 */

export type Sense =
  | { kind: 'metric'; metric: string }
  | { kind: 'dimension'; dimension: string }
  | { kind: 'value'; dimension: string; value: string };

export interface Lexicon {
  /** Stemmed phrase ("black friday") → what it may mean (several when the catalog overlaps). */
  readonly phrases: ReadonlyMap<string, Sense[]>;
  /** Longest phrase in words. */
  readonly maxWords: number;
  /** Every stemmed word used in a phrase (the typo corrector's vocabulary). */
  readonly words: ReadonlySet<string>;
  /**
   * Values that are also everyday English words ("in", "us"): matched only when typed in
   * capitals ("revenue in IN", "orders in the US"), never from "revenue in EU".
   */
  readonly capitalsOnly: ReadonlySet<string>;
}

/** Everyday words that a 2–3 letter code may collide with. */
const COMMON_SHORT_WORDS = new Set(['in', 'us', 'at', 'on', 'to', 'by', 'be', 'it', 'is', 'am', 'an', 'as', 'do', 'go', 'he', 'hi', 'if', 'me', 'my', 'no', 'of', 'ok', 'or', 'so', 'up', 'we', 'all', 'are', 'can', 'for', 'now', 'the', 'per', 'and']);

/**
 * Light stemming so "deliveries" meets "delivery" and "campaigns" meets "campaign"; applied
 * to both the catalog's phrases and the question's words, so it only has to be consistent.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** A phrase from the catalog → its stemmed words ("On-time delivery" → "on time delivery"). */
export function phraseKey(text: string): string {
  return tokenize(normalize(text)).map((t) => stem(t.text)).join(' ');
}

export function buildLexicon(catalog: Catalog): Lexicon {
  const phrases = new Map<string, Sense[]>();
  const capitalsOnly = new Set<string>();
  const add = (text: string, sense: Sense) => {
    const key = phraseKey(text);
    if (!key) return;
    const senses = phrases.get(key) ?? [];
    if (!senses.some((s) => JSON.stringify(s) === JSON.stringify(sense))) senses.push(sense);
    phrases.set(key, senses);
  };
  for (const [id, m] of Object.entries(catalog.metrics)) {
    const sense: Sense = { kind: 'metric', metric: id };
    add(id.replace(/_/g, ' '), sense);
    add(m.label, sense);
    for (const s of m.synonyms) add(s, sense);
  }
  // "p95_latency_ms" → also "p95 latency"; "conversion_rate" already reads well.
  for (const id of Object.keys(catalog.metrics)) if (id.endsWith('_ms')) add(id.slice(0, -3).replace(/_/g, ' '), { kind: 'metric', metric: id });
  for (const [id, d] of Object.entries(catalog.dimensions)) {
    const sense: Sense = { kind: 'dimension', dimension: id };
    add(id.replace(/_/g, ' '), sense);
    add(d.label, sense);
    for (const s of d.synonyms) add(s, sense);
    for (const v of d.values) {
      add(v, { kind: 'value', dimension: id, value: v });
      if (COMMON_SHORT_WORDS.has(v.toLowerCase())) capitalsOnly.add(phraseKey(v));
    }
    for (const [alias, v] of Object.entries(d.aliases)) add(alias, { kind: 'value', dimension: id, value: v });
  }
  const words = new Set<string>();
  let maxWords = 1;
  for (const key of phrases.keys()) {
    const parts = key.split(' ');
    maxWords = Math.max(maxWords, parts.length);
    for (const p of parts) words.add(p);
  }
  return { phrases, maxWords, words, capitalsOnly };
}

// ---------------------------------------------------------------------------------------
// Normalisation and tokens

export interface Token {
  /** Lowercased word. */
  text: string;
  /** As typed (for codes that must be in capitals, and for echoing back). */
  raw: string;
}

/**
 * Slack text → plain lowercase words: drops user/channel mentions (<@U123>, <#C1|ops>, a
 * leading @opsight), emoji (:smile:), links' markup, "pls"/"please"; keeps letters, digits,
 * hyphens inside words and ISO dates. Case is kept here (tokenize lowers it) so codes like
 * "US" can be told from "us".
 */
export function normalize(text: string): string {
  return text
    .replace(/<[@#!][^>]*>/g, ' ')
    .replace(/<(https?:[^|>]*)\|?([^>]*)>/g, ' $2 ')
    .replace(/:[a-z0-9_+-]+:/gi, ' ')
    .replace(/(^|\s)@[\w.-]+/g, ' ')
    .replace(/[\u2018\u2019']/g, '')
    .replace(/[\u2013\u2014]/g, ' - ')
    .replace(/\bv\/s\b/gi, ' vs ')
    .replace(/\b([wdmy])\/\1\b/gi, ' $1o$1 ')
    .replace(/\b(pls|plz|please|thx|thanks|thank you|kindly)\b/gi, ' ')
    .replace(/[^\p{L}\p{N}\s\-%&]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Words of a normalised question; hyphenated words split ("cyber-monday-2026") but ISO dates kept whole. */
export function tokenize(normalized: string): Token[] {
  const out: Token[] = [];
  for (const word of normalized.split(' ')) {
    if (!word) continue;
    if (ISO_DATE.test(word)) {
      out.push({ text: word, raw: word });
      continue;
    }
    for (const part of word.split('-')) {
      if (!part) continue;
      // "24h", "7d" → "24 h"; "3rd" stays (ordinal handled by the date parser).
      const m = /^(\d+)(h|hr|hrs|d|w|wk|wks|m|min|mins)$/i.exec(part);
      if (m) {
        out.push({ text: m[1]!, raw: m[1]! }, { text: m[2]!.toLowerCase(), raw: m[2]! });
        continue;
      }
      out.push({ text: part.toLowerCase(), raw: part });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Typos

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

/**
 * The one vocabulary word a typo stands for, or undefined. Words under 5 letters are never
 * corrected (too many real words sit one letter apart); 5–7 letters allow one edit, longer
 * two. A tie between two different words is no correction: guessing would be a coin toss.
 */
export function correctTypo(word: string, vocabulary: Iterable<string>): string | undefined {
  if (word.length < 5 || /\d/.test(word)) return undefined;
  const max = word.length <= 7 ? 1 : 2;
  let best: string | undefined;
  let bestD = max + 1;
  let tie = false;
  for (const v of vocabulary) {
    if (v.length < 4) continue;
    const d = editDistance(word, v, max);
    if (d < bestD) {
      best = v;
      bestD = d;
      tie = false;
    } else if (d === bestD && v !== best) tie = true;
  }
  return bestD <= max && !tie ? best : undefined;
}
