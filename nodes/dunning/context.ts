// Dunning context: the invoice, its newest payment attempt and decline, the card and the customer's standing, re-read from Stripe.
import type Stripe from "stripe";
import type { CaseHistory } from "../../domain/history.js";
import type { StripeReads } from "../../stripe/gateway/reads.js";
import { idOf, triggerOf, type SpecialistInput, type Trigger } from "../proposal.js";
import { classifyDecline, type DeclineClassification, type DeclineSignals } from "./decline-codes.js";

export interface CardFacts {
  id: string;
  brand: string | null;
  expMonth: number | null;
  expYear: number | null;
  /** The card's expiry month has passed at `now`. */
  expired: boolean;
  /** Stripe's fingerprint of the card number: the same card under any payment method or invoice. */
  fingerprint: string | null;
}

/** Declined attempts on this card (by fingerprint), any invoice of the customer, as Stripe's charges list them. */
export interface CardAttempts {
  last24h: number;
  last30d: number;
}

export interface DunningContext {
  trigger: Trigger;
  now: number;
  history: CaseHistory;
  invoiceId: string | null;
  /** The invoice as Stripe has it now (null: not found). */
  invoice: Stripe.Invoice | null;
  payment: Stripe.InvoicePayment | null;
  paymentIntent: Stripe.PaymentIntent | null;
  /** The latest charge of that PaymentIntent: its `outcome` carries risk and network advice. */
  charge: Stripe.Charge | null;
  signals: DeclineSignals;
  decline: DeclineClassification;
  /** The invoice's subscription as Stripe has it now: its status says whether Stripe still collects and gives access. */
  subscription: Stripe.Subscription | null;
  customer: Stripe.Customer | null;
  card: CardFacts | null;
  cardAttempts: CardAttempts;
  /** Paid invoices of the customer (or, when invoices are not listed, succeeded charges): the payment history. */
  paidInvoices: number;
  tenureDays: number;
  /** Other open, past-due invoices of the customer (a pattern, not this one). */
  otherOpenInvoices: number;
}

