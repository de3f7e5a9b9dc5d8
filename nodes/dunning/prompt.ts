// The dunning prompt for the model decider: the policy summary, the vocabulary and the invoice's facts, customer text quoted as data.
import type { PolicyConfig } from "../../domain/policy-config.js";
import { customerData, customerFacts, requestData, systemPrompt, userPrompt, vocabularyText, type PromptParts } from "../prompt-data.js";
import type { ProposedDecision } from "../proposal.js";
import type { DunningContext } from "./context.js";
import { dunningParamsSchemas } from "./schema.js";

const POLICY = [
  "The invoice as re-read from Stripe decides first: paid → close_recovered; void, uncollectible or draft → no_action.",
  "Decline categories: transient (processing_error, issuer_not_available, try_again_later…) → retry_immediately once, then schedule_retry in 1 h; soft (insufficient_funds +48 h, card_velocity_exceeded +24 h, generic_decline, do_not_honor…) → schedule_retry at least 6 h before Stripe's next_payment_attempt, else notify_customer.",
  "Customer must act (expired_card, incorrect number/cvc/zip, authentication_required, advice confirm_card_data) → notify_customer with the invoice's own hosted_invoice_url (template update_payment_method or authentication_required).",
  "Hard declines (invalid_account, card_not_supported, revocation_of_authorization, advice do_not_try_again…) → notify_customer, never a retry. Fraud (lost_card, stolen_card, pickup_card, fraudulent, Radar risk highest or blocked) → escalate_to_support, never a retry or grace.",
  "Unknown codes: treat as soft, with lower confidence. Retries are capped per invoice and per card (card_attempts: declines on the card's fingerprint across invoices in 24 h and 30 days, against the network limits).",
  "Network advice codes: 03 or 21 → never retry; 24–30 → no retry before decline.retry_after seconds have passed since the decline. A soft decline is never retried immediately on a Stripe event.",
  "The subscription decides: canceled or incomplete_expired → never retry_immediately, schedule_retry or apply_grace_period (notify_customer once, or escalate); incomplete, unpaid or paused → no grace and no retry of our own.",
  "With dunning.retries smart_retries, Stripe's remaining attempts are Stripe's: no retry of our own while next_payment_attempt is set.",
  "Final attempt (next_payment_attempt null): amount ≥ escalate_amount → escalate; a good long-time customer with an active/past_due subscription, without grace yet → apply_grace_period (grace_days, retry at its end; collection is paused until then); else notify_customer then no_action.",
];

const NOTES: Record<string, string> = {
  retry_immediately: "never on a hard or fraud decline",
  schedule_retry: "retry_at in the future, within 30 days",
  notify_customer: "hosted_invoice_url must be the invoice's own",
  apply_grace_period: "final attempt only, good customers",
};

export function dunningPrompt(ctx: DunningContext, proposal: ProposedDecision, config: PolicyConfig): PromptParts {
  const inv = ctx.invoice;
  const facts = {
    now: ctx.now,
    trigger: ctx.trigger.kind === "event" ? { event: ctx.trigger.type, id: ctx.trigger.eventId } : { support_request: ctx.trigger.requestId },
    invoice: inv
      ? { id: inv.id, status: inv.status, amount_due: inv.amount_due, amount_remaining: inv.amount_remaining, currency: inv.currency, attempt_count: inv.attempt_count, next_payment_attempt: inv.next_payment_attempt ?? null, hosted_invoice_url: inv.hosted_invoice_url ?? null, created: inv.created }
      : null,
    decline: { ...ctx.signals, category: ctx.decline.category, reason_code: ctx.decline.reasonCode, why: ctx.decline.why, retry_after: ctx.decline.retryAfter ?? null },
    card: ctx.card,
    card_attempts: ctx.cardAttempts ?? null,
    subscription: ctx.subscription ? { id: ctx.subscription.id, status: ctx.subscription.status } : null,
    customer: customerFacts(ctx.customer),
    standing: { paid_invoices: ctx.paidInvoices, tenure_days: ctx.tenureDays, other_open_invoices: ctx.otherOpenInvoices },
    history: { decisions: ctx.history.decisions.map((d) => d.action), billops_retries: ctx.history.billopsRetries, notifications_sent: ctx.history.notificationsSent },
  };
  const system = systemPrompt({
    role: "dunning specialist (failed invoice payments)",
    policy: POLICY,
    vocabulary: vocabularyText(dunningParamsSchemas, NOTES),
    approvals: ["a retry or grace further out than the configured window", "grace longer than grace_days", "any side-effecting action below min_auto_confidence"],
    config,
  });
  return { system, user: userPrompt(facts, { customer: customerData(ctx.customer), request: requestData(ctx.trigger) }, proposal) };
}
