// The operators' figures against a batch whose totals are known (test/support/operator-batch.ts): GET /outcomes adds up
// to them per currency, GET /activity lists every automatic action with its links and filters as asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./support/stack.js";
import { EXPECTED, T0, WEEK_OF_NOV_23, WEEK_OF_NOV_30, operatorSeed, runOperatorBatch } from "./support/operator-batch.js";

let stack: Stack;
let figures: any;

beforeAll(async () => {
  stack = await startStack({ now: T0, seed: operatorSeed() });
  await runOperatorBatch(stack);
  const res = await stack.api("GET", "/outcomes");
  expect(res.status).toBe(200);
  figures = res.body;
}, 120_000);

afterAll(() => stack?.stop());

const sumBy = (rows: any[], pick: (r: any) => number) => rows.reduce((n, r) => n + pick(r), 0);

describe("GET /outcomes", () => {
  it("adds failed and recovered payments per currency, never across currencies", () => {
    for (const [currency, want] of Object.entries(EXPECTED.dunning.failed)) {
      const weeks = figures.dunning.weekly.filter((w: any) => w.currency === currency);
      expect(sumBy(weeks, (w) => w.failed.amount), `${currency} failed`).toBe(want.amount);
      expect(sumBy(weeks, (w) => w.failed.count), `${currency} failed count`).toBe(want.count);
      // Every failure of the batch happened in the week of Nov 23.
      expect(weeks.find((w: any) => w.week === WEEK_OF_NOV_23).failed.amount).toBe(want.amount);
    }
    for (const [currency, want] of Object.entries(EXPECTED.dunning.recovered)) {
      const week = figures.dunning.weekly.find((w: any) => w.currency === currency && w.week === want.week);
      expect(week.recovered).toMatchObject({ count: want.count, amount: want.amount });
      expect(sumBy(figures.dunning.weekly.filter((w: any) => w.currency === currency), (w) => w.recovered.amount)).toBe(want.amount);
    }
    expect(figures.dunning.weekly.filter((w: any) => w.currency === "jpy").every((w: any) => w.recovered.amount === 0)).toBe(true);
    expect(figures.dunning.currencies).toEqual(["eur", "jpy", "usd"]);
  });

  it("says amounts as people read them, next to the numbers machines read", () => {
    const usd = figures.dunning.weekly.find((w: any) => w.currency === "usd" && w.week === WEEK_OF_NOV_23);
    expect(usd.failed.amount_text).toBe("$183.00");
    expect(usd.week_text).toBe("week of Nov 23, 2026");
    const jpy = figures.dunning.weekly.find((w: any) => w.currency === "jpy" && w.week === WEEK_OF_NOV_23);
    expect(jpy.failed.amount_text).toBe("¥5,000");
    const eur = figures.dunning.weekly.find((w: any) => w.currency === "eur" && w.week === WEEK_OF_NOV_30);
    expect(eur.recovered.amount_text).toBe("€40.00");
    expect(figures.period.to_text).toMatch(/^Dec \d+, 2026$/);
  });

  it("gives the recovery rate by decline category", () => {
    for (const [category, want] of Object.entries(EXPECTED.dunning.byCategory)) {
      const row = figures.dunning.by_category.find((c: any) => c.category === category);
      expect(row, category).toMatchObject(want);
      expect(row.rate).toBeCloseTo(want.recovered / want.failed);
    }
    expect(figures.dunning.by_category.find((c: any) => c.category === "soft").rate_text).toBe("67% (2 of 3)");
  });

  it("measures time to recover", () => {
    const t = figures.dunning.time_to_recover;
    expect(t.recovered).toBe(EXPECTED.dunning.recoverySeconds.length);
    expect(t.buckets.find((b: any) => b.label === "1–3 days").count).toBe(1);
    expect(t.buckets.find((b: any) => b.label === "3–7 days").count).toBe(1);
    expect(t.median).toEqual({ seconds: (2 * 86400 + 5 * 86400) / 2, text: "3 days 12 hours" });
  });

  it("counts disputes staged, submitted, won and lost with their amounts", () => {
    const stage = (s: string) => figures.disputes.find((d: any) => d.stage === s);
    const amount = (s: string, c: string) => stage(s).amounts.find((a: any) => a.currency === c)?.amount ?? 0;
    expect(stage("staged").count).toBe(EXPECTED.disputes.staged.count);
    expect(amount("staged", "usd")).toBe(EXPECTED.disputes.staged.usd);
    expect(amount("staged", "eur")).toBe(EXPECTED.disputes.staged.eur);
    expect(stage("submitted").count).toBe(EXPECTED.disputes.submitted.count);
    expect(amount("submitted", "usd")).toBe(EXPECTED.disputes.submitted.usd);
    expect(amount("submitted", "eur")).toBe(0);
    expect(stage("won")).toMatchObject({ count: 1, amounts: [{ currency: "usd", amount: EXPECTED.disputes.won.usd, amount_text: "$49.00" }] });
    expect(stage("lost")).toMatchObject({ count: 1, amounts: [{ currency: "eur", amount: EXPECTED.disputes.lost.eur, amount_text: "€20.00" }] });
    expect(stage("accepted").count).toBe(0);
  });

  it("splits refunds into automatic, approved, denied and rejected", () => {
    for (const [kind, want] of Object.entries(EXPECTED.refunds)) {
      const row = figures.refunds.find((r: any) => r.kind === kind);
      const { count, ...amounts } = want;
      expect(row.count, kind).toBe(count);
      expect(Object.fromEntries(row.amounts.map((a: any) => [a.currency, a.amount])), kind).toEqual(amounts);
    }
    expect(figures.refunds.find((r: any) => r.kind === "failed").count).toBe(0);
  });

  it("measures how long people took to answer, and what still waits", () => {
    const a = figures.approvals;
    expect(a.answered).toBe(EXPECTED.approvals.answeredSeconds.length);
    expect(a.buckets.map((b: any) => b.count)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(a.median.seconds).toBe((30 * 60 + 2 * 3600) / 2);
    // Grace's staged evidence and Alan's refund: asked at T0, six days ago on billops' clock.
    expect(a.pending.map((p: any) => [p.domain, p.count])).toEqual([["dispute", 1], ["refund", 1]]);
    expect(a.pending[0].oldest).toEqual({ seconds: 6 * 86400, text: "6 days" });
  });

  it("reports no model use with the rules decider, a day at a time", () => {
    expect(figures.model).toMatchObject({ calls: 0, tokens: 0, fallbacks: 0 });
    expect(figures.model.daily.length).toBe(90);
  });

  it("takes a period and refuses a bad one, naming it", async () => {
    const week = await stack.api("GET", `/outcomes?from=2026-11-30&to=2026-12-06`);
    expect(week.status).toBe(200);
    expect(week.body.dunning.weekly.filter((w: any) => w.failed.count > 0)).toEqual([]);
    expect(week.body.dunning.weekly.find((w: any) => w.currency === "eur").recovered.amount).toBe(4000);
    const bad = await stack.api("GET", "/outcomes?from=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("from");
    expect((await stack.api("GET", "/outcomes", undefined, null)).status).toBe(401);
  });
});

describe("GET /activity", () => {
  let all: any[];
  beforeAll(async () => {
    const res = await stack.api("GET", "/activity?limit=500");
    expect(res.status).toBe(200);
    all = res.body.data;
  });

  it("lists what billops did on its own, newest first, and nothing a person approved", () => {
    expect(all.length).toBeGreaterThan(10);
    const times = all.map((a) => a.settled_at);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const actions = (subject: string) => all.filter((a) => a.subject.id === subject).map((a) => a.action);
    expect(actions("ch_ops_e")).toContain("refund_full");
    expect(actions("ch_ops_f")).not.toContain("refund_full"); // a person approved it
    expect(actions("in_ops_c")).toContain("notify_customer");
    expect(actions("in_ops_d")).toContain("escalate_to_support");
    expect(actions("in_ops_a")).toEqual(expect.arrayContaining(["notify_customer", "close_recovered"]));
    expect(actions("dp_ops_i")).toContain("stage_evidence");
    expect(actions("dp_ops_i")).not.toContain("submit_evidence");
  });

  it("gives each Stripe write its request id and a link to the object (the simulator, offline)", () => {
    const refund = all.find((a) => a.action === "refund_full" && a.subject.id === "ch_ops_e");
    expect(refund).toMatchObject({ amount: 1500, currency: "usd", amount_text: "$15.00", guard: { verdict: "ok" }, outcome: "executed", customer: "cus_ops_e" });
    expect(refund.rationale.length).toBeGreaterThan(10);
    expect(refund.stripe).toHaveLength(1);
    expect(refund.stripe[0]).toMatchObject({ method: "refunds.create", ok: true });
    expect(refund.stripe[0].request_id).toMatch(/^req_/);
    expect(refund.stripe[0].object).toMatch(/^re_/);
    expect(refund.stripe[0].object_url).toBe(`${stack.sim.url}/_sim/objects/${refund.stripe[0].object}`);
    expect(refund.subject.url).toBe(`${stack.sim.url}/_sim/objects/ch_ops_e`);
    expect(refund.settled_text).toMatch(/^Nov 26, 2026, \d\d:\d\d UTC$/);
    // Every automatic Stripe write has its request id and a link.
    for (const a of all) for (const e of a.stripe) expect(e.object_url ?? "", `${a.action} on ${a.case}`).toMatch(/\/_sim\/objects\//);
  });

  it("filters by domain, action, customer and date, and pages", async () => {
    const get = async (q: string) => (await stack.api("GET", `/activity?${q}`)).body;
    expect((await get("domain=refund")).data.every((a: any) => a.domain === "refund")).toBe(true);
    expect((await get("action=stage_evidence")).data.map((a: any) => a.subject.id).sort()).toEqual(["dp_demo_grace", "dp_ops_i", "dp_ops_j"]);
    expect((await get("customer=cus_ops_e")).data.map((a: any) => a.action)).toEqual(["refund_full"]);
    const late = (await get("from=2026-11-28")).data;
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((a: any) => a.settled_at >= Date.UTC(2026, 10, 28) / 1000)).toBe(true);
    expect((await get("to=2026-11-25")).data).toEqual([]);
    const acted = (await get("only=acted&limit=500")).data;
    expect(acted.length).toBeLessThan(all.length);
    expect(acted.every((a: any) => a.stripe.length || a.notifications.length || a.scheduled.length || a.outcome === "escalated")).toBe(true);
    const first = await get("limit=3");
    expect(first.data).toHaveLength(3);
    const second = await get(`limit=3&before=${encodeURIComponent(first.next)}`);
    expect(second.data.map((a: any) => a.decision_id)).toEqual(all.slice(3, 6).map((a) => a.decision_id));
    const bad = await stack.api("GET", "/activity?domain=payroll");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^domain:/);
  });
});
