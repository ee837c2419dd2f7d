import { toRows } from "./convert.ts";
import type { FileLoad } from "./backend.ts";
import type { CsvHost } from "./csv.ts";
import type { Dialect } from "./dialect.ts";
import { LoadError } from "./errors.ts";
import type { Encoding } from "./options.ts";
import { settings, type ReadOptions } from "./sniff.ts";
import { ident, literal } from "./sql.ts";

/** The table DuckDB sets malformed rows aside in, while a load lasts. */
export const REJECTS = "__strata_rejects";
const SCANS = "__strata_scans";
/** `read_csv` arguments that set malformed rows aside for `firstReject` instead of failing. */
export const STORE_REJECTS = `store_rejects = true, rejects_table = '${REJECTS}', rejects_scan = '${SCANS}'`;
/** Above this share of rejected rows, the file is not what its layout was taken to be. */
export const MOST_REJECTED = 0.05;
/** How much of a file is read into memory at once. */
export const CHUNK = 8 * 1024 * 1024;

/** Forget the malformed rows of an earlier read. */
export async function clearRejects<S>(host: CsvHost<S>): Promise<void> {
  await host.run(`DROP TABLE IF EXISTS ${REJECTS}`);
  await host.run(`DROP TABLE IF EXISTS ${SCANS}`);
}

/**
 * The first malformed row DuckDB set aside, as a LoadError on the line where it starts. DuckDB's
 * `line` counts records, not lines, once a quoted value spans lines, and its error messages
 * number lines within a buffer; the row's byte position does not drift, so the line is counted
 * from the bytes. `chunk` is the text a whitespace file's rows were read from, and the number
 * of lines before it.
 */
export async function firstReject<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  {
    encoding = "utf-8",
    chunk,
    encodingOnly = false,
  }: {
    encoding?: Encoding;
    chunk?: { bytes: Uint8Array; lines: number };
    /** only a row that is not text in the encoding (which means the file is in another) */
    encodingOnly?: boolean;
  } = {},
): Promise<LoadError | undefined> {
  const where = encodingOnly ? "WHERE error_type IN ('INVALID UNICODE', 'INVALID ENCODING')" : "";
  const [row] = toRows(
    await host.run(
      `SELECT line_byte_position AS at, line AS record, error_type, error_message, count(DISTINCT line_byte_position) OVER () AS rejected FROM ${REJECTS} ${where} ORDER BY line_byte_position LIMIT 1`,
    ),
  );
  if (row === undefined) return undefined;
  // DuckDB gives the offset of a row's first byte or the one after it: either counts the same
  // line ends before it. In another encoding than UTF-8 its offsets are not the file's: its
  // own count of lines is what there is.
  const at = Number(row.at);
  const line = chunk
    ? chunk.lines + countLines(chunk.bytes, at) + 1
    : encoding === "utf-8"
      ? await lineAt(host, load, at)
      : Number(row.record);
  const n = Number(row.rejected);
  return new LoadError(
    load.fileName,
    `${csvReason(String(row.error_type), String(row.error_message))} (${plural(n, "malformed row")}; nothing was loaded)`,
    { line },
  );
}

/**
 * Why DuckDB's reading disagrees with what the file's first bytes show: read it again with the
 * layout fixed and every column text, so that only the layout can fail, and name the first row
 * that breaks it. DuckDB's sniffer, faced with such a row, settles for another layout (no
 * quotes, one column) and the rows it then rejects are not the one at fault.
 */
export async function diagnose<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  dialect: Dialect | undefined,
  given: ReadOptions = {},
): Promise<LoadError | undefined> {
  if (dialect === undefined || dialect.separator === "whitespace") return undefined;
  const quote = given.quote ?? (dialect.quoted ? '"' : "");
  const columns = Array.from({ length: dialect.columns }, (_, i) => `'c${i}': 'VARCHAR'`);
  const { skip, encoding } = given;
  const read = settings({
    delim: dialect.separator,
    quote,
    escape: quote,
    header: false,
    skip,
    encoding,
  });
  await clearRejects(host);
  await host.run(
    `SELECT count(*) FROM read_csv(${literal(load.virtualName)}, auto_detect = false${read}, columns = {${columns.join(", ")}}, ${STORE_REJECTS})`,
  );
  return firstReject(host, load, { encoding: (encoding ?? "utf-8") as Encoding });
}

