// The operators' pages in a real browser (Debian's chromium via playwright-core), after the offline demo and a batch
// with known totals: the activity list with its Stripe links and filters, a case's whole story, and outcome charts
// whose bars carry the hand-counted figures — under the page's CSP, with no request leaving billops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Locator, type Page } from "playwright-core";
import { startStack, APPROVER, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { browserSuite, launchChromium, NO_CHROMIUM } from "./support/chromium.js";
import { EXPECTED, T0, operatorSeed, runOperatorBatch } from "./support/operator-batch.js";

const OUT = join(process.cwd(), "test-output", "operator");

const text = (loc: Locator) => expect.poll(async () => (await loc.innerText()).trim(), { timeout: 10_000 });

/** The numbers a chart's bars carry, per series: what a person sees drawn. */
async function bars(page: Page, chart: string): Promise<Record<string, number[]>> {
  return page.locator(`#${chart} rect.bar`).evaluateAll((rects) => {
    const out: Record<string, number[]> = {};
    for (const r of rects) (out[r.getAttribute("data-series")!] ??= []).push(Number(r.getAttribute("data-value")));
    return out;
  });
}
const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);

describe.skipIf(!!NO_CHROMIUM)(browserSuite("operators' pages in chromium"), () => {
  let stack: Stack;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const foreign: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ now: T0, seed: operatorSeed() });
    await runOperatorBatch(stack);
    await mkdir(OUT, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), "billops-chromium-"));
    ({ context, page } = await launchChromium(userDataDir));
    // Offline: the pages load nothing from anywhere but billops, and the CSP refuses nothing they need.
    page.on("request", (r) => {
      if (!r.url().startsWith(stack.url) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${stack.url}/inbox/activity`);
    await page.fill("#token", APPROVER_TOKEN);
    await page.click("#signin button[type=submit]");
    await page.locator("#approver").waitFor({ state: "visible" });
    expect(await page.locator("#approver").innerText()).toBe(APPROVER);
  }, 180_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await stack?.stop();
  });

  it("lists every automatic action, each Stripe write linked, and filters by domain", async () => {
    await page.goto(`${stack.url}/inbox/activity`);
    const api = (await stack.api("GET", "/activity?limit=500")).body.data as any[];
    const items = page.locator("#activity article.item");
    await expect.poll(() => items.count()).toBe(Math.min(api.length, 100));
    for (const a of api.filter((x) => x.stripe.length)) {
      const item = page.locator(`#activity article.item[data-decision="${a.decision_id}"]`);
      for (const e of a.stripe) {
        expect(await item.locator(`a.stripe-link[data-stripe-id="${e.object}"]`).first().getAttribute("href")).toBe(`${stack.sim.url}/_sim/objects/${e.object}`);
        await text(item).toContain(e.request_id);
      }
    }
    const refund = page.locator('#activity article.item[data-action="refund_full"]');
    await text(refund).toContain("$15.00");
    await text(refund).toContain("guard: ok");
    await page.screenshot({ path: join(OUT, "1-activity.png"), fullPage: true });

    await page.selectOption('#filters select[name="domain"]', "dispute");
    await page.click('#filters button[type="submit"]');
    await page.waitForURL(/domain=dispute/);
    const domains = await page.locator("#activity article.item .what .badge:nth-child(2)").allInnerTexts();
    expect(domains.length).toBeGreaterThan(0);
    expect(new Set(domains)).toEqual(new Set(["dispute"]));
    await page.screenshot({ path: join(OUT, "2-activity-disputes.png"), fullPage: true });
  });

  it("tells a case's whole story from the audit trail", async () => {
    await page.goto(`${stack.url}/inbox/cases/${encodeURIComponent("request:req_ops_f")}`);
    await text(page.locator("#case-title")).toBe("Case request:req_ops_f");
    const kinds = await page.locator("#timeline li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-kind")));
    for (const k of ["event", "decision", "guard", "approval_requested", "approval_answered", "stripe", "notification"]) expect(kinds, k).toContain(k);
    const timeline = page.locator("#timeline");
    await text(timeline).toContain("€199.00");
    await text(timeline).toContain(`${APPROVER} accepted`);
    await text(page.locator("#case-decisions")).toContain("€199.00");
    await text(page.locator("#case-messages")).toContain("We refunded €199.00");
    await page.screenshot({ path: join(OUT, "3-case.png"), fullPage: true });
  });

  it("draws outcome charts whose bars are the batch's known totals", async () => {
    await page.goto(`${stack.url}/inbox/outcomes`);
    await text(page.locator("#period-title")).toContain("Dec 2, 2026");
    for (const [currency, want] of Object.entries(EXPECTED.dunning.failed)) {
      const b = await bars(page, `chart-dunning-${currency}`);
      expect(sum(b.failed), `${currency} failed`).toBe(want.amount);
      const rec = (EXPECTED.dunning.recovered as Record<string, { amount: number }>)[currency]?.amount ?? 0;
      expect(sum(b.recovered), `${currency} recovered`).toBe(rec);
    }
    await text(page.locator("#table-dunning-usd")).toContain("$183.00 (3)");
    const disputes = await bars(page, "chart-disputes");
    const d = EXPECTED.disputes;
    expect(disputes.disputes).toEqual([d.staged.count, d.submitted.count, 0, d.won.count, d.lost.count]);
    const refunds = await bars(page, "chart-refunds");
    const r = EXPECTED.refunds;
    expect(refunds["refund asks"]).toEqual([r.automatic.count, r.approved.count, r.denied.count, r.rejected.count, 0, 0]);
    await text(page.locator("#table-refunds")).toContain("€199.00");
    expect((await bars(page, "chart-approvals")).approvals).toEqual([1, 1, 1, 1, 0, 0]);
    const rate = await bars(page, "chart-recovery-rate");
    expect(rate.recovered.map(Math.round)).toEqual([0, 0, 67]); // customer action, fraud, soft
    expect((await bars(page, "chart-time-to-recover")).invoices).toEqual([0, 1, 1, 0, 0, 0]);
    await page.screenshot({ path: join(OUT, "4-outcomes.png"), fullPage: true });

    expect(foreign).toEqual([]);
    expect(problems.filter((p) => /Content.Security.Policy|Refused/i.test(p))).toEqual([]);
  });

  it("shows nothing before sign-in", async () => {
    const res = await fetch(`${stack.url}/inbox/outcomes`);
    const html = await res.text();
    expect(html).toContain('id="token"');
    expect(html).not.toContain("chart-dunning");
    expect(await (await fetch(`${stack.url}/inbox/cases/${encodeURIComponent("request:req_ops_f")}`)).text()).not.toContain("199");
  });
});
