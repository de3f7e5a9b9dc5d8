// What a person must never read: a Unix timestamp, or an amount in Stripe's minor units ("1500 usd", "before
// 1796547600"). The scan behind test/readable-text.test.ts; its own tests say what it catches and what it lets pass.
import { currencyCode } from "../../domain/money.js";

export interface Unreadable {
  kind: "unix timestamp" | "minor-unit amount";
  match: string;
  /** The text around the match, for the failure message. */
  context: string;
}

// Unix seconds from 2017 to 2033, standing alone: not inside an id (in_1795000000), a decimal or a longer number.
const UNIX_SECONDS = /(?<![\w.,$€£¥-])1[5-9]\d{8}(?!\w|[.,]\d)/g;
// A bare integer followed by a currency code, as code writes `${amount} ${currency}`: "1500 usd", "(4980 JPY)".
const AMOUNT_WITH_CODE = /(?<![\w.,])(\d{2,})\s?([a-zA-Z]{3})\b/g;
const CURRENCY_MARK = /[$€£¥₩₹₽₺₫₪₦₱฿]/;

const around = (text: string, at: number, length: number) => text.slice(Math.max(0, at - 40), at + length + 40).replace(/\s+/g, " ");

/**
 * The unreadable spots of `text`. `amounts` are the minor-unit amounts of the Stripe objects the text is about (with
 * currencies that have decimals, where minor and major units differ): such a number standing alone is an amount a
 * person would read a hundred times too large.
 */
export function findUnreadable(text: string, amounts: number[] = []): Unreadable[] {
  const out: Unreadable[] = [];
  for (const m of text.matchAll(UNIX_SECONDS)) out.push({ kind: "unix timestamp", match: m[0], context: around(text, m.index!, m[0].length) });
  for (const m of text.matchAll(AMOUNT_WITH_CODE)) {
    if (currencyCode(m[2]) && !/^(day|hrs|min|sec)$/i.test(m[2]!)) out.push({ kind: "minor-unit amount", match: m[0], context: around(text, m.index!, m[0].length) });
  }
  for (const amount of new Set(amounts.filter((a) => Number.isInteger(a) && a >= 100))) {
    const re = new RegExp(`(?<![\\w.,])${amount}(?!\\w|%|[.,]\\d)`, "g");
    for (const m of text.matchAll(re)) {
      // "¥500" or "$500" is a formatted amount of a currency without decimals, not a raw one.
      if (CURRENCY_MARK.test(text[m.index! - 1] ?? "")) continue;
      out.push({ kind: "minor-unit amount", match: m[0], context: around(text, m.index!, m[0].length) });
    }
  }
  return out;
}

/** The text of an HTML page as a person sees it: tags, scripts and styles out, entities decoded (attributes are machine data). */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, " ");
}

const AMOUNT_KEY = /^(amount|amount_[a-z_]+|unit_amount)$/;

/** Every minor-unit amount in Stripe objects (any depth) whose currency has decimals: what must not show up raw. */
export function minorAmountsOf(value: unknown, currency: string | null = null, out: number[] = []): number[] {
  if (Array.isArray(value)) {
    for (const v of value) minorAmountsOf(v, currency, out);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const c = typeof o.currency === "string" ? o.currency : currency;
    for (const [k, v] of Object.entries(o)) {
      if (AMOUNT_KEY.test(k) && typeof v === "number" && c && !ZERO_DECIMAL.has(c.toLowerCase())) out.push(v);
      else minorAmountsOf(v, c, out);
    }
  }
  return out;
}

// Where minor and major units are the same number, a bare amount is how people write it too (Stripe's zero-decimal list).
const ZERO_DECIMAL = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]);
