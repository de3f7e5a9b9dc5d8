// The refund prompt for the model decider: the refund policy, the vocabulary and the charge's facts, customer text quoted as data.
import type { PolicyConfig } from "../../domain/policy-config.js";
import { customerData, customerFacts, requestData, systemPrompt, userPrompt, vocabularyText, type PromptParts } from "../prompt-data.js";
import type { ProposedDecision } from "../proposal.js";
import type { RefundContext } from "./context.js";
import { refundParamsSchemas } from "./schema.js";

const POLICY = [
  "A support request on a refundable charge → refund_full of the refundable amount (reason requested_by_customer); a smaller amount the customer names → refund_partial. Never more than the refundable amount.",
  "\"Charged twice\": the same customer, amount and currency, both succeeded within duplicate_window_hours → refund_full of the LATER charge, reason duplicate. No twin found → escalate_to_support.",
  "A fully refunded, failed or uncaptured charge → deny_refund. A disputed charge whose dispute does not allow refunds → deny_refund.",
  "Charges older than refund_window_days, a charge of another customer, a customer who does not recognise a charge, or an unclear request → escalate_to_support.",
  "An actionable early fraud warning (re-read) on an undisputed charge → refund_full with reason fraudulent; not actionable → deny_refund; on a disputed charge → escalate. A failed refund → escalate.",
];

export function refundPrompt(ctx: RefundContext, proposal: ProposedDecision, config: PolicyConfig): PromptParts {
  const c = ctx.charge;
  const chargeFacts = (x: NonNullable<RefundContext["charge"]>) => ({ id: x.id, amount: x.amount, amount_captured: x.amount_captured, amount_refunded: x.amount_refunded, currency: x.currency, status: x.status, paid: x.paid, refunded: x.refunded, disputed: x.disputed, created: x.created });
  const facts = {
    now: ctx.now,
    trigger: ctx.trigger.kind === "event" ? { event: ctx.trigger.type, id: ctx.trigger.eventId } : { support_request: ctx.trigger.requestId },
    charge: c ? chargeFacts(c) : null,
    refundable: ctx.refundable,
    refunds: ctx.refunds.map((r) => ({ id: r.id, amount: r.amount, status: r.status, reason: r.reason })),
    disputes: ctx.disputes.map((d) => ({ id: d.id, status: d.status, reason: d.reason, is_charge_refundable: d.is_charge_refundable })),
    early_fraud_warning: ctx.earlyFraudWarning ? { id: ctx.earlyFraudWarning.id, actionable: ctx.earlyFraudWarning.actionable, fraud_type: ctx.earlyFraudWarning.fraud_type } : null,
    refund_event: ctx.refund ? { id: ctx.refund.id, status: ctx.refund.status, amount: ctx.refund.amount } : null,
    customer: customerFacts(ctx.customer),
    recent_charges: ctx.recentCharges.slice(0, 5).map(chargeFacts),
    charge_of_another_customer: ctx.foreignCharge,
    history: { decisions: ctx.history.decisions.map((d) => d.action) },
  };
  const system = systemPrompt({
    role: "refund specialist",
    policy: POLICY,
    vocabulary: vocabularyText(refundParamsSchemas, { refund_full: "amount = the refundable amount", refund_partial: "amount below the refundable amount" }),
    approvals: [`any refund above auto_refund_limit (${config.auto_refund_limit})`, "a refund on a charge with an open dispute", "reason fraudulent without an actionable early fraud warning", "a second refund in one case", "charges older than refund_window_days"],
    config,
  });
  return { system, user: userPrompt(facts, { customer: customerData(ctx.customer), request: requestData(ctx.trigger) }, proposal) };
}
