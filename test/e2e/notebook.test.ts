import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../../src/notebook/index.ts";
import { OUTPUT, startHarness, type Harness } from "./harness.ts";
import {
  cell,
  cells,
  customersCsv,
  dataset,
  nameCell,
  ready,
  screenshotPage,
  typeCode,
  upload,
  waitForIdle,
} from "./helpers.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

const chart = (page: Page, title: string) =>
  cells(page).locator("svg.strata-chart").filter({ hasText: title });

describe("the notebook app, as a person uses it", () => {
  let page: Page;

  it("first start: the default notebook runs on the bundled store data and its charts appear", async () => {
    page = await harness.newPage();
    await page.goto(harness.origin);
    await ready(page);
    await expect
      .poll(() => page.getByLabel("Notebook title").inputValue())
      .toBe("Customer segments with k-means");
    await chart(page, "k-means clusters (k = 6)").waitFor();
    await chart(page, "Cluster profiles").waitFor();
    await chart(page, "Choosing k: 1 to 10").waitFor();
    // No error in the app, nor in any cell.
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await cells(page).getByRole("alert").count()).toBe(0);
    expect(await dataset(page, "orders").getByTestId("row-count").textContent()).toMatch(
      /^9\d,\d{3} rows$/,
    );
    await screenshotPage(page, join(OUTPUT, "1-first-start.png"));
  });

  it("moving the slider re-runs the cells that depend on it", async () => {
    await cells(page).getByLabel("Clusters (k)").fill("4");
    await chart(page, "k-means clusters (k = 4)").waitFor();
    await waitForIdle(page);
    expect(await cells(page).getByLabel("Status of SQL cell customers").textContent()).toMatch(
      /ms$/,
    );
  });

  it("upload a CSV, write a SQL cell and a TS cell that clusters it, see the cluster chart; a slider re-runs it", async () => {
    await page.getByRole("button", { name: "New", exact: true }).click();
    await expect.poll(() => cells(page).getByRole("article").count()).toBe(1);
    await upload(page, "customers.csv", customersCsv());
    await expect
      .poll(() => dataset(page, "customers").getByTestId("row-count").textContent())
      .toBe("300 rows");

    await typeCode(page, "SQL cell 1", "SELECT * FROM customers");
    const rows = await nameCell(page, "SQL cell 1", "rows", "SQL");
    await cells(page)
      .getByRole("button", { name: `Run ${rows}` })
      .click();
    await cell(page, rows).getByRole("table", { name: "Result of rows" }).waitFor();

    await cells(page)
      .getByRole("group", { name: "Add a cell after cell 1" })
      .getByRole("button", { name: "+ TypeScript" })
      .click();
    await typeCode(
      page,
      "TypeScript cell 2",
      'view({ type: "range", label: "k", min: 2, max: 6, step: 1, value: 3 })',
    );
    const k = await nameCell(page, "TypeScript cell 2", "k", "TypeScript");
    await cells(page)
      .getByRole("button", { name: `Run ${k}` })
      .click();
    await cells(page).getByRole("slider", { name: "k" }).waitFor();

    await cells(page)
      .getByRole("group", { name: "Add a cell after cell 2" })
      .getByRole("button", { name: "+ TypeScript" })
      .click();
    await typeCode(
      page,
      "TypeScript cell 3",
      'clusterPlot(kmeans(rows, { k, columns: ["spend", "visits"], seed: 1, standardize: true }))',
    );
    await page.keyboard.press("Shift+Enter");
    await chart(page, "k-means clusters (k = 3)").waitFor();
    expect(await chart(page, "k-means clusters (k = 3)").textContent()).toContain(
      "Cluster 0 — 100 (33.3%)",
    );

    await cells(page).getByRole("slider", { name: "k" }).fill("5");
    await chart(page, "k-means clusters (k = 5)").waitFor();
    await waitForIdle(page);
    await screenshotPage(page, join(OUTPUT, "2-upload-and-cluster.png"));
  });

  it("every chart downloads as SVG and as PNG, legend included", async () => {
    const plot = cell(page, "TypeScript cell 3");
    const [svg] = await Promise.all([
      page.waitForEvent("download"),
      plot.getByRole("button", { name: "Download SVG" }).click(),
    ]);
    expect(svg.suggestedFilename()).toMatch(/\.svg$/);
    const svgText = await readFile((await svg.path())!, "utf8");
    expect(svgText).toContain("Cluster 0 —");
    const [png] = await Promise.all([
      page.waitForEvent("download"),
      plot.getByRole("button", { name: "Download PNG" }).click(),
    ]);
    const bytes = await readFile((await png.path())!);
    expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect(bytes.length).toBeGreaterThan(5000);
  });

  it("reload: the notebook, its datasets and its cells' results come back", async () => {
    await page
      .getByRole("status", { name: "Save status" })
      .getByText(/^Saved/)
      .waitFor();
    await page.reload();
    await ready(page);
    await expect.poll(() => cells(page).getByRole("article").count()).toBe(3);
    expect(await dataset(page, "customers").getByTestId("row-count").textContent()).toBe(
      "300 rows",
    );
    await chart(page, "k-means clusters (k = 3)").waitFor();
    await screenshotPage(page, join(OUTPUT, "3-after-reload.png"));
  });

  it("download the notebook, open the downloaded file: identical cells, and nothing runs until trusted", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download .md" }).click(),
    ]);
    const path = (await download.path())!;
    const text = await readFile(path, "utf8");
    const saved = parse(text);
    expect(saved.cells.map((c) => [c.kind, c.kind === "markdown" ? "" : c.name, c.source])).toEqual(
      [
        ["sql", "rows", "SELECT * FROM customers"],
        ["ts", "k", 'view({ type: "range", label: "k", min: 2, max: 6, step: 1, value: 3 })'],
        [
          "ts",
          undefined,
          'clusterPlot(kmeans(rows, { k, columns: ["spend", "visits"], seed: 1, standardize: true }))',
        ],
      ],
    );

    // Trust is by the code's content now: this browser trusts the code it was written in, so
    // the file, opened here, would run at once. Opened in a fresh profile (another person's
    // browser) it is code from elsewhere: nothing runs until trusted. The later tests go on there.
    const writer = page;
    page = await harness.newPage();
    await page.goto(harness.origin);
    await ready(page);
    await writer.close();
    await page
      .getByLabel("Open notebook file")
      .setInputFiles({ name: "mine.md", mimeType: "text/markdown", buffer: Buffer.from(text) });
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    expect(await cells(page).getByLabel("Status of SQL cell rows").textContent()).toBe(
      "not run (untrusted)",
    );
    // The file says which data it reads; on another machine it is asked for by name.
    expect(saved.datasets).toEqual([{ name: "customers", source: "customers.csv" }]);
    await page.getByLabel("Choose the file for customers").setInputFiles({
      name: "customers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(customersCsv()),
    });
    await expect
      .poll(() => dataset(page, "customers").getByTestId("row-count").textContent())
      .toBe("300 rows");
    expect(await cells(page).getByLabel("Status of SQL cell rows").textContent()).toBe(
      "not run (untrusted)",
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    await chart(page, "k-means clusters (k = 3)").waitFor();

    const [again] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download .md" }).click(),
    ]);
    expect(await readFile((await again.path())!, "utf8")).toBe(text);
  });

  it("a bad upload and a failing cell give clear errors; the rest of the notebook keeps working", async () => {
    await upload(page, "ragged.csv", "a,b\n1,x\n2,y,extra\n");
    await expect
      .poll(() => page.getByRole("alert").filter({ hasText: "ragged.csv" }).textContent())
      .toMatch(/ragged\.csv, line 3: expected 2 columns, found 3/);
    expect(await dataset(page, "customers").getByTestId("row-count").textContent()).toBe(
      "300 rows",
    );

    await typeCode(page, "SQL cell rows", "SELECT * FROM customerz");
    await page.keyboard.press("Shift+Enter");
    const error = cell(page, "SQL cell rows").getByRole("alert");
    await expect.poll(() => error.textContent()).toMatch(/customerz does not exist/);
    await expect
      .poll(() => cell(page, "TypeScript cell 3").getByRole("alert").textContent())
      .toMatch(/rows failed, and this cell reads it/);

    await typeCode(page, "SQL cell rows", "SELECT * FROM customers WHERE visits > 5");
    await page.keyboard.press("Shift+Enter");
    await chart(page, "k-means clusters (k = 3)").waitFor();
    expect(await cells(page).getByRole("article").getByRole("alert").count()).toBe(0);
    await screenshotPage(page, join(OUTPUT, "5-errors.png"));
  });

  it("the example gallery opens the examples, and ?notebook= opens one by name", async () => {
    const fresh = await harness.newPage();
    await fresh.goto(`${harness.origin}/?notebook=penguin-clusters`);
    await ready(fresh);
    await chart(fresh, "k-means clusters (k = 3)").waitFor();
    const options = await fresh
      .getByLabel("Open an example notebook")
      .locator("option")
      .allTextContents();
    expect(options).toEqual(
      expect.arrayContaining([
        "Penguin clusters",
        "Customer segments with k-means",
        "RFM segmentation of an online store",
        "Cohort retention",
        "Choosing k: a classroom walk-through",
        "How customers move between segments",
      ]),
    );
    await fresh.getByLabel("Open an example notebook").selectOption({ label: "Cohort retention" });
    await chart(fresh, "Retention by acquisition cohort").waitFor();
  });
});

