// The guard: one pure function that holds DESIGN.md's guardrails over any proposed decision, from rules or from a (possibly hostile) model.
import type { z } from "zod";
import { isDeepStrictEqual } from "node:util";
import { isAction, PASSIVE_ACTIONS, type Action, type Domain } from "../../domain/actions.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { toMinor } from "../../domain/money.js";
import type { ProposedDecision, Trigger } from "../proposal.js";
import { describeUnderstanding, type UnderstoodIntentName } from "../supervisor/understanding/index.js";
import type { DunningContext } from "../dunning/context.js";
import { NEVER_RETRY } from "../dunning/decline-codes.js";
import { effectiveCategory, graceAllowed, networkEarliestRetry, RETRY_JOB_EVENT, retryBudget, subscriptionStanding } from "../dunning/policy.js";
import { dunningParamsSchemas } from "../dunning/schema.js";
import type Stripe from "stripe";
import { formatMoney, isStripeAmount } from "../../domain/money.js";
import { thresholdFor } from "../../domain/money-threshold.js";
import type { RefundContext } from "../refund/context.js";
import { findDuplicate, liabilityShifted, openDisputes, refundableAmount } from "../refund/context.js";
import { earlyFraudRefundLimit } from "../refund/policy.js";
import { claimsDuplicate, readRefundRequest } from "../refund/request-reading.js";
import { idOf } from "../proposal.js";
import { ownershipProblems } from "./ownership.js";
import { refundParamsSchemas } from "../refund/schema.js";
import type { DisputeContext } from "../dispute/context.js";
import { disputeParamsSchemas, type Evidence } from "../dispute/schema.js";
import { assembleEvidence } from "../dispute/evidence.js";
import { disputeEconomics } from "../dispute/economics.js";
import type { SubscriptionContext } from "../subscription/context.js";
import { matchPlan, planCatalog } from "../subscription/catalog.js";
import { subscriptionParamsSchemas } from "../subscription/schema.js";
import { formatDateTime } from "../../domain/dates.js";

// Reasons are read by the person asked to approve: times as dates, amounts in the charge's currency. A value that is not
// what it should be (a model's "tomorrow", 12.5 minor units) is shown as it came, so the reason says what was wrong.
const timeText = (v: unknown) => (Number.isSafeInteger(v) ? formatDateTime(v as number) : JSON.stringify(v));
const moneyText = (v: unknown, currency: string) => (Number.isSafeInteger(v) ? formatMoney(v as number, currency) : JSON.stringify(v));

export type GuardVerdict = "ok" | "needs_approval" | "downgraded";

interface GuardBase {
  decision: ProposedDecision<string>;
  config: PolicyConfig;
  /** A person accepted or edited this decision: lifts needs_approval, never what is forbidden. */
  approved?: boolean;
}
export type GuardInput =
  | (GuardBase & { domain: "dunning"; context: DunningContext })
  | (GuardBase & { domain: "refund"; context: RefundContext })
  | (GuardBase & { domain: "dispute"; context: DisputeContext })
  | (GuardBase & { domain: "subscription"; context: SubscriptionContext });

export interface GuardResult {
  verdict: GuardVerdict;
  decision: ProposedDecision;
  reasons: string[];
}

const SCHEMAS: Record<Domain, Record<string, z.ZodType>> = {
  dunning: dunningParamsSchemas,
  refund: refundParamsSchemas,
  dispute: disputeParamsSchemas,
  subscription: subscriptionParamsSchemas,
};

const DAY = 86400;

/** What the domain checks found: `never` → downgraded whatever a person says; `approval` → a person must accept. */
interface Findings {
  never: string[];
  approval: string[];
}

