import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { chromium, type Browser, type Page, type Request } from "playwright-core";
import { preview, type PreviewServer } from "vite";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

/** The browser the end-to-end tests drive: $CHROME_PATH, else a system Chromium or Chrome. */
export function findChromium(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`CHROME_PATH is set to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      "no Chromium or Chrome found for the browser tests: install one (Debian: apt-get install -y chromium) or set CHROME_PATH to its executable",
    );
  }
  return found;
}

/** Headless Chromium as the tests and the benchmark run it: no sandbox, GPU or background traffic. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const OUTPUT = resolve(import.meta.dirname, "../output/screenshots");

/** The built app (`dist/`) served on 127.0.0.1, and a headless Chromium that records every request. */
export interface Harness {
  browser: Browser;
  server: PreviewServer;
  origin: string;
  /** every URL the pages asked for, in order */
  requests: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(resolve(import.meta.dirname, "../../dist/index.html"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm run test:e2e does)");
  }
  await mkdir(OUTPUT, { recursive: true });
  const server = await preview({
    configFile: resolve(import.meta.dirname, "../../vite.config.ts"),
    logLevel: "error",
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
  });
  const origin = server.resolvedUrls?.local[0]?.replace(/\/$/, "");
  if (!origin) throw new Error("vite preview did not report a local URL");
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  const requests: string[] = [];
  return {
    browser,
    server,
    origin,
    requests,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.on("request", (request: Request) => requests.push(request.url()));
      return context.newPage();
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