describe("charts in the app", () => {
  it("all six recipes render in the app; a dataset the notebook names but the app lacks is asked for by name", async () => {
    const page = await harness.newPage();
    await page.goto(harness.origin);
    await ready(page);
    // Opened at once, while the default example may still be loading: the file must win.
    const text = await readFile(join(import.meta.dirname, "../notebooks/charts.md"));
    await page
      .getByLabel("Open notebook file")
      .setInputFiles({ name: "charts.md", mimeType: "text/markdown", buffer: text });
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    // penguins.json ships with the app; orders.csv does not, so the panel asks for it.
    const ask = page.getByLabel("Choose the file for orders");
    await ask.setInputFiles({
      name: "orders.csv",
      mimeType: "text/csv",
      buffer: await readFile(join(import.meta.dirname, "../notebooks/data/orders.csv")),
    });
    await page.waitForTimeout(500);
    expect(await cells(page).getByLabel("Status of SQL cell birds").textContent()).toBe(
      "not run (untrusted)",
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    for (const title of [
      "k-means clusters (k = 3)",
      "Choosing k: 1 to 8",
      "Silhouette: mean 0.447",
      "Cluster profiles",
      "RFM segments",
      "Retention by acquisition cohort",
    ]) {
      await chart(page, title).first().waitFor();
    }
    // The notebook draws the cluster map twice: on principal components and on two columns.
    expect(await chart(page, "k-means clusters (k = 3)").count()).toBe(2);
    expect(await cells(page).getByRole("article").getByRole("alert").count()).toBe(0);
    await screenshotPage(page, join(OUTPUT, "6-all-charts.png"));
  });
});

describe("values in the inspector", () => {
  it("a silhouette result shows its summary; a value that cannot be shown is that output's error, and later cells still show", async () => {
    const page = await harness.newPage();
    await page.goto(harness.origin);
    await ready(page);
    const text = [
      "# Values",
      "```ts scores",
      'silhouette([{ x: 1 }, { x: 2 }, { x: 10 }, { x: 11 }, { x: 12 }], [0, 0, 1, 1, 1], { columns: ["x"], sample: 4 })',
      "```",
      "```ts odd",
      '({ get kind() { throw new Error("no kind here"); } })',
      "```",
      "```ts after",
      "1 + 1",
      "```",
      "",
    ].join("\n");
    await page
      .getByLabel("Open notebook file")
      .setInputFiles({ name: "values.md", mimeType: "text/markdown", buffer: Buffer.from(text) });
    await page.getByRole("button", { name: "Trust and run" }).click();
    await waitForIdle(page);
    const scores = cell(page, "TypeScript cell scores");
    expect(await scores.getByLabel("Value of scores").textContent()).toBe("silhouette result");
    expect(await scores.locator("pre").textContent()).toMatch(/"scored": 4/);
    expect(await cell(page, "TypeScript cell odd").getByRole("alert").textContent()).toMatch(
      /This value could not be shown: no kind here/,
    );
    await expect
      .poll(() => cell(page, "TypeScript cell after").getByLabel("Value of after").textContent())
      .toBe("2");
  });
});