export function guard(input: GuardInput): GuardResult {
  const { domain, decision, config, approved = false } = input;
  const downgrade = (reasons: string[]): GuardResult => ({
    verdict: "downgraded",
    decision: {
      action: "escalate_to_support",
      params: { reason: `guard refused ${String(decision.action)}: ${reasons.join("; ")}`.slice(0, 1000) },
      rationale: `The guard refused the proposed ${String(decision.action)}: ${reasons.join("; ")}`,
      confidence: 1,
    },
    reasons,
  });

  if (typeof decision?.action !== "string" || !isAction(domain, decision.action)) {
    return downgrade([`${JSON.stringify(decision?.action)} is not a ${domain} action`]);
  }
  const action = decision.action as Action;
  const parsed = SCHEMAS[domain][action].safeParse(decision.params ?? {});
  if (!parsed.success) {
    return downgrade([`invalid params for ${action}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join(", ")}`]);
  }
  // Only validated, known keys go on: an extra key a model slipped in never reaches the act node.
  const params = parsed.data as Record<string, unknown>;
  const checked: ProposedDecision = { ...decision, action, params };
  if (action === "escalate_to_support") return { verdict: "ok", decision: checked, reasons: [] };
  if (!input.context) return downgrade(["no case context to check the decision against"]);

  const f: Findings = { never: [], approval: [] };
  // Another customer's object is never touched, whatever else holds (DESIGN.md "Ownership").
  if (!PASSIVE_ACTIONS.has(action)) f.never.push(...ownershipProblems(input, (input.context as { trigger?: RefundContext["trigger"] }).trigger, action, params));
  switch (input.domain) {
    case "dunning":
      checkDunning(action, params, input.context, config, f);
      break;
    case "refund":
      checkRefund(action, params, input.context, config, f);
      break;
    case "dispute":
      checkDispute(action, params, input.context, config, f, approved);
      break;
    case "subscription":
      checkSubscription(action, params, input.context, config, f);
      break;
  }
  checkRequest(action, params, input.context, config, f, approved);
  if (f.never.length) return downgrade(f.never);
  if (!PASSIVE_ACTIONS.has(action) && typeof decision.confidence === "number" && decision.confidence < config.min_auto_confidence) {
    f.approval.push(`confidence ${decision.confidence} is below ${config.min_auto_confidence}`);
  }
  if (f.approval.length && !approved) return { verdict: "needs_approval", decision: checked, reasons: f.approval };
  return { verdict: "ok", decision: checked, reasons: f.approval.map((r) => `approved by a person: ${r}`) };
}

function checkDunning(action: Action, p: Record<string, unknown>, ctx: DunningContext, config: PolicyConfig, f: Findings): void {
  if (action === "no_action") return;
  const inv = ctx.invoice;
  if (!inv) return void f.never.push("the case's invoice could not be read");
  if (p.invoice !== inv.id) return void f.never.push(`invoice ${String(p.invoice)} is not this case's invoice ${inv.id}`);
  if (action === "close_recovered") {
    if (inv.status !== "paid") f.never.push(`invoice ${inv.id} is ${inv.status}, not paid`);
    return;
  }
  if (inv.status !== "open") return void f.never.push(`invoice ${inv.id} is ${inv.status}: nothing to collect`);

  const retries = action === "retry_immediately" || action === "schedule_retry" || action === "apply_grace_period";
  if (retries) {
    const category = effectiveCategory(ctx);
    if (NEVER_RETRY.has(category)) f.never.push(`${category} decline (${ctx.decline.reasonCode ?? "no code"}) is never retried: ${ctx.decline.why}`);
    else if (category === "customer_action") f.never.push(`${ctx.decline.why}: the customer must act (notify_customer), a retry cannot pass`);
    const budget = retryBudget(ctx, config);
    if (!budget.allowed) f.never.push(`retry cap: ${budget.why}`);
    checkDunningSubscription(action, ctx, f);
    checkRetryTiming(action, p, ctx, config, category, f);
  }
  if (action === "schedule_retry" || action === "apply_grace_period") {
    const at = p.retry_at as number;
    if (at <= ctx.now) f.never.push(`retry_at ${timeText(at)} is not in the future`);
    const horizon = action === "apply_grace_period" ? config.grace_days * DAY + DAY : 30 * DAY;
    if (at > ctx.now + horizon) f.approval.push(`retry_at ${timeText(at)} is further out than ${Math.round(horizon / DAY)} days`);
  }
  if (action === "apply_grace_period" && (p.grace_days as number) > config.grace_days) {
    f.approval.push(`grace of ${String(p.grace_days)} days exceeds the configured ${config.grace_days}`);
  }
  if (action === "notify_customer" && p.hosted_invoice_url !== inv.hosted_invoice_url) {
    // A link in a payment email is the phishing vector: only the invoice's own hosted page may be sent.
    f.never.push("hosted_invoice_url is not the invoice's own hosted page");
  }
}

