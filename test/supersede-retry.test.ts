// An outside event supersedes a pending approval, and its run then meets one transient Stripe error. Before the fix
// the failed attempt rolled the old approval row back to pending while the thread had moved on, so every retry broke
// the one-pending-approval-per-case rule and the event failed for good; the question people saw was not the one the
// thread waited on. Now the retry closes the old question, asks the thread's, and the event is done.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startStack, type Stack } from "./support/stack.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { startSimulator } from "../stripe/sim/index.js";
import { insertEvent, getEvent } from "../engine/inbox/index.js";
import { createCheckpointer } from "../app/runtime.js";
import { compileGraph } from "../graph/graph.js";
import { threadIdFor } from "../domain/case.js";
import { silentLogger } from "../telemetry/log.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const CASE = `charge:${CHARGE}`;

let stack: Stack;

describe("with one billops", () => {
  beforeEach(async () => {
    const seed = structuredClone(scenario.stripe);
    seed.early_fraud_warnings = [{ id: "issfr_sup", object: "radar.early_fraud_warning", actionable: true, charge: CHARGE, created: scenario.now - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_X00000y" }];
    // $15 charge, limit lowered to $10: the refund waits for a person.
    stack = await startStack({ now: scenario.now, seed, policy: { auto_refund_limit: 1000 } });
  });
  afterEach(() => stack?.stop());

  const warning = (id: string) =>
    insertEvent(stack.db.pool, {
      id, type: "radar.early_fraud_warning.created", caseKey: CASE, source: "stripe",
      payload: { id, object: "event", type: "radar.early_fraud_warning.created", created: scenario.now, request: { id: null, idempotency_key: null }, data: { object: { id: "issfr_sup", object: "radar.early_fraud_warning", charge: CHARGE, actionable: true } } },
    });

  const approvals = async () => (await stack.db.pool.query("select id, status, superseded_by from approvals where case_key = $1 order by requested_at, id", [CASE])).rows;

  // Each fault makes the superseding event's first attempt fail once, somewhere in its new run.
  it.each([
    ["the new run's first Stripe read fails (500 on every SDK try)", { method: "GET", path: "^/v1/charges/", status: 500, times: 3 }],
    ["Stripe rate-limits past the gateway's retries", { method: "GET", path: "^/v1/charges/", status: 429, times: 4 }],
  ])("%s: the retry closes the old question and asks the thread's; one pending approval", async (_name, fault) => {
    await warning("evt_sup_1");
    await stack.quiet();
    const [first] = await approvals();
    expect(first).toMatchObject({ status: "pending" });

    stack.sim.faults.add(fault);
    await warning("evt_sup_2");
    await stack.quiet(60_000);

    const event = await getEvent(stack.db.pool, "evt_sup_2");
    expect(event?.status, event?.lastError ?? "").toBe("done");
    expect(event?.attempts).toBeGreaterThanOrEqual(2);

    const rows = await approvals();
    expect(rows.find((r) => r.id === first.id)).toMatchObject({ status: "superseded", superseded_by: "evt_sup_2" });
    const pending = rows.filter((r) => r.status === "pending");
    expect(pending).toHaveLength(1);
    // The question people see is the one the thread waits on.
    const { values, interrupted } = await stack.billops.cases.snapshot(CASE);
    expect(interrupted).toBe(true);
    expect(values.approval?.id).toBe(pending[0].id);
    expect(pending[0].id).not.toBe(first.id);
    const audit = await stack.db.pool.query("select kind, data from audit_log where case_key = $1 and kind = 'approval_superseded'", [CASE]);
    expect(audit.rows.map((r) => r.data.approval_id)).toContain(first.id);
    expect((await stack.db.pool.query("select status from cases where case_key = $1", [CASE])).rows[0].status).toBe("waiting_approval");

    // And a person's answer to it runs: the refund happens once.
    const answer = await stack.api("POST", `/approvals/${pending[0].id}`, { type: "accept" });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(stack.sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds")).toHaveLength(1);
  }, 90_000);
});

describe("the superseding event's worker is killed in its new run", () => {
  let db: TestDatabase;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  const children: ChildProcess[] = [];
  const ROOT = fileURLToPath(new URL("..", import.meta.url));

  beforeEach(async () => {
    db = await createTestDatabase();
    const seed = structuredClone(scenario.stripe);
    seed.early_fraud_warnings = [{ id: "issfr_sup", object: "radar.early_fraud_warning", actionable: true, charge: CHARGE, created: scenario.now - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_X00000y" }];
    sim = await startSimulator({ now: scenario.now, seed, logger: silentLogger });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await sim?.stop();
    await db?.close();
  });

  function worker(env: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/billops-worker.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, BILLOPS_SCHEMA: db.schema, SIM_URL: sim.url, BILLOPS_NOW: String(scenario.now), EVENT_LEASE_SECONDS: "30", AUTO_REFUND_LIMIT: "1000", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    return child;
  }
  const until = async (what: string, cond: () => Promise<boolean>) => {
    const end = Date.now() + 45_000;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const rows = async () => (await db.pool.query("select id, status, superseded_by from approvals where case_key = $1 order by requested_at, id", [CASE])).rows;
  const warn = (id: string) =>
    insertEvent(db.pool, {
      id, type: "radar.early_fraud_warning.created", caseKey: CASE, source: "stripe",
      payload: { id, object: "event", type: "radar.early_fraud_warning.created", created: scenario.now, request: { id: null, idempotency_key: null }, data: { object: { id: "issfr_sup", object: "radar.early_fraud_warning", charge: CHARGE, actionable: true } } },
    });

  it("killed after the new run's decision was stored: the rerun supersedes the old question and asks the thread's", async () => {
    const first = worker();
    await warn("evt_kill_1");
    await until("the first question", async () => (await rows()).length === 1 && (await getEvent(db.pool, "evt_kill_1"))?.status === "done");
    first.kill("SIGKILL");
    const [old] = await rows();

    // The superseding run: the old question is closed in the thread, the new run's specialist stores its decision,
    // and the process dies before that step's checkpoint.
    const dying = worker({ CRASH_AFTER_WRITES_TO: "decision" });
    await warn("evt_kill_2");
    expect(await new Promise((r) => dying.once("exit", (_c, signal) => r(signal)))).toBe("SIGKILL");
    expect((await rows()).map((r) => r.status)).toEqual(["pending"]);

    worker();
    await until("the superseding event", async () => (await getEvent(db.pool, "evt_kill_2"))?.status === "done");
    const after = await rows();
    expect(after.find((r) => r.id === old.id)).toMatchObject({ status: "superseded", superseded_by: "evt_kill_2" });
    const pending = after.filter((r) => r.status === "pending");
    expect(pending).toHaveLength(1);
    const saver = await createCheckpointer(db.pool, db.schema);
    const snap = await compileGraph(saver).getState({ configurable: { thread_id: threadIdFor(CASE) } });
    expect((snap.values as any).approval.id).toBe(pending[0].id);
    expect(snap.tasks.map((t) => t.interrupts.length)).toEqual([1]);
    expect(sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds")).toHaveLength(0);
  }, 90_000);
});
