// Hostile request bodies for tests and for `npx tsx test/support/flood.ts [MB]` (which prints the figures): a body of
// any size streamed at a URL, and the peak memory (VmHWM) of the billops process that received it.
import http from "node:http";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createTestDatabase } from "./db.js";

export interface FloodResult {
  status: number | null;
  /** Bytes the client got onto the wire before the server answered or closed. */
  sent: number;
}

/** POSTs `bytes` of form data to url, declared up front (Content-Length) or chunked; stops writing once answered. */
export function flood(url: string, bytes: number, o: { chunked?: boolean; contentType?: string; headers?: Record<string, string> } = {}): Promise<FloodResult> {
  const chunk = Buffer.alloc(1024 * 1024, "a");
  return new Promise((resolve, reject) => {
    let sent = 0;
    let status: number | null = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      req.destroy();
      resolve({ status, sent });
    };
    const req = http.request(url, {
      method: "POST",
      headers: {
        "content-type": o.contentType ?? "application/x-www-form-urlencoded",
        ...(o.chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(bytes) }),
        ...o.headers,
      },
    });
    req.on("response", (res) => {
      status = res.statusCode ?? null;
      res.resume();
      res.on("end", finish);
      res.on("error", finish);
    });
    // The server closing on us after its answer is the point, not a failure.
    req.on("error", (err) => (status !== null || sent > 0 ? setTimeout(finish, 50) : reject(err)));
    req.on("close", () => setTimeout(finish, 50));
    const pump = () => {
      while (!done && status === null && sent < bytes) {
        const part = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
        sent += part.length;
        if (!req.write(part)) return void req.once("drain", pump);
      }
      if (!done && status === null && sent >= bytes) req.end();
    };
    pump();
  });
}

/** Peak resident memory of a process in MB (Linux /proc), or null where there is no /proc. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const WEB_PROCESS = fileURLToPath(new URL("./web-process.ts", import.meta.url));

export interface LoginFloodReport {
  /** Peak RSS of the web process after start-up, before the flood (MB). */
  idleMb: number | null;
  declared: FloodResult & { peakMb: number | null };
  chunked: FloodResult & { peakMb: number | null };
}

/** Starts a web-only billops in its own process and sends `mb` MB to POST /inbox/login, declared and then chunked. */
export async function measureLoginFlood(mb: number): Promise<LoginFloodReport> {
  const db = await createTestDatabase();
  const child = spawn(process.execPath, ["--import", "tsx", WEB_PROCESS], {
    env: { ...process.env, DATABASE_URL: db.url, BILLOPS_SCHEMA: db.schema, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/web ready (\S+)/);
        if (m) resolve(m[1]!);
      });
      child.stderr.on("data", (d) => (err += d));
      child.once("exit", (code) => reject(new Error(`web process exited with ${code}: ${err}`)));
    });
    const pid = child.pid!;
    const idleMb = peakRssMb(pid);
    const declared = await flood(`${url}/inbox/login`, mb * 1024 * 1024);
    const declaredPeak = peakRssMb(pid);
    const chunked = await flood(`${url}/inbox/login`, mb * 1024 * 1024, { chunked: true });
    return { idleMb, declared: { ...declared, peakMb: declaredPeak }, chunked: { ...chunked, peakMb: peakRssMb(pid) } };
  } finally {
    process.removeListener("exit", orphan);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mb = Number(process.argv[2] ?? 300);
  const r = await measureLoginFlood(mb);
  const line = (name: string, x: FloodResult & { peakMb: number | null }) =>
    `${name}: HTTP ${x.status}, ${(x.sent / 1024 / 1024).toFixed(1)} MB sent before the answer, peak RSS ${x.peakMb?.toFixed(0)} MB`;
  process.stdout.write(`${mb} MB to POST /inbox/login (web process idle peak RSS ${r.idleMb?.toFixed(0)} MB)\n${line("Content-Length", r.declared)}\n${line("chunked", r.chunked)}\n`);
  process.exit(0);
}
