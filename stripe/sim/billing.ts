// Billing behaviour shared by invoices, subscriptions, schedules and the clock: invoicing a subscription, paying an
// invoice (payment method choice, attempts, smart-retry schedule), prorations and subscription status changes.
import { addInterval, change, emit, type SimCore } from "./core.js";
import * as defaults from "./defaults.js";
import { invalidRequest, StripeApiError, type StripeErrorBody } from "./errors.js";
import { newId } from "./ids.js";
import { attemptPayment } from "./payments.js";
import type { StripeObject } from "./types.js";
import { applyPendingUpdate, isPendingUpdateInvoice } from "./pendingUpdates.js";

/** Smart retries: days after attempt 1, 2, 3; the 4th attempt is the last (next_payment_attempt null after it). */
export const RETRY_DELAYS_DAYS = [3, 5, 7];
export const MAX_ATTEMPTS = RETRY_DELAYS_DAYS.length + 1;

export interface Line {
  amount: number;
  description: string;
  price: StripeObject | null;
  quantity: number;
  period: { start: number; end: number };
  proration: boolean;
  subscriptionItem: string | null;
}

export function itemAmount(item: Record<string, any>): number {
  return (item.price?.unit_amount ?? 0) * (item.quantity ?? 1);
}

function describe(price: StripeObject | null, quantity: number, sim: SimCore): string {
  if (!price) return "Invoice item";
  const product = typeof price.product === "string" ? sim.store.get(price.product) : price.product;
  const name = product?.name ?? price.nickname ?? price.id;
  const amount = ((price.unit_amount ?? 0) / 100).toFixed(2);
  return `${quantity} × ${name} (at $${amount} / ${price.recurring?.interval ?? "one-time"})`;
}

export function cycleLines(sim: SimCore, sub: StripeObject): Line[] {
  return sub.items.data.map((it: any) => ({
    amount: itemAmount(it),
    description: describe(it.price, it.quantity ?? 1, sim),
    price: it.price,
    quantity: it.quantity ?? 1,
    period: { start: it.current_period_start, end: it.current_period_end },
    proration: false,
    subscriptionItem: it.id,
  }));
}

/** Creates a finalized (open) invoice for a subscription, with the pending prorations, and emits its events. */
export function invoiceSubscription(sim: SimCore, sub: StripeObject, billingReason: string, lines: Line[], includePending = true): StripeObject {
  const pending = includePending ? (sim.pendingItems.get(sub.id) ?? []) : [];
  if (includePending) sim.pendingItems.delete(sub.id);
  const all = [...(pending as Line[]), ...lines];
  const now = sim.now();
  const id = newId("in");
  const total = all.reduce((s, l) => s + l.amount, 0);
  const customer = sim.store.get(sub.customer);
  const amountDue = Math.max(0, total);
  const seq = customer ? (customer.next_invoice_sequence ?? 1) : 1;
  if (customer) {
    customer.next_invoice_sequence = seq + 1;
    if (total < 0) customer.balance = (customer.balance ?? 0) + total;
    sim.store.put(customer);
  }
  const periods = lines.length ? lines : all;
  const inv = defaults.invoice(
    {
      id,
      customer: sub.customer,
      customer_email: customer?.email ?? null,
      customer_name: customer?.name ?? null,
      currency: sub.currency,
      billing_reason: billingReason,
      collection_method: sub.collection_method,
      amount_due: amountDue,
      amount_paid: 0,
      amount_remaining: amountDue,
      subtotal: total,
      subtotal_excluding_tax: total,
      total,
      total_excluding_tax: total,
      ending_balance: total < 0 ? total : 0,
      status: "open",
      number: `${customer?.invoice_prefix ?? "SIM"}-${String(seq).padStart(4, "0")}`,
      effective_at: now,
      due_date: sub.collection_method === "send_invoice" ? now + (sub.days_until_due ?? 30) * 86400 : null,
      period_start: periods.length ? Math.min(...periods.map((l) => l.period.start)) : now,
      period_end: periods.length ? Math.max(...periods.map((l) => l.period.end)) : now,
      parent: { type: "subscription_details", quote_details: null, subscription_details: { metadata: { ...(sub.metadata ?? {}) }, subscription: sub.id } },
      status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      lines: {
        object: "list",
        has_more: false,
        total_count: all.length,
        url: `/v1/invoices/${id}/lines`,
        data: all.map((l) => ({
          id: newId("il"),
          object: "line_item",
          amount: l.amount,
          currency: sub.currency,
          description: l.description,
          discount_amounts: [],
          discountable: !l.proration,
          discounts: [],
          invoice: id,
          livemode: false,
          metadata: {},
          parent: {
            type: "subscription_item_details",
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: null,
              proration: l.proration,
              proration_details: { credited_items: null },
              subscription: sub.id,
              subscription_item: l.subscriptionItem,
            },
          },
          period: l.period,
          pretax_credit_amounts: [],
          pricing: l.price
            ? { price_details: { price: l.price.id, product: typeof l.price.product === "string" ? l.price.product : l.price.product?.id }, type: "price_details", unit_amount_decimal: String(l.price.unit_amount ?? 0) }
            : null,
          quantity: l.quantity,
          taxes: [],
        })),
      },
    },
    now,
  );
  if (amountDue === 0) {
    Object.assign(inv, { status: "paid", attempted: true, status_transitions: { ...inv.status_transitions, paid_at: now } });
  }
  sim.store.put(inv);
  sub.latest_invoice = inv.id;
  sim.store.put(sub);
  emit(sim, "invoice.created", inv);
  emit(sim, "invoice.finalized", inv);
  if (inv.status === "paid") {
    emit(sim, "invoice.paid", inv);
    emit(sim, "invoice.payment_succeeded", inv);
  }
  return inv;
}

