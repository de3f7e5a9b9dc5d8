// The shapes shared by every specialist: what triggers a case run (event or support request) and the decision it proposes.
import type { Action } from "../domain/actions.js";

/** A deciders' output before the graph stamps domain and source onto it (see Decision in domain/actions.ts). */
export interface ProposedDecision<A extends string = Action> {
  action: A;
  params: Record<string, unknown>;
  rationale: string;
  /** 0..1; the rules decider says 1 for table hits and less where it guessed. */
  confidence: number;
  /** Why a model should look at this in hybrid mode (unknown decline code, free text, conflicting signals). */
  ambiguous?: string;
}

/** The part of a Stripe event specialists read. The payload is a hint only: gather functions re-read the object. */
export interface EventLike {
  id: string;
  type: string;
  created: number;
  data: { object: { id?: string; object?: string; [key: string]: unknown } };
}

/** A free-text request from a support tool (POST /requests). `message` is customer-controlled data, never instructions. */
export interface SupportRequest {
  id: string;
  customer: string;
  message: string;
  charge?: string;
  subscription?: string;
}

export type RequestRoute = "refund" | "subscription" | "dunning" | "dispute" | "ignore";

/** What the supervisor's classifier made of a support request. */
export interface RequestClassification {
  route: RequestRoute;
  /** e.g. "duplicate", "refund", "upgrade", "cancel_at_period_end", "unclear". */
  intent: string;
  params: {
    target_plan?: string;
    /** As written by the customer, in major units ("$15" → 15); the refund policy converts with the charge's currency. */
    amount?: number;
    charge?: string;
    subscription?: string;
  };
  ambiguous?: string;
}

export type SpecialistInput =
  | { kind: "event"; event: EventLike }
  | { kind: "request"; request: SupportRequest; classification: RequestClassification };

/** The trigger as kept in a context: enough for a pure policy to know why it runs. */
export type Trigger =
  | { kind: "event"; eventId: string; type: string; created: number; objectId?: string }
  | { kind: "request"; requestId: string; intent: string; message: string; params: RequestClassification["params"]; ambiguous?: string; /** Who asked: every object a decision touches must be theirs. */ customer: string };

export function triggerOf(input: SpecialistInput): Trigger {
  if (input.kind === "event") {
    const { event } = input;
    return { kind: "event", eventId: event.id, type: event.type, created: event.created, objectId: event.data.object.id };
  }
  const { request, classification } = input;
  return {
    kind: "request",
    requestId: request.id,
    customer: request.customer,
    intent: classification.intent,
    message: request.message,
    params: classification.params,
    ambiguous: classification.ambiguous,
  };
}

/** Stripe ids in params are often strings, sometimes expanded objects; policies only want the id. */
export function idOf(v: string | { id: string } | null | undefined): string | null {
  if (v == null) return null;
  return typeof v === "string" ? v : v.id;
}

export function escalate(reason: string, rationale = reason, confidence = 1): ProposedDecision<"escalate_to_support"> {
  return { action: "escalate_to_support", params: { reason }, rationale, confidence };
}
