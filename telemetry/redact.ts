// What may leave the process in a log line or a banner: URLs without their passwords, errors without the connection,
// the query's data or the payload they were raised on.

/** Query parameters that carry a secret in connection URLs (libpq's password, sslpassword, sslkey; API keys). */
const SECRET_PARAM = /pass|secret|token|key|credential|auth/i;

/**
 * A URL fit to print: the password (also one with '@' or ':' in it) and secret-looking query parameters become ***.
 * Text that is not a URL is cut to what precedes any '@' it may carry.
 */
export function redactUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    // Not parseable: keep nothing between the scheme and the last '@' of the authority.
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
  }
  if (u.password) u.password = "***";
  for (const name of [...u.searchParams.keys()]) if (SECRET_PARAM.test(name)) u.searchParams.set(name, "***");
  return u.toString();
}

// Only these properties of an error are logged: pg's pool errors carry the whole connection (user, host, process id
// and the cancel key), pg's DatabaseError carries `detail`, `where` and `internalQuery` (the row or JSON it choked
// on), stripe-node's carry the raw response and headers.
const SAFE_FIELDS = ["code", "severity", "errno", "syscall", "statusCode", "status", "requestId", "decline_code"] as const;
const MAX_MESSAGE = 300;

const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}… (${s.length} characters)` : s);

export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  cause?: SafeError | string;
  [field: string]: unknown;
}

/** pino's `err` serializer for billops: type, message (cut short), stack frames and a few safe codes, nothing else. */
export function safeError(value: unknown, depth = 0): SafeError | unknown {
  if (value === null || typeof value !== "object") return value;
  const e = value as Record<string, unknown> & { message?: unknown; stack?: unknown; cause?: unknown };
  const type = (value.constructor?.name && value.constructor.name !== "Object" ? value.constructor.name : undefined) ?? (typeof e.name === "string" ? e.name : "Error");
  const message = clip(typeof e.message === "string" ? e.message : String(value));
  const out: SafeError = { type, message };
  if (typeof e.stack === "string") {
    // The stack's first line repeats the message in full: only the frames are kept after ours.
    const frames = e.stack.split("\n").filter((l) => /^\s+at /.test(l));
    out.stack = [`${type}: ${message}`, ...frames].join("\n");
  }
  for (const k of SAFE_FIELDS) {
    const v = e[k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = typeof v === "string" ? clip(v) : v;
  }
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1) as SafeError;
  return out;
}
