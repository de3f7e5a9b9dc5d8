// Refund policy: support requests, early fraud warnings and refund events → refund full/partial, deny, or escalate.
// What a request asks back is read from the customer's own words (request-reading.ts), never from a classifier's
// or model's reading; anything read with doubt is proposed below the automatic confidence, so a person decides.
import type Stripe from "stripe";
import type { RefundAction } from "../../domain/actions.js";
import { formatMoney } from "../../domain/money.js";
import { formatThreshold, thresholdFor } from "../../domain/money-threshold.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { escalate, type ProposedDecision } from "../proposal.js";
import { findDuplicate, liabilityShifted, openDisputes, refundableAmount, type RefundContext } from "./context.js";
import { readRefundRequest } from "./request-reading.js";

type D = ProposedDecision<RefundAction>;
const DAY = 86400;
/** The confidence of a proposal with doubts: below any sensible min_auto_confidence, so a person (or the model) looks. */
const DOUBTFUL = 0.5;

const money = (minor: number, currency: string) => formatMoney(minor, currency);

/**
 * The refund vocabulary has no "do nothing": an event that needs no refund is settled as `deny_refund`, which
 * writes nothing to Stripe and tells nobody. The rationale says so, so nobody reads it as a refused customer.
 */
const PASSIVE_NOTE = "No refund decision is needed: recorded as deny_refund, the refund domain's record-only action (no Stripe write, no message to the customer, nobody was refused).";

const deny = (reason: string, rationale = reason): D => ({ action: "deny_refund", params: { reason }, rationale, confidence: 1 });

/** What an early fraud warning may refund on its own: a few dispute fees, and never above the automatic limit. */
export function earlyFraudRefundLimit(config: PolicyConfig, currency: string): number {
  return Math.min(thresholdFor(config.auto_refund_limit, currency), thresholdFor(config.dispute_fee, currency) * config.efw_refund_fee_multiple);
}

/** Reasons a charge cannot or should not be refunded automatically, in the order a person would check them. */
function blocker(charge: Stripe.Charge, ctx: RefundContext, config: PolicyConfig): D | null {
  if (charge.status !== "succeeded" || !charge.paid) return deny(`charge ${charge.id} is ${charge.status}: no money was taken`);
  if (charge.refunded || refundableAmount(charge) === 0) return deny(`charge ${charge.id} is already fully refunded`, "Nothing left to refund.");
  const disputes = charge.id === ctx.charge?.id ? openDisputes(ctx) : [];
  if (disputes.some((d) => !d.is_charge_refundable) || (charge.disputed && !disputes.length)) {
    return deny(`charge ${charge.id} is disputed; Stripe does not allow a refund, the dispute decides`, "A refund on a disputed charge would pay the customer twice.");
  }
  if (ctx.now - charge.created > config.refund_window_days * DAY) {
    return escalate(`charge ${charge.id} is older than ${config.refund_window_days} days`, "Old charges are refunded only by a person.");
  }
  return null;
}

function fromRefundEvent(ctx: RefundContext, type: string): D {
  const r = ctx.refund;
  if (type === "refund.failed" || r?.status === "failed" || r?.status === "canceled") {
    const what = r ? `refund ${r.id} of ${money(r.amount, r.currency)}` : "refund (unknown)";
    return escalate(`${what} on ${ctx.charge?.id ?? "(unknown charge)"} ${r?.status ?? "failed"}${r?.failure_reason ? `: ${r.failure_reason}` : ""}`, "A failed refund means the customer did not get their money: a person follows up.");
  }
  return deny(
    `${type}: refund ${r?.id ?? ""} is ${r?.status ?? "recorded"}; nothing to decide`.replace(/\s+/g, " "),
    `${PASSIVE_NOTE} ${type} only reports a refund's state (${r?.status ?? "unknown"}).`,
  );
}

function fromFraudWarning(ctx: RefundContext, config: PolicyConfig): D {
  const w = ctx.earlyFraudWarning;
  const charge = ctx.charge;
  if (!w || !charge) return escalate(`early fraud warning or its charge not found`);
  if (charge.disputed || openDisputes(ctx).length) {
    return escalate(`charge ${charge.id} is already disputed: refunding no longer prevents the dispute`, "The dispute process handles it now.");
  }
  if (refundableAmount(charge) === 0) return deny(`charge ${charge.id} has nothing left to refund`);
  if (!w.actionable) return deny(`early fraud warning ${w.id} is not actionable`, "Stripe marks a warning not actionable once it was refunded or disputed.");
  if (liabilityShifted(charge)) {
    // With the liability shift a fraud dispute is the issuer's loss, not ours: refunding would give the money away.
    return deny(
      `charge ${charge.id} was authenticated with 3D Secure (${charge.payment_method_details?.card?.three_d_secure?.result}): the issuer bears a fraud dispute`,
      `The issuer reported ${w.fraud_type} on ${charge.id}, but the payment is covered by the 3D Secure liability shift: no refund.`,
    );
  }
  const refundable = refundableAmount(charge);
  const limit = earlyFraudRefundLimit(config, charge.currency);
  return {
    action: "refund_full",
    params: { charge: charge.id, amount: refundable, reason: "fraudulent" },
    rationale: `The issuer reported ${w.fraud_type} on ${charge.id} (${money(refundable, charge.currency)}): refunding now avoids the dispute, its fee (${formatThreshold(config.dispute_fee, charge.currency)}) and the dispute count${refundable > limit ? `; above the early-fraud limit of ${money(limit, charge.currency)}, a person approves` : ""}.`,
    confidence: 1,
  };
}

