// Amounts in what people write ("refund ¥1,000", "15,50 €", "half", "the difference between $45 and $29"): each
// mention with its reading in Stripe's minor units and whether that reading is certain. It reads; it never decides
// what to refund (nodes/refund/request-reading.ts does, against the charge).
//
// A number without a currency is never taken as an amount in some currency by default: it is reported, uncertain.
import { currencyCode, stripeExponent, toMajorString, toMinor } from "./money.js";

export type MentionKind =
  /** An amount of money: a number with a currency marker ("$15", "15,50 €", "1000円", "USD 15", "fifteen dollars"). */
  | "money"
  /** A number that could be an amount but carries no currency ("refund 15"). Never certain. */
  | "number"
  /** A share of a charge: "half", "a third", "25%". */
  | "fraction"
  /** What is left after earlier refunds: "the rest", "the remainder". */
  | "rest"
  /** The whole charge: "full refund", "everything", "all of it". */
  | "full"
  /** "The difference (between $45 and $29)": the difference of two amounts, when the text gives them. */
  | "difference"
  /** Some money, but not how much: "a partial refund", "a few dollars", "prorated", "the rest of the month". Never certain. */
  | "vague";

/** What the words around an amount say it is. */
export type MentionRole =
  /** What the customer asks back: "refund $10", "$10 back", "overcharged by $10". */
  | "ask"
  /** What was taken: "charged $45", "the $49 payment", "I paid ¥4,000". */
  | "charged"
  /** What it should have cost: "my plan is $29", "instead of $29". */
  | "expected"
  /** A refund that already happened: "you refunded $10 last week". */
  | "refunded";

export interface AmountMention {
  kind: MentionKind;
  /** The text as written. */
  text: string;
  start: number;
  end: number;
  /** money: Stripe's lowercase code, when the text says which currency (or the hint resolves "$", "¥", "kr"). */
  currency?: string | null;
  /** money and difference: the amount in the currency's Stripe minor units, exact. */
  minor?: number | null;
  /** money: the decimal amount in major units as read ("1000.50"). */
  major?: string | null;
  /** fraction: numerator / denominator ("half" = 1/2, "25%" = 25/100). */
  fraction?: { numerator: number; denominator: number };
  role?: MentionRole | null;
  certain: boolean;
  /** Why the reading is not certain. */
  why?: string;
}

