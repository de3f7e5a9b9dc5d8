// What the HTTP layer refuses before any route, query or case sees it: bodies over their limit (a 300 MB sign-in
// costs nothing), slow clients, control characters, bad page parameters; what /health tells a stranger; support
// request ids in their own namespace.
import net from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import { measureLoginFlood } from "./support/flood.js";
import { startWeb, WEB_NOW, WEB_SECRET, WEB_TOKEN, type Web } from "./support/web.js";
import { SERVER_TIMEOUTS } from "../server/limits.js";
import { bareApp } from "./support/app.js";
import { createPool } from "../db/pool.js";
import { manualClock } from "../domain/clock.js";
import { silentLogger } from "../telemetry/log.js";
import { getEvent, listEvents } from "../engine/inbox/index.js";

let web: Web;
beforeAll(async () => {
  web = await startWeb();
});
afterAll(() => web?.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${WEB_TOKEN}` }) {
  const res = await fetch(`${web.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: json, headers: res.headers };
}

describe("body limits", () => {
  it("300 MB to POST /inbox/login is refused with 413 before it is read: the process stays under 300 MB", { timeout: 120_000 }, async () => {
    const r = await measureLoginFlood(300);
    expect(r.declared.status).toBe(413);
    expect(r.chunked.status).toBe(413);
    // The answer came long before the body could have been read (the client stops writing once answered).
    expect(r.declared.sent).toBeLessThan(64 * 1024 * 1024);
    expect(r.chunked.sent).toBeLessThan(64 * 1024 * 1024);
    if (r.chunked.peakMb !== null) expect(r.chunked.peakMb).toBeLessThan(300);
  });

  it("a JSON API body over 1 MiB is 413 with or without a token, and a sign-in form over 4 KiB too", async () => {
    const big = JSON.stringify({ customer: "cus_1", message: "x".repeat(1024 * 1024) });
    for (const headers of [{ authorization: `Bearer ${WEB_TOKEN}` }, {}] as Record<string, string>[]) {
      const res = await call("POST", "/requests", big, headers);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("payload_too_large");
      expect(res.headers.get("connection")).toBe("close");
    }
    const form = await fetch(`${web.url}/inbox/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: web.url }, body: `token=${"t".repeat(5000)}` });
    expect(form.status).toBe(413);
    expect(await listEvents(web.db.pool)).toHaveLength(0);
  });
});

describe("timeouts", () => {
  it("are shorter than Node's defaults", () => {
    const defaults = createServer();
    expect(SERVER_TIMEOUTS.headersTimeout).toBeLessThan(defaults.headersTimeout);
    expect(SERVER_TIMEOUTS.requestTimeout).toBeLessThan(defaults.requestTimeout);
    expect(SERVER_TIMEOUTS.requestTimeout).toBeGreaterThan(SERVER_TIMEOUTS.headersTimeout);
  });

  it("cut off a client that never finishes its headers, and one that trickles its body", async () => {
    const slow = await startWeb({ timeouts: { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 100 } });
    try {
      const { port } = new URL(slow.url);
      const hang = (lines: string) =>
        new Promise<string>((resolve, reject) => {
          const s = net.connect(Number(port), "127.0.0.1", () => s.write(lines));
          let got = "";
          s.on("data", (d) => (got += d));
          s.on("close", () => resolve(got));
          s.on("error", () => resolve(got));
          // Node's own default would keep this socket for a minute or more.
          setTimeout(() => reject(new Error("the server kept a stalled connection open")), 20_000).unref();
        });
      expect(await hang("POST /requests HTTP/1.1\r\nHost: billops\r\nContent-Type: application/json\r\n")).toMatch(/^HTTP\/1\.1 408/);
      // Headers complete, body promised and never sent: the request timeout ends it.
      const body = await hang(`POST /requests HTTP/1.1\r\nHost: billops\r\nContent-Type: application/json\r\nAuthorization: Bearer ${WEB_TOKEN}\r\nContent-Length: 100\r\n\r\n{"customer":`);
      expect(body === "" || /^HTTP\/1\.1 (408|400|499)/.test(body)).toBe(true);
      expect(await listEvents(slow.db.pool)).toHaveLength(0);
    } finally {
      await slow.stop();
    }
  });
});

describe("control characters and page parameters", () => {
  it.each([
    ["GET", "/events/%00", "path"],
    ["GET", "/cases/request:a%00b", "path"],
    ["GET", "/approvals/x%1Fy", "path"],
    ["GET", "/events?case=invoice:in_%00", "query.case"],
    ["GET", "/approvals?status=pending&domain=%07", "query.domain"],
    ["GET", "/threads/%E0%A4%A", "path"],
  ])("%s %s is 400 naming %s, not 500", async (method, path, field) => {
    const res = await call(method, path);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toContain(field);
  });

  it.each([
    ["/cases?limit=-1", "invalid_limit"],
    ["/cases?limit=abc", "invalid_limit"],
    ["/cases/subscription:sub_1?limit=-1", "invalid_limit"],
    ["/notifications?limit=-1", "invalid_limit"],
    ["/notifications?limit=1e400", "invalid_limit"],
    ["/approvals?limit=1e20", "invalid_limit"],
    ["/approvals?offset=-5", "invalid_offset"],
    ["/events?limit=-1", "invalid_limit"],
  ])("GET %s is 400 %s, not 500", async (path, code) => {
    const res = await call("GET", path);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it.each([
    [{ customer: "cus_\u0000A", message: "refund please" }, "body.customer"],
    [{ customer: "cus_A", message: "refund\u0000 please" }, "body.message"],
    [{ customer: "cus_A", message: "half an emoji \ud83d" }, "body.message"],
    [{ customer: "cus_A", message: "ok", charge: "ch_\u001b[31m" }, "body.charge"],
    [{ customer: "cus_A", message: "ok", ["meta\u0000"]: 1 }, 'body["meta\\u0000"]'],
  ])("POST /requests %j is 400 naming %s; nothing is stored", async (body, field) => {
    const res = await call("POST", "/requests", body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("control_character");
    expect(res.body.error.field).toBe(field);
    expect(await listEvents(web.db.pool, { caseKey: "request:nothing" })).toHaveLength(0);
  });

  it("keeps tabs, line breaks and whole emoji in free text", async () => {
    const res = await call("POST", "/requests", { customer: "cus_A", message: "Hi,\r\n\tI was charged twice 😞 — ¿me ayudan?" });
    expect(res.status).toBe(202);
    expect((await getEvent(web.db.pool, `request:${res.body.id}`))?.payload.message).toContain("😞");
  });
});

describe("support request ids have their own namespace", () => {
  function signed(event: object) {
    const payload = JSON.stringify(event);
    return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret: WEB_SECRET, timestamp: WEB_NOW }) };
  }

  it("a request named like a stored Stripe event is stored and run, and the event is untouched", async () => {
    const evt = { id: "evt_NS1", object: "event", type: "invoice.payment_failed", created: WEB_NOW, livemode: false, data: { object: { id: "in_NS1", object: "invoice" } }, request: { id: null, idempotency_key: null } };
    const s = signed(evt);
    expect((await call("POST", "/webhooks/stripe", s.payload, { "stripe-signature": s.header })).status).toBe(200);
    const req = await call("POST", "/requests", { id: "evt_NS1", customer: "cus_A", message: "please refund" });
    expect(req.status).toBe(202);
    expect(req.body).toEqual({ id: "evt_NS1", case: "request:evt_NS1", duplicate: false });
    expect((await getEvent(web.db.pool, "evt_NS1"))?.type).toBe("invoice.payment_failed");
    expect((await getEvent(web.db.pool, "request:evt_NS1"))?.caseKey).toBe("request:evt_NS1");
    // And the other way round: a Stripe event arriving after a request of the same name is not its duplicate.
    expect((await call("POST", "/requests", { id: "evt_NS2", customer: "cus_A", message: "hello" })).status).toBe(202);
    const s2 = signed({ ...evt, id: "evt_NS2" });
    const res = await call("POST", "/webhooks/stripe", s2.payload, { "stripe-signature": s2.header });
    expect(res.body).toEqual({ received: true, duplicate: false });
    // A second request with the same id is that request's duplicate.
    expect((await call("POST", "/requests", { id: "evt_NS1", customer: "cus_A", message: "please refund" })).body.duplicate).toBe(true);
  });
});

describe("/health", () => {
  it("says only ok to a stranger; the details need a token, and a wrong token is refused", async () => {
    const open = await call("GET", "/health", undefined, {});
    expect(open.status).toBe(200);
    expect(open.body).toEqual({ status: "ok" });
    const detailed = await call("GET", "/health");
    expect(detailed.body).toMatchObject({ status: "ok", database: "up", webhooks: { livemode_mismatches: 0, api_version_mismatches: 0 } });
    expect((await call("GET", "/health", undefined, { authorization: "Bearer not-a-token-0123456789" })).status).toBe(401);
  });

  it("with the database down: 503 not_ok and no error text for a stranger; the error with a token", async () => {
    // A pool to a port nothing listens on, with a user name and password that must never reach a stranger.
    const pool = createPool("postgres://billops_user:s3cret@127.0.0.1:9/nowhere", { logger: silentLogger });
    const app = bareApp({ pool, webhookSecret: WEB_SECRET, clock: manualClock(WEB_NOW), approverTokens: new Map([[WEB_TOKEN, "ops"]]), logger: silentLogger });
    try {
      const open = await app.request("/health");
      expect(open.status).toBe(503);
      const text = await open.text();
      expect(JSON.parse(text)).toEqual({ status: "not_ok" });
      const detailed = await app.request("/health", { headers: { authorization: `Bearer ${WEB_TOKEN}` } });
      expect(detailed.status).toBe(503);
      const body = (await detailed.json()) as any;
      expect(body.database).toBe("down");
      expect(body.database_error.message).toBeTruthy();
      expect(JSON.stringify(body)).not.toContain("s3cret");
    } finally {
      await pool.end();
    }
  });
});