/**
 * The invoice's subscription as Stripe has it (re-read for this run): canceled or incomplete_expired → Stripe stopped
 * collecting, so no payment and no grace whoever proposes it; incomplete, unpaid or paused → Stripe gives no access,
 * so no grace, and a payment of billops' own waits for a person.
 */
function checkDunningSubscription(action: Action, ctx: DunningContext, f: Findings): void {
  const standing = subscriptionStanding(ctx);
  const sub = ctx.subscription;
  if (standing.ended) return void f.never.push(`subscription ${sub!.id} is ${sub!.status}: Stripe no longer collects it, so no payment and no grace`);
  if (action === "apply_grace_period" && !graceAllowed(ctx)) {
    if (sub?.pause_collection) return void f.never.push(`subscription ${sub.id} already has its collection paused (${sub.pause_collection.behavior}): a grace period would replace that pause`);
    return void f.never.push(sub ? `subscription ${sub.id} is ${sub.status}: Stripe gives no access to keep, so no grace` : "no subscription on the invoice: a grace period has no service to keep");
  }
  if (standing.inactive) f.approval.push(`subscription ${sub!.id} is ${sub!.status}: a payment billops starts on it is a person's decision`);
}

/**
 * When a retry may happen: a soft decline is not retried on the spot (funds and limits do not change in seconds; that
 * is what fills networks' excessive-retry counts), only a transient one once, a due retry job or a customer's own ask;
 * a network's timing (Mastercard MAC 24–30) is a floor; with `dunning.retries: smart_retries` Stripe's remaining
 * attempts are Stripe's.
 */
function checkRetryTiming(action: Action, p: Record<string, unknown>, ctx: DunningContext, config: PolicyConfig, category: string, f: Findings): void {
  const t = ctx.trigger;
  const isJob = t.kind === "event" && t.type === RETRY_JOB_EVENT;
  const isRequest = t.kind === "request";
  const earliest = networkEarliestRetry(ctx);
  if (action === "retry_immediately") {
    if (earliest != null && earliest > ctx.now) f.never.push(`the network allows the next attempt only from ${timeText(earliest)} (${ctx.decline.why})`);
    if (!isJob && !isRequest) {
      const again = ctx.history.decisions.at(-1)?.action === "retry_immediately";
      if (category !== "transient") f.never.push(`${category} decline (${ctx.decline.reasonCode ?? "no code"}): an immediate retry cannot pass before funds or limits change; schedule one or tell the customer`);
      else if (again) f.never.push("billops already retried this transient decline at once; the next attempt is scheduled");
    }
  }
  if ((action === "schedule_retry" || action === "apply_grace_period") && earliest != null && typeof p.retry_at === "number" && p.retry_at < earliest) {
    f.never.push(`retry_at ${timeText(p.retry_at)} is before the network's earliest retry ${timeText(earliest)}`);
  }
  const stripeStillRetries = ctx.invoice?.next_payment_attempt != null;
  if (config.dunning.retries === "smart_retries" && stripeStillRetries && !isJob && !isRequest && action !== "apply_grace_period") {
    f.never.push("dunning.retries is smart_retries: Stripe still has attempts scheduled, and they are Stripe's to make");
  }
}

