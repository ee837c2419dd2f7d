import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { literal, toRows, type Row } from "../../src/engine/index.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import { startHarness, type Harness } from "./harness.ts";
import { cell, cells, notebookText, openUntrusted, ready, startApp } from "./helpers.ts";

let harness: Harness;
let engine: Awaited<ReturnType<typeof createNodeEngine>>;
let page: Page;
let dir: string;
let saved = 0;

/** What every export must keep: quotes, commas, line breaks, NULL, empty text, 64-bit integers, microseconds. */
const SAMPLE_SQL = `SELECT * FROM (VALUES
  (1, 'plain', 'a,"b"', 9007199254740993::BIGINT, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:00.123456', 'é 😀'),
  (2, NULL, 'two
lines', NULL, NULL, NULL, '')
) t(id, name, note, big, day, stamp, unicode)`;

/** A TS cell's table. */
const PICKED = '[{ customer: "c1", spend: 10.5 }, { customer: "c2, Jr.", spend: null }]';

/** Orders of five customers, for RFM and k-means. */
const ORDERS_SQL = `SELECT * FROM (VALUES
  ('c1', DATE '2024-01-02', 10.0), ('c1', DATE '2024-03-01', 30.0), ('c2', DATE '2024-01-15', 5.0),
  ('c3', DATE '2024-02-20', 300.0), ('c3', DATE '2024-02-21', 280.0), ('c4', DATE '2024-03-02', 12.5),
  ('c5', DATE '2023-12-01', 99.0)
) t(customer_id, day, amount)`;

/** Results as tables: a SQL cell's, a TS cell's. */
const TABLES = notebookText("Exports", [
  "```sql sample",
  SAMPLE_SQL,
  "```",
  "",
  "```ts picked",
  PICKED,
  "```",
  "",
]);

/**
 * Results that are not tables but give files: segmentations, download(), COPY … TO. (A page
 * saves five files in five seconds at most, so the downloads are shared between two pages.)
 */
const SEGMENTS = notebookText("Segments", [
  "```sql orders",
  ORDERS_SQL,
  "```",
  "",
  "```ts scores",
  'await rfm(orders, { customer: "customer_id", date: "day", amount: "amount" })',
  "```",
  "",
  "```sql customers",
  "SELECT customer_id, sum(amount) AS spend, count(*) AS visits FROM orders GROUP BY ALL ORDER BY ALL",
  "```",
  "",
  "```ts clusters",
  'kmeans(customers, { k: 2, columns: ["spend", "visits"], seed: 1 })',
  "```",
  "",
  "```ts",
  `download(${PICKED}, "picked.tsv")`,
  "```",
  "",
  "```sql",
  `COPY (SELECT id, note FROM (${SAMPLE_SQL}) ORDER BY id) TO 'notes.csv' (HEADER)`,
  "```",
  "",
  "```sql",
  "COPY (SELECT 1 AS a) TO 'one.parquet'",
  "```",
  "",
]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-export-"));
  harness = await startHarness();
  engine = await createNodeEngine({ lock: false });
});

/** A new page with this notebook opened, trusted and run. */
async function openTrusted(text: string): Promise<Page> {
  const opened = await startApp(harness);
  await openUntrusted(opened, "exports.md", text);
  await opened.getByRole("button", { name: "Trust and run" }).click();
  await ready(opened);
  return opened;
}

