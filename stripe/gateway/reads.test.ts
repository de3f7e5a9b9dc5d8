// Gateway reads against the simulator through the official SDK: the plan catalog is reused for its TTL, shared by
// concurrent readers, read again after it, and a failed read is not kept; requests start without a call-site capture.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../sim/index.js";
import { createStripeClient } from "./index.js";
import { createStripeReads } from "./reads.js";
import { request } from "./call-site.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    now: 1_796_300_000,
    seed: {
      products: [{ id: "prod_basic", object: "product", name: "Basic", active: true }],
      prices: [{ id: "price_basic", object: "price", active: true, currency: "usd", product: "prod_basic", type: "recurring", unit_amount: 2900, recurring: { interval: "month", interval_count: 1 } }],
    },
  });
});
afterAll(() => sim?.stop());
beforeEach(() => sim.log.clear());

const catalogReads = () => sim.log.all().filter((r) => r.method === "GET" && r.path === "/v1/prices").length;

it("reads the catalog once per TTL, once for concurrent callers, and again after the TTL", async () => {
  const stripe = createStripeClient({ secretKey: "sk_test_reads", baseUrl: sim.url });
  let now = 0;
  const reads = createStripeReads(stripe, { catalogTtlMs: 60_000, nowMs: () => now });
  const [a, b] = await Promise.all([reads.listActiveRecurringPrices(), reads.listActiveRecurringPrices()]);
  expect(a.map((p) => p.id)).toEqual(["price_basic"]);
  expect((a[0].product as { name: string }).name).toBe("Basic");
  expect(b).toEqual(a);
  // Callers get their own list: sorting or emptying it leaves the kept one alone.
  a.length = 0;
  now = 59_999;
  expect((await reads.listActiveRecurringPrices()).map((p) => p.id)).toEqual(["price_basic"]);
  expect(catalogReads()).toBe(1);

  await stripe.prices.create({ product: "prod_basic", unit_amount: 7900, currency: "usd", recurring: { interval: "month" } });
  now = 60_000;
  expect((await reads.listActiveRecurringPrices()).length).toBe(2);
  expect(catalogReads()).toBe(2);
});

it("with a TTL of 0 reads every time, and does not keep a failed read", async () => {
  const stripe = createStripeClient({ secretKey: "sk_test_reads", baseUrl: sim.url, maxNetworkRetries: 0 });
  const uncached = createStripeReads(stripe, { catalogTtlMs: 0 });
  await uncached.listActiveRecurringPrices();
  await uncached.listActiveRecurringPrices();
  expect(catalogReads()).toBe(2);

  const reads = createStripeReads(stripe, { catalogTtlMs: 60_000 });
  sim.faults.add({ path: "/v1/prices", method: "GET", status: 500, times: 1 });
  await expect(reads.listActiveRecurringPrices()).rejects.toThrow();
  expect((await reads.listActiveRecurringPrices()).length).toBeGreaterThan(0);
});

it("starts requests without the SDK's call-site capture, and leaves Error.stackTraceLimit as it was", async () => {
  const stripe = createStripeClient({ secretKey: "sk_test_reads", baseUrl: sim.url, maxNetworkRetries: 0 });
  const reads = createStripeReads(stripe, { catalogTtlMs: 0 });
  const limit = Error.stackTraceLimit;
  sim.faults.add({ path: "/v1/prices", method: "GET", status: 500, times: 2 });
  // The SDK on its own appends the caller's frames to a failed request's error...
  const callerFrames = (e: Error) => (e.stack ?? "").split("Originating from:")[1]?.split("\n").filter((l) => l.trim().startsWith("at ")) ?? [];
  const direct = (await stripe.prices.list({ limit: 1 }).catch((e: Error) => e)) as Error;
  expect(callerFrames(direct).length).toBeGreaterThan(0);
  // ...which is what the gateway spares every request (see call-site.ts).
  const viaGateway = await reads.listActiveRecurringPrices().catch((e: Error) => e);
  expect(viaGateway).toBeInstanceOf(Error);
  expect(callerFrames(viaGateway as Error)).toEqual([]);
  expect(Error.stackTraceLimit).toBe(limit);
  expect(() => request(() => {
    throw new Error("thrown while starting");
  })).toThrow("thrown while starting");
  expect(Error.stackTraceLimit).toBe(limit);
});
