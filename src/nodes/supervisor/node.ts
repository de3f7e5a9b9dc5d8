// The supervisor node: routes an event by the routing table, a support request by the decider's classifier.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { GraphDeps } from "../../graph/deps.js";
import type { AuditLine, CaseStateType, CaseStateUpdate, EventRecord } from "../../graph/state.js";
import { routeEvent } from "../../domain/routing.js";
import type { Route } from "../../domain/actions.js";
import type { SupportRequest } from "../proposal.js";

export async function supervisorNode(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
  const deps = config.context as GraphDeps;
  const t = state.trigger!;
  const now = deps.clock.now();
  const record: EventRecord = { id: t.eventId, type: t.type, source: t.source, echo: t.echo, created: t.created };
  // Everything a run produced last time is cleared: a run decides afresh from this trigger.
  // Only what holds something is cleared: every key a node returns is a channel write LangGraph stores.
  const reset: CaseStateUpdate = {};
  for (const k of ["context", "decision", "guard", "approval", "followUp", "outcome", "classification"] as const) {
    if (state[k] != null) (reset as Record<string, null>)[k] = null;
  }
  const log: AuditLine[] = [{ id: `${t.eventId}:event`, kind: t.echo ? "echo" : "event", at: now, data: { event_id: t.eventId, type: t.type, source: t.source }, run: true }];

  let route: Route;
  let classification: Record<string, unknown> | null = null;
  if (t.source === "request") {
    const c = await deps.decider.classify(t.object as SupportRequest, { config: deps.config });
    route = c.route;
    classification = { ...c.params, intent: c.intent, route: c.route, source: c.source, ...(c.ambiguous ? { ambiguous: c.ambiguous } : {}), ...(c.llm ? { llm: c.llm } : {}) };
    log.push({ id: `${t.eventId}:classified`, kind: c.fallbackReason ? "fallback" : "decision", at: now, data: { classification, ...(c.fallbackReason ? { fallback_reason: c.fallbackReason } : {}) } });
  } else if (t.source === "schedule") {
    route = (t.object.domain as Route) ?? "ignore";
  } else {
    route = routeEvent({ type: t.type, data: { object: t.object } }).route;
  }
  return { ...reset, route, classification, events: [record], log };
}

export function afterSupervisor(state: CaseStateType): string {
  return state.route && state.route !== "ignore" ? state.route : "__end__";
}
