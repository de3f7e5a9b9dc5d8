// Settling a decision: appends it, with its guard verdict, approval and outcome, to the
// thread's history — and proposes the follow-up that needs a person (staged evidence → submit). Called at the end of
// the node that finishes a decision (apply_guard for decisions with nothing to do, act, await_approval when a person
// says no), so settling costs no step and no checkpoint of its own.
import type { GraphDeps } from "../deps.js";
import type { ApprovalRecord, CaseStateType, CaseStateUpdate, FollowUp, SettledDecision } from "../../domain/case-state.js";
import { approvalId, approvalRequest } from "../approval/request.js";
import { guardDecision } from "../guard/review.js";

export function settle(deps: GraphDeps, state: CaseStateType): Pick<CaseStateUpdate, "decisions" | "followUp" | "approval"> {
  const decision = state.decision!;
  const settled: SettledDecision = {
    decision,
    guard: state.guard ?? { verdict: "ok", reasons: [] },
    approval: state.approval,
    outcome: state.outcome ?? { status: "recorded", stripe: [], notifications: [], scheduled: [] },
  };
  let followUp: FollowUp | null = null;
  let approval: ApprovalRecord | null = state.approval;
  // Evidence is staged automatically; submitting it is a person's call (DESIGN.md "Guardrails").
  if (decision.action === "stage_evidence" && settled.outcome.status === "executed" && !state.trigger?.echo) {
    const proposal = { ...decision, id: `${decision.id}:submit_evidence`, action: "submit_evidence" as const, rationale: "Evidence is staged on the dispute; submitting it is final and needs a person." };
    const g = guardDecision(deps, state, proposal, false);
    if (g.guard.verdict === "needs_approval") {
      followUp = { action: "submit_evidence", params: decision.params, rationale: proposal.rationale };
      approval = { id: approvalId(state.caseKey, proposal.id, "submit_evidence"), request: approvalRequest(proposal, g.guard.reasons, state.caseKey), status: "pending" };
    }
  }
  // Unchanged channels are not written again (each write is stored with the checkpoint).
  return { decisions: [settled], ...(followUp !== state.followUp ? { followUp } : {}), ...(approval !== state.approval ? { approval } : {}) };
}

/** After act: a proposed follow-up waits for a person; otherwise the run is over. */
export function afterAct(state: CaseStateType): string {
  return state.followUp && state.approval?.status === "pending" ? "await_approval" : "__end__";
}
