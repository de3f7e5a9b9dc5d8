// `npx tsx test/support/hostile-openai.ts [--port N]`: the hostile model as an OpenAI-compatible server, to run
// `OPENAI_BASE_URL=<printed url> npm run eval -- evals/scenarios ../shared/scenarios --decider llm` by hand.
import { parseArgs } from "node:util";
import { startFakeOpenAI } from "./fake-openai.js";
import { hostile } from "./hostile-model.js";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const ai = await startFakeOpenAI(hostile, Number(values.port ?? 0));
process.stdout.write(`hostile model listening on ${ai.url}\n`);
process.on("SIGINT", () => void ai.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void ai.stop().then(() => process.exit(0)));
