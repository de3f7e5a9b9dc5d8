// The simulator in a child process, as Stripe is in production: its CPU is not billops', so a bench that charges the
// simulator's request handling to the worker's one thread would measure Stripe, not billops.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface RemoteSimulator {
  url: string;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL("../stripe/sim/cli.ts", import.meta.url));

export async function startRemoteSimulator(seed: object, now: number): Promise<RemoteSimulator> {
  const dir = mkdtempSync(join(tmpdir(), "billops-bench-sim-"));
  const seedFile = join(dir, "seed.json");
  writeFileSync(seedFile, JSON.stringify(seed));
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "--port", "0", "--seed", seedFile, "--now", String(now)], { stdio: ["ignore", "pipe", "pipe"] });
  // A bench that exits (or throws) half-way must not leave a simulator running.
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    async stop() {
      process.removeListener("exit", orphan);
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