function cardFacts(pm: Stripe.PaymentMethod | null, fallback: Stripe.Charge | null, now: number): CardFacts | null {
  const card = pm?.card ?? fallback?.payment_method_details?.card ?? null;
  const id = pm?.id ?? idOf(fallback?.payment_method ?? null);
  if (!card || !id) return null;
  const d = new Date(now * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const expYear = card.exp_year ?? null;
  const expMonth = card.exp_month ?? null;
  const expired = expYear != null && expMonth != null && (expYear < y || (expYear === y && expMonth < m));
  const fingerprint = (card as { fingerprint?: string | null }).fingerprint ?? fallback?.payment_method_details?.card?.fingerprint ?? null;
  return { id, brand: card.brand ?? null, expMonth, expYear, expired, fingerprint };
}

/** The invoice this run is about: the event's object id, or the customer's newest open invoice for a support request. */
async function resolveInvoiceId(reads: StripeReads, input: SpecialistInput): Promise<string | null> {
  if (input.kind === "event") {
    const o = input.event.data.object;
    if (o.object === "invoice" || (typeof o.id === "string" && o.id.startsWith("in_"))) return o.id ?? null;
    const inv = (o as { invoice?: unknown }).invoice;
    return typeof inv === "string" ? inv : null;
  }
  const open = await reads.listInvoices({ customer: input.request.customer, status: "open", limit: 5 });
  return open.sort((a, b) => b.created - a.created)[0]?.id ?? null;
}

export async function gatherDunningContext(
  reads: StripeReads,
  input: SpecialistInput,
  history: CaseHistory,
  now: number,
): Promise<DunningContext> {
  const invoiceId = await resolveInvoiceId(reads, input);
  // The event payload is a hint; the invoice as Stripe has it now is the truth (events arrive out of order).
  const invoice = invoiceId ? await reads.getInvoice(invoiceId) : null;

  let payment: Stripe.InvoicePayment | null = null;
  let paymentIntent: Stripe.PaymentIntent | null = null;
  let charge: Stripe.Charge | null = null;
  if (invoice) {
    const payments = await reads.listInvoicePayments(invoice.id);
    // Newest first per the gateway contract; sort anyway so a differently ordered source cannot pick an old attempt.
    payment = [...payments].sort((a, b) => b.created - a.created)[0] ?? null;
    const piId = idOf(payment?.payment?.payment_intent ?? null);
    paymentIntent = piId ? await reads.getPaymentIntent(piId) : null;
    const chId = idOf(paymentIntent?.latest_charge ?? null) ?? idOf(payment?.payment?.charge ?? null);
    charge = chId ? await reads.getCharge(chId) : null;
  }

  const err = paymentIntent?.last_payment_error ?? null;
  const signals: DeclineSignals = {
    code: err?.code ?? charge?.failure_code ?? null,
    declineCode: err?.decline_code ?? charge?.outcome?.reason ?? null,
    adviceCode: err?.advice_code ?? charge?.outcome?.advice_code ?? null,
    networkAdviceCode: err?.network_advice_code ?? charge?.outcome?.network_advice_code ?? null,
    networkDeclineCode: err?.network_decline_code ?? charge?.outcome?.network_decline_code ?? null,
    network: charge?.payment_method_details?.card?.network ?? charge?.payment_method_details?.card?.brand ?? null,
    riskLevel: charge?.outcome?.risk_level ?? null,
    outcomeType: charge?.outcome?.type ?? null,
    networkStatus: charge?.outcome?.network_status ?? null,
  };

  const subId = idOf(invoice?.parent?.subscription_details?.subscription ?? null);
  const customerId = idOf(invoice?.customer ?? null) ?? (input.kind === "request" ? input.request.customer : null);
  const [subscription, customer] = await Promise.all([
    subId ? reads.getSubscription(subId) : null,
    customerId ? reads.getCustomer(customerId) : null,
  ]);

  const pmId =
    idOf(err?.payment_method ?? null) ??
    idOf(charge?.payment_method ?? null) ??
    idOf(invoice?.default_payment_method ?? null) ??
    idOf(subscription?.default_payment_method ?? null) ??
    idOf(customer?.invoice_settings?.default_payment_method ?? null);
  const pm = pmId ? await reads.getPaymentMethod(pmId) : null;

  let paidInvoices = 0;
  let otherOpenInvoices = 0;
  if (customerId) {
    const [paid, open, charges] = await Promise.all([
      reads.listInvoices({ customer: customerId, status: "paid", limit: 24 }),
      reads.listInvoices({ customer: customerId, status: "open", limit: 10 }),
      reads.listCharges({ customer: customerId, limit: 24 }),
    ]);
    // Some accounts (and seeded data) show history only as charges; count whichever is richer, minus disputed/refunded ones.
    const goodCharges = charges.filter((c) => c.status === "succeeded" && !c.disputed && !c.refunded).length;
    paidInvoices = Math.max(paid.length, goodCharges);
    otherOpenInvoices = open.filter((i) => i.id !== invoiceId && (i.attempt_count ?? 0) > 0).length;
  }
  const since = customer?.created ?? subscription?.created ?? now;
  const card = cardFacts(pm, charge, now);
  if (card && !signals.network) signals.network = card.brand;
  const cardAttempts = customerId && card ? await declinedOnCard(reads, customerId, card, now) : { last24h: 0, last30d: 0 };

  return {
    trigger: triggerOf(input),
    now,
    history,
    invoiceId,
    invoice,
    payment,
    paymentIntent,
    charge,
    signals,
    decline: classifyDecline(signals),
    subscription,
    customer,
    card,
    cardAttempts,
    paidInvoices,
    tenureDays: Math.max(0, Math.floor((now - since) / 86400)),
    otherOpenInvoices,
  };
}

const DAY = 86400;

/**
 * Visa and Mastercard count reattempts per card, not per invoice: every declined charge on this card number
 * (fingerprint; the payment method when Stripe gives none) within 30 days, across all of the customer's invoices.
 */
async function declinedOnCard(reads: StripeReads, customer: string, card: CardFacts, now: number): Promise<CardAttempts> {
  const charges = await reads.listCharges({ customer, created: { gte: now - 30 * DAY }, limit: 100 });
  const sameCard = (c: Stripe.Charge) => {
    const fp = c.payment_method_details?.card?.fingerprint ?? null;
    return card.fingerprint && fp ? fp === card.fingerprint : idOf(c.payment_method ?? null) === card.id;
  };
  const declined = charges.filter((c) => c.status === "failed" && c.created >= now - 30 * DAY && c.created <= now && sameCard(c));
  return { last24h: declined.filter((c) => c.created > now - DAY).length, last30d: declined.length };
}
