import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toRows } from "../../src/engine/index.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import { parse } from "../../src/notebook/index.ts";
import { packNotebook } from "../../src/workspace/index.ts";
import { expectGolden } from "../golden.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
let dir: string;

// Each run starts Node, DuckDB and a DOM: seconds, not milliseconds.
vi.setConfig({ testTimeout: 60_000 });

/** Run `strata` as a user would, through the package's bin. */
function strata(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return strataWith({}, ...args);
}

/** `strata` with more environment variables (TMPDIR, to see where it writes). */
async function strataWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "bin/strata.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Run times differ from run to run; goldens hold everything else. */
function withoutTimes(json: string): string {
  return json.replace(/"ms": [\d.]+/g, '"ms": 0');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("strata run", () => {
  it("runs the SQL → TS → SQL chain and writes the expected JSON and an HTML report", async () => {
    const json = join(dir, "chain.json");
    const html = join(dir, "chain.html");
    const result = await strata("run", "test/notebooks/chain.md", "--json", json, "--html", html);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("test/notebooks/chain.md: 5 of 5 cells ran\n");

    const output = JSON.parse(await readFile(json, "utf8"));
    const byName = Object.fromEntries(
      output.cells.map((c: { name: string | null; id: string }) => [c.name ?? c.id, c]),
    );
    expect(byName.by_tier.value).toEqual({
      columns: [
        { name: "tier", type: "Utf8" },
        { name: "customers", type: "Float64" },
        { name: "revenue", type: "Float64" },
      ],
      rows: [
        { tier: "gold", customers: 2, revenue: 470.35 },
        { tier: "silver", customers: 2, revenue: 93.25 },
      ],
      rowCount: 2,
    });
    expect(byName.share.value).toEqual({ gold: 0.835, silver: 0.165 });
    expect(byName.c6.value).toMatch(/^<svg/);
    // The chart's markup as the sanitiser leaves it: Plot's <style> goes.
    expect(byName.c6.value).not.toContain("<style");
    await expectGolden("notebooks/chain.json", withoutTimes(await readFile(json, "utf8")));

    const report = await readFile(html, "utf8");
    expect(report).toContain("<title>A SQL → TS → SQL chain</title>");
    expect(report).toContain(
      "<h1>Spend per customer, then tiers in TypeScript, then a join back in SQL</h1>",
    );
    expect(report).toMatch(/<td>gold<\/td><td class="num">2<\/td><td class="num">470\.35<\/td>/);
    expect(report).toMatch(/<div class="chart"><svg[^>]*>/);
    expect(report).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(report).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'sha256-[\w+/=]+'; base-uri 'none'; form-action 'none'">/,
    );
  });

  it("exits non-zero and names the failing cell on stderr; cells that do not depend on it still run", async () => {
    const json = join(dir, "failing.json");
    const result = await strata("run", "test/notebooks/failing.md", "--json", json);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "strata: cell broken (ts, line 2) failed: TypeError: x.notAFunction is not a function",
    );
    expect(result.stderr).toContain(
      "strata: cell after (ts) failed: broken failed, and this cell reads it",
    );
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ["base", "done"],
      ["broken", "error"],
      ["after", "error"],
      ["fine", "done"],
    ]);
    await expectGolden("notebooks/failing.json", withoutTimes(await readFile(json, "utf8")));
  });

  it("renders every chart recipe into the HTML report as inline SVG", async () => {
    const html = join(dir, "charts.html");
    const result = await strata("run", "test/notebooks/charts.md", "--html", html);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = await readFile(html, "utf8");
    for (const title of [
      "k-means clusters (k = 3)",
      "Choosing k: 1 to 8",
      "Silhouette: mean 0.447",
      "Cluster profiles",
      "RFM segments",
      "Retention by acquisition cohort",
    ]) {
      expect(report).toContain(`>${title}</text>`);
    }
    expect(report.match(/<svg[^>]*class="strata-chart"/g)).toHaveLength(7);
  });

  it("--data overrides a dataset path from the front matter", async () => {
    const json = join(dir, "override.json");
    const other = join(dir, "other.csv");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(other, "order_id,customer_id,order_date,amount\n1,Z9,2024-01-01,500\n"),
    );
    const result = await strata(
      "run",
      "test/notebooks/chain.md",
      "--data",
      `orders=${other}`,
      "--json",
      json,
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells.find((c: { name: string }) => c.name === "share").value).toEqual({
      gold: 1,
    });
  });

  it("reads a dataset with the import options its front matter records, and says what the load set aside", async () => {
    await writeFile(
      join(dir, "exports.csv"),
      "Report of 2024-12-01\nwhen;who;amount\n12/1/2010 8:26;007;1,5\n12/13/2010 9:00;042;2,5\n1/2/2011 10:15;042\n",
    );
    const notebook = [
      "---",
      "datasets:",
      "  sales:",
      "    file: exports.csv",
      '    delimiter: ";"',
      "    skip: 1",
      "    types:",
      "      who: VARCHAR",
      "---",
      "",
      "```sql typed",
      "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'sales' ORDER BY column_index",
      "```",
      "",
      "```sql rows",
      "SELECT who, count(*) AS n FROM sales GROUP BY who ORDER BY who",
      "```",
      "",
    ].join("\n");
    await writeFile(join(dir, "options.md"), notebook);
    const json = join(dir, "options.json");
    const result = await strata("run", join(dir, "options.md"), "--json", json);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /dataset sales: 1 malformed row not loaded \(see sales_rejected\); when read as TIMESTAMP \(%m\/%d\/%Y %H:%M\)/,
    );
    const cells = JSON.parse(await readFile(json, "utf8")).cells as {
      name: string;
      value: { rows: unknown[] };
    }[];
    expect(cells.find((c) => c.name === "typed")!.value.rows).toEqual([
      { column_name: "when", data_type: "TIMESTAMP" },
      { column_name: "who", data_type: "VARCHAR" },
      { column_name: "amount", data_type: "VARCHAR" },
    ]);
    expect(cells.find((c) => c.name === "rows")!.value.rows).toEqual([
      { who: "007", n: 1 },
      { who: "042", n: 1 },
    ]);
  });

  it("reports a notebook it cannot read, with the line, and bad arguments, with usage", async () => {
    const broken = join(dir, "broken.md");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(broken, "# x\n\n```sql a\nSELECT 1\n"),
    );
    const result = await strata("run", broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `strata: ${broken}, line 3: the \`\`\`sql cell opened here is never closed\n`,
    );
    const usage = await strata("run");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^usage: strata run <notebook\.md\|notebook\.zip\|folder>/);
    const missing = await strata(
      "run",
      "test/notebooks/chain.md",
      "--data",
      "orders=/nope/none.csv",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^strata: dataset orders: /);
  });
});

