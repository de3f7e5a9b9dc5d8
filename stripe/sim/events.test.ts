// GET /v1/events through the official SDK: every event the simulator makes is listed newest first, with Stripe's
// filters (created ranges, type with wildcards, types[], delivery_success) and cursor pagination; reconcile relies on it.
import { afterEach, describe, expect, it } from "vitest";
import type Stripe from "stripe";
import { startSimulator, type Simulator } from "./index.js";
import { caught, sdk, webhookReceiver } from "./testkit.js";

const NOW = 1796300000;
const sims: Simulator[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  for (const c of closers.splice(0)) await c();
});

/** A simulator whose endpoint refuses every event of a type in `refuse`; 12 events at NOW, NOW+10, … NOW+110. */
async function world(refuse: string[] = []) {
  const receiver = await webhookReceiver((raw) => (refuse.includes(JSON.parse(raw).type) ? 500 : 200));
  closers.push(receiver.close);
  const sim = await startSimulator({ now: NOW, webhook: { url: receiver.url, secret: "whsec_events" }, webhookRetry: { maxAttempts: 2, baseDelayMs: 1 } });
  sims.push(sim);
  const types = ["invoice.payment_failed", "invoice.paid", "charge.refunded", "customer.subscription.updated"];
  for (let i = 0; i < 12; i++) {
    await sim.webhooks.deliver({ id: `evt_L${String(i).padStart(2, "0")}`, type: types[i % 4], created: NOW + i * 10, data: { object: { id: `obj_${i}`, object: "thing" } } });
  }
  await sim.webhooks.idle();
  return { sim, stripe: sdk(sim), receiver };
}

const ids = (list: { data: Stripe.Event[] }) => list.data.map((e) => e.id);
const ev = (...n: number[]) => n.map((i) => `evt_L${String(i).padStart(2, "0")}`);