function checkRefund(action: Action, p: Record<string, unknown>, ctx: RefundContext, config: PolicyConfig, f: Findings): void {
  if (action === "deny_refund") return;
  if (action === "stop_future_charges") return checkStopFutureCharges(p, ctx, f);
  const charge = ctx.charge;
  if (!charge) return void f.never.push("the case's charge could not be read");
  const twin = findDuplicate(ctx, config.duplicate_window_minutes);
  const target = p.charge === charge.id ? charge : twin && p.charge === twin.duplicate.id ? twin.duplicate : null;
  if (!target) return void f.never.push(`charge ${String(p.charge)} is not this case's charge ${charge.id}${twin ? ` or its duplicate ${twin.duplicate.id}` : ""}`);

  const cur = target.currency;
  const fmt = (minor: number) => formatMoney(minor, cur);
  const refundable = refundableAmount(target);
  const amount = p.amount as number;
  if (target.refunded || (target.status === "succeeded" && refundable === 0)) f.never.push(`charge ${target.id} is already fully refunded`);
  else if (refundable === 0) f.never.push(`charge ${target.id} is ${target.status}: nothing was captured`);
  else if (amount > refundable) f.never.push(`amount ${fmt(amount)} exceeds the refundable ${fmt(refundable)} on ${target.id}`);
  if (!isStripeAmount(amount, cur)) f.never.push(`${amount} is not an amount Stripe accepts in ${cur.toUpperCase()}`);

  const disputes = target === charge ? openDisputes(ctx) : [];
  if (target.disputed || disputes.length) {
    const blocking = disputes.filter((d) => !d.is_charge_refundable);
    if (blocking.length || (target.disputed && !disputes.length)) {
      f.never.push(`charge ${target.id} is disputed${blocking[0] ? ` (${blocking[0].id})` : ""} and the dispute does not allow a refund`);
    } else f.approval.push(`charge ${target.id} has an open dispute; refunding it is a dispute decision`);
  }

  // Limits per charge: what it already had refunded counts, and any second refund on one charge is a person's call.
  const limit = thresholdFor(config.auto_refund_limit, cur);
  const already = Math.max(target.amount_refunded ?? 0, sumRefunds(target === charge ? ctx.refunds : [], target.id));
  if (already > 0) f.approval.push(`${target.id} already had ${fmt(already)} refunded: a second refund on one charge needs a person`);
  if (already + amount > limit) {
    f.approval.push(already ? `refunds on ${target.id} would total ${fmt(already + amount)}, above the automatic limit ${fmt(limit)}` : `amount ${fmt(amount)} is above the automatic limit ${fmt(limit)}`);
  }
  checkCustomerWindow(target, amount, ctx, config, f);

  if (ctx.now - target.created > config.refund_window_days * DAY) f.approval.push(`charge is older than ${config.refund_window_days} days`);
  const efw = ctx.earlyFraudWarning;
  // Stripe feeds `fraudulent` refunds to Radar block lists: only an issuer's fraud warning on this charge justifies it automatically.
  if (p.reason === "fraudulent" && (!efw || !efw.actionable || idOf(efw.charge) !== target.id)) f.approval.push("reason fraudulent without an actionable early fraud warning on this charge");
  // A refund after a fraud warning, whatever reason it gives, is bounded by the dispute fee it saves.
  if (efw && idOf(efw.charge) === target.id && amount > earlyFraudRefundLimit(config, cur)) {
    f.approval.push(`amount ${fmt(amount)} is above the early-fraud limit ${fmt(earlyFraudRefundLimit(config, cur))} (${config.efw_refund_fee_multiple} × the dispute fee)`);
  }
  if (efw && liabilityShifted(target)) f.approval.push(`${target.id} is covered by the 3D Secure liability shift: a fraud dispute is the issuer's loss, a refund would be ours`);
  if (p.reason === "duplicate" && twin?.duplicate.id !== target.id) f.approval.push(`no duplicate of ${target.id}: no second payment of its invoice, no same-amount payment without an invoice within ${config.duplicate_window_minutes} minutes`);
  if (ctx.history.decisions.some((d) => d.action === "refund_full" || d.action === "refund_partial")) {
    f.approval.push("this case already refunded once");
  }
  if (ctx.trigger.kind === "request") checkRequestedRefund(target, amount, ctx, config, p, f);
}