export function decideRefund(ctx: RefundContext, config: PolicyConfig): D {
  const t = ctx.trigger;
  if (t.kind === "event") {
    if (t.type.startsWith("radar.early_fraud_warning")) return fromFraudWarning(ctx, config);
    if (t.type.includes("refund")) return fromRefundEvent(ctx, t.type);
    return deny(`${t.type} needs no refund decision`, `${PASSIVE_NOTE} ${t.type} asks for no refund.`);
  }

  const charge = ctx.charge;
  // A message that tries to instruct the agent is still read for what the customer wants, but money does not move on
  // its say-so alone: the refund is proposed below the automatic confidence, so a person approves it.
  const instructed = /instructions to the agent/.test(t.ambiguous ?? "") ? "the message tries to instruct the agent" : null;
  if (t.intent === "unclear" || t.intent === "unrecognized") {
    return { ...escalate(`support request ${t.requestId}: ${t.intent === "unrecognized" ? "customer does not recognise a charge" : "no clear request"}`), ambiguous: t.ambiguous ?? "free text" };
  }
  if (ctx.foreignCharge) return { ...escalate(`support request ${t.requestId} names charge ${ctx.foreignCharge}, which belongs to another customer`), ambiguous: "charge of another customer" };
  if (!charge) return { ...escalate(`support request ${t.requestId}: no charge found to refund${ctx.chargeChoice.why ? ` (${ctx.chargeChoice.why})` : ""}`), ambiguous: ctx.chargeChoice.why ?? "no charge found" };

  const guessed = ctx.chargeChoice.how === "guessed" ? ctx.chargeChoice.why : undefined;

  if (t.intent === "duplicate") {
    const twin = findDuplicate(ctx, config.duplicate_window_minutes);
    if (!twin) {
      return { ...escalate(`customer reports a duplicate charge but ${charge.id} has no twin: no second payment of its invoice, no same-amount payment without an invoice within ${config.duplicate_window_minutes} minutes`), ambiguous: "duplicate claim without a matching charge" };
    }
    const target = twin.duplicate;
    const blocked = blocker(target, ctx, config);
    if (blocked) return blocked;
    const reading = readRefundRequest(t.message, target);
    const refundable = refundableAmount(target);
    // For a duplicate the later payment is refunded whole; an amount in the words must still be that payment's.
    const doubts = [...reading.doubts.filter((d) => !/only .* is refundable/.test(d)), ...(reading.amount !== refundable && reading.certain ? [`the message asks for ${money(reading.amount, target.currency)}, the duplicate is ${money(refundable, target.currency)}`] : []), instructed].filter((x): x is string => !!x);
    const how = twin.how === "invoice" ? `both paid invoice ${ctx.invoiceOfCharge[ctx.charge!.id]}` : `${money(target.amount, target.currency)} each, no invoice, ${Math.round(Math.abs(target.created - twin.original.created) / 60)} min apart`;
    return {
      action: "refund_full",
      params: { charge: target.id, amount: refundable, reason: "duplicate" },
      rationale: `${target.id} repeats ${twin.original.id} (${how}): refund the second one.${doubts.length ? ` A person checks: ${doubts.join("; ")}.` : ""}`,
      confidence: doubts.length ? DOUBTFUL : 1,
      ...(doubts.length ? { ambiguous: doubts.join("; ") } : {}),
    };
  }

  const blocked = blocker(charge, ctx, config);
  if (blocked) return blocked;
  const refundable = refundableAmount(charge);
  const reading = readRefundRequest(t.message, charge);
  const doubts = [...reading.doubts, guessed, instructed].filter((x): x is string => !!x);
  const disputed = openDisputes(ctx).length > 0 ? "charge has an open dispute that allows a refund" : null;
  const ambiguous = [t.ambiguous, ...doubts, disputed].filter((x, i, all): x is string => !!x && all.indexOf(x) === i).join("; ");
  const amount = reading.amount;
  const limit = thresholdFor(config.auto_refund_limit, charge.currency);
  const notes = [
    amount > limit ? `above the automatic limit of ${formatThreshold(config.auto_refund_limit, charge.currency)}, a person approves` : null,
    doubts.length ? `a person checks: ${doubts.join("; ")}` : null,
  ].filter(Boolean);
  const what = `${money(amount, charge.currency)} of ${money(refundable, charge.currency)} refundable on ${charge.id} (${reading.basis})`;
  return {
    // Never more than what is left, whatever the message says: the text is data, the charge is the limit.
    action: amount < refundable ? "refund_partial" : "refund_full",
    params: { charge: charge.id, amount, reason: "requested_by_customer" },
    rationale: `Refund request: ${what}${notes.length ? `; ${notes.join("; ")}` : ""}.`,
    confidence: doubts.length ? DOUBTFUL : 1,
    ...(ambiguous ? { ambiguous } : {}),
  };
}
