// The head-of-case claim: the oldest open event of a case with nothing running and no failed event blocking it.
import { toInboxEvent, eventColumns, type EventRow, type InboxEvent, type Queryable } from "./types.js";
import { raw, sql } from "../../store/literal.js";

export interface ClaimOptions {
  workerId: string;
  leaseSeconds: number;
  /** A run whose lease expired (its worker died) counts as an attempt; past this it is failed, not rerun. */
  maxAttempts: number;
}

// - reaped: events whose worker died on their last allowed attempt become failed (a poison event that kills the
//   process must not loop forever). They keep blocking their case, like any failed event.
// - expired: a running event whose lease expired (its worker died or hung). It is already its case's running event,
//   so taking it over keeps one-running-per-case. Taken before any pending event.
// - fresh (only when nothing expired): the oldest available pending event with no older open (pending/running/
//   failed) event in its case and nothing running in its case. Ordered by seq, the bigint arrival order, never a
//   timestamp.
// The pending events are put in seq order first (`offset 0` keeps the planner from merging the checks into that
// scan) and the per-case checks run on them one at a time until one passes: a claim checks the few events at the
// head, not every pending one (one query with the checks inside checked all of them before sorting; with a backlog
// of 400 that was ten times slower). Rows that fail a check are locked for the statement only.
// SKIP LOCKED lets concurrent workers pass over each other's rows; the unique partial index on running events per
// case is the backstop if two claims ever raced into one case (the loser gets 23505 and claims nothing).
// The statement lives in migrations/007_claim_function.sql as billops_claim_event(worker, lease seconds, max attempts).
const SQL = `select ${eventColumns("e")} from billops_claim_event($1, $2, $3) e`;

export async function claimEvent(db: Queryable, opts: ClaimOptions): Promise<InboxEvent | null> {
  const { rows } = await db.query<EventRow>({ name: "billops_claim_event", text: SQL, values: [opts.workerId, opts.leaseSeconds, opts.maxAttempts] });
  return rows[0] ? toInboxEvent(rows[0]) : null;
}

/** The same claim as one statement with its arguments written in, to send after a commit (see CaseTx.after). */
export function claimEventStatement(opts: ClaimOptions): { text: string; read(result: { rows: unknown[] }): InboxEvent | null } {
  return {
    text: sql`select ${raw(eventColumns("e"))} from billops_claim_event(${opts.workerId}, ${opts.leaseSeconds}::float8, ${opts.maxAttempts}::integer) e`,
    read: (result) => (result.rows[0] ? toInboxEvent(result.rows[0] as EventRow) : null),
  };
}