/** A support request's refund must be the charge and the amount the customer's own words name, read for certain. */
function checkRequestedRefund(target: Stripe.Charge, amount: number, ctx: RefundContext, config: PolicyConfig, p: Record<string, unknown>, f: Findings): void {
  const t = ctx.trigger as Extract<RefundContext["trigger"], { kind: "request" }>;
  const fmt = (minor: number) => formatMoney(minor, target.currency);
  if (target.id === ctx.charge?.id && ctx.chargeChoice.how === "guessed") f.approval.push(`the request did not name ${target.id}: ${ctx.chargeChoice.why ?? "only a guess"}`);
  const reading = readRefundRequest(t.message, target);
  // "Charged twice" is answered only by refunding a confirmed second payment, whatever the classifier or model made of it.
  const twin = findDuplicate(ctx, config.duplicate_window_minutes);
  if (claimsDuplicate(t.message) && twin?.duplicate.id !== target.id) {
    f.approval.push(`the customer reports a duplicate, but ${target.id} is not a second payment of one invoice nor a same-amount payment minutes after another`);
  }
  if (p.reason === "duplicate") {
    // The duplicate is refunded whole: only amounts that contradict it matter.
    const doubts = reading.doubts.filter((d) => !/only .* is refundable/.test(d));
    if (doubts.length) f.approval.push(`the request's words are not certain: ${doubts.join("; ")}`);
    return;
  }
  if (!reading.certain) f.approval.push(`the request's words are not certain: ${reading.doubts.join("; ")}`);
  else if (reading.amount !== amount) f.approval.push(`the customer asked for ${fmt(reading.amount)}, not ${fmt(amount)}`);
}

function sumRefunds(refunds: Stripe.Refund[], charge: string): number {
  return refunds.filter((r) => idOf(r.charge) === charge && r.status !== "failed" && r.status !== "canceled").reduce((n, r) => n + r.amount, 0);
}

/** Per customer: everything refunded to them over the window (any origin) plus this refund stays under their limit. */
function checkCustomerWindow(target: Stripe.Charge, amount: number, ctx: RefundContext, config: PolicyConfig, f: Findings): void {
  const cur = target.currency;
  const since = ctx.now - config.customer_refund_window_days * DAY;
  const refunded = ctx.customerRefunds.refunds
    .filter((r) => r.created >= since && r.currency === cur && r.status !== "failed" && r.status !== "canceled")
    .reduce((n, r) => n + r.amount, 0);
  const limit = thresholdFor(config.customer_refund_limit, cur);
  if (!ctx.customerRefunds.complete) f.approval.push("the customer has more refunded charges than billops reads: their refund total is not known");
  if (refunded + amount > limit) {
    f.approval.push(`the customer would get ${formatMoney(refunded + amount, cur)} back within ${config.customer_refund_window_days} days (${formatMoney(refunded, cur)} already), above the per-customer limit ${formatMoney(limit, cur)}`);
  }
}

/** Stopping a card's future charges (pause or cancel subscriptions): only after an early fraud warning on that card, always by a person. */
function checkStopFutureCharges(p: Record<string, unknown>, ctx: RefundContext, f: Findings): void {
  const efw = ctx.earlyFraudWarning;
  const charge = ctx.charge;
  if (!efw || !charge || idOf(efw.charge) !== charge.id) return void f.never.push("stopping future charges needs an early fraud warning on the case's charge");
  if (p.payment_method !== idOf(charge.payment_method ?? null)) f.never.push(`payment method ${String(p.payment_method)} is not the card of ${charge.id}`);
  f.approval.push(`${p.mode === "cancel" ? "cancelling" : "pausing"} the customer's subscriptions is a person's decision`);
}

const ANSWERABLE = new Set(["needs_response", "warning_needs_response"]);

function checkDispute(action: Action, p: Record<string, unknown>, ctx: DisputeContext, config: PolicyConfig, f: Findings, approved: boolean): void {
  const d = ctx.dispute;
  if (!d) return void f.never.push("the case's dispute could not be read");
  if (p.dispute !== d.id) return void f.never.push(`dispute ${String(p.dispute)} is not this case's dispute ${d.id}`);
  if (action === "record_outcome") return;
  if (!ANSWERABLE.has(d.status)) return void f.never.push(`dispute ${d.id} is ${d.status}: it takes no answer now`);
  checkEvidenceFacts(action, p, ctx, config, f, approved);
  const due = d.evidence_details?.due_by ?? null;
  if (d.evidence_details?.past_due || (due != null && due <= ctx.now)) f.never.push(`evidence for ${d.id} was due on ${timeText(due)}`);
  if (action === "submit_evidence") f.approval.push("submitting dispute evidence is final: a person submits it");
  if (action === "accept_dispute") f.approval.push("accepting a dispute gives the money up: a person decides");
}

