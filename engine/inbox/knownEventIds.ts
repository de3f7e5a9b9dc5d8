// Which of these event ids the inbox already holds (reconcile skips them; the insert dedupes again in any case).
import type { Queryable } from "./types.js";

export async function knownEventIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>("select id from stripe_events where id = any($1::text[])", [ids]);
  return new Set(rows.map((r) => r.id));
}
