// Reads for operators and for the case history: events by status and case, and one event by id.
import { toInboxEvent, eventColumns, type EventRow, type EventStatus, type InboxEvent, type Queryable } from "./types.js";

export interface ListFilter {
  status?: EventStatus;
  caseKey?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Newest first by default; a case's history reads better oldest first. */
  order?: "asc" | "desc";
}

export const MAX_LIST_LIMIT = 500;

export async function listEvents(db: Queryable, f: ListFilter = {}): Promise<InboxEvent[]> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), MAX_LIST_LIMIT);
  const order = f.order === "asc" ? "asc" : "desc";
  const { rows } = await db.query<EventRow>(
    `select ${eventColumns()}
       from stripe_events
      where ($1::text is null or status = $1)
        and ($2::text is null or case_key = $2)
      order by stripe_events.seq ${order}
      limit $3`,
    [f.status ?? null, f.caseKey ?? null, limit],
  );
  return rows.map(toInboxEvent);
}

export async function getEvent(db: Queryable, id: string): Promise<InboxEvent | null> {
  const { rows } = await db.query<EventRow>(`select ${eventColumns()} from stripe_events where id = $1`, [id]);
  return rows[0] ? toInboxEvent(rows[0]) : null;
}
