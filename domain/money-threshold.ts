// Money thresholds per currency (auto_refund_limit, escalate_amount, …): what a policy file says, how it is parsed
// and the limit in Stripe's minor units for one currency. A threshold is never one raw number for every currency.
import { z } from "zod";
import { currencyCode, formatMoney, stripeExponent, toMajorString, toMinor } from "./money.js";

/**
 * Parsed: either the historical bare number (that many minor units in any currency, as `AUTO_REFUND_LIMIT=5000` and
 * older scenario files say), or amounts per currency with a default for the others.
 */
export type MoneyThreshold =
  | { kind: "minor_any"; minor: number }
  | { kind: "per_currency"; amounts: Record<string, number>; otherwise: string };

const majorAmount = z.union([
  z.number().nonnegative().refine(Number.isFinite, "must be finite"),
  z.string().trim().regex(/^\d+(?:\.\d+)?$/, "a decimal amount in major units, e.g. \"50\" or \"15.000\""),
]);

function perCurrency(obj: Record<string, string | number>, ctx: z.RefinementCtx): MoneyThreshold {
  const amounts: Record<string, number> = {};
  let otherwise = "0";
  for (const [key, value] of Object.entries(obj)) {
    const major = typeof value === "number" ? value.toString() : value;
    if (key === "default") {
      otherwise = major;
      continue;
    }
    const code = currencyCode(key);
    if (!code) {
      ctx.addIssue({ code: "custom", path: [key], message: `${key} is not an ISO 4217 currency code` });
      continue;
    }
    const minor = toMinor(major, code);
    if (minor == null) ctx.addIssue({ code: "custom", path: [key], message: `${major} has more decimals than ${code} (${stripeExponent(code)})` });
    else amounts[code.toLowerCase()] = minor;
  }
  return { kind: "per_currency", amounts, otherwise };
}

/** A threshold in a policy block: a number (minor units in any currency, the historical meaning) or `{usd: 50, jpy: 7500, default: 0}` in major units. */
export const MoneyThresholdSchema = z.union([
  z.number().int().nonnegative().transform((minor): MoneyThreshold => ({ kind: "minor_any", minor })),
  z.record(z.string(), majorAmount).transform(perCurrency),
]);

export type MoneyThresholdInput = z.input<typeof MoneyThresholdSchema>;

/** The limit for `currency` in its Stripe minor units. `default` is read in the currency's own major units, truncated to what it can carry. */
export function thresholdFor(t: MoneyThreshold, currency: string): number {
  if (t.kind === "minor_any") return t.minor;
  const c = currency.toLowerCase();
  if (c in t.amounts) return t.amounts[c]!;
  const [int, frac = ""] = t.otherwise.split(".");
  return toMinor(`${int}.${frac.slice(0, stripeExponent(c)) || "0"}`, c) ?? 0;
}

/** "$50.00" / "¥7,500" / "KWD 15.000": the limit as a person reads it. */
export function formatThreshold(t: MoneyThreshold, currency: string): string {
  return formatMoney(thresholdFor(t, currency), currency);
}

/** Back to what a policy file says (for showing the policy in force). */
export function thresholdInput(t: MoneyThreshold): MoneyThresholdInput {
  if (t.kind === "minor_any") return t.minor;
  return { ...Object.fromEntries(Object.entries(t.amounts).map(([c, m]) => [c, toMajorString(m, c)])), default: t.otherwise };
}

/** One line for prompts and docs: "usd $50.00, jpy ¥7,500, … other currencies 0". */
export function describeThreshold(t: MoneyThreshold): string {
  if (t.kind === "minor_any") return `${t.minor} minor units in any currency`;
  const listed = Object.entries(t.amounts).map(([c, m]) => `${c} ${formatMoney(m, c)}`);
  return `${listed.join(", ")}; other currencies ${t.otherwise} in their own units`;
}

/** Whether a parsed policy value is a threshold (policyLeaves shows it whole, as a policy file would write it). */
export function isMoneyThreshold(v: unknown): v is MoneyThreshold {
  const k = (v as { kind?: unknown } | null)?.kind;
  return typeof v === "object" && v !== null && (k === "minor_any" || k === "per_currency");
}

/** A parsed threshold back in the form a policy file writes: the bare number, or `{usd: "50.00", …, default: "0"}`. */
export function thresholdAsInput(t: MoneyThreshold): number | Record<string, string> {
  if (t.kind === "minor_any") return t.minor;
  const out: Record<string, string> = {};
  for (const [c, minor] of Object.entries(t.amounts)) out[c] = toMajorString(minor, c);
  out.default = t.otherwise;
  return out;
}
