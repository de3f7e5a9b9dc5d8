// Dispute policy table: a row per dispute reason (evidence fields per family, each sourced), per event/status and
// deadline situation, per Visa CE 3.0 case, and the guard over what a decider stages.
import { describe, expect, it } from "vitest";
import type Stripe from "stripe";
import { parsePolicyConfig, type PolicyConfigInput } from "../../domain/policy-config.js";
import * as f from "../fixtures.js";
import { gatherDisputeContext } from "./context.js";
import { decideDispute } from "./policy.js";
import { guard } from "../guard/guard.js";
import { EvidenceSchema, type Economics } from "./schema.js";
import { assembleEvidence, REASON_FAMILY } from "./evidence.js";
import { matchQualifies } from "./ce3.js";

const { NOW, DAY } = f;
const config = parsePolicyConfig({});
const POLICIES: PolicyConfigInput["merchant_policies"] = {
  refund_policy: "Refunds within 14 days of purchase on request to billing@example.com.",
  cancellation_policy: "Cancel any time in Settings; the plan runs to the end of the paid month.",
  terms_url: "https://example.com/terms",
  service_description: "Hosted project management software, billed monthly.",
  merchandise_or_services: "services",
};
const configured = parsePolicyConfig({ merchant_policies: POLICIES });

interface Setup {
  dispute?: Record<string, unknown> & { due_by?: number };
  charge?: Record<string, unknown>;
  type?: string;
  subscriptions?: Stripe.Subscription[];
  refunds?: Stripe.Refund[];
  others?: Stripe.Charge[];
  customer?: Record<string, unknown>;
  staged?: boolean;
  config?: ReturnType<typeof parsePolicyConfig>;
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
  return { ctx, decision: decideDispute(ctx, s.config ?? config) };
}

const evidenceOf = (d: { params: Record<string, unknown> }) => d.params.evidence as Record<string, string>;
const sourcesOf = (d: { params: Record<string, unknown> }) => d.params.sources as Record<string, string[]>;

