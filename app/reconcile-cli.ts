// `npm run reconcile -- [--since ISO] [--schema NAME]`: lists Stripe's events since the last point billops saw and
// enqueues the ones the inbox lacks (engine/reconcile.ts), as the worker's periodic job does; prints what it found.
// Exit 0 when it ran, 2 when it could not.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { createPool } from "../db/pool.js";
import { createStripeClient } from "../stripe/gateway/index.js";
import { createEventLister } from "../stripe/gateway/events.js";
import { reconcile, type ReconcileReport } from "../engine/reconcile.js";
import { systemClock, type Clock } from "../domain/clock.js";
import { createLogger } from "../telemetry/log.js";
import { redactUrl } from "../telemetry/redact.js";
import { endpointClock } from "./endpoint-clock.js";

export const USAGE =
  "usage: npm run reconcile -- [--since ISO-8601] [--schema NAME]\n" +
  "  reads DATABASE_URL (and BILLOPS_SCHEMA), and STRIPE_SECRET_KEY or STRIPE_API_BASE (a Stripe-compatible endpoint)\n" +
  "  --since: list events created from this time (at most Stripe's 30 days back); default: where the last run ended,\n" +
  "           else the newest Stripe event billops stored";

const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

export function formatReport(r: ReconcileReport): string {
  if (r.skipped) return `reconcile: skipped: ${r.skipped}\n`;
  const lines = [
    `reconcile run ${r.runId}: Stripe events created ${iso(r.since)} … ${iso(r.until)} (start: ${r.sinceSource.replace(/_/g, " ")})`,
  ];
  if (r.clamped) {
    lines.push(`  note: asked for events from ${iso(r.asked)}, but Stripe keeps only 30 days of events; anything before ${iso(r.since)} cannot be recovered`);
  }
  lines.push(`  listed ${r.listed}, already had ${r.alreadyHad}, enqueued ${r.enqueued}${r.refused ? `, refused ${r.refused} (the database cannot hold them; their ids are in the log)` : ""}`);
  for (const [type, c] of Object.entries(r.byType).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${type.padEnd(44)} listed ${String(c.listed).padStart(5)}  already had ${String(c.already_had).padStart(5)}  enqueued ${String(c.enqueued).padStart(5)}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function main(argv: string[], io = { stdout: process.stdout as NodeJS.WritableStream, stderr: process.stderr as NodeJS.WritableStream, env: process.env }): Promise<number> {
  let values;
  let since: number | undefined;
  try {
    ({ values } = parseArgs({ args: argv.filter((a) => a !== "--"), options: { since: { type: "string" }, schema: { type: "string" }, help: { type: "boolean" } }, strict: true }));
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.since !== undefined) {
      // An ISO date with a time zone (or a plain date, read as UTC): a bare local time would mean different moments.
      if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(values.since)) {
        throw new Error(`--since must be an ISO-8601 date or time with a zone, e.g. 2026-11-28 or 2026-11-28T09:00:00Z (got ${JSON.stringify(values.since)})`);
      }
      const ms = Date.parse(values.since);
      if (Number.isNaN(ms)) throw new Error(`--since is not a real date: ${JSON.stringify(values.since)}`);
      since = Math.floor(ms / 1000);
    }
  } catch (e) {
    io.stderr.write(`reconcile: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const url = io.env.DATABASE_URL;
  if (!url) {
    io.stderr.write(`reconcile: DATABASE_URL is not set (the database billops runs on)\n${USAGE}\n`);
    return 2;
  }
  const base = io.env.STRIPE_API_BASE || undefined;
  const key = io.env.STRIPE_SECRET_KEY || (base ? "sk_test_billops_endpoint" : undefined);
  if (!key) {
    io.stderr.write(`reconcile: STRIPE_SECRET_KEY (or STRIPE_API_BASE) is not set: there is no Stripe to list events from\n${USAGE}\n`);
    return 2;
  }
  const schema = values.schema ?? (io.env.BILLOPS_SCHEMA || undefined);
  const logger = createLogger(io.env.LOG_LEVEL ?? "warn", "json");
  const pool = createPool(url, { schema, max: 3, logger });
  let clock: Clock & { stop?: () => void } = systemClock;
  try {
    // A simulator at STRIPE_API_BASE keeps its own clock: "the last 30 days" are its days.
    if (base) clock = await endpointClock(base, logger);
    const stripe = createStripeClient({ secretKey: key, baseUrl: base });
    const report = await reconcile({ pool, listEvents: createEventLister(stripe), clock, logger, trigger: "cli", since });
    io.stdout.write(formatReport(report));
    return 0;
  } catch (e) {
    io.stderr.write(`reconcile: ${(e as Error).message.split("\n")[0]} (DATABASE_URL ${redactUrl(url)}${schema ? `, schema ${schema}` : ""}${base ? `, STRIPE_API_BASE ${redactUrl(base)}` : ""})\n`);
    return 2;
  } finally {
    clock.stop?.();
    await pool.end().catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
