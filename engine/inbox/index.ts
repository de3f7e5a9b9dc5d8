// The inbox module: the only code that queries stripe_events (STYLE: one module owns each table).
export type { InboxEvent, EventSource, EventStatus, Queryable } from "./types.js";
export { insertEvent, type NewEvent, type InsertResult } from "./insertEvent.js";
export { insertEvents } from "./insertEvents.js";
export { storableProblem, refusedForItsData, MAX_PAYLOAD_DEPTH, type StorableProblem } from "./storableEvent.js";
export { claimEvent, claimEventStatement, type ClaimOptions } from "./claimEvent.js";
export { completeEvent, completeEventStatement } from "./completeEvent.js";
export { failEvent, type FailOptions, type FailResult } from "./failEvent.js";
export { extendLease } from "./extendLease.js";
export { listEvents, getEvent, MAX_LIST_LIMIT, type ListFilter } from "./listEvents.js";
export { retryEvent, type RetryResult } from "./retryEvent.js";
export { skipEvent, type SkipResult } from "./skipEvent.js";
export { countOpen, isIdle, waitUntilIdle } from "./countOpen.js";
export { dropPayloads } from "./dropPayloads.js";
export { inboxStats, type InboxStatusStats } from "./inboxStats.js";
/** NOTIFY channel of new work for the schema a connection's search_path names (see migrations/001_inbox.sql). */
export const EVENTS_CHANNEL_PREFIX = "billops_events:";
export { newestStripeEventCreated } from "./newestStripeEvent.js";
export { knownEventIds } from "./knownEventIds.js";
