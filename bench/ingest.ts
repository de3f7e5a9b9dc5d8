// Webhook ingest: billops' real route (verify + store) against a bare Hono route that verifies and stores nothing.
import { Hono } from "hono";
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import http from "node:http";
import Stripe from "stripe";
import { createTestDatabase } from "../test/support/db.js";
import { webhookRoutes } from "../server/webhook.js";
import { silentLogger } from "../telemetry/log.js";
import { systemClock } from "../domain/clock.js";
import type { BenchResult } from "./result.js";

const SECRET = "whsec_bench_0123456789abcdef";
const stripe = new Stripe("sk_test_bench");

function listen(app: Hono): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe` }),
    );
  });
}

/** Signed bodies made before the clock starts, so both sides pay only for serving them. */
function bodies(n: number, prefix: string) {
  const t = systemClock.now();
  return Array.from({ length: n }, (_, i) => {
    const payload = JSON.stringify({
      id: `evt_${prefix}_${i}`, object: "event", type: "customer.subscription.updated", created: t, api_version: "2026-10-28.endive",
      request: { id: null, idempotency_key: null }, data: { object: { id: `sub_bench_${i % 500}`, object: "subscription", status: "active", customer: "cus_bench" } },
    });
    return { payload, header: stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: t }) };
  });
}

async function drive(url: string, items: { payload: string; header: string }[], concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(url);
  let next = 0;
  const one = (b: { payload: string; header: string }) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, headers: { "content-type": "application/json", "stripe-signature": b.header, "content-length": Buffer.byteLength(b.payload) } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(b.payload);
    });
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await one(items[next++]);
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return items.length / seconds;
}

export async function benchIngest(opts: { events: number; concurrency?: number }): Promise<BenchResult> {
  const concurrency = opts.concurrency ?? 32;
  const db = await createTestDatabase();
  const bare = new Hono().post("/webhooks/stripe", async (c) => {
    const raw = await c.req.text();
    try {
      stripe.webhooks.constructEvent(raw, c.req.header("stripe-signature") ?? "", SECRET, 300);
    } catch {
      return c.json({ error: { code: "signature_invalid", message: "bad signature" } }, 400);
    }
    return c.json({ received: true });
  });
  const real = new Hono().route("/", webhookRoutes({ pool: db.pool, stripe, webhookSecret: SECRET, clock: systemClock, logger: silentLogger }));
  const a = await listen(bare);
  const b = await listen(real);
  try {
    // Warm both (JIT, connections), then alternate measured rounds so drift on a shared machine hits both alike.
    await drive(a.url, bodies(300, "wa"), concurrency);
    await drive(b.url, bodies(300, "wb"), concurrency);
    // Paired rounds: each round measures the baseline and billops back to back and keeps their ratio, so drift on a
    // shared machine (Postgres checkpoints, other work) hits both sides of a pair alike; the median pair is reported.
    const pairs: { value: number; baseline: number }[] = [];
    for (let round = 0; round < 7; round++) {
      const baseline = await drive(a.url, bodies(opts.events, `a${round}`), concurrency);
      const value = await drive(b.url, bodies(opts.events, `b${round}`), concurrency);
      pairs.push({ value, baseline });
    }
    pairs.sort((x, y) => x.value / x.baseline - y.value / y.baseline);
    const { value, baseline } = pairs[Math.floor(pairs.length / 2)];
    const stored = await db.pool.query("select count(*)::int as n from stripe_events");
    if (stored.rows[0].n < opts.events * 7) throw new Error(`only ${stored.rows[0].n} events stored`);
    return { name: "webhook ingest (verify + store) vs bare verifying Hono route", value, baseline, ratio: value / baseline, unit: "req/s", target: 0.5 };
  } finally {
    a.server.close();
    b.server.close();
    await db.close();
  }
}
