// Money: every amount billops parses, compares, shows or sends goes through here. Stripe's API counts in minor
// units with its own exponent per currency, which is not always ISO 4217's; people read amounts formatted for them.
//
// Sources: ISO 4217 digits from the `currency-codes` package; Stripe's rules from https://docs.stripe.com/currencies
// ("Zero-decimal", "Three-decimal", "Special cases") and Stripe's ISK notice
// (https://support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds):
// - zero-decimal in Stripe's API: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF (MGA is two-decimal
//   in ISO 4217 but zero-decimal at Stripe);
// - three-decimal: BHD JOD KWD OMR TND, and Stripe requires the last digit to be 0 (amounts rounded to tens);
// - ISK is zero-decimal in ISO 4217 but stays two-decimal in Stripe's API, amounts a multiple of 100;
// - HUF and TWD are two-decimal for charges (payouts take whole units only).
import currencyCodes from "currency-codes";

const STRIPE_ZERO_DECIMAL = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const STRIPE_THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);
/** Two-decimal in Stripe's API, but only whole units can be charged: the minor amount must be a multiple of 100. */
const STRIPE_WHOLE_UNITS_ONLY = new Set(["ISK"]);

/** A currency code as Stripe writes it (lowercase) or as people do (uppercase); null when it is not ISO 4217. */
export function currencyCode(code: string | null | undefined): string | null {
  if (typeof code !== "string" || !/^[a-z]{3}$/i.test(code.trim())) return null;
  const upper = code.trim().toUpperCase();
  return currencyCodes.code(upper) ? upper : null;
}

/** How many decimals Stripe's API uses for the currency: `amount` = major × 10^exponent. */
export function stripeExponent(currency: string): number {
  const c = currency.toUpperCase();
  if (STRIPE_ZERO_DECIMAL.has(c)) return 0;
  if (STRIPE_THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** The smallest step Stripe accepts for a charge or refund in this currency, in minor units. */
export function stripeMinorStep(currency: string): number {
  const c = currency.toUpperCase();
  if (STRIPE_THREE_DECIMAL.has(c)) return 10;
  if (STRIPE_WHOLE_UNITS_ONLY.has(c)) return 100;
  return 1;
}

/** Whether Stripe would accept `minor` as a charge or refund amount in the currency. */
export function isStripeAmount(minor: number, currency: string): boolean {
  return Number.isSafeInteger(minor) && minor > 0 && minor % stripeMinorStep(currency) === 0;
}

/**
 * A decimal amount in major units (as a person writes it: "49.80", "4980", "1.25") to Stripe's minor units, exactly
 * — no binary floating point on the way. Null when the text has more decimals than the currency can carry.
 */
export function toMinor(major: string | number, currency: string): number | null {
  const text = typeof major === "number" ? (Number.isFinite(major) ? major.toString() : "") : major.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const exp = stripeExponent(currency);
  const fraction = (m[2] ?? "").replace(/0+$/, "");
  if (fraction.length > exp) return null;
  const minor = Number(m[1] + fraction.padEnd(exp, "0"));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** Stripe's minor units to a decimal string in major units ("4980" JPY → "4980", 4980 USD → "49.80", 1250 KWD → "1.250"). */
export function toMajorString(minor: number, currency: string): string {
  const exp = stripeExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const digits = Math.abs(Math.trunc(minor)).toString().padStart(exp + 1, "0");
  return exp === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/**
 * An amount as a person reads it: "$49.80", "¥4,980", "KWD 1.250", "€15.50". `locale` is the reader's (default
 * en-US). Digits shown follow the currency's own use (ISK shows whole krónur though Stripe counts hundredths).
 */
export function formatMoney(minor: number, currency: string, locale = "en-US"): string {
  const code = currencyCode(currency);
  const major = toMajorString(minor, currency);
  if (!code) return `${major} ${currency.toUpperCase()}`;
  // Never round away what was charged: CLDR shows HUF without decimals, yet a charge may carry fillér.
  const needed = (major.split(".")[1] ?? "").replace(/0+$/, "").length;
  const usual = new Intl.NumberFormat(locale, { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  const digits = Math.max(usual, needed);
  const f = new Intl.NumberFormat(locale, { style: "currency", currency: code, minimumFractionDigits: digits === usual ? undefined : digits, maximumFractionDigits: digits });
  // Intl formats a decimal string exactly (no float rounding); it takes strings at run time though its types say number.
  return f.format(major as unknown as number);
}
