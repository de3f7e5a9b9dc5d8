// Events: retrieve, and list with type (wildcards like `invoice.*`), types[], created and delivery_success filters.
import { bool, asArray } from "../form.js";
import { getTyped, listResponse, type Filter } from "../core.js";
import { invalidRequest } from "../errors.js";
import type { Route } from "../routes.js";

function typeMatcher(pattern: string): (t: string) => boolean {
  if (!pattern.includes("*")) return (t) => t === pattern;
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (t) => re.test(t);
}

export const eventRoutes: Route[] = [
  { method: "GET", path: "/v1/events/:id", handler: (sim, { pathParams }) => getTyped(sim, "event", pathParams.id, "id") },
  {
    method: "GET",
    path: "/v1/events",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      // Stripe's own rules for the two type filters.
      if (params.type !== undefined && params.types !== undefined) throw invalidRequest("You may pass either type or types, but not both.", "types");
      if (asArray(params.types).length > 20) throw invalidRequest("Invalid types: at most 20 event types", "types");
      if (params.delivery_success !== undefined && bool(params.delivery_success) === undefined) {
        throw invalidRequest("Invalid boolean: delivery_success must be true or false", "delivery_success");
      }
      if (params.type) {
        const m = typeMatcher(params.type);
        extra.push((o) => m(o.type));
      }
      const types = asArray(params.types).map(String);
      if (types.length) {
        const ms = types.map(typeMatcher);
        extra.push((o) => ms.some((m) => m(o.type)));
      }
      const success = bool(params.delivery_success);
      if (success !== undefined) {
        extra.push((o) => {
          const state = sim.webhooks.state(o.id);
          if (state === undefined) return false;
          return success ? state === "succeeded" : state !== "succeeded";
        });
      }
      return listResponse(sim, "event", "/v1/events", params, {}, extra);
    },
  },
];