export interface ReadAmountsOptions {
  /**
   * The currency the text is probably about (the charge's). Used only to resolve symbols several currencies share
   * ("$", "¥", "kr", "dinars") and "cents"; a bare number never takes it.
   */
  currency?: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Currency markers

const DOLLARS = new Set(["usd", "cad", "aud", "nzd", "sgd", "hkd", "twd", "mxn", "brl"]);
const YEN_SIGN = new Set(["jpy", "cny"]);
const KRONA = new Set(["sek", "nok", "dkk", "isk"]);
const DINARS = new Set(["kwd", "bhd", "jod", "tnd", "iqd", "lyd", "dzd", "rsd", "mkd"]);
const FRANCS = new Set(["chf", "xof", "xaf", "xpf", "cdf", "gnf", "bif", "djf", "kmf", "rwf"]);
const RUPEES = new Set(["inr", "pkr", "lkr", "npr", "mur", "scr"]);
const CENTS = new Set(["usd", "eur", "cad", "aud", "nzd", "sgd", "hkd"]);

/** A marker stands for one currency, or for a family resolved by the hint. */
type Marker = { code: string } | { family: Set<string>; usual: string | null; name: string };

const fam = (family: Set<string>, usual: string | null, name: string): Marker => ({ family, usual, name });

/** Symbols and words (lowercase) → currency. Longer keys are tried first. */
const MARKERS: Record<string, Marker> = {
  "us$": { code: "usd" }, "c$": { code: "cad" }, "ca$": { code: "cad" }, "a$": { code: "aud" }, "au$": { code: "aud" },
  "nz$": { code: "nzd" }, "hk$": { code: "hkd" }, "s$": { code: "sgd" }, "nt$": { code: "twd" }, "r$": { code: "brl" },
  "mx$": { code: "mxn" }, "$": fam(DOLLARS, "usd", "$"), "dollar": fam(DOLLARS, "usd", "dollars"), "dollars": fam(DOLLARS, "usd", "dollars"),
  "buck": fam(DOLLARS, "usd", "bucks"), "bucks": fam(DOLLARS, "usd", "bucks"), "dólares": fam(DOLLARS, "usd", "dólares"),
  "€": { code: "eur" }, "euro": { code: "eur" }, "euros": { code: "eur" }, "eur": { code: "eur" },
  "£": { code: "gbp" }, "pound": { code: "gbp" }, "pounds": { code: "gbp" }, "quid": { code: "gbp" },
  "¥": fam(YEN_SIGN, "jpy", "¥"), "￥": fam(YEN_SIGN, "jpy", "¥"), "jp¥": { code: "jpy" }, "cn¥": { code: "cny" },
  "円": { code: "jpy" }, "yen": { code: "jpy" }, "元": { code: "cny" }, "yuan": { code: "cny" }, "rmb": { code: "cny" },
  "₩": { code: "krw" }, "원": { code: "krw" }, "won": { code: "krw" },
  "₹": { code: "inr" }, "rupee": fam(RUPEES, "inr", "rupees"), "rupees": fam(RUPEES, "inr", "rupees"),
  "₽": { code: "rub" }, "₺": { code: "try" }, "₫": { code: "vnd" }, "₪": { code: "ils" }, "฿": { code: "thb" }, "₱": { code: "php" },
  "zł": { code: "pln" }, "zloty": { code: "pln" }, "ft": { code: "huf" }, "forint": { code: "huf" },
  "kr": fam(KRONA, null, "kr"), "kr.": fam(KRONA, null, "kr"), "kronor": { code: "sek" }, "kroner": fam(new Set(["nok", "dkk"]), null, "kroner"), "krónur": { code: "isk" },
  "fr.": fam(FRANCS, "chf", "francs"), "franc": fam(FRANCS, null, "francs"), "francs": fam(FRANCS, null, "francs"),
  "kd": { code: "kwd" }, "د.ك": { code: "kwd" }, "bd": { code: "bhd" }, "dinar": fam(DINARS, null, "dinars"), "dinars": fam(DINARS, null, "dinars"),
};

/** ISO codes people write in lowercase too; other codes count only in capitals ("ALL", "TRY", "TOP" are also words). */
const LOWERCASE_CODES = new Set([
  "usd", "eur", "gbp", "jpy", "krw", "kwd", "bhd", "jod", "omr", "tnd", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk",
  "huf", "isk", "twd", "inr", "cny", "mxn", "brl", "pln", "czk", "sgd", "hkd", "vnd", "clp", "zar", "aed", "sar", "thb",
]);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const MARKER_KEYS = Object.keys(MARKERS).sort((a, b) => b.length - a.length);
/** A marker that is a word (needs word boundaries), as opposed to one with a symbol in it ("US$", "¥", "zł"). */
const WORDY = (k: string) => /^[\p{L}.]+$/u.test(k) && k !== "zł";
/** Words that may stand before a number ("kr 100", "Fr. 15"); other words only after it ("100 won", never "won 5 prizes"). */
const PREFIX_WORDS = new Set(["kr", "kr.", "fr.", "kd", "bd", "rmb", "د.ك"]);
const alt = (keys: string[]) => keys.map((k) => (WORDY(k) ? `${escapeRe(k)}(?![a-zà-ÿ])` : escapeRe(k))).join("|");
const preAlt = alt(MARKER_KEYS.filter((k) => !WORDY(k) || PREFIX_WORDS.has(k)));
const postAlt = alt(MARKER_KEYS);
const CODE = "[A-Za-z]{3}(?![A-Za-z])";

/** A number as people write it: groups of three with , . ' or spaces, and decimals with . or ,. */
const NUMBER = String.raw`\d{1,3}(?:(?:,|\.|'|’|\u00a0|\u202f|\u2009| )\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?`;

// prefix marker? number suffix marker?  (a code or marker right before or after, with at most one space)
const AMOUNT_RE = new RegExp(
  String.raw`(?<pre>(?<![\p{L}])(?:${preAlt}|${CODE})\s?)?(?<![\d.,])(?<num>${NUMBER})(?![\d])(?<post>\s?(?:${postAlt}|${CODE}|cents?(?![a-z])))?`,
  "giu",
);

// ---------------------------------------------------------------------------------------------------------------
// Spans that hold digits but no amount: ids, dates, times, counts.

const MONTHS = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre";
/** Digits that are never an amount, whatever stands next to them: links, ids, references, dates, times. */
const NEVER_AMOUNTS: RegExp[] = [
  /https?:\/\/\S+/gi,
  /\S+@\S+\.\w+/g,
  /\b[a-z]{2,}_[A-Za-z0-9_]+/g, // Stripe ids: ch_…, in_…, sub_…
  /#\s?[\w-]+/g, // order #A-1001
  /\b[A-Z]{1,5}-\d[\w-]*/g, // A-1001, INV-0042
  /\b\d{4}-\d{1,2}-\d{1,2}\b/g, // 2026-03-03
  /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g, // 03/03/2026, 12.03.2026
  /\b\d{1,2}\.\d{1,2}\.(?!\d)/g, // am 12.03.
  /\b\d{1,2}\/\d{1,2}\b/g, // 3/12
  new RegExp(String.raw`\b(?:${MONTHS})\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b`, "gi"), // March 3, 2026
  new RegExp(String.raw`\b\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:of\s+)?(?:${MONTHS})\b(?:\s+\d{4})?`, "gi"), // 3rd of March
  /\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?/gi, // 10:30
  /\b\d{1,2}\s?(?:am|pm)\b/gi, // 3pm
  /\d+\s?(?:年|月|日|時)/g, // 3月5日
  /\b\d+(?:st|nd|rd|th)\b/gi, // 3rd
];
/** Digits that are no amount when they carry no currency: years, counts, reference numbers. */
const NOT_BARE_AMOUNTS: RegExp[] = [
  /\b(?:19|20)\d{2}\b/g,
  /\b\d+\s?(?:x|times?|days?|weeks?|months?|years?|yrs?|hours?|hrs?|minutes?|mins?|seconds?|secs?|seats?|users?|licen[cs]es?|items?|people|persons?|members?|employees?|accounts?|invoices?|charges?|payments?|orders?|transactions?|kids?|projects?|gb|mb|tb|kg|km|mi)\b/gi,
  /\b(?:order|invoice|ticket|case|no\.?|number|nr\.?|ending(?: in)?|last (?:four|4)(?: digits)?|card|version|v|step|page|room|apt|suite|plan|tier|level|item|line|id|ref(?:erence)?)\s*[:#]?\s*\d[\d-]*/gi,
  /\b\d{7,}\b/g, // phone and account numbers: nobody writes an amount of seven bare digits
];

function ranges(text: string, res: RegExp[]): [number, number][] {
  const out: [number, number][] = [];
  for (const re of res) for (const m of text.matchAll(re)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

const inside = (ranges: [number, number][], start: number, end: number) => ranges.some(([a, b]) => start < b && end > a);

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/**
 * A written number to a decimal string, given Stripe's exponent for its currency. `ambiguous` when a single comma
 * before exactly three digits could be either a thousands separator or three decimals (only for three-decimal
 * currencies: KWD "1,250" is 1250 or 1.250).
 */
export function readNumber(raw: string, exponent: number): { decimal: string } | { ambiguous: string } | { invalid: string } {
  const s = raw.replace(/[\u00a0\u202f\u2009 '’]/g, (c) => (c === " " || c === "\u00a0" || c === "\u202f" || c === "\u2009" ? "_" : "'"));
  const seps = [...s.matchAll(/[.,_']/g)].map((m) => ({ c: m[0], i: m.index! }));
  if (!seps.length) return { decimal: s.replace(/^0+(?=\d)/, "") };
  const last = seps[seps.length - 1]!;
  const kinds = new Set(seps.map((x) => x.c));
  const groupsOk = (intPart: string) => /^\d{1,3}([.,_']\d{3})*$/.test(intPart);
  const digitsOnly = (x: string) => x.replace(/[.,_']/g, "");
  // Both . and , : the last one is the decimal mark, the others group thousands ("1.000,50", "1,000.50").
  if ((kinds.has(".") && kinds.has(",")) || ((last.c === "." || last.c === ",") && kinds.size > 1 && seps.filter((x) => x.c === last.c).length === 1)) {
    const intPart = s.slice(0, last.i);
    const frac = s.slice(last.i + 1);
    if (!groupsOk(intPart) || intPart.includes(last.c)) return { invalid: `"${raw}" mixes separators` };
    return { decimal: `${digitsOnly(intPart).replace(/^0+(?=\d)/, "")}.${frac}` };
  }
  // One kind of separator. Spaces and apostrophes only ever group thousands.
  if (last.c === "_" || last.c === "'") return groupsOk(s) ? { decimal: digitsOnly(s) } : { invalid: `"${raw}" is not grouped in thousands` };
  if (seps.length > 1) return groupsOk(s) ? { decimal: digitsOnly(s) } : { invalid: `"${raw}" is not grouped in thousands` };
  const intPart = s.slice(0, last.i);
  const frac = s.slice(last.i + 1);
  if (frac.length !== 3 || /^0+$/.test(intPart)) return { decimal: `${intPart.replace(/^0+(?=\d)/, "") || "0"}.${frac}` };
  // d,ddd or d.ddd: thousands, unless the currency itself has three decimals. There "1.250" is how the amount is written
  // (Stripe, en-KW: KWD 1.250 = 1.25), while "1,250" is 1250 in English and 1.25 with a decimal comma.
  if (exponent === 3) return last.c === "." ? { decimal: `${intPart}.${frac}` } : { ambiguous: `"${raw}" could be ${digitsOnly(s)} or ${intPart}.${frac} in a three-decimal currency` };
  return { decimal: digitsOnly(s) };
}

const SMALL: Record<string, number> = {
  zero: 0, one: 1, a: 1, an: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const WORD = Object.keys(SMALL).filter((w) => w !== "a" && w !== "an").join("|");
const WORD_AMOUNT_RE = new RegExp(
  String.raw`\b(?<words>(?:(?:${WORD}|a|an)(?:[\s-]+(?:${WORD}|hundred|thousand|and))*|(?:${WORD})))[\s-]+(?<cur>dollars?|bucks|euros?|pounds?|yen|won|francs?|dinars?|rupees?|cents?)\b`,
  "gi",
);

/** "twenty-nine", "a hundred", "five hundred", "two thousand five hundred" → the integer; null when it is not a number. */
function wordsToNumber(words: string): number | null {
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words.toLowerCase().split(/[\s-]+/).filter((x) => x && x !== "and")) {
    if (w in SMALL) {
      current += SMALL[w]!;
      seen = true;
    } else if (w === "hundred") current = (current || 1) * 100;
    else if (w === "thousand") {
      total += (current || 1) * 1000;
      current = 0;
    } else return null;
  }
  return seen || total ? total + current : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Words that are amounts of a charge without a number

const VAGUE_RE = /\b(?:a\s+)?partial(?:ly)?\s+refund(?:ed)?\b|\brefund\s+(?:me\s+|us\s+|it\s+)?partially\b|\b(?:a\s+)?(?:part|portion|bit)\s+of\s+(?:it|the\s+\w+|my\s+\w+)\b|\bsome\s+(?:of\s+)?(?:the\s+|my\s+)?money\b|\ba\s+(?:few|couple(?:\s+of)?)\s+(?:dollars|bucks|euros|pounds|yen|won)\b|\bpro-?rat(?:ed?|a|ion)\b|\bunused\s+(?:days|time|period|part|portion|months?|weeks?)\b|\bhalf\s+(?:a|an|the)\s+(?:year|month|week|day|hour|period|term|cycle)s?\b|\bthe\s+(?:rest|remainder)\s+of\s+(?:the|my|our|this)\s+(?:year|month|week|period|term|cycle|subscription|plan)\b|\b(?:\d+|one|two|three|four|five|a|an)\s+(?:seats?|licen[cs]es?|users?)\b|\bteilweise\b|\bpartiel(?:le(?:ment)?)?\b|\bparcial(?:mente)?\b/giu;

const FRACTIONS: { re: RegExp; n: number; d: number }[] = [
  { re: /\b(?:one|a)[\s-]half\b|\bhalf(?:\s+(?:of\s+)?(?:it|the\s+\w+|my\s+\w+|that|this|price|amount|back|refund))?\b|\bdie hälfte\b|\bla moitié\b|\bla mitad\b|半額|半分|절반/giu, n: 1, d: 2 },
  { re: /\b(?:two|2)[\s-]thirds?\b/gi, n: 2, d: 3 },
  { re: /\b(?:a|one|1)[\s-]third\b/gi, n: 1, d: 3 },
  { re: /\b(?:three|3)[\s-]quarters?\b/gi, n: 3, d: 4 },
  { re: /\b(?:a|one|1)[\s-]quarter\b/gi, n: 1, d: 4 },
];
const PERCENT_RE = /(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)\s?(?:%|percent\b|per cent\b|prozent\b|pour cent\b|por ciento\b)/gi;
const REST_RE = /\bthe\s+(?:rest|remainder|remaining(?:\s+(?:amount|part|money|sum))?)\b|\bwhat(?:'s|’s| is)\s+(?:left|remaining)\b|\bremaining\s+(?:amount|part|money|sum)\b|\bden rest\b|\ble reste\b|\bel resto\b|残り|나머지/giu;
const FULL_RE = /\bfull\s+(?:refund|amount|price|payment|charge)\b|\brefund\s+(?:it\s+|me\s+|this\s+|that\s+)?(?:in\s+full|fully|completely|entirely)\b|\bfully\s+refund(?:ed)?\b|\b(?:the\s+)?(?:whole|entire|complete|total)\s+(?:amount|thing|charge|payment|sum|price|refund)\b|\beverything\b|\ball\s+(?:of\s+)?(?:it|my\s+money|the\s+money)\b|\bvollständig\b|\bintégral(?:ement)?\b|\bcompleto\b|全額|전액/giu;
const SEVERAL_RE = /\b(?:all|every|each)\s+(?:of\s+)?(?:my|the|our|these|those)?\s*(?:charges|payments|transactions|invoices|orders|months)\b|\bevery\s+(?:charge|payment|transaction|invoice|month)\b/gi;
const DIFFERENCE_RE = /\b(?:the\s+)?difference\b|\bthe\s+extra\b|\bunterschied\b|\bdifferenz\b|\bdifférence\b|\bdiferencia\b|差額|차액/giu;

// ---------------------------------------------------------------------------------------------------------------
// Roles: which words stand next to an amount

const ROLE_BEFORE: { role: MentionRole; re: RegExp }[] = [
  { role: "refunded", re: /\b(?:you|they|was|were|been|already|got|have|has|had)\s+(?:\w+\s+)?refunded(?:\s+(?:me|us|it|only|just))*\s*$/i },
  { role: "ask", re: /\b(?:refund(?:s|ing)?|reimburse(?:ment)?|return|credit|give|send)\b(?:\s+(?:me|us|back|the|my|our|of|for|a|an|only|just|partial|partially|please|it|that|this))*\s*$|\b(?:overcharged|overbilled)\s+(?:me\s+|us\s+)?(?:by\s+)?$|\b(?:get|want|need|like|request)\s+(?:\w+\s+){0,2}$|\berstatt\w*\s+(?:\w+\s+){0,2}$|\brembours\w*\s+(?:\w+\s+){0,2}$|\b(?:reembols|devuelv|devolv)\w*\s+(?:\w+\s+){0,2}$|返金\s*$|환불\s*$/iu },
  { role: "expected", re: /\b(?:plan|price|subscription|tier|package)\s+(?:is|was|costs?|=)\s*(?:only\s+)?$|\b(?:should|supposed to|ought to)\s+(?:have\s+)?(?:be(?:en)?|cost|pay|charge(?:d)?)(?:\s+(?:me|us|only|just))*\s*$|\binstead\s+of\s*(?:the\s+)?$|\b(?:normally|usually|costs?|listed\s+at|quoted|agreed(?:\s+on)?|promised|advertised(?:\s+at)?)\s*$/i },
  { role: "charged", re: /\b(?:charged|billed|paid|pay|took|taken|debited|deducted|withdrew|withdrawn|cost(?:s)?\s+me|spent|charge\s+of|payment\s+of|bill\s+of|invoice\s+(?:of|for)|purchase\s+of)\b(?:\s+(?:me|us|my|our|the|a|an|for|with|me\s+for|twice|again))*\s*$|\b(?:bezahlt|abgebucht|payé|prélevé|cobrado|cobraron|pagué)\s*$|請求\s*$|결제\s*$/iu },
];
const ROLE_AFTER: { role: MentionRole; re: RegExp }[] = [
  { role: "ask", re: /^\s*(?:please\s+|pls\s+|bitte\s+)?(?:back|refund(?:ed)? (?:to me|please)|difference|zurück|de vuelta)\b|^\s*(?:を|만|을|를)?\s*(?:返金|환불)/iu },
  { role: "charged", re: /^\s*(?:charge|payment|transaction|invoice|order|bill|renewal|purchase|add-?on|debit)\b|^\s*(?:was|were)\s+(?:charged|billed|taken|debited)\b|^\s*(?:abgebucht|bezahlt|prélevés?)/iu },
  { role: "expected", re: /^\s*(?:plan|price|tier|per month|a month|\/mo(?:nth)?)\b/i },
];
/** Words that end the clause an amount belongs to, for looking back at its role. */
const CLAUSE_END = /[.!?;\n]|\b(?:but|however|although|though|whereas)\b|,\s+(?=(?:and|so|my|the|i|we|you)\b)/gi;

function clauseStart(text: string, at: number): number {
  let start = 0;
  for (const m of text.slice(0, at).matchAll(CLAUSE_END)) start = m.index! + m[0].length;
  return start;
}

function roleOf(text: string, start: number, end: number): MentionRole | null {
  const after = text.slice(end, end + 24);
  for (const r of ROLE_AFTER) if (r.re.test(after)) return r.role;
  const before = text.slice(Math.max(clauseStart(text, start), start - 48), start);
  for (const r of ROLE_BEFORE) if (r.re.test(before)) return r.role;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------

function resolveMarker(token: string | undefined, hint: string | null, before = false): { code: string | null; why?: string; cents?: boolean } | null {
  if (!token) return null;
  const t = token.trim().toLowerCase();
  if (!t || (before && WORDY(t) && t in MARKERS && !PREFIX_WORDS.has(t))) return null;
  if (t === "cent" || t === "cents") {
    const code = hint && CENTS.has(hint) ? hint : "usd";
    return { code, cents: true };
  }
  const m = MARKERS[t];
  if (m) {
    if ("code" in m) return { code: m.code };
    if (hint && m.family.has(hint)) return { code: hint };
    if (m.usual) return { code: m.usual };
    return { code: null, why: `"${token.trim()}" is the name of several currencies` };
  }
  // A three-letter code: capitals for any ISO code, lowercase only for the common ones (so "top", "all", "try" stay words).
  const original = token.trim();
  const code = currencyCode(original);
  if (code && (original === original.toUpperCase() || LOWERCASE_CODES.has(code.toLowerCase()))) return { code: code.toLowerCase() };
  return null;
}

function moneyMention(text: string, start: number, end: number, raw: string, currency: string | null, why: string | undefined, cents = false): AmountMention {
  const base = { kind: "money" as const, text: text.slice(start, end), start, end, currency, role: roleOf(text, start, end) };
  if (!currency) return { ...base, minor: null, major: null, certain: false, why };
  const exp = cents ? 0 : stripeExponent(currency);
  const n = readNumber(raw, exp);
  if ("ambiguous" in n) return { ...base, minor: null, major: null, certain: false, why: n.ambiguous };
  if ("invalid" in n) return { ...base, minor: null, major: null, certain: false, why: n.invalid };
  if (cents) {
    const minor = /^\d+$/.test(n.decimal) && stripeExponent(currency) === 2 ? Number(n.decimal) : null;
    return minor == null ? { ...base, minor: null, major: null, certain: false, why: `"${base.text}" is not a whole number of cents` } : { ...base, minor, major: toMajorString(minor, currency), certain: true };
  }
  const minor = toMinor(n.decimal, currency);
  if (minor == null) return { ...base, minor: null, major: n.decimal, certain: false, why: `${currency.toUpperCase()} has ${exp} decimals, "${base.text}" has more` };
  return { ...base, minor, major: n.decimal, certain: true };
}

/** Every amount-like mention in `text`, in the order written. */
export function readAmounts(text: string, opts: ReadAmountsOptions = {}): AmountMention[] {
  const hint = opts.currency ? (currencyCode(opts.currency)?.toLowerCase() ?? null) : null;
  const never = ranges(text, NEVER_AMOUNTS);
  const notBare = ranges(text, NOT_BARE_AMOUNTS);
  const out: AmountMention[] = [];
  const taken: [number, number][] = [];
  const take = (m: AmountMention) => {
    out.push(m);
    taken.push([m.start, m.end]);
  };
  const each = (re: RegExp, f: (m: RegExpMatchArray, start: number, end: number) => void) => {
    for (const m of text.matchAll(re)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (!inside(taken, start, end)) f(m, start, end);
    }
  };

  // Vague first: "half a year ago" and "the rest of the month" are not "half" and "the rest".
  each(VAGUE_RE, (m, start, end) => take({ kind: "vague", text: m[0], start, end, role: roleOf(text, start, end), certain: false, why: `"${m[0]}" names no amount` }));

  each(PERCENT_RE, (m, start, end) => {
    if (inside(never, start, end)) return;
    const p = readNumber(m[1]!, 2);
    const [intPart = "", frac = ""] = ("decimal" in p ? p.decimal : "").split(".");
    const value = Number(`${intPart}.${frac || "0"}`);
    const ok = Number.isFinite(value) && value > 0 && value <= 100;
    take({
      kind: "fraction", text: m[0], start, end, role: roleOf(text, start, end),
      ...(ok ? { fraction: { numerator: Number(intPart + frac), denominator: 100 * 10 ** frac.length }, certain: true } : { certain: false, why: `"${m[0]}" is not a share of a charge` }),
    });
  });

  each(AMOUNT_RE, (m) => {
    const g = m.groups!;
    const numStart = m.index! + (g.pre?.length ?? 0);
    const numEnd = numStart + g.num!.length;
    if (inside(never, numStart, numEnd) || inside(taken, numStart, numEnd)) return;
    const pre = resolveMarker(g.pre, hint, true);
    const post = resolveMarker(g.post, hint);
    const start = pre ? m.index! : numStart;
    const end = post ? numEnd + g.post!.length : numEnd;
    if (!pre && !post) {
      // Digits glued to letters ("mp3", "B2B") or counted things ("3 months") are no amount; other bare numbers are reported.
      if (/\p{L}/u.test(text[numStart - 1] ?? "") || inside(notBare, numStart, numEnd)) return;
      take({ kind: "number", text: g.num!, start: numStart, end: numEnd, minor: null, major: null, currency: null, role: roleOf(text, numStart, numEnd), certain: false, why: `"${g.num}" has no currency` });
      return;
    }
    if (pre && post && pre.code !== post.code && !post.cents) {
      take({ kind: "money", text: text.slice(start, end), start, end, currency: null, minor: null, major: null, role: roleOf(text, start, end), certain: false, why: `"${text.slice(start, end)}" names two currencies` });
      return;
    }
    const r = post?.cents ? post : (pre ?? post)!;
    take(moneyMention(text, start, end, g.num!, r.code, r.why, r.cents));
  });

  each(WORD_AMOUNT_RE, (m, start, end) => {
    const n = wordsToNumber(m.groups!.words!);
    const r = resolveMarker(m.groups!.cur, hint);
    if (n != null && r) take(moneyMention(text, start, end, String(n), r.code, r.why, r.cents));
  });

  for (const f of FRACTIONS) each(f.re, (m, start, end) => take({ kind: "fraction", text: m[0], start, end, fraction: { numerator: f.n, denominator: f.d }, role: roleOf(text, start, end), certain: true }));
  each(REST_RE, (m, start, end) => take({ kind: "rest", text: m[0], start, end, role: "ask", certain: true }));
  each(SEVERAL_RE, (m, start, end) => take({ kind: "full", text: m[0], start, end, role: "ask", certain: false, why: `"${m[0]}" asks about several charges` }));
  each(FULL_RE, (m, start, end) => take({ kind: "full", text: m[0], start, end, role: "ask", certain: true }));
  each(DIFFERENCE_RE, (_m, start, end) => take(difference(text, start, end, out)));
  return out.sort((a, b) => a.start - b.start);
}

/**
 * "The difference": between the two amounts the text gives (certain when both are, in one currency); "the $10
 * difference" or "a difference of $10" is that amount, which readAmounts already marks as the ask.
 */
function difference(text: string, start: number, end: number, found: AmountMention[]): AmountMention {
  const base = { kind: "difference" as const, text: text.slice(start, end), start, end, role: "ask" as const };
  const money = found.filter((m) => m.kind === "money");
  const adjacent = money.find((m) => (m.end <= start && start - m.end <= 2) || (m.start >= end && /^\s*(?:of|is|was|:)?\s*$/i.test(text.slice(end, m.start))));
  if (adjacent) {
    adjacent.role = "ask";
    return { ...base, currency: adjacent.currency, minor: adjacent.minor, certain: adjacent.certain, ...(adjacent.why ? { why: adjacent.why } : {}) };
  }
  if (money.length !== 2) return { ...base, minor: null, certain: false, why: `"the difference" with ${money.length === 0 ? "no amounts" : `${money.length} amounts`} in the message` };
  const [a, b] = money as [AmountMention, AmountMention];
  if (!a.certain || !b.certain || a.minor == null || b.minor == null) return { ...base, minor: null, certain: false, why: "one of the two amounts is not certain" };
  if (a.currency !== b.currency) return { ...base, minor: null, certain: false, why: `the two amounts are in ${a.currency?.toUpperCase()} and ${b.currency?.toUpperCase()}` };
  if (a.minor === b.minor) return { ...base, minor: null, certain: false, why: "the two amounts are equal" };
  // "The difference between $45 and $29": what was taken is the larger, what it should have cost the smaller.
  const [larger, smaller] = a.minor > b.minor ? [a, b] : [b, a];
  larger.role ??= "charged";
  smaller.role ??= "expected";
  return { ...base, currency: a.currency, minor: Math.abs(a.minor - b.minor), certain: true };
}
