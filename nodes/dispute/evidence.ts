// Evidence assembly: Stripe facts and the operator's own policy texts → Stripe's evidence fields, per reason family.
// Every line states something billops read, and its source is kept beside it: a bank reads staged evidence as the
// merchant's word, so nothing here is boilerplate (nodes/dispute/policy.test.ts checks every field of every family).
import { formatMoney } from "../../domain/money.js";
import { formatDate } from "../../domain/dates.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import type Stripe from "stripe";
import type { DisputeContext } from "./context.js";
import type { Evidence, EvidenceField } from "./schema.js";
import { assessCe3, type Ce3Assessment } from "./ce3.js";
import { reasonFamily } from "./reasons.js";

export { REASON_FAMILY, reasonFamily, type ReasonFamily } from "./reasons.js";

export interface StagedEvidence {
  evidence: Evidence;
  /** Evidence field → where each of its statements came from (`stripe:ch_1.billing_details.name`, `billops:policy.…`). */
  sources: Record<string, string[]>;
  ce3: Ce3Assessment;
}

const day = (t: number) => formatDate(t);
const money = (amount: number, currency: string) => formatMoney(amount, currency);

function address(a: Stripe.Address | null | undefined): string | undefined {
  if (!a) return undefined;
  const s = [a.line1, a.line2, a.city, a.state, a.postal_code, a.country].filter(Boolean).join(", ");
  return s || undefined;
}

/** Lines per field with their sources: a field's text is its lines, its sources theirs. */
class Sheet {
  readonly lines = new Map<EvidenceField, string[]>();
  readonly sources = new Map<EvidenceField, Set<string>>();
  add(field: EvidenceField, text: string | null | undefined, ...sources: string[]): void {
    const t = text?.trim();
    if (!t || sources.length === 0) return;
    (this.lines.get(field) ?? this.lines.set(field, []).get(field)!).push(t);
    const s = this.sources.get(field) ?? this.sources.set(field, new Set()).get(field)!;
    for (const x of sources) s.add(x);
  }
  has(field: EvidenceField): boolean {
    return this.lines.has(field);
  }
}

const POLICY = "billops:policy.merchant_policies";

/** The facts every family uses: who paid, for what, when. */
function common(ctx: DisputeContext, config: PolicyConfig, s: Sheet): void {
  const c = ctx.charge;
  const cus = ctx.customer;
  if (cus?.name) s.add("customer_name", cus.name, `stripe:${cus.id}.name`);
  else if (c?.billing_details?.name) s.add("customer_name", c.billing_details.name, `stripe:${c.id}.billing_details.name`);
  if (cus?.email) s.add("customer_email_address", cus.email, `stripe:${cus.id}.email`);
  else if (c?.billing_details?.email) s.add("customer_email_address", c.billing_details.email, `stripe:${c.id}.billing_details.email`);
  else if (c?.receipt_email) s.add("customer_email_address", c.receipt_email, `stripe:${c.id}.receipt_email`);
  const billing: [string | undefined, string][] = [
    [address(c?.billing_details?.address), `stripe:${c?.id}.billing_details.address`],
    [address(ctx.paymentMethod?.billing_details?.address), `stripe:${ctx.paymentMethod?.id}.billing_details.address`],
    [address(cus?.address), `stripe:${cus?.id}.address`],
  ];
  const b = billing.find(([v]) => v);
  if (b) s.add("billing_address", b[0], b[1]);
  if (c?.description) s.add("product_description", c.description, `stripe:${c.id}.description`);
  else if (config.merchant_policies.service_description) s.add("product_description", config.merchant_policies.service_description, `${POLICY}.service_description`);
  // The charge's date: what billops knows of when the service was billed.
  if (c) s.add("service_date", day(c.created), `stripe:${c.id}.created`);
  for (const key of ["customer_purchase_ip", "ip_address", "client_ip"]) {
    const ip = c?.metadata?.[key];
    if (ip) {
      s.add("customer_purchase_ip", ip, `stripe:${c!.id}.metadata.${key}`);
      break;
    }
  }
}

