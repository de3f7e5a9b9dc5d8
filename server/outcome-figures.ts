// What billops earned and how it behaved over a period, from its own tables: the figures GET /outcomes returns and the
// outcomes page draws. Machine fields are numbers (minor units, unix seconds); `*_text` fields are for people.
import type { Queryable } from "../store/db.js";
import {
  DISPUTE_STAGES, REFUND_KINDS, disputeStages, dunningByWeek, recoveryByCategory, recoveryTimes, refundKinds, type Period,
} from "../store/settled-decisions.js";
import { answerTimes, pendingApprovalStats } from "../store/approvals.js";
import { modelUsageByDay } from "../store/audit.js";
import { formatMoney } from "../domain/money.js";
import { formatDate, formatDuration } from "../domain/dates.js";

const DAY = 86400;
const WEEK = 7 * DAY;

export interface Money {
  currency: string;
  amount: number;
  amount_text: string;
}

const money = (amount: number, currency: string): Money => ({ currency, amount, amount_text: formatMoney(amount, currency) });

export interface Bucket {
  label: string;
  /** [min, max) in seconds; max null = open. */
  min: number;
  max: number | null;
  count: number;
}

const RECOVERY_BUCKETS: [string, number, number | null][] = [
  ["under 1 day", 0, DAY],
  ["1–3 days", DAY, 3 * DAY],
  ["3–7 days", 3 * DAY, 7 * DAY],
  ["7–14 days", 7 * DAY, 14 * DAY],
  ["14–30 days", 14 * DAY, 30 * DAY],
  ["30 days or more", 30 * DAY, null],
];

const ANSWER_BUCKETS: [string, number, number | null][] = [
  ["under 15 minutes", 0, 900],
  ["15–60 minutes", 900, 3600],
  ["1–4 hours", 3600, 4 * 3600],
  ["4–24 hours", 4 * 3600, DAY],
  ["1–3 days", DAY, 3 * DAY],
  ["3 days or more", 3 * DAY, null],
];

function bucketed(seconds: number[], spec: [string, number, number | null][]): Bucket[] {
  return spec.map(([label, min, max]) => ({ label, min, max, count: seconds.filter((s) => s >= min && (max === null || s < max)).length }));
}

/** The median of sorted values (the mean of the two middle ones for an even count), or null for none. */
export function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const durationFigure = (s: number | null) => ({ seconds: s, text: s === null ? "—" : formatDuration(s) });

/** Monday 00:00 UTC of the week holding `t` (as PostgreSQL's date_trunc('week') counts). */
export function weekStart(t: number): number {
  const day = Math.floor(t / DAY) * DAY;
  const weekday = (new Date(day * 1000).getUTCDay() + 6) % 7;
  return day - weekday * DAY;
}

export interface OutcomeFigures {
  period: { from: number; to: number; from_text: string; to_text: string };
  dunning: {
    weekly: { week: number; week_text: string; currency: string; failed: Money & { count: number }; recovered: Money & { count: number } }[];
    currencies: string[];
    by_category: { category: string; failed: number; recovered: number; rate: number | null; rate_text: string; amounts: { currency: string; failed: Money; recovered: Money }[] }[];
    time_to_recover: { recovered: number; buckets: Bucket[]; median: { seconds: number | null; text: string } };
  };
  disputes: { stage: string; count: number; amounts: Money[] }[];
  refunds: { kind: string; count: number; amounts: Money[]; without_amount: number }[];
  approvals: {
    answered: number;
    buckets: Bucket[];
    median: { seconds: number | null; text: string };
    by_domain: { domain: string; answered: number; median: { seconds: number | null; text: string } }[];
    pending: { domain: string; count: number; oldest: { seconds: number; text: string } }[];
  };
  model: { daily: { day: number; day_text: string; calls: number; tokens: number; fallbacks: number }[]; calls: number; tokens: number; fallbacks: number };
}

