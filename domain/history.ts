// What a case thread remembers between events that policies may use, derived from the thread's settled decisions.
import type { CaseStateType } from "./case-state.js";

export interface CaseHistoryDecision {
  action: string;
  /** Unix seconds. */
  at: number;
  /** "rules" | "llm" | "person" … as recorded by the graph. */
  source: string;
}

export interface CaseHistory {
  decisions: CaseHistoryDecision[];
  /** Retries billops itself executed on this case (retry_immediately, scheduled retries that ran). */
  billopsRetries: number;
  /** Template names of notifications already put in the outbox for this case. */
  notificationsSent: string[];
  lastEventType?: string;
}

export const EMPTY_HISTORY: CaseHistory = Object.freeze({
  decisions: [],
  billopsRetries: 0,
  notificationsSent: [],
}) as CaseHistory;

export function hasDecided(history: CaseHistory, action: string): boolean {
  return history.decisions.some((d) => d.action === action);
}

export function lastDecision(history: CaseHistory): CaseHistoryDecision | undefined {
  return history.decisions.at(-1);
}

/** The history a policy may read, from the thread's settled decisions and events. */
export function historyOf(state: Pick<CaseStateType, "decisions" | "events">): CaseHistory {
  const decisions = state.decisions.map((d) => ({
    action: d.decision.action,
    at: d.decision.at,
    source: d.approval && d.approval.status !== "pending" ? `person:${d.approval.status}` : d.decision.source,
  }));
  const billopsRetries = state.decisions.filter(
    (d) => d.decision.action === "retry_immediately" && d.outcome.stripe.some((e) => e.method === "invoices.pay"),
  ).length;
  const notificationsSent = state.decisions.flatMap((d) => d.outcome.notifications);
  const previous = state.events.at(-2);
  return { decisions, billopsRetries, notificationsSent, ...(previous ? { lastEventType: previous.type } : {}) };
}
