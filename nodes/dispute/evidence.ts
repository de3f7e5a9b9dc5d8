// Evidence assembly: Stripe facts → Stripe's text evidence fields, per dispute reason family.
import { formatMoney } from "../../domain/money.js";
import { formatDate } from "../../domain/dates.js";
import type Stripe from "stripe";
import type { DisputeContext } from "./context.js";
import type { Evidence } from "./schema.js";

export type ReasonFamily =
  | "fraud"
  | "product_not_received"
  | "product_unacceptable"
  | "subscription_canceled"
  | "credit_not_processed"
  | "duplicate"
  | "general";

export const REASON_FAMILY: Readonly<Record<string, ReasonFamily>> = {
  fraudulent: "fraud",
  unrecognized: "fraud",
  product_not_received: "product_not_received",
  product_unacceptable: "product_unacceptable",
  subscription_canceled: "subscription_canceled",
  credit_not_processed: "credit_not_processed",
  duplicate: "duplicate",
  general: "general",
  customer_initiated: "general",
  debit_not_authorized: "fraud",
  incorrect_account_details: "general",
  insufficient_funds: "general",
  bank_cannot_process: "general",
  check_returned: "general",
  noncompliant: "general",
};

export function reasonFamily(reason: string): ReasonFamily {
  return REASON_FAMILY[reason] ?? "general";
}

const day = (t: number) => formatDate(t);
const money = (amount: number, currency: string) => formatMoney(amount, currency);

function address(a: Stripe.Address | null | undefined): string | undefined {
  if (!a) return undefined;
  const s = [a.line1, a.line2, a.city, a.state, a.postal_code, a.country].filter(Boolean).join(", ");
  return s || undefined;
}

function subscriptionLines(ctx: DisputeContext): string[] {
  return ctx.subscriptions.map((s) => {
    const item = s.items?.data?.[0];
    const plan = item?.price?.nickname ?? item?.price?.id ?? "plan";
    const status = s.status === "canceled" ? `canceled on ${day(s.canceled_at ?? s.ended_at ?? 0)}` : s.cancel_at_period_end ? `set to cancel at period end (${day(item?.current_period_end ?? 0)})` : s.status;
    return `Subscription ${s.id} (${plan}) started ${day(s.start_date)}, ${status}.`;
  });
}

/** The facts every family uses: who paid, for what, when, and what already happened to the money. */
function common(ctx: DisputeContext): Evidence {
  const c = ctx.charge;
  const e: Evidence = {};
  const name = ctx.customer?.name ?? c?.billing_details?.name ?? undefined;
  const email = ctx.customer?.email ?? c?.billing_details?.email ?? c?.receipt_email ?? undefined;
  if (name) e.customer_name = name;
  if (email) e.customer_email_address = email;
  const billing = address(c?.billing_details?.address) ?? address(ctx.paymentMethod?.billing_details?.address) ?? address(ctx.customer?.address);
  if (billing) e.billing_address = billing;
  const inv = ctx.invoices[0];
  const lineDesc = inv?.lines?.data?.map((l) => l.description).filter(Boolean).join("; ");
  const desc = c?.description ?? lineDesc ?? undefined;
  if (desc) e.product_description = desc;
  if (c) e.service_date = day(c.created);
  return e;
}

function historyText(ctx: DisputeContext): string {
  const c = ctx.charge;
  const lines: string[] = [];
  if (c) lines.push(`Charge ${c.id}: ${money(c.amount, c.currency)} on ${day(c.created)}${c.description ? ` for "${c.description}"` : ""}.`);
  if (ctx.customer) lines.push(`Customer since ${day(ctx.customer.created)}.`);
  if (ctx.otherCharges.length) {
    lines.push(`${ctx.otherCharges.length} other successful, undisputed payments by the same customer, the latest on ${day(ctx.otherCharges[0].created)}.`);
  }
  const checks = c?.payment_method_details?.card?.checks;
  if (checks) lines.push(`Card checks at payment: CVC ${checks.cvc_check ?? "n/a"}, postal code ${checks.address_postal_code_check ?? "n/a"}, address ${checks.address_line1_check ?? "n/a"}.`);
  const three = c?.payment_method_details?.card?.three_d_secure;
  if (three?.result) lines.push(`3D Secure: ${three.result}.`);
  lines.push(...subscriptionLines(ctx));
  for (const r of ctx.refunds) lines.push(`Refund ${r.id}: ${money(r.amount, r.currency)} on ${day(r.created)} (${r.status}).`);
  return lines.join("\n");
}

export function assembleEvidence(ctx: DisputeContext): Evidence {
  const d = ctx.dispute!;
  const c = ctx.charge;
  const family = reasonFamily(d.reason);
  const e = common(ctx);
  const refunded = ctx.refunds.filter((r) => r.status === "succeeded").reduce((n, r) => n + r.amount, 0);
  const activeSub = ctx.subscriptions.find((s) => s.status !== "canceled");

  if (ctx.accessLog && (family === "fraud" || family === "product_not_received" || family === "subscription_canceled" || family === "product_unacceptable")) {
    e.access_activity_log = ctx.accessLog;
  }
  if (c?.shipping?.address) {
    e.shipping_address = address(c.shipping.address);
    if (c.shipping.carrier) e.shipping_carrier = c.shipping.carrier;
    if (c.shipping.tracking_number) e.shipping_tracking_number = c.shipping.tracking_number;
  }

  switch (family) {
    case "fraud":
      break;
    case "product_not_received":
      if (!c?.shipping) e.uncategorized_text = "Digital service: access was available from the service date; see the access log where present.";
      break;
    case "product_unacceptable":
      e.refund_policy_disclosure = "Refund terms are shown at checkout and in the terms of service.";
      e.refund_refusal_explanation = refunded
        ? `A refund of ${money(refunded, d.currency)} was already issued.`
        : "The customer did not request a refund through support before disputing.";
      break;
    case "subscription_canceled":
      e.cancellation_policy_disclosure = "Subscriptions renew automatically until canceled; cancellation takes effect at the end of the paid period.";
      e.cancellation_rebuttal = activeSub
        ? `Subscription ${activeSub.id} was ${activeSub.status}${activeSub.cancel_at_period_end ? " (set to cancel at period end)" : ""} and not canceled when this charge was made.`
        : `The subscription was canceled after this charge; the charge covers a period in which the service was available.`;
      break;
    case "credit_not_processed":
      e.refund_policy_disclosure = "Refund terms are shown at checkout and in the terms of service.";
      e.refund_refusal_explanation = refunded
        ? `Refunds of ${money(refunded, d.currency)} were issued: ${ctx.refunds.map((r) => `${r.id} on ${day(r.created)}`).join(", ")}.`
        : "No refund or credit was promised for this charge, and no cancellation was received before it.";
      break;
    case "duplicate": {
      const other = ctx.otherCharges.find((o) => o.amount === c?.amount);
      e.duplicate_charge_explanation = other
        ? `Charge ${c?.id} and ${other.id} are separate purchases or billing periods (${day(other.created)} and ${day(c?.created ?? 0)}), not a duplicate.`
        : `No other charge of the same amount exists for this customer; ${c?.id} is a single payment.`;
      if (other) e.duplicate_charge_id = other.id;
      break;
    }
    case "general":
      break;
  }
  e.uncategorized_text = [e.uncategorized_text, historyText(ctx)].filter(Boolean).join("\n");
  return Object.fromEntries(Object.entries(e).filter(([, v]) => typeof v === "string" && v.trim())) as Evidence;
}
