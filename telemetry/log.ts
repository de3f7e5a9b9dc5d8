// The one logger: pino JSON lines; children carry case, thread_id and event_id.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { service: "billops" } });
}

/** Tests and evals keep their output clean unless LOG_LEVEL asks for more. */
export const silentLogger: Logger = pino({ level: "silent" });
