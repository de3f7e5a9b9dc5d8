// Billing through the SDK: invoice payment failures delivered as signed webhooks, recovery, disputes, and
// subscription changes that wait for the clock.
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index.js";
import { sdk, webhookReceiver } from "./testkit.js";

const NOW = 1796300000;
const SECRET = "whsec_sim_test";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { webhook?: boolean; status?: () => number } = {}) {
  const receiver = opts.webhook ? await webhookReceiver(opts.status) : null;
  const sim = await startSimulator({
    now: NOW,
    webhook: receiver ? { url: receiver.url, secret: SECRET } : null,
    webhookRetry: { maxAttempts: 3, baseDelayMs: 20 },
  });
  cleanups.push(() => sim.stop());
  if (receiver) cleanups.push(() => receiver.close());
  return { sim, stripe: sdk(sim), receiver };
}

/** A customer on a monthly Basic plan paid with `pm`, plus a Pro price. */
async function subscribed(stripe: Stripe, pm = "pm_card_visa") {
  const product = await stripe.products.create({ name: "Basic" });
  const basic = await stripe.prices.create({ product: product.id, unit_amount: 2900, currency: "usd", recurring: { interval: "month" }, lookup_key: "basic" });
  const proProduct = await stripe.products.create({ name: "Pro" });
  const pro = await stripe.prices.create({ product: proProduct.id, unit_amount: 7900, currency: "usd", recurring: { interval: "month" }, lookup_key: "pro" });
  const customer = await stripe.customers.create({ email: "grace@example.com", payment_method: pm, invoice_settings: { default_payment_method: undefined } });
  const pms = await stripe.customers.listPaymentMethods(customer.id);
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pms.data[0]!.id } });
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
  return { customer, basic, pro, sub, pm: pms.data[0]! };
}

function verified(stripe: Stripe, sim: Simulator, received: { raw: string; signature: string }[]): Stripe.Event[] {
  return received.map((r) => stripe.webhooks.constructEvent(r.raw, r.signature, SECRET, 300, undefined, sim.clock.now()));
}

