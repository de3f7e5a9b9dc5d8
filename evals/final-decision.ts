// Which decision a scenario's `action_in` checks, and what each decision was about: the rule the report makes visible.
import type { CaseStateType, DecisionRecord, EventRecord } from "../domain/case-state.js";

/** What a decision was made about: the event, request or scheduled job, and whether billops itself caused it. */
export interface DecisionTrigger {
  id: string;
  source: EventRecord["source"] | "unknown";
  echo: boolean;
}

export function triggerOf(values: Partial<CaseStateType>, eventId: string): DecisionTrigger {
  const e = (values.events ?? []).find((x) => x.id === eventId);
  return e ? { id: e.id, source: e.source, echo: e.echo } : { id: eventId, source: "unknown", echo: false };
}

/** Every decision of the thread in the order made: the settled ones, then the current one if it is not settled yet. */
export function decisionsOf(values: Partial<CaseStateType>): DecisionRecord[] {
  const all = (values.decisions ?? []).map((d) => d.decision);
  if (values.decision && !all.some((d) => d.id === values.decision!.id)) all.push(values.decision);
  return all;
}

/**
 * The case's final decision: the last one made about something from outside — a Stripe event not caused by billops,
 * a support request, or a person's answer to either. Decisions on billops' own echoes (invoice.paid after our pay,
 * dispute.updated after our submit) and on its own scheduled work confirm what was decided; they do not replace it.
 * A case that only ever saw internal triggers reports its last decision.
 */
export function finalDecision(values: Partial<CaseStateType>): DecisionRecord | null {
  const external = new Set((values.events ?? []).filter((e) => !e.echo && e.source !== "schedule").map((e) => e.id));
  const all = decisionsOf(values);
  return [...all].reverse().find((d) => external.has(d.eventId)) ?? all.at(-1) ?? null;
}
