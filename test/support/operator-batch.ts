// The offline demo plus a scripted batch of cases whose totals are known: failed payments recovered or not (USD, EUR,
// JPY), refunds automatic / approved / denied / rejected, disputes staged, submitted, won and lost, approvals answered
// after known waits. The outcome and activity tests and the browser tests run it and check against EXPECTED.
import { expect } from "vitest";
import { demoSeed, runDemo } from "../../app/demo-seed.js";
import type { Stack } from "./stack.js";

const DAY = 86400;
const HOUR = 3600;

/** Thursday 2026-11-26 09:00 UTC: the batch's failures fall in the week of Nov 23, one recovery in the week of Nov 30. */
export const T0 = Date.UTC(2026, 10, 26, 9, 0, 0) / 1000;
export const WEEK_OF_NOV_23 = Date.UTC(2026, 10, 23) / 1000;
export const WEEK_OF_NOV_30 = Date.UTC(2026, 10, 30) / 1000;

const customer = (id: string, name: string, currency: string, pm: string, ageDays = 400) => ({
  id, object: "customer", name, email: `${id.slice(8)}@example.com`, created: T0 - ageDays * DAY, currency, metadata: {},
  invoice_settings: { default_payment_method: pm },
});
const card = (id: string, cust: string, simCard: string, last4: string) => ({
  id, object: "payment_method", type: "card", customer: cust, created: T0 - 300 * DAY, metadata: { sim_card: simCard },
  card: { brand: "visa", last4, exp_month: 8, exp_year: 2029, country: "US", funding: "credit" }, billing_details: { email: null, name: null },
});
const invoice = (id: string, cust: string, pm: string, amount: number, currency: string) => ({
  id, object: "invoice", customer: cust, amount_due: amount, amount_paid: 0, amount_remaining: amount, currency, attempt_count: 0,
  attempted: false, auto_advance: false, billing_reason: "manual", collection_method: "charge_automatically", created: T0 - HOUR,
  status: "open", next_payment_attempt: null, hosted_invoice_url: `https://invoice.stripe.com/i/acct_ops/${id}`, number: id.toUpperCase(),
  default_payment_method: pm, metadata: {},
  lines: { object: "list", has_more: false, data: [{ id: `il_${id.slice(3)}`, object: "line_item", amount, currency, description: "Service", quantity: 1 }] },
});
const charge = (id: string, cust: string, amount: number, currency: string, disputed = false) => ({
  id, object: "charge", amount, amount_captured: amount, amount_refunded: 0, captured: true, currency, customer: cust, paid: true,
  refunded: false, disputed, status: "succeeded", created: T0 - DAY, description: "Monthly plan", payment_intent: `pi_${id.slice(3)}`, metadata: {},
  outcome: { network_status: "approved_by_network", reason: null, risk_level: "normal", risk_score: 20, seller_message: "Payment complete.", type: "authorized" },
  payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2029, country: "US", funding: "credit" } },
});
const intent = (ch: ReturnType<typeof charge>) => ({
  id: ch.payment_intent, object: "payment_intent", amount: ch.amount, amount_received: ch.amount, currency: ch.currency, customer: ch.customer,
  status: "succeeded", created: ch.created, latest_charge: ch.id, metadata: {}, last_payment_error: null,
});
const dispute = (id: string, ch: ReturnType<typeof charge>, reason: string) => ({
  id, object: "dispute", amount: ch.amount, currency: ch.currency, charge: ch.id, payment_intent: ch.payment_intent, reason,
  status: "needs_response", is_charge_refundable: false, created: T0 - HOUR, metadata: {},
  evidence_details: { due_by: T0 + 10 * DAY, has_evidence: false, past_due: false, submission_count: 0 },
});

const charges = [
  charge("ch_ops_e", "cus_ops_e", 1500, "usd"),
  charge("ch_ops_f", "cus_ops_f", 19900, "eur"),
  charge("ch_ops_g", "cus_ops_g", 3000, "usd", true),
  charge("ch_ops_h", "cus_ops_h", 9800, "jpy"),
  charge("ch_ops_i", "cus_ops_i", 4900, "usd", true),
  charge("ch_ops_j", "cus_ops_j", 2000, "eur", true),
];
const byId = (id: string) => charges.find((c) => c.id === id)!;

/** The demo's Stripe objects and the batch's, in one seed. */
export function operatorSeed() {
  const demo = demoSeed(T0);
  return {
    ...demo,
    customers: [
      ...demo.customers,
      customer("cus_ops_a", "Ann Ops", "usd", "pm_ops_a"),
      customer("cus_ops_b", "Bea Ops", "eur", "pm_ops_b"),
      customer("cus_ops_c", "Cal Ops", "usd", "pm_ops_c"),
      customer("cus_ops_d", "Dai Ops", "jpy", "pm_ops_d"),
      ...["e", "f", "g", "h", "i", "j"].map((x) => customer(`cus_ops_${x}`, `${x.toUpperCase()} Customer`, byId(`ch_ops_${x}`).currency, "pm_card_visa")),
    ],
    payment_methods: [
      ...demo.payment_methods,
      card("pm_ops_a", "cus_ops_a", "pm_sim_decline_first_1", "9995"),
      card("pm_ops_b", "cus_ops_b", "pm_sim_decline_first_1", "9995"),
      card("pm_ops_c", "cus_ops_c", "pm_card_chargeDeclinedExpiredCard", "0069"),
      card("pm_ops_d", "cus_ops_d", "pm_card_chargeDeclinedStolenCard", "9979"),
    ],
    invoices: [
      ...demo.invoices,
      invoice("in_ops_a", "cus_ops_a", "pm_ops_a", 7900, "usd"),
      invoice("in_ops_b", "cus_ops_b", "pm_ops_b", 4000, "eur"),
      invoice("in_ops_c", "cus_ops_c", "pm_ops_c", 2500, "usd"),
      invoice("in_ops_d", "cus_ops_d", "pm_ops_d", 5000, "jpy"),
    ],
    charges: [...demo.charges, ...charges],
    payment_intents: [...demo.payment_intents, ...charges.map(intent)],
    disputes: [
      ...demo.disputes,
      dispute("dp_ops_g", byId("ch_ops_g"), "fraudulent"),
      dispute("dp_ops_i", byId("ch_ops_i"), "product_not_received"),
      dispute("dp_ops_j", byId("ch_ops_j"), "product_unacceptable"),
    ],
  };
}

