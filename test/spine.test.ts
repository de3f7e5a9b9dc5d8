// The spine end to end: signed webhooks → inbox → worker → case thread → guard → approval → act → Stripe (simulator),
// on real PostgreSQL, through HTTP only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { startStack, APPROVER, type Stack } from "./support/stack.js";
import { threadIdFor } from "../domain/case.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const refundScenario = fixture("example_refund_small_goodwill.json");
const disputeScenario = fixture("example_dispute_credit_not_processed.json");

const CHARGE = "ch_X00000z";
const CUSTOMER = "cus_X00000w";

function refundWrites(stack: Stack) {
  return stack.sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");
}

async function postSigned(stack: Stack, event: object) {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.webhookSecret, timestamp: stack.sim.clock.now() });
  const res = await fetch(`${stack.url}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
  return { status: res.status, body: await res.json() };
}

describe("refund above the limit waits for a person", () => {
  let stack: Stack;
  beforeAll(async () => {
    // $15 charge, limit lowered to $10: the refund must wait for a person.
    stack = await startStack({ now: refundScenario.now, seed: refundScenario.stripe, policy: { auto_refund_limit: 1000 } });
  });
  afterAll(() => stack?.stop());

  it("asks, and ten parallel answers run the refund exactly once with a deterministic key", async () => {
    const created = await stack.api("POST", "/requests", { id: "req_big", customer: CUSTOMER, charge: CHARGE, message: "I bought this by mistake yesterday, please refund it." });
    expect(created.status).toBe(202);
    await stack.quiet();

    const pending = await stack.api("GET", "/approvals");
    expect(pending.status).toBe(200);
    expect(pending.body.data).toHaveLength(1);
    const approval = pending.body.data[0];
    expect(approval.caseKey).toBe("request:req_big");
    expect(approval.action).toBe("refund_full");
    expect(approval.request.action_request.args.amount).toBe(1500);
    expect(refundWrites(stack)).toHaveLength(0);

    const detail = await stack.api("GET", `/approvals/${approval.id}`);
    expect(detail.body.case.decision.rationale).toBeTruthy();
    expect(detail.body.case.guard.verdict).toBe("needs_approval");

    const answers = await Promise.all(Array.from({ length: 10 }, () => stack.api("POST", `/approvals/${approval.id}`, { type: "accept" })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    await stack.quiet();

    const writes = refundWrites(stack);
    expect(writes).toHaveLength(1);
    expect(writes[0].params.amount).toBe("1500");
    expect(writes[0].params.charge).toBe(CHARGE);
    expect(writes[0].idempotencyKey).toBe(`billops:request:req_big:${approval.id}:refund`);
    expect(writes[0].params["metadata[billops_case]"]).toBe("request:req_big");

    const again = await stack.api("POST", `/approvals/${approval.id}`, { type: "accept" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("approval_closed");

    const kase = await stack.api("GET", "/cases/request:req_big");
    expect(kase.status).toBe(200);
    expect(kase.body.case.threadId).toBe(threadIdFor("request:req_big"));
    const kinds = kase.body.audit.map((a: any) => a.kind);
    for (const k of ["event", "decision", "guard", "approval_requested", "approval_answered", "stripe", "notification"]) expect(kinds).toContain(k);
    const answered = kase.body.audit.find((a: any) => a.kind === "approval_answered");
    expect(answered.actor).toBe(APPROVER);
    expect(kase.body.notifications.map((n: any) => n.template)).toContain("refund_issued");
  });

  it("refuses an edit the guard would not allow and leaves the approval open", async () => {
    await stack.api("POST", "/requests", { id: "req_edit", customer: CUSTOMER, charge: CHARGE, message: "please refund me" });
    await stack.quiet();
    const pending = await stack.api("GET", "/approvals?case=request:req_edit");
    // The charge was refunded in full above: the policy no longer proposes a refund at all.
    if (pending.body.data.length === 0) return;
    const id = pending.body.data[0].id;
    const res = await stack.api("POST", `/approvals/${id}`, { type: "edit", args: { amount: 999999 } });
    expect(res.status).toBe(422);
    expect((await stack.api("GET", `/approvals/${id}`)).body.approval.status).toBe("pending");
  });

  it("answers 401 without a valid token", async () => {
    expect((await stack.api("GET", "/approvals", undefined, null)).status).toBe(401);
    expect((await stack.api("GET", "/approvals", undefined, "not-a-token-of-ours-at-all")).status).toBe(401);
    expect((await stack.api("POST", "/requests", { customer: "c", message: "m" }, null)).status).toBe(401);
  });
});

describe("the same event delivered five times at once", () => {
  let stack: Stack;
  beforeAll(async () => {
    const seed = structuredClone(refundScenario.stripe);
    seed.early_fraud_warnings = [
      { id: "issfr_X1", object: "radar.early_fraud_warning", actionable: true, charge: CHARGE, created: refundScenario.now - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_X00000y" },
    ];
    stack = await startStack({ now: refundScenario.now, seed });
  });
  afterAll(() => stack?.stop());

  it("is stored once, runs once and refunds once", async () => {
    const event = {
      id: "evt_efw_1", object: "event", api_version: "2026-10-28.endive", created: refundScenario.now, livemode: false, pending_webhooks: 1,
      request: { id: null, idempotency_key: null }, type: "radar.early_fraud_warning.created",
      data: { object: { id: "issfr_X1", object: "radar.early_fraud_warning", actionable: true, charge: CHARGE, created: refundScenario.now - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: "pi_X00000y" } },
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => postSigned(stack, event)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    await stack.quiet();

    const writes = refundWrites(stack);
    expect(writes).toHaveLength(1);
    expect(writes[0].params.reason).toBe("fraudulent");
    expect(writes[0].idempotencyKey).toBe(`billops:charge:${CHARGE}:evt_efw_1:refund`);
    const events = await stack.api("GET", "/events?case=charge:" + CHARGE);
    expect(events.body.events.filter((e: any) => e.id === "evt_efw_1")).toHaveLength(1);
    const { values } = await stack.billops.cases.snapshot(`charge:${CHARGE}`);
    expect(values.decisions).toHaveLength(1);
  });

  it("stores nothing for a tampered body", async () => {
    const event = { id: "evt_tampered", object: "event", type: "radar.early_fraud_warning.created", created: refundScenario.now, data: { object: { id: "issfr_X1", charge: CHARGE } } };
    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.webhookSecret, timestamp: stack.sim.clock.now() });
    const res = await fetch(`${stack.url}/webhooks/stripe`, { method: "POST", headers: { "stripe-signature": header }, body: payload.replace("issfr_X1", "issfr_X2") });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBeTruthy();
    expect((await stack.api("GET", "/events/evt_tampered")).status).toBe(404);
  });
});

describe("disputes: staged, then a person submits; newer events supersede", () => {
  let stack: Stack;
  const DISPUTE = "dp_X000016";
  beforeAll(async () => {
    stack = await startStack({ now: disputeScenario.now, seed: disputeScenario.stripe });
  });
  afterAll(() => stack?.stop());

  const disputeWrites = () => stack.sim.log.writes().filter((w) => w.path === `/v1/disputes/${DISPUTE}`);

  it("stages with submit=false and waits; an echo of our own write supersedes nothing", async () => {
    const created = disputeScenario.steps[0].event;
    stack.sim.applyEventObject(created);
    await stack.sim.webhooks.deliver(created);
    await stack.quiet();
    const writes = disputeWrites();
    expect(writes).toHaveLength(1);
    expect(writes[0].params.submit).toBe("false");
    const pending = (await stack.api("GET", "/approvals")).body.data;
    expect(pending).toHaveLength(1);
    expect(pending[0].action).toBe("submit_evidence");
    // Stripe (the simulator) sent charge.dispute.updated for our staging: it must not have closed the approval.
    expect(stack.sim.webhooks.deliveries().some((d) => d.eventType === "charge.dispute.updated" && d.ok)).toBe(true);
    expect((await stack.api("GET", `/approvals/${pending[0].id}`)).body.approval.status).toBe("pending");
  });

  it("a newer event from outside supersedes the pending approval, which can no longer be answered", async () => {
    const old = (await stack.api("GET", "/approvals")).body.data[0];
    const dispute = await stack.gateway.stripe.disputes.retrieve(DISPUTE);
    const updated = {
      id: "evt_dispute_updated_ext", object: "event", api_version: "2026-10-28.endive", created: disputeScenario.now + 10, livemode: false,
      pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: "charge.dispute.updated", data: { object: dispute },
    };
    await stack.sim.webhooks.deliver(updated);
    await stack.quiet();
    const row = (await stack.api("GET", `/approvals/${old.id}`)).body.approval;
    expect(row.status).toBe("superseded");
    expect(row.supersededBy).toBe("evt_dispute_updated_ext");
    const answer = await stack.api("POST", `/approvals/${old.id}`, { type: "accept" });
    expect(answer.status).toBe(409);
    expect(disputeWrites().filter((w) => w.params.submit !== "false")).toHaveLength(0);
    const audit = (await stack.api("GET", `/cases/dispute:${DISPUTE}`)).body.audit;
    expect(audit.some((a: any) => a.kind === "approval_superseded")).toBe(true);
    // The thread carries only the current run's lines (the audit table has the history), so it does not grow.
    const { values } = await stack.billops.cases.snapshot(`dispute:${DISPUTE}`);
    expect(values.log[0]).toMatchObject({ id: "evt_dispute_updated_ext:event", run: true });
    expect(audit.filter((a: any) => a.kind === "event").length).toBeGreaterThanOrEqual(2);
  });

  it("a second billops process answers what the first one asked, and the evidence is submitted once", async () => {
    const pending = (await stack.api("GET", "/approvals")).body.data;
    expect(pending).toHaveLength(1);
    await stack.billops.stop();
    const other = await stack.another();
    const res = await fetch(`${other.url}/approvals/${pending[0].id}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer test-approver-token-0123456789` },
      body: JSON.stringify({ type: "accept" }),
    });
    expect(res.status).toBe(200);
    const submits = disputeWrites().filter((w) => w.params.submit === "true");
    expect(submits).toHaveLength(1);
    expect(submits[0].idempotencyKey).toBe(`billops:dispute:${DISPUTE}:${pending[0].id}:submit_evidence`);
    expect((await stack.gateway.stripe.disputes.retrieve(DISPUTE)).status).toBe("under_review");
    expect(stack.sim.log.writes().some((w) => w.path.endsWith("/close"))).toBe(false);
  });
});
