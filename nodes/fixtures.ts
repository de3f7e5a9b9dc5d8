// Test fixtures: realistic Stripe objects (API 2026-10-28.endive shapes, as in ../shared/scenarios) and an in-memory StripeReads over them.
import type Stripe from "stripe";
import { EMPTY_HISTORY, type CaseHistory } from "../domain/history.js";
import type { StripeReads } from "../stripe/gateway/reads.js";
import type { EventLike, RequestClassification, SpecialistInput, SupportRequest } from "./proposal.js";
import { understandRequest } from "./supervisor/understanding/index.js";

export const NOW = 1796300000;
export const DAY = 86400;

type Over<T> = Partial<Record<keyof T, unknown>> & Record<string, unknown>;
const as = <T>(o: unknown) => o as T;

export function customer(o: Over<Stripe.Customer> = {}): Stripe.Customer {
  return as({
    id: "cus_A", object: "customer", email: "grace.h@example.com", name: "Grace Hopper", created: NOW - 400 * DAY,
    currency: "usd", delinquent: false, description: null, metadata: {}, livemode: false, address: null, shipping: null,
    invoice_settings: { default_payment_method: null, custom_fields: null, footer: null, rendering_options: null },
    ...o,
  });
}

export function card(o: Record<string, unknown> = {}) {
  return { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2028, country: "US", funding: "credit", checks: { address_line1_check: null, address_postal_code_check: "pass", cvc_check: "pass" }, ...o };
}

export function paymentMethod(o: Over<Stripe.PaymentMethod> & { card?: Record<string, unknown> } = {}): Stripe.PaymentMethod {
  const { card: c, ...rest } = o;
  return as({
    id: "pm_A", object: "payment_method", type: "card", customer: "cus_A", card: card(c ?? {}),
    billing_details: { email: "grace.h@example.com", name: "Grace Hopper", address: { line1: "1 Navy Way", city: "Arlington", postal_code: "22202", country: "US", line2: null, state: "VA" }, phone: null },
    created: NOW - 400 * DAY, livemode: false, metadata: {}, ...rest,
  });
}

export function invoice(o: Over<Stripe.Invoice> = {}): Stripe.Invoice {
  return as({
    id: "in_A", object: "invoice", customer: "cus_A", customer_email: "grace.h@example.com", customer_name: "Grace Hopper",
    amount_due: 2900, amount_paid: 0, amount_remaining: 2900, currency: "usd", attempt_count: 2, attempted: true,
    auto_advance: true, billing_reason: "subscription_cycle", collection_method: "charge_automatically",
    created: NOW - 3600, status: "open", next_payment_attempt: NOW + 3 * DAY,
    hosted_invoice_url: "https://invoice.stripe.com/i/acct_test/in_A", number: "H-000007",
    period_start: NOW - 30 * DAY, period_end: NOW, livemode: false, metadata: {}, description: null,
    default_payment_method: null, due_date: null, discounts: [],
    parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: "sub_A", metadata: {} } },
    status_transitions: { finalized_at: NOW - 3600, paid_at: null, voided_at: null, marked_uncollectible_at: null },
    lines: { object: "list", has_more: false, data: [] },
    ...o,
  });
}

export function invoicePayment(o: Over<Stripe.InvoicePayment> = {}): Stripe.InvoicePayment {
  return as({
    id: "inpay_A", object: "invoice_payment", invoice: "in_A", amount_paid: null, amount_requested: 2900, currency: "usd",
    is_default: true, livemode: false, created: NOW - 3600, payment: { type: "payment_intent", payment_intent: "pi_A" },
    status: "open", status_transitions: { canceled_at: null, paid_at: null }, ...o,
  });
}

export interface DeclineSpec {
  code?: string;
  decline_code?: string | null;
  advice_code?: string | null;
  risk_level?: string;
  outcome_type?: string;
  /** The network's own codes (Mastercard advice 03/21/24–30, Visa response codes), on the error and the outcome. */
  network_advice_code?: string | null;
  network_decline_code?: string | null;
  /** When the declined charge was made (default a day ago). */
  created?: number;
}

