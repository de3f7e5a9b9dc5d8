// Subscription changes that wait for money, through the SDK as Stripe documents them: pending updates
// (pending_if_incomplete + always_invoice), cancellation with invoice_now / prorate, collection stopped on cancel,
// void / mark_uncollectible of the refused invoice, and pauses that end at resumes_at.
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "./index.js";
import { sdk } from "./testkit.js";

const NOW = 1796300000;
const DAY = 86400;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const sim = await startSimulator({ now: NOW });
  cleanups.push(() => sim.stop());
  const stripe = sdk(sim);
  const basicProduct = await stripe.products.create({ name: "Basic" });
  const basic = await stripe.prices.create({ product: basicProduct.id, unit_amount: 3000, currency: "usd", recurring: { interval: "month" } });
  const proProduct = await stripe.products.create({ name: "Pro" });
  const pro = await stripe.prices.create({ product: proProduct.id, unit_amount: 9000, currency: "usd", recurring: { interval: "month" } });
  const customer = await stripe.customers.create({ email: "ada@example.com" });
  const pm = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
  return { sim, stripe, basic, pro, customer, sub };
}

async function declineFromNowOn(stripe: Stripe, customer: string) {
  const bad = await stripe.paymentMethods.attach("pm_card_chargeDeclinedInsufficientFunds", { customer });
  await stripe.customers.update(customer, { invoice_settings: { default_payment_method: bad.id } });
}

describe("pending updates (payment_behavior=pending_if_incomplete)", () => {
  it("paid at once: the price changes and the prorated difference is invoiced now", async () => {
    const { sim, stripe, pro, sub } = await setup();
    await sim.clock.advance(15 * DAY);
    const updated = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete", metadata: { billops_case: "request:r1" } });
    expect(updated.pending_update).toBeNull();
    expect(updated.items.data[0]!.price.id).toBe(pro.id);
    expect(updated.metadata.billops_case).toBe("request:r1");
    const inv = await stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(inv.status).toBe("paid");
    expect(inv.billing_reason).toBe("subscription_update");
    expect(inv.amount_paid).toBeGreaterThan(0);
    expect(inv.amount_paid).toBeLessThan(9000 - 3000);
  });

  it("declined: the plan stays, the subscription stays active, pending_update waits; paying the invoice applies it", async () => {
    const { sim, stripe, pro, basic, sub, customer } = await setup();
    await declineFromNowOn(stripe, customer.id);
    const updated = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete" });
    expect(updated.status).toBe("active");
    expect(updated.items.data[0]!.price.id).toBe(basic.id);
    expect(updated.pending_update).toMatchObject({ expires_at: NOW + 23 * 3600 });
    expect(updated.pending_update!.subscription_items![0]!.price.id).toBe(pro.id);
    const inv = await stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(inv.status).toBe("open");

    const good = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    await stripe.invoices.pay(inv.id, { payment_method: good.id });
    const after = await stripe.subscriptions.retrieve(sub.id);
    expect(after.pending_update).toBeNull();
    expect(after.items.data[0]!.price.id).toBe(pro.id);
    const types = (await stripe.events.list({ limit: 50 })).data.map((e) => e.type);
    expect(types).toContain("customer.subscription.pending_update_applied");
    void sim;
  });

  it("never paid: at expires_at the update is discarded and its invoice voided", async () => {
    const { sim, stripe, pro, basic, sub, customer } = await setup();
    await declineFromNowOn(stripe, customer.id);
    const updated = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete" });
    await sim.clock.advance(24 * 3600);
    const after = await stripe.subscriptions.retrieve(sub.id);
    expect(after.pending_update).toBeNull();
    expect(after.items.data[0]!.price.id).toBe(basic.id);
    expect((await stripe.invoices.retrieve(updated.latest_invoice as string)).status).toBe("void");
    expect((await stripe.events.list({ limit: 50 })).data.map((e) => e.type)).toContain("customer.subscription.pending_update_expired");
  });

  it("refuses parameters pending updates do not support, and send_invoice subscriptions", async () => {
    const { stripe, pro, sub } = await setup();
    const err = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: pro.id }], payment_behavior: "pending_if_incomplete", proration_behavior: "always_invoice", cancel_at_period_end: true }).catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.param).toBe("cancel_at_period_end");
  });
});

describe("cancelling now", () => {
  it("invoice_now bills pending prorations; without invoice_now and prorate they are dropped", async () => {
    const { sim, stripe, pro, sub } = await setup();
    await sim.clock.advance(10 * DAY);
    await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: pro.id }], proration_behavior: "create_prorations" });
    const canceled = await stripe.subscriptions.cancel(sub.id, { invoice_now: true, prorate: false });
    expect(canceled.status).toBe("canceled");
    const final = await stripe.invoices.retrieve(canceled.latest_invoice as string);
    expect(final.lines.data.some((l) => l.parent?.subscription_item_details?.proration)).toBe(true);
  });

  it("prorate credits the unused time", async () => {
    const { sim, stripe, sub } = await setup();
    await sim.clock.advance(10 * DAY);
    const canceled = await stripe.subscriptions.cancel(sub.id, { invoice_now: true, prorate: true });
    const final = await stripe.invoices.retrieve(canceled.latest_invoice as string);
    expect(final.total).toBeLessThan(0);
  });

  it("stops automatic collection of the subscription's open invoice; void and mark_uncollectible settle it", async () => {
    const { sim, stripe, sub, customer } = await setup();
    await declineFromNowOn(stripe, customer.id);
    await sim.clock.advance(31 * DAY);
    const open = (await stripe.invoices.list({ customer: customer.id, status: "open" })).data[0]!;
    expect(open.next_payment_attempt).not.toBeNull();
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("past_due");
    await stripe.subscriptions.cancel(sub.id, { invoice_now: true, prorate: false });
    const stopped = await stripe.invoices.retrieve(open.id);
    expect(stopped.status).toBe("open");
    expect(stopped.auto_advance).toBe(false);
    expect(stopped.next_payment_attempt).toBeNull();
    const voided = await stripe.invoices.voidInvoice(open.id);
    expect(voided.status).toBe("void");
  });
});

describe("pauses end", () => {
  it("pause_collection with resumes_at voids renewals in the pause and resumes on time", async () => {
    const { sim, stripe, sub } = await setup();
    const resumesAt = NOW + 45 * DAY;
    const paused = await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: "void", resumes_at: resumesAt } });
    expect(paused.pause_collection).toEqual({ behavior: "void", resumes_at: resumesAt });
    await sim.clock.advance(31 * DAY);
    const renewal = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!;
    expect(renewal.status).toBe("void");
    await sim.clock.advance(15 * DAY);
    expect((await stripe.subscriptions.retrieve(sub.id)).pause_collection).toBeNull();
  });
});
