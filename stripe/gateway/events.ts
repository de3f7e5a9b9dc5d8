// Reading Stripe's event log (GET /v1/events): what reconcile lists to find events whose webhooks never arrived.
import type Stripe from "stripe";

/** Stripe keeps events for 30 days; older ones cannot be listed. */
export const STRIPE_EVENT_RETENTION_SECONDS = 30 * 86_400;

export interface EventListFilter {
  /** Unix seconds: events created at or after this. */
  createdGte: number;
  /** Unix seconds: events created at or before this. */
  createdLte?: number;
}

/** Lists events newest first, 100 a page (Stripe's order), following the cursor until the filter is exhausted. */
export type EventLister = (filter: EventListFilter) => AsyncIterable<Stripe.Event>;

export function createEventLister(stripe: Stripe): EventLister {
  return (filter) =>
    stripe.events.list({ limit: 100, created: { gte: filter.createdGte, ...(filter.createdLte !== undefined ? { lte: filter.createdLte } : {}) } });
}
