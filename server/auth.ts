// Approver authentication: a bearer token (or x-api-key) from APPROVER_TOKENS, compared in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { jsonError } from "./http-error.js";

export type ApproverEnv = { Variables: { approver: string } };

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** tokens: token → approver name. Sets c.get("approver") to the name. */
export function approverAuth(tokens: Map<string, string>) {
  // Comparing fixed-length digests lets timingSafeEqual run on any token length, and checking every entry
  // (no early exit) keeps the time independent of which token, if any, matched.
  const known = [...tokens].map(([token, name]) => ({ digest: digest(token), name }));
  return createMiddleware<ApproverEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const presented = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? c.req.header("x-api-key");
    if (!presented) return jsonError(c, 401, "unauthenticated", "send Authorization: Bearer <token> or x-api-key");
    const d = digest(presented);
    let name: string | undefined;
    for (const k of known) if (timingSafeEqual(k.digest, d)) name = k.name;
    if (name === undefined) return jsonError(c, 401, "invalid_token", "unknown approver token");
    c.set("approver", name);
    await next();
  });
}