describe("decideDispute: evidence per reason", () => {
  const rows: [string, string[], string[], Setup?][] = [
    // reason, fields with the operator's policy configured, fields that must stay empty without it
    ["fraudulent", ["customer_name", "customer_email_address", "billing_address", "product_description", "service_date", "access_activity_log", "uncategorized_text"], []],
    ["unrecognized", ["customer_name", "access_activity_log", "uncategorized_text"], []],
    ["product_not_received", ["product_description", "service_date", "access_activity_log"], []],
    ["product_unacceptable", ["product_description", "refund_policy_disclosure"], ["refund_policy_disclosure", "refund_refusal_explanation"]],
    ["subscription_canceled", ["cancellation_policy_disclosure", "cancellation_rebuttal", "service_date"], ["cancellation_policy_disclosure"]],
    ["credit_not_processed", ["refund_policy_disclosure"], ["refund_policy_disclosure", "refund_refusal_explanation"]],
    ["duplicate", ["duplicate_charge_explanation", "duplicate_charge_id"], [], { others: [f.chargeObj({ id: "ch_prev", amount: 4900, amount_captured: 4900, created: NOW - 30 * DAY })] }],
    ["general", ["customer_name", "product_description", "uncategorized_text"], []],
  ];
  it.each(rows)("%s → stage_evidence with %j (configured); without policy texts %j stay empty", async (reason, fields, emptyWithout, setup = {}) => {
    const { decision } = await run({ ...setup, dispute: { reason }, config: configured });
    expect(decision.action).toBe("stage_evidence");
    const ev = evidenceOf(decision);
    for (const k of fields) expect(ev[k], k).toBeTruthy();
    expect(EvidenceSchema.safeParse(ev).success).toBe(true);
    expect(decision.params.dispute).toBe("dp_A");
    const bare = evidenceOf((await run({ ...setup, dispute: { reason } })).decision);
    for (const k of emptyWithout) expect(bare[k], k).toBeUndefined();
  });

  it("only fraud-like families carry the access log, and only access-like metadata", async () => {
    const fraud = evidenceOf((await run({ dispute: { reason: "fraudulent" } })).decision);
    expect(fraud.access_activity_log).toContain("last_login_at");
    expect(fraud.access_activity_log).not.toContain("vip");
    const dup = evidenceOf((await run({ dispute: { reason: "duplicate" } })).decision);
    expect(dup.access_activity_log).toBeUndefined();
  });

  it("credit_not_processed cites refunds already given, and nothing when none were", async () => {
    const { decision } = await run({ dispute: { reason: "credit_not_processed" }, refunds: [f.refundObj({ id: "re_part", amount: 1000 })] });
    expect(evidenceOf(decision).refund_refusal_explanation).toContain("re_part");
    expect(evidenceOf(decision).refund_refusal_explanation).toContain("$10.00");
    expect(sourcesOf(decision).refund_refusal_explanation).toEqual(["stripe:re_part"]);
  });

  it("subscription_canceled rebuts with the subscription's state, and not when Stripe shows it canceled before the charge", async () => {
    const { decision } = await run({ dispute: { reason: "subscription_canceled" } });
    expect(evidenceOf(decision).cancellation_rebuttal).toContain("sub_A");
    const before = await run({ dispute: { reason: "subscription_canceled" }, subscriptions: [f.subscription({ status: "canceled", canceled_at: NOW - 5 * DAY })] });
    expect(evidenceOf(before.decision).cancellation_rebuttal).toBeUndefined();
    const after = await run({ dispute: { reason: "subscription_canceled" }, subscriptions: [f.subscription({ status: "canceled", canceled_at: NOW - 3600 })] });
    expect(evidenceOf(after.decision).cancellation_rebuttal).toMatch(/canceled on .*after this charge/);
  });

  it("duplicate without a same-amount charge says what Stripe lists, not that it is no duplicate", async () => {
    const { decision } = await run({ dispute: { reason: "duplicate" } });
    expect(evidenceOf(decision).duplicate_charge_explanation).toMatch(/only one of that amount/);
    expect(evidenceOf(decision).duplicate_charge_id).toBeUndefined();
  });

  it("an unknown reason is staged as general and flagged", async () => {
    const { decision } = await run({ dispute: { reason: "something_new" } });
    expect(decision.action).toBe("stage_evidence");
    expect(decision.ambiguous).toMatch(/something_new/);
  });
});

