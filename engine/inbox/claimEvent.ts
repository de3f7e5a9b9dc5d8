// The head-of-case claim: the oldest open event of a case with nothing running and no failed event blocking it.
import { toInboxEvent, eventColumns, type EventRow, type InboxEvent, type Queryable } from "./types.js";
import { raw, sql } from "../../store/literal.js";

export interface ClaimOptions {
  workerId: string;
  leaseSeconds: number;
  /** A run whose lease expired (its worker died) counts as an attempt; past this it is failed, not rerun. */
  maxAttempts: number;
}

// The claim is billops_claim_event(worker, lease seconds, max attempts) in migrations/007_claim_function.sql, which
// says how it chooses: expired leases first, then the oldest pending event at the head of its case, walking the
// backlog from its head; SKIP LOCKED lets concurrent workers pass over each other.
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
