// `npm run replay -- [--since ISO-DATE] [--case KEY] [--decider rules|llm|hybrid] [--out FILE] [--schema NAME]
// [--policy FILE] [--keep-threads]`: exit 0 when it ran (agreement is a finding, not a failure), 2 when it could not.
import { writeFile } from "node:fs/promises";
import { createPool } from "../db/pool.js";
import { cliLogger, processIo, redactUrl, runAsCommand, type CliIo } from "./cli-io.js";
import type { PolicyConfig } from "../domain/policy-config.js";
import { loadPolicy, PolicyFileError } from "../app/policy-file.js";
import { DECIDERS, DEFAULT_DATABASE_URL, DeciderUnavailableError, resolveDecider, type DeciderName } from "./runner.js";
import { replay } from "./replay.js";
import { createProgressBar, renderReplayTable, replaySummaryLine } from "./replay-report.js";

export const USAGE =
  "usage: npm run replay -- [--since ISO-DATE] [--case KEY] [--decider rules|llm|hybrid] [--out FILE] [--schema NAME] [--policy FILE] [--keep-threads]\n" +
  "  reads DATABASE_URL (and BILLOPS_SCHEMA); --policy: a JSON or YAML policy file to re-decide with (default: BILLOPS_POLICY and\n" +
  "  AUTO_REFUND_LIMIT, as `npm start` reads them)";

export interface ReplayCliArgs {
  since: Date | null;
  caseKey: string | null;
  decider: DeciderName;
  out: string | null;
  schema: string | null;
  policy: string | null;
  keepThreads: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export function parseReplayArgs(argv: string[]): ReplayCliArgs {
  const args: ReplayCliArgs = { since: null, caseKey: null, decider: "rules", out: null, schema: null, policy: null, keepThreads: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      if (a.startsWith("--") && eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--") || v === "") throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--help" || flag === "-h") args.help = true;
    else if (flag === "--since") {
      const v = value();
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new UsageError(`--since must be an ISO date, got "${v}"`);
      args.since = d;
    } else if (flag === "--case") args.caseKey = value();
    else if (flag === "--decider") {
      const d = value();
      if (!(DECIDERS as readonly string[]).includes(d)) throw new UsageError(`--decider must be one of ${DECIDERS.join("|")}, got "${d}"`);
      args.decider = d as DeciderName;
    } else if (flag === "--out") args.out = value();
    else if (flag === "--schema") args.schema = value();
    else if (flag === "--policy") args.policy = value();
    else if (flag === "--keep-threads") args.keepThreads = true;
    else if (a === "--") continue;
    else throw new UsageError(`unknown argument ${a}`);
  }
  return args;
}

function policyOf(args: ReplayCliArgs, env: NodeJS.ProcessEnv): PolicyConfig {
  // A proposed policy file is replayed as it is written; without one, the policy `npm start` would run with.
  if (args.policy) return loadPolicy({ file: args.policy }).policy;
  return loadPolicy({ file: env.BILLOPS_POLICY?.trim() || null, env }).policy;
}

/** Runs a replay; returns the exit status instead of exiting, so tests call it in-process. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const err = (s: string) => io.stderr.write(`${s}\n`);
  let args: ReplayCliArgs;
  try {
    args = parseReplayArgs(argv);
  } catch (e) {
    err(`replay: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let policy: PolicyConfig;
  try {
    policy = policyOf(args, io.env);
  } catch (e) {
    if (!(e instanceof PolicyFileError)) throw e;
    err(`replay: bad policy: ${e.message}`);
    return 2;
  }
  const logger = cliLogger(io);
  let decider;
  try {
    // The same OPENAI_* settings as `npm run eval`; replay re-decides, so a model costs calls and tokens here too.
    decider = await resolveDecider(args.decider, io.env, logger);
  } catch (e) {
    if (e instanceof DeciderUnavailableError) {
      err(`replay: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const url = io.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const schema = args.schema ?? (io.env.BILLOPS_SCHEMA || undefined);
  let pool;
  try {
    pool = createPool(url, { schema, max: 8, logger });
  } catch (e) {
    err(`replay: ${(e as Error).message}`);
    return 2;
  }
  const bar = createProgressBar(io.stderr);
  try {
    const report = await replay({
      pool,
      schema,
      decider,
      config: policy,
      since: args.since ?? undefined,
      caseKey: args.caseKey ?? undefined,
      keepThreads: args.keepThreads,
      logger,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.end();
    io.stdout.write(`${report.decisions.length ? `${renderReplayTable(report)}\n\n` : ""}${replaySummaryLine(report)}\n`);
    if (args.out) await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (e) {
    bar.end();
    err(`replay: ${(e as Error).message.split("\n")[0]} (DATABASE_URL ${redactUrl(url)}${schema ? `, schema ${schema}` : ""})`);
    return 2;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

runAsCommand(import.meta.url, "replay", (argv) => main(argv));
