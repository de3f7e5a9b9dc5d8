// The case thread's state: what LangGraph checkpoints after every node (DESIGN.md "Graph").
import { Annotation } from "@langchain/langgraph";
import type { HumanInterrupt, HumanResponse } from "@langchain/langgraph/prebuilt";
import type { Action, DecisionSource, Domain, Route } from "../domain/actions.js";

/** The input of one run: a Stripe event, a support request, or due scheduled work. */
export interface Trigger {
  eventId: string;
  type: string;
  source: "stripe" | "request" | "schedule";
  /** Caused by billops' own Stripe write: may update the case, never causes a write (DESIGN.md "Case = thread"). */
  echo: boolean;
  created: number;
  /** The ids of a Stripe event's `data.object` (runner.ts eventObjectReference), the request body, or the job payload. */
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

const last = <T>(fallback: T) => Annotation<T>({ reducer: (_a: T, b: T) => b, default: () => fallback });
const append = <T>() => Annotation<T[]>({ reducer: (a: T[], b: T[] | T) => a.concat(b), default: () => [] });

export const CaseState = Annotation.Root({
  caseKey: last<string>(""),
  trigger: last<Trigger | null>(null),
  events: append<EventRecord>(),
  route: last<Route | null>(null),
  /** Parameters the supervisor extracted from a support request (target plan, amount, charge). */
  classification: last<Record<string, unknown> | null>(null),
  context: last<unknown>(null),
  decision: last<DecisionRecord | null>(null),
  guard: last<GuardRecord | null>(null),
  approval: last<ApprovalRecord | null>(null),
  followUp: last<FollowUp | null>(null),
  outcome: last<Outcome | null>(null),
  decisions: append<SettledDecision>(),
  /**
   * The current run's audit lines. The runner copies them to audit_log (idempotently, by line id) after each run, so
   * the thread does not carry the case's whole history — which LangGraph would store again at every step that adds a
   * line. A run's first line (`run: true`) starts the list afresh.
   */
  log: Annotation<AuditLine[]>({
    reducer: (a: AuditLine[], b: AuditLine[] | AuditLine) => {
      const next = ([] as AuditLine[]).concat(b);
      return next[0]?.run ? next : a.concat(next);
    },
    default: () => [],
  }),
});

export type CaseStateType = typeof CaseState.State;
export type CaseStateUpdate = typeof CaseState.Update;