export function subscriptionOf(sim: SimCore, inv: StripeObject): StripeObject | undefined {
  const id = inv.parent?.subscription_details?.subscription;
  const sub = typeof id === "string" ? sim.store.get(id) : undefined;
  return sub?.object === "subscription" ? sub : undefined;
}

/** Stripe's choice: the invoice's default payment method, else the subscription's, else the customer's. */
export function invoicePaymentMethod(sim: SimCore, inv: StripeObject): string | null {
  const sub = subscriptionOf(sim, inv);
  const customer = typeof inv.customer === "string" ? sim.store.get(inv.customer) : undefined;
  return inv.default_payment_method ?? sub?.default_payment_method ?? customer?.invoice_settings?.default_payment_method ?? customer?.default_source ?? null;
}

export function finalizeInvoice(sim: SimCore, inv: StripeObject): void {
  if (inv.status !== "draft") return;
  const now = sim.now();
  inv.status = "open";
  inv.status_transitions = { ...inv.status_transitions, finalized_at: now };
  inv.effective_at = inv.effective_at ?? now;
  inv.number = inv.number ?? `SIM-${inv.id.slice(-8).toUpperCase()}`;
  sim.store.put(inv);
  emit(sim, "invoice.finalized", inv);
}

function setSubscriptionStatus(sim: SimCore, sub: StripeObject | undefined, status: string): void {
  if (!sub || sub.status === status) return;
  const previous = change(sub, { status });
  sim.store.put(sub);
  emit(sim, "customer.subscription.updated", sub, previous);
}

function setDelinquent(sim: SimCore, inv: StripeObject, delinquent: boolean): void {
  const customer = typeof inv.customer === "string" ? sim.store.get(inv.customer) : undefined;
  if (customer && customer.delinquent !== delinquent) {
    customer.delinquent = delinquent;
    sim.store.put(customer);
  }
}

function markPaid(sim: SimCore, inv: StripeObject, amount: number, outOfBand = false): void {
  const now = sim.now();
  Object.assign(inv, {
    status: "paid",
    amount_paid: (inv.amount_paid ?? 0) + amount,
    amount_remaining: 0,
    next_payment_attempt: null,
    attempted: true,
    status_transitions: { ...inv.status_transitions, paid_at: now },
  });
  if (outOfBand) inv.amount_paid_off_stripe = amount;
  sim.store.put(inv);
  emit(sim, "invoice.paid", inv);
  emit(sim, "invoice.payment_succeeded", inv);
  setDelinquent(sim, inv, false);
  const sub = subscriptionOf(sim, inv);
  if (sub && isPendingUpdateInvoice(sub, inv)) applyPendingUpdate(sim, sub);
  if (sub && ["past_due", "unpaid", "incomplete"].includes(sub.status)) setSubscriptionStatus(sim, sub, "active");
}

export type PayOutcome = { kind: "paid" } | { kind: "failed"; error: StripeErrorBody | null };

/**
 * One payment attempt on an open invoice: attempt_count + 1, the invoice's default PaymentIntent (reused across
 * attempts, as Stripe does) confirmed off-session with a new Charge, and the invoice_payment updated.
 */
