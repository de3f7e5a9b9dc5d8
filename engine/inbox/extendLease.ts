// The heartbeat of a long run: pushes the lease forward so no other worker takes the event over.
import type { Queryable } from "./types.js";

const SQL = `
  update stripe_events
     set lease_expires_at = now() + $3::float8 * interval '1 second'
   where id = $1 and status = 'running' and locked_by = $2`;

/** false when the lease was already lost: the run should log it; the case lock still keeps runs apart. */
export async function extendLease(db: Queryable, id: string, workerId: string, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await db.query(SQL, [id, workerId, leaseSeconds]);
  return rowCount === 1;
}
