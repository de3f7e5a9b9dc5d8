// A specialist node (dunning, subscription, dispute, refund): gather the facts through the gateway, then ask the decider.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Domain } from "../../domain/actions.js";
import type { GraphDeps } from "../deps.js";
import type { CaseStateType, CaseStateUpdate, DecisionRecord } from "../../domain/case-state.js";
import type { SpecialistInput, SupportRequest, RequestClassification } from "../proposal.js";
import { historyOf } from "../../domain/history.js";

export function specialistInput(state: CaseStateType): SpecialistInput {
  const t = state.trigger!;
  if (t.source === "request") {
    const c = (state.classification ?? {}) as Record<string, unknown>;
    const { intent, route, source: _s, ambiguous, llm: _l, understanding, ...params } = c;
    const classification: RequestClassification = {
      route: (route as RequestClassification["route"]) ?? "ignore",
      intent: typeof intent === "string" ? intent : "unclear",
      params: params as RequestClassification["params"],
      ...(typeof ambiguous === "string" ? { ambiguous } : {}),
      ...(understanding && typeof understanding === "object" ? { understanding: understanding as RequestClassification["understanding"] } : {}),
    };
    return { kind: "request", request: t.object as SupportRequest, classification };
  }
  return { kind: "event", event: { id: t.eventId, type: t.type, created: t.created, data: { object: t.object } } };
}

export function specialistNode(domain: Domain) {
  return async function specialist(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
    const deps = config.context as GraphDeps;
    const t = state.trigger!;
    const now = deps.clock.now();
    const context = await deps.domains[domain].gather(deps.reads, specialistInput(state), historyOf(state), now);
    const r = await deps.decider.decide(domain, context, { config: deps.config, trigger: t });
    const decision: DecisionRecord = {
      id: `${t.eventId}:${domain}`,
      domain,
      action: r.action,
      params: r.params,
      rationale: r.rationale,
      source: r.source,
      confidence: r.confidence,
      eventId: t.eventId,
      at: now,
      ...(r.ambiguous ? { ambiguous: r.ambiguous } : {}),
      ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
      ...(r.llm ? { llm: r.llm } : {}),
    };
    const log = [
      { id: `${decision.id}:decision`, kind: "decision", at: now, data: { decision_id: decision.id, domain, action: r.action, params: r.params, rationale: r.rationale, source: r.source, confidence: r.confidence, ...(r.ambiguous ? { ambiguous: r.ambiguous } : {}), ...(r.llm ? { llm: r.llm } : {}) } },
    ];
    if (r.fallbackReason) log.push({ id: `${decision.id}:fallback`, kind: "fallback", at: now, data: { decision_id: decision.id, reason: r.fallbackReason } as any });
    return { context, decision, log };
  };
}
