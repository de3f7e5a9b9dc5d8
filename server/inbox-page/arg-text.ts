// An action's arguments as a person reads them (approval cards, history, case stories): money and times formatted.
import { formatMoney } from "../../domain/money.js";
import { formatDateTime } from "../../domain/dates.js";

/**
 * An action argument for a person: amounts in the case's currency, times as dates, ids as they are. Arguments that
 * are text (a reason, evidence) are shown in full elsewhere; here they are cut short.
 */
export function argText(key: string, value: unknown, currency: string | null): string {
  if (typeof value === "number" && currency && /(^|_)amount$/.test(key)) return formatMoney(value, currency);
  if (typeof value === "number" && /(_at|_by|_date)$/.test(key)) return formatDateTime(value);
  if (typeof value === "string") return value.length > 120 ? `${value.slice(0, 117)}…` : value;
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") {
    const keys = Object.keys(value as object);
    return keys.length ? `${keys.length} field${keys.length === 1 ? "" : "s"} (${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""})` : "—";
  }
  return String(value);
}
