// A Stripe event as the inbox stores it: its case from the routing table, and whether billops' own write caused it.
// The webhook route and reconcile both store events through this, so a recovered event is the event a webhook would
// have stored.
import type Stripe from "stripe";
import { routeEvent } from "../domain/routing.js";
import type { NewEvent } from "./inbox/index.js";

/** billops' own idempotency keys start with this (stripe/gateway); events they cause are echoes. */
export const BILLOPS_KEY_PREFIX = "billops:";

export function inboxEventOf(event: Stripe.Event, payloadJson?: string): NewEvent & { route: ReturnType<typeof routeEvent>["route"] } {
  const route = routeEvent(event as unknown as { type: string; data: { object: any } });
  const idempotencyKey = (event.request as { idempotency_key?: string | null } | null)?.idempotency_key;
  const echo = typeof idempotencyKey === "string" && idempotencyKey.startsWith(BILLOPS_KEY_PREFIX);
  return {
    id: event.id,
    type: event.type,
    caseKey: route.caseKey,
    source: "stripe",
    payload: event,
    payloadJson,
    echo,
    ignored: route.route === "ignore",
    route: route.route,
  };
}