/**
 * Staged evidence states only what billops read (DESIGN.md; docs/policies.md "Disputes"): every field must be the
 * sourced text billops assembles from Stripe and the operator's policy, unless a person wrote it in an approval.
 * Sources and economics are recomputed here, whoever proposed them: they are shown to a person, never trusted.
 */
function checkEvidenceFacts(action: Action, p: Record<string, unknown>, ctx: DisputeContext, config: PolicyConfig, f: Findings, approved: boolean): void {
  const d = ctx.dispute!;
  const staged = assembleEvidence(ctx, config);
  if (action !== "stage_evidence" && action !== "submit_evidence") {
    p.economics = disputeEconomics(d, staged, config);
    return;
  }
  const ev = (p.evidence ?? {}) as Evidence;
  const given = (p.sources ?? {}) as Record<string, string[]>;
  const sources: Record<string, string[]> = {};
  const unread: string[] = [];
  for (const [field, value] of Object.entries(ev)) {
    if (field === "enhanced_evidence") continue;
    if (value === (staged.evidence as Record<string, unknown>)[field]) sources[field] = staged.sources[field]!;
    else if (approved) sources[field] = given[field]?.length ? given[field]! : ["person:approval"];
    else unread.push(field);
  }
  if (unread.length) f.never.push(`evidence ${unread.join(", ")} is not the text billops read from Stripe or the operator's policy`);
  const ce3 = ev.enhanced_evidence?.visa_compelling_evidence_3;
  if (ce3) {
    const own = staged.evidence.enhanced_evidence?.visa_compelling_evidence_3;
    if (isDeepStrictEqual(ce3, own)) sources["enhanced_evidence.visa_compelling_evidence_3"] = staged.sources["enhanced_evidence.visa_compelling_evidence_3"]!;
    else if (!approved) f.never.push(`Visa CE 3.0 evidence is not what billops found (${staged.ce3.why})`);
    else {
      // A person may reword it, but only cite this card's own undisputed payments in Visa's window.
      const foreign = ce3.prior_undisputed_transactions.map((t) => t.charge).filter((id) => !staged.ce3.candidates.includes(id));
      if (!staged.ce3.applies) f.never.push(`Visa CE 3.0 does not apply to ${d.id}: ${staged.ce3.why}`);
      else if (foreign.length) f.never.push(`${foreign.join(", ")} ${foreign.length === 1 ? "is not an" : "are not"} undisputed payment${foreign.length === 1 ? "" : "s"} on this card 120–365 days before ${ctx.charge?.id}`);
      sources["enhanced_evidence.visa_compelling_evidence_3"] = given["enhanced_evidence.visa_compelling_evidence_3"]?.length ? given["enhanced_evidence.visa_compelling_evidence_3"]! : ["person:approval"];
    }
  }
  p.sources = sources;
  p.economics = disputeEconomics(d, { evidence: ev, sources, ce3: ce3 ? staged.ce3 : { ...staged.ce3, qualified: false } }, config);
}

const ENDED = new Set(["canceled", "incomplete_expired"]);

