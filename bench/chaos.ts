// `npm run chaos -- [--events N] [--kills N] [--fault-rate R] [--seed N]`: the load and fault suite. A simulator, a web
// process and two worker processes (app/main.ts, split roles, one PostgreSQL); thousands of signed webhooks with
// duplicates and out-of-order pairs; workers SIGKILLed mid-run and restarted; Stripe faults (5xx, 429, connections
// dropped before and after the write). Then the checks: every event done or visibly failed, none lost, each case in
// arrival order, no Stripe effect twice (by idempotency key and by case + action), every case's effect made.
// test/chaos.test.ts runs a small one in `npm test`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import Stripe from "stripe";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NOW = 1796300000;
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
  /** Concurrent webhook senders (Stripe sends many at once). */
  senders?: number;
  /** Give up waiting for the inbox to drain after this long. */
  timeoutMs?: number;
  /** Progress lines (the CLI prints them; the test keeps them for a failure's message). */
  log?: (line: string) => void;
}

export interface ChaosCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  events: number;
  deliveries: number;
  duplicatesSent: number;
  outOfOrderPairs: number;
  cases: number;
  kills: number;
  faultsInjected: Record<string, number>;
  /** Sent events billops never stored (or never acknowledged). */
  lost: number;
  duplicateEffects: number;
  failedEvents: number;
  blockedEvents: number;
  drainSeconds: number;
  /** Answers sent (accepted, 409, other errors, timeouts) and approvals accepted as the database has them. */
  approvals: { accepted: number; conflicts: number; errors: number; timeouts: number; acceptedInDatabase: number };
  statuses: Record<string, number>;
  checks: ChaosCheck[];
  ok: boolean;
}

/** mulberry32: a small seeded PRNG, so a run can be repeated event for event. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Refund cases (a charge with an early fraud warning: a small one refunded automatically, a Stripe write; one above
 * the auto-refund limit, every `approvalEvery`-th, waits for a person, who accepts through the web process) and
 * subscription cases (decisions, no write).
 */
function world(refundCases: number, subscriptionCases: number, approvalEvery: number) {
  const price = { id: "price_basic_m", object: "price", active: true, currency: "usd", product: "prod_basic", nickname: "Basic", type: "recurring", unit_amount: 2900, recurring: { interval: "month", interval_count: 1 }, lookup_key: "basic" };
  const customers: any[] = [];
  const paymentMethods: any[] = [];
  const paymentIntents: any[] = [];
  const charges: any[] = [];
  const warnings: any[] = [];
  for (let i = 0; i < refundCases; i++) {
    const cus = `cus_chaos${i}`;
    customers.push({ id: cus, object: "customer", email: `c${i}@example.com`, name: `Chaos ${i}`, created: NOW - 400 * 86400, currency: "usd", metadata: {} });
    paymentMethods.push({ id: `pm_chaos${i}`, object: "payment_method", type: "card", customer: cus, card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2030, country: "US", funding: "credit" }, created: NOW - 400 * 86400, metadata: {} });
    const amount = chargeAmount(i, approvalEvery);
    paymentIntents.push({ id: `pi_chaos${i}`, object: "payment_intent", amount, amount_received: amount, currency: "usd", customer: cus, status: "succeeded", created: NOW - 86400, latest_charge: `ch_chaos${i}`, payment_method: `pm_chaos${i}`, metadata: {} });
    charges.push({ id: `ch_chaos${i}`, object: "charge", amount, amount_captured: amount, amount_refunded: 0, captured: true, currency: "usd", customer: cus, paid: true, refunded: false, disputed: false, status: "succeeded", created: NOW - 86400, description: `Order ${i}`, metadata: {}, payment_intent: `pi_chaos${i}`, payment_method: `pm_chaos${i}` });
    warnings.push({ id: `issfr_chaos${i}`, object: "radar.early_fraud_warning", actionable: true, charge: `ch_chaos${i}`, created: NOW - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: `pi_chaos${i}` });
  }
  customers.push({ id: "cus_chaos_subs", object: "customer", email: "subs@example.com", name: "Subscriber", created: NOW - 400 * 86400 });
  const subscriptions = Array.from({ length: subscriptionCases }, (_, i) => ({
    id: `sub_chaos${i}`, object: "subscription", customer: "cus_chaos_subs", status: "active", currency: "usd", created: NOW - 100 * 86400,
    items: { object: "list", data: [{ id: `si_chaos${i}`, object: "subscription_item", subscription: `sub_chaos${i}`, quantity: 1, current_period_start: NOW - 86400, current_period_end: NOW + 29 * 86400, price }] },
  }));
  return {
    now: NOW,
    stripe: {
      customers,
      products: [{ id: "prod_basic", object: "product", name: "Basic", active: true }],
      prices: [price],
      payment_methods: paymentMethods,
      payment_intents: paymentIntents,
      charges,
      early_fraud_warnings: warnings,
      subscriptions,
    },
  };
}

