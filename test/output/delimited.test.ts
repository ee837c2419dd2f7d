import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays, tableFromIPC } from "apache-arrow";
import * as aq from "arquero";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactQuery, restoreExact } from "../../src/engine/exact.ts";
import { literal, toRows } from "../../src/engine/index.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import type { DuckEngine } from "../../src/engine/duck.ts";
import { delimitedChunks, delimitedText } from "../../src/output/delimited.ts";
import { toIPC } from "../../src/runtime/ipc.ts";

let engine: DuckEngine<string>;
let dir: string;

/** Every kind of field a CSV writer can get wrong, and a row of NULLs. */
const SAMPLE = `CREATE TABLE sample AS SELECT * FROM (VALUES
  (1, 'plain', 'a,b', 'say "hi"', 'two
lines', 'carriage' || chr(13) || 'return', 'tab' || chr(9) || 'here', '', 'é ü 😀 中文',
   true, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:00', TIMESTAMP '2024-02-29 13:45:00.123456',
   9007199254740993::BIGINT, '-9223372036854775808'::BIGINT, 2.5::DOUBLE, 42::INTEGER,
   TIMESTAMPTZ '2024-02-29 13:45:00.5+00', TIME '09:30:00.25', 12::HUGEINT),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL)
) t(id, plain, comma, quote, newline, cr, tab, empty, unicode, flag, day, stamp, precise, big,
    smallest, ratio, small, zoned, clock, huge)`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-delimited-"));
  // External access stays on: DuckDB's own COPY writes the files these are compared with.
  engine = await createNodeEngine({ lock: false });
  await engine.query(SAMPLE);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The sample table read exactly (64-bit integers and microseconds kept). */
async function exactSample() {
  const exact = exactQuery("sample", (await engine.describe("sample")).columns);
  return restoreExact(await engine.query(`${exact.sql} ORDER BY id`), exact.restore);
}

/** What DuckDB's own COPY writes for a query. */
async function duckdbCopy(sql: string, options: string): Promise<string> {
  const path = join(dir, `copy-${Math.random().toString(36).slice(2)}.csv`);
  await engine.query(`COPY (${sql}) TO ${literal(path)} (${options})`);
  return readFile(path, "utf8");
}

describe("delimitedText()", () => {
  it("writes what DuckDB's COPY writes: quoting, NULL, empty text, unicode, dates, timestamps, 64-bit integers", async () => {
    const ours = delimitedText(await exactSample());
    expect(ours).toBe(await duckdbCopy("SELECT * FROM sample ORDER BY id", "HEADER"));
    const [header, first] = ours.split("\n");
    expect(header).toBe(
      "id,plain,comma,quote,newline,cr,tab,empty,unicode,flag,day,stamp,precise,big,smallest,ratio,small,zoned,clock,huge",
    );
    expect(first).toBe('1,plain,"a,b","say ""hi""","two');
    expect(ours).toContain(
      ',"carriage\rreturn",tab\there,"",é ü 😀 中文,true,2024-02-29,2024-02-29 13:45:00,2024-02-29 13:45:00.123456,9007199254740993,-9223372036854775808,2.5,42,2024-02-29 13:45:00.5+00,09:30:00.25,12\n',
    );
    // NULL is an empty field, the empty string a quoted one.
    expect(ours.endsWith("\n2,,,,,,,,,,,,,,,,,,,\n")).toBe(true);
  });

  it("TSV quotes tabs, quotes and line breaks, as DuckDB does (and spreadsheets expect on paste)", async () => {
    const ours = delimitedText(await exactSample(), "\t");
    expect(ours).toBe(
      await duckdbCopy("SELECT * FROM sample ORDER BY id", "HEADER, DELIMITER '\t'"),
    );
    expect(ours).toContain('\t"tab\there"\t');
    expect(ours).toContain("\ta,b\t");
  });

  it("reads back in DuckDB as the same rows and types", async () => {
    const path = join(dir, "roundtrip.csv");
    await writeFile(path, delimitedText(await exactSample()));
    const back = await engine.query(`DESCRIBE SELECT * FROM read_csv(${literal(path)})`);
    const types = Object.fromEntries(
      toRows(back).map((r) => [String(r.column_name), String(r.column_type)]),
    );
    expect(types).toMatchObject({
      id: "BIGINT",
      day: "DATE",
      stamp: "TIMESTAMP",
      precise: "TIMESTAMP",
      big: "BIGINT",
      flag: "BOOLEAN",
      ratio: "DOUBLE",
      zoned: "TIMESTAMP WITH TIME ZONE",
    });
    // DuckDB reads a quoted empty field as NULL unless told to keep quoted fields as text.
    const same = await engine.query(
      `SELECT count(*) AS n FROM (SELECT COLUMNS(*)::VARCHAR FROM sample EXCEPT ALL SELECT COLUMNS(*)::VARCHAR FROM read_csv(${literal(path)}, allow_quoted_nulls = false))`,
    );
    expect(toRows(same)).toEqual([{ n: 0 }]);
  });

  it("writes the engine's own results too: TIMESTAMP as Date64 keeps its time, BIGINT beyond 2^53 is as exact as the double it became", async () => {
    const table = await engine.query("SELECT stamp, precise, big, day FROM sample ORDER BY id");
    expect(delimitedText(table)).toBe(
      "stamp,precise,big,day\n2024-02-29 13:45:00,2024-02-29 13:45:00.123,9007199254740992,2024-02-29\n,,,\n",
    );
  });

  it("writes Arquero tables and arrays of records (what TS cells make)", () => {
    const records = [
      { name: "Ann, Jr.", joined: new Date("2024-01-05T00:00:00Z"), visits: 3, vip: true },
      { name: null, joined: null, visits: null, vip: false },
    ];
    expect(delimitedText(tableFromIPC(toIPC(records)))).toBe(
      'name,joined,visits,vip\n"Ann, Jr.",2024-01-05,3,true\n,,,false\n',
    );
    const dt = aq.table({ at: [new Date("2024-01-05T10:20:30.250Z")], tags: [["a", "b"]] });
    expect(delimitedText(tableFromIPC(toIPC(dt)))).toBe(
      'at,tags\n2024-01-05 10:20:30.25,"[""a"",""b""]"\n',
    );
  });

  it("quotes a header that needs it, and comes in chunks for large tables", () => {
    const n = 25_000;
    const table = tableFromArrays({
      "a,b": Int32Array.from({ length: n }, (_, i) => i),
      x: Float64Array.from({ length: n }, (_, i) => i / 4),
    });
    const chunks = [...delimitedChunks(table)];
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]).toBe('"a,b",x\n');
    const text = chunks.join("");
    expect(text.split("\n")).toHaveLength(n + 2);
    expect(text.endsWith("24999,6249.75\n")).toBe(true);
  });
});
