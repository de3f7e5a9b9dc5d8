// Applies migrations/*.sql in file-name order, once each, recorded in schema_migrations, safe to run concurrently.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import type { Logger } from "../telemetry/log.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations/", import.meta.url));

export interface MigrateOptions {
  dir?: string;
  logger?: Logger;
}

export interface MigrateResult {
  schema: string;
  applied: string[];
  alreadyApplied: string[];
}

/** A checksum of an applied file that no longer matches: someone edited history. Add a new file instead. */
export class MigrationChecksumError extends Error {
  constructor(
    readonly file: string,
    readonly recorded: string,
    readonly actual: string,
  ) {
    super(`migration ${file} was changed after it was applied (recorded ${recorded.slice(0, 12)}, now ${actual.slice(0, 12)})`);
    this.name = "MigrationChecksumError";
  }
}

/** The schema migrations go into: the first entry of the pool's search_path ("$user" falls back to public). */
async function targetSchema(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ search_path: string }>("show search_path");
  const first = rows[0].search_path.split(",")[0]?.trim().replace(/^"(.*)"$/, "$1") ?? "";
  return first === "" || first === "$user" ? "public" : first;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function migrate(pool: pg.Pool, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const client = await pool.connect();
  const result: MigrateResult = { schema: "", applied: [], alreadyApplied: [] };
  try {
    const schema = await targetSchema(client);
    result.schema = schema;
    // A session lock (not xact) so the schema, the bookkeeping table and every file are covered by one critical
    // section: a second process waits here, then finds everything applied.
    await client.query("select pg_advisory_lock(hashtextextended($1, 0))", [`billops:migrate:${schema}`]);
    try {
      await client.query(`create schema if not exists ${quoteIdent(schema)}`);
      await client.query(`
        create table if not exists ${quoteIdent(schema)}.schema_migrations (
          name       text primary key,
          checksum   text not null,
          applied_at timestamptz not null default now()
        )`);
      const { rows } = await client.query<{ name: string; checksum: string }>(
        `select name, checksum from ${quoteIdent(schema)}.schema_migrations`,
      );
      const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
      for (const file of files) {
        const sql = await readFile(`${dir}/${file}`, "utf8");
        const checksum = createHash("sha256").update(sql).digest("hex");
        const before = recorded.get(file);
        if (before !== undefined) {
          if (before !== checksum) throw new MigrationChecksumError(file, before, checksum);
          result.alreadyApplied.push(file);
          continue;
        }
        await client.query("begin");
        try {
          await client.query(sql);
          await client.query(
            `insert into ${quoteIdent(schema)}.schema_migrations (name, checksum) values ($1, $2)`,
            [file, checksum],
          );
          await client.query("commit");
        } catch (err) {
          await client.query("rollback");
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
        result.applied.push(file);
        opts.logger?.info({ migration: file, schema }, "migration applied");
      }
    } finally {
      await client.query("select pg_advisory_unlock(hashtextextended($1, 0))", [`billops:migrate:${schema}`]);
    }
  } finally {
    client.release();
  }
  return result;
}
