import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Table, tableFromArrays, tableToIPC } from "apache-arrow";
import { Table as WasmTable, writeParquet } from "parquet-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import {
  LoadError,
  QueryError,
  toRows,
  type Engine,
  type RegisterOptions,
} from "../../src/engine/index.ts";

let engine: Engine<string>;
let dir: string;

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function loadError(path: string, options?: RegisterOptions): Promise<LoadError> {
  const error = await engine.registerFile(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LoadError))
    throw new Error(`expected a LoadError for ${path}, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-engine-"));
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("createNodeEngine()", () => {
  it("registerFile(csv) creates a table named after the file, with its row count and column types", async () => {
    const path = await file(
      "Orders 2024.csv",
      "order_id,customer,placed,amount\n1,ann,2024-01-05,10.5\n2,bob,2024-02-01,20\n3,ann,2024-03-09,7.25\n",
    );
    const info = await engine.registerFile(path);
    expect(info).toMatchObject({
      name: "orders_2024",
      rowCount: 3,
      header: true,
      columns: [
        { name: "order_id", type: "BIGINT" },
        { name: "customer", type: "VARCHAR" },
        { name: "placed", type: "DATE" },
        { name: "amount", type: "DOUBLE" },
      ],
    });
    const rows = toRows(
      await engine.query(
        "SELECT customer, sum(amount) AS spend FROM orders_2024 GROUP BY ALL ORDER BY customer",
      ),
    );
    expect(rows).toEqual([
      { customer: "ann", spend: 17.75 },
      { customer: "bob", spend: 20 },
    ]);
  });

  it("query() returns integer sums, BIGINT, HUGEINT and DECIMAL as numbers and DATE, TIMESTAMP as Dates", async () => {
    const table =
      await engine.query(`SELECT sum(order_id) AS total, count(*) AS n, 9007199254740993::HUGEINT AS huge,
      12.34::DECIMAL(10, 2) AS price, DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 13:45:00' AS at
      FROM orders_2024`);
    const [row] = toRows(table);
    expect(row).toEqual({
      total: 6,
      n: 3,
      huge: 9007199254740992,
      price: 12.34,
      day: new Date("2024-02-29T00:00:00Z"),
      at: new Date("2024-02-29T13:45:00Z"),
    });
    expect(typeof row?.total).toBe("number");
    expect(table).toBeInstanceOf(Table);
    // Numeric columns stay columnar: a typed array, no per-row objects.
    expect(table.getChild("total")?.toArray()).toBeInstanceOf(Float64Array);
  });

  it("query() rejects bad SQL with a QueryError that carries the SQL and DuckDB's reason", async () => {
    const sql = "SELECT nope FROM orders_2024";
    const error = await engine.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).sql).toBe(sql);
    expect((error as QueryError).message).toMatch(/Referenced column "nope" not found/);
    expect((error as QueryError).message).not.toContain("\n");
  });

  it("registerFile() reads TSV, JSON, NDJSON and Parquet", async () => {
    expect((await engine.registerFile(await file("t.tsv", "a\tb\n1\tx y\n2\tz\n"))).rowCount).toBe(
      2,
    );
    expect(toRows(await engine.query("SELECT b FROM t ORDER BY a"))).toEqual([
      { b: "x y" },
      { b: "z" },
    ]);

    const json = await engine.registerFile(
      await file(
        "people.json",
        JSON.stringify([
          { name: "a", age: 30 },
          { name: "b", age: 41 },
        ]),
      ),
    );
    expect(json.rowCount).toBe(2);
    expect(json.columns.map((c) => c.name)).toEqual(["name", "age"]);

    const ndjson = await engine.registerFile(
      await file("events.ndjson", '{"id":1,"kind":"view"}\n\n{"id":2,"kind":"buy"}\n'),
    );
    expect(ndjson.rowCount).toBe(2);

    const arrow = tableFromArrays({
      id: Int32Array.from([1, 2, 3]),
      score: Float64Array.from([0.5, 1.5, 2.5]),
    });
    const parquet = writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, "stream")));
    const info = await engine.registerFile(await file("scores.parquet", parquet));
    expect(info).toMatchObject({
      name: "scores",
      rowCount: 3,
      columns: [
        { name: "id", type: "INTEGER" },
        { name: "score", type: "DOUBLE" },
      ],
    });
    expect(toRows(await engine.query("SELECT sum(score) AS s FROM scores"))).toEqual([{ s: 4.5 }]);
  });

  it("registerFile(path, {table}) replaces a table of the same name", async () => {
    await engine.registerFile(await file("v1.csv", "x\n1\n2\n"), { table: "versioned" });
    const info = await engine.registerFile(await file("v2.csv", "x\n1\n2\n3\n"), {
      table: "versioned",
    });
    expect(info.rowCount).toBe(3);
  });

  it("tables(), describe() and dropTable() list, describe and remove the user's tables", async () => {
    const names = (await engine.tables()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["orders_2024", "people", "scores", "t"]));
    expect(names.some((n) => n.startsWith("__strata"))).toBe(false);
    expect((await engine.describe("people")).rowCount).toBe(2);
    await engine.dropTable("people");
    expect((await engine.tables()).map((t) => t.name)).not.toContain("people");
    await expect(engine.describe("people")).rejects.toThrow("unknown table: people");
  });

  it("clear() starts a new database: nothing one notebook's SQL made or left reaches the next", async () => {
    const other = await createNodeEngine();
    try {
      await other.registerFile(await file("kept.csv", "x\n1\n"));
      await other.query("CREATE VIEW doubled AS SELECT x * 2 AS y FROM kept");
      await other.query("CREATE TABLE made AS SELECT 1 AS z");
      // What a hostile notebook leaves for the next one: it shadows a dataset's name, or hides.
      await other.query("CREATE TEMP VIEW sales AS SELECT 'POISONED' AS region");
      await other.query("CREATE MACRO total(x) AS x * 0");
      await other.query("CREATE SCHEMA stash");
      await other.query("CREATE TABLE stash.sales AS SELECT 1 AS n");
      await other.query("ATTACH ':memory:' AS keep");
      await other.clear();
      expect(await other.tables()).toEqual([]);
      await expect(other.query("SELECT * FROM doubled")).rejects.toThrow(/doubled does not exist/);
      await expect(other.query("SELECT * FROM sales")).rejects.toThrow(/sales does not exist/);
      await expect(other.query("SELECT total(1)")).rejects.toThrow(/total does not exist/);
      await expect(other.query("SELECT * FROM stash.sales")).rejects.toThrow(/does not exist/);
      const databases = toRows(
        await other.query("SELECT database_name FROM duckdb_databases() WHERE NOT internal"),
      );
      expect(databases.map((d) => d.database_name)).toEqual(["memory"]);
      // Still offline and locked, and files load as before.
      await expect(other.query("SET autoload_known_extensions = true")).rejects.toThrow(
        /configuration has been locked/,
      );
      expect((await other.registerFile(await file("kept.csv", "x\n1\n"))).rowCount).toBe(1);
    } finally {
      await other.close();
    }
  });

  it("is locked down: extension auto-loading is off and the setting cannot be turned back on", async () => {
    const settings = toRows(
      await engine.query(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration') ORDER BY name",
      ),
    );
    expect(settings).toEqual([
      { name: "autoinstall_known_extensions", value: "false" },
      { name: "autoload_known_extensions", value: "false" },
      { name: "lock_configuration", value: "true" },
    ]);
    await expect(engine.query("SET autoload_known_extensions = true")).rejects.toThrow(
      /configuration has been locked/,
    );
  });
});

describe("lockDown({ externalAccess: false })", () => {
  // It starts an engine of its own: seconds on a busy machine, hence the longer timeout.
  it("keeps the tables loaded before it and refuses paths, COPY, ATTACH, EXPORT, LOAD and SET", async () => {
    const locked = await createNodeEngine({ lock: false });
    try {
      const orders = await file("orders.csv", "id,amount\n1,10\n2,32\n");
      await locked.registerFile(orders, { table: "orders" });
      await locked.lockDown({ externalAccess: false });
      expect(toRows(await locked.query("SELECT sum(amount) AS total FROM orders"))).toEqual([
        { total: 42 },
      ]);
      // What a TS cell's table goes through: Arrow in, without a file.
      const ipc = tableToIPC(tableFromArrays({ k: Int32Array.from([1, 2, 3]) }), "stream");
      expect((await locked.registerArrow("made", ipc)).rowCount).toBe(3);

      const refused = (path: string) =>
        `Permission Error: Cannot access file "${path}" - file system operations are disabled by configuration`;
      const target = join(dir, "copied.csv");
      const cases: [string, string][] = [
        ["SELECT * FROM read_csv('/etc/passwd')", refused("/etc/passwd")],
        ["SELECT * FROM read_text('/etc/hostname')", refused("/etc/hostname")],
        [`SELECT * FROM '${orders}'`, refused(orders)],
        [`COPY (SELECT 1) TO '${target}'`, refused(target)],
        [`COPY orders FROM '${orders}'`, refused(orders)],
        [`ATTACH '${join(dir, "other.db")}' AS other`, refused(join(dir, "other.db"))],
        // The first file EXPORT writes is one per table; which table comes first is DuckDB's choice.
        [
          `EXPORT DATABASE '${join(dir, "export")}'`,
          `Permission Error: Cannot access file "${join(dir, "export")}/`,
        ],
        [
          "LOAD json",
          "Permission Error: Loading external extensions is disabled through configuration",
        ],
        [
          "SET enable_external_access = true",
          'Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked',
        ],
        [
          "RESET enable_external_access",
          'Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked',
        ],
      ];
      for (const [sql, message] of cases) {
        await expect(locked.query(sql), sql).rejects.toThrow(message);
      }
      expect(await readdir(dir)).not.toContain("copied.csv");
      expect(await readdir(dir)).not.toContain("other.db");
      await expect(locked.registerFile(orders, { table: "again" })).rejects.toThrow(
        /file system operations are disabled by configuration/,
      );
    } finally {
      await locked.close();
    }
  }, 20_000);
});

