// The simulator's shared state and the helpers every resource uses: events, metadata merge, lists and lookups.
import type { Logger } from "pino";
import { invalidRequest, noSuch } from "./errors.js";
import { int } from "./form.js";
import { newId } from "./ids.js";
import type { Store } from "./store.js";
import { API_VERSION, type RequestInfo, type StripeObject } from "./types.js";
import type { WebhookDispatcher } from "./webhooks.js";

export interface SimCore {
  store: Store;
  now(): number;
  logger: Logger;
  webhooks: WebhookDispatcher;
  /** Set by the router while a handler runs: events it causes carry this as `request`. */
  request: RequestInfo | null;
  /** Payment method id → the magic id it was made from (its test-card behaviour). */
  pmOrigins: Map<string, string>;
  /** Attempts so far per payment method id as referenced (for `pm_sim_decline_first_<N>`). */
  attemptCounts: Map<string, number>;
  /** Pending invoice items (prorations) per subscription, billed on its next invoice. */
  pendingItems: Map<string, Record<string, any>[]>;
  /** PaymentIntents confirmed off session: Stripe keeps this about an intent but does not show it as a field. */
  offSessionIntents: Set<string>;
  /** Test-mode dispute decisions due when the clock passes `at`. */
  disputeDecisions: Map<string, { at: number; status: "won" | "lost" }>;
}

/** Records an event for `obj` (a snapshot), caused by the current request if any, and queues its delivery. */
export function emit(sim: SimCore, type: string, obj: StripeObject, previous?: Record<string, any>): StripeObject {
  const event: StripeObject = {
    id: newId("evt"),
    object: "event",
    api_version: API_VERSION,
    created: sim.now(),
    data: previous && Object.keys(previous).length > 0 ? { object: structuredClone(obj), previous_attributes: previous } : { object: structuredClone(obj) },
    livemode: false,
    pending_webhooks: 0,
    request: sim.request ? { ...sim.request } : { id: null, idempotency_key: null },
    type,
  };
  sim.webhooks.record(event, { hold: sim.request !== null });
  return event;
}

/** Stripe's metadata update: keys merge, an empty string deletes a key, `metadata=""` clears all. */
export function mergeMetadata(current: Record<string, string> | null | undefined, update: unknown): Record<string, string> {
  if (update === undefined) return current ?? {};
  if (update === "" || update === null) return {};
  if (typeof update !== "object") throw invalidRequest("Invalid metadata: must be an object", "metadata");
  const out: Record<string, string> = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(update as Record<string, unknown>)) {
    if (v === "" || v === null) delete out[k];
    else out[k] = String(v);
  }
  if (Object.keys(out).length > 50) throw invalidRequest("Invalid metadata: at most 50 keys", "metadata");
  return out;
}

/** Applies `changes` to `obj` and returns Stripe's `previous_attributes` for them. */
export function change(obj: StripeObject, changes: Record<string, any>): Record<string, any> {
  const previous: Record<string, any> = {};
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (JSON.stringify(obj[k]) !== JSON.stringify(v)) {
      previous[k] = obj[k] === undefined ? null : structuredClone(obj[k]);
      obj[k] = v;
    }
  }
  return previous;
}

export function mustGet(sim: SimCore, prefix: string, id: string, param = "id"): StripeObject {
  const obj = sim.store.get(id);
  if (!obj || !id.startsWith(`${prefix}_`)) throw noSuch(prefix, id, param);
  return obj;
}

export function getTyped(sim: SimCore, type: string, id: unknown, param: string): StripeObject {
  const obj = typeof id === "string" ? sim.store.get(id) : undefined;
  if (!obj || obj.object !== type) {
    throw noSuch(type.replace("radar.early_fraud_warning", "issfr"), String(id ?? ""), param);
  }
  return obj;
}

