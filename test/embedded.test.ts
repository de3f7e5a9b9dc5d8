// The offline database: first start initialises, a killed owner's server is adopted, a stale pid file is cleared,
// and a project folder the postgres OS user cannot enter (like /root, mode 700) still works.
import { fork, spawnSync } from "node:child_process";
import { mkdtemp, mkdir, chmod, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../db/embedded.js";
import { silentLogger } from "../telemetry/log.js";

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

// A port nothing listens on now, from the OS: a random pick in 55000-60000 sits in Linux's ephemeral range, where the
// test run's own outgoing connections (database pools, HTTP) may hold it.
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

async function query(url: string, sql: string): Promise<any[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("startEmbeddedPostgres", () => {
  it("starts, survives its owner being SIGKILLed (adopted), stops, and restarts over a stale pid file", { timeout: 180_000 }, async () => {
    // A /root-like parent: owned by root, mode 700, so the postgres OS user could not enter it unaided.
    const root = await mkdtemp(join(tmpdir(), "billops-emb-"));
    const locked = join(root, "home");
    await mkdir(locked, { mode: 0o700 });
    await chmod(locked, 0o700);
    const dataDir = join(locked, "project", ".billops");
    const port = await freePort();
    try {
      // 1. Another process starts it (first start: initdb) and is then killed without a chance to clean up.
      const child = fork(fileURLToPath(new URL("./support/embedded-process.ts", import.meta.url)), [], {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, BILLOPS_DATA_DIR: dataDir, BILLOPS_PG_PORT: String(port) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const started = await new Promise<{ url: string; origin: string }>((resolve, reject) => {
        child.once("message", (m) => resolve(m as { url: string; origin: string }));
        child.once("exit", (code) => reject(new Error(`embedded process exited (${code})`)));
      });
      expect(started.origin).toBe("started");
      await query(started.url, "create table kept (v text); insert into kept values ('before the kill')");
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      if (process.getuid?.() === 0) expect((await stat(locked)).mode & 0o001).toBe(0o001);

      // 2. The orphaned server still runs; the next start adopts it instead of failing on the pid file.
      expect(await listens(port)).toBe(true);
      const adopted = await startEmbeddedPostgres({ dataDir, port, logger: silentLogger });
      expect(adopted.origin).toBe("adopted");
      expect(await query(adopted.url, "select v from kept")).toEqual([{ v: "before the kill" }]);
      await adopted.stop();
      expect(await listens(port)).toBe(false);

      // 3. A stale postmaster.pid naming a dead process does not block the next start.
      const dead = spawnSync("true").pid!;
      await writeFile(join(dataDir, "pg", "postmaster.pid"), `${dead}\n${join(dataDir, "pg")}\n0\n${port}\n`);
      const again = await startEmbeddedPostgres({ dataDir, port, logger: silentLogger });
      try {
        expect(again.origin).toBe("started");
        expect(await query(again.url, "select v from kept")).toEqual([{ v: "before the kill" }]);
        expect(await query(again.url, "select current_database() as db")).toEqual([{ db: "billops" }]);
    } finally {
      await again.stop();
    }
    expect(await listens(port)).toBe(false);
    } finally {
      // A failure half-way must not leave a server running on the CI machine.
      const pid = Number.parseInt((await readFile(join(dataDir, "pg", "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0] ?? "", 10);
      if (pid > 0) {
        try {
          process.kill(pid, "SIGINT");
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, pid > 0 ? 500 : 0));
      await rm(root, { recursive: true, force: true });
    }
  });
});