const disputeEvent = (id: string, type: string, object: Record<string, unknown>, created: number) => ({
  id, object: "event", api_version: "2026-10-28.endive", created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null },
  type, data: { object },
});

async function answer(stack: Stack, caseKey: string, body: Record<string, unknown>) {
  const pending = await stack.api("GET", `/approvals?status=pending&case=${encodeURIComponent(caseKey)}`);
  expect(pending.body.data, `a pending approval on ${caseKey}`).toHaveLength(1);
  const res = await stack.api("POST", `/approvals/${pending.body.data[0].id}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await stack.quiet();
}

async function advance(stack: Stack, seconds: number) {
  await stack.sim.clock.advance(seconds);
  await stack.quiet();
}

/** Pays an invoice from outside billops (the customer on the hosted page, Stripe's own attempt): declines are expected. */
const payFromOutside = (stack: Stack, invoiceId: string) => stack.gateway.stripe.invoices.pay(invoiceId).catch(() => undefined);

/** The demo, then the batch, at T0 and after. Ends at T0 + 6 days. */
export async function runOperatorBatch(stack: Stack): Promise<void> {
  await runDemo({ sim: stack.sim, stripe: stack.gateway.stripe, pool: stack.db.pool, clock: stack.sim.clock });
  for (const inv of ["in_ops_a", "in_ops_b", "in_ops_c", "in_ops_d"]) await payFromOutside(stack, inv);
  const ask = (x: string) => stack.api("POST", "/requests", { id: `req_ops_${x}`, customer: `cus_ops_${x}`, charge: `ch_ops_${x}`, message: "I bought this by mistake yesterday, please refund it." });
  for (const x of ["e", "f", "g", "h"]) expect((await ask(x)).status).toBe(202);
  for (const x of ["i", "j"]) {
    const d = stack.sim.store.get(`dp_ops_${x}`)!;
    await stack.sim.webhooks.deliver(disputeEvent(`evt_ops_dp_${x}_created`, "charge.dispute.created", d, T0));
  }
  await stack.quiet();

  await advance(stack, 10 * 60);
  await answer(stack, "dispute:dp_ops_j", { type: "response", reason: "The photos do not show the damage the customer reports; I will look again." });
  await advance(stack, 20 * 60);
  await answer(stack, "request:req_ops_h", { type: "response", reason: "Used the whole month." });
  await advance(stack, 90 * 60);
  await answer(stack, "request:req_ops_f", { type: "accept" });
  await advance(stack, 3 * HOUR);
  await answer(stack, "dispute:dp_ops_i", { type: "accept" });

  await advance(stack, 2 * DAY - 5 * HOUR);
  await payFromOutside(stack, "in_ops_a");
  await stack.quiet();
  await advance(stack, 3 * DAY);
  await payFromOutside(stack, "in_ops_b");
  await stack.quiet();

  await advance(stack, DAY);
  for (const [x, status] of [["i", "won"], ["j", "lost"]] as const) {
    const d = { ...stack.sim.store.get(`dp_ops_${x}`)!, status };
    stack.sim.store.put(d);
    await stack.sim.webhooks.deliver(disputeEvent(`evt_ops_dp_${x}_closed`, "charge.dispute.closed", d, stack.sim.clock.now()));
  }
  await stack.quiet();
}

/** What the batch must add up to, by hand. Amounts in minor units of their own currency. */
export const EXPECTED = {
  dunning: {
    // Ada's demo invoice (USD 79.00, insufficient funds) fails too and is never recovered.
    failed: { usd: { count: 3, amount: 7900 + 7900 + 2500 }, eur: { count: 1, amount: 4000 }, jpy: { count: 1, amount: 5000 } },
    recovered: { usd: { count: 1, amount: 7900, week: WEEK_OF_NOV_23 }, eur: { count: 1, amount: 4000, week: WEEK_OF_NOV_30 } },
    byCategory: { soft: { failed: 3, recovered: 2 }, customer_action: { failed: 1, recovered: 0 }, fraud: { failed: 1, recovered: 0 } },
    // Ann's USD invoice after 2 days, Bea's EUR invoice after 5.
    recoverySeconds: [2 * DAY, 5 * DAY],
  },
  disputes: {
    // Grace's demo dispute (USD 49.00) is staged and waits for a person to submit it.
    staged: { count: 3, usd: 4900 + 4900, eur: 2000 },
    submitted: { count: 1, usd: 4900 },
    won: { count: 1, usd: 4900 },
    lost: { count: 1, eur: 2000 },
  },
  // Alan's demo refund waits for a person: not settled, not counted.
  refunds: {
    automatic: { count: 1, usd: 1500 },
    approved: { count: 1, eur: 19900 },
    denied: { count: 1, usd: 3000 },
    rejected: { count: 1, jpy: 9800 },
  },
  approvals: {
    // dispute j rejected after 10 min, refund h rejected after 30 min, refund f accepted after 2 h, dispute i after 5 h.
    answeredSeconds: [10 * 60, 30 * 60, 2 * HOUR, 5 * HOUR],
  },
};
