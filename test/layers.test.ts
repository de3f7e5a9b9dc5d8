// The house's import rule (.dependency-cruiser.cjs): layers import only downward and nothing imports in a circle.
// The first test holds the repository to it; the others show the rule itself catches an upward import, a sibling
// import, a circle and a node starting the simulator, so a green first test means something.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const LAYER_FOLDERS = ["evals", "bench", "test", "app", "server", "engine", "graph", "deciders", "nodes", "notifications", "store", "stripe", "db", "domain", "telemetry"];

async function violations(baseDir: string, folders: string[]) {
  const options = await extractDepcruiseOptions(join(ROOT, ".dependency-cruiser.cjs"));
  const result = await cruise(folders, { ...options, baseDir, tsConfig: { fileName: join(baseDir, "tsconfig.json") } }, {}, {});
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
}

it("billops' own tree: no upward import, no sibling import, no circle", async () => {
  expect(await violations(ROOT, LAYER_FOLDERS)).toEqual([]);
}, 120_000);

describe("the rule fails on a tree that breaks it", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "billops-layers-"));
    const files: Record<string, string> = {
      "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }),
      // domain (the bottom) reaching up to server: the import the rule exists for.
      "domain/money.ts": `import { app } from "../server/app.js";\nexport const money = app;\n`,
      "server/app.ts": `export const app = 1;\n`,
      // a type-only import upward counts too
      "store/cases.ts": `import type { Engine } from "../engine/worker.js";\nexport type Cases = Engine;\n`,
      "engine/worker.ts": `export type Engine = number;\nexport const worker = 1;\n`,
      // siblings: store must not import stripe
      "store/approvals.ts": `import { gateway } from "../stripe/gateway/index.js";\nexport const approvals = gateway;\n`,
      "stripe/gateway/index.ts": `export const gateway = 1;\n`,
      // a node starting the simulator
      "nodes/act/node.ts": `import { sim } from "../../stripe/sim/index.js";\nexport const act = sim;\n`,
      "stripe/sim/index.ts": `export const sim = 1;\n`,
      // a circle inside one layer
      "nodes/a.ts": `import { b } from "./b.js";\nexport const a = () => b();\n`,
      "nodes/b.ts": `import { a } from "./a.js";\nexport const b = (): unknown => a;\n`,
      // a test beside its module may import anything
      "domain/money.test.ts": `import { worker } from "../engine/worker.js";\nexport const t = worker;\n`,
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, dirname(path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names every break, and only those", async () => {
    const found = await violations(dir, ["domain", "server", "store", "engine", "stripe", "nodes"]);
    expect(found).toEqual(
      expect.arrayContaining([
        "domain-telemetry-imports-upward: domain/money.ts -> server/app.ts",
        "store-stripe-db-imports-upward: store/cases.ts -> engine/worker.ts",
        "store-imports-a-sibling: store/approvals.ts -> stripe/gateway/index.ts",
        "simulator-only-from-the-top: nodes/act/node.ts -> stripe/sim/index.ts",
        "no-circular: nodes/a.ts -> nodes/b.ts",
      ]),
    );
    expect(found.filter((v) => v.includes("money.test.ts"))).toEqual([]);
  }, 60_000);
});
