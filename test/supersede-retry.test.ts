// An outside event supersedes a pending approval, and its run then meets one transient Stripe error. Before the fix
// the failed attempt rolled the old approval row back to pending while the thread had moved on, so every retry broke
// the one-pending-approval-per-case rule and the event failed for good; the question people saw was not the one the
// thread waited on. Now the retry closes the old question, asks the thread's, and the event is done.
import { afterEach, beforeEach, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { startStack, type Stack } from "./support/stack.js";
import { insertEvent, getEvent } from "../engine/inbox/index.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const CASE = `charge:${CHARGE}`;

let stack: Stack;
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
