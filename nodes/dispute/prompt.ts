// The dispute prompt for the model decider: the dispute policy, the vocabulary and the dispute's facts; customer text and evidence quoted as data.
import type { PolicyConfig } from "../../domain/policy-config.js";
import { customerData, customerFacts, requestData, systemPrompt, userPrompt, vocabularyText, type PromptParts } from "../prompt-data.js";
import type { ProposedDecision } from "../proposal.js";
import type { DisputeContext } from "./context.js";
import { disputeParamsSchemas, EVIDENCE_TEXT_FIELDS } from "./schema.js";

const POLICY = [
  "A dispute with status needs_response or warning_needs_response → stage_evidence (staged with submit false; a person then submits).",
  "When evidence is due within dispute_deadline_hours, still stage_evidence with params.escalate naming the deadline (staged, asked and escalated at once). Escalate instead when it is past due, or when the charge was already fully refunded.",
  "Evidence is the proposal's evidence, built from Stripe data and the operator's policy texts, each field with its sources: keep it as proposed. Never add a sentence billops did not read; the guard refuses evidence text that differs from the sourced text.",
  "Under review, won, lost or warning_closed disputes and funds events → record_outcome. Customer messages about a dispute → escalate_to_support.",
  `Only Stripe's text evidence fields: ${EVIDENCE_TEXT_FIELDS.join(", ")}; 150,000 characters in all. Never invent facts.`,
];

export function disputePrompt(ctx: DisputeContext, proposal: ProposedDecision, config: PolicyConfig): PromptParts {
  const d = ctx.dispute;
  const facts = {
    now: ctx.now,
    trigger: ctx.trigger.kind === "event" ? { event: ctx.trigger.type, id: ctx.trigger.eventId } : { support_request: ctx.trigger.requestId },
    dispute: d ? { id: d.id, status: d.status, reason: d.reason, amount: d.amount, currency: d.currency, due_by: d.evidence_details?.due_by ?? null, past_due: d.evidence_details?.past_due ?? null, has_evidence: d.evidence_details?.has_evidence ?? null, submission_count: d.evidence_details?.submission_count ?? null, is_charge_refundable: d.is_charge_refundable } : null,
    charge: ctx.charge ? { id: ctx.charge.id, amount: ctx.charge.amount, amount_refunded: ctx.charge.amount_refunded, currency: ctx.charge.currency, created: ctx.charge.created } : null,
    card_checks: ctx.paymentMethod?.card?.checks ?? null,
    customer: customerFacts(ctx.customer),
    subscriptions: ctx.subscriptions.map((s) => ({ id: s.id, status: s.status, cancel_at_period_end: s.cancel_at_period_end, canceled_at: s.canceled_at ?? null })),
    paid_invoices: ctx.invoices.length,
    refunds: ctx.refunds.map((r) => ({ id: r.id, amount: r.amount, status: r.status })),
    other_successful_charges: ctx.otherCharges.length,
    history: { decisions: ctx.history.decisions.map((x) => x.action) },
  };
  const customer = {
    customer: customerData(ctx.customer),
    request: requestData(ctx.trigger),
    ...(ctx.accessLog ? { access_log_from_metadata: ctx.accessLog } : {}),
    ...(d?.evidence && Object.values(d.evidence).some((v) => typeof v === "string" && v) ? { evidence_on_file: Object.fromEntries(Object.entries(d.evidence).filter(([, v]) => typeof v === "string" && v)) } : {}),
  };
  const system = systemPrompt({
    role: "dispute specialist (chargebacks)",
    policy: POLICY,
    vocabulary: vocabularyText(disputeParamsSchemas, { stage_evidence: "evidence is an object of text fields", submit_evidence: "final; a person submits", accept_dispute: "gives the money up; a person decides" }),
    approvals: ["submit_evidence", "accept_dispute", "the submission of staged evidence"],
    config,
  });
  return { system, user: userPrompt(facts, customer, proposal) };
}
