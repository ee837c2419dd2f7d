import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray } from "apache-arrow";
import { Table as WasmTable, WriterPropertiesBuilder, writeParquet } from "parquet-wasm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import {
  cell,
  cells,
  dataset,
  observeLongTasks,
  ready,
  timeMeasure,
  typeCode,
  upload,
  waitForIdle,
} from "./helpers.ts";

/**
 * The page's longest main-thread task while a Parquet file loads. The decoding runs in a worker
 * and DuckDB in another, so the page only passes batches along: 100 ms is the target, and what
 * is asserted (on a two-core machine under a load of 6, no task reached 50 ms). The figure
 * measured is printed; LONGEST_TASK_BOUND_MS loosens the bound where a machine is busier.
 */
const LONGEST_TASK_TARGET_MS = 100;
const LONGEST_TASK_BOUND_MS = Number(process.env.LONGEST_TASK_BOUND_MS ?? LONGEST_TASK_TARGET_MS);
/**
 * The Long Tasks API does not see everything: work in a promise continuation after a Blob read
 * is not reported (decoding the whole file on the page froze it 1.5 s for this file, and the API
 * reported nothing). So the page also times itself: the longest gap between ticks of a 10 ms
 * timer, which on a busy two-core machine also counts the time the page's thread was not
 * scheduled (250–335 ms measured under a load of 7.6): the bound is loose, the figure printed.
 */
const LONGEST_GAP_BOUND_MS = Number(process.env.LONGEST_GAP_BOUND_MS ?? 1_000);

/** Start timing the page's own turns: the longest gap between ticks of a 10 ms timer. */
async function startGapProbe(target: Page): Promise<void> {
  await target.evaluate(() => {
    const probe = { longest: 0, last: performance.now() };
    Object.assign(globalThis, { __gapProbe: probe });
    setInterval(() => {
      const now = performance.now();
      probe.longest = Math.max(probe.longest, now - probe.last);
      probe.last = now;
    }, 10);
  });
}

/** The longest gap since `startGapProbe`, in ms. */
function longestGap(target: Page): Promise<number> {
  return target.evaluate(
    () => (globalThis as unknown as { __gapProbe: { longest: number } }).__gapProbe.longest,
  );
}

let harness: Harness;
let page: Page;
let dir: string;

/** `rows` order lines in row groups of 50,000: eight batches for 400,000. */
function ordersParquet(rows: number): Buffer {
  const each = <T>(f: (i: number) => T) => Array.from({ length: rows }, (_, i) => f(i));
  const table = new Table({
    id: vectorFromArray(
      each((i) => i),
      new Int32(),
    ),
    customer: vectorFromArray(
      each((i) => `C${i % 5000}`),
      new Utf8(),
    ),
    product: vectorFromArray(
      each((i) => `P${(i * 7) % 400}`),
      new Utf8(),
    ),
    quantity: vectorFromArray(
      each((i) => (i % 9) + 1),
      new Int32(),
    ),
    price: vectorFromArray(
      each((i) => (i % 1000) / 8),
      new Float64(),
    ),
  });
  const properties = new WriterPropertiesBuilder().setMaxRowGroupSize(50_000).build();
  return Buffer.from(
    writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), properties),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-e2e-parquet-"));
  harness = await startHarness();
  page = await harness.newPage();
  await observeLongTasks(page);
  await page.goto(harness.origin);
  await ready(page);
  await page.getByRole("button", { name: "New", exact: true }).click();
  await cell(page, "SQL cell 1").waitFor();
});

afterAll(async () => {
  await harness?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Parquet in the app", () => {
  it("loads 400,000 rows decoded in a worker, with the page's tasks short", async () => {
    const rows = 400_000;
    const file = ordersParquet(rows);
    // Picked from disk, as a person would: a file handed over as bytes is built in the page by
    // Playwright, itself a long task (1.2 s for these 4.6 MB).
    const path = join(dir, "orders.parquet");
    await writeFile(path, file);
    await startGapProbe(page);
    const { duration, longestTask } = await timeMeasure(page, "strata load ", () =>
      page.getByLabel("Add dataset files").setInputFiles(path),
    );
    const gap = await longestGap(page);
    process.stdout.write(
      `Parquet load in the app: ${rows.toLocaleString("en-US")} rows, ${(file.length / 1e6).toFixed(1)} MB, ${duration?.toFixed(0)} ms; longest main-thread task ${longestTask.toFixed(0)} ms (0: none reached 50 ms; target ${LONGEST_TASK_TARGET_MS} ms); longest gap between the page's 10 ms ticks ${gap.toFixed(0)} ms\n`,
    );
    await expect
      .poll(() => dataset(page, "orders").getByTestId("row-count").textContent())
      .toBe("400,000 rows");
    await dataset(page, "orders").locator("summary").click();
    const schema = await page.getByRole("table", { name: "Columns of orders" }).textContent();
    for (const column of ["id", "customer", "product", "quantity", "price"])
      expect(schema).toContain(column);
    expect(schema).toContain("INTEGER");
    expect(schema).toContain("VARCHAR");
    expect(schema).toContain("DOUBLE");

    await typeCode(
      page,
      "SQL cell 1",
      "SELECT count(*) AS n, sum(id) AS ids, count(DISTINCT customer) AS customers FROM orders",
    );
    await page.keyboard.press("Shift+Enter");
    await waitForIdle(page);
    await expect
      .poll(() =>
        cells(page)
          .getByRole("table", { name: "Result of c1" })
          .locator("tbody td")
          .allTextContents(),
      )
      .toEqual([String(rows), String((rows * (rows - 1)) / 2), "5000"]);
    expect(duration).toBeDefined();
    expect(longestTask).toBeLessThan(LONGEST_TASK_BOUND_MS);
    expect(gap).toBeLessThan(LONGEST_GAP_BOUND_MS);
  });

  it("a damaged file fails in one line, and the table it would replace stays", async () => {
    const file = ordersParquet(1000);
    // The first data page's header overwritten: the decoder in the worker panics on it.
    file.fill(0xff, 4, 68);
    await upload(page, "orders.parquet", file, "application/vnd.apache.parquet");
    const failed = page.locator(".upload.failed");
    await expect
      .poll(() => failed.textContent())
      .toMatch(/orders\.parquet: the file is truncated or damaged: /);
    expect(await failed.textContent()).not.toMatch(/unreachable|RuntimeError/);
    await expect
      .poll(() => dataset(page, "orders").getByTestId("row-count").textContent())
      .toBe("400,000 rows");
  });
});
