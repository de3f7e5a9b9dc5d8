// A worker killed with SIGKILL after a step's writes were stored and before the checkpoint of that step: the rerun
// must finish the graph (guard, act, history) rather than take the stored writes for a finished run. Before the fix
// the rerun read "mid-run" from getState().next, which leaves out a task whose writes are saved: the event was marked
// done with no decision acted on, or with a Stripe write whose decision never reached the thread's history.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { startSimulator } from "../stripe/sim/index.js";
import { insertEvent, getEvent, isIdle } from "../engine/inbox/index.js";
import { createCheckpointer } from "../app/runtime.js";
import { compileGraph } from "../graph/graph.js";
import { threadIdFor } from "../domain/case.js";
import { silentLogger } from "../telemetry/log.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const CASE = `charge:${CHARGE}`;
const root = fileURLToPath(new URL("..", import.meta.url));

let db: TestDatabase;
let sim: Awaited<ReturnType<typeof startSimulator>>;
const children: ChildProcess[] = [];

function startWorker(env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/billops-worker.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, BILLOPS_SCHEMA: db.schema, SIM_URL: sim.url, BILLOPS_NOW: String(scenario.now), EVENT_LEASE_SECONDS: "2", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeEach(async () => {
  db = await createTestDatabase();
  const seed = structuredClone(scenario.stripe);
  seed.early_fraud_warnings = [{ id: "issfr_steps", object: "radar.early_fraud_warning", actionable: true, charge: CHARGE, created: scenario.now - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_X00000y" }];
  sim = await startSimulator({ now: scenario.now, seed, logger: silentLogger });
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await sim?.stop();
  await db?.close();
});

describe("killed between a step's saved writes and its checkpoint", () => {
  // The channels: the run's input (trigger), the refund specialist (decision), the guard (guard), act (outcome).
  it.each(["trigger", "decision", "guard", "outcome"])("after the writes to %s: the rerun finishes the graph; one decision, one refund", async (channel) => {
    const first = startWorker({ CRASH_AFTER_WRITES_TO: channel });
    await insertEvent(db.pool, {
      id: "evt_steps_efw", type: "radar.early_fraud_warning.created", caseKey: CASE, source: "stripe",
      payload: { id: "evt_steps_efw", object: "event", type: "radar.early_fraud_warning.created", created: scenario.now, request: { id: null, idempotency_key: null }, data: { object: { id: "issfr_steps", object: "radar.early_fraud_warning", charge: CHARGE, actionable: true } } },
    });
    const ended = await new Promise<NodeJS.Signals | null>((r) => first.once("exit", (_c, signal) => r(signal)));
    expect(ended).toBe("SIGKILL");
    expect((await getEvent(db.pool, "evt_steps_efw"))?.status).toBe("running");

    startWorker();
    await until("the event to finish", async () => (await getEvent(db.pool, "evt_steps_efw"))?.status === "done" && (await isIdle(db.pool)));

    // Stripe: one refund, whatever the number of tries (same key).
    const posts = sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(posts.map((p) => p.idempotencyKey))).toEqual(new Set([`billops:${CASE}:evt_steps_efw:refund`]));
    const stripe = new Stripe("sk_test_x", { host: sim.host, port: sim.port, protocol: "http" });
    expect((await stripe.refunds.list({ charge: CHARGE })).data).toHaveLength(1);

    // The thread finished its graph (nothing left to run or half-stored) and its history holds the decision once.
    const saver = await createCheckpointer(db.pool, db.schema);
    const snap = await compileGraph(saver).getState({ configurable: { thread_id: threadIdFor(CASE) } });
    expect(snap.next).toEqual([]);
    expect(snap.tasks).toEqual([]);
    const decisions = (snap.values as any).decisions as any[];
    expect(decisions.map((d) => [d.decision.action, d.outcome.status])).toEqual([["refund_full", "executed"]]);

    // The books: one decision line, one Stripe line; the case closed.
    const audit = await db.pool.query("select kind from audit_log where case_key = $1", [CASE]);
    expect(audit.rows.filter((r) => r.kind === "stripe")).toHaveLength(1);
    expect(audit.rows.filter((r) => r.kind === "decision")).toHaveLength(1);
    const settled = await db.pool.query("select count(*)::int as n from settled_decisions where case_key = $1", [CASE]);
    expect(settled.rows[0].n).toBe(1);
  }, 90_000);
});
