// Preparing a message for the rules: lower case, contractions spelt out, shorthand expanded, typos of the words that
// matter corrected (only to a word billing cares about, never to another real word), then sentences and clauses.

/** Words whose misspellings the rules read ("cancle", "subcription", "refnud"). */
const KEY_WORDS = [
  "cancel", "cancelled", "canceled", "cancelling", "canceling", "cancellation", "subscription", "subscriptions", "unsubscribe",
  "membership", "terminate", "upgrade", "downgrade", "refund", "refunded", "reimburse", "charged", "duplicate",
  "account", "renewal", "immediately", "invoice", "payment",
];

/** Real words one edit away from a key word: never "corrected" (my cancer treatment is not a cancellation). */
const REAL_WORDS = new Set([
  "cancer", "candle", "camel", "panel", "cancels", "counsel", "charger", "charges", "chargee", "changed", "charmed", "accounts",
  "accent", "refine", "refuse", "refunds", "upgraded", "upgrades", "downgraded", "downgrades", "paused", "pauses", "cause",
  "invoices", "payments", "renewals", "subscriptions", "duplicated", "duplicates", "terminal", "terminated", "chancel", "charred", "charted", "renewed",
  "charge", "change", "charges", "charger", "charging", "chased", "invoiced", "accountant", "refunding", "refunded", "renewing", "renewal",
  "membership", "memberships", "terminates", "reimbursed", "immediate", "paymentt",
]);

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: "cancle" is one step from "cancel"). */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The key word a token misspells, if exactly one is close enough; long words may be two edits away. */
export function correctTypo(word: string): string | null {
  if (word.length < 5 || REAL_WORDS.has(word) || KEY_WORDS.includes(word)) return null;
  let best: { word: string; d: number } | null = null;
  let clash = false;
  for (const k of KEY_WORDS) {
    const allowed = k.length >= 9 ? 2 : 1;
    const d = editDistance(word, k, allowed);
    if (d > allowed) continue;
    if (!best || d < best.d) [best, clash] = [{ word: k, d }, false];
    // Two key words equally close: fine within one family (canceled / cancelled), a guess across two.
    else if (d === best.d && k.slice(0, 5) !== best.word.slice(0, 5)) clash = true;
  }
  return best && !clash ? best.word : null;
}

const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan'?t\b/g, "can not"],
  [/\bcannot\b/g, "can not"],
  [/\bwon'?t\b/g, "will not"],
  [/\b(do|does|did|is|are|was|were|have|has|had|would|should|could|must)n'?t\b/g, "$1 not"],
  [/\bdont\b/g, "do not"],
  [/\bdoesnt\b/g, "does not"],
  [/\bdidnt\b/g, "did not"],
  [/\bi'?m\b/g, "i am"],
  [/\b(i|we|you|they)'d\b/g, "$1 would"],
  [/\b(i|we|you|they)'ll\b/g, "$1 will"],
  [/\b(i|we|you|they)'ve\b/g, "$1 have"],
  [/\b(it|that|there|what|where|who|here)'s\b/g, "$1 is"],
  [/\bwe'?re\b/g, "we are"],
  [/\byou'?re\b/g, "you are"],
  [/\bthey'?re\b/g, "they are"],
];

const SHORTHAND: [RegExp, string][] = [
  [/\bpl[sz]\b|\bplse\b|\bpleas\b/g, "please"],
  [/\bu\b/g, "you"],
  [/\bur\b/g, "your"],
  [/\bsubs?\b(?!\s*_)/g, "subscription"],
  [/\bacct\b/g, "account"],
  [/\bthx\b|\bty\b|\bthanx\b/g, "thanks"],
  [/\basap\b/g, "as soon as possible"],
  [/\bmo\b|\bmos\b/g, "months"],
  [/\bauto[\s-]?renew(al|ing)?\b/g, "autorenew"],
  [/\bre-?activate\b/g, "reactivate"],
  [/\bre-?try\b/g, "retry"],
  [/\bcharge[\s-]?backs?\b/g, "chargeback"],
  [/\be-?mails?\b/g, "email"],
];

export interface PreparedText {
  /** Lower case, contractions and shorthand spelt out, typos corrected. */
  text: string;
  /** Misspelt word → the word it was read as. */
  typos: Record<string, string>;
}

/** `typos: false` for text in another language, whose words are not misspelt English ("cancela" is Spanish). */
export function prepare(message: string, opts: { typos?: boolean } = {}): PreparedText {
  let t = message
    .normalize("NFC")
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .toLowerCase();
  // Addresses are not words: "john@cancel.com" asks for nothing.
  t = t.replace(/\bhttps?:\/\/\S+|\bwww\.\S+/g, " <link> ").replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, " <email> ");
  for (const [re, to] of CONTRACTIONS) t = t.replace(re, to);
  for (const [re, to] of SHORTHAND) t = t.replace(re, to);
  const typos: Record<string, string> = {};
  if (opts.typos !== false) t = t.replace(/\p{L}+/gu, (w) => {
    const fixed = correctTypo(w);
    if (!fixed) return w;
    typos[w] = fixed;
    return fixed;
  });
  return { text: t.replace(/[ \t]+/g, " ").trim(), typos };
}

/** Sentences: split on . ! ? ; and line breaks, keeping the mark (a question is known by it). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  // Dots inside amounts ($9.99) and ids are not sentence ends.
  for (const m of text.matchAll(/[^.!?;\n]+(?:\.(?=\d)[^.!?;\n]*)*[.!?;\n]*/g)) {
    const s = m[0].trim();
    if (s.replace(/[.!?;\s]/g, "")) out.push(s);
  }
  return out;
}

/** Clauses of a sentence: a negation or a question word does not reach past ", but", ", and", "instead", "just". */
export function clauses(sentence: string): string[] {
  return sentence
    .split(/,\s*(?=but\b|and\b|just\b|only\b|instead\b|not\b|then\b|also\b|as well\b|because\b|since\b|so\b)|\s+(?=but\b|instead\b|however\b|so\s+(?!much\b|many\b|far\b|long\b|that\b|as\b)\w|because\b|since\b)|\s+(?:and|&)\s+(?=(?:please|also|then|i|we|can|could|would|will)\b)|\s+(?:and|also)\s+(?=(?:refund|cancel|pause|upgrade|downgrade|switch|move|send|update|add|remove|retry|charge|change|put|give)\b)|,\s+(?=(?:please|i|we|can|could|would)\b)/)
    .map((c) => c.trim())
    .filter(Boolean);
}
