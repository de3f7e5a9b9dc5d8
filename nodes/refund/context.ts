// Refund context: the charge in question (from a request, an early fraud warning or a refund event), its refunds and
// disputes, the customer's recent charges and refunds (per-customer limits), the invoice payments that tell a
// duplicate from two purchases, and the live subscriptions an early fraud warning's card would be charged for again.
import type Stripe from "stripe";
import type { CaseHistory } from "../../domain/history.js";
import type { StripeReads } from "../../stripe/gateway/reads.js";
import { idOf, triggerOf, type SpecialistInput, type Trigger } from "../proposal.js";
import { chooseCharge } from "./request-reading.js";

const DAY = 86400;
/** How far back a customer's charges are read: refunds on older charges are rare and Stripe refuses most of them. */
const CHARGES_LOOKBACK_DAYS = 365;
/** Refunded charges whose refunds are listed (one request each); more than this and the customer's total is not known. */
const REFUND_LISTS = 10;
/** Duplicates without an invoice are looked for this far apart at most (the policy's own window is minutes). */
const DUPLICATE_SEARCH_SECONDS = DAY;

export interface RefundContext {
  trigger: Trigger;
  now: number;
  history: CaseHistory;
  /** The charge the case is about, re-read (null: none found). */
  charge: Stripe.Charge | null;
  /** Minor units still refundable on `charge`: captured minus refunded (0 when failed or fully refunded). */
  refundable: number;
  refunds: Stripe.Refund[];
  disputes: Stripe.Dispute[];
  earlyFraudWarning: Stripe.Radar.EarlyFraudWarning | null;
  /** The refund a refund event is about (failure events), found by listing the charge's refunds. */
  refund: Stripe.Refund | null;
  customer: Stripe.Customer | null;
  /** The customer's other charges of the last year (at most 100), newest first. */
  recentCharges: Stripe.Charge[];
  /** A charge the request named that belongs to another customer (then `charge` is null). */
  foreignCharge: string | null;
  /** How a support request's charge was found: attached by the support tool, named by the words, or only guessed. */
  chargeChoice: { how: "attached" | "named" | "guessed" | "none" | "event"; why?: string };
  /** Which invoice each charge looked at paid (Stripe's invoice_payments); null: a payment of no invoice. */
  invoiceOfCharge: Record<string, string | null>;
  /** Every payment of the invoice `charge` paid (two paid ones of one invoice are a duplicate). */
  invoicePayments: Stripe.InvoicePayment[];
  /** Refunds on the customer's charges of the last year; `complete` is false when there were too many to read. */
  customerRefunds: { refunds: Stripe.Refund[]; complete: boolean };
  /** The customer's live subscriptions (read for early fraud warnings: what would charge that card again). */
  subscriptions: Stripe.Subscription[];
}

export function refundableAmount(c: Stripe.Charge | null): number {
  if (!c || c.status !== "succeeded" || !c.paid) return 0;
  return Math.max(0, (c.amount_captured ?? c.amount) - (c.amount_refunded ?? 0));
}

const LIVE_SUBSCRIPTION = new Set(["active", "trialing", "past_due", "unpaid"]);

interface Resolved {
  chargeId: string | null;
  efw: Stripe.Radar.EarlyFraudWarning | null;
  refundId: string | null;
  choice: RefundContext["chargeChoice"];
}

async function resolveChargeId(reads: StripeReads, input: SpecialistInput, recent: () => Promise<Stripe.Charge[]>, now: number): Promise<Resolved> {
  if (input.kind === "request") {
    const explicit = input.request.charge ?? input.classification.params.charge ?? null;
    if (explicit) return { chargeId: explicit, efw: null, refundId: null, choice: { how: input.request.charge ? "attached" : "named" } };
    // No charge attached: the one the customer's words name (amount, day), else the newest — as a guess a person checks.
    const choice = chooseCharge(input.request.message ?? "", await recent(), now);
    return { chargeId: choice.charge?.id ?? null, efw: null, refundId: null, choice: { how: choice.how, ...(choice.why ? { why: choice.why } : {}) } };
  }
  const o = input.event.data.object;
  const event = { how: "event" as const };
  if (o.object === "radar.early_fraud_warning" || input.event.type.startsWith("radar.early_fraud_warning")) {
    // Re-read the warning: `actionable` flips to false once the charge is refunded or disputed.
    const efw = o.id ? await reads.getEarlyFraudWarning(o.id) : null;
    return { chargeId: idOf(efw?.charge ?? null) ?? idOf(o.charge as string | null), efw, refundId: null, choice: event };
  }
  if (o.object === "refund") return { chargeId: idOf(o.charge as string | null), efw: null, refundId: o.id ?? null, choice: event };
  if (o.object === "charge") return { chargeId: o.id ?? null, efw: null, refundId: null, choice: event };
  return { chargeId: typeof o.charge === "string" ? o.charge : null, efw: null, refundId: null, choice: event };
}

