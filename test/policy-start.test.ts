// `npm start` with BILLOPS_POLICY: the offline demo's $199 refund waits for a person under the default $50 limit and
// runs on its own under a file that raises the limit to $250; GET /policy shows the file's values; a bad file stops
// start-up with a message naming the key. billops runs as its own process (app/main.ts) on a database of its own.
import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { TEST_DATABASE_URL } from "./support/db.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "billops-start-"));
const TOKEN = "ops:policy-start-token-0123456789";
const databases: string[] = [];
const children: ChildProcess[] = [];

async function admin<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/** A database of its own: main.ts keeps LangGraph's tables and the demo's case keys in it. */
async function freshDatabase(): Promise<string> {
  const name = `billops_start_${randomBytes(5).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  databases.push(name);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the test's databases; bounded, so a busy shared server cannot hold the suite (a leftover is only disk). */
async function dropDatabases(): Promise<void> {
  const names = databases.splice(0);
  const drop = Promise.all(names.map((name) => admin((c) => c.query(`drop database if exists ${name} with (force)`)).catch(() => undefined)));
  await Promise.race([drop, new Promise((r) => setTimeout(r, 20_000))]);
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await dropDatabases();
}, 60_000);

function start(env: Record<string, string>): { child: ChildProcess; ready: Promise<string>; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: "127.0.0.1", PORT: "0", APPROVER_TOKENS: TOKEN, LOG_LEVEL: "warn", LOG_FORMAT: "json", BILLOPS_DATA_DIR: dir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      stdout += d;
      const m = /webhook URL\s+(http:\/\/\S+)\/webhooks\/stripe/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exit.then(({ code }) => reject(new Error(`billops exited ${code} before it was ready: ${stderr}${stdout}`)));
  });
  return { child, ready, exit };
}

const api = async (base: string, path: string) => {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN.split(":")[1]}` } });
  return { status: res.status, body: (await res.json()) as any };
};

/** The demo's refund request, once billops has decided it. */
async function alansRefund(base: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await api(base, `/cases/${encodeURIComponent("request:req_demo_alan_refund")}`);
    if (r.status === 200 && r.body.state.decision) return r.body;
    if (Date.now() > deadline) throw new Error(`the demo's refund was not decided: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function stop(s: ReturnType<typeof start>) {
  s.child.kill("SIGTERM");
  expect((await s.exit).code).toBe(0);
  await dropDatabases();
}

describe("npm start with BILLOPS_POLICY", () => {
  it("the default $50 limit sends Alan's $199 refund to a person", async () => {
    const s = start({ DATABASE_URL: await freshDatabase() });
    const base = await s.ready;
    const refund = await alansRefund(base);
    expect(refund.state).toMatchObject({ waiting_for_approval: true, decision: { action: "refund_full", params: { amount: 19900 } }, guard: { verdict: "needs_approval" } });
    const policy = await api(base, "/policy");
    expect(policy.body.file).toBeNull();
    // The built-in limit is per currency ($50 for USD); the setting shows as a policy file would write it.
    const builtIn = policy.body.settings.find((x: any) => x.key === "auto_refund_limit");
    expect(builtIn).toMatchObject({ key: "auto_refund_limit", value: { usd: "50.00", jpy: "7500", default: "0" }, origin: "default" });
    expect(builtIn.value).toEqual(builtIn.default);
    await stop(s);
  }, 120_000);

  it("a file raising the limit to $250 refunds it on its own, and GET /policy says so", async () => {
    const file = join(dir, "policy.yaml");
    // Both limits a single refund meets: per charge, and what one customer may get back in 30 days.
    writeFileSync(file, "# refunds up to $250 run alone\nauto_refund_limit:\n  usd: 250\ncustomer_refund_limit:\n  usd: 500\ngood_customer:\n  min_tenure_days: 90\n");
    const s = start({ DATABASE_URL: await freshDatabase(), BILLOPS_POLICY: file });
    const base = await s.ready;
    const refund = await alansRefund(base);
    expect(refund.state).toMatchObject({ waiting_for_approval: false, decision: { action: "refund_full", params: { amount: 19900 } }, guard: { verdict: "ok" }, outcome: { status: "executed" } });
    const activity = await api(base, "/activity?action=refund_full");
    expect(activity.body.data).toHaveLength(1);
    expect(activity.body.data[0]).toMatchObject({ amount_text: "$199.00", customer: "cus_demo_alan" });
    const policy = await api(base, "/policy");
    expect(policy.body.file).toBe(file);
    expect(policy.body.policy.auto_refund_limit).toEqual({ kind: "per_currency", amounts: { usd: 25000 }, otherwise: "0" });
    const setting = (key: string) => policy.body.settings.find((x: any) => x.key === key);
    expect(setting("auto_refund_limit")).toMatchObject({ key: "auto_refund_limit", value: { usd: "250.00", default: "0" }, default: { usd: "50.00" }, origin: "file" });
    expect(setting("good_customer.min_tenure_days")).toMatchObject({ value: 90, origin: "file" });
    expect(setting("good_customer.min_paid_invoices")).toMatchObject({ value: 3, origin: "default" });
    expect(policy.body.schema.properties.auto_refund_limit).toBeTruthy();
    await stop(s);
  }, 120_000);

  it("a bad file stops start-up naming the key", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "auto_refund_limit: 25000\nauto_refund_limt: 100\n");
    const s = start({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/never-reached", BILLOPS_POLICY: file });
    s.ready.catch(() => undefined);
    const { code, stderr } = await s.exit;
    expect(code).toBe(1);
    expect(stderr).toContain(`billops: configuration error: BILLOPS_POLICY: ${file}: auto_refund_limt: unknown setting (did you mean auto_refund_limit?)`);
  }, 60_000);
});