describe("staged evidence states only what billops read", () => {
  // Two worlds that share nothing but their shape: a line that appears in both is text billops did not read.
  const worldB: Setup = {
    customer: { id: "cus_A", name: "Alan Turing", email: "alan@bletchley.example", created: NOW - 900 * DAY, metadata: { login_history: "2026-10-01 from 198.51.100.9" } },
    charge: { id: "ch_A", amount: 12345, amount_captured: 12345, currency: "eur", created: NOW - 9 * DAY, description: "Team plan - yearly", billing_details: { email: "alan@bletchley.example", name: "Alan Turing", address: { line1: "2 Wilton Pl", line2: null, city: "Bletchley", state: null, postal_code: "MK3", country: "GB" }, phone: null }, payment_method_details: { type: "card", card: f.card({ checks: { cvc_check: "fail", address_postal_code_check: "unavailable", address_line1_check: "pass" } }) } },
    subscriptions: [f.subscription({ id: "sub_Z", start_date: NOW - 800 * DAY, status: "past_due" })],
    refunds: [f.refundObj({ id: "re_Z", amount: 345, currency: "eur", created: NOW - 2 * DAY })],
    others: [f.chargeObj({ id: "ch_Z1", amount: 12345, amount_captured: 12345, currency: "eur", created: NOW - 370 * DAY, description: "Team plan - yearly" })],
    config: parsePolicyConfig({ merchant_policies: { refund_policy: "No refunds after 30 days.", cancellation_policy: "Yearly plans end at term.", terms_url: "https://b.example/tos", service_description: "Team wiki." } }),
  };
  const families = [...new Set(Object.keys(REASON_FAMILY))];

  it.each(families.flatMap((r) => [[r, "configured"], [r, "unconfigured"]] as const))("%s (%s): every field has a source", async (reason, mode) => {
    const { ctx } = await run({ dispute: { reason }, config: mode === "configured" ? configured : config });
    const staged = assembleEvidence(ctx, mode === "configured" ? configured : config);
    const fields = Object.keys(staged.evidence).filter((k) => k !== "enhanced_evidence");
    expect(fields.length).toBeGreaterThan(3);
    for (const k of fields) {
      expect(staged.sources[k]?.length, `${reason}: ${k} has no source`).toBeGreaterThan(0);
      for (const s of staged.sources[k]!) expect(s, `${reason}: ${k}`).toMatch(/^(stripe:(ch|cus|pm|sub|re|in|dp)_|stripe:charges\?|billops:policy\.merchant_policies\.)/);
    }
    // A policy source only where the operator wrote that policy.
    const policySources = Object.values(staged.sources).flat().filter((s) => s.startsWith("billops:policy"));
    if (mode === "unconfigured") expect(policySources).toEqual([]);
  });

  it.each(families)("%s: no line is the same in two worlds that share no facts (no boilerplate)", async (reason) => {
    const a = evidenceOf((await run({ dispute: { reason }, config: configured, others: [f.chargeObj({ id: "ch_prev", amount: 4900, amount_captured: 4900, created: NOW - 30 * DAY })] })).decision);
    const b = evidenceOf((await run({ ...worldB, dispute: { reason, amount: 12345, currency: "eur" } })).decision);
    for (const [field, text] of Object.entries(a)) {
      if (typeof text !== "string") continue;
      const other = new Set(String(b[field] ?? "").split("\n"));
      for (const line of text.split("\n")) expect(other.has(line), `${reason}.${field}: "${line}" does not depend on the facts`).toBe(false);
    }
  });

  it.each(families)("%s: none of the old unchecked claims", async (reason) => {
    for (const cfg of [config, configured]) {
      const text = JSON.stringify(evidenceOf((await run({ dispute: { reason }, config: cfg })).decision));
      expect(text).not.toMatch(/shown at checkout|did not request a refund|renew automatically|not a duplicate|no refund or credit was promised|digital service|access was available/i);
    }
  });

  it("policy texts are quoted as the operator wrote them, with their source", async () => {
    const { decision } = await run({ dispute: { reason: "product_unacceptable" }, config: configured });
    expect(evidenceOf(decision).refund_policy_disclosure).toBe(`${POLICIES!.refund_policy}\nTerms of service: https://example.com/terms`);
    expect(sourcesOf(decision).refund_policy_disclosure).toEqual(["billops:policy.merchant_policies.refund_policy", "billops:policy.merchant_policies.terms_url"]);
  });

  it.each([
    [4980, "jpy", "¥4,980"],
    [1250, "kwd", "KWD 1.250"],
    [4900, "usd", "$49.00"],
  ] as const)("amounts in the evidence and the economics: %i %s reads %s", async (amount, currency, text) => {
    const { decision } = await run({ dispute: { reason: "general", amount, currency }, charge: { amount, amount_captured: amount, currency } });
    expect(evidenceOf(decision).uncategorized_text.replace(/[\u00a0\u202f]/g, " ")).toContain(text);
    expect((decision.params.economics as Economics).summary.replace(/[\u00a0\u202f]/g, " ")).toContain(text);
  });
});

