// The case story for a person: the Stripe facts a specialist gathered, formatted (money with currency, dates, codes).
import { formatMoney } from "../../domain/money.js";

export interface Fact {
  label: string;
  value: string;
  /** A fact that should catch the eye (a deadline, a hard decline). */
  strong?: boolean;
}

/** Minor units to a currency string, with Stripe's exponent for the currency (domain/money.ts). */
export function money(amount: unknown, currency: unknown): string {
  if (typeof amount !== "number" || typeof currency !== "string" || !currency) return "—";
  return formatMoney(amount, currency);
}

/** Unix seconds to "2026-12-08 13:12 UTC": approvers work across time zones, so one zone, named. */
export function when(unix: unknown): string {
  if (typeof unix !== "number" || !Number.isFinite(unix)) return "—";
  return new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** "in 3 days", "2 hours ago": relative to the billops clock, not the browser's. */
export function relative(unix: number, now: number): string {
  const d = unix - now;
  const abs = Math.abs(d);
  if (abs < 60) return "just now";
  const [n, unit] = abs >= 86400 ? [Math.round(abs / 86400), "day"] : abs >= 3600 ? [Math.round(abs / 3600), "hour"] : [Math.max(1, Math.round(abs / 60)), "minute"];
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

/** The facts worth a person's eye, in the order they read a case: who, what was charged, what went wrong. */
export function caseFacts(context: unknown, now: number): Fact[] {
  const ctx = (context ?? {}) as Record<string, any>;
  const out: Fact[] = [];
  const add = (label: string, value: string | null | undefined, strong = false) => {
    if (value) out.push({ label, value, ...(strong ? { strong } : {}) });
  };

  const cust = ctx.customer;
  if (cust) add("Customer", [str(cust.name), str(cust.email) && `<${cust.email}>`, str(cust.id) && `(${cust.id})`].filter(Boolean).join(" "));
  if (ctx.tenureDays != null) add("Customer for", `${ctx.tenureDays} days`);
  if (ctx.trigger?.message) add("Customer wrote", `“${String(ctx.trigger.message).slice(0, 600)}”`);

  const ch = ctx.charge;
  if (ch) {
    add("Charge", `${ch.id} · ${money(ch.amount, ch.currency)}${str(ch.description) ? ` · ${ch.description}` : ""} · ${when(ch.created)}`);
    const card = ch.payment_method_details?.card;
    if (card) add("Card", `${card.brand ?? "card"} •••• ${card.last4 ?? "????"}`);
    if (ch.amount_refunded) add("Already refunded", money(ch.amount_refunded, ch.currency));
    if (ch.failure_code) add("Charge failure", `${ch.failure_code}${ch.outcome?.reason ? ` (${ch.outcome.reason})` : ""}`, true);
  }
  if (typeof ctx.refundable === "number") add("Refundable", money(ctx.refundable, ch?.currency));
  if (ctx.earlyFraudWarning) add("Early fraud warning", `${ctx.earlyFraudWarning.fraud_type ?? "yes"}`, true);

  const dp = ctx.dispute;
  if (dp) {
    add("Dispute", `${dp.id} · ${money(dp.amount, dp.currency)} · ${dp.status ?? ""}`);
    add("Dispute reason", str(dp.reason), true);
    const due = dp.evidence_details?.due_by;
    if (typeof due === "number") add("Evidence due", `${when(due)} (${relative(due, now)})`, true);
    if (dp.is_charge_refundable != null) add("Charge refundable", dp.is_charge_refundable ? "yes" : "no");
  }

  const inv = ctx.invoice;
  if (inv) {
    add("Invoice", `${inv.number ?? inv.id} · ${money(inv.amount_due, inv.currency)} due · ${inv.status ?? ""} · attempt ${inv.attempt_count ?? 0}`);
    if (inv.next_payment_attempt) add("Stripe's next attempt", when(inv.next_payment_attempt));
  }
  const sig = ctx.signals;
  const declineCode = sig?.declineCode ?? sig?.code ?? ctx.paymentIntent?.last_payment_error?.decline_code ?? ch?.outcome?.reason ?? null;
  if (declineCode && (sig || ctx.paymentIntent?.last_payment_error)) add("Decline code", `${declineCode}${ctx.decline?.category ? ` (${ctx.decline.category})` : ""}`, true);
  if (ctx.decline?.why) add("Decline", ctx.decline.why);
  if (ctx.card?.expired) add("Card on file", "expired", true);

  const sub = ctx.subscription;
  if (sub && typeof sub === "object") {
    const item = sub.items?.data?.[0];
    const price = item?.price;
    add("Subscription", `${sub.id} · ${sub.status}${price ? ` · ${price.nickname ?? price.id} ${money(price.unit_amount, price.currency)}/${price.recurring?.interval ?? "period"}` : ""}${sub.cancel_at_period_end ? " · cancels at period end" : ""}`);
  }
  if (ctx.history?.billopsRetries) add("billops retries so far", String(ctx.history.billopsRetries));
  return out;
}