export async function outcomeFigures(db: Queryable, period: Period, now: number): Promise<OutcomeFigures> {
  const [weekly, categories, times, disputes, refunds, answers, pending, usage] = await Promise.all([
    dunningByWeek(db, period),
    recoveryByCategory(db, period),
    recoveryTimes(db, period),
    disputeStages(db, period),
    refundKinds(db, period),
    answerTimes(db, period),
    pendingApprovalStats(db, now),
    modelUsageByDay(db, period),
  ]);

  // Every week of the period, per currency, so a week without failures shows as an empty bar, not a missing one.
  const currencies = [...new Set(weekly.map((w) => w.currency))].sort();
  const weeks: number[] = [];
  for (let w = weekStart(period.from); w < period.to; w += WEEK) weeks.push(w);
  const weeklyFigures = currencies.flatMap((currency) =>
    weeks.map((week) => {
      const row = weekly.find((x) => x.week === week && x.currency === currency);
      return {
        week,
        week_text: `week of ${formatDate(week)}`,
        currency,
        failed: { ...money(row?.failedAmount ?? 0, currency), count: row?.failedCount ?? 0 },
        recovered: { ...money(row?.recoveredAmount ?? 0, currency), count: row?.recoveredCount ?? 0 },
      };
    }),
  );

  const days: number[] = [];
  for (let d = Math.floor(period.from / DAY) * DAY; d < period.to; d += DAY) days.push(d);
  const daily = days.map((day) => {
    const u = usage.find((x) => x.day === day);
    return { day, day_text: formatDate(day), calls: u?.calls ?? 0, tokens: u?.tokens ?? 0, fallbacks: u?.fallbacks ?? 0 };
  });

  const answerSeconds = answers.map((a) => a.seconds);
  const domains = [...new Set(answers.map((a) => a.domain))].sort();

  return {
    period: { from: period.from, to: period.to, from_text: formatDate(period.from), to_text: formatDate(period.to - 1) },
    dunning: {
      weekly: weeklyFigures,
      currencies,
      by_category: categories.map((c) => ({
        category: c.category,
        failed: c.failed,
        recovered: c.recovered,
        rate: c.failed ? c.recovered / c.failed : null,
        rate_text: c.failed ? `${Math.round((100 * c.recovered) / c.failed)}% (${c.recovered} of ${c.failed})` : "—",
        amounts: c.amounts.map((a) => ({ currency: a.currency, failed: money(a.failedAmount, a.currency), recovered: money(a.recoveredAmount, a.currency) })),
      })),
      time_to_recover: { recovered: times.length, buckets: bucketed(times, RECOVERY_BUCKETS), median: durationFigure(median(times)) },
    },
    disputes: DISPUTE_STAGES.map((stage) => {
      const rows = disputes.filter((d) => d.stage === stage);
      return { stage, count: rows.reduce((n, r) => n + r.count, 0), amounts: rows.filter((r) => r.currency).map((r) => money(r.amount ?? 0, r.currency!)) };
    }),
    refunds: REFUND_KINDS.map((kind) => {
      const rows = refunds.filter((r) => r.kind === kind);
      return {
        kind,
        count: rows.reduce((n, r) => n + r.count, 0),
        amounts: rows.filter((r) => r.currency && r.amount != null).map((r) => money(r.amount!, r.currency!)),
        without_amount: rows.filter((r) => !r.currency).reduce((n, r) => n + r.count, 0),
      };
    }),
    approvals: {
      answered: answers.length,
      buckets: bucketed(answerSeconds, ANSWER_BUCKETS),
      median: durationFigure(median(answerSeconds)),
      by_domain: domains.map((domain) => {
        const s = answers.filter((a) => a.domain === domain).map((a) => a.seconds);
        return { domain, answered: s.length, median: durationFigure(median(s)) };
      }),
      pending: pending.map((p) => ({ domain: p.domain, count: p.count, oldest: { seconds: p.oldestAgeSeconds, text: formatDuration(p.oldestAgeSeconds) } })),
    },
    model: {
      daily,
      calls: usage.reduce((n, u) => n + u.calls, 0),
      tokens: usage.reduce((n, u) => n + u.tokens, 0),
      fallbacks: usage.reduce((n, u) => n + u.fallbacks, 0),
    },
  };
}