describe("invoices", () => {
  it("a failed invoice payment is delivered as a signed invoice.payment_failed carrying the request's idempotency key", async () => {
    const { sim, stripe, receiver } = await setup({ webhook: true });
    const { customer, sub } = await subscribed(stripe);
    expect(sub.status).toBe("active");
    const bad = await stripe.paymentMethods.attach("pm_card_chargeDeclinedInsufficientFunds", { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: bad.id } });
    await sim.clock.advance(31 * 86400); // renewal: automatic attempt 1 fails
    await sim.webhooks.idle();
    const renewal = (await stripe.invoices.list({ customer: customer.id, status: "open" })).data[0]!;
    expect(renewal.attempt_count).toBe(1);
    expect(renewal.next_payment_attempt).toBe(renewal.status_transitions.finalized_at! + 3 * 86400);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("past_due");

    receiver!.received.length = 0;
    const err = await stripe.invoices.pay(renewal.id, {}, { idempotencyKey: "invoice:retry:1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((err as Stripe.errors.StripeCardError).decline_code).toBe("insufficient_funds");
    expect((err as Stripe.errors.StripeCardError).statusCode).toBe(402);
    const after = await stripe.invoices.retrieve(renewal.id);
    expect(after.status).toBe("open");
    expect(after.attempt_count).toBe(2);
    expect(after.next_payment_attempt).toBe(sim.clock.now() + 5 * 86400);
    const payments = await stripe.invoicePayments.list({ invoice: renewal.id, expand: ["data.payment.payment_intent"] }); // `payment` itself is not expandable in Stripe; its ids are
    expect(payments.data).toHaveLength(1);
    const pi = payments.data[0]!.payment.payment_intent as Stripe.PaymentIntent;
    expect(pi.last_payment_error?.decline_code).toBe("insufficient_funds");
    const ch = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(ch.outcome?.reason).toBe("insufficient_funds");

    await sim.webhooks.idle();
    const events = verified(stripe, sim, receiver!.received);
    const failed = events.find((e) => e.type === "invoice.payment_failed")!;
    expect(failed).toBeDefined();
    expect(failed.request).toEqual({ id: expect.stringMatching(/^req_/), idempotency_key: "invoice:retry:1" });
    expect((failed.data.object as Stripe.Invoice).id).toBe(renewal.id);
    expect(receiver!.received[0]!.signature).toMatch(new RegExp(`^t=${sim.clock.now()},v1=[0-9a-f]{64}$`));
    const listed = await stripe.events.list({ type: "invoice.payment_failed", delivery_success: true });
    expect(listed.data.map((e) => e.id)).toContain(failed.id);
  });

  it("after the final smart-retry attempt next_payment_attempt is null; a new card pays and emits invoice.paid", async () => {
    const { sim, stripe } = await setup();
    const { customer } = await subscribed(stripe);
    const bad = await stripe.paymentMethods.attach("pm_card_chargeDeclined", { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: bad.id } });
    await sim.clock.advance(31 * 86400 + 16 * 86400); // renewal + automatic retries at +3, +5, +7 days
    const inv = (await stripe.invoices.list({ customer: customer.id, status: "open" })).data[0]!;
    expect(inv.attempt_count).toBe(4);
    expect(inv.next_payment_attempt).toBeNull();
    const good = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const paid = await stripe.invoices.pay(inv.id, { payment_method: good.id });
    expect(paid.status).toBe("paid");
    expect(paid.amount_remaining).toBe(0);
    const types = (await stripe.events.list({ limit: 10 })).data.map((e) => e.type);
    expect(types).toContain("invoice.paid");
    expect(types).toContain("payment_intent.succeeded");
    expect(types).toContain("customer.subscription.updated");
    const payments = await stripe.invoicePayments.list({ invoice: inv.id });
    expect(payments.data.filter((p) => p.status === "paid")).toHaveLength(1);
  });

  it("pm_sim_decline_first_1 recovers on the next automatic retry", async () => {
    const { sim, stripe } = await setup();
    const { customer, sub } = await subscribed(stripe);
    const flaky = await stripe.paymentMethods.attach("pm_sim_decline_first_1", { customer: customer.id });
    await stripe.subscriptions.update(sub.id, { default_payment_method: flaky.id });
    await sim.clock.advance(31 * 86400);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("past_due");
    await sim.clock.advance(3 * 86400);
    const inv = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
    expect(inv.status).toBe("paid");
    expect(inv.attempt_count).toBe(2);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("active");
  });

  it("void and update", async () => {
    const { sim, stripe } = await setup();
    const { customer } = await subscribed(stripe, "pm_card_chargeDeclined");
    const inv = (await stripe.invoices.list({ customer: customer.id })).data[0]!;
    expect(inv.status).toBe("open");
    const updated = await stripe.invoices.update(inv.id, { metadata: { case: "invoice:x" } });
    expect(updated.metadata).toEqual({ case: "invoice:x" });
    const voided = await stripe.invoices.voidInvoice(inv.id);
    expect(voided.status).toBe("void");
    expect(voided.status_transitions.voided_at).toBe(sim.clock.now());
  });

  it("retries webhook deliveries with backoff until the endpoint answers 2xx", async () => {
    let calls = 0;
    const { sim, stripe, receiver } = await setup({ webhook: true, status: () => (++calls <= 2 ? 500 : 200) });
    await stripe.customers.create({ email: "retry@example.com" });
    await sim.webhooks.idle();
    const log = sim.webhooks.deliveries();
    expect(log.map((d) => [d.eventType, d.attempt, d.status, d.ok])).toEqual([
      ["customer.created", 1, 500, false],
      ["customer.created", 2, 500, false],
      ["customer.created", 3, 200, true],
    ]);
    expect(verified(stripe, sim, receiver!.received)).toHaveLength(3);
  });
});

