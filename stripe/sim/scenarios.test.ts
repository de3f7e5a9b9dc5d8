// Every shared scenario's `stripe` block loads into the simulator; scenario events follow "newest wins".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index.js";
import { sdk, webhookReceiver } from "./testkit.js";
import { SHARED_SCENARIOS } from "../../test/support/shared-scenarios.js";

const DIR = SHARED_SCENARIOS;
const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
const sims: Simulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

const PREFIX_TO_RETRIEVE: Record<string, (s: Stripe, id: string) => Promise<{ id: string }>> = {
  customers: (s, id) => s.customers.retrieve(id),
  products: (s, id) => s.products.retrieve(id),
  prices: (s, id) => s.prices.retrieve(id),
  payment_methods: (s, id) => s.paymentMethods.retrieve(id),
  subscriptions: (s, id) => s.subscriptions.retrieve(id),
  subscription_schedules: (s, id) => s.subscriptionSchedules.retrieve(id),
  invoices: (s, id) => s.invoices.retrieve(id),
  invoice_payments: (s, id) => s.invoicePayments.retrieve(id),
  payment_intents: (s, id) => s.paymentIntents.retrieve(id),
  charges: (s, id) => s.charges.retrieve(id),
  refunds: (s, id) => s.refunds.retrieve(id),
  disputes: (s, id) => s.disputes.retrieve(id),
  early_fraud_warnings: (s, id) => s.radar.earlyFraudWarnings.retrieve(id),
};

describe("shared scenarios", () => {
  it("has scenario files to load", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s loads, and every seeded object is retrievable through the SDK", async (file) => {
    const scenario = JSON.parse(readFileSync(join(DIR, file), "utf8"));
    const sim = await startSimulator({ now: scenario.now, seed: scenario.stripe });
    sims.push(sim);
    const stripe = sdk(sim);
    for (const [key, list] of Object.entries(scenario.stripe as Record<string, { id: string }[]>)) {
      for (const obj of list) {
        const got = await PREFIX_TO_RETRIEVE[key]!(stripe, obj.id);
        expect(got.id).toBe(obj.id);
      }
    }
    for (const step of scenario.steps) if (step.event) sim.applyEventObject(step.event);
    expect(sim.log.writes()).toHaveLength(0);
  });
});

describe("seeded state behaves like Stripe", () => {
  it("a seeded open invoice pays with its subscription's default payment method and fills defaults", async () => {
    const scenario = JSON.parse(readFileSync(join(DIR, "example_dunning_insufficient_funds_second_attempt.json"), "utf8"));
    const sim = await startSimulator({ now: scenario.now, seed: scenario.stripe });
    sims.push(sim);
    const stripe = sdk(sim);
    const inv = await stripe.invoices.retrieve("in_X000007");
    expect(inv.amount_overpaid).toBe(0);
    expect(inv.issuer).toEqual({ type: "self" });
    const paid = await stripe.invoices.pay("in_X000007");
    expect(paid.status).toBe("paid");
    expect(paid.attempt_count).toBe(3);
    const payments = await stripe.invoicePayments.list({ invoice: "in_X000007" });
    expect(payments.data).toHaveLength(1);
    expect(payments.data[0]!.status).toBe("paid");
    const pi = await stripe.paymentIntents.retrieve("pi_X000005");
    expect(pi.status).toBe("succeeded");
    expect(pi.payment_method).toBe("pm_X000002");
    const sub = await stripe.subscriptions.retrieve("sub_X000003");
    expect(sub.status).toBe("active");
  });

  it("newest wins: an event's object is written unless the store holds a later version", async () => {
    const sim = await startSimulator({ now: 1000 });
    sims.push(sim);
    const v1 = { created: 1000, data: { object: { id: "in_E", object: "invoice", status: "open", amount_due: 500, customer: "cus_E" } } };
    const v2 = { created: 2000, data: { object: { id: "in_E", object: "invoice", status: "paid", amount_due: 500, customer: "cus_E" } } };
    expect(sim.applyEventObject(v2)).toBe(true);
    expect(sim.applyEventObject(v1)).toBe(false);
    expect(sim.store.get("in_E")!.status).toBe("paid");
    expect(sim.store.get("in_E")!.amount_overpaid).toBe(0);
    expect(sim.applyEventObject(v2)).toBe(true);
    const stripe = sdk(sim);
    await stripe.invoices.update("in_E", { metadata: { touched: "yes" } });
    expect(sim.applyEventObject(v2)).toBe(true); // the simulator wrote at t=1000, the event is from t=2000
    await sim.clock.set(3000);
    await stripe.invoices.update("in_E", { metadata: { touched: "yes" } });
    expect(sim.applyEventObject(v2)).toBe(false);
    expect(sim.store.get("in_E")!.metadata).toEqual({ touched: "yes" });
  });

  it("deliver() signs a scenario event with the simulator clock and records it in /v1/events", async () => {
    const receiver = await webhookReceiver();
    const sim = await startSimulator({ now: 1796300000, webhook: { url: receiver.url, secret: "whsec_x" } });
    sims.push(sim);
    const event = { id: "evt_S1", object: "event", type: "invoice.payment_failed", created: 1796300000, api_version: "2026-10-28.endive", data: { object: { id: "in_S", object: "invoice" } } };
    await sim.webhooks.deliver(event);
    await sim.webhooks.deliver(event);
    await sim.webhooks.idle();
    await receiver.close();
    expect(receiver.received).toHaveLength(2);
    const stripe = sdk(sim);
    const parsed = stripe.webhooks.constructEvent(receiver.received[0]!.raw, receiver.received[0]!.signature, "whsec_x", 300, undefined, 1796300000);
    expect(parsed.id).toBe("evt_S1");
    expect((await stripe.events.retrieve("evt_S1")).type).toBe("invoice.payment_failed");
    expect((await stripe.events.list()).data).toHaveLength(1);
  });

  it("the control API seeds, moves the clock, triggers and lists requests", async () => {
    const sim = await startSimulator({ now: 1796300000 });
    sims.push(sim);
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await post("/_sim/seed", { stripe: { customers: [{ id: "cus_C", email: "c@example.com" }] } })).status).toBe(200);
    expect(sim.store.get("cus_C")!.invoice_settings).toBeDefined();
    expect((await post("/_sim/seed", { customers: [{ id: 5 }] })).status).toBe(400);
    expect((await post("/_sim/clock", { advance: 60 })).body.now).toBe(1796300060);
    const t = await post("/_sim/trigger", { type: "invoice.payment_failed", decline: "insufficient_funds" });
    expect(t.status).toBe(200);
    const stripe = sdk(sim);
    const failed = await stripe.events.retrieve(t.body.events.find((id: string) => sim.store.get(id)!.type === "invoice.payment_failed"));
    expect((failed.data.object as Stripe.Invoice).id).toBe(t.body.objects.invoice);
    expect(failed.request).toEqual({ id: null, idempotency_key: null });
    const f = await post("/_sim/faults", { path: "^/v1/customers", status: 500, times: 1 });
    expect(f.body.id).toMatch(/^fault_/);
    expect(await stripe.customers.retrieve("cus_C").catch((e: any) => e.statusCode)).toBe(500);
    const reqs = await fetch(`${sim.url}/_sim/requests`).then((r) => r.json() as Promise<any>);
    expect(reqs.data.filter((r: any) => r.path === "/v1/customers/cus_C").map((r: any) => [r.status, r.fault])).toEqual([[500, f.body.id]]);
  });
});
