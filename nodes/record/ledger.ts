// A settled decision as a row of the `settled_decisions` ledger: the Stripe object it was about and its money, read off
// the specialist's context (any domain's shape), plus who approved it and what it did.
import type { Domain } from "../../domain/actions.js";
import type { CaseStateType, EventRecord, SettledDecision } from "../../domain/case-state.js";
import type { SettledDecisionRow } from "../../store/settled-decisions.js";

export interface DecisionSubject {
  /** The Stripe object the decision is about: invoice, charge, dispute or subscription id. */
  object: string | null;
  customer: string | null;
  /** Stripe minor units of `currency`. */
  amount: number | null;
  currency: string | null;
  /** Decline category (dunning), dispute reason, refund reason. */
  category: string | null;
  /** The object's Stripe status when decided (a dispute's won/lost, a paid invoice). */
  status: string | null;
}

type Obj = Record<string, any>;
const obj = (v: unknown): Obj | null => (v && typeof v === "object" ? (v as Obj) : null);
const idOf = (v: unknown): string | null => (typeof v === "string" ? v : typeof obj(v)?.id === "string" ? obj(v)!.id : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);
// The ledger row goes out with the case's commit: a value its column refuses (a model's 12.5 where minor units belong)
// would fail the commit and block the case, so only whole numbers reach integer columns.
const whole = (v: unknown): number | null => (Number.isSafeInteger(v) ? (v as number) : null);
// PostgreSQL text and jsonb refuse the NUL character, which a model's rationale may echo from a customer's message.
const clean = (v: string): string => v.replace(/\u0000/g, "");
const cleanOrNull = (v: string | null): string | null => (v === null ? null : clean(v));

const NONE: DecisionSubject = { object: null, customer: null, amount: null, currency: null, category: null, status: null };

/** What a decision of `domain` was about, from the context its specialist gathered. Missing facts stay null. */
export function subjectOf(domain: Domain, context: unknown, params: Record<string, unknown> = {}): DecisionSubject {
  const ctx = obj(context);
  if (!ctx) return NONE;
  const customerId = idOf(ctx.customer);
  switch (domain) {
    case "dunning": {
      const inv = obj(ctx.invoice);
      if (!inv) return { ...NONE, object: str(ctx.invoiceId), customer: customerId };
      // A paid invoice counts what was paid; an open one what is still owed.
      const amount = inv.status === "paid" ? (num(inv.amount_paid) ?? num(inv.amount_due)) : (num(inv.amount_remaining) ?? num(inv.amount_due));
      return { object: str(inv.id), customer: idOf(inv.customer) ?? customerId, amount, currency: str(inv.currency), category: str(obj(ctx.decline)?.category), status: str(inv.status) };
    }
    case "dispute": {
      const d = obj(ctx.dispute);
      if (!d) return { ...NONE, object: str(ctx.disputeId), customer: customerId };
      return { object: str(d.id), customer: idOf(obj(ctx.charge)?.customer) ?? customerId, amount: num(d.amount), currency: str(d.currency), category: str(d.reason), status: str(d.status) };
    }
    case "refund": {
      const ch = obj(ctx.charge);
      if (!ch) return { ...NONE, customer: customerId };
      const refundable = num(ctx.refundable) ?? (num(ch.amount) !== null ? num(ch.amount)! - (num(ch.amount_refunded) ?? 0) : null);
      const category = str(params.reason) ?? (ctx.earlyFraudWarning ? "early_fraud_warning" : null);
      return { object: str(ch.id), customer: idOf(ch.customer) ?? customerId, amount: num(params.amount) ?? refundable, currency: str(ch.currency), category, status: str(ch.status) };
    }
    case "subscription": {
      const sub = obj(ctx.subscription);
      if (!sub) return { ...NONE, customer: customerId };
      const price = obj(obj(sub.items)?.data?.[0]?.price);
      return { object: str(sub.id), customer: idOf(sub.customer) ?? customerId, amount: num(price?.unit_amount), currency: str(price?.currency) ?? str(sub.currency), category: null, status: str(sub.status) };
    }
  }
  return NONE;
}

/**
 * Ledger rows for decisions settled in one run. `context` is the context those decisions were made on (a run settles the
 * decisions of one context: a superseded question is settled in a run of its own); the amount is the decision's own
 * `amount` when it has one (a refund, possibly edited by a person), else the object's.
 */
export function ledgerRows(
  caseKey: string,
  settled: SettledDecision[],
  state: { context: unknown; events?: EventRecord[] | null },
  o: { customer: string | null; settledAt: number },
): SettledDecisionRow[] {
  const events = new Map((state.events ?? []).map((e) => [e.id, e]));
  return settled.map(({ decision: d, guard, approval, outcome }) => {
    const s = subjectOf(d.domain, state.context, d.params);
    const trigger = events.get(d.eventId);
    return {
      decisionId: d.id,
      caseKey,
      domain: d.domain,
      action: d.action,
      source: d.source,
      confidence: num(d.confidence),
      rationale: clean(typeof d.rationale === "string" ? d.rationale : String(d.rationale ?? "")),
      triggerEvent: d.eventId,
      triggerType: trigger?.type ?? null,
      triggerSource: trigger?.source ?? null,
      echo: trigger?.echo ?? false,
      customer: s.customer ?? o.customer,
      subject: s.object,
      subjectStatus: s.status,
      amount: whole(d.params.amount) ?? whole(s.amount),
      currency: s.currency,
      category: cleanOrNull(s.category),
      approval: approval && approval.status !== "pending" ? approval.status : "none",
      approvalId: approval?.id ?? null,
      approver: approval?.approver ?? null,
      guardVerdict: guard.verdict,
      guardReasons: guard.reasons.map((r) => clean(String(r))),
      outcome: outcome.status,
      stripe: outcome.stripe.map(({ action, method, object, ok, requestId, error }) => ({ action, method, object, ok, requestId, ...(error ? { error: { ...error, message: clean(error.message) } } : {}) })),
      notifications: outcome.notifications,
      scheduled: outcome.scheduled,
      llmCalls: whole(d.llm?.calls) ?? 0,
      llmTokens: whole(d.llm?.tokens) ?? 0,
      fallbackReason: cleanOrNull(d.fallbackReason ?? null),
      decidedAt: d.at,
      settledAt: o.settledAt,
    };
  });
}

/** The decisions of `after` that `before` did not have: the ones a run settled. */
export function newlySettled(before: Pick<CaseStateType, "decisions"> | null | undefined, after: Pick<CaseStateType, "decisions">): SettledDecision[] {
  const known = new Set((before?.decisions ?? []).map((d) => d.decision.id));
  return (after.decisions ?? []).filter((d) => !known.has(d.decision.id));
}
