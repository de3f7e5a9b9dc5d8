// Where the shared example scenarios are: SHARED_SCENARIOS, else ../shared/scenarios beside the repository (as on
// developer machines and in CI), else the copies in test/fixtures so a lone clone still runs them.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const beside = fileURLToPath(new URL("../../../shared/scenarios/", import.meta.url));
const copies = fileURLToPath(new URL("../fixtures/", import.meta.url));

const hasScenarios = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".json"));

export const SHARED_SCENARIOS: string = process.env.SHARED_SCENARIOS ?? (hasScenarios(beside) ? beside : copies);