describe("strata run --out", () => {
  /** A notebook whose tables hold what exports get wrong: 64-bit integers, timestamps, NULL, quotes. */
  const NOTEBOOK = [
    "---",
    "title: Exports",
    "datasets:",
    "  orders: orders.csv",
    "---",
    "",
    "```sql totals",
    "SELECT customer_id, sum(amount) AS total, 9007199254740993::BIGINT + order_id AS big,",
    "       TIMESTAMP '2024-02-29 13:45:00.123456' AS stamp, CAST(order_date AS DATE) AS day,",
    "       CASE WHEN order_id = 1 THEN 'a,\"b\"' END AS note",
    "FROM orders GROUP BY ALL ORDER BY customer_id, big",
    "```",
    "",
    "```ts tiers",
    "[{ customer: 'C1', tier: 'gold' }, { customer: 'C2', tier: null }]",
    "```",
    "",
    "```ts",
    "// unnamed: not written",
    "[{ x: 1 }]",
    "```",
    "",
    "```ts answer",
    "42",
    "```",
    "",
  ].join("\n");

  let folder: string;
  let engine: Awaited<ReturnType<typeof createNodeEngine>>;

  beforeAll(async () => {
    folder = join(dir, "exports");
    await mkdir(folder);
    await writeFile(join(folder, "exports.md"), NOTEBOOK);
    await copyFile(join(ROOT, "test/notebooks/data/orders.csv"), join(folder, "orders.csv"));
    engine = await createNodeEngine({ lock: false });
    await engine.registerFile(join(folder, "orders.csv"), { table: "orders" });
  });

  afterAll(async () => {
    await engine?.close();
  });

  /** A table's rows with every column as text (exact), in order. */
  const rowsOf = async (from: string) =>
    toRows(await engine.query(`SELECT COLUMNS(*)::VARCHAR FROM ${from} ORDER BY ALL`));

  it("writes each named table cell as <name>.parquet, creating the folder; they read back to the same rows and types", async () => {
    const out = join(folder, "out", "parquet");
    const result = await strata("run", join(folder, "exports.md"), "--out", out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `wrote ${join(out, "totals.parquet")}\nwrote ${join(out, "tiers.parquet")}\n${join(folder, "exports.md")}: 4 of 4 cells ran\n`,
    );
    expect((await readdir(out)).sort()).toEqual(["tiers.parquet", "totals.parquet"]);

    const sql = NOTEBOOK.split("```sql totals\n")[1]!.split("\n```")[0]!;
    await engine.query(`CREATE TABLE expected AS ${sql}`);
    const back = await engine.registerFile(join(out, "totals.parquet"), { table: "totals" });
    // Every column comes back with its type: BIGINT, TIMESTAMP, DATE, VARCHAR, DOUBLE.
    expect(back.columns).toEqual((await engine.describe("expected")).columns);
    expect(await rowsOf("totals")).toEqual(await rowsOf("expected"));
    expect((await rowsOf("totals"))[0]).toMatchObject({
      big: "9007199254740994",
      stamp: "2024-02-29 13:45:00.123456",
      note: 'a,"b"',
    });
    await engine.registerFile(join(out, "tiers.parquet"), { table: "tiers" });
    expect(await rowsOf("tiers")).toEqual([
      { customer: "C1", tier: "gold" },
      { customer: "C2", tier: null },
    ]);
  });

  it("--format csv,parquet writes both; the CSV reads back to the same rows", async () => {
    const out = join(folder, "out", "both");
    const result = await strata(
      "run",
      join(folder, "exports.md"),
      "--out",
      out,
      "--format",
      "csv,parquet",
    );
    expect(result.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      "tiers.csv",
      "tiers.parquet",
      "totals.csv",
      "totals.parquet",
    ]);
    const csv = await readFile(join(out, "totals.csv"), "utf8");
    expect(csv.split("\n")[0]).toBe("customer_id,total,big,stamp,day,note");
    expect(csv).toContain(',9007199254740994,2024-02-29 13:45:00.123456,2024-01-03,"a,""b"""\n');
    await engine.query(
      `CREATE TABLE totals_csv AS SELECT * FROM read_csv('${join(out, "totals.csv")}')`,
    );
    expect(await rowsOf("totals_csv")).toEqual(await rowsOf("expected"));
  });

  it("refuses an unknown format, and --format without --out, with exit 2", async () => {
    const bad = await strata("run", join(folder, "exports.md"), "--out", dir, "--format", "xlsx");
    expect(bad).toMatchObject({
      code: 2,
      stderr: "strata: unknown --format xlsx (expected parquet, csv, tsv)\n",
    });
    const lone = await strata("run", join(folder, "exports.md"), "--format", "csv");
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/^strata: --format needs --out dir\n/);
  });
});

