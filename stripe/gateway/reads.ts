// Read operations of the Stripe gateway: what specialists may ask Stripe while gathering context (no writes here).
import type Stripe from "stripe";
import { DEFAULT_RATE_LIMIT_RETRY, withRateLimitRetry, type RateLimitRetry } from "./rate-limit.js";

export interface StripeReads {
  getInvoice(id: string): Promise<Stripe.Invoice | null>;
  /** Payments of an invoice, newest first (API 2026-10-28.endive: invoices have no payment_intent). */
  listInvoicePayments(invoiceId: string): Promise<Stripe.InvoicePayment[]>;
  /** The invoice payments a PaymentIntent made, newest first: which invoice a charge paid (none for a one-off payment). */
  listInvoicePaymentsOfPaymentIntent(paymentIntent: string): Promise<Stripe.InvoicePayment[]>;
  getPaymentIntent(id: string): Promise<Stripe.PaymentIntent | null>;
  getCharge(id: string): Promise<Stripe.Charge | null>;
  listCharges(params: { customer?: string; payment_intent?: string; limit?: number; created?: { gte?: number; lte?: number } }): Promise<Stripe.Charge[]>;
  getCustomer(id: string): Promise<Stripe.Customer | null>;
  getPaymentMethod(id: string): Promise<Stripe.PaymentMethod | null>;
  getSubscription(id: string): Promise<Stripe.Subscription | null>;
  /**
   * The subscription with its customer and schedule, in one request (`expand`). The subscription keeps the ids in
   * `customer` and `schedule`, as getSubscription returns it.
   */
  getSubscriptionWithParties(id: string): Promise<{ subscription: Stripe.Subscription; customer: Stripe.Customer | null; schedule: Stripe.SubscriptionSchedule | null } | null>;
  listSubscriptions(params: { customer: string; status?: string; limit?: number }): Promise<Stripe.Subscription[]>;
  getSubscriptionSchedule(id: string): Promise<Stripe.SubscriptionSchedule | null>;
  listInvoices(params: { customer: string; status?: string; subscription?: string; limit?: number }): Promise<Stripe.Invoice[]>;
  /** Active recurring prices with `product` expanded: the plan catalog (reused for ReadsOptions.catalogTtlMs). */
  listActiveRecurringPrices(): Promise<Stripe.Price[]>;
  listRefunds(params: { charge?: string; payment_intent?: string; limit?: number }): Promise<Stripe.Refund[]>;
  getDispute(id: string): Promise<Stripe.Dispute | null>;
  listDisputes(params: { charge?: string; payment_intent?: string; limit?: number }): Promise<Stripe.Dispute[]>;
  getEarlyFraudWarning(id: string): Promise<Stripe.Radar.EarlyFraudWarning | null>;
}

/**
 * One object, or null when Stripe has none by that id. Every read starts its request through `request` (call-site.ts),
 * and again after a 429 (rate-limit.ts).
 */
function oneWith<T>(start: () => Promise<T>, retry: RateLimitRetry): Promise<T | null> {
  return withRateLimitRetry(start, retry).catch((err: unknown) => {
    if ((err as { code?: string })?.code === "resource_missing") return null;
    throw err;
  });
}

/** The objects of one list request (lists are bounded by their `limit`). */
async function pageWith<T>(start: () => Promise<{ data: T[] }>, retry: RateLimitRetry): Promise<T[]> {
  return (await withRateLimitRetry(start, retry)).data;
}

export interface ReadsOptions {
  /**
   * How long the plan catalog (active recurring prices) is reused, in ms; 0 reads it for every case. Prices change
   * rarely and every subscription case needs them: one read a minute instead of one per event. Default 60 000.
   */
  catalogTtlMs?: number;
  /** Wall clock in ms (tests move it). */
  nowMs?: () => number;
  /** How 429s are retried; default DEFAULT_RATE_LIMIT_RETRY. */
  rateLimitRetry?: RateLimitRetry;
}

