// Operator routes behind approver auth: list, read, retry a failed event, skip a blocking one; JSON errors.
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../telemetry/log.js";
import { approverAuth, type ApproverEnv } from "../server/auth.js";
import { createAuthThrottle } from "../server/auth-throttle.js";
import { eventsRoutes } from "../server/events-api.js";
import { claimEvent, failEvent, insertEvent } from "../engine/inbox/index.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const TOKEN = "alice-token-0123456789";
let db: TestDatabase;
let app: Hono<ApproverEnv>;
beforeEach(async () => {
  db = await createTestDatabase();
  app = new Hono<ApproverEnv>();
  const auth = approverAuth(new Map([[TOKEN, "alice"]]), { throttle: createAuthThrottle({ maxFailures: 10 }), trustedProxies: new Set() });
  app.use("/events/*", auth);
  app.use("/events", auth);
  app.route("/", eventsRoutes({ pool: db.pool, logger: silentLogger }));
});
afterEach(async () => db?.close());

const auth = { authorization: `Bearer ${TOKEN}` };
const call = (path: string, init: RequestInit = {}) =>
  app.request(path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });

async function failFor(id: string, caseKey: string) {
  await insertEvent(db.pool, { id, type: "invoice.payment_failed", caseKey, source: "stripe", payload: {} });
  const c = await claimEvent(db.pool, { workerId: "w", leaseSeconds: 30, maxAttempts: 1 });
  expect(c?.id).toBe(id);
  await failEvent(db.pool, id, { workerId: "w", error: "boom", maxAttempts: 1 });
}

describe("approverAuth", () => {
  it("answers 401 JSON without a token or with a wrong one, and accepts bearer or x-api-key", async () => {
    const none = await app.request("/events");
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe("unauthenticated");
    const wrong = await app.request("/events", { headers: { authorization: "Bearer alice-token-0123456788" } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.code).toBe("invalid_token");
    expect((await app.request("/events", { headers: { "x-api-key": TOKEN } })).status).toBe(200);
    expect((await call("/events")).status).toBe(200);
  });

  it("refuses an address that failed ten times with 429 and Retry-After, even with the right token", async () => {
    for (let i = 0; i < 10; i++) {
      const wrong = await app.request("/events", { headers: { "x-api-key": `guess-${i}-0123456789abcdef` } });
      expect(wrong.status).toBe(401);
    }
    const right = await call("/events");
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await right.json()) as any).error.code).toBe("too_many_failed_attempts");
    // A request without any token is not a guess: it does not count, and is still refused while the window lasts.
    expect((await app.request("/events")).status).toBe(429);
  });
});

describe("events API", () => {
  it("lists and filters, reads one, 404s an unknown id, 400s a bad filter", async () => {
    await insertEvent(db.pool, { id: "evt_l1", type: "invoice.paid", caseKey: "invoice:L", source: "stripe", payload: { x: 1 } });
    const list = (await (await call("/events?case=invoice:L")).json()) as any;
    expect(list.events.map((e: any) => e.id)).toEqual(["evt_l1"]);
    const one = (await (await call("/events/evt_l1")).json()) as any;
    expect(one.event).toMatchObject({ id: "evt_l1", status: "pending", payload: { x: 1 } });
    const missing = await call("/events/evt_nope");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe("event_not_found");
    expect((await call("/events?status=weird")).status).toBe(400);
    expect((await call("/events?limit=0")).status).toBe(400);
  });

  it("retries a failed event (attempts reset) and 409s a retry of anything else", async () => {
    await failFor("evt_r1", "invoice:R");
    const failed = (await (await call("/events?status=failed&case=invoice:R")).json()) as any;
    expect(failed.events.map((e: any) => e.id)).toEqual(["evt_r1"]);
    const res = await call("/events/evt_r1/retry", { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).event).toMatchObject({ status: "pending", attempts: 0 });
    const again = await call("/events/evt_r1/retry", { method: "POST" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).error.code).toBe("event_not_failed");
    expect((await call("/events/evt_nope/retry", { method: "POST" })).status).toBe(404);
  });

  it("skips a failed event so the next event of its case can run; 409 for a done one", async () => {
    await failFor("evt_s1", "invoice:S");
    await insertEvent(db.pool, { id: "evt_s2", type: "invoice.paid", caseKey: "invoice:S", source: "stripe", payload: {} });
    // Blocked behind the failed event.
    const blocked = await claimEvent(db.pool, { workerId: "w", leaseSeconds: 30, maxAttempts: 1 });
    expect(blocked?.id).not.toBe("evt_s2");
    const res = await call("/events/evt_s1/skip", { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).event.status).toBe("skipped");
    const next = await claimEvent(db.pool, { workerId: "w", leaseSeconds: 30, maxAttempts: 1 });
    expect(next?.id).toBe("evt_s2");
    const skipRunning = await call("/events/evt_s2/skip", { method: "POST" });
    expect(skipRunning.status).toBe(409);
    expect(((await skipRunning.json()) as any).error.code).toBe("event_not_skippable");
  });
});
