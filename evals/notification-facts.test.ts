// One notification per fact (issue 14): a customer is not told the same thing about the same invoice by two cases.
// The database holds it (migration 011's unique fact key), and the case that was refused says so in its audit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPool } from "../db/pool.js";
import { migrate } from "../db/migrate.js";
import { silentLogger } from "../telemetry/log.js";
import { enqueueNotificationOnce, listNotifications, type NotificationInput } from "../store/notifications.js";
import { DEFAULT_DATABASE_URL, runScenario } from "./runner.js";
import { parseScenario } from "./scenario.js";

const URL_ = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const tag = randomBytes(4).toString("hex");
const schemas: string[] = [];

afterAll(async () => {
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  try {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await admin.end();
  }
});

describe("the outbox holds one row per fact key", () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    const schema = `nf_${tag}_store`;
    schemas.push(schema);
    pool = createPool(URL_, { schema, max: 8, logger: silentLogger });
    await migrate(pool);
  });
  afterAll(() => pool?.end());

  const note = (o: Partial<NotificationInput>): NotificationInput => ({
    key: "invoice:in_1:evt_1:authentication_required", caseKey: "invoice:in_1", template: "authentication_required",
    to: "ada@example.com", subject: "Confirm your payment", body: "…", at: 1795000000, factKey: "cus_1:authentication_required:in_1", ...o,
  });

  it.each([
    ["a second case, same customer, template and invoice → skipped, naming the first case", { key: "request:req_1:req_1:authentication_required", caseKey: "request:req_1" }, "duplicate_fact"],
    ["the same step again (same key) → a re-run, not a duplicate", {}, "exists"],
    ["another invoice → queued", { key: "invoice:in_2:evt_2:authentication_required", caseKey: "invoice:in_2", factKey: "cus_1:authentication_required:in_2" }, "queued"],
    ["another template about the same invoice → queued", { key: "request:req_1:req_1:update_payment_method", caseKey: "request:req_1", template: "update_payment_method", factKey: "cus_1:update_payment_method:in_1" }, "queued"],
    ["another customer → queued", { key: "invoice:in_3:evt_3:authentication_required", caseKey: "invoice:in_3", factKey: "cus_2:authentication_required:in_1" }, "queued"],
    ["no fact key (operations messages) → never held", { key: "invoice:in_1:evt_9:ops_escalation", template: "ops_escalation", to: null, factKey: null }, "queued"],
  ] as const)("%s", async (_name, over, status) => {
    const first = await enqueueNotificationOnce(pool, note({}));
    expect(["queued", "exists"]).toContain(first.status);
    const r = await enqueueNotificationOnce(pool, note(over));
    expect(r.status).toBe(status);
    if (r.status === "duplicate_fact") expect(r.caseKey).toBe("invoice:in_1");
  });

  it("two cases racing on one fact leave exactly one row", async () => {
    const fact = "cus_race:payment_failed:in_race";
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => enqueueNotificationOnce(pool, note({ key: `case_${i}:x:payment_failed`, caseKey: `request:req_${i}`, template: "payment_failed", factKey: fact }))),
    );
    expect(results.filter((r) => r.status === "queued")).toHaveLength(1);
    expect(results.filter((r) => r.status === "duplicate_fact")).toHaveLength(7);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM notifications WHERE fact_key = $1", [fact]);
    expect(rows[0].n).toBe(1);
  });
});

describe("scenario: authentication_required told once across two cases", () => {
  it("the request's case skips the email the invoice's case sent, and its audit says so", { timeout: 120_000 }, async () => {
    const file = fileURLToPath(new URL("./scenarios/dunning_authentication_required_told_once_across_cases.json", import.meta.url));
    const scenario = parseScenario(readFileSync(file, "utf8"), file);
    const schema = `nf_${tag}_run`;
    schemas.push(schema);
    const { entry } = await runScenario(scenario, { logger: silentLogger, timeoutMs: 30_000, keepSchema: schema });
    expect(entry.error).toBeNull();
    expect(entry.failures).toEqual([]);
    expect(entry.notifications.filter((n) => n.template === "authentication_required")).toHaveLength(1);

    const pool = createPool(URL_, { schema, max: 2, logger: silentLogger });
    try {
      const sent = await listNotifications(pool, {});
      expect(sent.filter((n) => n.template === "authentication_required").map((n) => n.caseKey)).toEqual(["invoice:in_D50"]);
      const { rows } = await pool.query(`SELECT case_key, data FROM audit_log WHERE kind = 'notification_skipped'`);
      expect(rows).toHaveLength(1);
      expect(rows[0].case_key).toBe("request:req_D50");
      expect(rows[0].data).toMatchObject({ template: "authentication_required", told_by: "invoice:in_D50", fact_key: "cus_D50:authentication_required:in_D50" });
      // The request's own decision was to notify: it was the database, not the policy, that held the second email.
      const { rows: decided } = await pool.query(`SELECT data FROM audit_log WHERE kind = 'decision' AND case_key = 'request:req_D50'`);
      expect(decided.map((r) => r.data.action ?? r.data.decision?.action)).toContain("notify_customer");
    } finally {
      await pool.end();
    }
  });
});
