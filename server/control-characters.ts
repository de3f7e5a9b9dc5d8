// Requests carry no control characters: a NUL, another C0 control or a lone surrogate in the path, a query parameter or
// a JSON body is refused with a 400 that names the field, before any route, query or case sees it. PostgreSQL refuses
// a NUL in text (a 500 and, inside a case, a run that fails on every retry) and a lone surrogate in jsonb.
import type { MiddlewareHandler } from "hono";
import { isWellFormed } from "../domain/storable-text.js";
import { jsonError } from "./http-error.js";

// Ids, paths and query values: no control character at all.
const IN_NAMES = /[\u0000-\u001f\u007f]/;
// Free text in a JSON body (a support message, a reason): tabs and line breaks are text, the other C0 controls are not.
const IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;


/** What is wrong with a string, or null. */
function problemIn(s: string, pattern: RegExp): string | null {
  const m = pattern.exec(s);
  if (m) return `control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} is not allowed`;
  if (!isWellFormed(s)) return "a lone UTF-16 surrogate is not allowed (not valid Unicode)";
  return null;
}

const fieldName = (parent: string, key: string | number) =>
  typeof key === "number" ? `${parent}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;

/**
 * The first field of a parsed JSON value holding a control character or a lone surrogate, with what is wrong with it;
 * keys count too. Walked without recursion: a body nested a hundred thousand deep is still only a loop.
 */
export function findControlCharacter(value: unknown, root = "body"): { field: string; problem: string } | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const problem = problemIn(v, IN_TEXT);
      if (problem) return { field: path, problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], fieldName(path, i)]);
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        const problem = problemIn(k, IN_NAMES);
        if (problem) return { field: fieldName(path, k), problem: `its name: ${problem}` };
        stack.push([x, fieldName(path, k)]);
      }
    }
  }
  return null;
}

function refuse(c: Parameters<MiddlewareHandler>[0], field: string, problem: string) {
  return jsonError(c, 400, "control_character", `${field}: ${problem}`, { field });
}

/**
 * Checks the path and every query parameter of every request, and the JSON body of requests that send one. `rawBodyPaths`
 * are routes that need their body's exact bytes (a signed webhook): their body is left alone — reading it here as
 * JSON would hand the route a re-serialised copy instead.
 */
export function refuseControlCharacters(opts: { rawBodyPaths: string[] }): MiddlewareHandler {
  const raw = new Set(opts.rawBodyPaths);
  return async (c, next) => {
    const url = new URL(c.req.url);
    for (const segment of url.pathname.split("/")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return refuse(c, "path", "malformed percent-encoding");
      }
      const problem = problemIn(decoded, IN_NAMES);
      if (problem) return refuse(c, "path", problem);
    }
    for (const [name, value] of url.searchParams) {
      const problem = problemIn(name, IN_NAMES) ?? problemIn(value, IN_NAMES);
      if (problem) return refuse(c, `query.${name.replace(IN_NAMES, "?")}`, problem);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && !raw.has(url.pathname) && /^application\/(.+\+)?json\b/i.test(c.req.header("content-type") ?? "")) {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        // Not JSON: the route answers that in its own words.
        return next();
      }
      const found = findControlCharacter(body);
      if (found) return refuse(c, found.field, found.problem);
    }
    await next();
  };
}
