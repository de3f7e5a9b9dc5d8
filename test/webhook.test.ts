// The webhook endpoint on real PostgreSQL: bad signatures and oversized bodies store nothing; duplicates store once
// and run once; echoes of billops' own writes are marked.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manualClock } from "../domain/clock.js";
import { silentLogger } from "../telemetry/log.js";
import { getEvent, listEvents, waitUntilIdle } from "../engine/inbox/index.js";
import { webhookRoutes } from "../server/webhook.js";
import { startWorker } from "../engine/worker.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const SECRET = "whsec_test_secret_for_billops";
const stripe = new Stripe("sk_test_unused");
const NOW = 1_900_000_000;
let db: TestDatabase;
let clock: ReturnType<typeof manualClock>;
let app: ReturnType<typeof webhookRoutes>;

beforeEach(async () => {
  db = await createTestDatabase();
  clock = manualClock(NOW);
  app = webhookRoutes({ pool: db.pool, stripe, webhookSecret: SECRET, clock, logger: silentLogger });
});
afterEach(async () => db.close());

function stripeEvent(id: string, type = "invoice.payment_failed", extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    id,
    object: "event",
    type,
    created: NOW,
    data: { object: { id: "in_123", object: "invoice" } },
    request: { id: "req_1", idempotency_key: null },
    ...extra,
  });
}

function sign(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  return stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp ?? NOW });
}

function post(body: string | ReadableStream, headers: Record<string, string>) {
  return app.request("/webhooks/stripe", { method: "POST", body, headers: { "content-type": "application/json", ...headers }, duplex: "half" } as RequestInit);
}

async function stored() {
  return (await listEvents(db.pool, { limit: 500 })).length;
}

describe("POST /webhooks/stripe", () => {
  it("stores a signed event and answers 200 {received, duplicate:false}", async () => {
    const body = stripeEvent("evt_ok");
    const res = await post(body, { "stripe-signature": sign(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    expect(await getEvent(db.pool, "evt_ok")).toMatchObject({
      type: "invoice.payment_failed",
      caseKey: "invoice:in_123",
      status: "pending",
      source: "stripe",
      echo: false,
      payload: { id: "evt_ok" },
    });
  });

  const payload = stripeEvent("evt_bad");
  const cases: Array<[string, () => { body: string; headers: Record<string, string> }, string]> = [
    ["missing header", () => ({ body: payload, headers: {} }), "signature_missing"],
    ["malformed header", () => ({ body: payload, headers: { "stripe-signature": "garbage" } }), "signature_malformed"],
    ["wrong secret", () => ({ body: payload, headers: { "stripe-signature": sign(payload, { secret: "whsec_other" }) } }), "signature_invalid"],
    // 301 s old by the injected clock: just outside the 300 s tolerance.
    ["stale timestamp", () => ({ body: payload, headers: { "stripe-signature": sign(payload, { timestamp: NOW - 301 }) } }), "signature_expired"],
    ["tampered body", () => ({ body: payload.replace("in_123", "in_999"), headers: { "stripe-signature": sign(payload) } }), "signature_invalid"],
  ];
  it.each(cases)("rejects a %s with 400 and stores nothing", async (_name, make, code) => {
    const { body, headers } = make();
    const res = await post(body, headers);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message).toBeTruthy();
    expect(await stored()).toBe(0);
  });

  it("accepts a timestamp 299 s old by the injected clock, not the wall clock", async () => {
    const body = stripeEvent("evt_edge");
    const res = await post(body, { "stripe-signature": sign(body, { timestamp: NOW - 299 }) });
    expect(res.status).toBe(200);
  });

  it("answers 413 over 1 MiB by Content-Length and by actual (chunked) length, storing nothing", async () => {
    const big = stripeEvent("evt_big", "invoice.paid", { padding: "x".repeat(1024 * 1024) });
    const res = await post(big, { "stripe-signature": sign(big), "content-length": String(Buffer.byteLength(big)) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe("payload_too_large");

    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(ctrl) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) ctrl.enqueue(bytes.subarray(i, i + 64 * 1024));
        ctrl.close();
      },
    });
    const chunked = await post(stream, { "stripe-signature": sign(big), "transfer-encoding": "chunked" });
    expect(chunked.status).toBe(413);
    expect(await stored()).toBe(0);
  });

  it("answers 413 over a real socket (node-server), storing nothing", async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    try {
      const { port } = server.address() as AddressInfo;
      const big = stripeEvent("evt_big2", "invoice.paid", { padding: "y".repeat(1100 * 1024) });
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/stripe`, {
        method: "POST",
        body: big,
        headers: { "stripe-signature": sign(big) },
      });
      expect(res.status).toBe(413);
      expect(await stored()).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("stores the same event delivered 5 times at once exactly once, and the worker handles it once", async () => {
    const body = stripeEvent("evt_dup");
    const header = sign(body);
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(body, { "stripe-signature": header })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const flags = await Promise.all(responses.map(async (r) => ((await r.json()) as { duplicate: boolean }).duplicate));
    expect(flags.filter((d) => !d)).toHaveLength(1);
    expect(await stored()).toBe(1);

    const handled: string[] = [];
    const worker = startWorker({
      pool: db.pool,
      concurrency: 4,
      pollIntervalMs: 50,
      leaseSeconds: 10,
      maxAttempts: 3,
      logger: silentLogger,
      async handle(event) {
        handled.push(event.id);
      },
    });
    try {
      expect(await waitUntilIdle(db.pool, { timeoutMs: 5000 })).toBe(true);
      // A sixth, late delivery after processing is still a duplicate.
      const late = await post(body, { "stripe-signature": header });
      expect(await late.json()).toEqual({ received: true, duplicate: true });
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      await worker.stop();
    }
    expect(handled).toEqual(["evt_dup"]);
  });

  it("stores unknown types as ignored and marks echoes of billops' own writes", async () => {
    const unknown = stripeEvent("evt_unknown", "customer.created", { data: { object: { id: "cus_1" } } });
    expect((await post(unknown, { "stripe-signature": sign(unknown) })).status).toBe(200);
    expect(await getEvent(db.pool, "evt_unknown")).toMatchObject({ status: "ignored", caseKey: null });

    const echo = stripeEvent("evt_echo", "invoice.paid", { request: { id: "req_2", idempotency_key: "billops:invoice:in_123:evt_1:retry" } });
    expect((await post(echo, { "stripe-signature": sign(echo) })).status).toBe(200);
    expect(await getEvent(db.pool, "evt_echo")).toMatchObject({ status: "pending", echo: true });

    const foreign = stripeEvent("evt_foreign", "invoice.paid", { request: { id: "req_3", idempotency_key: "dashboard-abc" } });
    await post(foreign, { "stripe-signature": sign(foreign) });
    expect(await getEvent(db.pool, "evt_foreign")).toMatchObject({ echo: false });
  });
});