export function attemptInvoice(sim: SimCore, inv: StripeObject, opts: { paymentMethod?: string; automatic: boolean }): PayOutcome {
  const now = sim.now();
  const pmId = opts.paymentMethod ?? invoicePaymentMethod(sim, inv);
  const sub = subscriptionOf(sim, inv);
  inv.attempt_count = (inv.attempt_count ?? 0) + 1;
  inv.attempted = true;

  let pm: StripeObject | undefined = pmId ? sim.store.get(pmId) : undefined;
  if (pmId && (!pm || pm.object !== "payment_method")) {
    if (!opts.automatic) throw invalidRequest(`No such PaymentMethod: '${pmId}'`, "payment_method", "resource_missing");
    pm = undefined;
  }
  if (!pm) {
    if (!opts.automatic) {
      inv.attempt_count -= 1;
      throw invalidRequest(
        "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.",
        null,
      );
    }
    scheduleRetry(inv, now);
    sim.store.put(inv);
    emit(sim, "invoice.payment_failed", inv);
    setDelinquent(sim, inv, true);
    // A pending update's invoice failing leaves the subscription as it was ("continues to cycle as if no update").
    if (sub && sub.status === "active" && !isPendingUpdateInvoice(sub, inv)) setSubscriptionStatus(sim, sub, "past_due");
    return { kind: "failed", error: null };
  }

  const amount = inv.amount_remaining;
  let inpay = sim.store.page("invoice_payment", {
    limit: 1,
    filter: (p) => p.invoice === inv.id && p.status === "open" && p.payment?.type === "payment_intent",
  }).data[0];
  let pi = inpay ? sim.store.get(inpay.payment.payment_intent) : undefined;
  if (!pi || !["requires_payment_method", "requires_confirmation", "requires_action"].includes(pi.status)) {
    pi = defaults.paymentIntent(
      {
        amount,
        currency: inv.currency,
        customer: inv.customer,
        description: inv.billing_reason === "subscription_create" ? "Subscription creation" : inv.billing_reason?.startsWith("subscription") ? "Subscription update" : `Payment for Invoice`,
        setup_future_usage: "off_session",
      },
      now,
    );
    sim.store.put(pi);
    emit(sim, "payment_intent.created", pi);
    for (const p of sim.store.page("invoice_payment", { limit: 100, filter: (x) => x.invoice === inv.id && x.is_default }).data) {
      p.is_default = false;
      sim.store.put(p);
    }
    inpay = defaults.invoicePayment(
      { invoice: inv.id, amount_requested: amount, currency: inv.currency, payment: { type: "payment_intent", payment_intent: pi.id } },
      now,
    );
    sim.store.put(inpay);
  } else {
    pi.amount = amount;
  }

  const result = attemptPayment(sim, pi, pm, { offSession: true });
  if (result.kind === "succeeded") {
    Object.assign(inpay, { status: "paid", amount_paid: amount, status_transitions: { ...inpay.status_transitions, paid_at: now } });
    sim.store.put(inpay);
    emit(sim, "invoice_payment.paid", inpay);
    markPaid(sim, inv, amount);
    return { kind: "paid" };
  }
  scheduleRetry(inv, now);
  sim.store.put(inv);
  const error = result.kind === "declined" ? result.error : null;
  if (error?.code === "authentication_required") emit(sim, "invoice.payment_action_required", inv);
  emit(sim, "invoice.payment_failed", inv);
  setDelinquent(sim, inv, true);
  if (sub && sub.status === "active" && inv.billing_reason !== "subscription_create" && !isPendingUpdateInvoice(sub, inv)) setSubscriptionStatus(sim, sub, "past_due");
  return { kind: "failed", error };
}

function scheduleRetry(inv: StripeObject, now: number): void {
  const delay = RETRY_DELAYS_DAYS[inv.attempt_count - 1];
  inv.next_payment_attempt =
    inv.auto_advance !== false && inv.collection_method === "charge_automatically" && delay !== undefined && inv.attempt_count < MAX_ATTEMPTS
      ? now + delay * 86400
      : null;
}

