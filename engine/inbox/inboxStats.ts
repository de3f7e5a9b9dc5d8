// How deep the inbox is: events not done per status and the age of the oldest of each (for GET /metrics).
import type { Queryable } from "./types.js";

export const OPEN_STATUSES = ["pending", "running", "failed"] as const;

export interface InboxStatusStats {
  status: (typeof OPEN_STATUSES)[number];
  count: number;
  /** Seconds since the oldest event of the status was received (the database's clock); 0 when there is none. */
  oldestAgeSeconds: number;
}

/** One row per open status, zeros included, so a gauge falls back to 0 when its backlog clears. */
export async function inboxStats(db: Queryable): Promise<InboxStatusStats[]> {
  const { rows } = await db.query<{ status: string; n: number; oldest: number | null }>(
    `select status, count(*)::int as n, extract(epoch from now() - min(received_at))::float8 as oldest
     from stripe_events where status in ('pending', 'running', 'failed') group by status`,
  );
  return OPEN_STATUSES.map((status) => {
    const r = rows.find((x) => x.status === status);
    return { status, count: r?.n ?? 0, oldestAgeSeconds: Math.max(0, r?.oldest ?? 0) };
  });
}
