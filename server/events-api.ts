// Operator routes over the inbox: list and read events, retry a failed one, skip a blocking one. Auth is the caller's.
import { Hono } from "hono";
import type pg from "pg";
import type { Logger } from "../telemetry/log.js";
import { getEvent, listEvents, MAX_LIST_LIMIT, retryEvent, skipEvent, type EventStatus } from "../engine/inbox/index.js";
import { jsonError } from "./http-error.js";

const STATUSES: EventStatus[] = ["pending", "running", "done", "failed", "ignored", "skipped"];

export interface EventsApiOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Wakes an in-process worker after a retry or skip unblocks a case. */
  onUnblocked?: () => void;
}

export function eventsRoutes(opts: EventsApiOptions): Hono<any> {
  const { pool, logger } = opts;
  const app = new Hono<any>();

  app.get("/events", async (c) => {
    const status = c.req.query("status");
    const caseKey = c.req.query("case");
    const limitText = c.req.query("limit");
    if (status !== undefined && !STATUSES.includes(status as EventStatus)) {
      return jsonError(c, 400, "invalid_status", `status must be one of ${STATUSES.join(", ")}`);
    }
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      return jsonError(c, 400, "invalid_limit", `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
    }
    const events = await listEvents(pool, { status: status as EventStatus | undefined, caseKey, limit });
    return c.json({ events });
  });

  app.get("/events/:id", async (c) => {
    const event = await getEvent(pool, c.req.param("id"));
    return event ? c.json({ event }) : jsonError(c, 404, "event_not_found", `no event ${c.req.param("id")}`);
  });

  app.post("/events/:id/retry", async (c) => {
    const id = c.req.param("id");
    const res = await retryEvent(pool, id);
    if (!res.ok) {
      return res.reason === "not_found"
        ? jsonError(c, 404, "event_not_found", `no event ${id}`)
        : jsonError(c, 409, "event_not_failed", `only failed events can be retried; ${id} is ${res.status}`);
    }
    logger.info({ event_id: id, case: res.event.caseKey, approver: c.get("approver") }, "event retried by operator");
    opts.onUnblocked?.();
    return c.json({ event: res.event });
  });

  app.post("/events/:id/skip", async (c) => {
    const id = c.req.param("id");
    const res = await skipEvent(pool, id);
    if (!res.ok) {
      return res.reason === "not_found"
        ? jsonError(c, 404, "event_not_found", `no event ${id}`)
        : jsonError(c, 409, "event_not_skippable", `only failed or pending events can be skipped; ${id} is ${res.status}`);
    }
    logger.warn({ event_id: id, case: res.event.caseKey, approver: c.get("approver") }, "event skipped by operator");
    opts.onUnblocked?.();
    return c.json({ event: res.event });
  });

  return app;
}
