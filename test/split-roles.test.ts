// Split roles offline: one `npm run sim` (a separate process), one `--role web` and two `--role worker` billops
// processes pointed at it with STRIPE_API_BASE, one PostgreSQL. The simulator's webhooks reach the web process, the
// workers decide and write to the simulator, a person's answer through the web process writes exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

/** The refund and the dunning examples in one simulator (their shared catalog once). */
function seedFile(): string {
  const refund = fixture("example_refund_small_goodwill.json");
  const dunning = fixture("example_dunning_insufficient_funds_second_attempt.json");
  const stripe: Record<string, any[]> = {};
  for (const block of [refund.stripe, dunning.stripe]) {
    for (const [key, list] of Object.entries(block as Record<string, any[]>)) {
      const have = new Set((stripe[key] ??= []).map((o) => o.id));
      stripe[key]!.push(...list.filter((o) => !have.has(o.id)));
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), "billops-split-")), "seed.json");
  writeFileSync(file, JSON.stringify({ now: refund.now, stripe }));
  return file;
}
const TOKEN = "split-roles-token-0123456789";
const SECRET = "whsec_split_roles_0123456789abcdef";

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

const procs: Proc[] = [];

function start(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, LOG_FORMAT: "json", LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const p: Proc = { name, child, output: [] };
  child.stdout!.on("data", (d: Buffer) => p.output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => p.output.push(d.toString()));
  procs.push(p);
  return p;
}

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-2000)}`).join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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

describe("split web and worker processes, offline, against one `npm run sim`", () => {
  let db: TestDatabase;
  let web: string;
  let stripe: Stripe;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${web}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const webPort = await freePort();
    web = `http://127.0.0.1:${webPort}`;
    const sim = start("sim", ["stripe/sim/cli.ts", "--port", "0", "--seed", seedFile(), "--webhook-url", `${web}/webhooks/stripe`, "--webhook-secret", SECRET], {});
    const simUrl = await until("the simulator", async () => /listening on (http:\/\/\S+)/.exec(sim.output.join(""))?.[1]);
    const env = {
      DATABASE_URL: `${db.url}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}`,
      STRIPE_API_BASE: simUrl,
      STRIPE_WEBHOOK_SECRET: SECRET,
      APPROVER_TOKENS: `ops-split:${TOKEN}`,
      AUTO_REFUND_LIMIT: "1000",
      PORT: String(webPort),
      WORKER_CONCURRENCY: "2",
    };
    start("web", ["app/main.ts", "--role", "web"], env);
    start("worker-1", ["app/main.ts", "--role", "worker"], env);
    start("worker-2", ["app/main.ts", "--role", "worker"], env);
    await until("the web process", async () => (await fetch(`${web}/health`)).ok);
    stripe = new Stripe("sk_test_split", { host: new URL(simUrl).hostname, port: Number(new URL(simUrl).port), protocol: "http" });
  }, 90_000);

  afterAll(async () => {
    // Every child we started ends here: SIGTERM (billops stops cleanly), then SIGKILL for one that hangs.
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
  });

  it("a request waits for a person, the answer through web refunds once, and the simulator's webhook comes back through web to a worker", async () => {
    // /health tells its details only to a token (without one: ok or not ok).
    const health = (await fetch(`${web}/health`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json())) as any;
    expect(health).toMatchObject({ role: "web", stripe: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/) });

    expect((await api("POST", "/requests", { id: "split_1", customer: "cus_X00000w", charge: "ch_X00000z", message: "I bought this by mistake yesterday, could I get a refund?" })).status).toBe(202);
    // The web process has no worker: a worker process decided, and the refund above the limit waits.
    const pending = await until("the approval", async () => (await api("GET", "/approvals?status=pending")).body.data[0]).catch(async (err) => {
      const c = (await api("GET", "/cases/request:split_1")).body;
      throw new Error(`${err.message}\ncase: ${JSON.stringify({ decision: c.state?.decision ?? c.decision, guard: c.state?.guard, audit: c.audit }).slice(0, 4000)}`);
    });
    expect(pending).toMatchObject({ caseKey: "request:split_1", action: "refund_full" });
    expect((await stripe.refunds.list({ charge: "ch_X00000z" })).data).toHaveLength(0);

    const answered = await api("POST", `/approvals/${pending.id}`, { type: "edit", action: "refund_partial", args: { amount: "700" } });
    expect(answered.status).toBe(200);
    const refunds = (await stripe.refunds.list({ charge: "ch_X00000z" })).data;
    expect(refunds.map((r) => r.amount)).toEqual([700]);

    // charge.refunded, signed by the simulator at its clock, verified by web (whose clock follows the simulator's)
    // and processed by a worker on the request's charge case.
    const echo = await until("the simulator's charge.refunded through web", async () => {
      const events = (await api("GET", "/events?limit=50")).body.events as any[];
      return events.find((e) => e.type === "charge.refunded" && e.status !== "pending" && e.status !== "running");
    });
    expect(echo).toMatchObject({ source: "stripe", echo: true }); // billops' own refund, recognised as such across processes
    expect(["done", "ignored"]).toContain(echo.status);

    // A payment failure from outside billops: the simulator's invoice.payment_failed reaches web, a worker decides
    // on the invoice's case from the simulator's facts.
    const card = await stripe.paymentMethods.attach("pm_card_chargeDeclinedInsufficientFunds", { customer: "cus_X000001" });
    const declined = await stripe.invoices.pay("in_X000007", { payment_method: card.id }).catch((err: unknown) => err);
    expect(declined).toMatchObject({ code: "card_declined", decline_code: "insufficient_funds" });
    const dunning = await until("a dunning decision on invoice:in_X000007", async () => {
      const c = await api("GET", "/cases/invoice:in_X000007");
      return c.status === 200 && (c.body.state?.decision ?? c.body.decision) ? c.body : null;
    });
    expect(JSON.stringify(dunning)).toMatch(/schedule_retry|notify_customer/);
    const failed = (await api("GET", "/events?status=failed")).body.events as any[];
    expect(failed).toEqual([]);
    expect((await stripe.refunds.list({ charge: "ch_X00000z" })).data).toHaveLength(1);
    for (const p of procs) expect(p.child.exitCode, `${p.name} exited:\n${p.output.join("")}`).toBeNull();
  }, 90_000);
});
