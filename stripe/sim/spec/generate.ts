// `npm run sim:spec`: writes stripe-api.json (the simulator's parameter and expansion table) from stripe-node's types.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { extractSpec, runtimeSpec } from "./extract.js";
import { ROUTES } from "../index.js";

export const SPEC_FILE = fileURLToPath(new URL("./stripe-api.json", import.meta.url));

export function generatedSpecText(): string {
  return `${JSON.stringify(runtimeSpec(extractSpec(ROUTES)))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SPEC_FILE, generatedSpecText());
  process.stdout.write(`wrote ${SPEC_FILE}\n`);
}