function checkSubscription(action: Action, p: Record<string, unknown>, ctx: SubscriptionContext, config: PolicyConfig, f: Findings): void {
  if (action === "no_change") return;
  const sub = ctx.subscription;
  if (!sub) return void f.never.push("the case's subscription could not be read");
  if (p.subscription !== sub.id) return void f.never.push(`subscription ${String(p.subscription)} is not this case's subscription ${sub.id}`);
  if (ENDED.has(sub.status)) return void f.never.push(`subscription ${sub.id} is ${sub.status}`);

  if (action === "upgrade" || action === "downgrade") {
    const item = ctx.items.find((i) => i.id === p.item);
    if (!item) return void f.never.push(`item ${String(p.item)} is not an item of ${sub.id}`);
    const target = planCatalog(ctx, config).find((c) => c.price === p.price);
    if (!target) return void f.never.push(`price ${String(p.price)} is not in the plan catalog`);
    if (target.price === item.price) f.never.push(`${sub.id} is already on ${target.price}`);
    if (target.currency !== sub.currency) f.never.push(`price ${target.price} is in ${target.currency}, the subscription in ${sub.currency}`);
    const cheaper = target.monthlyAmount != null && item.monthlyAmount != null && target.monthlyAmount < item.monthlyAmount;
    const dearer = target.monthlyAmount != null && item.monthlyAmount != null && target.monthlyAmount > item.monthlyAmount;
    if (action === "upgrade" && cheaper) f.approval.push("an 'upgrade' to a cheaper price credits the customer now; downgrades wait for period end");
    if (action === "downgrade") {
      // A downgrade changes the price at period end through a schedule; any other date changes what the customer already paid for.
      if (p.effective_at !== item.currentPeriodEnd) f.never.push(`downgrade must take effect at the period end ${timeText(item.currentPeriodEnd)}, not ${timeText(p.effective_at)}`);
      if (dearer) f.approval.push("a 'downgrade' to a dearer price");
    }
    if (ctx.schedule && ctx.schedule.status !== "released" && ctx.schedule.status !== "canceled" && ctx.schedule.status !== "completed") {
      f.approval.push(`a schedule (${ctx.schedule.id}) already manages ${sub.id}`);
    }
  }
  if (action === "cancel_immediately") f.approval.push("immediate cancellation ends paid-for service now: a person decides");
  if (action === "pause_collection") {
    f.approval.push("pausing collection stops revenue: a person decides");
    if (typeof p.resumes_at === "number" && p.resumes_at <= ctx.now) f.never.push(`resumes_at ${timeText(p.resumes_at)} is in the past`);
  }
  checkSubscriptionState(action, p, ctx, f);
}

const DELINQUENT = new Set(["past_due", "unpaid", "incomplete"]);

/** What the subscription's state (status, failing invoices, pending update) allows, whoever proposed the change. */
function checkSubscriptionState(action: Action, p: Record<string, unknown>, ctx: SubscriptionContext, f: Findings): void {
  const sub = ctx.subscription!;
  const failing = (ctx.openInvoices ?? []).filter((i) => i.status === "open" && (i.attempt_count ?? 0) > 0 && (i.amount_remaining ?? 0) > 0);
  const unpaid = DELINQUENT.has(sub.status) || failing.length > 0;
  if ((action === "upgrade" || action === "downgrade") && unpaid) f.approval.push(`${sub.id} is ${sub.status}${failing.length ? ` with failing invoice ${failing[0]!.id}` : ""}: a plan change goes to a person`);
  if ((action === "upgrade" || action === "downgrade") && sub.pending_update) f.approval.push(`${sub.id} has a pending update waiting for payment`);
  if (action === "cancel_at_period_end" && unpaid) f.approval.push(`${sub.id} is ${sub.status}: cancelling at period end keeps Stripe retrying ${failing[0]?.id ?? "its open invoice"}`);
  if (action === "pause_collection" && typeof p.resumes_at === "number" && p.resumes_at > ctx.now + 366 * DAY) f.never.push(`a pause until ${p.resumes_at} is longer than a year`);
  if (action === "cancel_immediately" && typeof p.open_invoice === "string") {
    const inv = (ctx.openInvoices ?? []).find((i) => i.id === p.open_invoice);
    if (!inv) f.never.push(`invoice ${p.open_invoice} is not an open invoice of ${sub.id}`);
    else f.approval.push(`${p.open_invoice_action === "void" ? "voiding" : "writing off"} invoice ${inv.id} gives up what it is owed`);
  }
}

// ---- Support requests: act alone only on what was understood for certain (DESIGN.md "Understanding") ----

