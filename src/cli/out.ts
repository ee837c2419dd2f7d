import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Table, tableFromIPC } from "apache-arrow";
import * as parquet from "parquet-wasm";
import { exactTable, type Engine } from "../engine/index.ts";
import { delimitedChunks } from "../output/delimited.ts";
import { isTableLike, type TableLike } from "../output/index.ts";
import { parquetBytes } from "../output/parquet.ts";
import type { CellResult } from "../runtime/index.ts";
import { toIPC } from "../runtime/ipc.ts";

/** The file formats `--out` writes. */
export const OUT_FORMATS = ["parquet", "csv", "tsv"] as const;
export type OutFormat = (typeof OUT_FORMATS)[number];

/** Where `--out` writes, and in which formats. */
export interface OutOptions {
  dir: string;
  formats: readonly OutFormat[];
}

/**
 * `--format csv,parquet` as a list of formats; an unknown one is an error naming the known ones.
 */
export function parseFormats(text: string): OutFormat[] {
  const formats = text.split(",").map((f) => f.trim().toLowerCase());
  for (const format of formats)
    if (!(OUT_FORMATS as readonly string[]).includes(format))
      throw new Error(`unknown --format ${format} (expected ${OUT_FORMATS.join(", ")})`);
  return [...new Set(formats as OutFormat[])];
}

/**
 * Write each named cell whose value is a table to `dir` as `<name>.<format>`; returns the
 * paths written. The runner calls it before it closes the engine: a SQL cell's table is read
 * from DuckDB again, exactly (BIGINT beyond 2^53, microseconds), while a TS cell's value is
 * written as it is. The files are written from JavaScript, so DuckDB's external access can stay
 * off.
 */
export async function writeTables(
  engine: Engine<unknown>,
  cells: readonly CellResult[],
  options: OutOptions,
): Promise<string[]> {
  await mkdir(options.dir, { recursive: true });
  const written: string[] = [];
  for (const cell of cells) {
    if (cell.status !== "done" || cell.name === undefined || !isTableLike(cell.value)) continue;
    const table = await tableOf(engine, cell.name, cell.kind, cell.value);
    for (const format of options.formats) {
      const path = join(options.dir, `${cell.name}.${format}`);
      await writeFile(path, fileContent(table, format));
      written.push(path);
    }
  }
  return written;
}

/**
 * A cell's table as it is written: a SQL cell's read again from DuckDB, exactly — or, when a
 * later cell dropped that table, its value as the cell left it.
 */
async function tableOf(
  engine: Engine<unknown>,
  name: string,
  kind: "sql" | "ts",
  value: TableLike,
): Promise<Table> {
  if (kind === "sql") {
    const exact = await exactTable(engine, name).catch(() => undefined);
    if (exact) return exact;
  }
  return value instanceof Table ? value : tableFromIPC(toIPC(value));
}

/** A table as a file's content: text in chunks, or Parquet's bytes. */
function fileContent(table: Table, format: OutFormat): Iterable<string> | Uint8Array {
  switch (format) {
    case "parquet":
      return parquetBytes(table, parquet);
    case "csv":
      return delimitedChunks(table, ",");
    case "tsv":
      return delimitedChunks(table, "\t");
  }
}
