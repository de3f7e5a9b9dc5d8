// `npm run retention -- [--checkpoint-days N] [--payload-days N] [--schema NAME] [--once]`: prunes quiet case
// threads to what replay needs and drops old event bodies now, as the worker does every hour (engine/retention.ts).
// Exit 0 when it ran, 2 when it could not.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type pg from "pg";
import { createPool } from "../db/pool.js";
import { BatchedPostgresSaver } from "../graph/checkpointer.js";
import { compileGraph } from "../graph/graph.js";
import { cutoffsOf, DEFAULT_RETENTION, runRetention, type RetentionReport } from "../engine/retention.js";
import { createLogger } from "../telemetry/log.js";
import { redactUrl } from "../telemetry/redact.js";

export const USAGE =
  "usage: npm run retention -- [--checkpoint-days N] [--payload-days N] [--replay-days N] [--schema NAME] [--once]\n" +
  `  reads DATABASE_URL (and BILLOPS_SCHEMA); days default to CHECKPOINT_RETENTION_DAYS / EVENT_PAYLOAD_RETENTION_DAYS / REPLAY_RETENTION_DAYS or ${DEFAULT_RETENTION.checkpointDays} / ${DEFAULT_RETENTION.payloadDays} / ${DEFAULT_RETENTION.replayDays}\n` +
  "  --once: one pass (up to 200 threads, 5,000 events) instead of passes until nothing is left";

const TABLES = ["checkpoints", "checkpoint_blobs", "checkpoint_writes", "stripe_events"] as const;

/** On-disk size of billops' growing tables (space freed by pruning is reused by new rows; VACUUM FULL returns it). */
async function tableSizes(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query(`select t as name, pg_total_relation_size(to_regclass(t)) as bytes from unnest($1::text[]) t`, [TABLES]);
  return Object.fromEntries(rows.map((r: any) => [r.name, Number(r.bytes ?? 0)]));
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function days(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number of days, 1 or more (got ${JSON.stringify(text)})`);
  return n;
}

export async function main(argv: string[], io = { stdout: process.stdout as NodeJS.WritableStream, stderr: process.stderr as NodeJS.WritableStream, env: process.env }): Promise<number> {
  let policy;
  let values;
  try {
    ({ values } = parseArgs({ args: argv.filter((a) => a !== "--"), options: { "checkpoint-days": { type: "string" }, "payload-days": { type: "string" }, "replay-days": { type: "string" }, schema: { type: "string" }, once: { type: "boolean" }, help: { type: "boolean" } }, strict: true }));
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    policy = {
      checkpointDays: days("--checkpoint-days", values["checkpoint-days"] ?? io.env.CHECKPOINT_RETENTION_DAYS, DEFAULT_RETENTION.checkpointDays),
      payloadDays: days("--payload-days", values["payload-days"] ?? io.env.EVENT_PAYLOAD_RETENTION_DAYS, DEFAULT_RETENTION.payloadDays),
      replayDays: days("--replay-days", values["replay-days"] ?? io.env.REPLAY_RETENTION_DAYS, DEFAULT_RETENTION.replayDays),
    };
  } catch (e) {
    io.stderr.write(`retention: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const url = io.env.DATABASE_URL;
  if (!url) {
    io.stderr.write(`retention: DATABASE_URL is not set (the database billops runs on)\n${USAGE}\n`);
    return 2;
  }
  const schema = values.schema ?? (io.env.BILLOPS_SCHEMA || undefined);
  const logger = createLogger(io.env.LOG_LEVEL ?? "warn", "json");
  const pool = createPool(url, { schema, max: 4, logger });
  try {
    // No setup(): this reads and prunes a database billops made; it never creates tables in one it did not.
    const saver = new BatchedPostgresSaver(pool, undefined, schema ? { schema } : {});
    const graph = compileGraph(saver);
    const before = await tableSizes(pool);
    const total: RetentionReport = { threads: 0, checkpoints: 0, blobs: 0, writes: 0, busy: 0, payloads: 0, sessions: 0 };
    const cutoffs = cutoffsOf(policy);
    for (;;) {
      const r = await runRetention({ pool, graph, saver, logger }, cutoffs);
      for (const k of Object.keys(total) as (keyof RetentionReport)[]) total[k] += r[k];
      if (values.once || (r.threads === 0 && r.payloads === 0)) break;
    }
    const after = await tableSizes(pool);
    io.stdout.write(
      `retention: ${total.threads} case threads quiet for ${policy.checkpointDays}+ days pruned (${total.checkpoints} checkpoints, ${total.blobs} blobs, ${total.writes} pending writes deleted; ${total.busy} busy, next time); ` +
        `decisions stay replayable for ${policy.replayDays} days; ${total.payloads} event bodies older than ${policy.payloadDays} days dropped; ${total.sessions} expired inbox sessions\n` +
        TABLES.map((t) => `  ${t.padEnd(18)} ${mb(before[t] ?? 0)} → ${mb(after[t] ?? 0)}`).join("\n") +
        "\n  (freed space is reused by new rows; VACUUM FULL gives it back to the file system)\n",
    );
    return 0;
  } catch (e) {
    io.stderr.write(`retention: ${(e as Error).message.split("\n")[0]} (DATABASE_URL ${redactUrl(url)}${schema ? `, schema ${schema}` : ""})\n`);
    return 2;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
