// What one request may cost billops before it is refused: body sizes, checked before anything reads a body, and the
// HTTP server's timeouts (a client that sends its headers or body slowly must not hold a connection for minutes).
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { jsonError } from "./http-error.js";

/** The sign-in and sign-out forms: a token and a CSRF token, a few hundred bytes. */
export const FORM_BODY_BYTES = 4 * 1024;
/** JSON APIs (approvals, requests, Agent Server) and Stripe's webhooks. */
export const API_BODY_BYTES = 1024 * 1024;

/**
 * Node's defaults (headers 60 s, whole request 300 s, checked every 30 s) let a client that trickles its bytes hold a
 * connection for minutes. A webhook or an answer is a few KB: ten seconds for the headers and thirty for the body
 * are generous on any real link. Response streams (Agent Server runs) are not limited by these: they time the request.
 */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
} as const;

export type ServerTimeouts = { [K in keyof typeof SERVER_TIMEOUTS]: number };

function tooLarge(c: Context, maxBytes: number) {
  // The rest of the body is not worth reading: close the connection once the answer is out.
  c.header("Connection", "close");
  return jsonError(c, 413, "payload_too_large", `request bodies here are limited to ${maxBytes} bytes`);
}

/**
 * Refuses a body over maxBytes with 413 before any of it is read. A declared Content-Length is checked up front and
 * the read stays within it (node's parser never delivers more than declared); only a body without one (chunked) goes
 * through hono's bodyLimit, which counts bytes as they stream — its web-stream wrapping halved webhook ingest
 * throughput when every request paid for it.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: (c) => tooLarge(c, maxBytes) });
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared === undefined) return streamed(c, next);
    if (!/^\d+$/.test(declared) || Number(declared) > maxBytes) return tooLarge(c, maxBytes);
    await next();
  };
}