/** POST /v1/invoices/:id/pay: Stripe's checks, then one attempt; a decline is a 402 card error. */
export function payInvoice(sim: SimCore, inv: StripeObject, params: Record<string, any>): StripeObject {
  if (inv.status === "paid") throw invalidRequest("Invoice is already paid", null, "invoice_not_open");
  if (inv.status === "void") throw invalidRequest("You cannot pay a voided invoice.", null, "invoice_not_open");
  finalizeInvoice(sim, inv);
  if (params.paid_out_of_band === "true") {
    markPaid(sim, inv, inv.amount_remaining, true);
    return inv;
  }
  if (inv.amount_remaining <= 0) {
    markPaid(sim, inv, 0);
    return inv;
  }
  const outcome = attemptInvoice(sim, inv, { paymentMethod: params.payment_method || undefined, automatic: false });
  if (outcome.kind === "failed" && outcome.error) throw new StripeApiError(402, outcome.error);
  return inv;
}

/** Prorations for changing `from` to `to` at `at` within [start, end): credit the unused old, charge the new. */
export function prorationLines(sim: SimCore, item: Record<string, any>, from: { price: StripeObject; quantity: number }, to: { price: StripeObject; quantity: number }, at: number): Line[] {
  const start = item.current_period_start;
  const end = item.current_period_end;
  if (!(end > start) || at >= end) return [];
  const fraction = (end - Math.max(at, start)) / (end - start);
  const credit = -Math.round((from.price.unit_amount ?? 0) * from.quantity * fraction);
  const debit = Math.round((to.price.unit_amount ?? 0) * to.quantity * fraction);
  const period = { start: Math.max(at, start), end };
  return [
    { amount: credit, description: `Unused time on ${describe(from.price, from.quantity, sim)}`, price: from.price, quantity: from.quantity, period, proration: true, subscriptionItem: item.id },
    { amount: debit, description: `Remaining time on ${describe(to.price, to.quantity, sim)}`, price: to.price, quantity: to.quantity, period, proration: true, subscriptionItem: item.id },
  ];
}

export function newSubscriptionItem(sim: SimCore, subId: string, price: StripeObject, quantity: number, start: number, metadata: Record<string, string> = {}): StripeObject {
  return defaults.subscriptionItem(
    {
      subscription: subId,
      price: structuredClone(price),
      plan: planOf(price),
      quantity,
      current_period_start: start,
      current_period_end: addInterval(start, price.recurring),
      metadata,
    },
    sim.now(),
  );
}

/** The legacy `plan` view of a price that subscription items still carry. */
export function planOf(price: StripeObject): Record<string, any> {
  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal ?? String(price.unit_amount ?? 0),
    billing_scheme: price.billing_scheme ?? "per_unit",
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? "month",
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata ?? {},
    meter: null,
    nickname: price.nickname ?? null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: price.recurring?.usage_type ?? "licensed",
  };
}

export function periodEnd(sub: StripeObject): number | null {
  const ends = (sub.items?.data ?? []).map((i: any) => i.current_period_end).filter((n: unknown) => typeof n === "number");
  return ends.length ? Math.min(...ends) : null;
}

/**
 * "By default, upon subscription cancellation, Stripe stops automatic collection of all finalized invoices": the
 * subscription's open invoices stay open (still owed) but are no longer retried.
 */
function stopCollection(sim: SimCore, sub: StripeObject): void {
  for (const inv of sim.store.list("invoice")) {
    if (inv.status !== "open" || inv.parent?.subscription_details?.subscription !== sub.id || inv.auto_advance === false) continue;
    const previous = change(inv, { auto_advance: false, next_payment_attempt: null });
    sim.store.put(inv);
    emit(sim, "invoice.updated", inv, previous);
  }
}

export function cancelSubscription(sim: SimCore, sub: StripeObject, reason: string, extra: Record<string, any> = {}): void {
  const now = sim.now();
  stopCollection(sim, sub);
  const previous = change(sub, {
    status: "canceled",
    canceled_at: sub.canceled_at ?? now,
    ended_at: now,
    cancel_at: null,
    cancellation_details: { ...(sub.cancellation_details ?? { comment: null, feedback: null }), reason, ...extra },
  });
  sim.store.put(sub);
  emit(sim, "customer.subscription.deleted", sub, previous);
}

export function requireRecurringPrice(sim: SimCore, id: unknown, param: string): StripeObject {
  const price = typeof id === "string" ? sim.store.get(id) : undefined;
  if (!price || price.object !== "price") {
    throw new StripeApiError(400, { type: "invalid_request_error", code: "resource_missing", message: `No such price: '${String(id)}'`, param, doc_url: "https://docs.stripe.com/error-codes/resource-missing" });
  }
  if (!price.recurring) {
    throw invalidRequest(`The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, param);
  }
  return price;
}
