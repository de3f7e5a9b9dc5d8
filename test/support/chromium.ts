// Where the browser tests find Chromium (Debian's package; playwright-core never downloads one here), and why they
// are skipped when there is none — said out loud, with how to install it, rather than skipped in silence.
import { existsSync } from "node:fs";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].filter(
  (p): p is string => !!p,
);

export const CHROMIUM: string | null = CANDIDATES.find((p) => existsSync(p)) ?? null;

export const NO_CHROMIUM = CHROMIUM
  ? null
  : `no Chromium found (looked at ${CANDIDATES.join(", ")}): install Debian's with \`apt-get install chromium\` or set CHROMIUM_PATH`;

/** The describe title: the suite's name, and on a machine without Chromium the reason it is skipped. */
export function browserSuite(name: string): string {
  if (!NO_CHROMIUM) return name;
  process.stderr.write(`browser tests skipped: ${NO_CHROMIUM}\n`);
  return `${name} — SKIPPED: ${NO_CHROMIUM}`;
}

/** Debian's Chromium, headless, in a fresh profile under `userDataDir`; the page to drive and the context to close. */
export async function launchChromium(userDataDir: string): Promise<{ context: import("playwright-core").BrowserContext; page: import("playwright-core").Page }> {
  const { chromium } = await import("playwright-core");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM!,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}