/** How many rows the read loaded into `table` and how many it set aside. */
export async function rejectedRows<S>(
  host: CsvHost<S>,
  table: string,
): Promise<{ loaded: number; rejected: number }> {
  const [row] = toRows(
    await host.run(
      `SELECT (SELECT count(*) FROM ${ident(table)}) AS loaded, (SELECT count(DISTINCT line_byte_position) FROM ${REJECTS}) AS rejected`,
    ),
  );
  return { loaded: Number(row?.loaded), rejected: Number(row?.rejected) };
}

/** The longest raw text of a rejected row that is kept. */
const RAW_LIMIT = 2000;

/**
 * Keep the rows the read set aside as table `<table>_rejected`, one row per rejected record:
 * its line in the file, the column at fault (where there is one), the reason and the raw text.
 * Returns the table's name.
 */
export async function keepRejected<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  encoding: Encoding,
): Promise<string> {
  const name = `${load.table}_rejected`;
  await host.run(`CREATE OR REPLACE TABLE ${ident(name)} (${REJECTED_COLUMNS})`);
  await appendRejected(host, name, await rejectedRecords(host, load, encoding));
  return name;
}

/** The columns of a `<table>_rejected` table. */
export const REJECTED_COLUMNS = 'line BIGINT, "column" VARCHAR, reason VARCHAR, raw VARCHAR';

/** One rejected record, as `<table>_rejected` keeps it. */
export interface Rejected {
  line: number;
  column: string | null;
  reason: string;
  raw: string | null;
}

/**
 * The records the last read set aside, one each (a record with several faults keeps its first
 * column's), with their lines: counted from byte offsets in UTF-8 (`chunk` is the text they
 * were read from, and the lines before it), else DuckDB's count.
 */
export async function rejectedRecords<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  encoding: Encoding,
  chunk?: { bytes: Uint8Array; lines: number },
): Promise<Rejected[]> {
  const rows = toRows(
    await host.run(
      `SELECT line_byte_position AS at, min(line) AS record, arg_min(column_name, column_idx) AS col, arg_min(error_type, column_idx) AS type, arg_min(error_message, column_idx) AS message, arg_min(csv_line, column_idx) AS raw FROM ${REJECTS} GROUP BY line_byte_position ORDER BY line_byte_position`,
    ),
  );
  const offsets = rows.map((r) => Number(r.at));
  const lines = chunk
    ? offsets.map((at) => chunk.lines + countLines(chunk.bytes, at) + 1)
    : encoding === "utf-8"
      ? await linesAt(host, load, offsets)
      : rows.map((r) => Number(r.record));
  return rows.map((r, i) => ({
    line: lines[i]!,
    column: r.col === null ? null : String(r.col),
    reason: csvReason(String(r.type), String(r.message)),
    raw: r.raw === null ? null : String(r.raw).slice(0, RAW_LIMIT),
  }));
}

/** Add rejected records to table `name`, 500 to a statement. */
export async function appendRejected<S>(
  host: CsvHost<S>,
  name: string,
  records: readonly Rejected[],
): Promise<void> {
  const text = (v: string | null) => (v === null ? "NULL" : literal(v));
  for (let start = 0; start < records.length; start += 500) {
    const values = records
      .slice(start, start + 500)
      .map((r) => `(${r.line}, ${text(r.column)}, ${text(r.reason)}, ${text(r.raw)})`);
    await host.run(`INSERT INTO ${ident(name)} VALUES ${values.join(", ")}`);
  }
}

