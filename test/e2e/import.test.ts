import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../../src/notebook/index.ts";
import { OUTPUT, startHarness, type Harness } from "./harness.ts";
import {
  cell,
  cells,
  dataset,
  ready,
  screenshotPage,
  startApp,
  typeCode,
  upload,
  waitForIdle,
} from "./helpers.ts";

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  page = await startApp(harness);
  await ready(page);
});

afterAll(async () => {
  await harness?.close();
});

/** An export of 400 order lines with US dates and three corrupted lines. */
function ordersCsv(): string {
  const lines = ["Invoice,InvoiceDate,Customer,Amount"];
  for (let i = 1; i <= 400; i++) {
    const day = (i % 28) + 1;
    const row = `${5000 + i},12/${day}/2010 ${8 + (i % 9)}:${String(i % 60).padStart(2, "0")},C${i % 37},${(i % 50) + 0.5}`;
    if (i === 57) lines.push(`${5000 + i},12/1/2010 9:00,C1`);
    else if (i === 210) lines.push(`${row},surplus`);
    else if (i === 333) lines.push(`${5000 + i},12/1/2010 9:00`);
    else lines.push(row);
  }
  return lines.join("\r\n") + "\r\n";
}

async function downloadNotebook(): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download .md" }).click(),
  ]);
  return readFile((await download.path())!, "utf8");
}

describe("loading real exports in the app", () => {
  it("a CSV with three corrupted lines loads the others, says so, and keeps the three in exports_rejected", async () => {
    await upload(page, "exports.csv", ordersCsv());
    const entry = dataset(page, "exports");
    await expect.poll(() => entry.getByTestId("row-count").textContent()).toBe("397 rows");
    await expect
      .poll(() => entry.getByRole("status").textContent())
      .toMatch(/3 malformed rows not loaded: see\s+exports_rejected/);
    await expect.poll(() => entry.textContent()).toMatch(/InvoiceDate read as TIMESTAMP/);
    await waitForIdle(page);
    await screenshotPage(page, join(OUTPUT, "import-rejected.png"));
  });

  it("import options load the file again their way and are recorded in the front matter", async () => {
    await upload(page, "plain.csv", "alpha,beta\ngamma,delta\nepsilon,zeta\n");
    const entry = dataset(page, "plain");
    await expect.poll(() => entry.getByTestId("row-count").textContent()).toMatch(/rows?$/);
    await entry.locator("summary").click();
    await entry.getByRole("button", { name: "Import options" }).click();
    await entry.getByLabel("Header row").selectOption("false");
    await entry.getByLabel("Type of beta").selectOption("VARCHAR");
    await screenshotPage(page, join(OUTPUT, "import-options.png"));
    await entry.getByRole("button", { name: "Load again with these" }).click();
    // The columns are renamed by the header choice: a type for the old name is refused, clearly.
    await expect
      .poll(() => page.getByRole("alert").filter({ hasText: "plain.csv" }).textContent())
      .toMatch(/there is no column "beta" \(the columns are column0, column1\)/);
    await expect.poll(() => entry.getByTestId("row-count").textContent()).toBe("2 rows");
    await entry.getByLabel("Type of beta").selectOption("");
    await entry.getByRole("button", { name: "Load again with these" }).click();
    await expect.poll(() => entry.getByTestId("row-count").textContent()).toBe("3 rows");
    await expect.poll(() => entry.textContent()).toMatch(/No header line/);
    const nb = parse(await downloadNotebook());
    expect(nb.datasets.find((d) => d.name === "plain")).toEqual({
      name: "plain",
      source: "plain.csv",
      options: { header: false },
    });
  });

  it("a result can be filtered and summarised, and the rejected rows are a table SQL reads", async () => {
    await page.getByRole("button", { name: "New", exact: true }).click();
    await cell(page, "SQL cell 1").waitFor();
    await upload(page, "exports.csv", ordersCsv());
    await expect
      .poll(() => dataset(page, "exports").getByTestId("row-count").textContent())
      .toBe("397 rows");
    await typeCode(
      page,
      "SQL cell 1",
      "SELECT 'rejected' AS t, count(*) AS n FROM exports_rejected UNION ALL SELECT Customer, count(*) FROM exports GROUP BY ALL ORDER BY 1",
    );
    await page.keyboard.press("Shift+Enter");
    await waitForIdle(page);
    const table = cells(page).getByRole("table", { name: "Result of c1" });
    await expect.poll(() => table.locator("tbody td").first().textContent()).toBe("C0");
    const frame = cells(page);
    await frame.getByLabel("Filter the rows of Result of c1").fill("rejected");
    await expect.poll(() => table.locator("tbody td").allTextContents()).toEqual(["rejected", "3"]);
    await expect
      .poll(async () => (await table.locator("xpath=../following-sibling::div[1]").textContent())!)
      .toMatch(/^\s*1 of 38 rows · 2 columns/);
    await frame.getByRole("button", { name: "Column summary" }).click();
    await expect
      .poll(() => table.locator("tr.summary td").first().textContent())
      .toMatch(/38 distinct\s*no nulls\s*C0 – rejected/);
    await screenshotPage(page, join(OUTPUT, "result-filter-summary.png"));
  });

  it("a large load shows its progress bar as it goes", async () => {
    // The bar may show for a moment only: every one that appears is recorded.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { bars: string[] }).bars = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll(".upload"))
          if (el.querySelector("progress")) seen.push(el.textContent ?? "");
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await upload(page, "large.csv", bigCsv());
    await expect
      .poll(() => dataset(page, "large").getByTestId("row-count").textContent(), {
        timeout: 60_000,
      })
      .toBe("900,000 rows");
    const bars = await page.evaluate(() => (window as unknown as { bars: string[] }).bars);
    expect(bars.length).toBeGreaterThan(0);
    expect(bars[0]).toMatch(/Loading large\.csv: \d+ % of .* · .*\/s/);
  });

  it("a load can be stopped: it says so, and nothing is added", async () => {
    await upload(page, "stopped.csv", bigCsv());
    await page.getByRole("button", { name: "Stop loading stopped.csv" }).click();
    await expect.poll(() => page.getByText("Stopped loading stopped.csv").count()).toBe(1);
    expect(await dataset(page, "stopped").count()).toBe(0);
  });
});

/** 900,000 rows, about 16 MB: long enough to load that DuckDB reports its progress. */
function bigCsv(): string {
  const lines = ["id,name,amount"];
  for (let i = 0; i < 900_000; i++) lines.push(`${i},c${i % 5000},${i % 97}.25`);
  return lines.join("\n") + "\n";
}
