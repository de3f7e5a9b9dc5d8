// Quieter, safer logs: a client that hangs up is a debug line without a stack; pool and PostgreSQL errors are logged
// without the connection (its cancel key) or the data they choked on; URLs lose their passwords; signed events that
// do not look like this account's are warned about and counted.
import { serve } from "@hono/node-server";
import net from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../telemetry/log.js";
import { redactUrl } from "../telemetry/redact.js";
import { createPool } from "../db/pool.js";
import { bareApp } from "./support/app.js";
import { newWebhookCounters } from "../server/webhook.js";
import { manualClock } from "../domain/clock.js";
import { loadConfig } from "../app/config.js";
import { banner } from "../app/banner.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

class Lines {
  all: any[] = [];
  write(chunk: string) {
    for (const line of String(chunk).split("\n").filter(Boolean)) this.all.push(JSON.parse(line));
  }
  text = () => this.all.map((l) => JSON.stringify(l)).join("\n");
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

const SECRET = "whsec_logs_test";
const NOW = 1_900_000_000;

describe("client aborts", () => {
  it("are one debug line without a stack, not an error", async () => {
    const lines = new Lines();
    const logger = createLogger("debug", "json", lines);
    const app = bareApp({ pool: db.pool, webhookSecret: SECRET, clock: manualClock(NOW), approverTokens: new Map([["logs-token-0123456789abc", "ops"]]), logger });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    try {
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 5; i++) {
        // Headers and a bit of the promised body, then the client is gone.
        const s = net.connect(port, "127.0.0.1");
        await new Promise((r) => s.once("connect", r));
        s.write(`POST /webhooks/stripe HTTP/1.1\r\nHost: billops\r\nContent-Type: application/json\r\nStripe-Signature: t=1,v1=x\r\nContent-Length: 1000\r\n\r\n{"id":`);
        await new Promise((r) => setTimeout(r, 50));
        s.destroy();
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(lines.all.filter((l) => l.level >= 50)).toEqual([]);
    const gone = lines.all.filter((l) => l.msg === "client went away before the answer");
    expect(gone.length).toBe(5);
    expect(gone.every((l) => l.level === 20 && !("err" in l) && !JSON.stringify(l).includes("stack"))).toBe(true);
  });
});

describe("database errors", () => {
  it("a pool's idle-client error is logged without the connection: no cancel key, user, host or password", async () => {
    const lines = new Lines();
    const logger = createLogger("info", "json", lines);
    const pool = createPool(db.url, { schema: db.schema, logger });
    try {
      const client = await pool.connect();
      const pid = (await client.query("select pg_backend_pid() as pid")).rows[0].pid;
      client.release();
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query("select pg_terminate_backend($1)", [pid]);
      await admin.end();
      for (let i = 0; i < 50 && lines.all.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await pool.end();
    }
    expect(lines.all).toHaveLength(1);
    const line = lines.all[0];
    // A terminated backend (57P01) is the server's doing, not billops': a warning.
    expect(line.level).toBe(40);
    expect(line.err).toMatchObject({ type: "DatabaseError", code: "57P01", severity: "FATAL" });
    const text = JSON.stringify(line);
    for (const secret of ["secretKey", "processID", "connectionParameters", "\"client\"", "\"user\"", "\"host\"", "password"]) expect(text).not.toContain(secret);
  });

  it("a PostgreSQL error is logged without the data it choked on (detail, where, the query's text)", async () => {
    const lines = new Lines();
    const logger = createLogger("info", "json", lines);
    const err = await db.pool.query(`select '{"customer_name": "Grace Hopper", "card": "4242 SECRET-PAYLOAD' ::json`).catch((e: unknown) => e);
    expect((err as { where?: string }).where ?? (err as { detail?: string }).detail).toMatch(/SECRET-PAYLOAD|Grace/);
    logger.error({ err, cause: err }, "insert failed");
    const text = lines.text();
    expect(text).toContain("22P02");
    expect(text).not.toContain("SECRET-PAYLOAD");
    expect(text).not.toContain("Grace");
  });
});

describe("URLs", () => {
  it.each([
    ["postgres://billops:p@ss@word@db.internal:5432/billops", "postgres://billops:***@db.internal:5432/billops", "ss@word"],
    ["postgres://billops:pa%40ss@db.internal/billops?sslmode=require", "postgres://billops:***@db.internal/billops?sslmode=require", "pa%40ss"],
    ["postgresql://db.internal/billops?user=billops&password=s3cr@t&sslpassword=k3y", "postgresql://db.internal/billops?user=billops&password=***&sslpassword=***", "s3cr"],
    ["postgres://billops:plain@127.0.0.1:54329/billops", "postgres://billops:***@127.0.0.1:54329/billops", "plain"],
    ["smtp://mailer:hunter2@smtp.example.com:587", "smtp://mailer:***@smtp.example.com:587", "hunter2"],
    ["not a url://user:pw@host", "not a url://user:pw@host", null],
    ["postgres://no-password@db/billops", "postgres://no-password@db/billops", null],
  ])("%s → %s", (url, redacted, secret) => {
    expect(redactUrl(url)).toBe(redacted);
    if (secret) expect(redactUrl(url)).not.toContain(secret);
  });

  it("the banner shows the database without its password, also one with '@' or given as ?password=", () => {
    for (const url of ["postgres://ops:p@ss@db.internal:5432/billops", "postgresql://db.internal/billops?user=ops&password=p@ss"]) {
      const config = loadConfig({ DATABASE_URL: url, STRIPE_SECRET_KEY: "sk_test_x", STRIPE_WEBHOOK_SECRET: "whsec_x", APPROVER_TOKENS: "ops:0123456789abcdef0123", OPENAI_BASE_URL: "http://user:llm-pass@llm.internal/v1" }, []);
      const text = banner(config, { base: "http://127.0.0.1:4280", sim: null, databaseUrl: url });
      expect(text).toContain("db.internal");
      expect(text).not.toMatch(/p@ss|ss@db|llm-pass/);
    }
  });
});

describe("livemode and api_version mismatches", () => {
  it("are stored and processed as usual, logged as warnings and counted (/health shows the counts)", async () => {
    const lines = new Lines();
    const logger = createLogger("info", "json", lines);
    const counters = newWebhookCounters();
    const token = "logs-token-0123456789abc";
    const app = bareApp({ pool: db.pool, webhookSecret: SECRET, clock: manualClock(NOW), approverTokens: new Map([[token, "ops"]]), logger, webhookCounters: counters, expectedEvents: { livemode: false, apiVersion: "2026-10-28.endive" } });
    const post = async (e: Record<string, unknown>) => {
      const payload = JSON.stringify({ object: "event", type: "invoice.paid", created: NOW, data: { object: { id: `in_${e.id}`, object: "invoice" } }, request: { id: null, idempotency_key: null }, ...e });
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: NOW });
      return (await app.request("/webhooks/stripe", { method: "POST", body: payload, headers: { "stripe-signature": header, "content-type": "application/json" } })).status;
    };
    expect(await post({ id: "evt_same", livemode: false, api_version: "2026-10-28.endive" })).toBe(200);
    expect(await post({ id: "evt_live", livemode: true, api_version: "2026-10-28.endive" })).toBe(200);
    expect(await post({ id: "evt_old", livemode: false, api_version: "2024-06-20" })).toBe(200);
    expect(await post({ id: "evt_both", livemode: true, api_version: "2025-03-31.basil" })).toBe(200);
    expect(counters).toEqual({ livemodeMismatches: 2, apiVersionMismatches: 2 });
    const warned = lines.all.filter((l) => l.level === 40);
    expect(warned.map((l) => l.event_id).sort()).toEqual(["evt_both", "evt_both", "evt_live", "evt_old"]);
    const health = (await (await app.request("/health", { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    expect(health.webhooks).toEqual({ livemode_mismatches: 2, api_version_mismatches: 2 });
    const scrape = await (await app.request("/metrics", { headers: { authorization: `Bearer ${token}` } })).text();
    expect(scrape).toMatch(/billops_webhook_mismatches_total\{field="livemode"\} 2/);
    expect(scrape).toMatch(/billops_webhook_mismatches_total\{field="api_version"\} 2/);
  });
});
