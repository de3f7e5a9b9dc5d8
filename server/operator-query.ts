// The query strings of the activity list and the outcome figures (JSON API and pages alike): parsed once with zod, a
// bad value named in the error.
import { z } from "zod";
import { DOMAINS } from "../domain/actions.js";
import type { ActivityFilter, Period } from "../store/settled-decisions.js";

const DAY = 86400;

/** A date as a person writes it (2026-11-02, or a full ISO time) or unix seconds; `end` turns a bare date into its end. */
function instant(end: boolean) {
  return z
    .string()
    .trim()
    .transform((v, ctx) => {
      if (/^\d{9,11}$/.test(v)) return Number(v);
      const date = /^\d{4}-\d{2}-\d{2}$/.test(v);
      const ms = Date.parse(date ? `${v}T00:00:00Z` : v);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a date (2026-11-02, an ISO time, or unix seconds)` });
        return z.NEVER;
      }
      return Math.floor(ms / 1000) + (date && end ? DAY : 0);
    });
}

const blankAsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blankAsUnset, s.optional());

const ActivityQuery = z.object({
  domain: opt(z.enum(DOMAINS)),
  action: opt(z.string().regex(/^[a-z_]{2,64}$/, "an action name such as refund_full")),
  customer: opt(z.string().max(255)),
  case: opt(z.string().max(300)),
  from: opt(instant(false)),
  to: opt(instant(true)),
  only: opt(z.enum(["acted", "all"])),
  limit: opt(z.coerce.number().int().min(1).max(500)),
  before: opt(z.string().regex(/^\d+:[^\s]{1,300}$/, "a cursor from a previous page's `next`")),
});

export type ParsedQuery<T> = { ok: true; value: T } | { ok: false; message: string };

const firstIssue = (e: z.ZodError) => {
  const i = e.issues[0]!;
  return `${i.path.join(".") || "query"}: ${i.message}`;
};

/** The activity list's filters from a query string (`?domain=refund&from=2026-11-01&only=acted`). */
export function parseActivityQuery(query: Record<string, string | undefined>): ParsedQuery<ActivityFilter & { limit: number }> {
  const parsed = ActivityQuery.safeParse(query);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const q = parsed.data;
  let before: ActivityFilter["before"] = null;
  if (q.before) {
    const i = q.before.indexOf(":");
    before = { settledAt: Number(q.before.slice(0, i)), decisionId: q.before.slice(i + 1) };
  }
  return {
    ok: true,
    value: {
      domain: q.domain ?? null,
      action: q.action ?? null,
      customer: q.customer ?? null,
      caseKey: q.case ?? null,
      from: q.from ?? null,
      to: q.to ?? null,
      only: q.only === "acted" ? "acted" : null,
      before,
      limit: q.limit ?? 100,
    },
  };
}

/** The cursor of the page after the one ending with this row. */
export const activityCursor = (row: { settledAt: number; decisionId: string }) => `${row.settledAt}:${row.decisionId}`;

const PeriodQuery = z.object({
  days: opt(z.coerce.number().int().min(1).max(3660)),
  from: opt(instant(false)),
  to: opt(instant(true)),
});

/**
 * The outcome figures' period: `from`/`to` dates, or the last `days` (90 by default) whole days on billops' clock,
 * today included (UTC days, as the figures' days and weeks are).
 */
export function parsePeriodQuery(query: Record<string, string | undefined>, now: number): ParsedQuery<Period & { days: number }> {
  const parsed = PeriodQuery.safeParse(query);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const q = parsed.data;
  const to = q.to ?? (Math.floor(now / DAY) + 1) * DAY;
  const from = q.from ?? to - (q.days ?? 90) * DAY;
  if (from >= to) return { ok: false, message: "from: must be before to" };
  if (to - from > 3660 * DAY) return { ok: false, message: "from: a period is at most ten years" };
  return { ok: true, value: { from, to, days: Math.ceil((to - from) / DAY) } };
}
