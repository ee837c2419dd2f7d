import type { TableLike } from "./values.ts";

/**
 * A download button in a cell's output: `download(table, "name.csv")` in a TS cell, or the file
 * a SQL cell's `COPY … TO` wrote in the browser. Nothing is saved until the user clicks it (a
 * colleague's notebook must not drop files on its own); where there is no one to click (`strata
 * run`, reports), it shows as a note.
 */
export interface Download {
  kind: "download";
  /** the file's name, its extension saying its format (`.csv`, `.tsv`, `.parquet`, …) */
  fileName: string;
  /** a table, written in that format when clicked (a name: that table in DuckDB); or the file's bytes */
  content: { table: TableLike } | { relation: string } | { bytes: Uint8Array };
}

/** The formats a table can be downloaded in, by file extension. */
export const TABLE_FORMATS = { ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet" } as const;
export type TableFormat = (typeof TABLE_FORMATS)[keyof typeof TABLE_FORMATS];

export function isDownload(value: unknown): value is Download {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as { kind?: unknown }).kind === "download" &&
    typeof (value as { fileName?: unknown }).fileName === "string" &&
    typeof (value as { content?: unknown }).content === "object"
  );
}

/** The format a table is written in for a file name, or undefined when its extension is not one. */
export function tableFormatOf(fileName: string): TableFormat | undefined {
  const ext = /\.[^.]+$/.exec(fileName)?.[0]?.toLowerCase();
  return ext !== undefined && ext in TABLE_FORMATS
    ? TABLE_FORMATS[ext as keyof typeof TABLE_FORMATS]
    : undefined;
}

/** A download as reports and JSON show it: its file name, and how many rows or bytes. */
export function downloadSummary(download: Download): {
  download: string;
  rows?: number;
  table?: string;
  bytes?: number;
} {
  const { content, fileName } = download;
  if ("bytes" in content) return { download: fileName, bytes: content.bytes.byteLength };
  if ("relation" in content) return { download: fileName, table: content.relation };
  return { download: fileName, rows: rowsOf(content.table) };
}

function rowsOf(table: TableLike): number {
  if (Array.isArray(table)) return table.length;
  return typeof table.numRows === "function" ? table.numRows() : table.numRows;
}
