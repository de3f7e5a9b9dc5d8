// What `npm run eval` and `npm run replay` share: their streams and environment, the logger they make from them,
// how they name a database URL in messages, and how they run as a command.
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { silentLogger, type Logger } from "../telemetry/log.js";

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  logger?: Logger;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Logs go to stderr when LOG_LEVEL asks for them: stdout carries the table, which people pipe and diff. */
export function cliLogger(io: CliIo): Logger {
  return io.logger ?? (io.env.LOG_LEVEL ? pino({ level: io.env.LOG_LEVEL, base: { service: "billops" } }, pino.destination(2)) : silentLogger);
}

/** A database URL fit for a message: its password left out (also one with '@' in it, or given as ?password=). */
export { redactUrl } from "../telemetry/redact.js";

/**
 * Runs `main` when `moduleUrl` is the file node was started with, and exits with its status: a stuck handle in a
 * module under test must not keep the command alive after its report.
 */
export function runAsCommand(moduleUrl: string, name: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${name}: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(2);
    },
  );
}