describe("GET /v1/events", () => {
  it("lists newest first, 10 by default, and retrieves one by id", async () => {
    const { stripe } = await world();
    const first = await stripe.events.list();
    expect(ids(first)).toEqual(ev(11, 10, 9, 8, 7, 6, 5, 4, 3, 2));
    expect(first.has_more).toBe(true);
    expect(first.url).toBe("/v1/events");
    expect((await stripe.events.retrieve("evt_L03")).type).toBe("customer.subscription.updated");
    const missing = await caught(stripe.events.retrieve("evt_nope"));
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it.each([
    [{ gt: NOW + 50 }, ev(11, 10, 9, 8, 7, 6)],
    [{ gte: NOW + 50 }, ev(11, 10, 9, 8, 7, 6, 5)],
    [{ lt: NOW + 20 }, ev(1, 0)],
    [{ lte: NOW + 20 }, ev(2, 1, 0)],
    [{ gte: NOW + 30, lt: NOW + 60 }, ev(5, 4, 3)],
    [NOW + 70, ev(7)],
  ] as [Stripe.RangeQueryParam | number, string[]][])("created %j", async (created, want) => {
    const { stripe } = await world();
    expect(ids(await stripe.events.list({ created, limit: 100 }))).toEqual(want);
  });

  it.each([
    [{ type: "invoice.paid" }, ev(9, 5, 1)],
    [{ type: "invoice.*" }, ev(9, 8, 5, 4, 1, 0)],
    [{ types: ["charge.refunded", "customer.subscription.updated"] }, ev(11, 10, 7, 6, 3, 2)],
    [{ type: "radar.*" }, []],
  ] as [Stripe.EventListParams, string[]][])("%j", async (params, want) => {
    const { stripe } = await world();
    expect(ids(await stripe.events.list({ ...params, limit: 100 }))).toEqual(want);
  });

  it("refuses type and types together, and more than 20 types, as Stripe does", async () => {
    const { stripe } = await world();
    expect(await caught(stripe.events.list({ type: "invoice.paid", types: ["invoice.paid"] }))).toMatchObject({ statusCode: 400, param: "types" });
    const many = Array.from({ length: 21 }, (_, i) => `invoice.t${i}`);
    expect(await caught(stripe.events.list({ types: many }))).toMatchObject({ statusCode: 400, param: "types" });
  });

  it("delivery_success: events whose delivery failed every attempt apart from those delivered", async () => {
    const { stripe, sim, receiver } = await world(["invoice.payment_failed"]);
    expect(ids(await stripe.events.list({ delivery_success: false, limit: 100 }))).toEqual(ev(8, 4, 0));
    expect(ids(await stripe.events.list({ delivery_success: true, limit: 100 }))).toEqual(ev(11, 10, 9, 7, 6, 5, 3, 2, 1));
    // Each refused event was tried twice (maxAttempts 2), each other one once.
    expect(receiver.received).toHaveLength(12 + 3);
    // Combined with other filters.
    expect(ids(await stripe.events.list({ delivery_success: false, created: { gt: NOW + 10 } }))).toEqual(ev(8, 4));
    expect(sim.webhooks.deliveries().filter((d) => !d.ok)).toHaveLength(6);
  });

  it("an event whose delivery is still being retried is not yet a success", async () => {
    const receiver = await webhookReceiver(() => 503);
    closers.push(receiver.close);
    const sim = await startSimulator({ now: NOW, webhook: { url: receiver.url, secret: "whsec_events" }, webhookRetry: { maxAttempts: 5, baseDelayMs: 60_000 } });
    sims.push(sim);
    void sim.webhooks.deliver({ id: "evt_retrying", type: "invoice.paid", created: NOW, data: { object: { id: "in_1", object: "invoice" } } });
    const stripe = sdk(sim);
    await expect.poll(() => receiver.received.length).toBe(1);
    expect(ids(await stripe.events.list({ delivery_success: false }))).toEqual(["evt_retrying"]);
    expect(ids(await stripe.events.list({ delivery_success: true }))).toEqual([]);
  });

  it("pages with starting_after and ending_before, and autoPagingEach walks every event once", async () => {
    const { stripe } = await world();
    const p1 = await stripe.events.list({ limit: 5 });
    expect(ids(p1)).toEqual(ev(11, 10, 9, 8, 7));
    const p2 = await stripe.events.list({ limit: 5, starting_after: "evt_L07" });
    expect(ids(p2)).toEqual(ev(6, 5, 4, 3, 2));
    expect(p2.has_more).toBe(true);
    const p3 = await stripe.events.list({ limit: 5, starting_after: "evt_L02" });
    expect(ids(p3)).toEqual(ev(1, 0));
    expect(p3.has_more).toBe(false);
    const back = await stripe.events.list({ limit: 3, ending_before: "evt_L04" });
    expect(ids(back)).toEqual(ev(7, 6, 5));
    expect(back.has_more).toBe(true);
    // With a filter, the cursor counts only matching events.
    expect(ids(await stripe.events.list({ type: "invoice.*", limit: 2, starting_after: "evt_L08" }))).toEqual(ev(5, 4));

    const seen: string[] = [];
    await stripe.events.list({ limit: 3, created: { gte: NOW + 20 } }).autoPagingEach((e) => {
      seen.push(e.id);
    });
    expect(seen).toEqual(ev(11, 10, 9, 8, 7, 6, 5, 4, 3, 2));
    const all: string[] = [];
    for await (const e of stripe.events.list({ limit: 4 })) all.push(e.id);
    expect(new Set(all).size).toBe(12);
  });

  it("records the events its own API calls cause, with the request that caused them", async () => {
    const { sim, stripe } = await world();
    const c = await stripe.customers.create({ email: "a@example.com" }, { idempotencyKey: "billops:test:1" });
    await sim.webhooks.idle();
    const [created] = (await stripe.events.list({ type: "customer.created" })).data;
    expect(created).toMatchObject({ type: "customer.created", request: { idempotency_key: "billops:test:1" }, data: { object: { id: c.id } } });
    expect(created!.created).toBe(sim.clock.now());
  });
});
