// The `scheduled_jobs` table: work due at a time of the injected clock (scheduled retries, deadlines).
import type { Queryable } from "./db.js";

export interface JobRow {
  id: string;
  caseKey: string;
  kind: string;
  dueAt: number;
  payload: Record<string, unknown>;
}

/** Idempotent by id (derived from case, decision and kind), so a re-run schedules once. */
export async function scheduleJob(db: Queryable, job: JobRow): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO scheduled_jobs (id, case_key, kind, due_at, payload) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING`,
    [job.id, job.caseKey, job.kind, job.dueAt, JSON.stringify(job.payload)],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Marks due jobs fired and returns them; SKIP LOCKED so two schedulers never fire one job twice. */
export async function takeDueJobs(db: Queryable, now: number, limit = 100): Promise<JobRow[]> {
  const { rows } = await db.query(
    `UPDATE scheduled_jobs SET status = 'fired', fired_at = $1
     WHERE id IN (SELECT id FROM scheduled_jobs WHERE status = 'pending' AND due_at <= $1
                  ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, limit],
  );
  return rows.map((r: any) => ({ id: r.id, caseKey: r.case_key, kind: r.kind, dueAt: Number(r.due_at), payload: r.payload }));
}

export async function cancelJobsForCase(db: Queryable, caseKey: string, kind?: string): Promise<number> {
  const res = await db.query(
    `UPDATE scheduled_jobs SET status = 'canceled' WHERE case_key = $1 AND status = 'pending' AND ($2::text IS NULL OR kind = $2)`,
    [caseKey, kind ?? null],
  );
  return res.rowCount ?? 0;
}

export async function nextDueAt(db: Queryable): Promise<number | null> {
  const { rows } = await db.query(`SELECT min(due_at) AS t FROM scheduled_jobs WHERE status = 'pending'`);
  return rows[0]?.t == null ? null : Number(rows[0].t);
}
