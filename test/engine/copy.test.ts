import { tableFromArrays } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/engine/backend.ts";
import { copyTargets } from "../../src/engine/copy.ts";
import { DuckEngine } from "../../src/engine/duck.ts";
import { QueryError, type WrittenFile } from "../../src/engine/index.ts";
import { sqlNames, sqlTokens } from "../../src/engine/sqllex.ts";

describe("sqlTokens()", () => {
  it("gives names, strings (dollar-quoted too) and symbols, and skips comments", () => {
    const tokens = sqlTokens(`SELECT 'it''s', "a""b" -- no
      FROM t /* nor */ WHERE x = $$dollar$$;`);
    expect(tokens.map((t) => (t.kind === "name" ? t.name : `${t.kind}:${t.value}`))).toEqual([
      "SELECT",
      "string:it's",
      "symbol:,",
      'a"b',
      "FROM",
      "t",
      "WHERE",
      "x",
      "symbol:=",
      "string:dollar",
      "symbol:;",
    ]);
    expect(sqlNames(`SELECT "x" FROM t`)).toEqual([
      { name: "SELECT", quoted: false, start: 0, end: 6 },
      { name: "x", quoted: true, start: 7, end: 10 },
      { name: "FROM", quoted: false, start: 11, end: 15 },
      { name: "t", quoted: false, start: 16, end: 17 },
    ]);
  });
});

describe("copyTargets()", () => {
  it("finds each COPY … TO 'path' and its format, from FORMAT or the extension", () => {
    expect(
      copyTargets(`CREATE TABLE t AS SELECT 1 AS a;
        COPY (SELECT * FROM t WHERE a IN (SELECT 1)) TO 'out.csv' (HEADER);
        copy t to 'data/t.parquet';
        COPY t TO 'x.txt' (FORMAT PARQUET, COMPRESSION zstd);
        COPY t TO 'y' WITH (FORMAT 'json')`),
    ).toEqual([
      { path: "out.csv", format: "csv" },
      { path: "data/t.parquet", format: "parquet" },
      { path: "x.txt", format: "parquet" },
      { path: "y", format: "json" },
    ]);
  });

  it("ignores COPY … FROM, COPY FROM DATABASE, and COPY in strings, comments and names", () => {
    expect(
      copyTargets(`COPY t FROM 'in.csv';
        COPY FROM DATABASE a TO b;
        SELECT 'COPY t TO ''x.csv''' AS s; -- COPY t TO 'y.csv'
        SELECT "copy" FROM t`),
    ).toEqual([]);
  });
});

/**
 * An engine whose SQL writes into memory, as the browser's does: COPY's files are kept in a map
 * that `takeFile` empties.
 */
function memoryEngine(): { engine: DuckEngine<never>; memory: Map<string, Uint8Array> } {
  const memory = new Map<string, Uint8Array>();
  const backend = {
    query: async (sql: string) => {
      if (sql.includes("fail")) throw new Error("Binder Error: it failed");
      for (const { path } of copyTargets(sql)) memory.set(path, new TextEncoder().encode("a\n1\n"));
      return tableFromArrays({ Count: [1] });
    },
    takeFile: async (path: string) => {
      const bytes = memory.get(path);
      memory.delete(path);
      return bytes;
    },
  } as Partial<Backend<never>> as Backend<never>;
  return { engine: new DuckEngine(backend), memory };
}

describe("DuckEngine.query() where SQL writes into memory", () => {
  it("hands each file a COPY wrote to `files`, and forgets it", async () => {
    const { engine, memory } = memoryEngine();
    const files: WrittenFile[] = [];
    await engine.query("COPY (SELECT 1 AS a) TO 'out.csv' (HEADER)", {
      files: (f) => files.push(f),
    });
    expect(files.map((f) => [f.path, new TextDecoder().decode(f.bytes)])).toEqual([
      ["out.csv", "a\n1\n"],
    ]);
    expect(memory.size).toBe(0);
    // Nobody asked for the file: it is forgotten all the same.
    await engine.query("COPY (SELECT 1 AS a) TO 'again.csv'");
    expect(memory.size).toBe(0);
  });

  it("refuses COPY to Parquet with one line that says why, before DuckDB runs it", async () => {
    const { engine, memory } = memoryEngine();
    const error = await engine
      .query("COPY (SELECT 1 AS a) TO 'out.parquet'")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toBe(
      "COPY to Parquet cannot run in the browser: DuckDB-WASM's Parquet writer is an extension it would fetch from the internet, and Strata stays offline; use Download Parquet under a result instead",
    );
    expect(memory.size).toBe(0);
  });

  it("forgets what a failed query wrote without handing it over", async () => {
    const { engine, memory } = memoryEngine();
    const files: WrittenFile[] = [];
    memory.set("half.csv", new Uint8Array([1]));
    await expect(
      engine.query("COPY (SELECT fail) TO 'half.csv'", { files: (f) => files.push(f) }),
    ).rejects.toThrow("it failed");
    expect(files).toEqual([]);
    expect(memory.size).toBe(0);
  });
});
