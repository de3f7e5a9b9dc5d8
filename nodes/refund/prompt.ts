// The refund prompt for the model decider: the refund policy, the vocabulary and the charge's facts, customer text quoted as data.
import type { PolicyConfig } from "../../domain/policy-config.js";
import { customerData, customerFacts, requestData, systemPrompt, userPrompt, vocabularyText, type PromptParts } from "../prompt-data.js";
import type { ProposedDecision } from "../proposal.js";
import type { RefundContext } from "./context.js";
import { refundParamsSchemas } from "./schema.js";
import { formatMoney } from "../../domain/money.js";
import { thresholdFor } from "../../domain/money-threshold.js";
import { earlyFraudRefundLimit } from "./policy.js";
import { readRefundRequest } from "./request-reading.js";

const POLICY = [
  "A support request on a refundable charge → refund the amount the customer's own words ask for (request_reading, read by billops from the message: no amount named = the whole refundable amount): refund_full when it is the refundable amount, refund_partial when less (reason requested_by_customer). Never more than the refundable amount. Amounts are minor units of the charge's currency (JPY has none: ¥1,000 = 1000; KWD has three: KWD 1.250 = 1250).",
  "When request_reading.certain is false, or the charge was only guessed (charge_choice), the amount or the charge is not understood: propose with confidence below min_auto_confidence, or escalate_to_support.",
  "\"Charged twice\": two paid payments of one invoice (invoice_of_charge), or the same amount without an invoice within duplicate_window_minutes → refund_full of the LATER charge, reason duplicate. Two payments of different invoices are two purchases → escalate_to_support.",
  "A fully refunded, failed or uncaptured charge → deny_refund. A disputed charge whose dispute does not allow refunds → deny_refund.",
  "Charges older than refund_window_days, a charge of another customer, a customer who does not recognise a charge, or an unclear request → escalate_to_support.",
  "An actionable early fraud warning (re-read) on an undisputed charge → refund_full with reason fraudulent, unless the charge is covered by the 3D Secure liability shift (three_d_secure_result authenticated or attempt_acknowledged) → deny_refund; not actionable → deny_refund; on a disputed charge → escalate. A failed refund → escalate.",
];

export function refundPrompt(ctx: RefundContext, proposal: ProposedDecision, config: PolicyConfig): PromptParts {
  const c = ctx.charge;
  const chargeFacts = (x: NonNullable<RefundContext["charge"]>) => ({
    id: x.id, amount: x.amount, amount_text: formatMoney(x.amount, x.currency), amount_captured: x.amount_captured, amount_refunded: x.amount_refunded, currency: x.currency,
    status: x.status, paid: x.paid, refunded: x.refunded, disputed: x.disputed, created: x.created, invoice: ctx.invoiceOfCharge[x.id],
    three_d_secure_result: x.payment_method_details?.card?.three_d_secure?.result ?? null,
  });
  const reading = c && ctx.trigger.kind === "request" ? readRefundRequest(ctx.trigger.message, c) : null;
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
    charge_choice: ctx.chargeChoice,
    request_reading: reading ? { amount: reading.amount, amount_text: formatMoney(reading.amount, c!.currency), certain: reading.certain, doubts: reading.doubts } : null,
    limits: c ? { auto_refund_limit: thresholdFor(config.auto_refund_limit, c.currency), customer_refund_limit: thresholdFor(config.customer_refund_limit, c.currency), customer_refund_window_days: config.customer_refund_window_days, early_fraud_refund_limit: earlyFraudRefundLimit(config, c.currency) } : null,
    live_subscriptions: ctx.subscriptions.map((x) => ({ id: x.id, status: x.status })),
    history: { decisions: ctx.history.decisions.map((d) => d.action) },
  };
  const system = systemPrompt({
    role: "refund specialist",
    policy: POLICY,
    vocabulary: vocabularyText(refundParamsSchemas, { refund_full: "amount = the refundable amount", refund_partial: "amount below the refundable amount", stop_future_charges: "after an early fraud warning: pause or cancel the customer's subscriptions billed to that card" }),
    approvals: [
      "a refund that takes the charge's refunds (amount_refunded + this one) above auto_refund_limit, and any second refund on one charge",
      "a customer's refunds over customer_refund_window_days above customer_refund_limit",
      "an amount or a charge the customer's words do not name for certain",
      "a refund on a charge with an open dispute", "reason fraudulent without an actionable early fraud warning, or above the early-fraud limit, or on a 3D Secure liability-shifted charge",
      "a second refund in one case", "charges older than refund_window_days", "stop_future_charges (always)",
      "another customer's charge or subscription is never touched",
    ],
    config,
    currency: c?.currency ?? null,
  });
  return { system, user: userPrompt(facts, { customer: customerData(ctx.customer), request: requestData(ctx.trigger) }, proposal) };
}
