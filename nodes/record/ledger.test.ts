// What a settled decision was about, per domain, and the ledger row it becomes: amounts stay in their own currency,
// missing facts stay null, and nothing a column would refuse reaches it.
import { describe, expect, it } from "vitest";
import type { SettledDecision } from "../../domain/case-state.js";
import { ledgerRows, newlySettled, subjectOf } from "./ledger.js";

describe("subjectOf", () => {
  it.each([
    ["an open invoice: what is still owed", "dunning", { invoice: { id: "in_1", customer: "cus_1", status: "open", amount_due: 7900, amount_remaining: 4000, currency: "usd" }, decline: { category: "soft" } }, {}, { object: "in_1", customer: "cus_1", amount: 4000, currency: "usd", category: "soft", status: "open" }],
    ["a paid invoice: what was paid", "dunning", { invoice: { id: "in_2", customer: { id: "cus_2" }, status: "paid", amount_due: 5000, amount_paid: 5000, amount_remaining: 0, currency: "jpy" } }, {}, { object: "in_2", customer: "cus_2", amount: 5000, currency: "jpy", status: "paid" }],
    ["an invoice Stripe no longer has", "dunning", { invoiceId: "in_gone", invoice: null, customer: { id: "cus_3" } }, {}, { object: "in_gone", customer: "cus_3", amount: null, currency: null }],
    ["a dispute won", "dispute", { dispute: { id: "dp_1", amount: 1250, currency: "kwd", reason: "fraudulent", status: "won" }, charge: { customer: "cus_4" } }, {}, { object: "dp_1", customer: "cus_4", amount: 1250, currency: "kwd", category: "fraudulent", status: "won" }],
    ["a partial refund: the refund's amount", "refund", { charge: { id: "ch_1", customer: "cus_5", amount: 2900, amount_refunded: 0, currency: "eur", status: "succeeded" }, refundable: 2900 }, { amount: 1000, reason: "requested_by_customer" }, { object: "ch_1", amount: 1000, currency: "eur", category: "requested_by_customer" }],
    ["a refund denial: what was refundable", "refund", { charge: { id: "ch_2", customer: "cus_6", amount: 3000, amount_refunded: 1000, currency: "usd", status: "succeeded" } }, { reason: "charge is disputed" }, { object: "ch_2", amount: 2000, category: "charge is disputed" }],
    ["an early fraud warning", "refund", { charge: { id: "ch_3", amount: 500, currency: "usd" }, earlyFraudWarning: { id: "issfr_1" } }, {}, { object: "ch_3", amount: 500, category: "early_fraud_warning" }],
    ["a subscription", "subscription", { subscription: { id: "sub_1", customer: "cus_7", status: "past_due", items: { data: [{ price: { unit_amount: 7900, currency: "usd" } }] } } }, {}, { object: "sub_1", amount: 7900, currency: "usd", status: "past_due" }],
    ["no context at all", "refund", null, {}, { object: null, amount: null, currency: null }],
  ] as const)("%s", (_name, domain, context, params, want) => {
    expect(subjectOf(domain, context, params as Record<string, unknown>)).toMatchObject(want);
  });
});

const settled = (id: string, over: Partial<SettledDecision["decision"]> = {}, approval: SettledDecision["approval"] = null): SettledDecision => ({
  decision: { id, domain: "refund", action: "refund_partial", params: { charge: "ch_1", amount: 1000 }, rationale: "asked for €10.00", source: "llm", confidence: 0.9, eventId: "req_1", at: 100, llm: { calls: 1, tokens: 150 }, ...over },
  guard: { verdict: "ok", reasons: [] },
  approval,
  outcome: { status: "executed", stripe: [{ action: "refund_partial", method: "refunds.create", object: "re_1", ok: true, requestId: "req_sim_1", idempotencyKey: "billops:x" }], notifications: ["refund_issued"], scheduled: [] },
});
const context = { charge: { id: "ch_1", customer: "cus_1", amount: 2900, currency: "eur" } };
const events = [{ id: "req_1", type: "billops.support_request", source: "request" as const, echo: false, created: 90 }];

describe("ledgerRows", () => {
  it("a row per settled decision, with its trigger, approval and Stripe requests", () => {
    const [row] = ledgerRows("request:req_1", [settled("req_1:refund")], { context, events }, { customer: null, settledAt: 200 });
    expect(row).toMatchObject({ decisionId: "req_1:refund", caseKey: "request:req_1", amount: 1000, currency: "eur", customer: "cus_1", triggerType: "billops.support_request", triggerSource: "request", approval: "none", outcome: "executed", llmCalls: 1, llmTokens: 150, decidedAt: 100, settledAt: 200 });
    expect(row!.stripe).toEqual([{ action: "refund_partial", method: "refunds.create", object: "re_1", ok: true, requestId: "req_sim_1" }]);
  });
  it("a person's answer and an edited amount", () => {
    const [row] = ledgerRows("request:req_1", [settled("req_1:refund", { params: { charge: "ch_1", amount: 1200 } }, { id: "apr_1", request: {} as any, status: "edited", approver: "ann" })], { context, events }, { customer: null, settledAt: 200 });
    expect(row).toMatchObject({ approval: "edited", approvalId: "apr_1", approver: "ann", amount: 1200 });
  });
  it("nothing a column would refuse: a model's 12.5 is no amount", () => {
    const [row] = ledgerRows("request:req_1", [settled("req_1:refund", { params: { amount: 12.5 }, llm: { calls: 1.5, tokens: NaN } as any })], { context: null, events }, { customer: "cus_9", settledAt: 200 });
    expect(row).toMatchObject({ amount: null, llmCalls: 0, llmTokens: 0, customer: "cus_9" });
  });
  it("no NUL character, which PostgreSQL refuses, in any text", () => {
    const [row] = ledgerRows("request:req_1", [settled("req_1:refund", { rationale: "the customer wrote \u0000 here" })], { context, events }, { customer: null, settledAt: 200 });
    expect(row!.rationale).toBe("the customer wrote  here");
  });
  it("newlySettled: the decisions a run added", () => {
    const a = settled("a");
    const b = settled("b");
    expect(newlySettled({ decisions: [a] }, { decisions: [a, b] }).map((d) => d.decision.id)).toEqual(["b"]);
    expect(newlySettled(null, { decisions: [a] }).map((d) => d.decision.id)).toEqual(["a"]);
  });
});
