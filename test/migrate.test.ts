// Migrations: applied once, recorded with checksums, harmless twice and from two processes at once.
import { mkdtemp, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR, MigrationChecksumError } from "../db/migrate.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe("migrate", () => {
  it("applies every file once, creates the schema, and a second run applies nothing", async () => {
    db = await createTestDatabase({ migrate: false });
    const first = await migrate(db.pool);
    expect(first.schema).toBe(db.schema);
    expect(first.applied).toContain("001_inbox.sql");
    const second = await migrate(db.pool);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const { rows } = await db.pool.query("select name, checksum from schema_migrations order by name");
    expect(rows.map((r) => r.name)).toEqual(first.applied);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    const { rows: t } = await db.pool.query(
      "select count(*)::int as n from information_schema.tables where table_schema = $1 and table_name = 'stripe_events'",
      [db.schema],
    );
    expect(t[0].n).toBe(1);
  });

  it("is harmless from several connections at once (the lock serialises them)", async () => {
    db = await createTestDatabase({ migrate: false });
    const pools = [db.newPool(1), db.newPool(1), db.newPool(1), db.newPool(1)];
    const results = await Promise.all(pools.map((p) => migrate(p)));
    const appliedCounts = results.map((r) => r.applied.length).sort();
    // Exactly one run applied the files; the others waited and found them recorded.
    expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
    const { rows } = await db.pool.query("select count(*)::int as n from schema_migrations");
    expect(rows[0].n).toBe(results.find((r) => r.applied.length > 0)!.applied.length);
  });

  it("refuses to continue when an applied file has changed", async () => {
    db = await createTestDatabase({ migrate: false });
    const dir = await mkdtemp(join(tmpdir(), "billops-mig-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(db.pool, { dir });
    await writeFile(join(dir, "001_inbox.sql"), "-- edited\n", { flag: "a" });
    await expect(migrate(db.pool, { dir })).rejects.toBeInstanceOf(MigrationChecksumError);
  });

  it("rolls back a failing file and records nothing for it", async () => {
    db = await createTestDatabase({ migrate: false });
    const dir = await mkdtemp(join(tmpdir(), "billops-mig-"));
    await writeFile(join(dir, "001_ok.sql"), "create table a (x int);");
    await writeFile(join(dir, "002_bad.sql"), "create table b (x int); select nope;");
    await expect(migrate(db.pool, { dir })).rejects.toThrow(/002_bad.sql/);
    const { rows } = await db.pool.query("select name from schema_migrations");
    expect(rows.map((r) => r.name)).toEqual(["001_ok.sql"]);
    const { rows: b } = await db.pool.query("select to_regclass('b') as t");
    expect(b[0].t).toBeNull();
  });
});
