// Demo data for offline `npm start`: a few customers and subscriptions, a failing invoice, an open dispute and a
// large charge a customer wants back — so a newcomer sees cases, automatic actions and pending approvals at once.
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import { insertEvent } from "../engine/inbox/index.js";
import { SUPPORT_REQUEST_TYPE, supportRequestEventId } from "../server/requests-api.js";

const DAY = 86400;

export function demoSeed(now: number) {
  const price = (id: string, product: string, nickname: string, amount: number, lookup: string) => ({
    id, object: "price", active: true, currency: "usd", product, nickname, type: "recurring", unit_amount: amount,
    recurring: { interval: "month", interval_count: 1, usage_type: "licensed" }, lookup_key: lookup,
  });
  const customer = (id: string, name: string, email: string, ageDays: number, pm: string) => ({
    id, object: "customer", name, email, created: now - ageDays * DAY, currency: "usd", metadata: {},
    invoice_settings: { default_payment_method: pm },
  });
  const card = (id: string, cust: string, last4: string) => ({
    id, object: "payment_method", type: "card", customer: cust, created: now - 400 * DAY,
    card: { brand: "visa", last4, exp_month: 8, exp_year: 2029, country: "US", funding: "credit" },
    billing_details: { email: null, name: null },
  });
  const sub = (id: string, cust: string, pm: string, p: ReturnType<typeof price>, status: string) => ({
    id, object: "subscription", customer: cust, status, currency: "usd", default_payment_method: pm,
    created: now - 300 * DAY, start_date: now - 300 * DAY, billing_cycle_anchor: now - 10 * DAY, cancel_at_period_end: false,
    collection_method: "charge_automatically", metadata: {},
    items: { object: "list", has_more: false, data: [{ id: `si_${id.slice(4)}`, object: "subscription_item", subscription: id, quantity: 1,
      created: now - 300 * DAY, current_period_start: now - 10 * DAY, current_period_end: now + 20 * DAY, price: p, metadata: {} }] },
  });
  const basic = price("price_basic_m", "prod_basic", "Basic", 2900, "basic");
  const pro = price("price_pro_m", "prod_pro", "Pro", 7900, "pro");
  const ent = price("price_ent_m", "prod_ent", "Enterprise", 19900, "enterprise");
  const charge = (id: string, cust: string, pm: string, pi: string, amount: number, ageDays: number, description: string, disputed = false) => ({
    id, object: "charge", amount, amount_captured: amount, amount_refunded: 0, captured: true, currency: "usd", customer: cust,
    paid: true, refunded: false, disputed, status: "succeeded", created: now - ageDays * DAY, description, payment_intent: pi,
    payment_method: pm, metadata: {},
    outcome: { network_status: "approved_by_network", reason: null, risk_level: "normal", risk_score: 20, seller_message: "Payment complete.", type: "authorized" },
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2029, country: "US", funding: "credit" } },
  });
  const pi = (id: string, cust: string, pm: string, amount: number, ch: string, ageDays: number) => ({
    id, object: "payment_intent", amount, amount_received: amount, currency: "usd", customer: cust, status: "succeeded",
    created: now - ageDays * DAY, latest_charge: ch, payment_method: pm, metadata: {}, last_payment_error: null,
  });
  return {
    customers: [
      customer("cus_demo_ada", "Ada Lovelace", "ada@example.com", 420, "pm_demo_ada"),
      customer("cus_demo_grace", "Grace Hopper", "grace@example.com", 380, "pm_demo_grace"),
      customer("cus_demo_alan", "Alan Turing", "alan@example.com", 200, "pm_demo_alan"),
    ],
    products: [
      { id: "prod_basic", object: "product", name: "Basic", active: true },
      { id: "prod_pro", object: "product", name: "Pro", active: true },
      { id: "prod_ent", object: "product", name: "Enterprise", active: true },
    ],
    prices: [basic, pro, ent],
    payment_methods: [
      card("pm_demo_ada", "cus_demo_ada", "9995"),
      card("pm_demo_grace", "cus_demo_grace", "4242"),
      card("pm_demo_alan", "cus_demo_alan", "4242"),
    ],
    subscriptions: [
      sub("sub_demo_ada", "cus_demo_ada", "pm_demo_ada", pro, "past_due"),
      sub("sub_demo_grace", "cus_demo_grace", "pm_demo_grace", basic, "active"),
      sub("sub_demo_alan", "cus_demo_alan", "pm_demo_alan", ent, "active"),
    ],
    // Ada's card ends in 9995, Stripe's insufficient-funds test number: paying her renewal fails and dunning starts.
    invoices: [
      {
        id: "in_demo_ada", object: "invoice", customer: "cus_demo_ada", customer_email: "ada@example.com", customer_name: "Ada Lovelace",
        amount_due: 7900, amount_paid: 0, amount_remaining: 7900, currency: "usd", attempt_count: 0, attempted: false,
        auto_advance: true, billing_reason: "subscription_cycle", collection_method: "charge_automatically", created: now - 3600,
        status: "open", next_payment_attempt: now, hosted_invoice_url: "https://invoice.stripe.com/i/acct_demo/in_demo_ada",
        number: "DEMO-0001", default_payment_method: "pm_demo_ada", metadata: {},
        parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: "sub_demo_ada", metadata: {} } },
        lines: { object: "list", has_more: false, data: [{ id: "il_demo_ada", object: "line_item", amount: 7900, currency: "usd",
          description: "1 × Pro (at $79.00 / month)", period: { start: now - 10 * DAY, end: now + 20 * DAY }, quantity: 1,
          pricing: { type: "price_details", price_details: { price: "price_pro_m", product: "prod_pro" } } }] },
      },
    ],
    invoice_payments: [],
    payment_intents: [
      pi("pi_demo_grace", "cus_demo_grace", "pm_demo_grace", 4900, "ch_demo_grace", 25),
      pi("pi_demo_alan", "cus_demo_alan", "pm_demo_alan", 19900, "ch_demo_alan", 3),
    ],
    charges: [
      charge("ch_demo_grace", "cus_demo_grace", "pm_demo_grace", "pi_demo_grace", 4900, 25, "Pro plan - monthly", true),
      charge("ch_demo_alan", "cus_demo_alan", "pm_demo_alan", "pi_demo_alan", 19900, 3, "Enterprise plan - monthly"),
    ],
    refunds: [],
    disputes: [
      {
        id: "dp_demo_grace", object: "dispute", amount: 4900, currency: "usd", charge: "ch_demo_grace", payment_intent: "pi_demo_grace",
        reason: "credit_not_processed", status: "needs_response", is_charge_refundable: false, created: now - 2 * DAY, metadata: {},
        evidence_details: { due_by: now + 12 * DAY, has_evidence: false, past_due: false, submission_count: 0 },
      },
    ],
    early_fraud_warnings: [],
    subscription_schedules: [],
  };
}

