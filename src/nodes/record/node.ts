// The record node: settles a decision into the thread's history and proposes the follow-up that needs a person.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { GraphDeps } from "../../graph/deps.js";
import type { ApprovalRecord, CaseStateType, CaseStateUpdate, FollowUp, SettledDecision } from "../../graph/state.js";
import { approvalId, approvalRequest, guardDecision } from "../guard/node.js";

export async function recordNode(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
  const deps = config.context as GraphDeps;
  const decision = state.decision!;
  const settled: SettledDecision = {
    decision,
    guard: state.guard ?? { verdict: "ok", reasons: [] },
    approval: state.approval,
    outcome: state.outcome ?? { status: "recorded", stripe: [], notifications: [], scheduled: [] },
    context: state.context,
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
  return { decisions: [settled], followUp, approval };
}

export function afterRecord(state: CaseStateType): string {
  return state.followUp && state.approval?.status === "pending" ? "await_approval" : "__end__";
}
