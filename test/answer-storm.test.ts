// An answer storm on one web process: more simultaneous answers to different cases than its pool has connections.
// Each answer holds its case's transaction while the graph checkpoints on other connections of the same pool; with
// every connection held by an answer waiting for one more, the pool deadlocked for good and /health hung with it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { startStack, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { startBillops, type Billops } from "../app/runtime.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { silentLogger } from "../telemetry/log.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const POOL = 12;
const ANSWERS = 2 * POOL;

let stack: Stack;
let web: Billops;
beforeAll(async () => {
  // $15 charge, limit lowered to $10: every refund request waits for a person.
  stack = await startStack({ now: scenario.now, seed: scenario.stripe, policy: { auto_refund_limit: 1000 } });
  web = await startBillops({
    pool: stack.db.newPool(POOL),
    schema: stack.db.schema,
    gateway: stack.gateway,
    clock: stack.sim.clock,
    webhookSecret: stack.webhookSecret,
    approverTokens: new Map([[APPROVER_TOKEN, "ops-storm"]]),
    policy: parsePolicyConfig({ auto_refund_limit: 1000 }),
    role: "web",
    port: 0,
    logger: silentLogger,
  });
}, 120_000);
afterAll(async () => {
  await web?.stop();
  await stack?.stop();
});

const call = async (method: string, path: string, body?: unknown) => {
  // A deadlocked pool never answers: the bound is only there so the test fails instead of hanging.
  const res = await fetch(`${web.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${APPROVER_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(90_000),
  });
  return { status: res.status, body: (await res.json()) as any };
};

it(`${ANSWERS} simultaneous answers on one web process with a ${POOL}-connection pool all complete, and /health answers meanwhile`, async () => {
  for (let i = 0; i < ANSWERS; i++) {
    const r = await stack.api("POST", "/requests", { id: `req_storm_${i}`, customer: "cus_X00000w", charge: "ch_X00000z", message: "I bought this by mistake yesterday, please refund it." });
    expect(r.status).toBe(202);
  }
  await stack.quiet(60_000);
  const pending = await stack.api("GET", `/approvals?limit=${ANSWERS}`);
  expect(pending.body.data).toHaveLength(ANSWERS);

  let healthChecks = 0;
  let storming = true;
  const health = (async () => {
    while (storming) {
      const h = await call("GET", "/health");
      expect(h.status).toBe(200);
      healthChecks++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  // Half rejected, half ignored: neither writes to Stripe, so the storm is all database work on the web's pool.
  const answers = await Promise.all(
    pending.body.data.map((a: any, i: number) => call("POST", `/approvals/${a.id}`, i % 2 ? { type: "response", reason: "storm" } : { type: "ignore" })),
  );
  storming = false;
  await health;
  expect(answers.map((a) => a.status)).toEqual(Array(ANSWERS).fill(200));
  expect(answers.map((a) => a.body.approval.status).sort()).toEqual([...Array(ANSWERS / 2).fill("ignored"), ...Array(ANSWERS / 2).fill("rejected")]);
  expect(healthChecks).toBeGreaterThan(0);
  expect((await stack.api("GET", "/approvals")).body.data).toEqual([]);
}, 180_000);
