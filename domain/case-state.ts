// The shape of a case thread's state: the records every layer reads (nodes write them, the engine and server show
// them, evals and replay re-read them). graph/state.ts turns this shape into LangGraph channels; nothing here knows
// LangGraph beyond the Agent Inbox types of an approval.
import type { HumanInterrupt, HumanResponse } from "@langchain/langgraph/prebuilt";
import type { Action, DecisionSource, Domain, Route } from "./actions.js";

/** The input of one run: a Stripe event, a support request, or due scheduled work. */
export interface Trigger {
  eventId: string;
  type: string;
  source: "stripe" | "request" | "schedule";
  /** Caused by billops' own Stripe write: may update the case, never causes a write (DESIGN.md "Case = thread"). */
  echo: boolean;
  created: number;
  /** The ids of a Stripe event's `data.object` (engine/case-service.ts eventObjectReference), the request body, or the job payload. */
  object: Record<string, any>;
}

export interface EventRecord {
  id: string;
  type: string;
  source: Trigger["source"];
  echo: boolean;
  created: number;
}

export interface DecisionRecord {
  id: string;
  domain: Domain;
  action: Action;
  params: Record<string, unknown>;
  rationale: string;
  source: DecisionSource;
  confidence: number;
  eventId: string;
  at: number;
  ambiguous?: string;
  fallbackReason?: string;
  llm?: { calls: number; tokens: number };
}

export interface GuardRecord {
  verdict: "ok" | "needs_approval" | "downgraded";
  reasons: string[];
  /** What the decider proposed before the guard changed it, when it did. */
  original?: { action: string; params: Record<string, unknown> };
}

export interface ApprovalRecord {
  id: string;
  request: HumanInterrupt;
  status: "pending" | "accepted" | "edited" | "rejected" | "ignored" | "superseded";
  response?: HumanResponse;
  approver?: string | null;
  supersededBy?: string;
}

export interface StripeEffect {
  action: string;
  method: string;
  object: string | null;
  ok: boolean;
  requestId: string | null;
  idempotencyKey: string;
  error?: { code: string | null; declineCode: string | null; message: string };
}

export interface Outcome {
  status: "executed" | "failed" | "recorded" | "rejected" | "ignored" | "superseded" | "escalated";
  stripe: StripeEffect[];
  notifications: string[];
  scheduled: { id: string; kind: string; dueAt: number }[];
  error?: string;
}

/** A decision's full story, appended once it is settled: what replay re-decides and evals report. */
export interface SettledDecision {
  decision: DecisionRecord;
  guard: GuardRecord;
  approval: ApprovalRecord | null;
  outcome: Outcome;
  // No copy of the context here: the checkpoint the decision was made on holds it (replay reads it there), and the
  // history is stored whole at every step, so a copy per decision made long cases grow with the square of their length.
}

export interface AuditLine {
  id: string;
  kind: string;
  at: number;
  actor?: string;
  data: Record<string, unknown>;
  /** Set on the first line of a run: the thread keeps only the current run's lines (see `log` below). */
  run?: true;
}

export interface FollowUp {
  action: Action;
  params: Record<string, unknown>;
  rationale: string;
}

/** The thread's state as nodes read it (graph/state.ts holds the channels and checks they match this shape). */
export interface CaseStateType {
  caseKey: string;
  trigger: Trigger | null;
  events: EventRecord[];
  route: Route | null;
  /** Parameters the supervisor extracted from a support request (target plan, amount, charge). */
  classification: Record<string, unknown> | null;
  context: unknown;
  decision: DecisionRecord | null;
  guard: GuardRecord | null;
  approval: ApprovalRecord | null;
  followUp: FollowUp | null;
  outcome: Outcome | null;
  decisions: SettledDecision[];
  /** The current run's audit lines (see the `log` channel in graph/state.ts). */
  log: AuditLine[];
}

/** What a node returns: the channels it writes (append channels take a list of new items). */
export type CaseStateUpdate = Partial<CaseStateType>;
