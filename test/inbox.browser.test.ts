// The web inbox in a real browser (Debian's chromium via playwright-core): sign in, edit a refund amount, accept it,
// see the history; the simulator must show exactly one refund, with the edited amount.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Locator, type Page } from "playwright-core";
import { startStack, APPROVER, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { browserSuite, launchChromium, NO_CHROMIUM } from "./support/chromium.js";

const OUT = join(process.cwd(), "test-output", "inbox");
const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";

/** Polls an element's visible text until the matcher holds (playwright's own expect is not in playwright-core). */
const text = (loc: Locator) => expect.poll(async () => (await loc.innerText()).trim(), { timeout: 10_000 });

const refundWrites = (stack: Stack) => stack.sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");

describe.skipIf(!!NO_CHROMIUM)(browserSuite("web inbox in chromium"), () => {
  let stack: Stack;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // $15 charge, limit lowered to $10: the refund waits for a person.
    stack = await startStack({ now: scenario.now, seed: scenario.stripe, policy: { auto_refund_limit: 1000 } });
    const created = await stack.api("POST", "/requests", { id: "req_browser", customer: "cus_X00000w", charge: CHARGE, message: "I bought this by mistake yesterday, please refund it." });
    expect(created.status).toBe(202);
    await stack.quiet();
    await mkdir(OUT, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), "billops-chromium-"));
    ({ context, page } = await launchChromium(userDataDir));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await stack?.stop();
  });

  it("shows nothing before sign-in, refuses a wrong token", async () => {
    await page.goto(`${stack.url}/inbox`);
    await page.locator("#token").waitFor({ state: "visible" });
    const before = await page.content();
    for (const secret of [CHARGE, "req_browser", "refund_full", "cus_X00000w"]) expect(before).not.toContain(secret);

    await page.fill("#token", "not-a-real-token-000000");
    await page.click("#signin button[type=submit]");
    await text(page.locator("[role=alert]")).toContain("not an approver token");
    expect(await page.content()).not.toContain(CHARGE);
    // The answer endpoint refuses without a session too.
    const status = await page.evaluate(async () => (await fetch("/inbox/approvals/x", { method: "POST", headers: { "content-type": "application/json" }, body: '{"type":"accept"}' })).status);
    expect(status).toBe(401);
  });

  it("signs in, edits the refund amount (checked in the browser first), accepts, and shows the history", async () => {
    await page.fill("#token", APPROVER_TOKEN);
    await page.click("#signin button[type=submit]");
    await text(page.locator("#approver")).toBe(APPROVER);
    const card = page.locator("#pending article.card").first();
    await text(card).toContain("refund_full");
    await text(card).toContain("request:req_browser");
    await text(card).toContain("$15.00");
    await text(card).toContain("needs approval");
    await text(card).toContain("source: rules");
    await page.screenshot({ path: join(OUT, "1-pending.png"), fullPage: true });

    await card.locator("details.edit summary").click();
    const amount = card.locator('[data-path="amount"]');
    expect(await amount.inputValue()).toBe("1500");
    // Dollars typed where cents belong: the browser refuses before anything is sent.
    await amount.fill("12.5");
    await card.locator("form.edit button[type=submit]").click();
    await text(card.locator(".field-error")).toContain("whole number");
    expect(refundWrites(stack)).toHaveLength(0);
    expect((await stack.api("GET", "/approvals")).body.data).toHaveLength(1);

    await amount.fill("1200");
    await text(card.locator(".money-preview")).toBe("= $12.00");
    await page.screenshot({ path: join(OUT, "2-editing.png"), fullPage: true });
    await card.locator("form.edit button[type=submit]").click();
    await text(card.locator(".result")).toContain("edited");
    // The page reloads itself after an answer: the question leaves the list and appears in the history.
    await page.locator("#pending .empty").waitFor({ state: "visible" });
    const row = page.locator("#history-table tr[data-approval]").first();
    await text(row).toContain("edited");
    await text(row).toContain(APPROVER);
    await text(row).toContain("edited: amount $12.00");
    await page.screenshot({ path: join(OUT, "3-answered.png"), fullPage: true });

    await stack.quiet();
    const writes = refundWrites(stack);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.params.amount).toBe("1200");
    expect(writes[0]!.params.charge).toBe(CHARGE);
  });

  it("shows a second answer to the same approval as already answered, and signs out", async () => {
    const answered = (await stack.api("GET", "/approvals?status=answered")).body.data[0];
    // Without the page's CSRF header a script on the page's own origin is still refused; with it, the answer is heard.
    const bare = await page.evaluate(async (id) => (await fetch(`/inbox/approvals/${id}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"type":"accept"}' })).status, answered.id);
    expect(bare).toBe(403);
    const status = await page.evaluate(async (id) => {
      const csrf = (document.querySelector('form[action="/inbox/logout"] input[name=csrf]') as HTMLInputElement).value;
      const res = await fetch(`/inbox/approvals/${id}`, { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrf }, body: '{"type":"accept"}' });
      return { status: res.status, body: await res.json() };
    }, answered.id);
    expect(status.status).toBe(409);
    expect(status.body.error.code).toBe("approval_closed");
    expect(refundWrites(stack)).toHaveLength(1);

    await page.click("#signout");
    await page.locator("#token").waitFor({ state: "visible" });
    expect(await page.content()).not.toContain(CHARGE);
  });
});
