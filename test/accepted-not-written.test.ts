// An approval accepted whose Stripe write then failed (the simulator answers 500 to every try the SDK makes): the
// thread had taken the answer and stopped before act's write. Before the fix a retry of the same answer got 409
// "already accepted" with nothing in Stripe, and nothing ever resumed the case. Now the retry finishes it, and so does
// the worker's sweep on its own; either way Stripe is written once (one idempotency key).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { startStack, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { startBillops, type Billops } from "../app/runtime.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { silentLogger } from "../telemetry/log.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

let stack: Stack;
let other: Billops | null = null;
beforeEach(async () => {
  // $15 charge, limit lowered to $10: the refund waits for a person.
  stack = await startStack({ now: scenario.now, seed: scenario.stripe, policy: { auto_refund_limit: 1000 } });
});
afterEach(async () => {
  await other?.stop();
  other = null;
  await stack?.stop();
});

const refundPosts = () => stack.sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");
const refunds = async () => (await new Stripe("sk_test_x", { host: stack.sim.host, port: stack.sim.port, protocol: "http" }).refunds.list({ charge: CHARGE })).data;

/** A refund request waiting for a person, then an accept that reaches the thread while Stripe fails every try. */
async function acceptedButNotWritten(req: string): Promise<string> {
  expect((await stack.api("POST", "/requests", { id: req, customer: "cus_X00000w", charge: CHARGE, message: "I bought this by mistake yesterday, please refund it." })).status).toBe(202);
  await stack.quiet();
  const pending = (await stack.api("GET", `/approvals?case=request:${req}`)).body.data;
  expect(pending).toHaveLength(1);
  const id = pending[0].id as string;
  // Every try the SDK makes (one and its two retries) gets a 500.
  stack.sim.faults.add({ method: "POST", path: "^/v1/refunds$", status: 500, times: 3 });
  const failed = await stack.api("POST", `/approvals/${id}`, { type: "accept" });
  expect(failed.status).toBe(500);
  expect(refundPosts()).toHaveLength(3);
  expect(await refunds()).toHaveLength(0);
  expect((await stack.api("GET", `/approvals/${id}`)).body.approval.status).toBe("pending");
  return id;
}

function expectOneRefund(req: string, approvalId: string) {
  const posts = refundPosts();
  expect(new Set(posts.map((p) => p.idempotencyKey))).toEqual(new Set([`billops:request:${req}:${approvalId}:refund`]));
}

it("the retry of the same answer finishes the run: 200, one refund, then 409", async () => {
  const id = await acceptedButNotWritten("req_retry");
  const retry = await stack.api("POST", `/approvals/${id}`, { type: "accept" });
  expect(retry.status, JSON.stringify(retry.body)).toBe(200);
  expect(retry.body.approval.status).toBe("accepted");
  expect(retry.body.outcome.status).toBe("executed");
  expect(await refunds()).toHaveLength(1);
  expectOneRefund("req_retry", id);

  const again = await stack.api("POST", `/approvals/${id}`, { type: "accept" });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe("approval_closed");
  expect(await refunds()).toHaveLength(1);
  const kase = await stack.api("GET", "/cases/request:req_retry");
  expect(kase.body.case?.status ?? kase.body.status).toBe("closed");
}, 60_000);

it("another answer (a second person's reject or ignore) is refused with 409 naming the first; the first answer is still finished", async () => {
  const id = await acceptedButNotWritten("req_other");
  for (const answer of [{ type: "response", reason: "do NOT refund, fraud" }, { type: "ignore" }]) {
    const other = await stack.api("POST", `/approvals/${id}`, answer);
    expect(other.status, JSON.stringify(other.body)).toBe(409);
    expect(other.body.error.code).toBe("approval_being_answered");
    expect(other.body.error.message).toMatch(/already accepted/);
    expect(await refunds()).toHaveLength(0);
    expect((await stack.api("GET", `/approvals/${id}`)).body.approval.status).toBe("pending");
  }
  // The same answer again finishes what the thread took: one refund, under the accept's key.
  const retry = await stack.api("POST", `/approvals/${id}`, { type: "accept" });
  expect(retry.status, JSON.stringify(retry.body)).toBe(200);
  expect(await refunds()).toHaveLength(1);
  expectOneRefund("req_other", id);
}, 60_000);

