// The `reconcile_runs` table: one row per missed-event recovery run, where the next run starts and what each found.
import type { Queryable } from "./db.js";

export type ReconcileTrigger = "cli" | "periodic";
export type SinceSource = "operator" | "previous_run" | "newest_stored_event" | "stripe_retention";

export interface TypeCounts {
  listed: number;
  already_had: number;
  enqueued: number;
}

export interface ReconcileRun {
  id: string;
  trigger: ReconcileTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  since: number;
  until: number;
  sinceSource: SinceSource;
  clamped: boolean;
  listed: number;
  alreadyHad: number;
  enqueued: number;
  refused: number;
  byType: Record<string, TypeCounts>;
  error: string | null;
}

const COLUMNS = `id::text, trigger, started_at, finished_at, since, until, since_source, clamped, listed, already_had, enqueued, refused, by_type, error`;

function toRun(r: any): ReconcileRun {
  return {
    id: r.id,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    since: Number(r.since),
    until: Number(r.until),
    sinceSource: r.since_source,
    clamped: r.clamped,
    listed: r.listed,
    alreadyHad: r.already_had,
    enqueued: r.enqueued,
    refused: r.refused,
    byType: r.by_type,
    error: r.error,
  };
}

export async function startReconcileRun(db: Queryable, r: { trigger: ReconcileTrigger; since: number; until: number; sinceSource: SinceSource; clamped: boolean }): Promise<string> {
  const { rows } = await db.query(
    `insert into reconcile_runs (trigger, since, until, since_source, clamped) values ($1, $2, $3, $4, $5) returning id::text`,
    [r.trigger, r.since, r.until, r.sinceSource, r.clamped],
  );
  return rows[0].id;
}

export async function finishReconcileRun(
  db: Queryable,
  id: string,
  r: { listed: number; alreadyHad: number; enqueued: number; refused: number; byType: Record<string, TypeCounts>; error?: string | null },
): Promise<void> {
  await db.query(
    `update reconcile_runs set finished_at = now(), listed = $2, already_had = $3, enqueued = $4, refused = $5, by_type = $6, error = $7 where id = $1`,
    [id, r.listed, r.alreadyHad, r.enqueued, r.refused, JSON.stringify(r.byType), r.error ?? null],
  );
}

/** The newest run that finished without an error: the next run starts from its `until`. */
export async function lastGoodReconcileRun(db: Queryable): Promise<ReconcileRun | null> {
  const { rows } = await db.query(`select ${COLUMNS} from reconcile_runs where finished_at is not null and error is null order by id desc limit 1`);
  return rows[0] ? toRun(rows[0]) : null;
}

/** Newest first. */
export async function listReconcileRuns(db: Queryable, limit = 20): Promise<ReconcileRun[]> {
  const { rows } = await db.query(`select ${COLUMNS} from reconcile_runs order by id desc limit $1`, [limit]);
  return rows.map(toRun);
}
