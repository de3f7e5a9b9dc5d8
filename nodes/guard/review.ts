// Reviewing one decision: the pure guard plus the echo rule, as the guard node, the approval node (edited answers),
// settling (follow-ups) and the case service (answers checked before they resume a thread) all apply it.
import type { Action, Domain } from "../../domain/actions.js";
import type { CaseStateType, DecisionRecord, GuardRecord } from "../../domain/case-state.js";
import type { GraphDeps } from "../deps.js";
import { guard } from "./guard.js";

/** The passive action of each domain: what an echo or a refused proposal becomes. */
const PASSIVE: Record<Domain, Action> = {
  dunning: "no_action",
  subscription: "no_change",
  dispute: "record_outcome",
  refund: "deny_refund",
};
/**
 * Actions that write to Stripe as soon as act runs. An echo of billops' own write may not cause one (DESIGN.md: the
 * agent must not answer its own echoes with writes); it may still tell the customer or schedule later work, which
 * runs as its own trigger under the same caps — so a declined retry of ours can still lead to a message.
 */
const STRIPE_WRITING = new Set<string>([
  "retry_immediately", "upgrade", "downgrade", "cancel_at_period_end", "cancel_immediately", "pause_collection",
  "stage_evidence", "submit_evidence", "accept_dispute", "refund_full", "refund_partial", "stop_future_charges",
]);

/** Runs the guard over a decision; shared by this node and by the approval node for edited answers. */
export function guardDecision(
  deps: GraphDeps,
  state: CaseStateType,
  decision: DecisionRecord,
  approved: boolean,
): { decision: DecisionRecord; guard: GuardRecord } {
  const g = guard({ domain: decision.domain, decision, context: state.context, config: deps.config, approved } as any) as {
    verdict: GuardRecord["verdict"];
    decision: { action: Action; params: Record<string, unknown>; rationale?: string };
    reasons: string[];
  };
  let next: DecisionRecord = { ...decision, action: g.decision.action, params: g.decision.params, rationale: g.decision.rationale ?? decision.rationale };
  let verdict = g.verdict;
  const reasons = [...g.reasons];
  // billops' own writes come back as events: they update the case but never cause a Stripe write (DESIGN.md).
  if (state.trigger?.echo && STRIPE_WRITING.has(next.action)) {
    reasons.push(`event ${state.trigger.eventId} was caused by billops' own request: recorded, no write`);
    next = { ...next, action: PASSIVE[decision.domain], params: { reason: "echo of billops' own write" } };
    verdict = "downgraded";
  }
  const changed = next.action !== decision.action || JSON.stringify(next.params) !== JSON.stringify(decision.params);
  return {
    decision: next,
    guard: { verdict, reasons, ...(changed ? { original: { action: decision.action, params: decision.params } } : {}) },
  };
}
