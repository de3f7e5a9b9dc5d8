// One signed event PostgreSQL would refuse, among valid events arriving at the same moment: it alone gets a 400; every
// valid event beside it gets its 200, is stored and is processed. Text PostgreSQL's json keeps (a NUL or a lone
// surrogate inside a customer's name) is not poison at all: stored as sent.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manualClock } from "../domain/clock.js";
import { silentLogger } from "../telemetry/log.js";
import { getEvent, listEvents, waitUntilIdle, type NewEvent } from "../engine/inbox/index.js";
import { createIngestBatcher, UnstorableEventError } from "../engine/ingest-batch.js";
import { webhookRoutes } from "../server/webhook.js";
import { startWorker } from "../engine/worker.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const SECRET = "whsec_poison_tests";
const NOW = 1_900_000_000;
const stripe = new Stripe("sk_test_unused");
let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db?.close());

function event(id: string, o: { type?: string; object?: Record<string, unknown> } = {}) {
  return {
    id,
    object: "event",
    type: o.type ?? "invoice.payment_failed",
    api_version: "2026-10-28.endive",
    created: NOW,
    livemode: false,
    data: { object: { id: `in_${id.replace(/[^A-Za-z0-9]/g, "").slice(-20) || "x"}`, object: "invoice", ...o.object } },
    request: { id: null, idempotency_key: null },
  };
}

/** JSON text nested `depth` deep (JSON.stringify itself cannot write what is this deep). */
function deepJson(id: string, depth: number): string {
  const e = JSON.stringify(event(id));
  return e.replace('"object":"invoice"', `"object":"invoice","metadata":${'{"a":'.repeat(depth)}"bottom"${"}".repeat(depth)}`);
}

function nested(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

// Signed by Stripe (the secret is right), refused by PostgreSQL before this fix, so the whole batch failed.
const POISON: [string, object | string, string][] = [
  ["a NUL in the event id", event("evt_nul\u0000id"), "id"],
  ["a lone surrogate in the event id", event("evt_sur\ud800"), "id"],
  ["an event id of 4 KB", event(`evt_${"A".repeat(4000)}`), "id"],
  ["a ':' in the event id (billops' own namespaces)", event("request:evt_1"), "id"],
  ["a NUL in the event type", event("evt_badtype", { type: "invoice.paid\u0000" }), "type"],
  ["a NUL in the id of the object (the case key)", { ...event("evt_badobj"), data: { object: { id: "in_\u0000", object: "invoice" } } }, "case"],
  ["nesting 50,000 deep", deepJson("evt_deep", 50_000), "payload"],
];

async function listen() {
  const app = webhookRoutes({ pool: db.pool, stripe, webhookSecret: SECRET, clock: manualClock(NOW), logger: silentLogger });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  const post = async (e: object | string) => {
    const payload = typeof e === "string" ? e : JSON.stringify(e);
    const res = await fetch(url, { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: NOW }) } });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { post, close: () => new Promise((r) => server.close(r)) };
}

describe("a poison event among 60 valid ones", () => {
  it.each(POISON)("%s: it alone gets 400; the 60 valid events get 200, are stored and processed", async (_name, poison, field) => {
    const http = await listen();
    try {
      const valid = Array.from({ length: 60 }, (_, i) =>
        // Text json keeps and jsonb refused: these are valid events and must not be mistaken for poison.
        event(`evt_ok_${i}`, i % 10 === 0 ? { object: { customer_name: `Gr\u0000ace ${i}`, description: `half \ud83d emoji` } } : {}),
      );
      // All at once, poison in the middle: the ingest stores what arrives together in one statement.
      const all = [...valid.slice(0, 30), poison, ...valid.slice(30)];
      const answers = await Promise.all(all.map((e) => http.post(e)));
      const poisonAnswer = answers[30]!;
      expect(poisonAnswer.status).toBe(400);
      expect(poisonAnswer.body.error.code).toBe("unstorable_event");
      expect(poisonAnswer.body.error.field).toBe(field);
      const validAnswers = answers.filter((_, i) => i !== 30);
      expect(validAnswers.map((a) => a.status)).toEqual(valid.map(() => 200));
      expect(validAnswers.every((a) => a.body.duplicate === false)).toBe(true);

      const handled: string[] = [];
      const worker = startWorker({ pool: db.pool, concurrency: 4, pollIntervalMs: 20, leaseSeconds: 10, maxAttempts: 2, logger: silentLogger, handle: async (e) => void handled.push(e.id) });
      try {
        expect(await waitUntilIdle(db.pool, { timeoutMs: 30_000, intervalMs: 20 })).toBe(true);
      } finally {
        await worker.stop();
      }
      expect(handled.sort()).toEqual(valid.map((e) => e.id).sort());
      const stored = await listEvents(db.pool, { limit: 500 });
      expect(stored).toHaveLength(60);
      expect(stored.every((e) => e.status === "done")).toBe(true);
      // Stored as sent: the NUL and the half emoji are in the payload, exactly as Stripe signed them.
      expect((await getEvent(db.pool, "evt_ok_0"))!.payload.data.object.customer_name).toBe("Gr\u0000ace 0");
      expect((await getEvent(db.pool, "evt_ok_0"))!.payload.data.object.description).toBe("half \ud83d emoji");
    } finally {
      await http.close();
    }
  });
});

describe("the ingest batcher", () => {
  const ok = (id: string): NewEvent => ({ id, type: "invoice.paid", caseKey: `invoice:in_${id}`, source: "stripe", payload: { id } });

  it("stores a failed batch again one event at a time: only the event the database refuses fails", async () => {
    const batcher = createIngestBatcher(db.pool, { maxInFlight: 1, logger: silentLogger });
    // The first store goes out alone; everything queued behind it travels in one statement.
    const first = batcher.store(ok("evt_first"));
    // Not caught by the checks before the batch (a case-less event that is not "ignored" breaks a table constraint),
    // so only the fallback can keep it from failing its neighbours.
    const queued = [ok("evt_a"), { ...ok("evt_b"), caseKey: null }, ok("evt_c"), ok("evt_a"), ok("evt_d")].map((e) => batcher.store(e).then((v) => ({ ok: true as const, v }), (err) => ({ ok: false as const, err })));
    expect(await first).toBe(true);
    const results = await Promise.all(queued);
    expect(results.map((r) => (r.ok ? r.v : "refused"))).toEqual([true, "refused", true, false, true]);
    expect((results[1] as { err: { code: string } }).err.code).toBe("23514");
    expect((await listEvents(db.pool)).map((e) => e.id).sort()).toEqual(["evt_a", "evt_c", "evt_d", "evt_first"]);
  });

  it("refuses an event the database would refuse before it joins a batch", async () => {
    const batcher = createIngestBatcher(db.pool);
    await expect(batcher.store({ ...ok("evt_x"), id: "evt_\u0000" })).rejects.toBeInstanceOf(UnstorableEventError);
    await expect(batcher.store({ ...ok("evt_y"), payload: nested(500) })).rejects.toThrow(/deeper than 100/);
    expect(await batcher.store(ok("evt_z"))).toBe(true);
  });
});
