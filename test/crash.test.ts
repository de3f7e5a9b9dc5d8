// A worker killed with SIGKILL after its Stripe write and before completing: the event runs again elsewhere and
// Stripe (the simulator) acts once, because the act node repeats the same deterministic idempotency key.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { startSimulator } from "../stripe/sim/index.js";
import { insertEvent, getEvent, isIdle } from "../engine/inbox/index.js";
import { silentLogger } from "../telemetry/log.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const root = fileURLToPath(new URL("..", import.meta.url));

let db: TestDatabase;
let sim: Awaited<ReturnType<typeof startSimulator>>;
const children: ChildProcess[] = [];

function startWorker(leaseSeconds: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/billops-worker.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, BILLOPS_SCHEMA: db.schema, SIM_URL: sim.url, BILLOPS_NOW: String(scenario.now), EVENT_LEASE_SECONDS: String(leaseSeconds) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => String(d).includes("worker ready") && resolve(child));
    child.on("exit", (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

beforeAll(async () => {
  db = await createTestDatabase();
  const seed = structuredClone(scenario.stripe);
  seed.early_fraud_warnings = [{ id: "issfr_crash", object: "radar.early_fraud_warning", actionable: true, charge: CHARGE, created: scenario.now - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_X00000y" }];
  sim = await startSimulator({ now: scenario.now, seed, logger: silentLogger });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await sim?.stop();
  await db?.close();
});

it("a worker killed after its Stripe write: the event runs again and the refund happens once", async () => {
  // The refund is applied, then the connection drops: the dying worker's SDK would retry, but it is killed first.
  sim.faults.add({ method: "POST", path: "^/v1/refunds$", drop: "after_write", times: 1 });
  const first = await startWorker(3);
  await insertEvent(db.pool, {
    id: "evt_crash_efw", type: "radar.early_fraud_warning.created", caseKey: `charge:${CHARGE}`, source: "stripe",
    payload: { id: "evt_crash_efw", object: "event", type: "radar.early_fraud_warning.created", created: scenario.now, request: { id: null, idempotency_key: null }, data: { object: { id: "issfr_crash", object: "radar.early_fraud_warning", charge: CHARGE, actionable: true } } },
  });
  const refundPosts = () => sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");
  await until("the refund write", () => refundPosts().length === 1);
  first.kill("SIGKILL");
  await new Promise((r) => first.once("exit", r));

  const stuck = await getEvent(db.pool, "evt_crash_efw");
  expect(stuck?.status).toBe("running");

  await startWorker(3);
  await until("the event to finish", async () => (await getEvent(db.pool, "evt_crash_efw"))?.status === "done" && (await isIdle(db.pool)), 30_000);

  const posts = refundPosts();
  expect(posts.length).toBe(2);
  expect(posts[1].idempotencyKey).toBe(posts[0].idempotencyKey);
  expect(posts[0].idempotencyKey).toBe(`billops:charge:${CHARGE}:evt_crash_efw:refund`);
  const stripe = new Stripe("sk_test_x", { host: sim.host, port: sim.port, protocol: "http" });
  const refunds = await stripe.refunds.list({ charge: CHARGE });
  expect(refunds.data).toHaveLength(1);
  expect((await stripe.charges.retrieve(CHARGE)).amount_refunded).toBe(1500);
  const done = await getEvent(db.pool, "evt_crash_efw");
  expect(done?.attempts).toBe(2);
  const audit = await db.pool.query("select kind from audit_log where case_key = $1", [`charge:${CHARGE}`]);
  expect(audit.rows.filter((r) => r.kind === "stripe")).toHaveLength(1);
});