afterAll(async () => {
  await engine?.close();
  await harness?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Click a button that saves a file; the file's suggested name, and where it was saved under it. */
async function downloadBy(button: Locator): Promise<{ name: string; path: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const name = download.suggestedFilename();
  const path = join(dir, `${++saved}-${name}`);
  await download.saveAs(path);
  return { name, path };
}

/** Rows with every column as DuckDB writes it as text (exact), in order. */
async function textRows(from: string): Promise<Row[]> {
  return toRows(await engine.query(`SELECT COLUMNS(*)::VARCHAR FROM ${from} ORDER BY ALL`));
}

describe("every table output downloads whole, and copies", () => {
  beforeAll(async () => {
    page = await openTrusted(TABLES);
  });

  it("a SQL result downloads whole as CSV and as Parquet, which DuckDB reads back to the same rows and types", async () => {
    const sample = cell(page, "SQL cell sample");
    const csv = await downloadBy(sample.getByRole("button", { name: "Download CSV" }));
    expect(csv.name).toBe("sample.csv");
    const text = await readFile(csv.path, "utf8");
    expect(text).toBe(
      'id,name,note,big,day,stamp,unicode\n1,plain,"a,""b""",9007199254740993,2024-02-29,2024-02-29 13:45:00.123456,é 😀\n2,,"two\nlines",,,,""\n',
    );

    const parquet = await downloadBy(sample.getByRole("button", { name: "Download Parquet" }));
    expect(parquet.name).toBe("sample.parquet");

    await engine.query(`CREATE OR REPLACE TABLE expected AS ${SAMPLE_SQL}`);
    // DuckDB reads a quoted empty field as NULL unless told to keep quoted fields as text.
    const fromCsv = `read_csv(${literal(csv.path)}, allow_quoted_nulls = false)`;
    expect(await textRows(fromCsv)).toEqual(await textRows("expected"));
    const back = await engine.registerFile(parquet.path, { table: "from_parquet" });
    expect(back.columns).toEqual((await engine.describe("expected")).columns);
    expect(await textRows("from_parquet")).toEqual(await textRows("expected"));
  });

  it("Copy puts the whole result on the clipboard as TSV, through the app (the sandboxed frame may not)", async () => {
    const sample = cell(page, "SQL cell sample");
    await sample.getByRole("button", { name: "Copy" }).click();
    await sample.getByRole("status").getByText("Copied 2 rows as TSV").waitFor();
    // Read from another page of the same browser (a plain file of the app's origin), which alone
    // is given the right to read: the app itself was given no permission.
    const reader = await harness.browser.newContext();
    await reader.grantPermissions(["clipboard-read"], { origin: harness.origin });
    const other = await reader.newPage();
    await other.goto(`${harness.origin}/frame/frame.css`);
    await other.bringToFront();
    const copied = await other.evaluate(() => navigator.clipboard.readText());
    await reader.close();
    await page.bringToFront();
    expect(copied).toBe(
      'id\tname\tnote\tbig\tday\tstamp\tunicode\n1\tplain\t"a,""b"""\t9007199254740993\t2024-02-29\t2024-02-29 13:45:00.123456\té 😀\n2\t\t"two\nlines"\t\t\t\t""\n',
    );
  });

  it("a TS cell's table downloads from the frame's value, under the cell's name", async () => {
    const picked = cell(page, "TypeScript cell picked");
    const csv = await downloadBy(picked.getByRole("button", { name: "Download CSV" }));
    expect(csv.name).toBe("picked.csv");
    expect(await readFile(csv.path, "utf8")).toBe('customer,spend\nc1,10.5\n"c2, Jr.",\n');
  });
});

describe("segmentations, download() and COPY … TO give files too", () => {
  beforeAll(async () => {
    page = await openTrusted(SEGMENTS);
  });

  it("an RFM result and a k-means result each download their segment list", async () => {
    const scores = cell(page, "TypeScript cell scores");
    const list = scores.getByRole("group", { name: "Export segment list of scores" });
    const rfm = await downloadBy(list.getByRole("button", { name: "Download CSV" }));
    expect(rfm.name).toBe("scores-segments.csv");
    const lines = (await readFile(rfm.path, "utf8")).trim().split("\n");
    expect(lines[0]).toBe("customer_id,segment");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["c1", "c2", "c3", "c4", "c5"]);

    const clusters = cell(page, "TypeScript cell clusters");
    const kmeans = await downloadBy(
      clusters
        .getByRole("group", { name: "Export segment list of clusters" })
        .getByRole("button", { name: "Download Parquet" }),
    );
    expect(kmeans.name).toBe("clusters-segments.parquet");
    await engine.registerFile(kmeans.path, { table: "clusters" });
    const rows = toRows(await engine.query("SELECT * FROM clusters ORDER BY customer_id"));
    expect(rows.map((r) => r.customer_id)).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    // c3 spends far more than the others: a cluster of its own.
    expect(rows.filter((r) => r.cluster === rows[2]!.cluster)).toHaveLength(1);
  });

  it("download(table, name) shows a button, and saves only when clicked", async () => {
    const button = cells(page).getByRole("button", { name: "Download picked.tsv" });
    await button.waitFor();
    const file = await downloadBy(button);
    expect(file.name).toBe("picked.tsv");
    expect(await readFile(file.path, "utf8")).toBe("customer\tspend\nc1\t10.5\nc2, Jr.\t\n");
  });

  it("COPY … TO in a SQL cell gives its file as a download; COPY to Parquet says why it cannot", async () => {
    const file = await downloadBy(cells(page).getByRole("button", { name: "Download notes.csv" }));
    expect(file.name).toBe("notes.csv");
    expect(await readFile(file.path, "utf8")).toBe('id,note\n1,"a,""b"""\n2,"two\nlines"\n');

    const alerts = await cells(page).getByRole("alert").allTextContents();
    expect(alerts.map((a) => a.trim())).toEqual([
      "COPY to Parquet cannot run in the browser: DuckDB-WASM's Parquet writer is an extension it would fetch from the internet, and Strata stays offline; use Download Parquet under a result instead",
    ]);
  });
});
