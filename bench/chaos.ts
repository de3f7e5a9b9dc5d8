// `npm run chaos -- [--events N] [--kills N] [--fault-rate R] [--seed N]`: the load and fault suite. A simulator, a web
// process and two worker processes (app/main.ts, split roles, one PostgreSQL); thousands of signed webhooks with
// duplicates and out-of-order pairs; workers SIGKILLed mid-run and restarted; Stripe faults (5xx, 429, connections
// dropped before and after the write). Then the checks: every event done or visibly failed, none lost, each case in
// arrival order, no Stripe effect twice (by idempotency key and by case + action), every case's effect made.
// test/chaos.test.ts runs a small one in `npm test`. Its parts: chaos-world.ts (cases, stream), chaos-actors.ts
// (senders, approver), chaos-checks.ts (the checks and the figures).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";
import { NOW, prng, streamOf, world } from "./chaos-world.js";
import { formatChaos, verify, type ChaosReport } from "./chaos-checks.js";
import { startApprover, startSenders } from "./chaos-actors.js";

export { formatChaos, type ChaosCheck, type ChaosReport } from "./chaos-checks.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "whsec_chaos_0123456789abcdef0123";
const TOKEN = "chaos-approver-token-0123456789";

export interface ChaosOptions {
  /** Distinct events sent (duplicates come on top). */
  events: number;
  /** Worker SIGKILLs during the run. */
  kills: number;
  /** Share of Stripe API requests that fail (split over 5xx, 429, dropped before and after the write). */
  faultRate: number;
  /** Share of events delivered twice. */
  duplicateRate?: number;
  /** PRNG seed: the same seed sends the same stream. */
  seed?: number;
  /** Every n-th refund case is above the auto-refund limit and waits for a person (0: none). */
  approvalEvery?: number;
  /** The approver answers this many approvals at once (an answer storm); the rest once everything is sent. */
  answerBurst?: number;
  /** Concurrent webhook senders (Stripe sends many at once). */
  senders?: number;
  /** Give up waiting for the inbox to drain after this long. */
  timeoutMs?: number;
  /** Progress lines (the CLI prints them; the test keeps them for a failure's message). */
  log?: (line: string) => void;
}

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const rand = prng(o.seed ?? 15);
  const cases = Math.max(2, Math.ceil(o.events / 2));
  const refundCases = Math.ceil(cases / 2);
  const subscriptionCases = cases - refundCases;
  const approvalEvery = o.approvalEvery ?? 5;
  const seed = world(refundCases, subscriptionCases, approvalEvery);
  const stream = streamOf(refundCases, subscriptionCases, seed.stripe, rand, o.duplicateRate ?? 0.1);

  const dir = mkdtempSync(join(tmpdir(), "billops-chaos-"));
  const seedFile = join(dir, "seed.json");
  writeFileSync(seedFile, JSON.stringify(seed));
  const procs: Proc[] = [];
  const start = (name: string, args: string[], env: Record<string, string>): Proc => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, LOG_FORMAT: "json", LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const p: Proc = { name, child, output: [] };
    const keep = (d: Buffer) => {
      p.output.push(d.toString());
      if (p.output.length > 200) p.output.splice(0, 100);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    procs.push(p);
    return p;
  };
  const orphans = () => procs.forEach((p) => p.child.kill("SIGKILL"));
  process.once("exit", orphans);
  const until = async <T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 90_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await f().catch(() => null);
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}\n${procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-1500)}`).join("\n")}`);
      await sleep(100);
    }
  };

  let db: TestDatabase | undefined;
  try {
    db = await createTestDatabase();
    const webPort = await freePort();
    const web = `http://127.0.0.1:${webPort}`;
    const sim = start("sim", ["stripe/sim/cli.ts", "--port", "0", "--seed", seedFile, "--webhook-url", `${web}/webhooks/stripe`, "--webhook-secret", SECRET], {});
    const simUrl = await until("the simulator", async () => /listening on (http:\/\/\S+)/.exec(sim.output.join(""))?.[1]);
    const env = {
      DATABASE_URL: `${db.url}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}`,
      STRIPE_API_BASE: simUrl,
      STRIPE_WEBHOOK_SECRET: SECRET,
      APPROVER_TOKENS: `ops-chaos:${TOKEN}`,
      PORT: String(webPort),
      WORKER_CONCURRENCY: "2",
      // The shortest lease config allows: a killed worker's event is claimed again after it.
      EVENT_LEASE_SECONDS: "5",
    };
    start("web", ["app/main.ts", "--role", "web"], env);
    let workerNo = 0;
    const startWorker = () => start(`worker-${++workerNo}`, ["app/main.ts", "--role", "worker"], env);
    const workers = [startWorker(), startWorker()];
    await until("the web process", async () => (await fetch(`${web}/health`)).ok);
    const control = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${simUrl}${path}`, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`simulator control ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    // Faults on the Stripe API only (not the control API), checked in this order; a fault's rate lets the rest pass on.
    const share = o.faultRate / 4;
    const faultKinds: Record<string, string> = {};
    if (share > 0) {
      for (const [kind, spec] of [
        ["dropped after write", { method: "POST", path: "^/v1/", drop: "after_write", rate: share }],
        ["dropped before write", { method: "POST", path: "^/v1/", drop: "before_write", rate: share }],
        ["429", { path: "^/v1/", status: 429, rate: share }],
        ["5xx", { path: "^/v1/", status: 503, rate: share }],
      ] as const) {
        faultKinds[(await control("POST", "/_sim/faults", spec)).id] = kind;
      }
    }
    log(`chaos: ${stream.distinct.length} events (${refundCases} refund cases, ${subscriptionCases} subscription cases), ${stream.deliveries.length} deliveries (${stream.duplicates} duplicates, ${stream.outOfOrder} out-of-order pairs), ${o.kills} kills, Stripe fault rate ${o.faultRate}`);

    // Senders: every delivery is retried until billops answers 200, as Stripe does (one never answered is "lost").
    const started = Date.now();
    // One deadline for the whole run: the killer's waits and the drain both end at it (a hung web process must end in
    // failed checks, not in a hung run).
    const deadline = started + (o.timeoutMs ?? 600_000);
    const senders = startSenders(web, stream.deliveries, { senders: o.senders ?? 16, secret: SECRET, timestamp: NOW });
    const next = () => senders.sent();

    // Killer: SIGKILL a worker mid-run and start a new one; the k-th kill once about k/(kills+1) of the events are
    // finished, so the kills spread over the whole run, not just its start.
    const counts = async () => (await db!.pool.query("select count(*) filter (where status in ('pending', 'running'))::int as open, count(*) filter (where id = any($1) and status not in ('pending', 'running'))::int as finished from stripe_events", [stream.distinct.map((e) => e.id)])).rows[0] as { open: number; finished: number };
    const open = async () => (await counts()).open;
    let kills = 0;
    const killing = (async () => {
      while (kills < o.kills) {
        const target = Math.floor(((kills + 1) / (o.kills + 1)) * stream.distinct.length);
        // A new worker needs a few seconds to start: at least that long between kills.
        await sleep(2000 + Math.floor(rand() * 1500));
        for (;;) {
          const c = await counts();
          if (c.finished >= target || (c.open === 0 && next() >= stream.deliveries.length)) break;
          if (Date.now() > deadline) return;
          await sleep(200);
        }
        if ((await open()) === 0 && next() >= stream.deliveries.length) break;
        const i = kills % workers.length;
        const victim = workers[i]!;
        const exited = new Promise((r) => victim.child.once("exit", r));
        victim.child.kill("SIGKILL");
        await exited;
        kills++;
        log(`chaos: SIGKILL ${victim.name} (${kills}/${o.kills}), ${await open()} events open`);
        workers[i] = startWorker();
      }
    })();
    const approver = startApprover(web, TOKEN, { burst: o.answerBurst ?? 12 });

    await senders.done;
    log(`chaos: all ${stream.deliveries.length} deliveries sent in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await killing;
    // Every event is in and every kill done: the last approvals will not add up to a storm.
    approver.flush();

    // Drain: nothing open that is not waiting behind a failed event of its case, twice in a row with the simulator idle.
    const stuck = async () =>
      (
        await db!.pool.query(`
          select count(*)::int as n from stripe_events e
           where e.status in ('pending', 'running')
             and not exists (select 1 from stripe_events f where f.case_key = e.case_key and f.status = 'failed' and f.seq < e.seq)`)
      ).rows[0].n as number;
    let calm = 0;
    let drained = false;
    while (Date.now() < deadline) {
      const quiet = await (async () => {
        await control("GET", "/_sim/webhooks/idle");
        if ((await stuck()) > 0) return false;
        return (await approver.allAnswered()) === true;
      })().catch(() => false);
      calm = quiet ? calm + 1 : 0;
      if (calm >= 2) {
        drained = true;
        break;
      }
      await sleep(250);
    }
    await approver.stop();
    const drainSeconds = (Date.now() - started) / 1000;
    log(drained ? `chaos: drained in ${drainSeconds.toFixed(1)} s` : `chaos: NOT drained after ${drainSeconds.toFixed(1)} s`);
    return await verify(db, stream, { drained, answers: { ...approver.answers, storms: approver.storms() }, approvalEvery, refundCases, unacknowledged: senders.unacknowledged, kills, drainSeconds, faultKinds, faults: (await control("GET", "/_sim/faults")).data, writes: (await control("GET", "/_sim/requests?writes=true")).data, refunds: (await control("GET", "/_sim/objects?type=refund")).data });
  } finally {
    process.removeListener("exit", orphans);
    await Promise.all(
      procs.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        const exited = new Promise((r) => p.child.once("exit", r));
        p.child.kill("SIGTERM");
        const timer = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: { events: { type: "string", default: "2000" }, kills: { type: "string", default: "5" }, "fault-rate": { type: "string", default: "0.15" }, seed: { type: "string", default: "15" }, senders: { type: "string", default: "16" }, "answer-burst": { type: "string", default: "12" }, "timeout-seconds": { type: "string", default: "1200" } },
    strict: true,
  });
  const num = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max) {
      process.stderr.write(`chaos: --${name} must be a number from ${min} to ${max} (got ${JSON.stringify(text)})\n`);
      process.exit(2);
    }
    return n;
  };
  const report = await runChaos({
    events: Math.floor(num("events", values.events, 4, 1_000_000)),
    kills: Math.floor(num("kills", values.kills, 0, 1000)),
    faultRate: num("fault-rate", values["fault-rate"], 0, 0.8),
    seed: Math.floor(num("seed", values.seed, 0, 2 ** 31)),
    senders: Math.floor(num("senders", values.senders, 1, 256)),
    answerBurst: Math.floor(num("answer-burst", values["answer-burst"], 1, 500)),
    timeoutMs: num("timeout-seconds", values["timeout-seconds"], 10, 86_400) * 1000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${formatChaos(report)}\n`);
  process.exit(report.ok ? 0 : 1);
}
