import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import { LoadError, toRows, type Engine, type RegisterOptions } from "../../src/engine/index.ts";
import { createForgetfulEngine } from "./forgetful.ts";

let engine: Engine<string>;
let dir: string;

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function loadError(
  path: string,
  options?: RegisterOptions,
  on: Engine<string> = engine,
): Promise<LoadError> {
  const error = await on.registerFile(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LoadError))
    throw new Error(`expected a LoadError for ${path}, got ${String(error)}`);
  return error;
}

/** `n` lines: a header, then rows `i,name i,city i` with line `bad` replaced. */
function lines(n: number, bad: number, row: (i: number) => string, badRow: string): string {
  const out = ["id,name,city"];
  for (let i = 2; i <= n; i++) out.push(i === bad ? badRow : row(i));
  return out.join("\n") + "\n";
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-csv-"));
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("registerFile(csv): the line of a malformed row", () => {
  it("an unterminated quote on line 1001 of a quoted CSV is reported on line 1001, and the old table stays", async () => {
    await engine.registerFile(await file("quoted.csv", 'id,name\n1,"Ann"\n'));
    const text = lines(1100, 1001, (i) => `${i},"name ${i}","city, ${i}"`, '1001,"broken,city');
    const error = await loadError(await file("quoted.csv", text), { badRows: "fail" });
    expect(error.line).toBe(1001);
    expect(error.message).toBe(
      "quoted.csv, line 1001: badly quoted value (value with unterminated quote found) (1 malformed row; nothing was loaded)",
    );
    expect(toRows(await engine.query("SELECT * FROM quoted"))).toEqual([{ id: 1, name: "Ann" }]);
    // By default the row is kept apart and every other row loads, typed.
    const info = await engine.registerFile(await file("quoted.csv", text));
    expect([info.rowCount, info.load?.rejected]).toEqual([1098, 1]);
    expect(info.columns.map((c) => c.type)).toEqual(["BIGINT", "VARCHAR", "VARCHAR"]);
    expect(toRows(await engine.query("SELECT line, raw FROM quoted_rejected"))).toEqual([
      { line: 1001, raw: '1001,"broken,city' },
    ]);
  });

  it("too many and too few columns are reported on their own line, near the start and past 64 KB", async () => {
    const row = (i: number) => `${i},name ${i},city ${i}`;
    const cases: [number, number, string, string][] = [
      [2000, 1000, "1000,x,y,z", "expected 3 columns, found 4"],
      [2000, 1000, "1000,x", "expected 3 columns, found 2"],
      [100_010, 100_000, "100000,x,y,z", "expected 3 columns, found 4"],
      [100_010, 100_000, "100000,x", "expected 3 columns, found 2"],
    ];
    for (const [n, bad, badRow, reason] of cases) {
      const path = await file("ragged.csv", lines(n, bad, row, badRow));
      const error = await loadError(path, { badRows: "fail" });
      expect([error.line, error.reason], badRow).toEqual([
        bad,
        `${reason} (1 malformed row; nothing was loaded)`,
      ]);
    }
  });

  it("a row after values that span lines is reported on its physical line, with CRLF line ends", async () => {
    const text = 'id,note,city\r\n1,"a\r\nb",x\r\n2,"c\r\nd\r\ne",y\r\n3,z\r\n4,"ok",w\r\n';
    const error = await loadError(await file("spans.csv", text), { badRows: "fail" });
    expect([error.line, error.reason]).toEqual([
      7,
      "expected 3 columns, found 2 (1 malformed row; nothing was loaded)",
    ]);
  });
});

describe("registerFile(csv): the header line", () => {
  it("a headerless all-text CSV keeps its first row, and says it had no header", async () => {
    const text = "alice,london\nbob,paris\ncarol,london\ndave,rome\nerin,paris\n";
    const info = await engine.registerFile(await file("people.csv", text));
    expect(info).toMatchObject({ rowCount: 5, header: false });
    expect(info.columns.map((c) => c.name)).toEqual(["column0", "column1"]);
    expect(toRows(await engine.query("SELECT * FROM people LIMIT 1"))).toEqual([
      { column0: "alice", column1: "london" },
    ]);
  });

  it("a CSV with a real header still reads it as column names", async () => {
    for (const text of [
      "name,city\nalice,london\nbob,paris\ncarol,london\n",
      "Name,City\nalice,london\nbob,paris\n",
      "id,amount\n1,10.5\n2,20\n",
    ]) {
      const info = await engine.registerFile(await file("named.csv", text));
      expect(info.header, text).toBe(true);
      expect(info.rowCount, text).toBe(text.split("\n").length - 2);
    }
  });

  it("a CSV whose lines end in a carriage return alone (old Macs) loads its rows", async () => {
    const info = await engine.registerFile(await file("mac.csv", "id,amount\r1,10.5\r2,20\r"));
    expect(info.columns.map((c) => c.name)).toEqual(["id", "amount"]);
    expect(info.rowCount).toBe(2);
  });

  it("registerFile(path, {header}) overrides the detection both ways", async () => {
    const path = await file("override.csv", "name,city\nalice,london\nbob,paris\n");
    const asData = await engine.registerFile(path, { header: false });
    expect(asData).toMatchObject({ rowCount: 3, header: false });
    expect(toRows(await engine.query("SELECT column0 FROM override LIMIT 1"))).toEqual([
      { column0: "name" },
    ]);
    const repeated = await file("repeated.csv", "alice,london\nbob,paris\ncarol,london\n");
    const asNames = await engine.registerFile(repeated, { header: true });
    expect(asNames).toMatchObject({ rowCount: 2, header: true });
    expect(asNames.columns.map((c) => c.name)).toEqual(["alice", "london"]);
  });
});

describe("registerFile(txt): whitespace-separated text", () => {
  it("the CDNOW sample's first 200 lines load as 5 typed columns, without a header", async () => {
    const path = resolve(import.meta.dirname, "fixtures/cdnow-head.txt");
    const info = await engine.registerFile(path, { table: "cdnow" });
    expect(info).toMatchObject({
      name: "cdnow",
      rowCount: 200,
      header: false,
      columns: [
        { name: "column0", type: "BIGINT" },
        { name: "column1", type: "BIGINT" },
        { name: "column2", type: "DATE" },
        { name: "column3", type: "BIGINT" },
        { name: "column4", type: "DOUBLE" },
      ],
    });
    expect(info.load?.converted).toEqual([{ column: "column2", type: "DATE", format: "%Y%m%d" }]);
    expect(toRows(await engine.query("SELECT * FROM cdnow LIMIT 1"))).toEqual([
      { column0: 4, column1: 1, column2: new Date("1997-01-01"), column3: 2, column4: 29.33 },
    ]);
    const [sums] = toRows(
      await engine.query(
        "SELECT count(DISTINCT column1) AS customers, sum(column3) AS cds FROM cdnow",
      ),
    );
    expect(sums).toEqual({ customers: 76, cds: 426 });
  });

  it("a whitespace-separated row with a missing field is kept apart, or with badRows: fail reported on its line", async () => {
    const line = (i: number) => (i === 15 ? "   15   30\r\n" : `   ${i}   ${i * 2}\t ${i}.5\r\n`);
    const text = Array.from({ length: 20 }, (_, i) => line(i + 1)).join("");
    const error = await loadError(await file("aligned.txt", text), { badRows: "fail" });
    expect([error.line, error.reason]).toEqual([
      15,
      "expected 3 columns, found 2 (1 malformed row; nothing was loaded)",
    ]);
    // By default it is kept apart and the other 19 load.
    const info = await engine.registerFile(await file("aligned.txt", text));
    expect([info.rowCount, info.load?.rejected]).toEqual([19, 1]);
    expect(toRows(await engine.query("SELECT line, reason FROM aligned_rejected"))).toEqual([
      { line: 15, reason: "expected 3 columns, found 2" },
    ]);
  });

  it("a .txt that is plainly comma-separated loads as CSV", async () => {
    const info = await engine.registerFile(await file("plain.txt", "a,b\n1,x y\n2,z\n"));
    expect(info).toMatchObject({ rowCount: 2, header: true });
    expect(info.columns.map((c) => c.name)).toEqual(["a", "b"]);
  });
});

describe("registerFile(csv) when DuckDB reads nothing", () => {
  it("0 rows or a lost column from a file with data is an error, and the old table stays", async () => {
    const forgetful = await createForgetfulEngine();
    try {
      await forgetful.query("CREATE TABLE kept AS SELECT 1 AS x");
      const columns = await loadError(
        await file("kept.csv", "a,b\n1,2\n3,4\n"),
        undefined,
        forgetful,
      );
      expect(columns.message).toBe(
        "kept.csv: read 1 column, but the lines have 2 fields separated by ','; nothing was loaded",
      );
      const rows = await loadError(await file("kept.csv", "x\n1\n2\n"), undefined, forgetful);
      expect(rows.message).toBe(
        "kept.csv: read 0 rows from a file with rows of data; nothing was loaded",
      );
      expect(toRows(await forgetful.query("SELECT * FROM kept"))).toEqual([{ x: 1 }]);
    } finally {
      await forgetful.close();
    }
  });
});
