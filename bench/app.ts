// The app's side of `npm run bench`: the built app in headless Chromium, driven as a person
// would (files picked in the dataset panel, cells run with their Run buttons). Times come from
// the app's own User Timing measures ("strata load <file>", "strata cell <name>"); the longest
// main-thread task in each scenario's window comes from the Long Tasks API.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { CHROMIUM_ARGS, findChromium } from "../test/e2e/harness.ts";
import {
  cells as frameOf,
  observeLongTasks,
  ready,
  timeMeasure,
  waitForIdle,
} from "../test/e2e/helpers.ts";
import { summarise, type Measurement } from "./measure.ts";

/** One scenario in the app: its time per run and the longest main-thread task of each run. */
export interface AppMeasurement {
  time: Measurement;
  /** the longest main-thread task of each run, in ms (0 when none reached 50 ms, the API's floor) */
  longestTask: Measurement;
}

export interface App {
  /** Open a fresh tab with the notebook, load the CSV through the dataset panel, run each scenario. */
  measure(options: {
    notebook: string;
    csvPath: string;
    /** Run buttons of the scenario cells, by scenario name */
    cells: Record<string, string>;
    runs: number;
  }): Promise<{ ingest: AppMeasurement; cells: Record<string, AppMeasurement>; peakRss: number }>;
  /**
   * Open a fresh tab on a new, empty notebook and pick each file in the dataset panel, `runs`
   * times after a warm-up: its load time and the page's longest task, file by file.
   */
  ingest(options: { files: string[]; runs: number }): Promise<AppMeasurement[]>;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, "..");
/** How long one scenario may take before the run gives up (a million rows take minutes in all). */
const TIMEOUT = Number(process.env.BENCH_TIMEOUT ?? 600_000);

/** Build the app into a temporary folder, serve it, and start Chromium; null when there is no Chromium. */
export async function startApp(): Promise<App | null> {
  let executablePath: string;
  try {
    executablePath = findChromium();
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.message : error}: the in-app scenarios are skipped.\n`,
    );
    return null;
  }
  const outDir = await mkdtemp(join(tmpdir(), "strata-bench-app-"));
  const configFile = join(ROOT, "vite.config.ts");
  await build({ configFile, root: ROOT, logLevel: "error", build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    configFile,
    root: ROOT,
    logLevel: "error",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
  });
  const origin = server.resolvedUrls?.local[0];
  if (!origin) throw new Error("vite preview did not report a local URL");
  const browser: Browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });

  return {
    async measure({ notebook, csvPath, cells, runs }) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await observeLongTasks(context);
      const page = await context.newPage();
      const failures: string[] = [];
      page.on("pageerror", (error) => failures.push(error.message));
      try {
        await page.goto(origin);
        await ready(page, TIMEOUT);
        // The notebook opens untrusted, so loading its data runs nothing: ingest is measured alone.
        await page.getByLabel("Open notebook file").setInputFiles({
          name: "bench.md",
          mimeType: "text/markdown",
          buffer: Buffer.from(notebook),
        });
        await page.getByRole("button", { name: "Trust and run" }).waitFor();
        const ingest = await repeat(page, runs, "strata load ", () =>
          page.getByLabel("Add dataset files").setInputFiles(csvPath),
        );
        await page.getByRole("button", { name: "Trust and run" }).click();
        await waitForIdle(page, TIMEOUT);
        const measured: Record<string, AppMeasurement> = {};
        for (const [scenario, label] of Object.entries(cells)) {
          await failed(page, label);
          // A scenario cell is a leaf: its Run button runs it alone.
          measured[scenario] = await repeat(page, runs, "strata cell ", () =>
            frameOf(page)
              .getByRole("button", { name: `Run ${label}`, exact: true })
              .click(),
          );
          await failed(page, label);
        }
        if (failures.length > 0) throw new Error(`the page failed: ${failures.join("; ")}`);
        return { ingest, cells: measured, peakRss: chromiumPeakRss() };
      } catch (error) {
        const shot = join(ROOT, "bench/results/failure.png");
        await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
        process.stderr.write(`The page as it was when the scenario failed: ${shot}\n`);
        throw error;
      } finally {
        await context.close();
      }
    },
    async ingest({ files, runs }) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await observeLongTasks(context);
      const page = await context.newPage();
      try {
        await page.goto(origin);
        await ready(page, TIMEOUT);
        await page.getByRole("button", { name: "New", exact: true }).click();
        await waitForIdle(page, TIMEOUT);
        const measured: AppMeasurement[] = [];
        for (const file of files)
          measured.push(
            await repeat(page, runs, "strata load ", () =>
              page.getByLabel("Add dataset files").setInputFiles(file),
            ),
          );
        return measured;
      } finally {
        await context.close();
      }
    },
    async close() {
      await browser.close();
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/**
 * Trigger a scenario `runs + 1` times (the first warms up). Each window runs from just before the
 * trigger until the app is idle again and has painted; its time is the first app measure named
 * `prefix…` that starts in it, its longest task the longest that overlaps it.
 */
async function repeat(
  page: Page,
  runs: number,
  prefix: string,
  trigger: () => Promise<void>,
): Promise<AppMeasurement> {
  const times: number[] = [];
  const longest: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const observed = await timeMeasure(page, prefix, trigger, TIMEOUT);
    if (observed.duration === undefined) {
      const problem = await page.locator(".upload.failed").allTextContents();
      throw new Error(`no ${prefix.trim()} measure: ${problem.join(" ") || "unknown failure"}`);
    }
    if (run === 0) continue;
    times.push(observed.duration);
    longest.push(observed.longestTask);
  }
  return { time: summarise(times), longestTask: summarise(longest) };
}

/** Throw with the cell's own message when a scenario cell failed. */
async function failed(page: Page, label: string): Promise<void> {
  const cell = frameOf(page).getByRole("article", { name: label, exact: true });
  const status = await cell.getByRole("status").textContent();
  if (status?.includes("error"))
    throw new Error(
      `${label} failed: ${(await cell.locator(".error").allTextContents()).join(" ")}`,
    );
}

/**
 * Peak resident memory (VmHWM) of the largest Chromium process below this one — the tab's
 * renderer, which holds the page, its workers and DuckDB's memory. 0 where /proc is missing.
 */
function chromiumPeakRss(): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return 0;
  }
  const parent = new Map<number, number>();
  const peak = new Map<number, number>();
  for (const entry of entries) {
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      parent.set(Number(entry), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      peak.set(Number(entry), Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      // the process ended while we looked
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true;
    return false;
  };
  return Math.max(0, ...[...peak].filter(([pid]) => below(pid)).map(([, bytes]) => bytes));
}
