// The supervisor: routes an event by the routing table, a support request by the decider's classifier.
//
// Routing by the table (Stripe events) or by the job (scheduled work) is a pure function of the trigger, so the
// worker applies it with the run's input and starts the run at the specialist (supervise, below): a durable step of
// its own would store a checkpoint for a table lookup. The node does the same for runs that start at START (Studio,
// tests), records and ends triggers routed nowhere ("ignore"), and classifies support requests, which takes a model
// call and so a step.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { GraphDeps } from "../deps.js";
import type { AuditLine, CaseStateType, CaseStateUpdate, EventRecord } from "../../domain/case-state.js";
import { routeEvent } from "../../domain/routing.js";
import type { Route } from "../../domain/actions.js";
import type { SupportRequest } from "../proposal.js";
import { understandRequest } from "./understanding/index.js";

/** The supervisor's writes for the state's trigger once its route is known. */
function supervised(state: CaseStateType, now: number, route: Route, classification: Record<string, unknown> | null = null, more: AuditLine[] = []): CaseStateUpdate & { route: Route } {
  const t = state.trigger!;
  const record: EventRecord = { id: t.eventId, type: t.type, source: t.source, echo: t.echo, created: t.created };
  // Everything a run produced last time is cleared: a run decides afresh from this trigger.
  // Only what holds something is cleared: every key a node returns is a channel write LangGraph stores.
  const reset: CaseStateUpdate = {};
  for (const k of ["context", "decision", "guard", "approval", "followUp", "outcome", "classification"] as const) {
    if (state[k] != null) (reset as Record<string, null>)[k] = null;
  }
  const log: AuditLine[] = [{ id: `${t.eventId}:event`, kind: t.echo ? "echo" : "event", at: now, data: { event_id: t.eventId, type: t.type, source: t.source }, run: true }, ...more];
  return { ...reset, route, classification, events: [record], log };
}

/**
 * The supervisor's update for a trigger routed without a model — a Stripe event by the routing table, scheduled work
 * by its job — or null for a support request, which only the node can classify.
 */
export function supervise(state: CaseStateType, now: number): (CaseStateUpdate & { route: Route }) | null {
  const t = state.trigger!;
  if (t.source === "request") return null;
  const route = t.source === "schedule" ? ((t.object.domain as Route) ?? "ignore") : routeEvent({ type: t.type, data: { object: t.object } }).route;
  return supervised(state, now, route);
}

export async function supervisorNode(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
  const deps = config.context as GraphDeps;
  const now = deps.clock.now();
  const routed = supervise(state, now);
  if (routed) return routed;
  const t = state.trigger!;
  const request = t.object as SupportRequest;
  // The supervisor's own reading, made here and not by the decider: the guard judges every action on a request by it,
  // so a model's classification can route and propose but never make an ambiguous request look certain.
  const understanding = understandRequest(String(request.message ?? ""), { subscription: request.subscription, charge: request.charge });
  const c = await deps.decider.classify(request, { config: deps.config, understanding });
  // A message the rules read for certain as no billing request (thanks, a greeting, a product question) is recorded
  // and ends here whatever a model made of it: nobody is paged for "thanks, that fixed it".
  const route = understanding.certain && understanding.kind !== "request" ? "ignore" : c.route;
  const classification = { ...c.params, intent: route === "ignore" ? "no_request" : c.intent, route, source: c.source, ...(c.ambiguous ? { ambiguous: c.ambiguous } : {}), ...(c.llm ? { llm: c.llm } : {}), understanding };
  const line: AuditLine = { id: `${t.eventId}:classified`, kind: c.fallbackReason ? "fallback" : "decision", at: now, data: { classification, ...(c.fallbackReason ? { fallback_reason: c.fallbackReason } : {}) } };
  return supervised(state, now, route, classification, [line]);
}

export function afterSupervisor(state: CaseStateType): string {
  return state.route && state.route !== "ignore" ? state.route : "__end__";
}
