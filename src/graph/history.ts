// Derives what policies may know of the past (CaseHistory) from the thread's settled decisions.
import type { CaseHistory } from "../domain/history.js";
import type { CaseStateType } from "./state.js";

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
