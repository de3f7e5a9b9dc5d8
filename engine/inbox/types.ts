// The inbox's shared types and row mapping: one place for what an event row looks like in TypeScript.
import type pg from "pg";

export type EventSource = "stripe" | "request" | "schedule";
export type EventStatus = "pending" | "running" | "done" | "failed" | "ignored" | "skipped";

export interface InboxEvent {
  /** bigint as text: the order of arrival, safe beyond 2^53. */
  seq: string;
  id: string;
  type: string;
  caseKey: string | null;
  source: EventSource;
  payload: any;
  status: EventStatus;
  /** How many times a worker has started it (a crashed run counts). */
  attempts: number;
  receivedAt: Date;
  /** Caused by billops' own Stripe write: update the case, trigger no write, supersede nothing. */
  echo: boolean;
  availableAt: Date;
  leaseExpiresAt: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  finishedAt: Date | null;
  /** When retention cut the payload down to its envelope (engine/inbox/dropPayloads.ts); null while it is whole. */
  payloadDroppedAt: Date | null;
}

/** A pool or a client inside a transaction: completeEvent runs in the handler's transaction. */
export type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

export interface EventRow {
  seq: string;
  id: string;
  type: string;
  case_key: string | null;
  source: EventSource;
  payload: any;
  status: EventStatus;
  attempts: number;
  received_at: Date;
  echo: boolean;
  available_at: Date;
  lease_expires_at: Date | null;
  locked_by: string | null;
  last_error: string | null;
  finished_at: Date | null;
  payload_dropped_at: Date | null;
}

export function toInboxEvent(r: EventRow): InboxEvent {
  return {
    seq: String(r.seq),
    id: r.id,
    type: r.type,
    caseKey: r.case_key,
    source: r.source,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    receivedAt: r.received_at,
    echo: r.echo,
    availableAt: r.available_at,
    leaseExpiresAt: r.lease_expires_at,
    lockedBy: r.locked_by,
    lastError: r.last_error,
    finishedAt: r.finished_at,
    payloadDroppedAt: r.payload_dropped_at ?? null,
  };
}

const COLUMNS = ["id", "type", "case_key", "source", "payload", "status", "attempts", "received_at", "echo",
  "available_at", "lease_expires_at", "locked_by", "last_error", "finished_at", "payload_dropped_at"];

/** The select list for an EventRow (optionally table-qualified); seq as text so pg never hands back a lossy number. */
export function eventColumns(table?: string): string {
  const p = table ? `${table}.` : "";
  return [`${p}seq::text as seq`, ...COLUMNS.map((c) => p + c)].join(", ");
}
