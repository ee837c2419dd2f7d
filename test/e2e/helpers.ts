import type { BrowserContext, Page } from "playwright-core";

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

/** Wait until no cell is queued or running. */
export async function waitForIdle(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("[aria-label^='Status of']")].every(
        (s) => !/queued|running/.test(s.textContent ?? ""),
      ),
    undefined,
    { timeout, polling: 50 },
  );
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

/**
 * Time something the app measures (User Timing): the window runs from just before `trigger`
 * until the first measure named `prefix…` that starts in it has been recorded (or a file failed
 * to load), the page is idle and has painted. Returns that measure's duration (undefined when
 * there is none) and the longest main-thread task overlapping the window (0 when none reached
 * 50 ms); the page must be observing long tasks.
 */
export async function timeMeasure(
  page: Page,
  prefix: string,
  trigger: () => Promise<void>,
  timeout = 60_000,
): Promise<{ duration: number | undefined; longestTask: number }> {
  const from = await page.evaluate(() => performance.now());
  await trigger();
  await page.waitForFunction(
    ({ prefix, from }) =>
      performance
        .getEntriesByType("measure")
        .some((m) => m.name.startsWith(prefix) && m.startTime >= from) ||
      document.querySelector(".upload.failed") !== null,
    { prefix, from },
    { timeout, polling: 50 },
  );
  await waitForIdle(page, timeout);
  return page.evaluate(
    async ({ prefix, from }) => {
      // Two frames: whatever the scenario left to render has been painted.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const to = performance.now();
      const tasks = (globalThis as unknown as { __longTasks: number[] }).__longTasks;
      let longestTask = 0;
      for (let i = 0; i < tasks.length; i += 2) {
        const [start, duration] = [tasks[i]!, tasks[i + 1]!];
        if (start < to && start + duration > from) longestTask = Math.max(longestTask, duration);
      }
      const measure = performance
        .getEntriesByType("measure")
        .find((m) => m.name.startsWith(prefix) && m.startTime >= from);
      return { duration: measure?.duration, longestTask };
    },
    { prefix, from },
  );
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
  const editor = page.getByLabel(`Code of ${cellLabel}`, { exact: true });
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
  const box = page.getByLabel(`Name of ${cellLabel}`, { exact: true });
  await box.fill(name);
  // Enter commits the name; the cell's label changes with it.
  await box.press("Enter");
  return `${kind} cell ${name}`;
}

export function cell(page: Page, label: string) {
  return page.getByRole("article", { name: label, exact: true });
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