/** $90 (above the $50 auto-refund limit: a person approves) for every `every`-th case, else $15 (refunded alone). */
const chargeAmount = (i: number, every: number) => (every > 0 && i % every === every - 1 ? 9000 : 1500);

interface Sent {
  id: string;
  caseKey: string;
  payload: string;
}

/** Two events per case, the second created a second later; `swap`: the later one is delivered first. */
function streamOf(refundCases: number, subscriptionCases: number, seed: World["stripe"], rand: () => number, duplicateRate: number) {
  const pairs: Sent[][] = [];
  const event = (id: string, type: string, object: unknown, created: number) =>
    JSON.stringify({ id, object: "event", api_version: "2026-10-28.endive", created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } });
  for (let i = 0; i < refundCases; i++) {
    const w = seed.early_fraud_warnings[i];
    pairs.push([0, 1].map((k) => ({ id: `evt_chaos_efw${i}_${k}`, caseKey: `charge:ch_chaos${i}`, payload: event(`evt_chaos_efw${i}_${k}`, "radar.early_fraud_warning.created", w, NOW - 30 + k) })));
  }
  for (let i = 0; i < subscriptionCases; i++) {
    const s = seed.subscriptions[i];
    pairs.push([0, 1].map((k) => ({ id: `evt_chaos_sub${i}_${k}`, caseKey: `subscription:sub_chaos${i}`, payload: event(`evt_chaos_sub${i}_${k}`, "customer.subscription.updated", s, NOW - 30 + k) })));
  }
  // Cases interleave at random; within a case, a third of the pairs arrive newest first.
  let outOfOrder = 0;
  const queues = pairs.map((p) => {
    if (rand() < 1 / 3) {
      outOfOrder++;
      return [p[1]!, p[0]!];
    }
    return [...p];
  });
  const order: Sent[] = [];
  const live = queues.map((_, i) => i);
  while (live.length) {
    const j = Math.floor(rand() * live.length);
    const q = queues[live[j]!]!;
    order.push(q.shift()!);
    if (q.length === 0) live.splice(j, 1);
  }
  // Duplicates: a copy somewhere after the original (Stripe retries later; sometimes right away).
  let duplicates = 0;
  const deliveries = [...order];
  for (let i = 0; i < order.length; i++) {
    if (rand() >= duplicateRate) continue;
    duplicates++;
    const at = Math.min(deliveries.length, i + 1 + Math.floor(rand() * (rand() < 0.3 ? 2 : order.length / 4)));
    deliveries.splice(at, 0, order[i]!);
  }
  return { distinct: order, deliveries, duplicates, outOfOrder };
}
type World = ReturnType<typeof world>;

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

    // Senders: every delivery is retried until billops answers 200, as Stripe does (a refused one is "lost").
    const stripe = new Stripe("sk_test_chaos", { telemetry: false });
    const unacknowledged: string[] = [];
    let next = 0;
    const sendOne = async (s: Sent) => {
      for (let attempt = 1; attempt <= 30; attempt++) {
        try {
          const header = stripe.webhooks.generateTestHeaderString({ payload: s.payload, secret: SECRET, timestamp: NOW });
          const res = await fetch(`${web}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: s.payload, signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          /* the web process is busy or down: again, later */
        }
        await sleep(100 * attempt);
      }
      unacknowledged.push(s.id);
    };
    const started = Date.now();
    const sending = Promise.all(
      Array.from({ length: o.senders ?? 16 }, async () => {
        while (next < stream.deliveries.length) await sendOne(stream.deliveries[next++]!);
      }),
    );

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
          if (c.finished >= target || (c.open === 0 && next >= stream.deliveries.length)) break;
          await sleep(200);
        }
        if ((await open()) === 0 && next >= stream.deliveries.length) break;
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
    // The approver: accepts every pending approval through the web process, all of a round at once (people answering
    // their queue together: an answer storm on one web process), retrying an answer that failed for a passing reason.
    const answers = { accepted: 0, conflicts: 0, errors: 0, timeouts: 0 };
    const answered = new Set<string>();
    let approving = true;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${web}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    const pendingApprovals = async (): Promise<{ id: string }[] | null> => {
      try {
        const res = await api("GET", "/approvals?status=pending&limit=500");
        return res.ok ? ((await res.json()) as { data: { id: string }[] }).data : null;
      } catch {
        answers.timeouts++;
        return null;
      }
    };
    const approver = (async () => {
      while (approving) {
        const todo = ((await pendingApprovals()) ?? []).filter((a) => !answered.has(a.id));
        await Promise.all(
          todo.map(async (a) => {
            for (let attempt = 1; attempt <= 5; attempt++) {
              try {
                const res = await api("POST", `/approvals/${a.id}`, { type: "accept" });
                await res.arrayBuffer();
                if (res.ok || res.status === 409) {
                  // 409: answered already (a retry of an answer that went through) or superseded by a newer event.
                  res.ok ? answers.accepted++ : answers.conflicts++;
                  answered.add(a.id);
                  return;
                }
                answers.errors++;
              } catch {
                answers.timeouts++;
              }
              await sleep(200 * attempt);
            }
          }),
        );
        await sleep(300);
      }
    })();

    await sending;
    log(`chaos: all ${stream.deliveries.length} deliveries sent in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await killing;

    // Drain: nothing open that is not waiting behind a failed event of its case, twice in a row with the simulator idle.
    const stuck = async () =>
      (
        await db!.pool.query(`
          select count(*)::int as n from stripe_events e
           where e.status in ('pending', 'running')
             and not exists (select 1 from stripe_events f where f.case_key = e.case_key and f.status = 'failed' and f.seq < e.seq)`)
      ).rows[0].n as number;
    let calm = 0;
    const deadline = Date.now() + (o.timeoutMs ?? 600_000);
    let drained = false;
    while (Date.now() < deadline) {
      const quiet = await (async () => {
        await control("GET", "/_sim/webhooks/idle");
        if ((await stuck()) > 0) return false;
        const pending = await pendingApprovals();
        return pending !== null && pending.every((a) => answered.has(a.id));
      })().catch(() => false);
      calm = quiet ? calm + 1 : 0;
      if (calm >= 2) {
        drained = true;
        break;
      }
      await sleep(250);
    }
    approving = false;
    await approver;
    const drainSeconds = (Date.now() - started) / 1000;
    log(drained ? `chaos: drained in ${drainSeconds.toFixed(1)} s` : `chaos: NOT drained after ${drainSeconds.toFixed(1)} s`);
    return await verify(db, stream, { drained, answers, approvalEvery, refundCases, unacknowledged, kills, drainSeconds, faultKinds, faults: (await control("GET", "/_sim/faults")).data, writes: (await control("GET", "/_sim/requests?writes=true")).data, refunds: (await control("GET", "/_sim/objects?type=refund")).data });
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

interface Observed {
  drained: boolean;
  answers: { accepted: number; conflicts: number; errors: number; timeouts: number };
  approvalEvery: number;
  refundCases: number;
  unacknowledged: string[];
  kills: number;
  drainSeconds: number;
  faultKinds: Record<string, string>;
  faults: { id: string; hits: number }[];
  writes: { method: string; path: string; idempotencyKey: string | null; status: number; replayed: boolean; objectId: string | null; params: Record<string, string> }[];
  refunds: { id: string; charge: string; amount: number; status?: string }[];
}

async function verify(db: TestDatabase, stream: ReturnType<typeof streamOf>, x: Observed): Promise<ChaosReport> {
  const checks: ChaosCheck[] = [];
  const check = (name: string, bad: string[], ok = "none") => checks.push({ name, ok: bad.length === 0, detail: bad.length === 0 ? ok : `${bad.length}: ${bad.slice(0, 8).join("; ")}${bad.length > 8 ? " …" : ""}` });
  check("drained in time (nothing open but what waits behind a failed event; every approval answered)", x.drained ? [] : ["the inbox or the approvals did not settle before the timeout"]);
  const sentIds = stream.distinct.map((s) => s.id);
  const { rows } = await db.pool.query<{ id: string; case_key: string; seq: string; status: string; attempts: number; finished_at: Date | null; last_error: string | null }>(
    // Ordered by the bigint, not by its text (where "10" sorts before "3").
    "select id, case_key, seq::text as seq, status, attempts, finished_at, last_error from stripe_events where id = any($1) order by stripe_events.seq",
    [sentIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lost = sentIds.filter((id) => !byId.has(id));
  check("none lost (every sent event stored once)", [...lost.map((id) => `${id} not stored`), ...x.unacknowledged.map((id) => `${id} never acknowledged`)]);

  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const failed = rows.filter((r) => r.status === "failed");
  const blocked = rows.filter((r) => (r.status === "pending" || r.status === "running") && failed.some((f) => f.case_key === r.case_key && BigInt(f.seq) < BigInt(r.seq)));
  const open = rows.filter((r) => (r.status === "pending" || r.status === "running") && !blocked.includes(r));
  check("every event done, or failed visibly (failed, or waiting behind a failed event of its case)", open.map((r) => `${r.id} ${r.status} after ${r.attempts} attempts`));
  check("no event failed", failed.map((r) => `${r.id} (${r.case_key}) failed after ${r.attempts} attempts: ${(r.last_error ?? "").slice(0, 160)}`));

  // Arrival order within a case: each done event finished after the one that arrived before it.
  const disorder: string[] = [];
  const perCase = new Map<string, typeof rows>();
  for (const r of rows) perCase.set(r.case_key, [...(perCase.get(r.case_key) ?? []), r]);
  for (const [caseKey, list] of perCase) {
    const done = list.filter((r) => r.finished_at);
    for (let i = 1; i < done.length; i++) {
      const [a, b] = [done[i - 1]!, done[i]!];
      if (b.finished_at! < a.finished_at!) disorder.push(`${caseKey}: ${b.id} (seq ${b.seq}, attempt ${b.attempts}) finished at ${b.finished_at!.toISOString()}, before ${a.id} (seq ${a.seq}, attempt ${a.attempts}) at ${a.finished_at!.toISOString()}`);
    }
  }
  check("per-case order kept (done events finished in arrival order)", disorder);

  // Stripe effects. By idempotency key: a key executed (not replayed, 2xx) more than once is a duplicate write.
  const executed = x.writes.filter((w) => w.status >= 200 && w.status < 300 && !w.replayed);
  const perKey = new Map<string, number>();
  for (const w of executed) if (w.idempotencyKey) perKey.set(w.idempotencyKey, (perKey.get(w.idempotencyKey) ?? 0) + 1);
  const dupKeys = [...perKey].filter(([, n]) => n > 1).map(([k, n]) => `${k} executed ${n} times`);
  const keyless = executed.filter((w) => !w.idempotencyKey).map((w) => `${w.method} ${w.path} without an idempotency key`);
  // By case and action: billops' keys are billops:<case>:<event or approval>:<action>; two keys for one case's action
  // mean two decisions acted; and Stripe's own view: at most one refund per charge.
  const perCaseAction = new Map<string, Set<string>>();
  for (const k of perKey.keys()) {
    const m = /^billops:((?:charge|invoice|subscription|dispute|request):[^:]+):.+:([a-z_]+)$/.exec(k);
    if (!m) continue;
    const key = `${m[1]} ${m[2]}`;
    perCaseAction.set(key, (perCaseAction.get(key) ?? new Set()).add(k));
  }
  const dupActions = [...perCaseAction].filter(([, keys]) => keys.size > 1).map(([ca, keys]) => `${ca} by ${keys.size} keys`);
  const refundsPerCharge = new Map<string, number>();
  for (const r of x.refunds) refundsPerCharge.set(r.charge, (refundsPerCharge.get(r.charge) ?? 0) + 1);
  const dupRefunds = [...refundsPerCharge].filter(([, n]) => n > 1).map(([c, n]) => `${c} refunded ${n} times`);
  const duplicateEffects = dupKeys.length + dupActions.length + dupRefunds.length;
  check("no duplicate Stripe effect by idempotency key", [...dupKeys, ...keyless]);
  check("no duplicate Stripe effect by case + action (one refund per charge)", [...dupActions, ...dupRefunds]);

  // Every refund case's effect was made: a fraud warning on a small charge is refunded (decided and acted once).
  const missing: string[] = [];
  for (let i = 0; i < x.refundCases; i++) {
    const charge = `ch_chaos${i}`;
    const refund = x.refunds.find((r) => r.charge === charge);
    if (refund && refund.amount !== chargeAmount(i, x.approvalEvery)) missing.push(`${charge} refunded ${refund.amount}, not ${chargeAmount(i, x.approvalEvery)}`);
    if (refund) continue;
    const evs = rows.filter((r) => r.case_key === `charge:${charge}`);
    if (evs.some((r) => r.status === "failed" || blocked.includes(r))) continue; // visibly failed: counted above
    // What the case's story says, so a failure names the fault: its approvals and the trail of its last run.
    const approvals = await db.pool.query("select id, status, response->>'type' as answer from approvals where case_key = $1 order by created_at", [`charge:${charge}`]);
    const trail = await db.pool.query("select kind, data->>'action' as action from audit_log where case_key = $1 order by id", [`charge:${charge}`]);
    missing.push(
      `${charge} not refunded though its events are ${evs.map((r) => r.status).join("/")}; approvals ${approvals.rows.map((a) => `${a.status}${a.answer ? `(${a.answer})` : ""}`).join(", ") || "none"}; audit ${trail.rows.map((t) => (t.action ? `${t.kind}:${t.action}` : t.kind)).join(" → ")}`,
    );
  }
  check("every refund case acted on (its events done, its refund made; above the limit once a person accepted)", missing);
  const { rows: waiting } = await db.pool.query<{ id: string; case_key: string }>("select id, case_key from approvals where status = 'pending'");
  check("no approval left waiting (every one answered, none stuck behind a thread that moved on)", waiting.map((a) => `${a.id} on ${a.case_key}`));
  const { rows: accepted } = await db.pool.query<{ case_key: string; status: string }>("select case_key, status from approvals where status in ('accepted', 'edited')");

  const faultsInjected: Record<string, number> = {};
  for (const f of x.faults) {
    const kind = x.faultKinds[f.id] ?? f.id;
    faultsInjected[kind] = (faultsInjected[kind] ?? 0) + f.hits;
  }
  return {
    events: sentIds.length,
    deliveries: stream.deliveries.length,
    duplicatesSent: stream.duplicates,
    outOfOrderPairs: stream.outOfOrder,
    cases: perCase.size,
    kills: x.kills,
    faultsInjected,
    lost: lost.length + x.unacknowledged.length,
    duplicateEffects,
    failedEvents: failed.length,
    blockedEvents: blocked.length,
    drainSeconds: x.drainSeconds,
    approvals: { ...x.answers, acceptedInDatabase: accepted.length },
    statuses,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

export function formatChaos(r: ChaosReport): string {
  const faults = Object.entries(r.faultsInjected).map(([k, n]) => `${k} ${n}`).join(", ");
  const total = Object.values(r.faultsInjected).reduce((a, b) => a + b, 0);
  return [
    `events ${r.events} (${r.deliveries} deliveries: ${r.duplicatesSent} duplicates, ${r.outOfOrderPairs} out-of-order pairs) on ${r.cases} cases`,
    `worker SIGKILLs ${r.kills}; Stripe faults injected ${total} (${faults || "none"})`,
    `approvals accepted ${r.approvals.acceptedInDatabase} (answers: ${r.approvals.accepted} ok, ${r.approvals.conflicts} 409, ${r.approvals.errors} errors, ${r.approvals.timeouts} timeouts)`,
    `lost ${r.lost}; duplicate Stripe effects ${r.duplicateEffects}; failed events ${r.failedEvents} (+${r.blockedEvents} waiting behind them); drain ${r.drainSeconds.toFixed(1)} s`,
    `statuses ${JSON.stringify(r.statuses)}`,
    ...r.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: { events: { type: "string", default: "2000" }, kills: { type: "string", default: "5" }, "fault-rate": { type: "string", default: "0.15" }, seed: { type: "string", default: "15" }, senders: { type: "string", default: "16" }, "timeout-seconds": { type: "string", default: "1200" } },
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
    timeoutMs: num("timeout-seconds", values["timeout-seconds"], 10, 86_400) * 1000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${formatChaos(report)}\n`);
  process.exit(report.ok ? 0 : 1);
}