/** Payment history as Stripe shows it, one sourced line each. */
function history(ctx: DisputeContext, s: Sheet): void {
  const c = ctx.charge;
  const f = "uncategorized_text";
  if (c) s.add(f, `Charge ${c.id}: ${money(c.amount, c.currency)} on ${day(c.created)}${c.description ? ` for "${c.description}"` : ""}.`, `stripe:${c.id}`);
  if (ctx.customer) s.add(f, `Customer ${ctx.customer.id} since ${day(ctx.customer.created)}.`, `stripe:${ctx.customer.id}.created`);
  if (ctx.otherCharges.length) {
    const o = ctx.otherCharges;
    s.add(f, `${o.length} other successful, undisputed payment${o.length === 1 ? "" : "s"} by the same customer (${o.slice(0, 12).map((x) => x.id).join(", ")}${o.length > 12 ? ", …" : ""}), the latest on ${day(o[0]!.created)}.`, ...o.map((x) => `stripe:${x.id}`));
  }
  const checks = c?.payment_method_details?.card?.checks;
  if (checks && (checks.cvc_check || checks.address_postal_code_check || checks.address_line1_check)) {
    const parts = [checks.cvc_check && `CVC ${checks.cvc_check}`, checks.address_postal_code_check && `postal code ${checks.address_postal_code_check}`, checks.address_line1_check && `address ${checks.address_line1_check}`].filter(Boolean);
    s.add(f, `Card checks on ${c!.id}: ${parts.join(", ")}.`, `stripe:${c!.id}.payment_method_details.card.checks`);
  }
  const three = c?.payment_method_details?.card?.three_d_secure;
  if (three?.result) s.add(f, `3D Secure on ${c!.id}: ${three.result}.`, `stripe:${c!.id}.payment_method_details.card.three_d_secure`);
  for (const sub of ctx.subscriptions) s.add(f, subscriptionLine(sub), `stripe:${sub.id}`);
  for (const r of ctx.refunds) s.add(f, `Refund ${r.id}: ${money(r.amount, r.currency)} on ${day(r.created)} (${r.status}).`, `stripe:${r.id}`);
}

function subscriptionLine(sub: Stripe.Subscription): string {
  const item = sub.items?.data?.[0];
  const plan = item?.price?.nickname ?? item?.price?.id ?? null;
  const state =
    sub.status === "canceled" && (sub.canceled_at ?? sub.ended_at)
      ? `canceled on ${day((sub.canceled_at ?? sub.ended_at)!)}`
      : sub.cancel_at_period_end && item?.current_period_end
        ? `${sub.status}, set to cancel on ${day(item.current_period_end)}`
        : sub.status;
  return `Subscription ${sub.id}${plan ? ` (${plan})` : ""} started ${day(sub.start_date)}, ${state}.`;
}

/** The operator's policy text, with the terms URL when configured; nothing when neither is written. */
function policyText(s: Sheet, field: EvidenceField, text: string | undefined, key: string, config: PolicyConfig): void {
  if (text) s.add(field, text, `${POLICY}.${key}`);
  if (config.merchant_policies.terms_url) s.add(field, `Terms of service: ${config.merchant_policies.terms_url}`, `${POLICY}.terms_url`);
}

function refundsGiven(ctx: DisputeContext, s: Sheet, currency: string): void {
  const done = ctx.refunds.filter((r) => r.status === "succeeded");
  if (!done.length) return;
  const total = done.reduce((n, r) => n + r.amount, 0);
  s.add("refund_refusal_explanation", `Refunded ${money(total, currency)} on this charge: ${done.map((r) => `${r.id} (${money(r.amount, r.currency)}, ${day(r.created)})`).join(", ")}.`, ...done.map((r) => `stripe:${r.id}`));
}

