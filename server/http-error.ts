// JSON errors with a real status: {"error": {"code", "message"}} (STYLE.md).
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string, extra: Record<string, unknown> = {}) {
  return c.json({ error: { code, message, ...extra } }, status);
}

export function zodMessage(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}

/** Reads a JSON body; a body that is not JSON is the caller's error, not ours. */
export async function readJson(c: Context): Promise<{ ok: true; body: unknown } | { ok: false }> {
  try {
    return { ok: true, body: await c.req.json() };
  } catch {
    return { ok: false };
  }
}

/**
 * A whole-number query parameter from min to max (`fallback` when absent), or the 400 that says what is wrong: a
 * `limit=-1` must be the caller's error, not a database error.
 */
export function intQuery(c: Context, name: string, o: { min: number; max: number; fallback: number }): number | Response {
  const text = c.req.query(name);
  if (text === undefined) return o.fallback;
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < o.min || n > o.max) return jsonError(c, 400, `invalid_${name}`, `${name} must be a whole number from ${o.min} to ${o.max}`);
  return n;
}
