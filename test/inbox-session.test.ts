// The web inbox's sign-in over a real socket: an opaque server-side session (never the token) that sign-out revokes,
// Secure behind a trusted HTTPS proxy only, CSRF-proof sign-in and sign-out, and a brake on failed sign-ins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeb, WEB_TOKEN, type Web } from "./support/web.js";
import { SESSION_COOKIE, SIGN_IN_COOKIE } from "../server/inbox-page/session.js";

let web: Web;
beforeAll(async () => {
  web = await startWeb();
});
afterAll(() => web?.stop());

/** A browser's cookie jar for one origin, enough for these tests. */
class Browser {
  cookies = new Map<string, string>();
  lastSetCookies: string[] = [];
  constructor(
    readonly base: string,
    readonly extra: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, o: { form?: Record<string, string>; headers?: Record<string, string>; json?: unknown } = {}) {
    const headers: Record<string, string> = { ...this.extra, ...o.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (o.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(o.form).toString();
    } else if (o.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(o.json);
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body, redirect: "manual" });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const c of this.lastSetCookies) {
      const [pair, ...attrs] = c.split(";");
      const [name, value] = pair!.split("=") as [string, string];
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, text: await res.text(), location: res.headers.get("location"), retryAfter: res.headers.get("retry-after") };
  }

  /** Opens the sign-in page; returns the CSRF value its form carries. */
  async signInForm(): Promise<string> {
    const page = await this.request("GET", "/inbox");
    const csrf = page.text.match(/name="csrf" value="([^"]+)"/)?.[1];
    if (!csrf) throw new Error("no csrf field on the page");
    return csrf;
  }

  /** The CSRF value of the signed-in page's sign-out form. */
  async pageCsrf(): Promise<string | null> {
    const page = await this.request("GET", "/inbox");
    return page.text.includes('id="approver"') ? (page.text.match(/action="\/inbox\/logout">\s*<input type="hidden" name="csrf" value="([^"]+)"/)?.[1] ?? null) : null;
  }

  async signIn(token = WEB_TOKEN, origin = this.base) {
    const csrf = await this.signInForm();
    return this.request("POST", "/inbox/login", { form: { token, csrf }, headers: { origin } });
  }

  signedIn = async () => (await this.request("GET", "/inbox")).text.includes('id="approver"');
}

describe("sessions", () => {
  it("keep an opaque id in the cookie, never the token; sign-out revokes it on the server", async () => {
    const b = new Browser(web.url);
    const res = await b.signIn();
    expect(res.status).toBe(303);
    const id = b.cookies.get(SESSION_COOKIE)!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).not.toContain(WEB_TOKEN);
    const set = b.lastSetCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\/inbox/);
    expect(set).not.toMatch(/Secure/);
    // The database keeps a hash of the id, not the id.
    const rows = (await web.db.pool.query("select id_hash, approver from inbox_sessions")).rows;
    expect(rows.some((r) => r.approver === "ops-web")).toBe(true);
    expect(rows.some((r) => r.id_hash === id)).toBe(false);
    expect(await b.signedIn()).toBe(true);

    const csrf = (await b.pageCsrf())!;
    expect((await b.request("POST", "/inbox/logout", { form: { csrf }, headers: { origin: web.url } })).status).toBe(303);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    // The old cookie, replayed (copied before sign-out), opens nothing: not the page, not the answer endpoint.
    const thief = new Browser(web.url);
    thief.cookies.set(SESSION_COOKIE, id);
    expect(await thief.signedIn()).toBe(false);
    expect((await thief.request("POST", "/inbox/approvals/apr_x", { json: { type: "accept" } })).status).toBe(401);
  });

  it("answer only with the page's CSRF token in a header: a riding cookie alone, or another session's token, gets 403", async () => {
    const b = new Browser(web.url);
    await b.signIn();
    const csrf = (await b.pageCsrf())!;
    const other = new Browser(web.url);
    await other.signIn();
    const otherCsrf = (await other.pageCsrf())!;
    expect(otherCsrf).not.toBe(csrf);
    for (const headers of [{} as Record<string, string>, { "x-csrf-token": "" }, { "x-csrf-token": otherCsrf }, { "x-csrf-token": csrf.slice(1) }]) {
      const res = await b.request("POST", "/inbox/approvals/apr_x", { json: { type: "accept" }, headers });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).error.code).toBe("csrf_mismatch");
    }
    // With its own token the answer reaches the approvals (an unknown id is a 404 there, not a CSRF refusal).
    const ok = await b.request("POST", "/inbox/approvals/apr_x", { json: { type: "accept" }, headers: { "x-csrf-token": csrf } });
    expect(ok.status).toBe(404);
  });

  it("end when they expire, and when the token they were opened with is taken out of APPROVER_TOKENS", async () => {
    const b = new Browser(web.url);
    await b.signIn();
    expect(await b.signedIn()).toBe(true);
    await web.db.pool.query("update inbox_sessions set expires_at = now() - interval '1 second'");
    expect(await b.signedIn()).toBe(false);

    const other = "rotated-approver-token-0123456789";
    const before = await startWeb({ db: web.db, approverTokens: new Map([[other, "ops-rot"]]) });
    const after = await startWeb({ db: web.db, approverTokens: new Map([[WEB_TOKEN, "ops-web"]]) });
    try {
      const r = new Browser(before.url);
      await r.signIn(other);
      expect(await r.signedIn()).toBe(true);
      // The same database, the same cookie, a process whose APPROVER_TOKENS no longer has that token.
      const moved = new Browser(after.url);
      moved.cookies = r.cookies;
      expect(await moved.signedIn()).toBe(false);
    } finally {
      await before.stop();
      await after.stop();
    }
  });

  it("are Secure when a trusted proxy says the request came over HTTPS, and only then", async () => {
    const proxied = await startWeb({ db: web.db, trustedProxies: ["127.0.0.1"] });
    try {
      const https = new Browser(proxied.url, { "x-forwarded-proto": "https", "x-forwarded-host": "billops.example.com" });
      const res = await https.signIn(WEB_TOKEN, "https://billops.example.com");
      expect(res.status).toBe(303);
      expect(https.lastSetCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/Secure/);
    } finally {
      await proxied.stop();
    }
    // From a client nobody trusts the same header is just words: no Secure, and its https origin is not this inbox.
    const spoof = new Browser(web.url, { "x-forwarded-proto": "https" });
    expect((await spoof.signIn(WEB_TOKEN, "https://billops.example.com")).status).toBe(403);
    const plain = new Browser(web.url, { "x-forwarded-proto": "https" });
    expect((await plain.signIn()).status).toBe(303);
    expect(plain.lastSetCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))).not.toMatch(/Secure/);
  });
});