it("a worker's sweep finishes it on its own, once, with nobody answering again", async () => {
  const id = await acceptedButNotWritten("req_sweep");
  other = await startBillops({
    pool: stack.db.newPool(),
    schema: stack.db.schema,
    gateway: stack.gateway,
    clock: stack.sim.clock,
    webhookSecret: stack.webhookSecret,
    approverTokens: new Map([[APPROVER_TOKEN, "ops"]]),
    policy: parsePolicyConfig({ auto_refund_limit: 1000 }),
    role: "worker",
    logger: silentLogger,
    schedulerIntervalMs: 3_600_000,
    answerSweep: { intervalMs: 100, graceSeconds: 0 },
  });
  const deadline = Date.now() + 30_000;
  while ((await stack.api("GET", `/approvals/${id}`)).body.approval.status === "pending") {
    if (Date.now() > deadline) throw new Error("the sweep did not finish the accepted approval");
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await stack.api("GET", `/approvals/${id}`)).body.approval.status).toBe("accepted");
  expect(await refunds()).toHaveLength(1);
  expectOneRefund("req_sweep", id);
  const audit = await stack.db.pool.query("select kind from audit_log where case_key = 'request:req_sweep'");
  expect(audit.rows.filter((r) => r.kind === "stripe")).toHaveLength(1);
  // Further sweeps find nothing to do.
  expect(await other.cases.resumeTakenAnswers()).toBe(0);
  expect(await refunds()).toHaveLength(1);
}, 60_000);

it("an answer the thread never took (the question still stands) goes back to waiting for a person", async () => {
  expect((await stack.api("POST", "/requests", { id: "req_untaken", customer: "cus_X00000w", charge: CHARGE, message: "I bought this by mistake yesterday, please refund it." })).status).toBe(202);
  await stack.quiet();
  const id = (await stack.api("GET", "/approvals?case=request:req_untaken")).body.data[0].id;
  // As if an answer had marked it and died before the thread took it.
  await stack.db.pool.query("update approvals set answering_at = now() where id = $1", [id]);
  expect(await stack.billops.cases.resumeTakenAnswers()).toBe(0);
  const row = await stack.db.pool.query("select status, answering_at from approvals where id = $1", [id]);
  expect(row.rows[0]).toEqual({ status: "pending", answering_at: null });
  expect(refundPosts()).toHaveLength(0);
  // A person can still answer it.
  expect((await stack.api("POST", `/approvals/${id}`, { type: "accept" })).status).toBe(200);
  expect(await refunds()).toHaveLength(1);
}, 60_000);

describe("the answering process dies after the thread took the answer, before act", () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });

  // approval: the approval node's writes (the answer taken) are stored, its checkpoint is not; outcome: act's (the
  // refund is made), and its checkpoint is not.
  it.each([
    ["approval", 0],
    ["outcome", 1],
  ] as const)("killed after the writes to %s: a worker's sweep finishes the answer, one refund", async (channel, refundedBeforeSweep) => {
    expect((await stack.api("POST", "/requests", { id: "req_killed", customer: "cus_X00000w", charge: CHARGE, message: "I bought this by mistake yesterday, please refund it." })).status).toBe(202);
    await stack.quiet();
    const id = (await stack.api("GET", "/approvals?case=request:req_killed")).body.data[0].id as string;

    const web = spawn(process.execPath, ["--import", "tsx", "test/support/billops-worker.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: stack.db.url, BILLOPS_SCHEMA: stack.db.schema, SIM_URL: stack.sim.url, BILLOPS_NOW: String(stack.sim.clock.now()), BILLOPS_ROLE: "web", APPROVER_TOKEN, AUTO_REFUND_LIMIT: "1000", CRASH_AFTER_WRITES_TO: channel },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(web);
    const url = await new Promise<string>((resolve, reject) => {
      web.stdout!.on("data", (d) => {
        const m = /web ready (\S+)/.exec(String(d));
        if (m) resolve(m[1]!);
      });
      web.once("exit", (code) => reject(new Error(`web exited ${code}`)));
    });
    const died = await fetch(`${url}/approvals/${id}`, { method: "POST", headers: { authorization: `Bearer ${APPROVER_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ type: "accept" }) }).then(() => "answered", () => "connection lost");
    expect(died).toBe("connection lost");
    expect(await refunds()).toHaveLength(refundedBeforeSweep);
    expect((await stack.api("GET", `/approvals/${id}`)).body.approval.status).toBe("pending");

    expect(await stack.billops.cases.resumeTakenAnswers()).toBe(1);
    expect((await stack.api("GET", `/approvals/${id}`)).body.approval.status).toBe("accepted");
    expect(await refunds()).toHaveLength(1);
    expectOneRefund("req_killed", id);
    expect((await stack.api("GET", "/approvals")).body.data).toEqual([]);
  }, 60_000);
});
