// The one logger: pino; children carry case, thread_id and event_id. Readable lines for a person at a terminal,
// JSON lines for log collectors (not a TTY, or LOG_FORMAT=json). Errors are logged through safeError (redact.ts).
import { pino, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { safeError } from "./redact.js";

export type { Logger };

export type LogFormat = "pretty" | "json";

/** LOG_FORMAT when set; otherwise readable at a terminal and JSON everywhere else. */
export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, tty = !!process.stdout.isTTY): LogFormat {
  if (env.LOG_FORMAT === "json" || env.LOG_FORMAT === "pretty") return env.LOG_FORMAT;
  return tty ? "pretty" : "json";
}

/** Every key billops logs an error under. */
const ERROR_KEYS = ["err", "error", "cause"] as const;

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info", format: LogFormat = defaultLogFormat(), destination?: DestinationStream): Logger {
  const options = { level, base: { service: "billops" }, serializers: Object.fromEntries(ERROR_KEYS.map((k) => [k, (v: unknown) => safeError(v)])) };
  if (format === "json") return destination ? pino(options, destination) : pino(options);
  // A stream in this thread rather than a transport worker: start-up lines are never lost to a worker not yet ready.
  return pino(options, pretty({ colorize: !!process.stdout.isTTY, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", singleLine: true }));
}

/** Tests and evals keep their output clean unless LOG_LEVEL asks for more. */
export const silentLogger: Logger = pino({ level: "silent" });