/** The invoice a charge paid, through its PaymentIntent's invoice payments (endive: charges and intents name no invoice). */
async function invoiceOf(reads: StripeReads, c: Stripe.Charge): Promise<string | null> {
  const pi = idOf(c.payment_intent ?? null);
  if (!pi) return null;
  const payments = await reads.listInvoicePaymentsOfPaymentIntent(pi);
  const paid = payments.find((p) => p.status === "paid") ?? payments[0];
  return paid ? idOf(paid.invoice) : null;
}

/** Refunds on the customer's refunded charges (newest REFUND_LISTS of them). */
async function refundsOfCustomer(reads: StripeReads, charges: Stripe.Charge[]): Promise<RefundContext["customerRefunds"]> {
  const refunded = charges.filter((c) => (c.amount_refunded ?? 0) > 0);
  const lists = await Promise.all(refunded.slice(0, REFUND_LISTS).map((c) => reads.listRefunds({ charge: c.id })));
  return { refunds: lists.flat(), complete: refunded.length <= REFUND_LISTS };
}

export async function gatherRefundContext(
  reads: StripeReads,
  input: SpecialistInput,
  history: CaseHistory,
  now: number,
): Promise<RefundContext> {
  const requester = input.kind === "request" ? input.request.customer : null;
  const since = now - CHARGES_LOOKBACK_DAYS * DAY;
  const listFor = (customer: string) => reads.listCharges({ customer, created: { gte: since }, limit: 100 });
  let requesterCharges: Promise<Stripe.Charge[]> | null = null;
  const recentOfRequester = () => (requesterCharges ??= requester ? listFor(requester) : Promise.resolve([]));

  const { chargeId, efw, refundId, choice } = await resolveChargeId(reads, input, recentOfRequester, now);
  let charge = chargeId ? await reads.getCharge(chargeId) : null;
  // A charge id can come from customer text or a support tool: one that belongs to someone else is treated as not found.
  const foreignCharge = charge && requester && idOf(charge.customer) !== requester ? charge.id : null;
  if (foreignCharge) charge = null;
  const customerId = idOf(charge?.customer ?? null) ?? requester;
  const refundsRelevant = input.kind === "request" || efw != null;
  const [refunds, disputes, customer, all] = await Promise.all([
    charge ? reads.listRefunds({ charge: charge.id }) : [],
    charge ? reads.listDisputes({ charge: charge.id }) : [],
    customerId ? reads.getCustomer(customerId) : null,
    customerId === requester && requester ? recentOfRequester() : customerId ? listFor(customerId) : Promise.resolve([] as Stripe.Charge[]),
  ]);
  const recentCharges = all.filter((c) => c.id !== charge?.id).sort((a, b) => b.created - a.created);

  const [customerRefunds, duplicateFacts, subscriptions] = await Promise.all([
    refundsRelevant ? refundsOfCustomer(reads, charge ? [charge, ...recentCharges] : recentCharges) : { refunds: [], complete: true },
    charge && input.kind === "request" ? duplicateFactsOf(reads, charge, recentCharges) : { invoiceOfCharge: {}, invoicePayments: [] },
    efw && customerId ? reads.listSubscriptions({ customer: customerId, status: "all", limit: 20 }).then((s) => s.filter((x) => LIVE_SUBSCRIPTION.has(x.status))) : [],
  ]);

  return {
    trigger: triggerOf(input),
    now,
    history,
    charge,
    refundable: refundableAmount(charge),
    refunds,
    disputes,
    earlyFraudWarning: efw,
    refund: refundId ? (refunds.find((r) => r.id === refundId) ?? null) : null,
    customer,
    recentCharges,
    foreignCharge,
    chargeChoice: choice,
    ...duplicateFacts,
    customerRefunds,
    subscriptions,
  };
}

