// Missed-event recovery end to end: billops is stopped for four days while the simulator makes events whose webhooks
// fail; billops comes back, Stripe later delivers two of them after all, and `npm run reconcile` enqueues the rest
// through the webhook's path. Every case is decided once, no Stripe write is made twice, and the runs are recorded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { startSimulator, type Simulator } from "../stripe/sim/index.js";
import { createGateway } from "../stripe/gateway/index.js";
import { createEventLister } from "../stripe/gateway/events.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { startBillops, type Billops } from "../app/runtime.js";
import { silentLogger } from "../telemetry/log.js";
import { isIdle } from "../engine/inbox/index.js";
import { reconcile } from "../engine/reconcile.js";
import { main as reconcileCli } from "../app/reconcile-cli.js";

const NOW = 1796300000;
const DAY = 86_400;
const TOKEN = "reconcile-test-token-0123456789";
const SECRET = `whsec_${randomBytes(12).toString("hex")}`;

let db: TestDatabase;
let sim: Simulator;
let stripe: Stripe;
let billops: Billops | null = null;

async function startBillopsOnce(reconcileIntervalMs?: number): Promise<Billops> {
  const b = await startBillops({
    reconcileIntervalMs,
    pool: db.pool,
    schema: db.schema,
    gateway: createGateway({ secretKey: "sk_test_reconcile", baseUrl: sim.url, maxNetworkRetries: 2 }),
    clock: sim.clock,
    webhookSecret: SECRET,
    approverTokens: new Map([[TOKEN, "ops-rec"]]),
    policy: parsePolicyConfig({}),
    port: 0,
    logger: silentLogger,
    worker: { pollIntervalMs: 50, backoffBaseMs: 50 },
    schedulerIntervalMs: 3_600_000,
  });
  sim.webhooks.setEndpoint({ url: `${b.url}/webhooks/stripe`, secret: SECRET });
  return b;
}