export function requireString(params: Record<string, any>, name: string): string {
  const v = params[name];
  if (v === undefined || v === "") throw invalidRequest(`Missing required param: ${name}.`, name, "parameter_missing");
  if (typeof v !== "string") throw invalidRequest(`Invalid ${name}: must be a string`, name);
  return v;
}

export function requireAmount(params: Record<string, any>, name: string, required = true): number | undefined {
  const v = params[name];
  if (v === undefined || v === "") {
    if (required) throw invalidRequest(`Missing required param: ${name}.`, name, "parameter_missing");
    return undefined;
  }
  const n = int(v);
  if (n === undefined || n < 0 || String(n) !== String(v).trim()) throw invalidRequest(`Invalid integer: ${String(v)}`, name);
  return n;
}

export function oneOf<T extends string>(params: Record<string, any>, name: string, allowed: readonly T[]): T | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (!allowed.includes(v)) {
    throw invalidRequest(`Invalid ${name}: must be one of ${allowed.join(", ")}`, name);
  }
  return v as T;
}

/** `created` filter: a number or {gt,gte,lt,lte}. */
export function createdFilter(v: unknown): ((created: number) => boolean) | null {
  if (v === undefined) return null;
  if (typeof v === "string") {
    const n = int(v);
    if (n === undefined) throw invalidRequest("Invalid created", "created");
    return (c) => c === n;
  }
  const r = v as Record<string, string>;
  const gt = int(r.gt);
  const gte = int(r.gte);
  const lt = int(r.lt);
  const lte = int(r.lte);
  return (c) =>
    (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
}

export type Filter = (obj: StripeObject) => boolean;

/** A Stripe list response of one type with the common filters plus `extra`. */
export function listResponse(
  sim: SimCore,
  type: string,
  url: string,
  params: Record<string, any>,
  fields: Record<string, string> = {},
  extra: Filter[] = [],
): Record<string, any> {
  const limit = params.limit === undefined ? 10 : int(params.limit);
  if (limit === undefined || limit < 1 || limit > 100) throw invalidRequest("Invalid limit: must be between 1 and 100", "limit");
  const filters: Filter[] = [...extra];
  for (const [param, field] of Object.entries(fields)) {
    const want = params[param];
    if (want !== undefined && want !== "") filters.push((o) => refId(o[field]) === want);
  }
  const created = createdFilter(params.created);
  if (created) filters.push((o) => created(o.created));
  const page = sim.store.page(type, {
    limit,
    startingAfter: params.starting_after || undefined,
    endingBefore: params.ending_before || undefined,
    filter: filters.length ? (o) => filters.every((f) => f(o)) : undefined,
  });
  return { object: "list", data: page.data, has_more: page.hasMore, url };
}

/** The id of a reference that may be an id or an expanded object. */
export function refId(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as any).id === "string") return (v as any).id;
  return null;
}

export function intervalSeconds(recurring: { interval?: string; interval_count?: number } | null | undefined): number {
  const count = recurring?.interval_count ?? 1;
  switch (recurring?.interval) {
    case "day":
      return 86400 * count;
    case "week":
      return 7 * 86400 * count;
    case "year":
      return 365 * 86400 * count;
    default:
      return 30 * 86400 * count;
  }
}

/** Adds calendar months or years like Stripe's billing periods (days and weeks are exact). */
export function addInterval(t: number, recurring: { interval?: string; interval_count?: number } | null | undefined, times = 1): number {
  const count = (recurring?.interval_count ?? 1) * times;
  const d = new Date(t * 1000);
  switch (recurring?.interval) {
    case "day":
      return t + 86400 * count;
    case "week":
      return t + 7 * 86400 * count;
    case "year":
      d.setUTCFullYear(d.getUTCFullYear() + count);
      return Math.floor(d.getTime() / 1000);
    default: {
      const day = d.getUTCDate();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + count);
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      d.setUTCDate(Math.min(day, last));
      return Math.floor(d.getTime() / 1000);
    }
  }
}
