// No Unix timestamp and no raw minor-unit amount in text a person reads: every rendered message template, the signed-in
// pages (approvals, activity, case stories, outcomes) after the demo and a batch, the API's descriptions, and what the
// public scenarios make billops write — rationales, guard reasons, approval questions, escalations, emails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "../telemetry/log.js";
import { createPool, dropSchema } from "../db/pool.js";
import { render, type Template } from "../notifications/templates.js";
import { runScenario } from "../evals/runner.js";
import { parseScenario, type Scenario } from "../evals/scenario.js";
import { startStack, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { T0, operatorSeed, runOperatorBatch } from "./support/operator-batch.js";
import { findUnreadable, minorAmountsOf, visibleText, type Unreadable } from "./support/readable-scan.js";
import { SHARED_SCENARIOS } from "./support/shared-scenarios.js";
import { inboxSignIn } from "./support/inbox-sign-in.js";
import { TEST_DATABASE_URL } from "./support/db.js";

const report = (where: string, found: Unreadable[]) => found.map((u) => `${where}: ${u.kind} "${u.match}" in …${u.context}…`);

describe("the scan itself", () => {
  it.each([
    ["Dispute dp_1 staged; a person submits before 1796547600.", "unix timestamp"],
    ["retry at 1796288400, before Stripe's attempt", "unix timestamp"],
    ["Refund request on ch_1 (1500 usd).", "minor-unit amount"],
    ["final attempt failed on a large invoice (120000 EUR)", "minor-unit amount"],
    ["amount 19900 is above the automatic limit 5000", "minor-unit amount"],
  ])("catches %j", (text, kind) => {
    expect(findUnreadable(text, [19900, 1500]).map((u) => u.kind)).toContain(kind);
  });
  it.each([
    "We refunded $15.00. It usually shows within 5-10 business days.",
    "We will try again on Dec 3, 2026; invoice in_1795000000 stays open.",
    "¥4,980 and KWD 1.250 and €199.00 and ¥500",
    "Evidence due Dec 12, 2026, 09:00 UTC (in 10 days); 48 hours before; 30 days; 15 min",
    "case invoice:in_ops_a, event evt_demo_dispute_1795000000, 67% (2 of 3)",
  ])("lets %j pass", (text) => {
    expect(findUnreadable(text, [1500, 19900, 500])).toEqual([]);
  });
  it("reads a page's text, not its machine attributes", () => {
    expect(visibleText('<rect data-value="18300"><title>failed: $183.00</title></rect><style>.a{}</style>x &amp; y')).toBe(" failed: $183.00 x & y");
  });
});

describe("message templates", () => {
  const TEMPLATES: Template[] = ["update_payment_method", "authentication_required", "payment_failed", "retry_scheduled", "grace_period_granted", "refund_issued", "cancellation_confirmed", "plan_changed", "ops_escalation", "ops_approval_overdue", "ops_refund_failed"];
  it.each(TEMPLATES)("%s, in USD, JPY and KWD", (template) => {
    for (const [amount, currency] of [[1500, "usd"], [4980, "jpy"], [1250, "kwd"]] as const) {
      const m = render(template, { customerName: "Ada", amount, currency, hostedInvoiceUrl: "https://invoice.stripe.com/i/x", invoiceNumber: "A-1", retryAt: T0 + 86400, graceDays: 7, periodEnd: T0 + 20 * 86400, planName: "Pro", caseKey: "invoice:in_1", reason: "card declined", action: "refund_full" });
      expect(report(`${template} (${currency})`, findUnreadable(`${m.subject}\n${m.body}`, currency === "jpy" ? [] : [amount]))).toEqual([]);
    }
  });
});

describe("the signed-in pages and the API's descriptions after the demo and a batch", () => {
  let stack: Stack;
  let cookie: string;
  const amounts = minorAmountsOf(operatorSeed());
  beforeAll(async () => {
    stack = await startStack({ now: T0, seed: operatorSeed() });
    await runOperatorBatch(stack);
    cookie = await inboxSignIn(stack.url, APPROVER_TOKEN);
  }, 180_000);
  afterAll(() => stack?.stop());

  const page = async (path: string) => {
    const res = await fetch(`${stack.url}${path}`, { headers: { cookie } });
    expect(res.status, path).toBe(200);
    return visibleText(await res.text());
  };

  it("approvals, activity and outcomes", async () => {
    const found: string[] = [];
    for (const path of ["/inbox", "/inbox/activity?limit=500", "/inbox/outcomes", "/inbox/outcomes?days=7"]) {
      const text = await page(path);
      expect(text.length, path).toBeGreaterThan(500);
      found.push(...report(path, findUnreadable(text, amounts)));
    }
    expect(found).toEqual([]);
  });

  it("every case's story", async () => {
    const cases = (await stack.api("GET", "/cases?limit=500")).body.data as { caseKey: string }[];
    expect(cases.length).toBeGreaterThanOrEqual(13);
    const found: string[] = [];
    for (const c of cases) found.push(...report(c.caseKey, findUnreadable(await page(`/inbox/cases/${encodeURIComponent(c.caseKey)}`), amounts)));
    expect(found).toEqual([]);
  });

  it("the API's human-readable fields: approval descriptions, rationales, outbox messages", async () => {
    const found: string[] = [];
    for (const a of (await stack.api("GET", "/approvals?status=all&limit=500")).body.data) found.push(...report(`approval ${a.caseKey}`, findUnreadable(a.request.description, amounts)));
    for (const a of (await stack.api("GET", "/activity?limit=500")).body.data) found.push(...report(`activity ${a.case}`, findUnreadable([a.rationale, ...a.guard.reasons, a.amount_text ?? "", a.settled_text].join("\n"), amounts)));
    for (const n of (await stack.api("GET", "/notifications?limit=1000")).body.data) found.push(...report(`message ${n.template} on ${n.caseKey}`, findUnreadable(`${n.subject}\n${n.body}`, amounts)));
    expect(found).toEqual([]);
  });
});

describe("what the public scenarios make billops write", () => {
  const PUBLIC = fileURLToPath(new URL("../evals/scenarios/", import.meta.url));
  const files = [PUBLIC, SHARED_SCENARIOS].flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f)) : []));

  /** The texts a person reads that a scenario left in its schema, with the amounts that must not show raw. */
  async function textsOf(scenario: Scenario): Promise<{ where: string; text: string; amounts: number[] }[]> {
    const schema = `rd_${randomBytes(5).toString("hex")}`;
    try {
      const { entry } = await runScenario(scenario, { logger: silentLogger, timeoutMs: 20_000, keepSchema: schema, databaseUrl: TEST_DATABASE_URL });
      expect(entry.error, `${scenario.id}: ${entry.error}`).toBeNull();
      const pool = createPool(TEST_DATABASE_URL, { schema, max: 2, logger: silentLogger });
      try {
        const amounts = minorAmountsOf(scenario.stripe ?? {});
        const q = async (text: string) => (await pool.query(text)).rows as any[];
        for (const r of await q("select amount, currency from settled_decisions where amount is not null")) if (minorAmountsOf({ amount: Number(r.amount), currency: r.currency }).length) amounts.push(Number(r.amount));
        // Amounts a decision or a support request named (asked for, edited to): minor units too, when no object of the
        // scenario is in a currency without decimals (where minor and major units are the same number).
        const lines = await q("select kind, data from audit_log where kind in ('decision', 'fallback', 'approval_answered') order by id");
        if (minorAmountsOf(scenario.stripe ?? {}).length > 0 && !JSON.stringify(scenario.stripe ?? {}).match(/"currency":\s*"(jpy|krw|vnd|clp|xof|xaf|bif|djf|gnf|kmf|mga|pyg|rwf|ugx|vuv|xpf)"/i)) {
          for (const r of lines) amounts.push(...minorAmountsOf({ currency: "usd", a: [r.data.params, r.data.classification, r.data.edited?.args] }));
        }
        const out: { where: string; text: string; amounts: number[] }[] = [];
        const add = (where: string, text: unknown) => typeof text === "string" && text && out.push({ where: `${scenario.id} ${where}`, text, amounts });
        for (const r of await q("select kind, data from audit_log where kind in ('decision', 'guard', 'approval_requested', 'fallback') order by id")) {
          add(`${r.kind} rationale`, r.data.rationale);
          add(`${r.kind} reason`, r.data.params?.reason);
          add(`${r.kind} unsure`, r.data.ambiguous);
          for (const reason of r.data.reasons ?? []) add(`${r.kind} reason`, reason);
        }
        for (const r of await q("select request->>'description' as d from approvals")) add("approval question", r.d);
        for (const r of await q("select template, subject, body from notifications")) add(`message ${r.template}`, `${r.subject}\n${r.body}`);
        return out;
      } finally {
        await pool.end();
      }
    } finally {
      await dropSchema(TEST_DATABASE_URL, schema);
    }
  }

  it("are there to scan", () => expect(files.length).toBeGreaterThan(50));

  it("has no Unix timestamp and no raw minor-unit amount in rationales, guard reasons, questions or messages", async () => {
    const found: string[] = [];
    let texts = 0;
    // Two at a time: each scenario has its own schema and simulator.
    const queue = [...files];
    await Promise.all(
      [0, 1].map(async () => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          for (const t of await textsOf(parseScenario(readFileSync(f, "utf8"), f))) {
            texts++;
            found.push(...report(t.where, findUnreadable(t.text, t.amounts)));
          }
        }
      }),
    );
    expect(texts).toBeGreaterThan(200);
    expect(found).toEqual([]);
  }, 300_000);
});
