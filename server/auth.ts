// Approver authentication: a bearer token (or x-api-key) from APPROVER_TOKENS, compared in constant time, behind a
// brake on failed attempts per client address (auth-throttle.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { jsonError } from "./http-error.js";
import type { AuthThrottle } from "./auth-throttle.js";
import { clientInfo } from "./client.js";

export type ApproverEnv = { Variables: { approver: string } };

export const tokenDigest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** token → the approver's name and the token's digest, or null. */
export type ApproverChecker = (presented: string | undefined | null) => { name: string; digest: Buffer } | null;

export function approverChecker(tokens: Map<string, string>): ApproverChecker {
  // Comparing fixed-length digests lets timingSafeEqual run on any token length, and checking every entry
  // (no early exit) keeps the time independent of which token, if any, matched.
  const known = [...tokens].map(([token, name]) => ({ digest: tokenDigest(token), name }));
  return (presented) => {
    if (!presented) return null;
    const d = tokenDigest(presented);
    let found: { name: string; digest: Buffer } | null = null;
    for (const k of known) if (timingSafeEqual(k.digest, d)) found = k;
    return found;
  };
}

/** 429 with Retry-After when the client's address has failed too often; null when it may try. */
export function throttled(c: Context, throttle: AuthThrottle, address: string) {
  const wait = throttle.retryAfter(address);
  if (wait === 0) return null;
  c.header("Retry-After", String(wait));
  return jsonError(c, 429, "too_many_failed_attempts", `too many failed sign-in attempts from this address; try again in ${wait} s`);
}

/** tokens: token → approver name. Sets c.get("approver") to the name. */
export function approverAuth(tokens: Map<string, string>, o: { throttle: AuthThrottle; trustedProxies: ReadonlySet<string> }) {
  const check = approverChecker(tokens);
  return createMiddleware<ApproverEnv>(async (c, next) => {
    const address = clientInfo(c, o.trustedProxies).ip;
    // Checked before the token: a client that is guessing learns nothing more until its window ends.
    const refused = throttled(c, o.throttle, address);
    if (refused) return refused;
    const header = c.req.header("authorization");
    const presented = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? c.req.header("x-api-key");
    if (!presented) return jsonError(c, 401, "unauthenticated", "send Authorization: Bearer <token> or x-api-key");
    const approver = check(presented);
    if (approver === null) {
      o.throttle.failed(address);
      return jsonError(c, 401, "invalid_token", "unknown approver token");
    }
    c.set("approver", approver.name);
    await next();
  });
}
