// A worker killed with SIGKILL while it holds a claim: its process is gone, so another worker takes the event over
// at once instead of waiting out the lease (30 s in these workers). Asserted on the lease column, not on timings:
// the second worker starts the event before the dead worker's lease would have expired.
import { afterEach, expect, it } from "vitest";
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { getEvent, insertEvent } from "../engine/inbox/index.js";

let db: TestDatabase | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await db?.close();
  db = undefined;
});

function spawnWorker(sleepMs: number): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL("./support/worker-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: db!.url, SCHEMA: db!.schema, SLEEP_MS: String(sleepMs) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it.each([1, 3])("%i events held by a killed worker are taken over before its lease ends, each run once to completion", async (n) => {
  db = await createTestDatabase();
  await db.pool.query("create table worker_log (case_key text, seq bigint, pid int, running_in_case int, started_at timestamptz, finished_at timestamptz)");
  // The first worker sleeps in its handler far longer than the test: it holds its claims until it is killed.
  const dying = await spawnWorker(600_000);
  const ids = Array.from({ length: n }, (_, i) => `evt_lease_${i}`);
  for (const [i, id] of ids.entries()) await insertEvent(db.pool, { id, type: "invoice.updated", caseKey: `invoice:in_lease_${i}`, source: "stripe", payload: {} });
  const held = await until("the first worker's claims", async () => {
    const events = await Promise.all(ids.map((id) => getEvent(db!.pool, id)));
    return events.every((e) => e?.status === "running") ? events : null;
  });
  const lockedBy = held[0]!.lockedBy;
  expect(lockedBy).toBeTruthy();
  // The lease as the dying worker left it (its heartbeat keeps it 30 s ahead).
  const { rows: leases } = await db.pool.query<{ id: string; lease: Date }>("select id, lease_expires_at as lease from stripe_events where id = any($1)", [ids]);

  dying.kill("SIGKILL");
  await new Promise((r) => dying.once("exit", r));
  const taker = await spawnWorker(10);

  await until("the events to be done", async () => (await Promise.all(ids.map((id) => getEvent(db!.pool, id)))).every((e) => e?.status === "done"));
  const { rows: runs } = await db.pool.query<{ case_key: string; pid: number; started_at: Date }>("select case_key, pid, started_at from worker_log order by case_key");
  expect(runs.map((r) => r.pid)).toEqual(Array(n).fill(taker.pid));
  for (const [i, id] of ids.entries()) {
    const lease = leases.find((l) => l.id === id)!.lease;
    expect(runs[i].started_at.getTime(), `${id} started after the dead worker's lease`).toBeLessThan(lease.getTime());
    const done = await getEvent(db.pool, id);
    expect(done?.attempts).toBe(2);
    expect(done?.lockedBy).not.toBe(lockedBy);
  }
}, 90_000);

it("a live worker's claim is not taken over: the other worker waits for it", async () => {
  db = await createTestDatabase();
  await db.pool.query("create table worker_log (case_key text, seq bigint, pid int, running_in_case int, started_at timestamptz, finished_at timestamptz)");
  const slow = await spawnWorker(1_500);
  await insertEvent(db.pool, { id: "evt_live", type: "invoice.updated", caseKey: "invoice:in_live", source: "stripe", payload: {} });
  await until("the claim", async () => (await getEvent(db!.pool, "evt_live"))?.status === "running");
  await spawnWorker(10);
  await until("the event to be done", async () => (await getEvent(db!.pool, "evt_live"))?.status === "done");
  const { rows } = await db.pool.query("select pid from worker_log");
  expect(rows.map((r) => r.pid)).toEqual([slow.pid]);
  expect((await getEvent(db.pool, "evt_live"))?.attempts).toBe(1);
}, 60_000);

it("a last attempt whose worker looks gone (its LISTEN connection dropped) is failed only when its lease runs out", async () => {
  db = await createTestDatabase();
  // A worker whose registered backend no longer exists: a pid no backend has.
  await db.pool.query("insert into worker_sessions (worker_id, backend_pid, backend_start) values ('w-dropped', 2147483000, now())");
  const running = async (id: string, attempts: number, leaseSeconds: number) => {
    await insertEvent(db!.pool, { id, type: "invoice.updated", caseKey: `invoice:${id}`, source: "stripe", payload: {} });
    await db!.pool.query("update stripe_events set status = 'running', attempts = $2, locked_by = 'w-dropped', lease_expires_at = now() + $3 * interval '1 second' where id = $1", [id, attempts, leaseSeconds]);
  };
  await running("evt_last_live_lease", 3, 60);
  await running("evt_last_expired", 3, -1);
  await running("evt_earlier_attempt", 1, 60);
  const claimed = (await db.pool.query("select id from billops_claim_event('w-other', 30, 3)")).rows.map((r) => r.id);
  // An earlier attempt is taken over at once; the last attempt with a lease left is not failed; an expired one is.
  expect(claimed).toEqual(["evt_earlier_attempt"]);
  expect((await getEvent(db.pool, "evt_last_live_lease"))?.status).toBe("running");
  expect((await getEvent(db.pool, "evt_last_expired"))?.status).toBe("failed");
}, 60_000);