export function assembleEvidence(ctx: DisputeContext, config: PolicyConfig): StagedEvidence {
  const d = ctx.dispute!;
  const c = ctx.charge;
  const family = reasonFamily(d.reason);
  const s = new Sheet();
  common(ctx, config, s);
  const mp = config.merchant_policies;

  if (ctx.accessLog && ctx.customer && (family === "fraud" || family === "product_not_received" || family === "subscription_canceled" || family === "product_unacceptable")) {
    s.add("access_activity_log", ctx.accessLog, `stripe:${ctx.customer.id}.metadata`);
  }
  if (c?.shipping?.address) {
    s.add("shipping_address", address(c.shipping.address), `stripe:${c.id}.shipping.address`);
    s.add("shipping_carrier", c.shipping.carrier, `stripe:${c.id}.shipping.carrier`);
    s.add("shipping_tracking_number", c.shipping.tracking_number, `stripe:${c.id}.shipping.tracking_number`);
  }

  switch (family) {
    case "product_unacceptable":
    case "credit_not_processed":
      policyText(s, "refund_policy_disclosure", mp.refund_policy, "refund_policy", config);
      refundsGiven(ctx, s, d.currency);
      break;
    case "subscription_canceled": {
      policyText(s, "cancellation_policy_disclosure", mp.cancellation_policy, "cancellation_policy", config);
      // Only what Stripe records about cancellation relative to this charge; a subscription canceled before the
      // charge is a fact against us, left for a person (no rebuttal is written).
      if (c) {
        const before = ctx.subscriptions.filter((x) => x.canceled_at != null && x.canceled_at <= c.created);
        if (!before.length) {
          for (const sub of ctx.subscriptions) {
            const when = sub.canceled_at != null ? `was canceled on ${day(sub.canceled_at)}, after this charge on ${day(c.created)}` : sub.cancel_at_period_end ? `was set to cancel at period end and is ${sub.status}; Stripe records no cancellation before this charge on ${day(c.created)}` : `is ${sub.status}; Stripe records no cancellation of it`;
            s.add("cancellation_rebuttal", `Subscription ${sub.id} ${when}.`, `stripe:${sub.id}`, `stripe:${c.id}.created`);
          }
        }
      }
      break;
    }
    case "duplicate": {
      if (!c) break;
      const other = ctx.otherCharges.find((o) => o.amount === c.amount && o.currency === c.currency);
      if (other) {
        s.add("duplicate_charge_id", other.id, `stripe:${other.id}`);
        s.add(
          "duplicate_charge_explanation",
          `The customer's other payment of ${money(other.amount, other.currency)} is ${other.id} on ${day(other.created)}${other.description ? ` ("${other.description}")` : ""}; the disputed ${c.id} is on ${day(c.created)}${c.description ? ` ("${c.description}")` : ""}.`,
          `stripe:${other.id}`,
          `stripe:${c.id}`,
        );
      } else {
        s.add("duplicate_charge_explanation", `Among the customer's ${ctx.otherCharges.length + 1} most recent successful payments, ${c.id} (${money(c.amount, c.currency)}) is the only one of that amount.`, `stripe:charges?customer=${ctx.customer?.id ?? idOfCustomer(c)}`);
      }
      break;
    }
    default:
      break;
  }
  history(ctx, s);

  const ce3 = assessCe3(ctx, config);
  const evidence: Evidence = {};
  const sources: Record<string, string[]> = {};
  for (const [field, lines] of s.lines) {
    evidence[field] = lines.join("\n");
    sources[field] = [...s.sources.get(field)!];
  }
  if (ce3.qualified && ce3.evidence) {
    evidence.enhanced_evidence = { visa_compelling_evidence_3: ce3.evidence };
    sources["enhanced_evidence.visa_compelling_evidence_3"] = ce3.sources;
  }
  return { evidence, sources, ce3 };
}

function idOfCustomer(c: Stripe.Charge): string {
  return typeof c.customer === "string" ? c.customer : (c.customer?.id ?? "unknown");
}
