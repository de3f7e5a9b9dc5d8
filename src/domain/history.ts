// What a case thread remembers between events that policies may use (filled by the graph from thread state).

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
