// Support requests (free text from a support tool): stored in the inbox and run like an event on case request:<id>.
import { Hono } from "hono";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type pg from "pg";
import type { Clock } from "../domain/clock.js";
import { insertEvent } from "../engine/inbox/index.js";
import { jsonError, readJson, zodMessage } from "./http-error.js";

const RequestSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "letters, digits, _ and - only").optional(),
  customer: z.string().min(1).max(255),
  message: z.string().min(1).max(10_000),
  charge: z.string().min(1).max(255).optional(),
  subscription: z.string().min(1).max(255).optional(),
  invoice: z.string().min(1).max(255).optional(),
});

export const SUPPORT_REQUEST_TYPE = "billops.support_request";

/**
 * The inbox id of a support request: requests have a namespace of their own (their case key), so a request whose id
 * happens to be a Stripe event's (`evt_…`) is neither dropped as that event's duplicate nor shadows the event.
 */
export const supportRequestEventId = (id: string) => `request:${id}`;

export function requestsRoutes({ pool, clock, onStored }: { pool: pg.Pool; clock: Clock; onStored?: () => void }) {
  const app = new Hono();
  app.post("/requests", async (c) => {
    const parsed = await readJson(c);
    if (!parsed.ok) return jsonError(c, 400, "invalid_json", "the body must be JSON");
    const r = RequestSchema.safeParse(parsed.body);
    if (!r.success) return jsonError(c, 400, "invalid_request", zodMessage(r.error));
    const id = r.data.id ?? `req_${randomUUID().replace(/-/g, "")}`;
    const caseKey = `request:${id}`;
    const res = await insertEvent(pool, { id: supportRequestEventId(id), type: SUPPORT_REQUEST_TYPE, caseKey, source: "request", payload: { ...r.data, id, created: clock.now() } });
    if (res.inserted) onStored?.();
    return c.json({ id, case: caseKey, duplicate: !res.inserted }, res.inserted ? 202 : 200);
  });
  return app;
}