describe("disputes", () => {
  it("evidence is staged with submit=false, then submitted (Stripe's default); close means lost", async () => {
    const { sim, stripe } = await setup();
    const pi = await stripe.paymentIntents.create({ amount: 4900, currency: "usd", payment_method: "pm_card_createDispute", confirm: true });
    const dp = (await stripe.disputes.list({ payment_intent: pi.id })).data[0]!;
    const staged = await stripe.disputes.update(dp.id, { evidence: { uncategorized_text: "credit issued on 2026-11-01" }, metadata: { case: "dispute:x" }, submit: false });
    expect(staged.status).toBe("needs_response");
    expect(staged.evidence.uncategorized_text).toBe("credit issued on 2026-11-01");
    expect(staged.evidence_details.has_evidence).toBe(true);
    expect(staged.evidence_details.submission_count).toBe(0);
    const submitted = await stripe.disputes.update(dp.id, { evidence: { product_description: "Pro plan" } });
    expect(submitted.status).toBe("under_review");
    expect(submitted.evidence_details.submission_count).toBe(1);
    expect(submitted.evidence.uncategorized_text).toBe("credit issued on 2026-11-01");
    const again = await stripe.disputes.update(dp.id, { evidence: { receipt: "file_x" } }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const events = (await stripe.events.list({ type: "charge.dispute.*" })).data.map((e) => e.type);
    expect(events).toEqual(["charge.dispute.updated", "charge.dispute.updated", "charge.dispute.created"]);

    const pi2 = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_createDispute", confirm: true });
    const dp2 = (await stripe.disputes.list({ payment_intent: pi2.id })).data[0]!;
    expect((await stripe.disputes.close(dp2.id)).status).toBe("lost");
    expect(sim.log.writes().at(-1)!.path).toBe(`/v1/disputes/${dp2.id}/close`);
  });

  it("winning_evidence wins after the clock moves; early fraud warnings are listable", async () => {
    const { sim, stripe } = await setup();
    const t = sim.trigger("charge.dispute.created");
    const id = t.objects.dispute!;
    await stripe.disputes.update(id, { evidence: { uncategorized_text: "winning_evidence" } });
    await sim.clock.advance(120);
    expect((await stripe.disputes.retrieve(id)).status).toBe("won");
    const w = sim.trigger("radar.early_fraud_warning.created");
    const efw = await stripe.radar.earlyFraudWarnings.retrieve(w.objects.early_fraud_warning!);
    expect(efw.charge).toBe(w.objects.charge);
    expect((await stripe.radar.earlyFraudWarnings.list({ charge: w.objects.charge! })).data).toHaveLength(1);
  });
});

describe("subscriptions and the clock", () => {
  it("a downgrade by schedule applies only when the clock passes the period end", async () => {
    const { sim, stripe } = await setup();
    const { sub, basic, pro } = await subscribed(stripe);
    const upgraded = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0]!.id, price: pro.id }],
      proration_behavior: "none",
    });
    expect(upgraded.items.data[0]!.price.id).toBe(pro.id);
    const item = upgraded.items.data[0]!;
    const periodEnd = item.current_period_end;

    const sched = await stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(sched.status).toBe("active");
    expect((await stripe.subscriptions.retrieve(sub.id)).schedule).toBe(sched.id);
    const phase = sched.phases[0]!;
    await stripe.subscriptionSchedules.update(sched.id, {
      phases: [
        { items: [{ price: pro.id, quantity: 1 }], start_date: phase.start_date, end_date: phase.end_date },
        { items: [{ price: basic.id, quantity: 1 }], duration: { interval: "month", interval_count: 1 } },
      ],
      end_behavior: "release",
    });
    await sim.clock.set(periodEnd - 60);
    expect((await stripe.subscriptions.retrieve(sub.id)).items.data[0]!.price.id).toBe(pro.id);
    await sim.clock.set(periodEnd + 60);
    const after = await stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data[0]!.price.id).toBe(basic.id);
    expect(after.items.data[0]!.current_period_start).toBe(periodEnd);
    const renewal = await stripe.invoices.retrieve(after.latest_invoice as string);
    expect(renewal.billing_reason).toBe("subscription_cycle");
    expect(renewal.amount_paid).toBe(2900);
    expect(renewal.parent?.subscription_details?.subscription).toBe(sub.id);
  });

  it("cancel_at_period_end cancels when the clock passes the period end; immediate cancel emits deleted", async () => {
    const { sim, stripe } = await setup();
    const { sub, customer, basic } = await subscribed(stripe);
    const updated = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true, metadata: { case: "subscription:x" } });
    expect(updated.cancel_at_period_end).toBe(true);
    await sim.clock.set(updated.items.data[0]!.current_period_end - 1);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("active");
    await sim.clock.advance(2);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("canceled");
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: "all" })).data).toHaveLength(1);

    const other = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
    const paused = await stripe.subscriptions.update(other.id, { pause_collection: { behavior: "void" } });
    expect(paused.pause_collection?.behavior).toBe("void");
    const canceled = await stripe.subscriptions.cancel(other.id);
    expect(canceled.status).toBe("canceled");
    expect((await stripe.events.list({ type: "customer.subscription.deleted" })).data).toHaveLength(2);
  });

  it("an upgrade with always_invoice bills the proration now", async () => {
    const { stripe } = await setup();
    const { sub, pro } = await subscribed(stripe);
    const up = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: pro.id }], proration_behavior: "always_invoice" });
    const inv = await stripe.invoices.retrieve(up.latest_invoice as string);
    expect(inv.billing_reason).toBe("subscription_update");
    expect(inv.amount_due).toBe(7900 - 2900);
    expect(inv.status).toBe("paid");
  });
});
