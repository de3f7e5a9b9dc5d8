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

const MONTH_DAY = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** "Dec 3" (UTC): an axis label where the year is said elsewhere. */
export function formatShortDate(unixSeconds: number): string {
  return MONTH_DAY.format(new Date(unixSeconds * 1000));
}

/** "45 minutes", "5 hours", "3 days 4 hours": a length of time for a person, to the nearest minute. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (s < 60) return plural(s, "second");
  if (s < 3600) return plural(Math.round(s / 60), "minute");
  if (s < 86400) {
    const minutes = Math.round(s / 60);
    const [h, m] = [Math.floor(minutes / 60), minutes % 60];
    return m && h < 10 ? `${plural(h, "hour")} ${plural(m, "minute")}` : plural(Math.round(s / 3600), "hour");
  }
  const hours = Math.round(s / 3600);
  const [d, h] = [Math.floor(hours / 24), hours % 24];
  return h && d < 10 ? `${plural(d, "day")} ${plural(h, "hour")}` : plural(Math.round(s / 86400), "day");
}
