// Dates as a person reads them ("Dec 3, 2026", "Dec 3, 2026, 14:05 UTC"): in rationales, emails, pages and the
// human-readable fields of the API. Machine fields stay unix seconds.

const DAY = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const MINUTE = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/** "Dec 3, 2026" (UTC). */
export function formatDate(unixSeconds: number): string {
  return DAY.format(new Date(unixSeconds * 1000));
}

/** "Dec 3, 2026, 14:05 UTC". */
export function formatDateTime(unixSeconds: number): string {
  return `${MINUTE.format(new Date(unixSeconds * 1000))} UTC`;
}

/** "in 36 hours", "in 3 days", "2 days ago": how far `at` is from `now`, rounded for a person. */
export function formatDistance(at: number, now: number): string {
  const s = at - now;
  const abs = Math.abs(s);
  const [n, unit] = abs < 3600 ? [Math.max(1, Math.round(abs / 60)), "minute"] : abs < 72 * 3600 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}
