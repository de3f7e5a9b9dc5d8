// The approval node: interrupt() with an Agent Inbox HumanInterrupt, then apply the person's HumanResponse.
// Nothing with side effects runs here: on resume LangGraph re-runs this node from its first line.
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ActionRequest, HumanResponse } from "@langchain/langgraph/prebuilt";
import { isAction, type Action } from "../../domain/actions.js";
import type { GraphDeps } from "../deps.js";
import type { ApprovalRecord, AuditLine, CaseStateType, CaseStateUpdate, DecisionRecord, Outcome } from "../../domain/case-state.js";
import { guardDecision } from "../guard/review.js";
import { settle } from "../record/settle.js";

/** What billops' own approval API adds to a HumanResponse: who answered, or which event superseded the question. */
export interface ResumeValue extends HumanResponse {
  approver?: string | null;
  superseded_by?: string;
}

const closed = (status: Outcome["status"], error?: string): Outcome => ({ status, stripe: [], notifications: [], scheduled: [], ...(error ? { error } : {}) });

export async function approvalNode(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
  const deps = config.context as GraphDeps;
  const pending = state.approval!;
  const raw = interrupt(pending.request) as ResumeValue | ResumeValue[];
  // Agent Inbox always resumes with an array of one HumanResponse; billops' API does too.
  const answer: ResumeValue = Array.isArray(raw) ? raw[0] : raw;
  const now = deps.clock.now();
  const approver = answer?.approver ?? null;
  const base: DecisionRecord = state.followUp
    ? { ...state.decision!, id: `${state.decision!.id}:${state.followUp.action}`, action: state.followUp.action, params: state.followUp.params, rationale: state.followUp.rationale, at: now }
    : state.decision!;
  const answered = (status: ApprovalRecord["status"], extra: Partial<ApprovalRecord> = {}): ApprovalRecord => ({ ...pending, status, response: answer, approver, ...extra });
  const line = (status: string, data: Record<string, unknown> = {}): AuditLine => ({
    id: `${pending.id}:answer`,
    kind: status === "superseded" ? "approval_superseded" : "approval_answered",
    at: now,
    actor: approver ?? "billops",
    data: { approval_id: pending.id, status, action: base.action, ...data },
  });

  // A person (or a newer event) said no: the decision is settled as it stands, with nothing executed. A refused
  // follow-up (submit staged evidence) leaves the staged decision as it was settled.
  const refused = (approval: ApprovalRecord, outcome: Outcome, log: AuditLine[]): CaseStateUpdate =>
    state.followUp ? { approval, outcome, log } : { approval, outcome, log, ...settle(deps, { ...state, approval, outcome }) };

  if (answer?.superseded_by) {
    return refused(answered("superseded", { supersededBy: answer.superseded_by }), closed("superseded"), [line("superseded", { by: answer.superseded_by })]);
  }
  switch (answer?.type) {
    case "accept": {
      const g = guardDecision(deps, state, base, true);
      return { decision: g.decision, guard: g.guard, approval: answered("accepted"), followUp: null, log: [line("accepted"), guardLine(g, now)] };
    }
    case "edit": {
      const req = (answer.args ?? {}) as Partial<ActionRequest>;
      const action = typeof req.action === "string" && isAction(base.domain, req.action) ? (req.action as Action) : base.action;
      const edited: DecisionRecord = { ...base, action, params: { ...base.params, ...(req.args ?? {}) }, rationale: `${base.rationale} (edited by ${approver ?? "a person"})` };
      const g = guardDecision(deps, state, edited, true);
      return { decision: g.decision, guard: g.guard, approval: answered("edited"), followUp: null, log: [line("edited", { edited: { action, args: req.args ?? {} } }), guardLine(g, now)] };
    }
    case "response":
      return refused(answered("rejected"), closed("rejected", typeof answer.args === "string" ? answer.args : undefined), [line("rejected", { reason: answer.args })]);
    default:
      return refused(answered("ignored"), closed("ignored"), [line("ignored")]);
  }
}

function guardLine(g: ReturnType<typeof guardDecision>, now: number): AuditLine {
  return { id: `${g.decision.id}:guard:approved`, kind: "guard", at: now, data: { decision_id: g.decision.id, verdict: g.guard.verdict, reasons: g.guard.reasons, action: g.decision.action, approved: true } };
}

export function afterApproval(state: CaseStateType): string {
  const status = state.approval?.status;
  return status === "accepted" || status === "edited" ? "act" : "__end__";
}
