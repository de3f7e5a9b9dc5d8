// The case thread's channels: how LangGraph stores and merges the state of domain/case-state.ts after every node
// (DESIGN.md "Graph"). The shape lives in the domain so nodes, the engine and the server read it without this layer.
import { Annotation } from "@langchain/langgraph";
import type { Route } from "../domain/actions.js";
import type {
  ApprovalRecord, AuditLine, CaseStateType as CaseShape, CaseStateUpdate as CaseShapeUpdate, DecisionRecord, EventRecord, FollowUp,
  GuardRecord, Outcome, SettledDecision, Trigger,
} from "../domain/case-state.js";

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
   * The current run's audit lines. The case service copies them to audit_log (idempotently, by line id) after each run, so
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

// The channels and the domain's shape must not drift apart: these fail to compile when they do.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateMatches: Same<CaseStateType, CaseShape> = true;
const updateFits = (u: CaseShapeUpdate): CaseStateUpdate => u;
void stateMatches;
void updateFits;
