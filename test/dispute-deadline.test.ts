// Disputes end to end (real PostgreSQL, the simulator over HTTP): near the deadline the case stages, asks and escalates
// at once, the question expires with the dispute's due_by (API and inbox), and a person's accept submits the staged
// evidence — Visa CE 3.0 included — exactly as staged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { APPROVER_TOKEN, startStack, type Stack } from "./support/stack.js";

const scenario = (name: string) => JSON.parse(readFileSync(new URL(`../evals/scenarios/${name}.json`, import.meta.url), "utf8"));

async function deliver(stack: Stack, event: Record<string, any>): Promise<void> {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.webhookSecret, timestamp: stack.sim.clock.now() });
  const res = await fetch(`${stack.url}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
  expect(res.status).toBe(200);
  await stack.quiet();
}

/** The inbox page as a signed-in person sees it (sign-in form, CSRF, session cookie). */
async function signedInPage(stack: Stack): Promise<string> {
  const first = await fetch(`${stack.url}/inbox`, { redirect: "manual" });
  const cookie = first.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const csrf = (await first.text()).match(/name="csrf" value="([^"]+)"/)?.[1] ?? "";
  const login = await fetch(`${stack.url}/inbox/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: stack.url, cookie },
    body: new URLSearchParams({ token: APPROVER_TOKEN, csrf }).toString(),
  });
  const session = [cookie, ...login.headers.getSetCookie().map((c) => c.split(";")[0])].filter(Boolean).join("; ");
  return (await fetch(`${stack.url}/inbox`, { headers: { cookie: session } })).text();
}

describe.each([
  ["dispute_due_in_24h_stage_ask_escalate", "dp_D24", 24],
  ["dispute_inquiry_near_deadline", "dp_I30", 30],
])("%s: stage, ask and escalate, all three", (name, dispute, hours) => {
  const s = scenario(name);
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ now: s.now, seed: s.stripe });
    await deliver(stack, s.steps[0].event);
  });
  afterAll(() => stack?.stop());

  it("evidence staged (submit=false), a pending submit question expiring with due_by, and operations told", async () => {
    const due = s.stripe.disputes[0].evidence_details.due_by;
    expect(due - s.now).toBe(hours * 3600);
    const staged = await stack.gateway.reads.getDispute(dispute);
    expect(staged?.evidence.customer_name).toBe("Marie Curie");
    expect(staged?.status).toMatch(/needs_response$/);

    const pending = (await stack.api("GET", `/approvals?case=dispute:${dispute}`)).body.data as any[];
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ action: "submit_evidence", status: "pending", expiresAt: due });
    // Escalated by the case itself: "overdue" is the deadline, not now (no second alarm for the same thing).
    expect(pending[0].dueAt).toBe(due);
    expect(pending[0].request.description).toMatch(/this question expires then/);
    expect(pending[0].args.economics.summary).toMatch(/\$79\.00/);
    expect(Object.keys(pending[0].args.sources)).toEqual(expect.arrayContaining(["customer_name", "uncategorized_text"]));

    const ops = ((await stack.api("GET", `/notifications?case=dispute:${dispute}`)).body.data as any[]).filter((n) => n.template === "ops_escalation");
    expect(ops).toHaveLength(1);
    expect(ops[0].body).toMatch(new RegExp(`due in ${hours} h`));
    expect(ops[0].body).toMatch(/submit approval waits/);
  });

  it("the inbox shows when the question expires and what each answer costs", async () => {
    const one = (await stack.api("GET", `/approvals?case=dispute:${dispute}`)).body.data[0];
    const story = (await stack.api("GET", `/approvals/${one.id}`)).body;
    expect(story.approval.expiresAt).toBe(s.stripe.disputes[0].evidence_details.due_by);
    const page = await signedInPage(stack);
    const card = page.slice(page.indexOf(`data-approval="${one.id}"`));
    const due = new Date(s.stripe.disputes[0].evidence_details.due_by * 1000).toISOString().slice(0, 16).replace("T", " ");
    expect(card).toContain(`expires ${due} UTC`);
    expect(card).toMatch(/Counter or accept:<\/strong> (Dispute|Inquiry) for \$79\.00/);
  });
});

describe("Visa CE 3.0: a person's accept submits what was staged", () => {
  const s = scenario("dispute_fraud_ce3_prior_transactions");
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ now: s.now, seed: s.stripe, policy: s.config });
    await deliver(stack, s.steps[0].event);
  });
  afterAll(() => stack?.stop());

  it("staged with CE 3.0, then submitted with it on accept; Stripe (the simulator) calls it qualified", async () => {
    const staged = await stack.gateway.reads.getDispute("dp_C3");
    const ce3 = staged!.evidence.enhanced_evidence.visa_compelling_evidence_3!;
    expect(ce3.prior_undisputed_transactions.map((t) => t.charge)).toEqual(["ch_C3d130", "ch_C3d160"]);
    expect(staged!.evidence_details.enhanced_eligibility.visa_compelling_evidence_3?.status).toBe("qualified");
    const [q] = (await stack.api("GET", "/approvals?case=dispute:dp_C3")).body.data as any[];
    expect(q.args.economics.ce3).toMatch(/^qualifies: ch_C3d130 .* and ch_C3d160 .* match on customer_purchase_ip, customer_email_address/);
    expect((await stack.api("POST", `/approvals/${q.id}`, { type: "accept" })).status).toBe(200);
    await stack.quiet();
    const submits = stack.sim.log.writes().filter((w) => w.path === "/v1/disputes/dp_C3" && w.params?.submit === "true");
    expect(submits).toHaveLength(1);
    const done = await stack.gateway.reads.getDispute("dp_C3");
    expect(done!.status).toBe("under_review");
    expect(done!.evidence.enhanced_evidence.visa_compelling_evidence_3!.prior_undisputed_transactions.map((t) => t.charge)).toEqual(["ch_C3d130", "ch_C3d160"]);
  });
});
