// 429s from the simulator through the official SDK: the gateway tries again with the same idempotency key, bounded,
// and Stripe acts once; reads are retried too; Retry-After and Stripe-Should-Retry are honoured.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { startSimulator, type Simulator } from "../sim/index.js";
import { createGateway, StripeRetryableError, type Gateway } from "./index.js";
import { rateLimitDelay } from "./rate-limit.js";

const scenario = JSON.parse(readFileSync(new URL("../../test/fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const FAST = { retries: 3, baseMs: 5, maxMs: 20 };

let sim: Simulator;
let gateway: Gateway;
beforeAll(async () => {
  sim = await startSimulator({ now: scenario.now, seed: structuredClone(scenario.stripe) });
  gateway = createGateway({ secretKey: "sk_test_rate_limit", baseUrl: sim.url, maxNetworkRetries: 2, rateLimitRetry: FAST });
});
afterAll(() => sim?.stop());
beforeEach(() => {
  sim.faults.clear();
  sim.log.clear();
});

const refundPosts = () => sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");

describe("a write that meets 429s", () => {
  it.each([1, 2, 3])("after %i 429s the refund is made once, every try with the same key", async (n) => {
    sim.faults.add({ method: "POST", path: "^/v1/refunds$", status: 429, times: n });
    const key = `billops:charge:${CHARGE}:evt_429_${n}:refund`;
    const res = await gateway.writes.createRefund({ charge: CHARGE, amount: 100, reason: "requested_by_customer", metadata: {} }, key);
    expect(res.ok).toBe(true);
    const posts = refundPosts();
    expect(posts).toHaveLength(n + 1);
    expect(new Set(posts.map((p) => p.idempotencyKey))).toEqual(new Set([key]));
    const stripe = new Stripe("sk_test_x", { host: sim.host, port: sim.port, protocol: "http" });
    const made = (await stripe.refunds.list({ charge: CHARGE, limit: 100 })).data.filter((r) => r.amount === 100);
    expect(made).toHaveLength(n);
  });

  it("past its retries the 429 is thrown as retryable (the event's own backoff takes over)", async () => {
    sim.faults.add({ method: "POST", path: "^/v1/refunds$", status: 429, times: 10 });
    await expect(gateway.writes.createRefund({ charge: CHARGE, amount: 100, reason: "requested_by_customer", metadata: {} }, "billops:charge:x:evt_429_many:refund")).rejects.toBeInstanceOf(StripeRetryableError);
    expect(refundPosts()).toHaveLength(FAST.retries + 1);
  });

  it("other errors are not retried by it (a 400 is a value, once)", async () => {
    sim.faults.add({ method: "POST", path: "^/v1/refunds$", status: 400, code: "parameter_invalid_integer", times: 5 });
    const res = await gateway.writes.createRefund({ charge: CHARGE, amount: 100, reason: "requested_by_customer", metadata: {} }, "billops:charge:x:evt_400:refund");
    expect(res.ok).toBe(false);
    expect(refundPosts()).toHaveLength(1);
  });
});

describe("a read that meets 429s", () => {
  it.each([
    ["getCharge", "^/v1/charges/", (g: Gateway) => g.reads.getCharge(CHARGE)],
    ["listRefunds", "^/v1/refunds$", (g: Gateway) => g.reads.listRefunds({ charge: CHARGE })],
    ["getCustomer", "^/v1/customers/", (g: Gateway) => g.reads.getCustomer("cus_X00000w")],
  ] as const)("%s is read after two 429s", async (_name, path, read) => {
    sim.faults.add({ method: "GET", path, status: 429, times: 2 });
    expect(await read(gateway)).toBeTruthy();
    expect(sim.log.all().filter((r) => r.method === "GET" && new RegExp(path).test(r.path))).toHaveLength(3);
  });
});

describe("how long it waits", () => {
  const error429 = (headers: Record<string, string> = {}) => new Stripe.errors.StripeRateLimitError({ type: "rate_limit_error", message: "slow down", statusCode: 429, headers } as any);
  const policy = { retries: 3, baseMs: 100, maxMs: 5_000 };

  it("backs off exponentially, with jitter below the doubled wait", () => {
    for (const retry of [0, 1, 2]) {
      const d = rateLimitDelay(error429(), retry, policy)!;
      expect(d).toBeGreaterThanOrEqual(policy.baseMs * 2 ** retry * 0.5);
      expect(d).toBeLessThanOrEqual(policy.baseMs * 2 ** retry);
    }
  });

  it("honours Retry-After, capped at maxMs", () => {
    expect(rateLimitDelay(error429({ "retry-after": "2" }), 0, policy)).toBe(2_000);
    expect(rateLimitDelay(error429({ "retry-after": "60" }), 0, policy)).toBe(5_000);
  });

  it.each([
    ["retries used up", error429(), 3],
    ["Stripe-Should-Retry: false", error429({ "stripe-should-retry": "false" }), 0],
    ["a 500", new Stripe.errors.StripeAPIError({ type: "api_error", message: "x", statusCode: 500 } as any), 0],
    ["a card error", new Stripe.errors.StripeCardError({ type: "card_error", message: "x", statusCode: 402 } as any), 0],
    ["not a Stripe error", new Error("boom"), 0],
  ] as const)("does not retry %s", (_what, err, retry) => {
    expect(rateLimitDelay(err, retry, policy)).toBeNull();
  });

  it("the simulator's Retry-After reaches the SDK's error", async () => {
    sim.faults.add({ method: "GET", path: "^/v1/charges/", status: 429, retryAfter: 7, times: 1 });
    const bare = new Stripe("sk_test_x", { host: sim.host, port: sim.port, protocol: "http", maxNetworkRetries: 0 });
    const err = await bare.charges.retrieve(CHARGE).catch((e) => e);
    expect(err.statusCode).toBe(429);
    expect(rateLimitDelay(err, 0, policy)).toBe(5_000);
  });
});
