// Dispute policy table: a row per dispute reason (evidence fields per family) and per event/status situation.
import { describe, expect, it } from "vitest";
import type Stripe from "stripe";
import { parsePolicyConfig } from "../../domain/policy-config.js";
import * as f from "../fixtures.js";
import { gatherDisputeContext } from "./context.js";
import { decideDispute } from "./policy.js";
import { guard } from "../guard/guard.js";
import { EvidenceSchema } from "./schema.js";

const { NOW, DAY } = f;
const config = parsePolicyConfig({});

interface Setup {
  dispute?: Record<string, unknown> & { due_by?: number };
  charge?: Record<string, unknown>;
  type?: string;
  subscriptions?: Stripe.Subscription[];
  refunds?: Stripe.Refund[];
  others?: Stripe.Charge[];
  customer?: Record<string, unknown>;
  staged?: boolean;
}

async function run(s: Setup) {
  const w: f.World = {
    customers: [f.customer({ metadata: { last_login_at: "2026-11-20T10:00:00Z from 203.0.113.7", plan_note: "vip" }, ...s.customer })],
    payment_methods: [f.paymentMethod()],
    charges: [f.chargeObj({ amount: 4900, amount_captured: 4900, disputed: true, description: "Pro plan - monthly", ...s.charge }), ...(s.others ?? [])],
    disputes: [f.dispute(s.dispute)],
    subscriptions: s.subscriptions ?? [f.subscription({ price: f.CATALOG[1] })],
    refunds: s.refunds ?? [],
  };
  const ctx = await gatherDisputeContext(
    f.memoryReads(w),
    f.event(s.type ?? "charge.dispute.created", { id: "dp_A", object: "dispute", status: "needs_response" }),
    f.history(s.staged ? { decisions: [{ action: "stage_evidence", at: NOW - DAY, source: "rules" }] } : {}),
    NOW,
  );
  return { ctx, decision: decideDispute(ctx, config) };
}

describe("decideDispute: evidence per reason", () => {
  const rows: [string, string[], Setup?][] = [
    ["fraudulent", ["customer_name", "customer_email_address", "billing_address", "product_description", "service_date", "access_activity_log", "uncategorized_text"]],
    ["unrecognized", ["customer_name", "access_activity_log", "uncategorized_text"]],
    ["product_not_received", ["product_description", "service_date", "access_activity_log"]],
    ["product_unacceptable", ["product_description", "refund_policy_disclosure", "refund_refusal_explanation"]],
    ["subscription_canceled", ["cancellation_policy_disclosure", "cancellation_rebuttal", "service_date"]],
    ["credit_not_processed", ["refund_policy_disclosure", "refund_refusal_explanation"]],
    ["duplicate", ["duplicate_charge_explanation", "duplicate_charge_id"], { others: [f.chargeObj({ id: "ch_prev", amount: 4900, amount_captured: 4900, created: NOW - 30 * DAY })] }],
    ["general", ["customer_name", "product_description", "uncategorized_text"]],
  ];
  it.each(rows)("%s → stage_evidence with %j", async (reason, fields, setup = {}) => {
    const { decision } = await run({ ...setup, dispute: { reason } });
    expect(decision.action).toBe("stage_evidence");
    const ev = decision.params.evidence as Record<string, string>;
    for (const k of fields) expect(ev[k], k).toBeTruthy();
    expect(EvidenceSchema.safeParse(ev).success).toBe(true);
    expect(decision.params.dispute).toBe("dp_A");
  });

  it("only fraud-like families carry the access log, and only access-like metadata", async () => {
    const fraud = (await run({ dispute: { reason: "fraudulent" } })).decision.params.evidence as Record<string, string>;
    expect(fraud.access_activity_log).toContain("last_login_at");
    expect(fraud.access_activity_log).not.toContain("vip");
    const dup = (await run({ dispute: { reason: "duplicate" } })).decision.params.evidence as Record<string, string>;
    expect(dup.access_activity_log).toBeUndefined();
  });

  it("credit_not_processed cites refunds already given", async () => {
    const { decision } = await run({ dispute: { reason: "credit_not_processed" }, refunds: [f.refundObj({ id: "re_part", amount: 1000 })] });
    expect((decision.params.evidence as Record<string, string>).refund_refusal_explanation).toContain("re_part");
  });

  it("subscription_canceled rebuts with the subscription's state", async () => {
    const { decision } = await run({ dispute: { reason: "subscription_canceled" } });
    expect((decision.params.evidence as Record<string, string>).cancellation_rebuttal).toContain("sub_A");
  });

  it("an unknown reason is staged as general and flagged", async () => {
    const { decision } = await run({ dispute: { reason: "something_new" } });
    expect(decision.action).toBe("stage_evidence");
    expect(decision.ambiguous).toMatch(/something_new/);
  });
});

