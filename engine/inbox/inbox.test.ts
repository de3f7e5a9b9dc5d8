// The inbox against real PostgreSQL: dedupe, head-of-case order, leases, backoff, failed blocking, retry and skip.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/db.js";
import {
  claimEvent,
  completeEvent,
  countOpen,
  extendLease,
  failEvent,
  getEvent,
  insertEvent,
  listEvents,
  retryEvent,
  skipEvent,
} from "./index.js";

let db: TestDatabase;
let n = 0;
beforeEach(async () => {
  await db?.close();
  db = await createTestDatabase();
});
afterAll(async () => db?.close());

const claimOpts = { workerId: "w1", leaseSeconds: 30, maxAttempts: 3 };

async function add(caseKey: string, opts: { ignored?: boolean } = {}) {
  const id = `evt_${++n}`;
  const r = await insertEvent(db.pool, { id, type: "invoice.payment_failed", caseKey, source: "stripe", payload: { id }, ...opts });
  if (!r.inserted) throw new Error("not inserted");
  return r.event;
}

describe("inbox", () => {
  it("stores an id once and says whether it was new", async () => {
    const e = { id: "evt_dup", type: "invoice.paid", caseKey: "invoice:in_1", source: "stripe" as const, payload: { a: 1 } };
    expect((await insertEvent(db.pool, e)).inserted).toBe(true);
    expect((await insertEvent(db.pool, { ...e, payload: { a: 2 } })).inserted).toBe(false);
    const stored = await getEvent(db.pool, "evt_dup");
    expect(stored).toMatchObject({ status: "pending", payload: { a: 1 }, caseKey: "invoice:in_1", attempts: 0, echo: false });
    expect(stored!.seq).toMatch(/^\d+$/);
  });

  it("never claims ignored events", async () => {
    await insertEvent(db.pool, { id: "evt_ign", type: "customer.created", caseKey: null, source: "stripe", payload: {}, ignored: true });
    expect(await claimEvent(db.pool, claimOpts)).toBeNull();
    expect(await countOpen(db.pool)).toBe(0);
  });

  it("claims only the head of each case, in seq order, one running per case", async () => {
    const a1 = await add("invoice:A");
    const b1 = await add("invoice:B");
    const a2 = await add("invoice:A");
    const c1 = await claimEvent(db.pool, claimOpts);
    const c2 = await claimEvent(db.pool, { ...claimOpts, workerId: "w2" });
    expect([c1?.id, c2?.id]).toEqual([a1.id, b1.id]);
    expect(c1).toMatchObject({ status: "running", attempts: 1, lockedBy: "w1" });
    // a2 waits: its case has a1 running.
    expect(await claimEvent(db.pool, claimOpts)).toBeNull();
    expect(await completeEvent(db.pool, a1.id, "w1")).toBe(true);
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(a2.id);
  });

  it("passes over a backlog of waiting events to the first case that can run, and never around a running event", async () => {
    const head = await add("invoice:busy");
    for (let i = 0; i < 30; i++) await add("invoice:busy");
    const free = await add("invoice:free");
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(head.id);
    // Thirty events of the busy case wait behind its running head; the free case's event is next.
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(free.id);
    expect(await claimEvent(db.pool, claimOpts)).toBeNull();
    // An event that committed late with a lower seq than its case's running event still waits for it.
    const early = await add("invoice:late");
    const running = await add("invoice:late");
    await db.pool.query("update stripe_events set status = 'running', locked_by = 'w9', attempts = 1, lease_expires_at = now() + interval '1 minute' where id = $1", [running.id]);
    expect(await claimEvent(db.pool, claimOpts)).toBeNull();
    expect(await completeEvent(db.pool, running.id, "w9")).toBe(true);
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(early.id);
  });

  it("takes over an expired lease before any pending event", async () => {
    await add("invoice:P");
    const dead = await add("invoice:D");
    await db.pool.query("update stripe_events set status = 'running', locked_by = 'gone', attempts = 1, lease_expires_at = now() - interval '1 second' where id = $1", [dead.id]);
    expect(await claimEvent(db.pool, claimOpts)).toMatchObject({ id: dead.id, attempts: 2, lockedBy: "w1" });
  });

  it("does not let a worker complete an event it no longer holds", async () => {
    const e = await add("invoice:A");
    await claimEvent(db.pool, claimOpts);
    expect(await completeEvent(db.pool, e.id, "someone-else")).toBe(false);
    expect(await extendLease(db.pool, e.id, "someone-else", 30)).toBe(false);
    expect(await extendLease(db.pool, e.id, "w1", 30)).toBe(true);
  });

  it("claims an expired lease again (the worker died), and a heartbeat keeps it", async () => {
    const e = await add("invoice:A");
    const first = await claimEvent(db.pool, { ...claimOpts, workerId: "dead", leaseSeconds: 0.3 });
    expect(first?.id).toBe(e.id);
    expect(await claimEvent(db.pool, { ...claimOpts, workerId: "w2" })).toBeNull();
    await new Promise((r) => setTimeout(r, 450));
    const again = await claimEvent(db.pool, { ...claimOpts, workerId: "w2" });
    expect(again).toMatchObject({ id: e.id, attempts: 2, lockedBy: "w2" });
    // The dead worker coming back cannot finish it.
    expect(await completeEvent(db.pool, e.id, "dead")).toBe(false);
    expect(await completeEvent(db.pool, e.id, "w2")).toBe(true);

    const f = await add("invoice:B");
    await claimEvent(db.pool, { ...claimOpts, leaseSeconds: 0.3 });
    expect(await extendLease(db.pool, f.id, "w1", 30)).toBe(true);
    await new Promise((r) => setTimeout(r, 450));
    expect(await claimEvent(db.pool, { ...claimOpts, workerId: "w2" })).toBeNull();
  });

  it("fails an event whose worker died on its last attempt instead of running it forever", async () => {
    const e = await add("invoice:A");
    for (let i = 0; i < 2; i++) {
      expect((await claimEvent(db.pool, { ...claimOpts, leaseSeconds: 0.2 }))?.id).toBe(e.id);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect((await claimEvent(db.pool, { ...claimOpts, leaseSeconds: 0.2 }))?.attempts).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await claimEvent(db.pool, claimOpts)).toBeNull();
    expect(await getEvent(db.pool, e.id)).toMatchObject({ status: "failed", lastError: expect.stringMatching(/lease expired/) });
  });

  it("retries with exponential backoff, then fails and blocks its case until retried or skipped", async () => {
    const a1 = await add("invoice:A");
    const a2 = await add("invoice:A");
    const fail = (id: string) => failEvent(db.pool, id, { workerId: "w1", error: "boom", maxAttempts: 3, backoffBaseMs: 400 });

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      const c = await claimEvent(db.pool, claimOpts);
      expect(c).toMatchObject({ id: a1.id, attempts: attempt });
      const { rows } = await db.pool.query<{ now: Date }>("select now()");
      const res = await fail(a1.id);
      expect(res?.status).toBe("pending");
      delays.push(res!.availableAt.getTime() - rows[0].now.getTime());
      // Backing off: neither a1 nor a2 (behind it) is claimable yet.
      expect(await claimEvent(db.pool, claimOpts)).toBeNull();
      await new Promise((r) => setTimeout(r, 400 * 2 ** (attempt - 1) + 100));
    }
    expect(delays[0]).toBeGreaterThanOrEqual(390);
    expect(delays[0]).toBeLessThan(700);
    expect(delays[1]).toBeGreaterThanOrEqual(790);
    expect(delays[1]).toBeLessThan(1100);

    expect((await claimEvent(db.pool, claimOpts))?.attempts).toBe(3);
    expect((await fail(a1.id))?.status).toBe("failed");
    expect(await getEvent(db.pool, a1.id)).toMatchObject({ status: "failed", lastError: "boom" });

    // Failed blocks its case (a2 never runs before a1) but not other cases.
    const b2 = await add("invoice:B");
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(b2.id);
    expect(await claimEvent(db.pool, claimOpts)).toBeNull();

    expect(await retryEvent(db.pool, a2.id)).toEqual({ ok: false, reason: "not_failed", status: "pending" });
    expect(await retryEvent(db.pool, "evt_nope")).toEqual({ ok: false, reason: "not_found" });
    const retried = await retryEvent(db.pool, a1.id);
    expect(retried).toMatchObject({ ok: true, event: { status: "pending", attempts: 0 } });
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(a1.id);
    await fail(a1.id);
    // Skip the pending (backing-off) a1: the case moves on to a2.
    expect((await skipEvent(db.pool, a1.id)).ok).toBe(true);
    expect((await claimEvent(db.pool, claimOpts))?.id).toBe(a2.id);
    expect(await skipEvent(db.pool, a2.id)).toEqual({ ok: false, reason: "not_skippable", status: "running" });
  });

  it("lists by status and case", async () => {
    await add("invoice:A");
    await add("invoice:B");
    await add("invoice:A");
    const a = await listEvents(db.pool, { caseKey: "invoice:A", order: "asc" });
    expect(a).toHaveLength(2);
    expect(BigInt(a[0].seq) < BigInt(a[1].seq)).toBe(true);
    expect(await listEvents(db.pool, { status: "pending", limit: 1 })).toHaveLength(1);
    expect(await listEvents(db.pool, { status: "done" })).toHaveLength(0);
  });
});
