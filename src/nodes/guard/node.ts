// The guard node: runs the pure guard on the proposal, applies the echo rule, and prepares an approval when needed.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { HumanInterrupt } from "@langchain/langgraph/prebuilt";
import { createHash } from "node:crypto";
import type { Action, Domain } from "../../domain/actions.js";
import type { GraphDeps } from "../../graph/deps.js";
import type { ApprovalRecord, AuditLine, CaseStateType, CaseStateUpdate, DecisionRecord, GuardRecord, Outcome } from "../../graph/state.js";
import { settle } from "../record/settle.js";
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
  "stage_evidence", "submit_evidence", "accept_dispute", "refund_full", "refund_partial",
]);

export function approvalId(caseKey: string, decisionId: string, action: string): string {
  return `apr_${createHash("sha256").update(`${caseKey}\n${decisionId}\n${action}`).digest("hex").slice(0, 24)}`;
}

export function approvalRequest(decision: Pick<DecisionRecord, "action" | "params" | "rationale" | "domain">, reasons: string[], caseKey: string): HumanInterrupt {
  return {
    action_request: { action: decision.action, args: decision.params },
    config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true },
    description: [
      `**${caseKey}** — ${decision.domain}: proposed \`${decision.action}\`.`,
      "",
      `Why: ${decision.rationale}`,
      reasons.length ? `Needs a person because: ${reasons.join("; ")}` : "",
      "Accept to run it, edit the arguments, respond to reject with a reason, or ignore to do nothing.",
    ]
      .filter(Boolean)
      .join("\n"),
  };
}

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

/** Decisions that change nothing anywhere skip act: no Stripe write, no message, no job — nothing to do there. */
const NOTHING_TO_DO = new Set<string>(["no_action", "no_change", "record_outcome", "deny_refund"]);

export async function guardNode(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
  const deps = config.context as GraphDeps;
  const now = deps.clock.now();
  const { decision, guard: verdict } = guardDecision(deps, state, state.decision!, false);
  const log: AuditLine[] = [
    { id: `${decision.id}:guard`, kind: "guard", at: now, data: { decision_id: decision.id, verdict: verdict.verdict, reasons: verdict.reasons, action: decision.action, ...(verdict.original ? { original: verdict.original } : {}) } },
  ];
  // Every key returned is a channel write LangGraph stores: an unchanged decision is not returned.
  const update: CaseStateUpdate = { guard: verdict, log, ...(verdict.original ? { decision } : {}) };
  if (verdict.verdict === "needs_approval") {
    update.approval = { id: approvalId(state.caseKey, decision.id, decision.action), request: approvalRequest(decision, verdict.reasons, state.caseKey), status: "pending" };
  } else if (NOTHING_TO_DO.has(decision.action)) {
    // Nothing to execute: the decision is settled here, without an act step.
    const outcome: Outcome = { status: "recorded", stripe: [], notifications: [], scheduled: [] };
    Object.assign(update, { outcome }, settle(deps, { ...state, decision, guard: verdict, approval: null, outcome }));
  }
  return update;
}

export function afterGuard(state: CaseStateType): string {
  if (state.guard?.verdict === "needs_approval") return "await_approval";
  return NOTHING_TO_DO.has(state.decision?.action ?? "") ? "__end__" : "act";
}
