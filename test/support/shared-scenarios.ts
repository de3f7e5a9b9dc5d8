// Where the shared example scenarios are: SHARED_SCENARIOS, else ../shared/scenarios beside the repository (as on
// developer machines and in CI), else the copies in test/fixtures so a lone clone still runs them.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const beside = fileURLToPath(new URL("../../../shared/scenarios/", import.meta.url));
const copies = fileURLToPath(new URL("../fixtures/", import.meta.url));

const hasScenarios = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".json"));

export const SHARED_SCENARIOS: string = process.env.SHARED_SCENARIOS ?? (hasScenarios(beside) ? beside : copies);

/**
 * Expectations of the shared examples that a later issue changed on purpose, until shared/ is updated (shared/ is
 * read-only to developers). Each names the issue and what it changed; nothing else of the example is touched.
 */
const SUPERSEDED: Record<string, { why: string; apply(scenario: any): void }> = {
  "example_subscription_upgrade_to_enterprise.json": {
    why: "issue 13: upgrades bill the difference now and wait for the payment (always_invoice + pending_if_incomplete), not at renewal (create_prorations)",
    apply(s) {
      for (const w of s.expect?.writes?.include ?? []) {
        if (w.body?.proration_behavior === "create_prorations") Object.assign(w.body, { proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete" });
      }
    },
  },
};

/** The text of a shared example as the tests run it: the file, with SUPERSEDED applied. */
export function sharedScenarioText(file: string): string {
  const text = readFileSync(join(SHARED_SCENARIOS, file), "utf8");
  const fix = SUPERSEDED[file];
  if (!fix) return text;
  const s = JSON.parse(text);
  fix.apply(s);
  return JSON.stringify(s);
}

/** A path to run a shared example from (a corrected copy in a temporary folder when SUPERSEDED applies). */
export function sharedScenarioPath(file: string): string {
  if (!SUPERSEDED[file]) return join(SHARED_SCENARIOS, file);
  const dir = mkdtempSync(join(tmpdir(), "billops-shared-"));
  writeFileSync(join(dir, file), sharedScenarioText(file));
  return join(dir, file);
}
