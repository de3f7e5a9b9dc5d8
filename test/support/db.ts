// The shared test database: a fresh, migrated schema per test file on the local PostgreSQL, dropped on close.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { createPool, dropSchema } from "../../db/pool.js";
import { migrate } from "../../db/migrate.js";
import { silentLogger } from "../../telemetry/log.js";

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  /** A pool whose every connection has search_path = schema. */
  pool: pg.Pool;
  schema: string;
  /** The server URL (without the schema): pass it with `schema` to createPool in child processes. */
  url: string;
  /** A pool on the same schema for another "process" in this one (e.g. a second worker). Closed by close(). */
  newPool(max?: number): pg.Pool;
  close(): Promise<void>;
}

export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = TEST_DATABASE_URL;
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const pools: pg.Pool[] = [];
  const newPool = (max = 10) => {
    const p = createPool(url, { schema, max, logger: silentLogger });
    pools.push(p);
    return p;
  };
  const pool = newPool();
  if (opts.migrate !== false) await migrate(pool);
  return {
    pool,
    schema,
    url,
    newPool,
    async close() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await dropSchema(url, schema);
    },
  };
}
