import type { Table } from "apache-arrow";
import type { Backend, FileLoad } from "./backend.ts";
import {
  REJECTS,
  clearRejects,
  diagnose,
  firstReject,
  keepRejected,
  MOST_REJECTED,
  rejectedRows,
  STORE_REJECTS,
  verify,
  wrongColumns,
} from "./checks.ts";
import {
  headerContinuation,
  labelRecord,
  preambleOf,
  sniffDialect,
  splitRecords,
  type Dialect,
  type Separator,
} from "./dialect.ts";
import { LoadError } from "./errors.ts";
import type { Encoding, ImportOptions, LoadReport } from "./options.ts";
import { retype } from "./retype.ts";
import {
  decideHeader,
  separatorOf,
  settings,
  sniff,
  type ReadOptions,
  type Sniffed,
} from "./sniff.ts";
import { ident, literal } from "./sql.ts";
import { toRows } from "./convert.ts";
import { loadWhitespace } from "./whitespace.ts";

/** What the CSV loader needs of the engine: the platform's backend and the engine's SQL runner. */
export interface CsvHost<S> {
  backend: Backend<S>;
  /** run one statement, wrapping DuckDB's errors; stopped when the load is */
  run(sql: string): Promise<Table>;
  /** run a statement that must run even once the load is stopped (ending the transaction) */
  settle(sql: string): Promise<Table>;
  /** the file's own read starts (true) or ends (false): its progress is the load's */
  reading?(on: boolean): void;
}

/** What loading a delimited file did: the report, and whether its first line named the columns. */
export type CsvLoaded = LoadReport & { header: boolean };

/**
 * Load a CSV, TSV or whitespace-separated .txt file into `load.table`.
 *
 * The layout is decided first: DuckDB's sniffer, checked against what the file's first bytes
 * show when read here (the separator, quoted fields, lines above the table, a header over
 * several lines); the user's options override both. Then DuckDB reads the file. A malformed
 * row — a stray quote, a field too many or too few, a value of the wrong type — is set aside
 * in `<table>_rejected` (line, column, reason, raw text) and the others load: loaded and
 * rejected rows add up to the file's records. More than 5 % rejected means the layout is
 * wrong: the file is read again leniently, and failing that the load fails, unless the user
 * set the layout. With `badRows: "fail"` the first malformed row fails the load. Text columns
 * that hold dates become dates. All in a transaction: a failed load leaves the table it would
 * replace.
 */
