// Marks a claimed event done; the worker sends it with the commit of the handler's transaction (CaseTx.defer), so
// the handler's writes and "done" commit together.
import type { Queryable } from "./types.js";
import { sql } from "../../store/literal.js";

/** The update as one statement with its values written in. locked_by guards against a worker whose lease was taken
 * over: it must not complete someone else's run. */
export function completeEventStatement(id: string, workerId: string): string {
  return sql`update stripe_events
     set status = 'done', finished_at = now(), lease_expires_at = null, locked_by = null
   where id = ${id} and status = 'running' and locked_by = ${workerId}`;
}

/** false when this worker no longer holds the event (lease lost): the other holder will finish it. */
export async function completeEvent(db: Queryable, id: string, workerId: string): Promise<boolean> {
  const { rowCount } = await db.query(completeEventStatement(id, workerId));
  return rowCount === 1;
}
