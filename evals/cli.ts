// `npm run eval -- PATH... [--decider rules|llm|hybrid] [--out FILE]`: exit 0 all passed, 1 any failed, 2 could not run.
import { writeFile } from "node:fs/promises";
import pg from "pg";
import { cliLogger, processIo, redactUrl, runAsCommand, type CliIo } from "./cli-io.js";
import { loadScenarios, ScenarioFileError, ScenarioLoadError, type LoadedScenario } from "./scenario.js";
import { DECIDERS, DEFAULT_DATABASE_URL, DeciderUnavailableError, resolveDecider, runScenario, type DeciderName, type ScenarioResult } from "./runner.js";
import { buildReport, createProgress, renderTable, summaryLine } from "./report.js";
import { PolicyFileError, readPolicyFile, type PolicyInput } from "../app/policy-file.js";

export const USAGE =
  "usage: npm run eval -- PATH... [--decider rules|llm|hybrid] [--policy FILE] [--out FILE]\n  PATH: scenario files, or folders of *.json\n" +
  "  --policy: a JSON or YAML policy file (as BILLOPS_POLICY); each scenario's own `config` applies over it";

export interface CliArgs {
  paths: string[];
  decider: DeciderName;
  out: string | null;
  policy: string | null;
  help: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { paths: [], decider: "rules", out: null, policy: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      if (a.startsWith("--") && eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--help" || flag === "-h") args.help = true;
    else if (flag === "--decider") {
      const d = value();
      if (!(DECIDERS as readonly string[]).includes(d)) throw new UsageError(`--decider must be one of ${DECIDERS.join("|")}, got "${d}"`);
      args.decider = d as DeciderName;
    } else if (flag === "--out") {
      const o = value();
      if (o === "") throw new UsageError("--out needs a file name");
      args.out = o;
    } else if (flag === "--policy") {
      const p = value();
      if (p === "") throw new UsageError("--policy needs a file name");
      args.policy = p;
    } else if (a === "--") continue;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else args.paths.push(a);
  }
  if (!args.help && args.paths.length === 0) throw new UsageError("name at least one scenario file or folder");
  return args;
}

async function checkDatabase(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs the evals; returns the exit status instead of exiting, so tests call it in-process. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const err = (s: string) => io.stderr.write(`${s}\n`);
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`eval: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let loaded: LoadedScenario[];
  try {
    loaded = await loadScenarios(args.paths);
  } catch (e) {
    if (e instanceof ScenarioLoadError || e instanceof ScenarioFileError) {
      err(e.message);
      return 2;
    }
    throw e;
  }
  if (loaded.length === 0) {
    err(`eval: no scenario files (*.json) under ${args.paths.join(", ")}`);
    return 2;
  }

  let policy: PolicyInput | undefined;
  if (args.policy) {
    try {
      policy = readPolicyFile(args.policy);
    } catch (e) {
      if (!(e instanceof PolicyFileError)) throw e;
      err(`eval: bad --policy ${e.message}`);
      return 2;
    }
  }

  let decider;
  try {
    decider = await resolveDecider(args.decider, io.env, io.logger);
  } catch (e) {
    if (e instanceof DeciderUnavailableError) {
      err(`eval: ${e.message}`);
      return 2;
    }
    throw e;
  }

  const databaseUrl = io.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const dbProblem = await checkDatabase(databaseUrl);
  if (dbProblem) {
    err(`eval: cannot reach PostgreSQL at DATABASE_URL (${redactUrl(databaseUrl)}): ${dbProblem}`);
    return 2;
  }

  const logger = cliLogger(io);
  const progress = createProgress(io.stderr);
  const started = performance.now();
  const results: ScenarioResult[] = [];
  for (const [i, { scenario }] of loaded.entries()) {
    progress.start(i, loaded.length, scenario.id);
    const result = await runScenario(scenario, { databaseUrl, decider, logger, policy });
    results.push(result);
    progress.done(i, loaded.length, result);
  }
  progress.end();

  const report = buildReport(results, args.decider, performance.now() - started);
  io.stdout.write(`${renderTable(results)}\n\n${summaryLine(report.summary)}\n`);
  if (args.out) {
    try {
      await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    } catch (e) {
      err(`eval: cannot write --out ${args.out}: ${(e as Error).message}`);
      return 2;
    }
  }
  return report.summary.failed === 0 ? 0 : 1;
}

runAsCommand(import.meta.url, "eval", (argv) => main(argv));
