// The web inbox's sign-in: an approver token checked like approverAuth's, then an opaque server-side session in an
// HttpOnly, SameSite=Strict cookie, revoked on sign-out; CSRF tokens for the sign-in and sign-out forms.
//
// Routes of the inbox that need a person use `sessions.required(...)` (it sets c.var.approver), or `sessions.current(c)`.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf as sameOriginOnly } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import type pg from "pg";
import { createInboxSession, deleteInboxSession, findInboxSession } from "../../store/inbox-sessions.js";
import { approverChecker, tokenDigest } from "../auth.js";
import { clientInfo } from "../client.js";
import { jsonError } from "../http-error.js";

export const SESSION_COOKIE = "billops_inbox";
/** The sign-in form's CSRF cookie (double submit: the form carries the same value). */
export const SIGN_IN_COOKIE = "billops_signin";
export const SESSION_SECONDS = 8 * 3600;
const SIGN_IN_SECONDS = 3600;
const COOKIE_PATH = "/inbox";

export type SessionEnv = { Variables: { approver: string; csrf: string } };

export interface InboxSession {
  approver: string;
  /** What the inbox's forms send back (sign-out). */
  csrf: string;
}

export interface InboxSessions {
  /** The person signed in on this request, or null. */
  current(c: Context): Promise<InboxSession | null>;
  /** For routes that need a person: sets c.var.approver and c.var.csrf, or answers with `onMissing`. */
  required(onMissing: (c: Context) => Response | Promise<Response>): MiddlewareHandler<SessionEnv>;
  /** Checks a presented token; on success opens a session and sets its cookie. Returns the approver or null. */
  signIn(c: Context, token: string): Promise<string | null>;
  /** Revokes the request's session (if any) and clears its cookie. */
  signOut(c: Context): Promise<void>;
  /** The value the sign-in form carries; sets its cookie when the browser has none yet. */
  signInCsrf(c: Context): string;
  /** The form's value matches the sign-in cookie. */
  signInCsrfValid(c: Context, presented: unknown): boolean;
  /** Refuses a form post (sign-in, sign-out) whose Origin / Sec-Fetch-Site is not this inbox (403). */
  sameOrigin: MiddlewareHandler;
}

const random = () => randomBytes(32).toString("base64url");
const hashOf = (id: string) => createHash("sha256").update(id, "utf8").digest("hex");
/** A cookie value billops could have issued (43 base64url characters); anything else is not looked up. */
const ISSUED = /^[A-Za-z0-9_-]{43}$/;

export function sameValue(a: string, b: unknown): boolean {
  if (typeof b !== "string" || b.length !== a.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function inboxSessions(o: { pool: pg.Pool; approverTokens: Map<string, string>; trustedProxies: ReadonlySet<string> }): InboxSessions {
  const check = approverChecker(o.approverTokens);
  // digest (hex) → approver name: a session lives only while the token it was opened with is still configured.
  const liveTokens = new Map([...o.approverTokens].map(([token, name]) => [tokenDigest(token).toString("hex"), name]));
  const cookieOptions = (c: Context, maxAge: number) => ({
    httpOnly: true,
    sameSite: "Strict" as const,
    path: COOKIE_PATH,
    maxAge,
    // Behind a TLS-terminating proxy the request arrives as http: the trusted proxy's X-Forwarded-Proto says https.
    secure: clientInfo(c, o.trustedProxies).https,
  });

  async function current(c: Context): Promise<InboxSession | null> {
    const id = getCookie(c, SESSION_COOKIE);
    if (!id || !ISSUED.test(id)) return null;
    const row = await findInboxSession(o.pool, hashOf(id));
    if (!row || liveTokens.get(row.tokenDigest) !== row.approver) return null;
    return { approver: row.approver, csrf: row.csrf };
  }

  return {
    current,
    required(onMissing) {
      return async (c, next) => {
        const s = await current(c);
        if (!s) return onMissing(c);
        c.set("approver", s.approver);
        c.set("csrf", s.csrf);
        await next();
      };
    },
    async signIn(c, token) {
      const approver = check(token);
      if (!approver) return null;
      const id = random();
      await createInboxSession(o.pool, { idHash: hashOf(id), approver: approver.name, tokenDigest: approver.digest.toString("hex"), csrf: random(), ttlSeconds: SESSION_SECONDS });
      setCookie(c, SESSION_COOKIE, id, cookieOptions(c, SESSION_SECONDS));
      deleteCookie(c, SIGN_IN_COOKIE, { path: COOKIE_PATH });
      return approver.name;
    },
    async signOut(c) {
      const id = getCookie(c, SESSION_COOKIE);
      if (id && ISSUED.test(id)) await deleteInboxSession(o.pool, hashOf(id));
      deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: clientInfo(c, o.trustedProxies).https });
    },
    signInCsrf(c) {
      const have = getCookie(c, SIGN_IN_COOKIE);
      if (have && ISSUED.test(have)) return have;
      const value = random();
      setCookie(c, SIGN_IN_COOKIE, value, cookieOptions(c, SIGN_IN_SECONDS));
      return value;
    },
    signInCsrfValid(c, presented) {
      const have = getCookie(c, SIGN_IN_COOKIE);
      return !!have && ISSUED.test(have) && sameValue(have, presented);
    },
    // Browsers send Origin (and Sec-Fetch-Site) with every form post; a post from another site, or one that names no
    // origin at all, is refused before the body is read.
    sameOrigin: refusingCrossSite(sameOriginOnly({ origin: (origin, c) => origin === clientInfo(c, o.trustedProxies).origin })),
  };
}

/** hono's csrf answers a bare 403 by throwing; billops answers in its JSON error shape. */
function refusingCrossSite(check: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    try {
      return await check(c, next);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) {
        return jsonError(c, 403, "cross_site_request", "this form may only be posted from billops' own inbox page");
      }
      throw err;
    }
  };
}
