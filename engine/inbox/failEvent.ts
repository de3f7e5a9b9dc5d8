// Records a failed run: back to pending with exponential backoff, or failed (blocking its case) after the last attempt.
import type { Queryable } from "./types.js";

export interface FailOptions {
  workerId: string;
  error: string;
  maxAttempts: number;
  /** The first retry's delay; each next one doubles, capped at an hour. */
  backoffBaseMs?: number;
}

export type FailResult = { status: "pending" | "failed"; attempts: number; availableAt: Date } | null;

// attempts was counted at claim time (so crashed runs count too); the delay doubles per attempt: base · 2^(n-1).
// A failed event stays the oldest open event of its case, so the claim query skips the whole case until an
// operator retries or skips it: order matters more than throughput for one customer's invoice.
const SQL = `
  update stripe_events
     set status = case when attempts >= $3 then 'failed' else 'pending' end,
         available_at = case when attempts >= $3 then available_at
                        else now() + least($4::float8 * power(2, greatest(attempts - 1, 0)), 3600000) * interval '1 millisecond'
                        end,
         finished_at = case when attempts >= $3 then now() else null end,
         last_error = left($5, 8000),
         lease_expires_at = null,
         locked_by = null
   where id = $1 and status = 'running' and locked_by = $2
  returning status, attempts, available_at`;

/** null when this worker no longer holds the event (its lease was taken over). */
export async function failEvent(db: Queryable, id: string, opts: FailOptions): Promise<FailResult> {
  const { rows } = await db.query<{ status: "pending" | "failed"; attempts: number; available_at: Date }>(SQL, [
    id,
    opts.workerId,
    opts.maxAttempts,
    opts.backoffBaseMs ?? 1000,
    opts.error,
  ]);
  const r = rows[0];
  return r ? { status: r.status, attempts: r.attempts, availableAt: r.available_at } : null;
}
