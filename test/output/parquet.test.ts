import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { tableFromIPC } from "apache-arrow";
import * as parquet from "parquet-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactQuery, restoreExact } from "../../src/engine/exact.ts";
import { literal, toRows, type Row } from "../../src/engine/index.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import type { DuckEngine } from "../../src/engine/duck.ts";
import { parquetBytes } from "../../src/output/parquet.ts";
import { toIPC } from "../../src/runtime/ipc.ts";

let engine: DuckEngine<string>;
let dir: string;

const SAMPLE = `CREATE TABLE sample AS SELECT * FROM (VALUES
  (1, 'a,"b"
c', 'é 😀', true, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:00.123456',
   TIMESTAMPTZ '2024-02-29 13:45:00+00', 9007199254740993::BIGINT, 18446744073709551615::UBIGINT,
   170141183460469231731687303715884105727::HUGEINT, 7::HUGEINT, 2.5::DOUBLE, 42::INTEGER,
   [1, 2], {'k': 'v'}, 'x'::ENUM('x', 'y')),
  (2, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, text, unicode, flag, day, stamp, zoned, big, ubig, huge, small_huge, ratio, small,
    list, struct, choice)`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-parquet-"));
  engine = await createNodeEngine({ lock: false });
  await engine.query(SAMPLE);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A table's rows with every column as DuckDB writes it as text, NULL kept. */
async function asText(from: string): Promise<Row[]> {
  return toRows(await engine.query(`SELECT COLUMNS(*)::VARCHAR FROM ${from} ORDER BY id`));
}

/** A Parquet file's column types and rows, read by native DuckDB (its own Parquet reader). */
async function readNatively(
  path: string,
): Promise<{ types: Record<string, string>; rows: unknown[] }> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const described = await connection.runAndReadAll(
      `DESCRIBE FROM read_parquet(${literal(path)})`,
    );
    const types = Object.fromEntries(
      described.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    const rows = await connection.runAndReadAll(
      `SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${literal(path)}) ORDER BY 1`,
    );
    return { types, rows: rows.getRowObjectsJson() };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("parquetBytes()", () => {
  it("writes a table read exactly, and DuckDB reads back the same rows and types", async () => {
    const exact = exactQuery("sample", (await engine.describe("sample")).columns);
    const table = restoreExact(await engine.query(exact.sql), exact.restore);
    const path = join(dir, "sample.parquet");
    await writeFile(path, parquetBytes(table, parquet));

    // Strata's own engine (parquet-wasm → Arrow → DuckDB-WASM), as the app and the CLI load it.
    const info = await engine.registerFile(path, { table: "back" });
    expect(Object.fromEntries(info.columns.map((c) => [c.name, c.type]))).toEqual({
      id: "INTEGER",
      text: "VARCHAR",
      unicode: "VARCHAR",
      flag: "BOOLEAN",
      day: "DATE",
      stamp: "TIMESTAMP",
      zoned: "TIMESTAMP WITH TIME ZONE",
      big: "BIGINT",
      ubig: "UBIGINT",
      // beyond 64 bits: kept exact, as text
      huge: "VARCHAR",
      small_huge: "BIGINT",
      ratio: "DOUBLE",
      small: "INTEGER",
      list: "INTEGER[]",
      struct: "STRUCT(k VARCHAR)",
      choice: "VARCHAR",
    });
    expect(await asText("back")).toEqual(await asText("sample"));
    const [first, second] = await asText("back");
    expect(first).toMatchObject({
      big: "9007199254740993",
      ubig: "18446744073709551615",
      huge: "170141183460469231731687303715884105727",
      stamp: "2024-02-29 13:45:00.123456",
    });
    // NULL stays null, and the empty string stays a string.
    expect(second).toMatchObject({ text: null, unicode: "", big: null, stamp: null });

    // Any Parquet reader: native DuckDB reads the same file with its own reader.
    const native = await readNatively(path);
    expect(native.types).toMatchObject({
      big: "BIGINT",
      day: "DATE",
      stamp: "TIMESTAMP",
      zoned: "TIMESTAMP WITH TIME ZONE",
      list: "INTEGER[]",
    });
    expect(native.rows).toHaveLength(2);
    expect(native.rows[0]).toMatchObject({
      big: "9007199254740993",
      day: "2024-02-29",
      stamp: "2024-02-29 13:45:00.123456",
      text: 'a,"b"\nc',
    });
  });

  it("writes what a cell holds: the engine's TIMESTAMP (Date64) as a timestamp, not as a date or a number", async () => {
    const table = await engine.query("SELECT id, day, stamp FROM sample ORDER BY id");
    const path = join(dir, "cell.parquet");
    await writeFile(path, parquetBytes(table, parquet));
    const native = await readNatively(path);
    expect(native.types).toEqual({ id: "INTEGER", day: "DATE", stamp: "TIMESTAMP" });
    expect(native.rows).toEqual([
      { id: "1", day: "2024-02-29", stamp: "2024-02-29 13:45:00.123" },
      { id: "2", day: null, stamp: null },
    ]);
  });

  it("writes arrays of records and Arquero tables (what TS cells make)", async () => {
    const records = [
      { customer: "c1", cluster: 0, joined: new Date("2024-01-05T10:00:00Z") },
      { customer: "c2", cluster: null, joined: null },
    ];
    const path = join(dir, "records.parquet");
    await writeFile(path, parquetBytes(tableFromIPC(toIPC(records)), parquet));
    const native = await readNatively(path);
    expect(native.rows).toEqual([
      { customer: "c1", cluster: "0", joined: "2024-01-05 10:00:00" },
      { customer: "c2", cluster: null, joined: null },
    ]);
  });
});