export async function loadCsv<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  options: ImportOptions = {},
): Promise<CsvLoaded> {
  const encoding = options.encoding ?? bomEncoding(load.head) ?? "utf-8";
  const text = decodeHead(load.head, encoding);
  const complete = load.head.length === load.size;
  const file = literal(load.virtualName);
  await host.backend.registerSource(load.virtualName, load.source);
  const only: Separator | undefined =
    options.delimiter ?? (load.format === "tsv" ? "\t" : undefined);
  const base: ReadOptions = {
    header: options.header,
    quote: options.quote,
    escape: options.escape,
    encoding: encoding === "utf-8" ? undefined : encoding,
  };
  // DuckDB's guess is only a preference here; where it fails, the sniff with the settings
  // decided below fails too and says why.
  const guess = only
    ? undefined
    : await sniff(host, file, { ...base, skip: options.skip }).catch(() => undefined);
  const dialect = sniffDialect(text, {
    complete,
    only,
    prefer: separatorOf(guess?.delimiter),
    whitespace: /\.txt$/i.test(load.fileName),
  });
  if (dialect?.separator === "whitespace") {
    if (encoding !== "utf-8")
      throw new LoadError(load.fileName, "whitespace-separated text must be UTF-8");
    return loadWhitespace(host, load, dialect, options);
  }

  const skip = options.skip ?? (dialect ? preambleOf(dialect).lines : 0);
  const read: ReadOptions = { ...base, delim: only, skip: skip > 0 ? skip : undefined };
  if (dialect && only === undefined) read.delim = dialect.separator;
  if (dialect?.quoted && options.quote === undefined) read.quote = '"';
  let sniffed: Sniffed;
  /** DuckDB's sniffer could not read the file: every column is read as text, then typed */
  let asText = false;
  try {
    sniffed = await sniff(host, file, read);
  } catch (error) {
    if (dialect === undefined || options.badRows === "fail")
      throw (await diagnose(host, load, dialect, read)) ?? error;
    // A value that opens a quote and never closes it runs to the end of the file: DuckDB's
    // sniffer gives up on the whole file. The rows can still be read, as text.
    sniffed = textLayout(dialect, read, skip);
    asText = true;
  }
  const expected = {
    columns: dialect?.columns ?? sniffed.names.length,
    separator: dialect?.separator,
  };
  if (sniffed.names.length !== expected.columns) {
    throw (
      (await diagnose(host, load, dialect, read)) ??
      wrongColumns(load, sniffed.names.length, { ...expected, dataLines: 0 })
    );
  }
  const split = dialect ?? splitRecords(text, separatorOf(sniffed.delimiter) ?? ",", complete);
  const at = split.starts.findIndex((line) => line >= skip);
  const records = at === -1 ? [] : split.records.slice(at);
  const first = decideHeader(options.header, sniffed, records);
  if (asText) sniffed.names = first ? columnNames(records[0]!) : sniffed.names;
  const more = first ? headerContinuation(records, 0) : 0;
  const notes: string[] = [];
  const used: ImportOptions = {
    delimiter: sniffed.delimiter,
    header: first,
    quote: sniffed.quote,
    escape: sniffed.escape,
    skip: sniffed.skip,
    encoding,
  };
  let layout: ReadOptions = {
    ...read,
    delim: sniffed.delimiter,
    quote: sniffed.quote,
    escape: sniffed.escape,
    header: first,
  };
  if (more > 0) {
    // A header over several lines: its first line names the columns, the rest is passed over.
    const dataLine = split.starts[at + 1 + more];
    layout = { ...layout, header: false, skip: dataLine, names: columnNames(records[0]!) };
    notes.push(
      `the header takes ${more + 1} lines; the columns are named by the first, ${plural(more, "line")} under it passed over`,
    );
  }
  if (skip > 0 && options.skip === undefined)
    notes.push(`${plural(skip, "line")} above the table passed over`);
  const typed = new Set(Object.keys(options.types ?? {}));
  const formats = { dateformat: options.dateFormat, timestampformat: options.timestampFormat };

  await clearRejects(host);
  await host.settle("BEGIN TRANSACTION");
  try {
    const readAs = (l: ReadOptions) => {
      // Read as text, the columns are named and typed here, not sniffed.
      const text = asText ? textColumns(l.names ?? sniffed.names) : "";
      const settled = asText ? { ...l, names: undefined } : l;
      return host.run(
        `CREATE OR REPLACE TABLE ${ident(load.table)} AS SELECT * FROM read_csv(${file}${settings(settled)}${text}${typesArgument(options.types)}${formatArguments(formats)}, ${STORE_REJECTS})`,
      );
    };
    host.reading?.(true);
    await readAs(layout);
    host.reading?.(false);
    // Text that is not in the encoding means the whole file is in another: no row is kept.
    const rejected = await firstReject(host, load, {
      encoding,
      encodingOnly: options.badRows !== "fail",
    });
    if (rejected) throw rejected;
    let counted = await rejectedRows(host, load.table);
    const chosen = options.delimiter !== undefined || options.quote !== undefined;
    if (tooMany(counted) && !chosen && !asText) {
      // Many rows do not fit: another layout may fit them. DuckDB sniffs leniently; the
      // layout that rejects fewer rows wins.
      const lenient = await sniff(host, file, { ...base, skip: layout.skip }, true).catch(
        () => undefined,
      );
      if (lenient && (lenient.delimiter !== layout.delim || lenient.quote !== layout.quote)) {
        const other = {
          ...layout,
          delim: lenient.delimiter,
          quote: lenient.quote,
          escape: lenient.escape,
        };
        await clearRejects(host);
        await readAs(other);
        const again = await rejectedRows(host, load.table);
        if (again.rejected < counted.rejected) {
          counted = again;
          Object.assign(used, { delimiter: other.delim, quote: other.quote, escape: other.escape });
          notes.push(`read leniently, as ${describeLayout(other)}`);
        } else {
          await clearRejects(host);
          await readAs(layout);
        }
      }
      if (tooMany(counted)) {
        const firstBad = await firstReject(host, load, { encoding });
        const share = Math.round((100 * counted.rejected) / (counted.rejected + counted.loaded));
        throw new LoadError(
          load.fileName,
          `${firstBad?.reason.replace(/ \(.*\)$/, "") ?? "unreadable row"}; ${counted.rejected} of ${counted.rejected + counted.loaded} rows (${share} %) do not fit ${describeLayout(layout)}: set the separator and quote in the import options; nothing was loaded`,
          { line: firstBad?.line },
        );
      }
    }
    if (asText && counted.rejected > 0) {
      const rescued = await rescueSwallowed(host, load, sniffed, dialect!);
      counted = { ...counted, loaded: counted.loaded + rescued };
    }
    let rejectedTable: string | undefined;
    if (counted.rejected > 0) rejectedTable = await keepRejected(host, load, encoding);
    else await host.run(`DROP TABLE IF EXISTS ${ident(`${load.table}_rejected`)}`);
    const dataLines = records.length - (first ? 1 + more : 0);
    await verify(host, load, { ...expected, dataLines: counted.rejected === 0 ? dataLines : 0 });
    const changed = await retype(host, load.table, options, typed, asText);
    if (asText)
      notes.push(
        "DuckDB could not guess the column types (a quote opened and never closed); the columns were read as text and typed by their values",
      );
    if (changed.replace !== "")
      await host.run(
        `CREATE OR REPLACE TABLE ${ident(load.table)} AS SELECT *${changed.replace} FROM ${ident(load.table)}`,
      );
    await host.settle("COMMIT");
    return {
      header: first,
      used: { ...used, ...formatsUsed(sniffed, options) },
      rejected: counted.rejected,
      rejectedTable,
      converted: changed.converted,
      notes: [...notes, ...changed.notes],
    };
  } catch (error) {
    await host.settle("ROLLBACK");
    throw error;
  }
}

