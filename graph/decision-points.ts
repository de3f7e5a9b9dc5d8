// Which checkpoints of a case thread record a decision: the one a specialist started from (the state the decision
// was made in), its child holding the proposal, and that one's child holding the guard's verdict. Replay re-decides
// from the first and compares with the other two; retention keeps exactly these, and the latest, when it prunes.
import type { StateSnapshot } from "@langchain/langgraph";
import { DOMAINS, type Domain } from "../domain/actions.js";
import type { CaseStateType } from "../domain/case-state.js";

const SPECIALISTS = new Set<string>(DOMAINS);

export interface DecisionPoint {
  domain: Domain;
  /** Its next task is the specialist. */
  point: StateSnapshot;
  /** The specialist's proposal, before the guard; null when the specialist never finished on `point`. */
  made: StateSnapshot | null;
  /** The guard's verdict on it; null when the guard never ran. */
  guarded: StateSnapshot | null;
}

export const checkpointIdOf = (s: StateSnapshot) => String(s.config.configurable?.checkpoint_id ?? "");
const parentOf = (s: StateSnapshot) => (s.parentConfig?.configurable?.checkpoint_id as string | undefined) ?? null;

/** The decision points of a thread's history (as getStateHistory gives it, newest first), oldest first. */
export function decisionPoints(history: StateSnapshot[]): DecisionPoint[] {
  const children = new Map<string, StateSnapshot[]>();
  for (const s of history) {
    const p = parentOf(s);
    if (p) children.set(p, [...(children.get(p) ?? []), s]);
  }
  const out: DecisionPoint[] = [];
  for (const point of [...history].reverse()) {
    const next = point.next[0];
    if (point.next.length !== 1 || !next || !SPECIALISTS.has(next)) continue;
    const made = (children.get(checkpointIdOf(point)) ?? []).find((c) => (c.values as CaseStateType).decision && c.next.includes("apply_guard")) ?? null;
    const guarded = made ? ((children.get(checkpointIdOf(made)) ?? []).find((c) => (c.values as CaseStateType).guard) ?? null) : null;
    out.push({ domain: next as Domain, point, made, guarded });
  }
  return out;
}
