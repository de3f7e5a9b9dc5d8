// How a replay reads in a terminal: the per-decision table, the totals line and a progress bar for long runs.
import type { ReplayReport, ReplayedDecision } from "./replay.js";

const ANSWER: Record<ReplayedDecision["person"]["answer"], string> = {
  accepted: "approved",
  edited: "edited",
  rejected: "rejected",
  ignored: "ignored",
  superseded: "superseded",
  pending: "pending",
  none: "-",
};

function personCell(d: ReplayedDecision): string {
  const l = d.person.label;
  if (!l) return ANSWER[d.person.answer];
  return `${ANSWER[d.person.answer]} (${l.kind === "is" ? "" : "not "}${l.action})`;
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

export function renderReplayTable(report: ReplayReport): string {
  const head = ["case", "decision", "recorded", "new", "source", "person", "guard before→after", ""];
  const rows = report.decisions.map((d) => [
    d.case,
    d.decisionId,
    d.recorded.action,
    d.replayed.action,
    d.replayed.source,
    personCell(d),
    `${d.recorded.guard}→${d.replayed.guard}`,
    [d.agree ? "" : "DIFFERS", d.agreeWithPerson === false ? "against person" : ""].filter(Boolean).join(", "),
  ]);
  return pad([head, ...rows]);
}

export function replaySummaryLine(report: ReplayReport): string {
  const s = report.summary;
  return [
    `${s.decisions} decision${s.decisions === 1 ? "" : "s"} replayed with ${report.decider}`,
    `agreement with recorded ${s.agreement}% (${s.agreed}/${s.decisions})`,
    `with people ${s.agreementWithPeople === null ? "n/a" : `${s.agreementWithPeople}%`} (${s.agreedWithPeople}/${s.labelled} labelled)`,
    `guard verdict changes ${s.guardVerdictChanges}`,
    `llm ${s.llmCalls} calls, ${s.llmTokens} tokens`,
    ...(s.skipped ? [`${s.skipped} not re-decided (see "skipped")`] : []),
    `${(report.durationMs / 1000).toFixed(1)} s`,
  ].join(" · ");
}

/** A one-line bar on a terminal, a line per tenth when piped (CI logs stay short). */
export function createProgressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }, label = "replay") {
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done: number, total: number) {
      if (total === 0) return;
      if (tty) {
        const now = Date.now();
        if (done !== total && now - lastDraw < 100) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((done / total) * width);
        stream.write(`\r\x1b[K${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
        drawn = true;
      } else {
        const tenth = Math.floor((done / total) * 10);
        if (tenth !== lastTenth && (done === total || tenth > lastTenth)) {
          lastTenth = tenth;
          stream.write(`${label}: ${done}/${total}\n`);
        }
      }
    },
    end() {
      if (tty && drawn) stream.write("\r\x1b[K");
    },
  };
}
