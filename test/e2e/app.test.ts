import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { Table as WasmTable, writeParquet } from "parquet-wasm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTPUT, startHarness, type Harness } from "./harness.ts";
import { cell, cells, dataset, ready, typeCode, upload, waitForIdle } from "./helpers.ts";

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  page = await harness.newPage();
  await page.goto(harness.origin);
  await ready(page);
  await page.getByRole("button", { name: "New", exact: true }).click();
  await cell(page, "SQL cell 1").waitFor();
});

afterAll(async () => {
  await harness?.close();
});

async function runSql(sql: string) {
  await typeCode(page, "SQL cell 1", sql);
  await page.keyboard.press("Shift+Enter");
  await waitForIdle(page);
}

/** The values in the first cell's result table (in the notebook frame). */
const values = () =>
  cells(page).getByRole("table", { name: "Result of c1" }).locator("tbody td").allTextContents();
const loaded = () => page.getByRole("list", { name: "Loaded datasets" }).getByRole("listitem");

describe("datasets and SQL", () => {
  it("adds a CSV through the file input, lists its row count and column types, and answers count(*)", async () => {
    const rows = Array.from(
      { length: 1234 },
      (_, i) => `${i + 1},2024-01-${String((i % 28) + 1).padStart(2, "0")},${(i * 1.5).toFixed(2)}`,
    );
    await upload(page, "orders.csv", `order_id,order_date,amount\n${rows.join("\n")}\n`);
    await expect
      .poll(() => dataset(page, "orders").getByTestId("row-count").textContent())
      .toBe("1,234 rows");
    await dataset(page, "orders").locator("summary").click();
    const schema = await page.getByRole("table", { name: "Columns of orders" }).textContent();
    expect(schema).toContain("order_date");
    expect(schema).toContain("DATE");

    await runSql("SELECT count(*) AS n, sum(order_id) AS total FROM orders");
    await expect.poll(values).toEqual(["1234", String((1234 * 1235) / 2)]);
    await page.screenshot({ path: join(OUTPUT, "datasets-and-sql.png") });
  });

  it("adds a Parquet file, decoded in the browser from the app's own origin", async () => {
    const arrow = tableFromArrays({
      segment: ["a", "b", "c", "d"],
      score: Float64Array.from([1.5, 2.5, 3.5, 4.5]),
    });
    const parquet = writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, "stream")));
    await upload(page, "scores.parquet", Buffer.from(parquet), "application/vnd.apache.parquet");
    await expect
      .poll(() => dataset(page, "scores").getByTestId("row-count").textContent())
      .toBe("4 rows");
    await runSql("SELECT sum(score) AS total FROM scores");
    await expect.poll(values).toEqual(["12"]);
  });

  it("adds a TSV dropped onto the page", async () => {
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(
        new File(["id\tname\n1\tann\n2\tbob\n"], "people.tsv", {
          type: "text/tab-separated-values",
        }),
      );
      window.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, cancelable: true }));
      window.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, cancelable: true }));
    });
    await expect
      .poll(() => dataset(page, "people").getByTestId("row-count").textContent())
      .toBe("2 rows");
  });

  it("a dataset shows a preview of its first rows and can be renamed", async () => {
    await dataset(page, "people").locator("summary").click();
    const preview = page.getByRole("table", { name: "Preview of people" });
    await expect.poll(() => preview.locator("tbody tr").count()).toBe(2);
    await page.getByLabel("Rename people").fill("persons");
    await page.getByLabel("Rename people").press("Enter");
    await expect
      .poll(() => dataset(page, "persons").getByTestId("row-count").textContent())
      .toBe("2 rows");
    await runSql("SELECT string_agg(name, ',' ORDER BY id) AS names FROM persons");
    await expect.poll(values).toEqual(["ann,bob"]);
    await dataset(page, "persons").locator("summary").click();
    await page.getByLabel("Rename persons").fill("2bad");
    await page.getByLabel("Rename persons").press("Enter");
    await expect
      .poll(() => page.getByRole("alert").filter({ hasText: "invalid table name" }).textContent())
      .toContain('"2bad"');
  });

  it("shows a failed query with DuckDB's reason and keeps working", async () => {
    await runSql("SELECT * FROM no_such_table");
    await expect
      .poll(() => cell(page, "SQL cell 1").getByRole("alert").textContent())
      .toMatch(/no_such_table does not exist/);
    await runSql("SELECT 41 + 1 AS answer");
    await expect.poll(values).toEqual(["42"]);
  });
});

describe("bad uploads", () => {
  const cases: [string, string | Buffer, RegExp][] = [
    [
      "ragged.csv",
      "a,b\n1,x\n2,y,extra\n3,z\n",
      /ragged\.csv, line 3: expected 2 columns, found 3/,
    ],
    ["empty.csv", "", /empty\.csv: the file is empty/],
    [
      "random.csv",
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      /random\.csv, line \d+: looks like a binary file/,
    ],
    [
      "latin1.csv",
      Buffer.concat([
        Buffer.from("name,city\nAna,"),
        Buffer.from([0x4d, 0xe1, 0x6c, 0x61, 0x67, 0x61]),
        Buffer.from("\n"),
      ]),
      /latin1\.csv, line 2: not valid UTF-8/,
    ],
    ["broken.json", '[{"a": 1}, {"a": 2', /broken\.json(, line 1)?: not valid JSON/],
    ["notes.xlsx", "PK", /notes\.xlsx: unsupported file type \.xlsx/],
  ];

  it.each(cases)(
    "%s gives an error naming the file and the reason; loaded tables stay",
    async (name, content, message) => {
      const before = await loaded().count();
      await upload(page, name, content);
      const alert = page.getByRole("alert").filter({ hasText: name });
      await expect.poll(() => alert.textContent()).toMatch(message);
      expect(await loaded().count()).toBe(before);
      await page.getByRole("button", { name: `Dismiss error for ${name}` }).click();
      await expect.poll(() => alert.count()).toBe(0);
    },
  );

  it("a bad file with the name of a loaded table leaves that table as it was", async () => {
    await upload(
      page,
      "orders.csv",
      "order_id,order_date,amount\n1,2024-01-01,5\n2,2024-01-02,6,7\n",
    );
    await expect
      .poll(() => page.getByRole("alert").filter({ hasText: "orders.csv" }).textContent())
      .toMatch(/line 3/);
    await runSql("SELECT count(*) FROM orders");
    await expect.poll(values).toEqual(["1234"]);
    await page.screenshot({ path: join(OUTPUT, "bad-upload.png") });
  });
});

describe("offline", () => {
  it("asks for nothing outside the app's own origin, even when SQL names a URL", async () => {
    await runSql("SELECT * FROM read_csv('https://example.com/data.csv')");
    await expect
      .poll(() => cell(page, "SQL cell 1").getByRole("alert").textContent())
      .toMatch(
        /network access is off in Strata: https:\/\/example\.com\/data\.csv was not fetched/,
      );
    const foreign = harness.requests.filter(
      (url) =>
        !url.startsWith(harness.origin) && !url.startsWith("blob:") && !url.startsWith("data:"),
    );
    expect(harness.requests.length).toBeGreaterThan(3);
    expect(foreign).toEqual([]);
    await writeFile(join(OUTPUT, "requests.txt"), harness.requests.join("\n"));
  });
});
