// The case lock: two holders of one case key run one after the other; different keys run at the same time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";
import { withCaseLock } from "./case-lock.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hold(key: string, ms: number, spans: Array<[string, number, number]>) {
  // Separate pools stand in for separate processes: the lock lives in PostgreSQL, not in this process.
  await withCaseLock(db.newPool(2), key, async () => {
    const start = Date.now();
    await sleep(ms);
    spans.push([key, start, Date.now()]);
  });
}

describe("withCaseLock", () => {
  it("serialises holders of one key and lets other keys run in parallel", async () => {
    const spans: Array<[string, number, number]> = [];
    await Promise.all([hold("invoice:in_1", 200, spans), hold("invoice:in_1", 200, spans), hold("invoice:in_2", 200, spans)]);
    const same = spans.filter((s) => s[0] === "invoice:in_1").sort((a, b) => a[1] - b[1]);
    const other = spans.find((s) => s[0] === "invoice:in_2")!;
    expect(same[1][1]).toBeGreaterThanOrEqual(same[0][2]);
    // in_2 overlapped with the first in_1 holder.
    const first = same[0];
    expect(other[1] < first[2] && first[1] < other[2]).toBe(true);
  });

  it("commits on return and rolls back on throw", async () => {
    await db.pool.query("create table lock_probe (v text)");
    await withCaseLock(db.pool, "k", (c) => c.query("insert into lock_probe values ('kept')"));
    await expect(
      withCaseLock(db.pool, "k", async (c) => {
        await c.query("insert into lock_probe values ('lost')");
        throw new Error("handler bug");
      }),
    ).rejects.toThrow("handler bug");
    const { rows } = await db.pool.query("select v from lock_probe");
    expect(rows.map((r) => r.v)).toEqual(["kept"]);
    // The lock was released with the transaction: taking it again does not hang.
    expect(await withCaseLock(db.pool, "k", async () => "again")).toBe("again");
  });

  it("sends deferred statements with the commit, hands back their results, and rolls all back when one fails", async () => {
    await db.pool.query("create table defer_probe (v text primary key)");
    const seen: number[] = [];
    await withCaseLock(db.pool, "k2", async (tx) => {
      await tx.query("insert into defer_probe values ('now')");
      tx.defer("insert into defer_probe values ('later'), ('later too')", (r) => seen.push(r.rowCount ?? -1));
      tx.defer("update defer_probe set v = v where v = 'nothing'", (r) => seen.push(r.rowCount ?? -1));
      // Not there yet: deferred statements only go out with the commit.
      expect((await tx.query("select count(*)::int as n from defer_probe")).rows[0].n).toBe(1);
    });
    expect(seen).toEqual([2, 0]);
    await expect(
      withCaseLock(db.pool, "k2", async (tx) => {
        await tx.query("insert into defer_probe values ('with the failure')");
        tx.defer("insert into defer_probe values ('fine')");
        tx.defer("insert into defer_probe values ('now')"); // duplicate key: the whole transaction goes
      }),
    ).rejects.toThrow(/duplicate key/);
    const { rows } = await db.pool.query("select v from defer_probe order by v");
    expect(rows.map((r) => r.v)).toEqual(["later", "later too", "now"]);
    expect(await withCaseLock(db.pool, "k2", async () => "free")).toBe("free");
  });

  it("takes keys that need quoting", async () => {
    const key = "request:it's a \\ key; select 1";
    expect(await withCaseLock(db.pool, key, async (tx) => (await tx.query("select 1 as one")).rows[0].one)).toBe(1);
  });

  it("sends a prefetch read with the lock, prepared once per connection and executed after", async () => {
    const one = db.newPool(1);
    const read = { name: "lock_probe_read", text: "select $1::text as v, count(*)::int as n from pg_prepared_statements where name = 'lock_probe_read'", args: ["it's here"] };
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      await withCaseLock(one, "k3", async (_tx, prefetched) => void seen.push(prefetched?.rows[0]), { prefetch: read });
    }
    // The first message prepares (the count runs after the PREPARE in the same message), the others only execute.
    expect(seen).toEqual([{ v: "it's here", n: 1 }, { v: "it's here", n: 1 }, { v: "it's here", n: 1 }]);
    const { rows } = await one.query("select count(*)::int as n from pg_prepared_statements where name = 'lock_probe_read'");
    expect(rows[0].n).toBe(1);
  });
});