describe("strata run with a zip or a folder", () => {
  const chain = () => readFile(join(ROOT, "test/notebooks/chain.md"), "utf8");
  const orders = () => readFile(join(ROOT, "test/notebooks/data/orders.csv"));
  /** TMPDIR for the runs that extract zips, to see what they leave (tsx keeps its cache there) */
  let temp: string;
  const extracted = async () => (await readdir(temp)).filter((n) => n.startsWith("strata-"));

  beforeAll(async () => {
    temp = join(dir, "tmp");
    await mkdir(temp);
  });

  it("runs a zip made by packNotebook from chain.md and its data, and removes what it extracted", async () => {
    const nb = parse(await chain());
    const files = new Map([["orders", new File([await orders()], "orders.csv")]]);
    const zip = join(dir, "chain.zip");
    await writeFile(
      zip,
      new Uint8Array(await (await packNotebook(nb, "chain", files)).arrayBuffer()),
    );
    const json = join(dir, "zip.json");
    const result = await strataWith({ TMPDIR: temp }, "run", zip, "--json", json);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${zip}: 5 of 5 cells ran\n`);
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells.find((c: { name: string }) => c.name === "share").value).toEqual({
      gold: 0.835,
      silver: 0.165,
    });
    expect(await extracted()).toEqual([]);
  });

  it("runs the one notebook in a folder", async () => {
    const folder = join(dir, "project");
    await mkdir(join(folder, "data"), { recursive: true });
    await writeFile(join(folder, "chain.md"), await chain());
    await copyFile(join(ROOT, "test/notebooks/data/orders.csv"), join(folder, "data/orders.csv"));
    const result = await strata("run", folder);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${folder}: 5 of 5 cells ran\n`);
  });

  it("exits 2 for a folder with no notebook or with two, naming them", async () => {
    const empty = join(dir, "empty");
    await mkdir(empty);
    expect(await strata("run", empty)).toMatchObject({
      code: 2,
      stderr: `strata: ${empty} holds no notebook (.md)\n`,
    });
    const two = join(dir, "two");
    await mkdir(two);
    await writeFile(join(two, "a.md"), "# a\n");
    await writeFile(join(two, "b.md"), "# b\n");
    expect(await strata("run", two)).toMatchObject({
      code: 2,
      stderr: `strata: ${two} holds 2 notebooks (a.md, b.md); name one, e.g. strata run ${join(two, "a.md")}\n`,
    });
  });

  it("exits 2 for a zip with ../evil.csv and writes nothing outside its temporary folder", async () => {
    const md = "---\ndatasets:\n  evil: ../evil.csv\n---\n\n# x\n";
    const zip = join(dir, "evil.zip");
    const enc = new TextEncoder();
    await writeFile(zip, zipSync({ "n.md": enc.encode(md), "../evil.csv": enc.encode("a\n1\n") }));
    const result = await strataWith({ TMPDIR: temp }, "run", zip);
    expect(result).toMatchObject({
      code: 2,
      stdout: "",
      stderr: `strata: ${zip}: unsafe entry ../evil.csv (a path outside the zip)\n`,
    });
    expect(await extracted()).toEqual([]);
    expect(await readdir(temp)).not.toContain("evil.csv");
    expect(await readdir(dir)).not.toContain("evil.csv");
    expect(await readdir(ROOT)).not.toContain("evil.csv");
  });

  it("exits 2 for a file that is not a zip", async () => {
    const fake = join(dir, "fake.zip");
    await writeFile(fake, "order_id\n1\n");
    expect(await strata("run", fake)).toMatchObject({
      code: 2,
      stderr: `strata: ${fake}: not a zip file\n`,
    });
  });
});
