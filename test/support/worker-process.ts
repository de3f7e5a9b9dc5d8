// A worker in its own OS process for the ordering test: records (case, seq, pid, running in its case, start, end) per event it runs.
// Env: DATABASE_URL, SCHEMA, SLEEP_MS. Stops cleanly on SIGTERM (finishing in-flight runs).
import { createPool } from "../../db/pool.js";
import { silentLogger } from "../../telemetry/log.js";
import { listEvents } from "../../engine/inbox/index.js";
import { startWorker } from "../../engine/worker.js";

const pool = createPool(process.env.DATABASE_URL!, { schema: process.env.SCHEMA!, max: 8, logger: silentLogger });
const sleepMs = Number(process.env.SLEEP_MS ?? 20);

const worker = startWorker({
  pool,
  concurrency: 3,
  pollIntervalMs: 200,
  leaseSeconds: 30,
  maxAttempts: 3,
  logger: silentLogger,
  async handle(event, client) {
    const { rows } = await client.query<{ t: Date }>("select clock_timestamp() as t");
    // The head-of-case claim's promise, seen from inside a run: nothing else of this case is running.
    const running = await listEvents(pool, { caseKey: event.caseKey!, status: "running" });
    await new Promise((r) => setTimeout(r, sleepMs));
    // Written in the handler's transaction: it exists only if the event completed.
    await client.query(
      `insert into worker_log (case_key, seq, pid, running_in_case, started_at, finished_at)
       values ($1, $2, $3, $4, $5, clock_timestamp())`,
      [event.caseKey, event.seq, process.pid, running.length, rows[0].t],
    );
  },
});

process.on("SIGTERM", () => {
  void worker
    .stop()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
process.send?.("ready");
