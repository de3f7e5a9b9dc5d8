// `npm run bench`: every benchmark reports its figure next to a baseline measured in the same run, as a ratio —
// the machine is shared and noisy, so absolute numbers mean little and ratios are what we track.
import { benchSimulator } from "./sim.js";
import { benchIngest } from "./ingest.js";
import { benchPipeline } from "./pipeline.js";
import { benchReplay } from "./replay.js";
import { benchStorage } from "./storage.js";
import type { BenchResult } from "./result.js";

const quick = process.argv.includes("--quick");

const benches: [string, () => Promise<BenchResult>][] = [
  ["simulator", () => benchSimulator({ seconds: quick ? 2 : 6 })],
  ["ingest", () => benchIngest({ events: quick ? 500 : 3000 })],
  ["pipeline", () => benchPipeline({ events: quick ? 100 : 300, rounds: quick ? 1 : 7, warmup: quick ? 200 : 1000 })],
  ["replay", () => benchReplay({ decisions: quick ? 200 : 1000 })],
  ["storage", () => benchStorage({ cases: quick ? 40 : 200, eventsPerCase: 5 })],
];

const results: BenchResult[] = [];
for (const [name, run] of benches) {
  process.stderr.write(`bench: ${name}…\n`);
  results.push(await run());
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const rows = results.map((r) => [r.name, `${fmt(r.value)} ${r.unit}`, `${fmt(r.baseline)} ${r.unit}`, r.ratio.toFixed(2), r.target === undefined ? "" : r.ratio >= r.target ? `≥ ${r.target} ok` : `< ${r.target} MISSED`]);
const head = ["benchmark", "billops", "baseline", "ratio", "target"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
process.stdout.write([line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n");
if (process.argv.includes("--json")) process.stdout.write(JSON.stringify(results, null, 2) + "\n");
process.exit(0);
