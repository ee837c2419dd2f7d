import type { BrowserContext, Frame, FrameLocator, Page } from "playwright-core";
import type { Harness } from "./harness.ts";

/** The notebook's cells and outputs: they render in the sandboxed notebook frame. */
export function cells(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Notebook cells"]');
}

/** Wait until DuckDB has started and the open notebook has loaded its data and run. */
export async function ready(page: Page, timeout = 60_000): Promise<void> {
  await page
    .getByRole("status", { name: "Engine status" })
    .getByText(/DuckDB v\d/)
    .waitFor({ timeout });
  // The notebook says it is busy while its datasets load and its first run goes.
  await page
    .getByRole("region", { name: "Notebook" })
    .and(page.locator("[aria-busy='false']"))
    .waitFor({ timeout });
  await waitForIdle(page, timeout);
}

/** A fresh profile with the app started: the engine is up (the first notebook may still run). */
export async function startApp(harness: Harness): Promise<Page> {
  const page = await harness.newPage();
  await page.goto(harness.origin);
  await page
    .getByRole("status", { name: "Engine status" })
    .getByText(/DuckDB v\d/)
    .waitFor({ timeout: 60_000 });
  return page;
}

/** Open a notebook file with Open…: it opens untrusted, so it waits for the trust banner. */
export async function openUntrusted(page: Page, name: string, text: string): Promise<void> {
  await page
    .getByLabel("Open notebook file")
    .setInputFiles({ name, mimeType: "text/markdown", buffer: Buffer.from(text) });
  await page.getByRole("button", { name: "Trust and run" }).waitFor();
  await ready(page);
}

/** A notebook file's text: front matter with this title, then these lines. */
export function notebookText(title: string, lines: readonly string[]): string {
  return ["---", `title: ${title}`, "---", "", ...lines].join("\n");
}

/** Wait until no cell is queued or running (the app shows what the frame reports). */
export async function waitForIdle(page: Page, timeout = 60_000): Promise<void> {
  await page
    .getByRole("region", { name: "Notebook" })
    .and(page.locator("[data-run='idle']"))
    .waitFor({ timeout });
}

/** Record every main-thread task of 50 ms or more (Long Tasks API) in the pages opened after this. */
export async function observeLongTasks(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const tasks: number[] = [];
    Object.assign(globalThis, { __longTasks: tasks });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.startTime, entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
}

/** The notebook frame's page, where the cells' code runs (and records its measures). */
export function notebookFrame(page: Page): Frame {
  const frame = page.frame({ url: /\/sandbox\.html$/ });
  if (!frame) throw new Error("the page has no notebook frame (sandbox.html)");
  return frame;
}

/**
 * Time something the app measures (User Timing): the window runs from just before `trigger`
 * until the first measure named `prefix…` that starts in it has been recorded (or a file failed
 * to load), the page is idle and has painted. Cells run in the notebook frame, so `strata cell…`
 * measures are looked up there; the others (`strata load…`) in the page. Returns that measure's
 * duration (undefined when there is none) and the longest main-thread task overlapping the
 * window (0 when none reached 50 ms), in the page or in the frame; both must be observing long
 * tasks (observeLongTasks on the page or its context covers its frames too).
 */
export async function timeMeasure(
  page: Page,
  prefix: string,
  trigger: () => Promise<void>,
  timeout = 60_000,
): Promise<{ duration: number | undefined; longestTask: number }> {
  const measured = prefix.startsWith("strata cell") ? notebookFrame(page) : page.mainFrame();
  // Each frame has its own time origin: the window is kept in wall-clock milliseconds.
  const from = await measured.evaluate(() => performance.timeOrigin + performance.now());
  await trigger();
  await measured.waitForFunction(
    ({ prefix, from }) =>
      performance
        .getEntriesByType("measure")
        .some((m) => m.name.startsWith(prefix) && performance.timeOrigin + m.startTime >= from) ||
      document.querySelector(".upload.failed") !== null,
    { prefix, from },
    { timeout, polling: 50 },
  );
  await waitForIdle(page, timeout);
  const duration = await measured.evaluate(
    ({ prefix, from }) =>
      performance
        .getEntriesByType("measure")
        .find((m) => m.name.startsWith(prefix) && performance.timeOrigin + m.startTime >= from)
        ?.duration,
    { prefix, from },
  );
  let longestTask = 0;
  for (const frame of [page.mainFrame(), notebookFrame(page)]) {
    const longest = await frame.evaluate(async (from) => {
      // Two frames: whatever the scenario left to render has been painted.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const to = performance.timeOrigin + performance.now();
      const tasks = (globalThis as unknown as { __longTasks?: number[] }).__longTasks;
      if (!tasks) throw new Error(`${location.href} is not observing long tasks`);
      let longest = 0;
      for (let i = 0; i < tasks.length; i += 2) {
        const start = performance.timeOrigin + tasks[i]!;
        const duration = tasks[i + 1]!;
        if (start < to && start + duration > from) longest = Math.max(longest, duration);
      }
      return longest;
    }, from);
    longestTask = Math.max(longestTask, longest);
  }
  return { duration, longestTask };
}

/**
 * A screenshot of the whole page, the notebook frame's cells included: Chromium's full-page
 * capture paints the frame only near the viewport, so the viewport is made as tall as the page
 * for the shot, then put back.
 */
export async function screenshotPage(page: Page, path: string): Promise<void> {
  const viewport = page.viewportSize();
  if (!viewport) throw new Error("the page has no fixed viewport to grow");
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
  try {
    for (const frame of [page.mainFrame(), notebookFrame(page)])
      await frame.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
      );
    await page.screenshot({ path });
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Add a file through the dataset panel's file input, as a person picking it would. */
export async function upload(
  page: Page,
  name: string,
  content: string | Buffer,
  mimeType = "text/csv",
): Promise<void> {
  await page
    .getByLabel("Add dataset files")
    .setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
}

export function dataset(page: Page, name: string) {
  return page
    .getByRole("list", { name: "Loaded datasets" })
    .getByRole("listitem", { name, exact: true });
}

/** Replace a code cell's text by typing into its editor. */
export async function typeCode(page: Page, cellLabel: string, code: string): Promise<void> {
  const editor = cells(page).getByLabel(`Code of ${cellLabel}`, { exact: true });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // insertText: one input, so the editor's bracket-closing does not double what we type.
  await page.keyboard.insertText(code);
}

/** Name a code cell through its name box; returns the cell's new label. */
export async function nameCell(
  page: Page,
  cellLabel: string,
  name: string,
  kind: "SQL" | "TypeScript",
): Promise<string> {
  const box = cells(page).getByLabel(`Name of ${cellLabel}`, { exact: true });
  await box.fill(name);
  // Enter commits the name; the cell's label changes with it.
  await box.press("Enter");
  return `${kind} cell ${name}`;
}

export function cell(page: Page, label: string) {
  return cells(page).getByRole("article", { name: label, exact: true });
}

/** A code cell's status line: not run, queued, running · 3 s, 12 ms, error, stopped. */
export function cellStatus(page: Page, label: string) {
  return cell(page, label).getByRole("status", { name: `Status of ${label}`, exact: true });
}

/** A CSV of `n` customers in three well-separated groups on spend and visits. */
export function customersCsv(n = 300): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    const jitter = ((i * 7919) % 100) / 100;
    return `${i + 1},${(g * 200 + 50 + jitter * 40).toFixed(2)},${g * 10 + 2 + Math.round(jitter * 3)}`;
  });
  return `customer_id,spend,visits\n${rows.join("\n")}\n`;
}
