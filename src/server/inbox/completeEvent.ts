// Marks a claimed event done; runs inside the handler's transaction so its writes and "done" commit together.
import type { Queryable } from "./types.js";
import { sql } from "../../store/literal.js";

// locked_by guards against a worker whose lease was taken over: it must not complete someone else's run.
const SQL = `
  update stripe_events
     set status = 'done', finished_at = now(), lease_expires_at = null, locked_by = null
   where id = $1 and status = 'running' and locked_by = $2`;

/** false when this worker no longer holds the event (lease lost): the other holder will finish it. */
export async function completeEvent(db: Queryable, id: string, workerId: string): Promise<boolean> {
  const { rowCount } = await db.query(SQL, [id, workerId]);
  return rowCount === 1;
}

/** The same update as one statement to send with the commit (see CaseTx.defer). */
export function completeEventStatement(id: string, workerId: string): string {
  return sql`update stripe_events
     set status = 'done', finished_at = now(), lease_expires_at = null, locked_by = null
   where id = ${id} and status = 'running' and locked_by = ${workerId}`;
}