/**
 * What happens at start: a dispute arrives and a customer asks for a large refund (both wait for a person). The refund
 * message must not mention cancelling: the supervisor would route it to a subscription cancellation that runs at once.
 */
export function demoEvents(now: number) {
  return {
    disputeCreated: {
      id: `evt_demo_dispute_${now}`, object: "event", api_version: "2026-10-28.endive", created: now, livemode: false,
      pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: "charge.dispute.created",
      data: { object: { id: "dp_demo_grace", object: "dispute", charge: "ch_demo_grace", amount: 4900, reason: "credit_not_processed", status: "needs_response" } },
    },
    refundRequest: { id: "req_demo_alan_refund", customer: "cus_demo_alan", charge: "ch_demo_alan", message: "We were charged $199 for Enterprise this month by mistake; nobody on our team used it. Please refund the $199." },
  };
}

/** Demo traffic: Ada's renewal fails (dunning), Grace's dispute arrives (evidence staged, submit waits), Alan asks for $199 back (waits). */
export async function runDemo(o: { sim: { webhooks: { deliver(event: unknown): Promise<unknown> } }; stripe: Stripe; pool: pg.Pool; clock: Clock }): Promise<void> {
  const now = o.clock.now();
  const ev = demoEvents(now);
  // A payment attempt from outside billops, as Stripe's own retry schedule would make it: declines, sends invoice.payment_failed.
  await o.stripe.invoices.pay("in_demo_ada").catch(() => undefined);
  await o.sim.webhooks.deliver(ev.disputeCreated);
  await insertEvent(o.pool, { id: supportRequestEventId(ev.refundRequest.id), type: SUPPORT_REQUEST_TYPE, caseKey: `request:${ev.refundRequest.id}`, source: "request", payload: { ...ev.refundRequest, created: now } });
}
