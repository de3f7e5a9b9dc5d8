// Refund policy: support requests, early fraud warnings and refund events → refund full/partial, deny, or escalate.
import type Stripe from "stripe";
import type { RefundAction } from "../../domain/actions.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { escalate, type ProposedDecision } from "../proposal.js";
import { findDuplicate, openDisputes, refundableAmount, type RefundContext } from "./context.js";
import { formatMoney } from "../../domain/money.js";

type D = ProposedDecision<RefundAction>;
const DAY = 86400;

/** Stripe's zero-decimal currencies: "$15" is 1500 cents but "¥1500" is 1500 yen. */
const ZERO_DECIMAL = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]);

export function toMinorUnits(amount: number, currency: string): number {
  return Math.round(ZERO_DECIMAL.has(currency.toLowerCase()) ? amount : amount * 100);
}

/**
 * The refund vocabulary has no "do nothing": an event that needs no refund is settled as `deny_refund`, which
 * writes nothing to Stripe and tells nobody. The rationale says so, so nobody reads it as a refused customer.
 */
const PASSIVE_NOTE = "No refund decision is needed: recorded as deny_refund, the refund domain's record-only action (no Stripe write, no message to the customer, nobody was refused).";

const deny = (reason: string, rationale = reason): D => ({ action: "deny_refund", params: { reason }, rationale, confidence: 1 });

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
    return escalate(`refund ${r?.id ?? "(unknown)"} on ${ctx.charge?.id ?? "(unknown charge)"} ${r?.status ?? "failed"}${r?.failure_reason ? `: ${r.failure_reason}` : ""}`, "A failed refund means the customer did not get their money: a person follows up.");
  }
  return deny(
    `${type}: refund ${r?.id ?? ""} is ${r?.status ?? "recorded"}; nothing to decide`.replace(/\s+/g, " "),
    `${PASSIVE_NOTE} ${type} only reports a refund's state (${r?.status ?? "unknown"}).`,
  );
}

function fromFraudWarning(ctx: RefundContext): D {
  const w = ctx.earlyFraudWarning;
  const charge = ctx.charge;
  if (!w || !charge) return escalate(`early fraud warning or its charge not found`);
  if (charge.disputed || openDisputes(ctx).length) {
    return escalate(`charge ${charge.id} is already disputed: refunding no longer prevents the dispute`, "The dispute process handles it now.");
  }
  if (refundableAmount(charge) === 0) return deny(`charge ${charge.id} has nothing left to refund`);
  if (!w.actionable) return deny(`early fraud warning ${w.id} is not actionable`, "Stripe marks a warning not actionable once it was refunded or disputed.");
  return {
    action: "refund_full",
    params: { charge: charge.id, amount: refundableAmount(charge), reason: "fraudulent" },
    rationale: `The issuer reported ${w.fraud_type} on ${charge.id}: refunding now avoids the dispute, its fee and the dispute count.`,
    confidence: 1,
  };
}

export function decideRefund(ctx: RefundContext, config: PolicyConfig): D {
  const t = ctx.trigger;
  if (t.kind === "event") {
    if (t.type.startsWith("radar.early_fraud_warning")) return fromFraudWarning(ctx);
    if (t.type.includes("refund")) return fromRefundEvent(ctx, t.type);
    return deny(`${t.type} needs no refund decision`, `${PASSIVE_NOTE} ${t.type} asks for no refund.`);
  }

  const charge = ctx.charge;
  // A message that tries to instruct the agent is still read for what the customer wants, but money does not move on
  // its say-so alone: the refund is proposed below the automatic confidence, so a person approves it.
  const instructed = /instructions to the agent/.test(t.ambiguous ?? "");
  const confidence = instructed ? 0.5 : 1;
  if (t.intent === "unclear" || t.intent === "unrecognized") {
    return { ...escalate(`support request ${t.requestId}: ${t.intent === "unrecognized" ? "customer does not recognise a charge" : "no clear request"}`), ambiguous: t.ambiguous ?? "free text" };
  }
  if (ctx.foreignCharge) return { ...escalate(`support request ${t.requestId} names charge ${ctx.foreignCharge}, which belongs to another customer`), ambiguous: "charge of another customer" };
  if (!charge) return escalate(`support request ${t.requestId}: no charge found to refund`);

  if (t.intent === "duplicate") {
    const twin = findDuplicate(charge, ctx.recentCharges, config.duplicate_window_hours);
    if (!twin) {
      return { ...escalate(`customer reports a duplicate charge but no twin of ${charge.id} within ${config.duplicate_window_hours} h`), ambiguous: "duplicate claim without a matching charge" };
    }
    const target = twin.duplicate;
    const blocked = blocker(target, ctx, config);
    if (blocked) return blocked;
    return {
      action: "refund_full",
      params: { charge: target.id, amount: refundableAmount(target), reason: "duplicate" },
      rationale: `${target.id} repeats ${twin.original.id} (${formatMoney(target.amount, target.currency)}, ${Math.round(Math.abs(target.created - twin.original.created) / 60)} min apart): refund the second one.`,
      confidence,
      ...(instructed ? { ambiguous: t.ambiguous } : {}),
    };
  }

  const blocked = blocker(charge, ctx, config);
  if (blocked) return blocked;
  const refundable = refundableAmount(charge);
  const disputedButRefundable = openDisputes(ctx).length > 0;
  const asked = t.params.amount != null && Number.isFinite(t.params.amount) && t.params.amount > 0 ? toMinorUnits(t.params.amount, charge.currency) : null;
  const ambiguous = [t.ambiguous, asked != null && asked > refundable ? `asked for ${formatMoney(asked, charge.currency)} but only ${formatMoney(refundable, charge.currency)} is refundable` : undefined, disputedButRefundable ? "charge has an open dispute that allows a refund" : undefined]
    .filter(Boolean)
    .join("; ");
  const extra = ambiguous ? { ambiguous } : {};
  if (asked != null && asked < refundable) {
    return {
      action: "refund_partial",
      params: { charge: charge.id, amount: asked, reason: "requested_by_customer" },
      rationale: `The customer asks for ${formatMoney(asked, charge.currency)} of ${formatMoney(refundable, charge.currency)} on ${charge.id}.`,
      confidence,
      ...extra,
    };
  }
  return {
    action: "refund_full",
    // Never more than what is left, whatever the message says: the text is data, the charge is the limit.
    params: { charge: charge.id, amount: refundable, reason: "requested_by_customer" },
    rationale: `Refund request on ${charge.id} (${formatMoney(refundable, charge.currency)})${refundable > config.auto_refund_limit ? `; above the automatic limit of ${formatMoney(config.auto_refund_limit, charge.currency)}, a person approves` : ""}${instructed ? "; the message tries to instruct the agent, so a person approves" : ""}.`,
    confidence,
    ...extra,
  };
}
