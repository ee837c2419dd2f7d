import { LoadError } from "./errors.ts";
import type { DataFormat } from "./types.ts";

const EXTENSIONS: Record<string, DataFormat> = {
  csv: "csv",
  txt: "csv",
  tsv: "tsv",
  tab: "tsv",
  parquet: "parquet",
  pq: "parquet",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
};

/** The file extensions the engine loads, without the dot. */
export const DATA_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);

/** Whether a file name has an extension the engine loads. */
export function isDataFile(fileName: string): boolean {
  const ext = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return ext !== undefined && ext in EXTENSIONS;
}

/** How many leading bytes `checkHead` needs to judge a file. */
export const HEAD_BYTES = 64 * 1024;

/** The format of a file, from its name; a name with no known extension is an error. */
export function formatOf(fileName: string): DataFormat {
  const ext = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  const format = ext === undefined ? undefined : EXTENSIONS[ext];
  if (format === undefined) {
    throw new LoadError(
      fileName,
      `unsupported file type${ext ? ` .${ext}` : ""} (expected .csv, .tsv, .parquet, .json or .ndjson)`,
    );
  }
  return format;
}

/** A SQL-friendly table name from a file name: `Orders 2024.csv` → `orders_2024`. */
export function tableNameFor(fileName: string): string {
  const base = fileName.replace(/^.*[/\\]/, "").replace(/\.[^.]*$/, "");
  const name = base
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (name === "") return "data";
  return /^[0-9]/.test(name) ? `t_${name}` : name;
}

/**
 * Reject files that cannot be what their name says before DuckDB sees them, so that the user
 * reads "not UTF-8 text, line 3" rather than a dialect-sniffing failure.
 * `head` is the first HEAD_BYTES (or fewer) bytes of a file of `size` bytes.
 */
export function checkHead(
  fileName: string,
  format: DataFormat,
  head: Uint8Array,
  size: number,
  encoding?: string,
) {
  if (size === 0) throw new LoadError(fileName, "the file is empty");
  if (format === "parquet") {
    if (!startsWith(head, PARQUET_MAGIC)) {
      throw new LoadError(fileName, "not a Parquet file (it does not start with PAR1)");
    }
    return;
  }
  const text = format === "csv" || format === "tsv";
  // UTF-16 text is read by the CSV reader, where its byte-order mark or the user says so.
  if (text && (encoding === "utf-16" || (encoding === undefined && utf16(head)))) return;
  const nul = head.indexOf(0);
  if (nul !== -1) {
    const what = utf16(head)
      ? "UTF-16 text, which Strata reads only as CSV"
      : "a binary file, not text";
    throw new LoadError(fileName, `looks like ${what}`, { line: lineAt(head, nul) });
  }
  if (text && encoding === "latin-1") return;
  const bad = invalidUtf8At(head, head.length < size);
  if (bad !== -1) {
    const hint = text
      ? "if it was saved as Latin-1 (Windows-1252), choose that encoding in its import options"
      : "save the file as UTF-8";
    throw new LoadError(fileName, `not valid UTF-8 text at byte ${bad + 1}; ${hint}`, {
      line: lineAt(head, bad),
    });
  }
  if (isBlank(head) && head.length === size)
    throw new LoadError(fileName, "the file has only blank lines");
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];

/**
 * A whole Parquet file ends as it starts, with PAR1, after its footer and the footer's length;
 * a file cut short does not. `tail` is the last 8 (or fewer) bytes of a file of `size` bytes.
 */
export function checkParquetTail(fileName: string, tail: Uint8Array, size: number): void {
  const damaged = (why: string) =>
    new LoadError(fileName, `the file is truncated or damaged: ${why}`);
  // PAR1, a footer of at least one byte, its length in 4 bytes, PAR1.
  if (size < 13 || tail.length < 8) throw damaged(`${size} bytes is too short for a Parquet file`);
  if (!startsWith(tail.subarray(4), PARQUET_MAGIC))
    throw damaged("it does not end with PAR1, as every whole Parquet file does");
  const footer = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (footer === 0 || footer > size - 12)
    throw damaged(
      `its footer claims ${footer.toLocaleString("en-US")} bytes of a ${size.toLocaleString("en-US")}-byte file`,
    );
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function utf16(head: Uint8Array): boolean {
  return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
}

/** 1-based line number of a byte offset. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every(
    (b) =>
      b === 0x20 ||
      b === 0x09 ||
      b === 0x0a ||
      b === 0x0d ||
      b === 0xef ||
      b === 0xbb ||
      b === 0xbf,
  );
}

/**
 * Offset of the first byte that breaks UTF-8, or -1. When the head is cut from a longer file,
 * a sequence cut off at the very end is not an error.
 */
function invalidUtf8At(bytes: Uint8Array, truncated: boolean): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need === -1) return i;
    if (i + need >= bytes.length) return truncated ? -1 : i;
    for (let k = 1; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}
