// A scheduler killed with SIGKILL in the middle of a pass of 100 due jobs: no job is left marked fired without its
// inbox event, the next pass fires what the killed one did not, and each job becomes exactly one event.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { scheduleJob } from "../store/jobs.js";
import { runDueWork } from "../engine/scheduler.js";
import { manualClock } from "../domain/clock.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NOW = 1_796_300_000;
const JOBS = 100;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());
beforeEach(async () => {
  await db.pool.query("truncate scheduled_jobs, stripe_events");
  for (let i = 0; i < JOBS; i++) {
    const id = `job_${String(i).padStart(3, "0")}`;
    await scheduleJob(db.pool, { id, caseKey: `invoice:in_${i}`, kind: "retry_payment", dueAt: NOW - 600 + i, payload: { invoice: `in_${i}` } });
  }
});

/** Runs one pass in a child process that kills itself once `crashAfter` inbox rows are stored; resolves with how it ended. */
function passInChild(crashAfter: number): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/scheduler-process.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, BILLOPS_SCHEMA: db.schema, BILLOPS_NOW: String(NOW), CRASH_AFTER_EVENTS: String(crashAfter) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve) => child.on("exit", (_code, signal) => resolve({ signal, out })));
}

/** Jobs marked fired whose inbox event does not exist: scheduled work lost. */
async function firedWithoutEvent(): Promise<string[]> {
  const { rows } = await db.pool.query(
    `select j.id from scheduled_jobs j where j.status = 'fired' and not exists (select 1 from stripe_events e where e.id = j.id || ':due') order by j.id`,
  );
  return rows.map((r) => r.id);
}

const pendingJobs = async () => (await db.pool.query(`select count(*)::int as n from scheduled_jobs where status = 'pending'`)).rows[0].n as number;

it.each([1, 10, 60, JOBS])("killed once %i events of the pass were stored: nothing lost, the next pass fires the rest, each job once", async (crashAfter) => {
  const ended = await passInChild(crashAfter);
  expect(ended.signal, ended.out).toBe("SIGKILL");
  expect(await firedWithoutEvent()).toEqual([]);

  // The next passes, as the periodic scheduler runs them: the killed pass's rows stay locked until PostgreSQL has
  // noticed its client is gone and rolled back (SKIP LOCKED passes over them meanwhile).
  for (let pass = 0; pass < 200 && (await pendingJobs()) > 0; pass++) {
    await runDueWork(db.pool, manualClock(NOW));
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(await firedWithoutEvent()).toEqual([]);
  const jobs = await db.pool.query(`select status, count(*)::int as n from scheduled_jobs group by status`);
  expect(jobs.rows).toEqual([{ status: "fired", n: JOBS }]);
  const events = await db.pool.query(`select id from stripe_events where source = 'schedule' order by id`);
  expect(events.rows.map((r) => r.id)).toEqual(Array.from({ length: JOBS }, (_, i) => `job_${String(i).padStart(3, "0")}:due`));
  // A third pass finds nothing: fired at least once, acted on once.
  expect((await runDueWork(db.pool, manualClock(NOW))).fired).toBe(0);
});

it("a pass that lives fires every due job into one event each", async () => {
  const ended = await passInChild(Number.MAX_SAFE_INTEGER);
  expect(ended.signal).toBeNull();
  expect(ended.out).toContain(`pass done ${JOBS}`);
  expect(await firedWithoutEvent()).toEqual([]);
  expect((await db.pool.query(`select count(*)::int as n from stripe_events`)).rows[0].n).toBe(JOBS);
});