function tooMany(counted: { loaded: number; rejected: number }): boolean {
  return counted.rejected > MOST_REJECTED * (counted.loaded + counted.rejected);
}

/** `';'-separated, quoted with '"'`: the layout in words, for notes and errors. */
export function describeLayout(read: ReadOptions): string {
  const by =
    read.delim === "\t" ? "tab" : read.delim === undefined ? "detected" : `'${read.delim}'`;
  const quote = read.quote ? `quoted with '${read.quote}'` : "no quotes";
  return `${by}-separated, ${quote}`;
}

/** The date formats the file was read with: the user's, or those DuckDB found. */
function formatsUsed(sniffed: Sniffed, options: ImportOptions): ImportOptions {
  const out: ImportOptions = {};
  const date = options.dateFormat ?? sniffed.dateFormat;
  const timestamp = options.timestampFormat ?? sniffed.timestampFormat;
  if (date) out.dateFormat = date;
  if (timestamp) out.timestampFormat = timestamp;
  return out;
}

/**
 * The layout when DuckDB's sniffer cannot read the file: the one read here, every column text;
 * the header is judged from the values (`decideHeader`), numbers over labels when unsure.
 */
function textLayout(dialect: Dialect, read: ReadOptions, skip: number): Sniffed {
  const quote = read.quote ?? (dialect.quoted ? '"' : "");
  const at = dialect.starts.findIndex((line) => line >= skip);
  const records = at === -1 ? [] : dialect.records.slice(at);
  return {
    delimiter: read.delim ?? dialect.separator,
    quote,
    escape: read.escape ?? quote,
    header: records.length > 1 && labelRecord(records),
    skip,
    names: Array.from({ length: dialect.columns }, (_, i) => `column${i}`),
    types: Array.from({ length: dialect.columns }, () => "VARCHAR"),
    dateFormat: undefined,
    timestampFormat: undefined,
  };
}