describe("decideDispute: situations", () => {
  it.each([
    ["created, due in 10 days → stage", { type: "charge.dispute.created" }, "stage_evidence"],
    ["created, due in 30 h → escalate", { dispute: { due_by: NOW + 30 * 3600 } }, "escalate_to_support"],
    ["created, past due → escalate", { dispute: { due_by: NOW - 60 } }, "escalate_to_support"],
    ["charge already fully refunded → escalate", { charge: { refunded: true, amount_refunded: 4900 } }, "escalate_to_support"],
    ["updated, nothing staged yet → stage", { type: "charge.dispute.updated" }, "stage_evidence"],
    ["updated from outside after staging → staged again for a person", { type: "charge.dispute.updated", staged: true, dispute: { evidence_details: { due_by: NOW + 10 * DAY, has_evidence: true, past_due: false, submission_count: 0 } } }, "stage_evidence"],
    ["under review → record", { type: "charge.dispute.updated", dispute: { status: "under_review" } }, "record_outcome"],
    ["closed won → record", { type: "charge.dispute.closed", dispute: { status: "won" } }, "record_outcome"],
    ["closed lost → record", { type: "charge.dispute.closed", dispute: { status: "lost" } }, "record_outcome"],
    ["late created event for a dispute already lost → record", { type: "charge.dispute.created", dispute: { status: "lost" } }, "record_outcome"],
    ["inquiry (warning_needs_response) → stage", { dispute: { status: "warning_needs_response", reason: "general" } }, "stage_evidence"],
    ["funds withdrawn → record", { type: "charge.dispute.funds_withdrawn" }, "record_outcome"],
  ] as [string, Setup, string][])("%s", async (_n, setup, action) => {
    const { ctx, decision } = await run(setup);
    expect(decision.action).toBe(action);
    expect(guard({ domain: "dispute", decision, context: ctx, config }).verdict).not.toBe("downgraded");
  });

  it("closed records the re-read status, not the payload's", async () => {
    const { decision } = await run({ type: "charge.dispute.closed", dispute: { status: "won" } });
    expect(decision.params).toEqual({ dispute: "dp_A", status: "won" });
  });

  it("the shared example (credit_not_processed, due in 10 days) stages evidence", async () => {
    const { decision } = await run({ dispute: { reason: "credit_not_processed", due_by: 1797164000 } });
    expect(decision.action).toBe("stage_evidence");
  });

  it("a customer writing about their dispute → escalate, never stage from free text", async () => {
    const w: f.World = { customers: [f.customer()], charges: [f.chargeObj({ disputed: true })], disputes: [f.dispute()] };
    const ctx = await gatherDisputeContext(f.memoryReads(w), f.request("about my chargeback", { route: "dispute", intent: "dispute_question", params: {} }, { charge: "ch_A" }), f.history(), NOW);
    expect(ctx.dispute?.id).toBe("dp_A");
    expect(decideDispute(ctx, config).action).toBe("escalate_to_support");
  });

  it("missing dispute → escalate", async () => {
    const ctx = await gatherDisputeContext(f.memoryReads({}), f.event("charge.dispute.created", { id: "dp_gone", object: "dispute" }), f.history(), NOW);
    expect(decideDispute(ctx, config).action).toBe("escalate_to_support");
  });
});
