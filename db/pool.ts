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
  // An idle client whose server went away emits 'error' on the pool; unhandled it would kill the process.
  pool.on("error", (err) => {
    opts.logger.error({ err }, "postgres pool: idle client error");
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