/** A PaymentIntent whose latest attempt failed the way `d` says, and its failed charge. */
export function declinedAttempt(d: DeclineSpec, o: { pi?: string; charge?: string; pm?: string; amount?: number } = {}) {
  const pi = o.pi ?? "pi_A";
  const ch = o.charge ?? "ch_fail";
  const pm = o.pm ?? "pm_A";
  const amount = o.amount ?? 2900;
  const code = d.code ?? "card_declined";
  const paymentIntent = as<Stripe.PaymentIntent>({
    id: pi, object: "payment_intent", amount, amount_received: 0, currency: "usd", customer: "cus_A",
    status: code === "authentication_required" ? "requires_action" : "requires_payment_method", created: NOW - 3600,
    latest_charge: ch, payment_method: null, metadata: {}, livemode: false, description: null,
    last_payment_error: {
      type: "card_error", code, decline_code: d.decline_code ?? undefined, advice_code: d.advice_code ?? undefined,
      network_advice_code: d.network_advice_code ?? undefined, network_decline_code: d.network_decline_code ?? undefined,
      message: "Your card was declined.", charge: ch, payment_method: paymentMethod({ id: pm }),
    },
  });
  const charge = chargeObj({
    id: ch, amount, amount_captured: 0, captured: false, paid: false, status: "failed", payment_intent: pi, payment_method: pm,
    failure_code: code, failure_message: "Your card was declined.", balance_transaction: null,
    ...(d.created != null ? { created: d.created } : {}),
    outcome: {
      network_status: d.outcome_type === "blocked" ? "not_sent_to_network" : "declined_by_network",
      reason: d.decline_code ?? null, risk_level: d.risk_level ?? "normal", risk_score: 20,
      seller_message: `The bank returned the decline code \`${d.decline_code}\`.`, type: d.outcome_type ?? "issuer_declined",
      advice_code: d.advice_code ?? null, network_advice_code: d.network_advice_code ?? null, network_decline_code: d.network_decline_code ?? null,
    },
  });
  return { paymentIntent, charge };
}

export function chargeObj(o: Over<Stripe.Charge> = {}): Stripe.Charge {
  return as({
    id: "ch_A", object: "charge", amount: 1500, amount_captured: 1500, amount_refunded: 0, captured: true, currency: "usd",
    customer: "cus_A", paid: true, refunded: false, disputed: false, status: "succeeded", created: NOW - DAY,
    description: "Order #A-1001", receipt_email: "grace.h@example.com", metadata: {}, failure_code: null, failure_message: null,
    outcome: { network_status: "approved_by_network", reason: null, risk_level: "normal", risk_score: 12, seller_message: "Payment complete.", type: "authorized", advice_code: null },
    payment_intent: "pi_ok", payment_method: "pm_A",
    payment_method_details: { type: "card", card: card() },
    billing_details: { email: "grace.h@example.com", name: "Grace Hopper", address: null, phone: null },
    shipping: null, livemode: false, balance_transaction: "txn_A", receipt_url: "https://pay.stripe.com/receipts/ch_A",
    ...o,
  });
}

export function refundObj(o: Over<Stripe.Refund> = {}): Stripe.Refund {
  return as({ id: "re_A", object: "refund", amount: 500, charge: "ch_A", currency: "usd", created: NOW - 3600, reason: "requested_by_customer", status: "succeeded", metadata: {}, payment_intent: "pi_ok", ...o });
}

export function price(id: string, product: string, unit_amount: number, o: Record<string, unknown> = {}): Stripe.Price {
  return as({
    id, object: "price", active: true, currency: "usd", type: "recurring", unit_amount, nickname: product, lookup_key: product.toLowerCase(),
    product: { id: `prod_${product.toLowerCase()}`, object: "product", name: product, active: true },
    recurring: { interval: "month", interval_count: 1, usage_type: "licensed" }, ...o,
  });
}

