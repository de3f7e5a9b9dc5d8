// The web inbox's sign-in: an approver token checked like approverAuth's, then kept in an HttpOnly, same-site cookie.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "billops_inbox";
const EIGHT_HOURS = 8 * 3600;

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** token → approver name, or null. Every entry is compared (no early exit), in constant time, as in auth.ts. */
export function approverChecker(tokens: Map<string, string>) {
  const known = [...tokens].map(([token, name]) => ({ digest: digest(token), name }));
  return (presented: string | undefined | null): string | null => {
    if (!presented) return null;
    const d = digest(presented);
    let name: string | null = null;
    for (const k of known) if (timingSafeEqual(k.digest, d)) name = k.name;
    return name;
  };
}

/**
 * The cookie holds the token itself, HttpOnly so page scripts never read it, SameSite=Strict so another site cannot
 * ride it (the answer endpoint also demands a JSON body, which a cross-site form cannot send), scoped to /inbox.
 */
export function startSession(c: Context, token: string) {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/inbox", maxAge: EIGHT_HOURS, secure: new URL(c.req.url).protocol === "https:" });
}

export function endSession(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: "/inbox" });
}

export function sessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}
