import type { WrittenFile } from "../engine/index.ts";
import { isTableLike, tableFormatOf, TABLE_FORMATS, type Download } from "../output/index.ts";

/**
 * `download(table, "name.csv")` in a TS cell: a download button for the table, in the format
 * the name's extension says (`.csv`, `.tsv`, `.parquet`). The button saves the file when the
 * user clicks it, never before; `table` is a table value, or the name of a table in DuckDB
 * (read from there exactly).
 */
export function download(table: unknown, fileName: unknown): Download {
  if (typeof fileName !== "string" || fileName.trim() === "" || /[/\\]/.test(fileName))
    throw new Error('invalid file name: expected a name such as "segments.csv", without a folder');
  if (tableFormatOf(fileName) === undefined)
    throw new Error(
      `invalid file name ${fileName}: expected it to end in ${Object.keys(TABLE_FORMATS).join(", ")}`,
    );
  if (typeof table === "string")
    return { kind: "download", fileName, content: { relation: table } };
  if (!isTableLike(table))
    throw new Error(
      "invalid table: expected a table name, an Arrow or Arquero table, or an array of records",
    );
  return { kind: "download", fileName, content: { table } };
}

/** A file SQL wrote into the engine's memory (the browser's `COPY … TO`), as a download button. */
export function fileDownload(file: WrittenFile): Download {
  const fileName = file.path.split(/[/\\]/).pop() || "copy.csv";
  return { kind: "download", fileName, content: { bytes: file.bytes } };
}