describe("decideDispute: situations", () => {
  it.each([
    ["created, due in 10 days → stage", { type: "charge.dispute.created" }, "stage_evidence", false],
    ["created, due in 30 h → stage, ask and escalate", { dispute: { due_by: NOW + 30 * 3600 } }, "stage_evidence", true],
    ["created, due in 24 h → stage, ask and escalate", { dispute: { due_by: NOW + 24 * 3600 } }, "stage_evidence", true],
    ["created, due in 47 h → stage, ask and escalate", { dispute: { due_by: NOW + 47 * 3600 } }, "stage_evidence", true],
    ["created, due in 49 h → stage only", { dispute: { due_by: NOW + 49 * 3600 } }, "stage_evidence", false],
    ["inquiry due in 20 h → stage, ask and escalate", { dispute: { status: "warning_needs_response", reason: "general", is_charge_refundable: true, due_by: NOW + 20 * 3600 } }, "stage_evidence", true],
    ["inquiry due in 9 days → stage only", { dispute: { status: "warning_needs_response", reason: "fraudulent", is_charge_refundable: true, due_by: NOW + 9 * DAY } }, "stage_evidence", false],
    ["created, past due → escalate", { dispute: { due_by: NOW - 60 } }, "escalate_to_support", false],
    ["inquiry past due → escalate", { dispute: { status: "warning_needs_response", due_by: NOW - 60 } }, "escalate_to_support", false],
    ["charge already fully refunded → escalate", { charge: { refunded: true, amount_refunded: 4900 } }, "escalate_to_support", false],
    ["updated, nothing staged yet → stage", { type: "charge.dispute.updated" }, "stage_evidence", false],
    ["updated from outside after staging → staged again for a person", { type: "charge.dispute.updated", staged: true, dispute: { evidence_details: { due_by: NOW + 10 * DAY, has_evidence: true, past_due: false, submission_count: 0 } } }, "stage_evidence", false],
    ["under review → record", { type: "charge.dispute.updated", dispute: { status: "under_review" } }, "record_outcome", false],
    ["closed won → record", { type: "charge.dispute.closed", dispute: { status: "won" } }, "record_outcome", false],
    ["closed lost → record", { type: "charge.dispute.closed", dispute: { status: "lost" } }, "record_outcome", false],
    ["late created event for a dispute already lost → record", { type: "charge.dispute.created", dispute: { status: "lost" } }, "record_outcome", false],
    ["inquiry (warning_needs_response) → stage", { dispute: { status: "warning_needs_response", reason: "general" } }, "stage_evidence", false],
    ["funds withdrawn → record", { type: "charge.dispute.funds_withdrawn" }, "record_outcome", false],
  ] as [string, Setup, string, boolean][])("%s", async (_n, setup, action, escalates) => {
    const { ctx, decision } = await run(setup);
    expect(decision.action).toBe(action);
    expect(typeof decision.params.escalate === "string").toBe(escalates);
    if (escalates) expect(decision.params.escalate).toMatch(/due in \d+ h/);
    expect(guard({ domain: "dispute", decision, context: ctx, config }).verdict).not.toBe("downgraded");
  });

  it("the economics: an inquiry costs no fee yet; a dispute shows the dispute and counter fees", async () => {
    const inquiry = (await run({ dispute: { status: "warning_needs_response", reason: "general" } })).decision.params.economics as Economics;
    expect(inquiry).toMatchObject({ dispute_fee: 0, counter_fee: 0 });
    expect(inquiry.summary).toMatch(/^Inquiry for \$49\.00/);
    const dispute = (await run({})).decision.params.economics as Economics;
    expect(dispute).toMatchObject({ amount: 4900, currency: "usd", dispute_fee: 1500, counter_fee: 1500 });
    expect(dispute.summary).toContain("$64.00 in all");
    expect(dispute.summary).toContain("$79.00 in all");
    const eur = (await run({ dispute: { amount: 2000, currency: "eur" }, charge: { currency: "eur", amount: 2000, amount_captured: 2000 } })).decision.params.economics as Economics;
    expect(eur).toMatchObject({ dispute_fee: 2000, counter_fee: 0 });
    expect(eur.summary).toContain("not configured for EUR");
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

describe("Visa Compelling Evidence 3.0", () => {
  const IP = { customer_purchase_ip: "203.0.113.7" };
  const prior = (id: string, days: number, o: Record<string, unknown> = {}) =>
    f.chargeObj({ id, amount: 4900, amount_captured: 4900, created: NOW - DAY - days * DAY, description: "Pro plan - monthly", metadata: IP, ...o });
  const history = [prior("ch_p130", 130), prior("ch_p160", 160), prior("ch_p190", 190)];
  const fraud: Setup = { dispute: { reason: "fraudulent" }, charge: { metadata: IP }, others: history, config: configured };
  const ce3Of = (d: { params: Record<string, unknown> }) => (evidenceOf(d) as unknown as { enhanced_evidence?: { visa_compelling_evidence_3: any } }).enhanced_evidence?.visa_compelling_evidence_3;

  const rows: [string, Setup, string[] | null, RegExp?][] = [
    ["monthly Visa customer: IP and email match on two prior payments", fraud, ["ch_p130", "ch_p160"]],
    ["unrecognized is a fraud reason too", { ...fraud, dispute: { reason: "unrecognized" } }, ["ch_p130", "ch_p160"]],
    ["no history in the window", { ...fraud, others: [prior("ch_new", 30), prior("ch_old", 400)] }, null, /0 undisputed payments/],
    ["one prior payment only", { ...fraud, others: [prior("ch_p130", 130), prior("ch_new", 60)] }, null, /1 undisputed payment on/],
    ["prior payments disputed or failed do not count", { ...fraud, others: [prior("ch_p130", 130, { disputed: true }), prior("ch_p160", 160, { status: "failed", paid: false }), prior("ch_p190", 190)] }, null, /1 undisputed payment/],
    ["prior payments reported as fraud (by the customer or by Stripe) do not count", { ...fraud, others: [prior("ch_p130", 130, { fraud_details: { user_report: "fraudulent" } }), prior("ch_p160", 160, { fraud_details: { stripe_report: "fraudulent" } }), prior("ch_p190", 190)] }, null, /1 undisputed payment/],
    ["a prior payment the customer marked safe still counts", { ...fraud, others: [prior("ch_p130", 130, { fraud_details: { user_report: "safe" } }), prior("ch_p160", 160)] }, ["ch_p130", "ch_p160"]],
    ["another card's payments do not count", { ...fraud, others: history.map((c) => ({ ...c, payment_method: "pm_other" }) as Stripe.Charge) }, null, /0 undisputed/],
    ["email alone is a secondary element: not enough", { ...fraud, charge: { metadata: {} }, others: history.map((c) => ({ ...c, metadata: {} }) as Stripe.Charge) }, null, /share an IP, device or account/],
    ["different IPs: not enough", { ...fraud, others: history.map((c, i) => ({ ...c, metadata: { customer_purchase_ip: `198.51.100.${i}` } }) as Stripe.Charge) }, null, /share an IP/],
    ["merchandise or services unknown", { ...fraud, config: parsePolicyConfig({}) }, null, /merchandise or services/],
    ["a Mastercard", { ...fraud, charge: { metadata: IP, payment_method_details: { type: "card", card: f.card({ brand: "mastercard" }) } } }, null, /mastercard, not Visa/],
    ["Visa reason 13.1 is not card-absent fraud", { ...fraud, dispute: { reason: "fraudulent", network_reason_code: "13.1" } }, null, /13\.1/],
    ["not a fraud dispute", { ...fraud, dispute: { reason: "product_not_received" } }, null, /not a fraud dispute/],
  ];
  it.each(rows)("%s", async (_n, setup, priors, why) => {
    const { ctx, decision } = await run(setup);
    expect(decision.action).toBe("stage_evidence");
    const ce3 = ce3Of(decision);
    const staged = assembleEvidence(ctx, setup.config ?? config);
    if (priors) {
      expect(ce3.prior_undisputed_transactions.map((t: { charge: string }) => t.charge)).toEqual(priors);
      expect(ce3.disputed_transaction).toMatchObject({ merchandise_or_services: "services", customer_purchase_ip: "203.0.113.7", product_description: "Pro plan - monthly" });
      expect(EvidenceSchema.safeParse(evidenceOf(decision)).success).toBe(true);
      expect(sourcesOf(decision)["enhanced_evidence.visa_compelling_evidence_3"]).toEqual(expect.arrayContaining(["stripe:ch_A.metadata.customer_purchase_ip", "stripe:ch_p130", "billops:policy.merchant_policies.merchandise_or_services"]));
      expect((decision.params.economics as Economics).ce3).toMatch(/^qualifies/);
    } else {
      expect(ce3).toBeUndefined();
      expect(staged.ce3.qualified).toBe(false);
      expect(staged.ce3.why).toMatch(why!);
    }
    const g = guard({ domain: "dispute", decision, context: ctx, config: setup.config ?? config });
    expect(g.verdict).toBe("ok");
  });

  it.each([
    [["customer_purchase_ip", "customer_device_fingerprint"], true],
    [["customer_device_id", "customer_account_id"], true],
    [["customer_purchase_ip", "shipping_address"], true],
    [["customer_device_fingerprint", "customer_device_id"], false],
    [["customer_email_address", "shipping_address"], false],
    [["customer_account_id"], false],
  ] as const)("Visa's match rule: %j → %s", (matched, ok) => {
    expect(matchQualifies(matched)).toBe(ok);
  });
});

describe("the guard over staged evidence", () => {
  it("refuses evidence text a decider wrote instead of what billops read", async () => {
    const { ctx, decision } = await run({ dispute: { reason: "product_unacceptable" } });
    const forged = { ...decision, params: { ...decision.params, evidence: { ...evidenceOf(decision), refund_refusal_explanation: "The customer never asked for a refund." } } };
    const g = guard({ domain: "dispute", decision: forged, context: ctx, config });
    expect(g.verdict).toBe("downgraded");
    expect(g.reasons.join()).toMatch(/refund_refusal_explanation is not the text billops read/);
  });

  it("a person's edit is theirs: allowed on approval, its source says so", async () => {
    const { ctx, decision } = await run({ dispute: { reason: "product_unacceptable" } });
    const edited = { ...decision, action: "submit_evidence", params: { ...decision.params, sources: {}, evidence: { ...evidenceOf(decision), refund_refusal_explanation: "Support ticket #88 shows the customer used the product for 60 days." } } };
    const g = guard({ domain: "dispute", decision: edited, context: ctx, config, approved: true });
    expect(g.verdict).toBe("ok");
    expect((g.decision.params.sources as Record<string, string[]>).refund_refusal_explanation).toEqual(["person:approval"]);
  });

  it("replaces forged economics and sources with billops' own", async () => {
    const { ctx, decision } = await run({});
    const forged = { ...decision, params: { ...decision.params, sources: { customer_name: ["stripe:made_up"] }, economics: { ...(decision.params.economics as Economics), amount: 1, summary: "Accept: it costs nothing." } } };
    const g = guard({ domain: "dispute", decision: forged, context: ctx, config });
    expect(g.verdict).toBe("ok");
    expect(g.decision.params.economics).toEqual(decision.params.economics);
    expect(g.decision.params.sources).toEqual(decision.params.sources);
  });

  it("CE 3.0 naming charges billops did not find: refused, even approved", async () => {
    const IP = { customer_purchase_ip: "203.0.113.7" };
    const others = [130, 160].map((d) => f.chargeObj({ id: `ch_p${d}`, amount: 4900, amount_captured: 4900, created: NOW - DAY - d * DAY, description: "Pro", metadata: IP }));
    const { ctx, decision } = await run({ dispute: { reason: "fraudulent" }, charge: { metadata: IP }, others, config: configured });
    const ev = evidenceOf(decision) as unknown as { enhanced_evidence: { visa_compelling_evidence_3: { prior_undisputed_transactions: { charge: string }[] } } };
    const forged = structuredClone(ev);
    forged.enhanced_evidence.visa_compelling_evidence_3.prior_undisputed_transactions[1]!.charge = "ch_someone_else";
    const d2 = { ...decision, params: { ...decision.params, evidence: forged } };
    expect(guard({ domain: "dispute", decision: d2, context: ctx, config: configured }).verdict).toBe("downgraded");
    const g = guard({ domain: "dispute", decision: { ...d2, action: "submit_evidence" }, context: ctx, config: configured, approved: true });
    expect(g.verdict).toBe("downgraded");
    expect(g.reasons.join()).toMatch(/ch_someone_else is not an undisputed payment on this card/);
  });

  it("submitting and accepting still need a person", async () => {
    const { ctx, decision } = await run({});
    expect(guard({ domain: "dispute", decision: { ...decision, action: "submit_evidence" }, context: ctx, config }).verdict).toBe("needs_approval");
    const accept = guard({ domain: "dispute", decision: { action: "accept_dispute", params: { dispute: "dp_A" }, rationale: "small", confidence: 1 }, context: ctx, config });
    expect(accept.verdict).toBe("needs_approval");
    expect((accept.decision.params.economics as Economics).summary).toMatch(/Accept: lose \$49\.00/);
  });
});
