// Who is on the other end of a request: the client's address and whether it came over HTTPS. X-Forwarded-For and
// X-Forwarded-Proto are believed only from a proxy named in TRUSTED_PROXIES; from anyone else they are the client's
// own words and are ignored.
import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";

export interface ClientInfo {
  /** The client's address: the socket's peer, or the nearest untrusted hop a trusted proxy reported. */
  ip: string;
  /** The request reached billops (or the trusted proxy in front of it) over HTTPS. */
  https: boolean;
  /** The origin the browser used (scheme, host and port), as the trusted proxy saw it. */
  origin: string;
}

const normalize = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");

function peerAddress(c: Context): string {
  try {
    return normalize(getConnInfo(c).remote.address ?? "");
  } catch {
    // In-process requests (app.request in tests) have no socket.
    return "";
  }
}

export function clientInfo(c: Context, trustedProxies: ReadonlySet<string>): ClientInfo {
  const peer = peerAddress(c);
  const url = new URL(c.req.url);
  if (!trustedProxies.has(peer)) {
    return { ip: peer, https: url.protocol === "https:", origin: url.origin };
  }
  // The chain is client, proxy1, proxy2…: walk back from the nearest hop past the proxies we trust.
  const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((h) => normalize(h.trim())).filter(Boolean);
  let ip = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i]!;
    if (!trustedProxies.has(ip)) break;
  }
  // A proxy that appends writes "https" last; one value is the usual case.
  const proto = (c.req.header("x-forwarded-proto") ?? "").split(",").at(-1)?.trim().toLowerCase();
  const https = proto ? proto === "https" : url.protocol === "https:";
  const host = c.req.header("x-forwarded-host")?.split(",").at(-1)?.trim() || url.host;
  return { ip, https, origin: `${https ? "https" : "http"}://${host}` };
}

/** TRUSTED_PROXIES as a set of addresses (IPv4-mapped IPv6 written as plain IPv4, as the socket reports them here). */
export function trustedProxySet(addresses: readonly string[]): ReadonlySet<string> {
  return new Set(addresses.map(normalize));
}
