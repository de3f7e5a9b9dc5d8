// The guard node: runs the pure guard on the proposal, applies the echo rule, and prepares an approval when needed.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { GraphDeps } from "../deps.js";
import type { AuditLine, CaseStateType, CaseStateUpdate, Outcome } from "../../domain/case-state.js";
import { approvalId, approvalRequest } from "../approval/request.js";
import { settle } from "../record/settle.js";
import { guardDecision } from "./review.js";

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
  // A settled decision may leave a follow-up that waits for a person (after an early fraud warning: stop the card's charges).
  if (state.guard?.verdict === "needs_approval" || (state.followUp && state.approval?.status === "pending")) return "await_approval";
  return NOTHING_TO_DO.has(state.decision?.action ?? "") ? "__end__" : "act";
}