/**
 * What tells a duplicate from two purchases: the invoice the charge paid and all payments of that invoice, or — for
 * a payment of no invoice — which invoice (if any) each same-amount charge of the day before or after paid.
 */
async function duplicateFactsOf(reads: StripeReads, charge: Stripe.Charge, others: Stripe.Charge[]): Promise<Pick<RefundContext, "invoiceOfCharge" | "invoicePayments">> {
  const invoice = await invoiceOf(reads, charge);
  const invoiceOfCharge: Record<string, string | null> = { [charge.id]: invoice };
  if (invoice) return { invoiceOfCharge, invoicePayments: await reads.listInvoicePayments(invoice) };
  const twins = others.filter((o) => o.amount === charge.amount && o.currency === charge.currency && Math.abs(o.created - charge.created) <= DUPLICATE_SEARCH_SECONDS);
  const invoices = await Promise.all(twins.map((t) => invoiceOf(reads, t)));
  twins.forEach((t, i) => (invoiceOfCharge[t.id] = invoices[i]!));
  return { invoiceOfCharge, invoicePayments: [] };
}

export interface DuplicatePair {
  original: Stripe.Charge;
  duplicate: Stripe.Charge;
  /** invoice: two paid payments of one invoice; same_amount: one amount, no invoice, minutes apart. */
  how: "invoice" | "same_amount";
}

/**
 * The duplicate rule in one place (policy and guard): "charged twice" is two paid payments of one invoice, or two
 * payments of the same amount and no invoice within `windowMinutes` — as Stripe's invoice_payments show, not any two
 * same-amount charges of a day (two $29 subscriptions are two invoices). The later payment is the extra one.
 */
export function findDuplicate(ctx: Pick<RefundContext, "charge" | "recentCharges" | "invoiceOfCharge" | "invoicePayments">, windowMinutes: number): DuplicatePair | null {
  const charge = ctx.charge;
  const ok = (c: Stripe.Charge) => c.status === "succeeded" && c.paid && !c.refunded;
  if (!charge || !ok(charge) || !(charge.id in ctx.invoiceOfCharge)) return null;
  const pair = (a: Stripe.Charge, b: Stripe.Charge, how: DuplicatePair["how"]): DuplicatePair =>
    // Keep the first payment, refund the later one: that is what the customer sees as "charged twice".
    a.created <= b.created ? { original: a, duplicate: b, how } : { original: b, duplicate: a, how };
  const invoice = ctx.invoiceOfCharge[charge.id];
  if (invoice) {
    const paidIntents = new Set(ctx.invoicePayments.filter((p) => idOf(p.invoice) === invoice && p.status === "paid").map((p) => idOf(p.payment?.payment_intent ?? null)));
    const twin = ctx.recentCharges.find((o) => ok(o) && paidIntents.has(idOf(o.payment_intent ?? null)) && idOf(o.payment_intent ?? null) !== idOf(charge.payment_intent ?? null));
    // Two payments of one invoice with different amounts are a split payment, not a duplicate.
    return twin && twin.amount === charge.amount && twin.currency === charge.currency ? pair(charge, twin, "invoice") : null;
  }
  const twins = ctx.recentCharges
    .filter((o) => ok(o) && o.id in ctx.invoiceOfCharge && ctx.invoiceOfCharge[o.id] === null)
    .filter((o) => o.amount === charge.amount && o.currency === charge.currency && idOf(o.customer) === idOf(charge.customer))
    .filter((o) => Math.abs(o.created - charge.created) <= windowMinutes * 60)
    .sort((a, b) => Math.abs(a.created - charge.created) - Math.abs(b.created - charge.created));
  return twins[0] ? pair(charge, twins[0], "same_amount") : null;
}

/** A dispute that still binds the charge (lost/won ones are history, but a lost one means the money is already gone). */
export function openDisputes(ctx: Pick<RefundContext, "disputes">): Stripe.Dispute[] {
  return ctx.disputes.filter((d) => d.status !== "won" && d.status !== "warning_closed" && d.status !== "prevented");
}

/** Stripe's 3D Secure result on a card charge that shifts fraud liability to the issuer. */
export function liabilityShifted(c: Stripe.Charge | null): boolean {
  const result = c?.payment_method_details?.card?.three_d_secure?.result;
  return result === "authenticated" || result === "attempt_acknowledged";
}