/** The 1-based lines of ascending byte offsets, reading the file once up to the last. */
async function linesAt<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  offsets: number[],
): Promise<number[]> {
  const lines: number[] = [];
  let counted = 0;
  let k = 0;
  const last = offsets[offsets.length - 1] ?? 0;
  for (let start = 0; start <= last && k < offsets.length; start += CHUNK) {
    const end = Math.min(load.size, start + CHUNK);
    const bytes =
      end <= load.head.length
        ? load.head.subarray(start, end)
        : await host.backend.read(load.source, start, end);
    let from = 0;
    while (k < offsets.length && offsets[k]! < start + bytes.length) {
      counted += countLines(bytes.subarray(from), offsets[k]! - start - from);
      from = offsets[k]! - start;
      lines.push(counted + 1);
      k++;
    }
    counted += countLines(bytes.subarray(from), bytes.length - from);
    if (bytes.length === 0) break;
  }
  while (lines.length < offsets.length) lines.push(counted + 1);
  return lines;
}

/** The 1-based line of a byte offset, reading the file a chunk at a time past the head. */
async function lineAt<S>(host: CsvHost<S>, load: FileLoad<S>, offset: number): Promise<number> {
  if (offset <= load.head.length) return countLines(load.head, offset) + 1;
  let lines = 0;
  for (let start = 0; start < offset; start += CHUNK) {
    const bytes = await host.backend.read(load.source, start, Math.min(offset, start + CHUNK));
    lines += countLines(bytes, bytes.length);
  }
  return lines + 1;
}

/** How many line feeds `bytes` holds before `end`. */
export function countLines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** What a table read from a delimited file must look like before it replaces anything. */
export interface Expected {
  /** the field count the file's lines have */
  columns: number;
  /** the separator they were split on, to name in the error */
  separator?: Dialect["separator"];
  /** how many non-blank records of data the file's first bytes hold */
  dataLines: number;
}

/**
 * Check the loaded table against the file: the columns its lines have, and rows when it has
 * lines of data. A reader that lost the file (as DuckDB-WASM did after a failed 2.4 GB load)
 * gives one empty column and no rows, and no error.
 */
export async function verify<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  expected: Expected,
): Promise<void> {
  const names = toRows(
    await host.run(
      `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(load.table)} ORDER BY column_index`,
    ),
  ).map((r) => String(r.column_name));
  if (names.length !== expected.columns) throw wrongColumns(load, names.length, expected);
  const filled = names.length === 1 ? `, count(${ident(names[0]!)}) AS filled` : "";
  const [row] = toRows(await host.run(`SELECT count(*) AS n${filled} FROM ${ident(load.table)}`));
  const rows = Number(row?.n);
  if (expected.dataLines <= 0) return;
  if (rows === 0) {
    throw new LoadError(
      load.fileName,
      "read 0 rows from a file with rows of data; nothing was loaded",
    );
  }
  if (row?.filled === 0) {
    throw new LoadError(
      load.fileName,
      "read one empty column from lines that are not empty; nothing was loaded",
    );
  }
}

/** DuckDB read another number of columns than the file's lines have. */
export function wrongColumns<S>(load: FileLoad<S>, found: number, expected: Expected): LoadError {
  const { separator } = expected;
  const by =
    separator === undefined
      ? ""
      : ` separated by ${separator === "\t" ? "tabs" : separator === "whitespace" ? "blanks" : `'${separator}'`}`;
  return new LoadError(
    load.fileName,
    `read ${plural(found, "column")}, but the lines have ${plural(expected.columns, "field")}${by}; nothing was loaded`,
  );
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** One line of reason for a malformed row, from the kind DuckDB gives it. */
export function csvReason(type: string, message: string): string {
  switch (type) {
    case "INVALID UNICODE":
    case "INVALID ENCODING":
      return "not valid UTF-8 text; if the file was saved as Latin-1 (Windows-1252), choose that encoding in its import options";
    case "UNQUOTED VALUE":
    case "UNTERMINATED QUOTE":
      return `badly quoted value (${message.replace(/\.$/, "").replace(/^\w/, (c) => c.toLowerCase())})`;
    default:
      return message
        .replace(/^Expected Number of Columns: (\d+) Found: (\d+)/, "expected $1 columns, found $2")
        .replace(/\.$/, "");
  }
}