/** Reads through the official SDK. Lists are bounded: context gathering never walks a customer's whole history. */
export function createStripeReads(stripe: Stripe, opts: ReadsOptions = {}): StripeReads {
  const ttl = opts.catalogTtlMs ?? 60_000;
  const nowMs = opts.nowMs ?? Date.now;
  const retry = opts.rateLimitRetry ?? DEFAULT_RATE_LIMIT_RETRY;
  const one = <T>(start: () => Promise<T>) => oneWith(start, retry);
  const page = <T>(start: () => Promise<{ data: T[] }>) => pageWith(start, retry);
  const readCatalog = () => page(() => stripe.prices.list({ active: true, type: "recurring", limit: 100, expand: ["data.product"] }));
  // One read in flight at a time, shared by every case that needs it; a failed read is not kept.
  let catalog: { at: number; prices: Promise<Stripe.Price[]> } | null = null;
  function listActiveRecurringPrices(): Promise<Stripe.Price[]> {
    if (ttl <= 0) return readCatalog();
    const now = nowMs();
    if (!catalog || now - catalog.at >= ttl) {
      const prices = readCatalog();
      const entry = { at: now, prices };
      catalog = entry;
      prices.catch(() => {
        if (catalog === entry) catalog = null;
      });
    }
    // A copy of the list: a caller that sorts or filters it in place does not change what the next one gets.
    return catalog.prices.then((ps) => [...ps]);
  }
  return {
    getInvoice: (id) => one(() => stripe.invoices.retrieve(id)),
    listInvoicePayments: (invoice) => page(() => stripe.invoicePayments.list({ invoice, limit: 20 })),
    listInvoicePaymentsOfPaymentIntent: (paymentIntent) => page(() => stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: paymentIntent }, limit: 10 })),
    getPaymentIntent: (id) => one(() => stripe.paymentIntents.retrieve(id)),
    getCharge: (id) => one(() => stripe.charges.retrieve(id)),
    listCharges: (p) => page(() => stripe.charges.list({ limit: 20, ...p })),
    getCustomer: async (id) => {
      const c = await one(() => stripe.customers.retrieve(id));
      return c && !("deleted" in c && c.deleted) ? (c as Stripe.Customer) : null;
    },
    getPaymentMethod: (id) => one(() => stripe.paymentMethods.retrieve(id)),
    getSubscription: (id) => one(() => stripe.subscriptions.retrieve(id)),
    getSubscriptionWithParties: async (id) => {
      const s = await one(() => stripe.subscriptions.retrieve(id, { expand: ["customer", "schedule"] }));
      if (!s) return null;
      const c = s.customer;
      const customer = typeof c === "object" && c !== null && !("deleted" in c && c.deleted) ? (c as Stripe.Customer) : null;
      const schedule = typeof s.schedule === "object" ? s.schedule : null;
      const subscription = { ...s, customer: typeof c === "string" ? c : c.id, schedule: schedule ? schedule.id : (s.schedule as string | null) } as Stripe.Subscription;
      return { subscription, customer, schedule };
    },
    listSubscriptions: (p) => page(() => stripe.subscriptions.list({ limit: 20, ...p } as Stripe.SubscriptionListParams)),
    getSubscriptionSchedule: (id) => one(() => stripe.subscriptionSchedules.retrieve(id)),
    listInvoices: (p) => page(() => stripe.invoices.list({ limit: 24, ...p } as Stripe.InvoiceListParams)),
    listActiveRecurringPrices,
    listRefunds: (p) => page(() => stripe.refunds.list({ limit: 20, ...p })),
    getDispute: (id) => one(() => stripe.disputes.retrieve(id)),
    listDisputes: (p) => page(() => stripe.disputes.list({ limit: 10, ...p })),
    getEarlyFraudWarning: (id) => one(() => stripe.radar.earlyFraudWarnings.retrieve(id)),
  };
}
