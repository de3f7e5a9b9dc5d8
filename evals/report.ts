// The eval report: the JSON of SCENARIOS.md, the terminal table and summary line, and the progress line while running.
import type { DeciderName, ReportEntry, ScenarioResult } from "./runner.js";

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  decider: DeciderName;
  llm_calls: number;
  llm_tokens: number;
  /** Decisions the model made (source llm) ÷ all decisions, 0..1: in hybrid mode, the share the rules found ambiguous. */
  model_share: number;
  duration_ms: number;
}

export interface Report {
  summary: Summary;
  scenarios: ReportEntry[];
}

export function buildReport(results: ScenarioResult[], decider: DeciderName, durationMs: number): Report {
  const passed = results.filter((r) => r.entry.passed).length;
  const decisions = results.flatMap((r) => r.entry.decisions);
  const byModel = decisions.filter((d) => d.source === "llm").length;
  return {
    summary: {
      total: results.length,
      passed,
      failed: results.length - passed,
      decider,
      llm_calls: results.reduce((n, r) => n + r.llm.calls, 0),
      llm_tokens: results.reduce((n, r) => n + r.llm.tokens, 0),
      model_share: decisions.length ? Math.round((byModel / decisions.length) * 1000) / 1000 : 0,
      duration_ms: Math.round(durationMs),
    },
    scenarios: results.map((r) => r.entry),
  };
}

function status(e: ReportEntry): string {
  if (e.passed) return "PASS";
  return e.error ? "ERROR" : "FAIL";
}

function decisionsText(e: ReportEntry): string {
  if (e.decisions.length === 0) return "-";
  return e.decisions
    .map((d) => {
      const marks = [d.approval !== "none" ? d.approval : "", d.guard !== "ok" ? `guard ${d.guard}` : "", d.final && e.decisions.length > 1 ? "final" : ""].filter(Boolean);
      return marks.length ? `${d.action} (${marks.join(", ")})` : d.action;
    })
    .join(" → ");
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** One row a scenario, then every failure and error in full below the table. */
export function renderTable(results: ScenarioResult[]): string {
  const header = ["result", "scenario", "route", "decisions", "writes", "ms"];
  const rows = results.map((r) => [
    status(r.entry),
    r.entry.id,
    r.entry.route ?? "-",
    clip(decisionsText(r.entry), 60),
    String(r.entry.writes.length),
    String(r.durationMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const right = new Set([4, 5]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const problems = results.filter((r) => !r.entry.passed);
  if (problems.length > 0) {
    out.push("");
    for (const r of problems) {
      out.push(`${status(r.entry)} ${r.entry.id}`);
      if (r.entry.error) out.push(`  error: ${r.entry.error}`);
      for (const f of r.entry.failures) out.push(`  - ${f}`);
    }
  }
  return out.join("\n");
}

export function summaryLine(s: Summary): string {
  const llm = s.llm_calls > 0 || s.decider !== "rules" ? `, ${s.llm_calls} LLM calls, ${s.llm_tokens} tokens, model decided ${Math.round(s.model_share * 100)}%` : "";
  return `${s.passed}/${s.total} passed, ${s.failed} failed (decider ${s.decider}${llm}) in ${(s.duration_ms / 1000).toFixed(1)} s`;
}

export interface Progress {
  start(index: number, total: number, id: string): void;
  done(index: number, total: number, result: ScenarioResult): void;
  end(): void;
}

/** A single rewritten line on a terminal; one line per finished scenario when stderr is a file or a pipe. */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }): Progress {
  const tty = stream.isTTY === true;
  let passed = 0;
  let failed = 0;
  const counts = () => `${passed} passed${failed ? `, ${failed} failed` : ""}`;
  return {
    start(i, total, id) {
      if (tty) stream.write(`\r\x1b[K[${i + 1}/${total}] ${counts()} · running ${id}`);
    },
    done(i, total, r) {
      if (r.entry.passed) passed++;
      else failed++;
      if (tty) stream.write(`\r\x1b[K[${i + 1}/${total}] ${counts()} · ${status(r.entry)} ${r.entry.id}`);
      else stream.write(`[${i + 1}/${total}] ${status(r.entry)} ${r.entry.id} (${r.durationMs} ms)\n`);
    },
    end() {
      if (tty) stream.write("\r\x1b[K");
    },
  };
}
