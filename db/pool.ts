// The one way billops opens a pg Pool: an error handler that never crashes the process, and an optional schema.
import pg from "pg";
import type { Logger } from "../telemetry/log.js";

export interface PoolOptions {
  /** Every connection's search_path: tests and evals get isolated schemas on one server. */
  schema?: string;
  max?: number;
  logger: Logger;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export function createPool(url: string, opts: PoolOptions): pg.Pool {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    // The name goes into a startup option and into DDL, so only plain identifiers are allowed.
    throw new Error(`invalid schema name: ${JSON.stringify(opts.schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    // search_path as a startup parameter applies to every connection, including ones pg opens after a reconnect.
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled it would kill the process. The pool
  // drops that client and opens another when needed: a server shutting down or restarting (SQLSTATE class 57, e.g.
  // 57P01 when the embedded server stops with the process) is a warning, anything else an error. The logger's error
  // serializer keeps the connection (its cancel key, user, host) out of the line.
  pool.on("error", (err) => {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("57")) opts.logger.warn({ err }, "postgres pool: the server closed an idle connection");
    else opts.logger.error({ err }, "postgres pool: idle client error");
  });
  return pool;
}

/** Drops a schema of ours (a test's or an eval scenario's) with everything in it, on its own connection. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${JSON.stringify(schema)}`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}
