// The approval node: interrupt() with an Agent Inbox HumanInterrupt, then apply the person's HumanResponse.
// Nothing with side effects runs here: on resume LangGraph re-runs this node from its first line.
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ActionRequest, HumanResponse } from "@langchain/langgraph/prebuilt";
import { isAction, type Action } from "../../domain/actions.js";
import type { GraphDeps } from "../deps.js";
import type { ApprovalRecord, AuditLine, CaseStateType, CaseStateUpdate, DecisionRecord, Outcome } from "../../domain/case-state.js";
import { guardDecision } from "../guard/review.js";
import { settle } from "../record/settle.js";
import { specialistInput } from "../specialist/node.js";
import { historyOf } from "../../domain/history.js";
import { approvalId, approvalRequest } from "./request.js";

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
    case "accept":
    case "edit": {
      const req = (answer.args ?? {}) as Partial<ActionRequest>;
      const action = answer.type === "edit" && typeof req.action === "string" && isAction(base.domain, req.action) ? (req.action as Action) : base.action;
      const decided: DecisionRecord =
        answer.type === "edit" ? { ...base, action, params: { ...base.params, ...(req.args ?? {}) }, rationale: `${base.rationale} (edited by ${approver ?? "a person"})` } : base;
      const status = answer.type === "edit" ? "edited" : "accepted";
      const answerLine = line(status, answer.type === "edit" ? { edited: { action, args: req.args ?? {} } } : {});
      // The person answered the facts they were shown, maybe days ago: the guard checks the answer against Stripe now.
      const fresh = await freshContext(deps, state);
      const now_ = { ...state, context: fresh };
      const unseen = unseenReasons(deps, state, now_, decided);
      if (unseen.length) {
        // Something needing a person appeared since the question was asked (another refund on the charge, …): the
        // answer does not cover it, so the question is asked again with the facts as they are now.
        const again = guardDecision(deps, now_, decided, false);
        const next = { ...pending, id: approvalId(state.caseKey, pending.id, decided.action), request: approvalRequest(decided, again.guard.reasons, state.caseKey), status: "pending" as const };
        const recheck: AuditLine = { id: `${pending.id}:recheck`, kind: "guard", at: now, data: { decision_id: decided.id, verdict: "needs_approval", reasons: unseen, action: decided.action, answer_time: true, asked_again: next.id } };
        return {
          context: fresh,
          ...(state.followUp ? { followUp: { action: decided.action, params: decided.params, rationale: decided.rationale } } : { decision: decided }),
          approval: next,
          guard: again.guard,
          log: [answerLine, recheck],
        };
      }
      const g = guardDecision(deps, now_, decided, true);
      return { context: fresh, decision: g.decision, guard: g.guard, approval: answered(status), followUp: null, log: [answerLine, guardLine(g, now, true)] };
    }
    case "response":
      return refused(answered("rejected"), closed("rejected", typeof answer.args === "string" ? answer.args : undefined), [line("rejected", { reason: answer.args })]);
    default:
      return refused(answered("ignored"), closed("ignored"), [line("ignored")]);
  }
}

function guardLine(g: ReturnType<typeof guardDecision>, now: number, answerTime = false): AuditLine {
  return { id: `${g.decision.id}:guard:approved`, kind: "guard", at: now, data: { decision_id: g.decision.id, verdict: g.guard.verdict, reasons: g.guard.reasons, action: g.decision.action, approved: true, ...(answerTime ? { answer_time: true } : {}) } };
}

/** The case's facts re-read from Stripe now, as the specialist gathered them (reads only: safe before act). */
async function freshContext(deps: GraphDeps, state: CaseStateType): Promise<unknown> {
  const domain = state.decision!.domain;
  return deps.domains[domain].gather(deps.reads, specialistInput(state), historyOf(state), deps.clock.now());
}

/** What the guard now sends to a person that it did not when the person was asked: the answer does not cover those. */
function unseenReasons(deps: GraphDeps, asked: CaseStateType, now: CaseStateType, decision: DecisionRecord): string[] {
  const before = guardDecision(deps, asked, decision, false).guard;
  const after = guardDecision(deps, now, decision, false).guard;
  if (after.verdict !== "needs_approval") return [];
  // "due in 36 hours" read a minute later is the same reason: only what changed in Stripe asks a person again.
  const same = (r: string) => r.replace(/\b(?:in )?\d+ (?:minute|hour|day)s?(?: ago)?\b/g, "(time)");
  const seen = new Set(before.reasons.map(same));
  return after.reasons.filter((r) => !seen.has(same(r)));
}

export function afterApproval(state: CaseStateType): string {
  const status = state.approval?.status;
  // A question asked again (the facts changed since) or a follow-up after a refusal waits for a person once more.
  if (status === "pending") return "await_approval";
  return status === "accepted" || status === "edited" ? "act" : "__end__";
}
