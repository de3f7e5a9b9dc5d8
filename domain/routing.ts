// The supervisor's routing table: which specialist owns a Stripe event type, and which case it belongs to.

export type Route = "dunning" | "subscription" | "dispute" | "refund";

export type RouteDecision = { route: Route; caseKey: string } | { route: "ignore"; caseKey: string | null };

export interface RoutableEvent {
  type: string;
  data: { object: any };
}

/** An object field that may be an id string or an expanded object (Stripe returns either). */
function idOf(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") {
    return (value as { id: string }).id;
  }
  return null;
}

const IGNORE: RouteDecision = { route: "ignore", caseKey: null };

function routed(route: Route, kind: string, id: string | null): RouteDecision {
  // An event of a routed type without the id its case needs is malformed; it is recorded but not processed.
  return id ? { route, caseKey: `${kind}:${id}` } : IGNORE;
}

export function routeEvent(event: RoutableEvent): RouteDecision {
  const { type } = event;
  const obj = event.data?.object ?? {};
  if (type.startsWith("invoice.")) return routed("dunning", "invoice", idOf(obj.id));
  if (type.startsWith("customer.subscription.")) return routed("subscription", "subscription", idOf(obj.id));
  if (type.startsWith("charge.dispute.")) return routed("dispute", "dispute", idOf(obj.id));
  if (type === "radar.early_fraud_warning.created") return routed("refund", "charge", idOf(obj.charge));
  if (type === "refund.failed") return routed("refund", "charge", idOf(obj.charge));
  // Older API versions announce a refund's failure only as an update of the refund with status failed.
  if ((type === "charge.refund.updated" || type === "refund.updated") && obj.status === "failed") {
    return routed("refund", "charge", idOf(obj.charge));
  }
  return IGNORE;
}