/** What each ask may lead to without a person; anything else on a request waits for one. */
const FITS: Partial<Record<UnderstoodIntentName, readonly Action[]>> = {
  cancel: ["cancel_at_period_end", "cancel_immediately"],
  pause: ["pause_collection"],
  upgrade: ["upgrade", "downgrade"],
  downgrade: ["upgrade", "downgrade"],
  change_plan: ["upgrade", "downgrade"],
  refund: ["refund_full", "refund_partial"],
  duplicate: ["refund_full", "refund_partial"],
  retry_payment: ["retry_immediately", "notify_customer"],
  payment_help: ["notify_customer"],
};

/**
 * A side-effecting action triggered by a support request needs a person unless the supervisor's own understanding of
 * the message is certain, has exactly one ask, and the action is what that ask leads to (and, for a plan change, to
 * the plan the customer named). The decider's confidence plays no part: a model cannot talk this check away.
 */
function checkRequest(action: Action, p: Record<string, unknown>, ctx: unknown, config: PolicyConfig, f: Findings, approved: boolean): void {
  const t = (ctx as { trigger?: Trigger } | null)?.trigger;
  if (!t || t.kind !== "request" || action === "escalate_to_support") return;
  const u = t.understanding;
  // A person who chose "nothing to do" has read it.
  if (PASSIVE_ACTIONS.has(action) && approved) return;
  if (PASSIVE_ACTIONS.has(action)) {
    // "Nothing to do" on a message not understood for certain, or on one ask of several, would close the request
    // without anyone reading it: a person sees it instead.
    const asks = u ? u.intents.filter((i) => !i.negated) : [];
    if (asks.length > 1) f.never.push(`the message has ${asks.length} asks; ${action} would answer one and drop the rest (${describeUnderstanding(u!).join("; ")})`);
    else if (u && !u.certain) f.never.push(`the request is not understood for certain (${u.ambiguities.join("; ")}); ${action} would close it unread`);
    return;
  }
  if (!u) return void f.approval.push("the request was not read by the understanding rules");
  const understood = describeUnderstanding(u).join("; ");
  if (!u.certain) return void f.approval.push(`the request is not understood for certain (${u.ambiguities.join("; ") || "ambiguous"}); understood: ${understood}`);
  const asks = u.intents.filter((i) => !i.negated && !i.question);
  if (asks.length !== 1) return void f.approval.push(`the message asks for ${asks.length} things (${understood})`);
  const ask = asks[0]!;
  if (!(FITS[ask.intent] ?? []).includes(action)) return void f.approval.push(`${action} is not what the customer asked (${understood})`);
  // The customer named an object: an action on another one is not what was asked.
  if (ask.target.subscription && typeof p.subscription === "string" && p.subscription !== ask.target.subscription) f.approval.push(`the customer named ${ask.target.subscription}, the action is on ${p.subscription}`);
  // (A duplicate's refund goes to the named charge's twin: the refund checks hold that one.)
  if (ask.intent === "refund" && ask.target.charge && typeof p.charge === "string" && p.charge !== ask.target.charge) f.approval.push(`the customer named ${ask.target.charge}, the action is on ${p.charge}`);
  if ((action === "upgrade" || action === "downgrade") && ctx && "catalog" in (ctx as object)) {
    const sub = ctx as SubscriptionContext;
    const named = ask.target.plan ? matchPlan(ask.target.plan, planCatalog(sub, config), config, { interval: null, currency: sub.subscription?.currency ?? null }).candidates : [];
    if (!named.some((c) => c.price === p.price)) f.approval.push(`price ${String(p.price)} is not the plan the customer named (${ask.target.plan ?? "none"})`);
  }
  const asked = ask.target.amount;
  const currency = (ctx as { charge?: { currency?: string } | null }).charge?.currency;
  if ((action === "refund_full" || action === "refund_partial") && asked && currency) {
    // The customer named an amount: more than that is not what was asked (a different currency is not comparable).
    const limit = !asked.currency || asked.currency === currency.toLowerCase() ? toMinor(asked.value, currency) : null;
    if (limit == null) f.approval.push(`the customer named ${asked.text}, not comparable with a ${currency.toUpperCase()} charge`);
    else if (typeof p.amount === "number" && p.amount > limit) f.approval.push(`amount ${p.amount} is more than the ${asked.text} the customer asked for`);
  }
}
