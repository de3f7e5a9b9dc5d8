// Stores one incoming event exactly once (dedupe by id); the 200 to Stripe depends only on this insert.
import { toInboxEvent, eventColumns, type EventRow, type EventSource, type InboxEvent, type Queryable } from "./types.js";

export interface NewEvent {
  id: string;
  type: string;
  /** null only for ignored types. */
  caseKey: string | null;
  source: EventSource;
  payload: unknown;
  /** The payload already as JSON text (a webhook's verified raw body): stored as is, not serialized again. */
  payloadJson?: string;
  echo?: boolean;
  /** Types not in the routing table are stored as ignored: recorded, never processed, never failed. */
  ignored?: boolean;
  /** Scheduled work: not before this time. */
  availableAt?: Date;
}

export type InsertResult = { inserted: true; event: InboxEvent } | { inserted: false };

const SQL = `
  insert into stripe_events (id, type, case_key, source, payload, echo, status, available_at)
  values ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()))
  on conflict (id) do nothing
  returning ${eventColumns()}`;

export async function insertEvent(db: Queryable, e: NewEvent): Promise<InsertResult> {
  const status = e.ignored ? "ignored" : "pending";
  const { rows } = await db.query<EventRow>(SQL, [
    e.id,
    e.type,
    e.caseKey,
    e.source,
    e.payloadJson ?? JSON.stringify(e.payload),
    e.echo ?? false,
    status,
    e.availableAt ?? null,
  ]);
  return rows[0] ? { inserted: true, event: toInboxEvent(rows[0]) } : { inserted: false };
}
