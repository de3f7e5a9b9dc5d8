// Settling a decision: appends it, with its guard verdict, approval and outcome, to the
// thread's history — and proposes the follow-up that needs a person (staged evidence → submit). Called at the end of
// the node that finishes a decision (apply_guard for decisions with nothing to do, act, await_approval when a person
// says no), so settling costs no step and no checkpoint of its own.
import type { GraphDeps } from "../deps.js";
import type { ApprovalRecord, CaseStateType, CaseStateUpdate, FollowUp, SettledDecision } from "../../domain/case-state.js";
import { approvalId, approvalRequest } from "../approval/request.js";
import { guardDecision } from "../guard/review.js";
import type { RefundContext } from "../refund/context.js";
import { stopChargesFollowUp } from "../refund/stop-charges.js";
import type { DisputeContext } from "../dispute/context.js";
import { formatDateTime } from "../../domain/dates.js";

/** The submit question as a person reads it: the deadline that is also the question's, and what each answer costs. */
function submitRationale(params: Record<string, unknown>, ctx: DisputeContext | null): string {
  const due = ctx?.dispute?.evidence_details?.due_by;
  const economics = (params.economics as { summary?: string } | undefined)?.summary;
  return [
    "Evidence is staged on the dispute; submitting it is final and needs a person.",
    typeof due === "number" ? `Stripe takes evidence until ${formatDateTime(due)}: this question expires then.` : "",
    economics ?? "",
    "To give the money up instead, edit the action to accept_dispute.",
  ]
    .filter(Boolean)
    .join(" ");
}

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
  const next: FollowUp | null =
    decision.action === "stage_evidence" && settled.outcome.status === "executed"
      ? { action: "submit_evidence", params: decision.params, rationale: submitRationale(decision.params, state.context as DisputeContext | null) }
      : // An early fraud warning handled: the card's next renewal would charge it again; stopping that is a person's call.
        decision.domain === "refund"
        ? stopChargesFollowUp(state.context as RefundContext | null, settled.outcome, decision.action)
        : null;
  if (next && !state.trigger?.echo) {
    const proposal = { ...decision, id: `${decision.id}:${next.action}`, action: next.action, params: next.params, rationale: next.rationale };
    const g = guardDecision(deps, state, proposal, false);
    if (g.guard.verdict === "needs_approval") {
      followUp = next;
      approval = { id: approvalId(state.caseKey, proposal.id, next.action), request: approvalRequest(proposal, g.guard.reasons, state.caseKey), status: "pending" };
    }
  }
  // Unchanged channels are not written again (each write is stored with the checkpoint).
  return { decisions: [settled], ...(followUp !== state.followUp ? { followUp } : {}), ...(approval !== state.approval ? { approval } : {}) };
}

/** After act: a proposed follow-up waits for a person; otherwise the run is over. */
export function afterAct(state: CaseStateType): string {
  return state.followUp && state.approval?.status === "pending" ? "await_approval" : "__end__";
}
