// Due work on the injected clock: scheduled retries become inbox events on their case; overdue approvals escalate once.
import type pg from "pg";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";
import { takeDueJobs } from "../store/jobs.js";
import { markOverdueEscalated } from "../store/approvals.js";
import { enqueueNotification } from "../store/notifications.js";
import { appendAudit } from "../store/audit.js";
import { render } from "../notifications/templates.js";
import { insertEvents } from "./inbox/index.js";
import { startPeriodic, type Periodic } from "./periodic.js";

export const JOB_EVENT_PREFIX = "billops.";

/** One pass: fire what is due now. Returns how many events it put in the inbox (for tests and evals). */
export async function runDueWork(pool: pg.Pool, clock: Clock): Promise<{ fired: number; escalated: number }> {
  const now = clock.now();
  // Marking a job fired and storing its inbox event commit together: a scheduler killed between the two used to
  // leave jobs fired with no event, never fired again. The event id is the job's, so the case acts on it once.
  const jobs = await inTransaction(pool, async (tx) => {
    const due = await takeDueJobs(tx, now);
    await insertEvents(tx, due.map((job) => {
      const invoice = typeof job.payload.invoice === "string" ? job.payload.invoice : undefined;
      return {
        id: `${job.id}:due`,
        type: `${JOB_EVENT_PREFIX}${job.kind}`,
        caseKey: job.caseKey,
        source: "schedule" as const,
        // Shaped like a Stripe event's object so specialists read it the same way; it is a hint, they re-read Stripe.
        payload: { ...job.payload, ...(invoice ? { id: invoice, object: "invoice" } : {}), job: job.id, due_at: job.dueAt, created: now },
      };
    }));
    return due;
  });
  // Escalating an approval and telling ops about it commit together too (the outbox and audit keys make a repeat harmless).
  const overdue = await inTransaction(pool, async (tx) => {
    const rows = await markOverdueEscalated(tx, now);
    for (const a of rows) {
      const msg = render("ops_approval_overdue", { caseKey: a.caseKey, action: a.action });
      await enqueueNotification(tx, { key: `${a.caseKey}:${a.id}:ops_approval_overdue`, caseKey: a.caseKey, template: "ops_approval_overdue", to: null, subject: msg.subject, body: msg.body, at: now });
      await appendAudit(tx, [{ entryId: `${a.id}:escalated`, caseKey: a.caseKey, threadId: a.threadId, kind: "approval_escalated", at: now, data: { approval_id: a.id, action: a.action, due_at: a.dueAt } }]);
    }
    return rows;
  });
  return { fired: jobs.length, escalated: overdue.length };
}

async function inTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (err) {
    await client.query("rollback").catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

export function startScheduler(opts: { pool: pg.Pool; clock: Clock; intervalMs: number; logger: Logger; onFired?: () => void }): Periodic {
  return startPeriodic(
    async () => {
      const r = await runDueWork(opts.pool, opts.clock);
      if (r.fired > 0) opts.onFired?.();
      if (r.fired || r.escalated) opts.logger.info(r, "scheduled work fired");
    },
    { intervalMs: opts.intervalMs, logger: opts.logger, name: "scheduler" },
  );
}
