// Dispute context: the dispute and everything Stripe knows that can answer it (charge, customer, card, subscriptions, invoices, refunds, access logs).
import type Stripe from "stripe";
import type { CaseHistory } from "../../domain/history.js";
import type { StripeReads } from "../../stripe/gateway/reads.js";
import { idOf, triggerOf, type SpecialistInput, type Trigger } from "../proposal.js";
import { reasonFamily } from "./reasons.js";

export interface DisputeContext {
  trigger: Trigger;
  now: number;
  history: CaseHistory;
  disputeId: string | null;
  dispute: Stripe.Dispute | null;
  charge: Stripe.Charge | null;
  customer: Stripe.Customer | null;
  paymentMethod: Stripe.PaymentMethod | null;
  /** All the customer's subscriptions, canceled ones included: cancellation history answers subscription_canceled. */
  subscriptions: Stripe.Subscription[];
  /** The customer's paid invoices, newest first. */
  invoices: Stripe.Invoice[];
  /** Refunds already given on the disputed charge. */
  refunds: Stripe.Refund[];
  /** The customer's other succeeded, undisputed charges: prior legitimate use answers fraud claims. */
  otherCharges: Stripe.Charge[];
  /**
   * The customer's charges 120–365 days before the disputed one (Visa CE 3.0's window), read only for fraud-family
   * disputes: candidates for prior undisputed transactions on the same card.
   */
  cardHistory: Stripe.Charge[];
  /** Customer metadata that looks like an access or usage log (key: value lines), if any. */
  accessLog: string | null;
  /** A dispute the request named (through its charge) that belongs to another customer: set aside, never acted on. */
  foreignObject?: { id: string; customer: string | null } | null;
}

/** Visa CE 3.0: prior transactions processed more than 119 and fewer than 366 days before the disputed one. */
export const CE3_WINDOW_DAYS = { min: 120, max: 365 } as const;

const ACCESS_KEY = /(access|login|usage|activity|last_seen|ip_address|sessions?)/i;

export function accessLogFrom(customer: Stripe.Customer | null): string | null {
  const md = customer?.metadata ?? {};
  const lines = Object.entries(md)
    .filter(([k, v]) => ACCESS_KEY.test(k) && typeof v === "string" && v.trim())
    .map(([k, v]) => `${k}: ${v}`);
  return lines.length ? lines.join("\n") : null;
}

export async function gatherDisputeContext(
  reads: StripeReads,
  input: SpecialistInput,
  history: CaseHistory,
  now: number,
): Promise<DisputeContext> {
  const o = input.kind === "event" ? input.event.data.object : null;
  const disputeId = o && (o.object === "dispute" || o.id?.startsWith("dp_") || o.id?.startsWith("du_")) ? (o.id ?? null) : null;
  // Re-read: a dispute's status and evidence move while events are in flight.
  let dispute = disputeId ? await reads.getDispute(disputeId) : null;
  if (!dispute && input.kind === "request" && input.request.charge) {
    dispute = (await reads.listDisputes({ charge: input.request.charge }))[0] ?? null;
  }
  const chargeId = idOf(dispute?.charge ?? null);
  let charge = chargeId ? await reads.getCharge(chargeId) : null;
  // A request may only reach the requester's own disputes: another customer's is set aside as not found.
  let foreignObject: DisputeContext["foreignObject"] = null;
  if (input.kind === "request" && charge && idOf(charge.customer) !== input.request.customer) {
    foreignObject = { id: dispute!.id, customer: idOf(charge.customer) };
    dispute = null;
    charge = null;
  }
  const customerId = idOf(charge?.customer ?? null) ?? (input.kind === "request" ? input.request.customer : null);
  const pmId = idOf(charge?.payment_method ?? null);
  // Visa CE 3.0 looks back 120–365 days from the disputed payment: one bounded read of that window, fraud disputes only.
  const window = customerId && charge && dispute && reasonFamily(dispute.reason) === "fraud"
    ? { gte: charge.created - CE3_WINDOW_DAYS.max * 86400, lte: charge.created - CE3_WINDOW_DAYS.min * 86400 }
    : null;
  const [customer, paymentMethod, subscriptions, invoices, refunds, charges, cardHistory] = await Promise.all([
    customerId ? reads.getCustomer(customerId) : null,
    pmId ? reads.getPaymentMethod(pmId) : null,
    customerId ? reads.listSubscriptions({ customer: customerId, status: "all", limit: 10 }) : [],
    customerId ? reads.listInvoices({ customer: customerId, status: "paid", limit: 24 }) : [],
    charge ? reads.listRefunds({ charge: charge.id }) : [],
    customerId ? reads.listCharges({ customer: customerId, limit: 20 }) : [],
    window ? reads.listCharges({ customer: customerId!, created: window, limit: 100 }) : [],
  ]);
  return {
    trigger: triggerOf(input),
    now,
    history,
    disputeId: dispute?.id ?? disputeId,
    dispute,
    charge,
    customer,
    paymentMethod,
    subscriptions,
    invoices: [...invoices].sort((a, b) => b.created - a.created),
    refunds,
    otherCharges: charges.filter((c) => c.id !== charge?.id && c.status === "succeeded" && !c.disputed).sort((a, b) => b.created - a.created),
    cardHistory: [...cardHistory].sort((a, b) => b.created - a.created),
    accessLog: accessLogFrom(customer),
    ...(foreignObject ? { foreignObject } : {}),
  };
}