describe("CSRF", () => {
  it("refuses a sign-in posted from another site, with no origin, or without the form's token", async () => {
    const evil = new Browser(web.url);
    expect((await evil.signIn(WEB_TOKEN, "https://evil.example")).status).toBe(403);
    expect(evil.cookies.has(SESSION_COOKIE)).toBe(false);

    const noOrigin = new Browser(web.url);
    const csrf = await noOrigin.signInForm();
    expect((await noOrigin.request("POST", "/inbox/login", { form: { token: WEB_TOKEN, csrf } })).status).toBe(403);
    // Fetch metadata alone (a browser that sends Sec-Fetch-Site but no Origin) is enough when it says same-origin.
    expect((await noOrigin.request("POST", "/inbox/login", { form: { token: WEB_TOKEN, csrf }, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);

    // Same origin, but the form's token is missing, wrong, or the browser never got the sign-in cookie.
    const forged = new Browser(web.url);
    await forged.signInForm();
    expect((await forged.request("POST", "/inbox/login", { form: { token: WEB_TOKEN }, headers: { origin: web.url } })).status).toBe(403);
    expect((await forged.request("POST", "/inbox/login", { form: { token: WEB_TOKEN, csrf: "x".repeat(43) }, headers: { origin: web.url } })).status).toBe(403);
    const noCookie = new Browser(web.url);
    expect((await noCookie.request("POST", "/inbox/login", { form: { token: WEB_TOKEN, csrf }, headers: { origin: web.url } })).status).toBe(403);
    expect(forged.cookies.has(SESSION_COOKIE) || noCookie.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(forged.cookies.has(SIGN_IN_COOKIE)).toBe(true);
  });

  it("refuses a sign-out posted from another site or without the page's token: the session stays", async () => {
    const b = new Browser(web.url);
    await b.signIn();
    expect((await b.request("POST", "/inbox/logout", { form: {}, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await b.request("POST", "/inbox/logout", { form: { csrf: "nope" }, headers: { origin: web.url } })).status).toBe(403);
    expect(await b.signedIn()).toBe(true);
  });
});

describe("failed sign-ins", () => {
  it("are braked per client address: after ten, even the right token waits (429, Retry-After)", async () => {
    const proxied = await startWeb({ db: web.db, trustedProxies: ["127.0.0.1"] });
    try {
      const guesser = new Browser(proxied.url, { "x-forwarded-for": "203.0.113.7" });
      for (let i = 0; i < 10; i++) expect((await guesser.signIn(`guess-${i}-0123456789abcdef`)).status).toBe(401);
      const blocked = await guesser.signIn();
      expect(blocked.status).toBe(429);
      expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
      expect(guesser.cookies.has(SESSION_COOKIE)).toBe(false);
      // Bearer tokens from that address wait too; another address is not held up.
      const bearer = await fetch(`${proxied.url}/approvals`, { headers: { authorization: `Bearer ${WEB_TOKEN}`, "x-forwarded-for": "203.0.113.7" } });
      expect(bearer.status).toBe(429);
      const neighbour = new Browser(proxied.url, { "x-forwarded-for": "198.51.100.20" });
      expect((await neighbour.signIn()).status).toBe(303);
    } finally {
      await proxied.stop();
    }
  });
});
