// The action vocabulary of DESIGN.md and the typed decision every decider returns: the contract for evals, audit and approvals.
import { z } from "zod";

export const DOMAINS = ["dunning", "subscription", "dispute", "refund"] as const;
export type Domain = (typeof DOMAINS)[number];
export type Route = Domain | "ignore";

export const ACTIONS = {
  dunning: [
    "retry_immediately",
    "schedule_retry",
    "notify_customer",
    "apply_grace_period",
    "escalate_to_support",
    "close_recovered",
    "no_action",
  ],
  subscription: [
    "upgrade",
    "downgrade",
    "cancel_at_period_end",
    "cancel_immediately",
    "pause_collection",
    "no_change",
    "escalate_to_support",
  ],
  dispute: ["stage_evidence", "submit_evidence", "accept_dispute", "record_outcome", "escalate_to_support"],
  // stop_future_charges: after an early fraud warning, pause or cancel the subscriptions that would charge that card again.
  refund: ["refund_full", "refund_partial", "deny_refund", "escalate_to_support", "stop_future_charges"],
} as const satisfies Record<Domain, readonly string[]>;

export type DunningAction = (typeof ACTIONS.dunning)[number];
export type SubscriptionAction = (typeof ACTIONS.subscription)[number];
export type DisputeAction = (typeof ACTIONS.dispute)[number];
export type RefundAction = (typeof ACTIONS.refund)[number];
export type Action = DunningAction | SubscriptionAction | DisputeAction | RefundAction;

export const DECISION_SOURCES = ["rules", "llm"] as const;
export type DecisionSource = (typeof DECISION_SOURCES)[number];

/**
 * Parameters are a flat record of JSON scalars (ids, amounts in minor units, unix times, template names,
 * evidence text). Each action's required params are checked by the guard, not here, so that a decision a
 * model got half-right is still recorded and downgraded rather than thrown away.
 */
export const ParamsSchema = z.record(z.string(), z.unknown());

export function decisionSchema<D extends Domain>(domain: D) {
  const actions = ACTIONS[domain] as unknown as [string, ...string[]];
  return z.object({
    action: z.enum(actions),
    params: ParamsSchema.default({}),
    rationale: z.string().min(1),
    confidence: z.number().min(0).max(1).default(1),
  });
}

export function isAction(domain: Domain, action: string): action is Action {
  return (ACTIONS[domain] as readonly string[]).includes(action);
}

/** Actions whose effect is only on billops' own records (no Stripe write, no customer message). */
export const PASSIVE_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  "no_action",
  "no_change",
  "record_outcome",
  "close_recovered",
  "escalate_to_support",
  "deny_refund",
]);