export const CATALOG = [price("price_basic_m", "Basic", 2900), price("price_pro_m", "Pro", 7900), price("price_ent_m", "Enterprise", 19900)];

export function subscription(o: Over<Stripe.Subscription> & { price?: Stripe.Price } = {}): Stripe.Subscription {
  const { price: p, ...rest } = o;
  const pr = p ?? CATALOG[0];
  return as({
    id: "sub_A", object: "subscription", customer: "cus_A", status: "active", currency: "usd", cancel_at: null,
    cancel_at_period_end: false, canceled_at: null, ended_at: null, collection_method: "charge_automatically",
    billing_cycle_anchor: NOW - 20 * DAY, created: NOW - 200 * DAY, start_date: NOW - 200 * DAY, default_payment_method: "pm_A",
    latest_invoice: null, metadata: {}, pause_collection: null, schedule: null, trial_end: null, trial_start: null,
    livemode: false, description: null, discounts: [], cancellation_details: { comment: null, feedback: null, reason: null },
    items: {
      object: "list", has_more: false, url: "/v1/subscription_items?subscription=sub_A",
      data: [{ id: "si_A", object: "subscription_item", subscription: "sub_A", quantity: 1, created: NOW - 200 * DAY, current_period_start: NOW - 20 * DAY, current_period_end: NOW + 10 * DAY, price: { ...pr, product: typeof pr.product === "string" ? pr.product : pr.product.id }, metadata: {}, discounts: [], tax_rates: [] }],
    },
    ...rest,
  });
}

export function dispute(o: Over<Stripe.Dispute> & { due_by?: number } = {}): Stripe.Dispute {
  const { due_by, ...rest } = o;
  return as({
    id: "dp_A", object: "dispute", amount: 4900, currency: "usd", charge: "ch_A", payment_intent: "pi_ok",
    reason: "credit_not_processed", status: "needs_response", is_charge_refundable: false, created: NOW - 3600,
    livemode: false, metadata: {}, balance_transactions: [], network_reason_code: null,
    evidence: {},
    evidence_details: { due_by: due_by ?? NOW + 10 * DAY, has_evidence: false, past_due: false, submission_count: 0, enhanced_eligibility: {} },
    ...rest,
  });
}