/**
 * A value that opens a quote and never closes it swallows the lines after it, up to the next
 * quote, into one rejected record. Read as text, the lines it swallowed that split into the
 * table's columns are rows of their own: they are added to the table, and the rejected record
 * keeps only its first line. Returns how many rows were added.
 */
async function rescueSwallowed<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  layout: Sniffed,
  dialect: Dialect,
): Promise<number> {
  const swallowed = toRows(
    await host.run(
      `SELECT DISTINCT line_byte_position AS at, csv_line AS raw FROM ${REJECTS} WHERE error_type IN ('UNTERMINATED QUOTE', 'UNQUOTED VALUE') AND contains(csv_line, chr(10))`,
    ),
  );
  let added = 0;
  for (const [k, row] of swallowed.entries()) {
    const [head = "", ...rest] = String(row.raw).split(/\r?\n/);
    const lines = rest.filter((line) => {
      const split = splitRecords(line, layout.delimiter, true);
      return split.records.length === 1 && split.records[0]!.length === dialect.columns;
    });
    if (lines.length === 0) continue;
    const name = `${load.virtualName}.rescued.${k}`;
    await host.backend.registerBytes(name, new TextEncoder().encode(lines.join("\n") + "\n"));
    try {
      const names = toRows(
        await host.run(
          `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(load.table)} ORDER BY column_index`,
        ),
      ).map((r) => String(r.column_name));
      const read = settings({
        delim: layout.delimiter,
        quote: layout.quote,
        escape: layout.escape,
        header: false,
      });
      await host.run(
        `INSERT INTO ${ident(load.table)} SELECT * FROM read_csv(${literal(name)}${read}${textColumns(names)})`,
      );
      await host.run(
        `UPDATE ${REJECTS} SET csv_line = ${literal(head)} WHERE line_byte_position = ${Number(row.at)}`,
      );
      added += lines.length;
    } finally {
      await host.backend.dropFile(name);
    }
  }
  return added;
}

/** `read_csv`'s arguments that read every column as text, by these names. */
function textColumns(names: string[]): string {
  const columns = names.map((n) => `${literal(n)}: 'VARCHAR'`).join(", ");
  return `, auto_detect = false, columns = {${columns}}`;
}

/** Column names from a header record: trimmed, empty ones numbered, repeats told apart. */
function columnNames(record: string[]): string[] {
  const seen = new Map<string, number>();
  return record.map((value, i) => {
    const name = value.trim() === "" ? `column${i}` : value.trim();
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return n === 0 ? name : `${name}_${n}`;
  });
}

/** `read_csv`'s `types` argument for the user's column types. */
function typesArgument(types: Record<string, string> | undefined): string {
  const entries = Object.entries(types ?? {});
  if (entries.length === 0) return "";
  return `, types = {${entries.map(([c, t]) => `${literal(c)}: ${literal(t)}`).join(", ")}}`;
}

function formatArguments(formats: { dateformat?: string; timestampformat?: string }): string {
  let sql = "";
  for (const [key, value] of Object.entries(formats))
    if (value !== undefined) sql += `, ${key} = ${literal(value)}`;
  return sql;
}

/** The encoding a byte-order mark announces, if any (UTF-8's mark says nothing new). */
export function bomEncoding(head: Uint8Array): Encoding | undefined {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    return "utf-16";
  return undefined;
}

/** The first bytes of a file as text, in its encoding, without a byte-order mark. */
export function decodeHead(head: Uint8Array, encoding: Encoding): string {
  const label =
    encoding === "latin-1"
      ? "windows-1252"
      : encoding === "utf-16"
        ? head[0] === 0xfe
          ? "utf-16be"
          : "utf-16le"
        : "utf-8";
  return new TextDecoder(label).decode(head).replace(/^\ufeff/, "");
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export type { Dialect };
