// The worker end to end on real PostgreSQL: in-process retries and failures, and strict per-case order across
// two worker OS processes sharing one database.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../telemetry/log.js";
import { getEvent, insertEvent, waitUntilIdle } from "../engine/inbox/index.js";
import { startWorker, type Worker } from "../engine/worker.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

let db: TestDatabase | undefined;
let workers: Worker[] = [];
let children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  workers = [];
  children = [];
  await db?.close();
  db = undefined;
});

function spawnWorker(schema: string, url: string): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL("./support/worker-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: url, SCHEMA: schema, SLEEP_MS: "15" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once("exit", r));
}

describe("worker", () => {
  it("runs events of one case in seq order across two worker processes, and different cases in parallel", async () => {
    db = await createTestDatabase();
    await db.pool.query(
      "create table worker_log (case_key text, seq bigint, pid int, running_in_case int, started_at timestamptz, finished_at timestamptz)",
    );
    const [a, b] = await Promise.all([spawnWorker(db.schema, db.url), spawnWorker(db.schema, db.url)]);
    const cases = ["invoice:in_a", "invoice:in_b", "invoice:in_c", "invoice:in_d", "invoice:in_e", "invoice:in_f"];
    const perCase = 8;
    // Bursts per case (all of a case's events in a row) so a claim that ignored the case would grab several at once.
    for (const c of cases) {
      for (let i = 0; i < perCase; i++) {
        await insertEvent(db.pool, { id: `evt_${c}_${i}`, type: "invoice.updated", caseKey: c, source: "stripe", payload: {} });
      }
    }
    expect(await waitUntilIdle(db.pool, { timeoutMs: 30_000 })).toBe(true);
    a.kill("SIGTERM");
    b.kill("SIGTERM");
    expect(await Promise.all([exited(a), exited(b)])).toEqual([0, 0]);

    const { rows } = await db.pool.query<{ case_key: string; seq: string; pid: number; s: number; f: number }>(
      `select case_key, seq::text, pid, (extract(epoch from started_at) * 1000)::float8 as s, (extract(epoch from finished_at) * 1000)::float8 as f
         from worker_log order by started_at`,
    );
    expect(rows).toHaveLength(cases.length * perCase);
    const { rows: concurrentInCase } = await db.pool.query("select * from worker_log where running_in_case <> 1");
    expect(concurrentInCase).toEqual([]);
    // Both processes did work.
    expect(new Set(rows.map((r) => r.pid))).toEqual(new Set([a.pid, b.pid]));
    for (const c of cases) {
      const runs = rows.filter((r) => r.case_key === c);
      const seqs = runs.map((r) => BigInt(r.seq));
      // Started in arrival order, each after the previous one of its case finished.
      expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));
      for (let i = 1; i < runs.length; i++) expect(runs[i].s).toBeGreaterThanOrEqual(runs[i - 1].f);
    }
    // Different cases overlapped in time.
    const overlaps = rows.some((x) => rows.some((y) => x.case_key !== y.case_key && x.s < y.f && y.s < x.f));
    expect(overlaps).toBe(true);
  });

  it("retries a throwing handler with backoff, then leaves it failed; a returning handler completes", async () => {
    db = await createTestDatabase();
    const calls: string[] = [];
    workers.push(
      startWorker({
        pool: db.pool,
        concurrency: 2,
        pollIntervalMs: 50,
        leaseSeconds: 10,
        maxAttempts: 3,
        backoffBaseMs: 30,
        logger: silentLogger,
        async handle(event) {
          calls.push(event.id);
          if (event.type === "bad") throw new Error(`cannot handle ${event.id}`);
        },
      }),
    );
    await insertEvent(db.pool, { id: "evt_bad", type: "bad", caseKey: "invoice:x", source: "stripe", payload: {} });
    await insertEvent(db.pool, { id: "evt_ok", type: "ok", caseKey: "invoice:y", source: "stripe", payload: {} });
    expect(await waitUntilIdle(db.pool, { timeoutMs: 10_000 })).toBe(true);
    expect(calls.filter((c) => c === "evt_bad")).toHaveLength(3);
    expect(calls.filter((c) => c === "evt_ok")).toHaveLength(1);
    expect(await getEvent(db.pool, "evt_bad")).toMatchObject({ status: "failed", attempts: 3, lastError: expect.stringContaining("cannot handle evt_bad") });
    expect(await getEvent(db.pool, "evt_ok")).toMatchObject({ status: "done" });
  });

  it("wakes on insert through LISTEN/NOTIFY without waiting for the poll", async () => {
    db = await createTestDatabase();
    const seen: number[] = [];
    const worker = startWorker({
      pool: db.pool,
      concurrency: 1,
      pollIntervalMs: 60_000,
      leaseSeconds: 10,
      maxAttempts: 3,
      logger: silentLogger,
      async handle() {
        seen.push(Date.now());
      },
    });
    workers.push(worker);
    await new Promise((r) => setTimeout(r, 300)); // let it LISTEN
    const t0 = Date.now();
    await insertEvent(db.pool, { id: "evt_n", type: "x", caseKey: "invoice:n", source: "stripe", payload: {} });
    expect(await waitUntilIdle(db.pool, { timeoutMs: 5_000 })).toBe(true);
    expect(seen[0] - t0).toBeLessThan(2_000);
  });
});