async function quiet(ms = 30_000) {
  const deadline = Date.now() + ms;
  let calm = 0;
  while (calm < 2) {
    if (Date.now() > deadline) throw new Error("billops did not become quiet");
    await sim.webhooks.idle();
    calm = (await isIdle(db.pool)) ? calm + 1 : 0;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const cli = async (...argv: string[]) => {
  let out = "";
  let err = "";
  const io = {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    env: { DATABASE_URL: db.url, BILLOPS_SCHEMA: db.schema, STRIPE_API_BASE: sim.url, LOG_LEVEL: "silent" } as NodeJS.ProcessEnv,
  };
  const code = await reconcileCli(argv, io);
  return { code, out, err };
};

const routedCase = (o: Record<string, string | null>, type: string) =>
  type === "invoice.payment_failed" ? `invoice:${o.invoice}` : type === "customer.subscription.updated" ? `subscription:${o.subscription}` : type === "charge.dispute.created" ? `dispute:${o.dispute}` : `charge:${o.charge}`;

beforeAll(async () => {
  db = await createTestDatabase();
  // Two quick attempts per event: an endpoint that is down stays down for these, as for Stripe's three days.
  sim = await startSimulator({ now: NOW, logger: silentLogger, webhookRetry: { maxAttempts: 2, baseDelayMs: 5 } });
  stripe = new Stripe("sk_test_reconcile", { host: sim.host, port: sim.port, protocol: "http" });
  billops = await startBillopsOnce();
}, 60_000);

afterAll(async () => {
  await billops?.stop();
  await sim?.stop();
  await db?.close();
});

describe("reconcile", () => {
  const live: { type: string; caseKey: string }[] = [];
  const missed: { type: string; caseKey: string; events: string[] }[] = [];
  let missedTotal = 0;

  it("with nothing missed: every listed event is one billops has, and the run is recorded", async () => {
    for (const type of ["radar.early_fraud_warning.created", "invoice.payment_failed"]) {
      const r = sim.trigger(type);
      live.push({ type, caseKey: routedCase(r.objects, type) });
    }
    await quiet();
    const r = await cli();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/start: stripe retention|start: newest stored event/);
    const total = (await allIds({})).length;
    expect(r.out).toContain(`listed ${total}, already had ${total}, enqueued 0`);
  });

  it("recovers every event made while billops was down for four days; each case decided once", async () => {
    await billops!.stop();
    billops = null;
    // Down: every delivery is refused (connection refused), and Stripe gives up on each.
    sim.webhooks.setEndpoint({ url: "http://127.0.0.1:9/webhooks/stripe", secret: SECRET });
    // Moving the clock fires what falls due on the way (renewals and the like), at their own times.
    const outageStart = sim.clock.now() + 1;
    await sim.clock.advance(4 * DAY);
    const types = ["radar.early_fraud_warning.created", "radar.early_fraud_warning.created", "invoice.payment_failed", "invoice.payment_failed", "customer.subscription.updated", "charge.dispute.created"];
    for (const type of types) {
      const r = sim.trigger(type);
      missed.push({ type, caseKey: routedCase(r.objects, type), events: r.events });
      await sim.clock.advance(3600);
    }
    await sim.webhooks.idle();
    // What billops missed: every event of the outage (the triggers' and those of the moving clock), none from before.
    const missedIds = await allIds({ delivery_success: false });
    for (const id of missed.flatMap((m) => m.events)) expect(missedIds).toContain(id);
    const outage = await allIds({ created: { gte: outageStart } });
    expect(new Set(missedIds)).toEqual(new Set(outage));
    missedTotal = missedIds.length;

    billops = await startBillopsOnce();
    // Two of the missed events reach billops after all (Stripe's retry, a person's "resend"): same ids.
    const late = [missed[0]!.events.at(-1)!, missed[2]!.events.at(-1)!];
    for (const id of late) await sim.webhooks.deliver(await stripe.events.retrieve(id));
    await quiet();

    const r = await cli();
    expect(r.code).toBe(0);
    expect(r.out).toContain("start: previous run");
    // The listing starts five minutes before the last run ended, so it also lists events from before the outage.
    const [, listed, had, enqueued] = /listed (\d+), already had (\d+), enqueued (\d+)/.exec(r.out)!.map(Number);
    expect(enqueued).toBe(missedIds.length - 2);
    expect(listed).toBe(had! + enqueued!);
    expect(had).toBeGreaterThanOrEqual(2);
    // Two fraud warnings missed, one of them delivered late: one enqueued.
    expect(r.out).toMatch(/radar\.early_fraud_warning\.created\s+listed\s+\d+\s+already had\s+\d+\s+enqueued\s+1\n/);
    await quiet();

    // Every missed event is in the inbox once, finished.
    const { rows } = await db.pool.query("select id, status, case_key from stripe_events where id = any($1)", [missedIds]);
    expect(rows.map((x) => x.id).sort()).toEqual([...missedIds].sort());
    expect(rows.filter((x) => !["done", "ignored"].includes(x.status))).toEqual([]);

    // Each routed trigger event decided exactly once, on its case.
    for (const m of missed) {
      const trigger = m.events.find((id) => rows.find((x) => x.id === id && x.case_key === m.caseKey))!;
      expect(trigger, `${m.type}: no event of case ${m.caseKey}`).toBeDefined();
      const decisions = await db.pool.query("select count(*)::int as n from audit_log where case_key = $1 and kind = 'decision' and data->>'decision_id' like $2", [m.caseKey, `${trigger}:%`]);
      expect(decisions.rows[0].n, `${m.type} on ${m.caseKey}`).toBe(1);
    }
    // The fraud warnings were refunded, each once: one refund per charge, one key per case and action.
    for (const m of missed.filter((x) => x.type === "radar.early_fraud_warning.created")) {
      const charge = m.caseKey.slice("charge:".length);
      expect((await stripe.refunds.list({ charge })).data).toHaveLength(1);
    }
    const refundKeys = sim.log.writes().filter((w) => w.path === "/v1/refunds" && w.status === 200 && !w.replayed).map((w) => w.idempotencyKey);
    expect(new Set(refundKeys).size).toBe(refundKeys.length);
  });

  it("a second run finds nothing new, the events' late webhooks are duplicates, and GET /reconcile/runs shows every run", async () => {
    const again = await reconcile({ pool: db.pool, listEvents: createEventLister(stripe), clock: sim.clock, logger: silentLogger, trigger: "cli" });
    expect(again).toMatchObject({ enqueued: 0, sinceSource: "previous_run", clamped: false });
    // A late retry of an event reconcile already enqueued is answered as a duplicate: decided once all the same.
    const id = missed[3]!.events.at(-1)!;
    const res = await deliverSigned(await stripe.events.retrieve(id));
    expect(res).toEqual({ received: true, duplicate: true });

    const runs = await fetch(`${billops!.url}/reconcile/runs`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((x) => x.json() as Promise<any>);
    expect(runs.runs).toHaveLength(3);
    expect(runs.runs[0]).toMatchObject({ trigger: "cli", enqueued: 0, error: null, sinceSource: "previous_run" });
    expect(runs.runs[1].enqueued).toBe(missedTotal - 2);
    expect(runs.runs[1].byType["charge.dispute.created"]).toEqual({ listed: 1, already_had: 0, enqueued: 1 });
    expect(Date.parse(runs.runs[1].since)).toBeLessThan(Date.parse(runs.runs[2].until));
    expect((await fetch(`${billops!.url}/reconcile/runs`)).status).toBe(401);
    expect((await fetch(`${billops!.url}/reconcile/runs?limit=0`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
  });

  it("--since older than Stripe's 30 days is clamped and says so; a bad --since is refused by name", async () => {
    const old = new Date((sim.clock.now() - 45 * DAY) * 1000).toISOString();
    const r = await cli("--since", old);
    expect(r.code).toBe(0);
    expect(r.out).toContain("start: operator");
    expect(r.out).toMatch(/Stripe keeps only 30 days of events/);
    expect(r.out).toMatch(/enqueued 0\n/);
    for (const bad of ["yesterday", "2026-13-45", "2026-11-28T09:00:00"]) {
      const b = await cli("--since", bad);
      expect(b.code).toBe(2);
      expect(b.err).toMatch(/--since/);
    }
    expect((await cli("--sinse", "2026-11-28")).code).toBe(2);
  });

  it("the periodic job on a worker recovers a missed event on its own, and records its runs as periodic", async () => {
    await billops!.stop();
    sim.webhooks.setEndpoint({ url: "http://127.0.0.1:9/webhooks/stripe", secret: SECRET });
    const r = sim.trigger("radar.early_fraud_warning.created");
    await sim.webhooks.idle();
    const efw = r.events.at(-1)!;
    billops = await startBillopsOnce(200);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await db.pool.query("select status from stripe_events where id = $1", [efw]);
      if (rows[0]?.status === "done") break;
      if (Date.now() > deadline) throw new Error(`the periodic job did not recover ${efw}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await stripe.refunds.list({ charge: r.objects.charge! })).data).toHaveLength(1);
    const { rows: runs } = await db.pool.query("select trigger, enqueued from reconcile_runs where trigger = 'periodic' order by id");
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.reduce((n, x) => n + x.enqueued, 0)).toBe(r.events.length);
  });

  it("an event the database cannot hold is refused by itself and named; the events beside it are stored", async () => {
    sim.webhooks.setEndpoint({ url: "http://127.0.0.1:9/webhooks/stripe", secret: SECRET });
    await sim.clock.advance(60);
    let deep: any = { id: "in_deep", object: "invoice" };
    for (let i = 0; i < 150; i++) deep = { nested: deep };
    const t = sim.clock.now();
    const events = [
      { id: "evt_ok_before", type: "invoice.paid", created: t, data: { object: { id: "in_ok1", object: "invoice" } } },
      { id: "evt_bad:colon", type: "invoice.paid", created: t, data: { object: { id: "in_bad", object: "invoice" } } },
      { id: "evt_too_deep", type: "invoice.paid", created: t, data: { object: { id: "in_deep", object: "invoice", deep } } },
      { id: "evt_ok_after", type: "invoice.paid", created: t, data: { object: { id: "in_ok2", object: "invoice" } } },
    ];
    for (const e of events) await sim.webhooks.deliver(e);
    const r = await reconcile({ pool: db.pool, listEvents: createEventLister(stripe), clock: sim.clock, logger: silentLogger, trigger: "cli", since: t });
    expect(r).toMatchObject({ listed: 4, enqueued: 2, refused: 2, alreadyHad: 0 });
    const { rows } = await db.pool.query("select id from stripe_events where id = any($1) order by seq", [events.map((e) => e.id)]);
    expect(rows.map((x) => x.id)).toEqual(["evt_ok_before", "evt_ok_after"]);
    const runs = await db.pool.query("select refused, enqueued from reconcile_runs where id = $1", [r.runId]);
    expect(runs.rows[0]).toEqual({ refused: 2, enqueued: 2 });
    sim.webhooks.setEndpoint({ url: `${billops!.url}/webhooks/stripe`, secret: SECRET });
  });

  it("the first run ever starts at the newest Stripe event billops stored", async () => {
    const fresh = await createTestDatabase();
    try {
      await fresh.pool.query(
        `insert into stripe_events (id, type, case_key, source, payload, status) values ('evt_old', 'invoice.paid', 'invoice:in_x', 'stripe', $1, 'done')`,
        [JSON.stringify({ id: "evt_old", created: sim.clock.now() - 2 * DAY })],
      );
      const r = await reconcile({ pool: fresh.pool, listEvents: createEventLister(stripe), clock: sim.clock, logger: silentLogger, trigger: "cli" });
      expect(r.sinceSource).toBe("newest_stored_event");
      expect(r.since).toBe(sim.clock.now() - 2 * DAY - 300);
      const inWindow = (await allIds({ created: { gte: r.since } })).length;
      expect(r.listed).toBe(inWindow);
      // Every listed event is new to this database but the two it cannot hold (the test above made them).
      expect(r.refused).toBe(2);
      expect(r.enqueued).toBe(inWindow - 2);
    } finally {
      await fresh.close();
    }
  });
});

async function allIds(params: Stripe.EventListParams): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of stripe.events.list({ ...params, limit: 100 })) ids.push(e.id);
  return ids;
}

async function deliverSigned(event: Stripe.Event): Promise<unknown> {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: sim.clock.now() });
  const res = await fetch(`${billops!.url}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
  return res.json();
}
