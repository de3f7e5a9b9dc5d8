// What nodes are given at run time (LangGraph `context`): clients, deciders, clock and config — never module globals.
// The graph passes it through; deciders implement its Decider; the engine builds it.
import type { DecisionSource, Domain, Route } from "../domain/actions.js";
import type { Clock } from "../domain/clock.js";
import type { StripeReads, StripeWrites } from "../stripe/gateway/index.js";
import type { Queryable } from "../store/db.js";
import type { Logger } from "../telemetry/log.js";
import type { Trigger } from "../domain/case-state.js";
import type { CaseHistory } from "../domain/history.js";
import type { ProposedDecision, SpecialistInput, SupportRequest } from "./proposal.js";
import type { Understanding } from "./supervisor/understanding/types.js";

export type { ProposedDecision, SpecialistInput, SupportRequest };

export interface DeciderResult extends ProposedDecision {
  source: DecisionSource;
  fallbackReason?: string;
  llm?: { calls: number; tokens: number };
}

export interface Classification {
  route: Route;
  intent: string;
  params: Record<string, unknown>;
  source: DecisionSource;
  ambiguous?: string;
  fallbackReason?: string;
  llm?: { calls: number; tokens: number };
  /** The rules' reading of the message, when the classifier made one. */
  understanding?: Understanding;
}

/** How a domain learns the facts and what the deterministic policy says about them. */
export interface DomainSpec {
  gather(reads: StripeReads, input: SpecialistInput, history: CaseHistory, now: number): Promise<unknown>;
  rules(context: unknown, config: PolicyConfig): ProposedDecision;
}

export type PolicyConfig = import("../domain/policy-config.js").PolicyConfig;

export interface Decider {
  readonly name: "rules" | "llm" | "hybrid";
  decide(domain: Domain, context: unknown, opts: { config: PolicyConfig; trigger: Trigger }): Promise<DeciderResult>;
  /** `understanding` is the supervisor's own reading of the message (nodes/supervisor/understanding). */
  classify(request: SupportRequest, opts: { config: PolicyConfig; understanding?: Understanding }): Promise<Classification>;
}

export interface GraphDeps {
  reads: StripeReads;
  /** Absent in replay: a graph without writes cannot touch Stripe. */
  writes: StripeWrites | null;
  decider: Decider;
  domains: Record<Domain, DomainSpec>;
  config: PolicyConfig;
  clock: Clock;
  /** For the notification outbox and scheduled jobs, written only by the act node. Absent in replay. */
  db: Queryable | null;
  logger: Logger;
}
