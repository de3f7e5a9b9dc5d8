// The `worker_sessions` table: which PostgreSQL backend each running worker holds, so its claims are taken over as
// soon as that backend is gone (migrations/012_fault_recovery.sql, billops_worker_gone) rather than after the lease.
import { hostname } from "node:os";
import type { Queryable } from "./db.js";

/**
 * Registers `db`'s own backend (a connection the worker keeps open: its LISTEN connection) as the worker's session.
 * Called again after a reconnect. Also forgets sessions gone for a day (their claims were long since taken over).
 */
export async function registerWorkerSession(db: Queryable, workerId: string): Promise<void> {
  await db.query(
    `with gone as (
       delete from worker_sessions where registered_at < now() - interval '1 day' and billops_worker_gone(worker_id)
     )
     insert into worker_sessions (worker_id, backend_pid, backend_start, host, pid)
     select $1, pg_backend_pid(), a.backend_start, $2, $3 from pg_stat_activity a where a.pid = pg_backend_pid()
     on conflict (worker_id) do update
       set backend_pid = excluded.backend_pid, backend_start = excluded.backend_start, registered_at = now()`,
    [workerId, hostname(), process.pid],
  );
}

/** A worker stopping cleanly: it holds no claims any more. */
export async function removeWorkerSession(db: Queryable, workerId: string): Promise<void> {
  await db.query(`delete from worker_sessions where worker_id = $1`, [workerId]);
}