export function earlyFraudWarning(o: Over<Stripe.Radar.EarlyFraudWarning> = {}): Stripe.Radar.EarlyFraudWarning {
  return as({ id: "issfr_A", object: "radar.early_fraud_warning", actionable: true, charge: "ch_A", created: NOW - 600, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_ok", ...o });
}

/** Stripe's state for one test: arrays of objects, as in a scenario's `stripe` block. */
export interface World {
  customers?: Stripe.Customer[];
  payment_methods?: Stripe.PaymentMethod[];
  invoices?: Stripe.Invoice[];
  invoice_payments?: Stripe.InvoicePayment[];
  payment_intents?: Stripe.PaymentIntent[];
  charges?: Stripe.Charge[];
  subscriptions?: Stripe.Subscription[];
  subscription_schedules?: Stripe.SubscriptionSchedule[];
  prices?: Stripe.Price[];
  refunds?: Stripe.Refund[];
  disputes?: Stripe.Dispute[];
  early_fraud_warnings?: Stripe.Radar.EarlyFraudWarning[];
}

const byId = <T extends { id: string }>(xs: T[] | undefined, id: string): T | null => xs?.find((x) => x.id === id) ?? null;
const idOf = (v: unknown): string | null => (typeof v === "string" ? v : v && typeof v === "object" && "id" in v ? String((v as { id: string }).id) : null);
const newest = <T extends { created: number }>(xs: T[]) => [...xs].sort((a, b) => b.created - a.created);

/** StripeReads over a World: the same contract as the SDK-backed reads, answered from data instead of HTTP. */
export function memoryReads(w: World): StripeReads & { calls: string[] } {
  const calls: string[] = [];
  const log = (s: string) => calls.push(s);
  return {
    calls,
    getInvoice: async (id) => (log(`getInvoice ${id}`), byId(w.invoices, id)),
    listInvoicePayments: async (invoice) => newest((w.invoice_payments ?? []).filter((p) => idOf(p.invoice) === invoice)),
    listInvoicePaymentsOfPaymentIntent: async (pi) => newest((w.invoice_payments ?? []).filter((p) => idOf(p.payment?.payment_intent ?? null) === pi)),
    getPaymentIntent: async (id) => byId(w.payment_intents, id),
    getCharge: async (id) => (log(`getCharge ${id}`), byId(w.charges, id)),
    listCharges: async (p) => newest((w.charges ?? []).filter((c) => (!p.customer || idOf(c.customer) === p.customer) && (!p.payment_intent || idOf(c.payment_intent) === p.payment_intent) && (p.created?.gte == null || c.created >= p.created.gte) && (p.created?.lte == null || c.created <= p.created.lte))).slice(0, p.limit ?? 20),
    getCustomer: async (id) => byId(w.customers, id),
    getPaymentMethod: async (id) => byId(w.payment_methods, id),
    getSubscription: async (id) => (log(`getSubscription ${id}`), byId(w.subscriptions, id)),
    getSubscriptionWithParties: async (id) => {
      log(`getSubscription ${id}`);
      const subscription = byId(w.subscriptions, id);
      if (!subscription) return null;
      const scheduleId = idOf(subscription.schedule);
      return { subscription, customer: byId(w.customers, idOf(subscription.customer) ?? ""), schedule: scheduleId ? byId(w.subscription_schedules, scheduleId) : null };
    },
    listSubscriptions: async (p) => newest((w.subscriptions ?? []).filter((s) => idOf(s.customer) === p.customer && (!p.status || p.status === "all" || s.status === p.status))),
    getSubscriptionSchedule: async (id) => byId(w.subscription_schedules, id),
    listInvoices: async (p) =>
      newest((w.invoices ?? []).filter((i) => idOf(i.customer) === p.customer && (!p.status || i.status === p.status) && (!p.subscription || idOf(i.parent?.subscription_details?.subscription ?? null) === p.subscription))).slice(0, p.limit ?? 24),
    listActiveRecurringPrices: async () => (w.prices ?? []).filter((p) => p.active && p.type === "recurring"),
    listRefunds: async (p) => newest((w.refunds ?? []).filter((r) => (!p.charge || idOf(r.charge) === p.charge) && (!p.payment_intent || idOf(r.payment_intent) === p.payment_intent))),
    getDispute: async (id) => (log(`getDispute ${id}`), byId(w.disputes, id)),
    listDisputes: async (p) => newest((w.disputes ?? []).filter((d) => (!p.charge || idOf(d.charge) === p.charge) && (!p.payment_intent || idOf(d.payment_intent) === p.payment_intent))),
    getEarlyFraudWarning: async (id) => byId(w.early_fraud_warnings, id),
  };
}

export function event(type: string, object: Record<string, unknown>, o: Partial<EventLike> = {}): SpecialistInput {
  return { kind: "event", event: { id: "evt_A", type, created: NOW, data: { object: object as EventLike["data"]["object"] }, ...o } };
}

/** A support request as the supervisor hands it on: with its own understanding of the message unless one is given. */
export function request(message: string, classification: RequestClassification, o: Partial<SupportRequest> = {}): SpecialistInput {
  const understanding = classification.understanding ?? understandRequest(message, { subscription: o.subscription, charge: o.charge });
  return { kind: "request", request: { id: "req_A", customer: "cus_A", message, ...o }, classification: { ...classification, understanding } };
}

export function history(o: Partial<CaseHistory> = {}): CaseHistory {
  return { ...EMPTY_HISTORY, decisions: [], notificationsSent: [], ...o };
}

/** Seven months of paid charges: a customer with a good payment history. */
export function paidHistory(n = 7, amount = 2900): Stripe.Charge[] {
  return Array.from({ length: n }, (_, i) => chargeObj({ id: `ch_paid_${i}`, amount, amount_captured: amount, created: NOW - (i + 1) * 30 * DAY, description: null }));
}