describe("registerFile() with bad input", () => {
  it("a ragged CSV fails with the line, the reason and the count, and the old table stays", async () => {
    await engine.registerFile(await file("ragged.csv", "a,b\n1,x\n2,y\n"));
    const error = await loadError(
      await file("ragged.csv", "a,b\n1,x\n2,y,extra\n3,z\n4,w,more\n"),
      { badRows: "fail" },
    );
    expect(error.message).toBe(
      "ragged.csv, line 3: expected 2 columns, found 3 (2 malformed rows; nothing was loaded)",
    );
    expect(error.line).toBe(3);
    expect((await engine.describe("ragged")).rowCount).toBe(2);
  });

  it("an empty file, a binary file and a Latin-1 file fail with a clear reason", async () => {
    expect((await loadError(await file("empty.csv", ""))).message).toBe(
      "empty.csv: the file is empty",
    );
    const binary = Uint8Array.from({ length: 2048 }, (_, i) => (i * 31) % 256);
    expect((await loadError(await file("blob.csv", binary))).reason).toBe(
      "looks like a binary file, not text",
    );
    const latin1 = Uint8Array.from([
      ...Buffer.from("name,city\nAna,"),
      0x4d,
      0xe1,
      0x6c,
      0x61,
      0x67,
      0x61,
      0x0a,
    ]);
    expect((await loadError(await file("latin1.csv", latin1))).message).toBe(
      "latin1.csv, line 2: not valid UTF-8 text at byte 16; if it was saved as Latin-1 (Windows-1252), choose that encoding in its import options",
    );
    const utf16 = Uint8Array.from([0xff, 0xfe, ...Buffer.from("a,b", "utf16le")]);
    expect((await loadError(await file("wide.json", utf16))).reason).toMatch(/UTF-16/);
  });

  it("invalid UTF-8 past the first 64 KB is caught by DuckDB with its line", async () => {
    const good =
      "id,name\n" + Array.from({ length: 5000 }, (_, i) => `${i},name ${i}`).join("\n") + "\n";
    const bytes = Uint8Array.from([...Buffer.from(good), ...Buffer.from("5000,"), 0xff, 0x0a]);
    const error = await loadError(await file("late.csv", bytes));
    expect(error.message).toMatch(/^late\.csv, line 5002: not valid UTF-8/);
  });

  it("broken JSON, JSON that is not an array of records, and a fake Parquet file name the problem", async () => {
    expect((await loadError(await file("broken.json", '[{"a": 1},\n {"a": 2'))).message).toMatch(
      /^broken\.json, line \d: not valid JSON/,
    );
    expect((await loadError(await file("scalar.json", "42"))).reason).toBe(
      "expected an array of objects, one per row, but the file is a number",
    );
    expect((await loadError(await file("empty.json", "[]"))).reason).toBe(
      "the JSON array is empty: no rows to load",
    );
    expect((await loadError(await file("bad.ndjson", '{"a":1}\n{"a":\n'))).message).toMatch(
      /^bad\.ndjson, line 2: not valid JSON/,
    );
    expect((await loadError(await file("fake.parquet", "a,b\n1,2\n"))).reason).toBe(
      "not a Parquet file (it does not start with PAR1)",
    );
    expect(
      (await loadError(await file("cut.parquet", "PAR1 and then nothing useful"))).reason,
    ).toBe(
      "the file is truncated or damaged: it does not end with PAR1, as every whole Parquet file does",
    );
  });

  it("an unsupported extension is refused before anything is read", async () => {
    expect((await loadError(await file("book.xlsx", "PK"))).message).toBe(
      "book.xlsx: unsupported file type .xlsx (expected .csv, .tsv, .parquet, .json or .ndjson)",
    );
  });

  it("after every failure the engine still answers", async () => {
    expect(toRows(await engine.query("SELECT 1 + 1 AS two"))).toEqual([{ two: 2 }]);
  });
});
