import { toRows, type Value } from "./convert.ts";
import type { CsvHost } from "./csv.ts";
import { headerEvidence, type Separator } from "./dialect.ts";
import { literal } from "./sql.ts";

/** The reader settings the loader fixes itself rather than leave to DuckDB's sniffer. */
export interface ReadOptions {
  delim?: string;
  quote?: string;
  escape?: string;
  header?: boolean;
  /** lines to pass over before the header (or the first row) */
  skip?: number;
  /** a text encoding other than UTF-8 */
  encoding?: string;
  /** the column names, where they are not read from the file */
  names?: string[];
}

/** What DuckDB's `sniff_csv` made of a file. */
export interface Sniffed {
  /** the separator, one character */
  delimiter: string;
  /** the quote character, or "" for none */
  quote: string;
  /** the escape character, or "" for none */
  escape: string;
  /** whether the first line holds column names */
  header: boolean;
  /** lines skipped before the first record */
  skip: number;
  /** the column names, in order */
  names: string[];
  /** the DuckDB type of each column */
  types: string[];
  /** the strptime formats of DATE and TIMESTAMP columns, where DuckDB found them */
  dateFormat: string | undefined;
  timestampFormat: string | undefined;
}

/** Ask DuckDB's sniffer about `file` (a SQL literal), with the settings already decided. */
export async function sniff<S>(
  host: CsvHost<S>,
  file: string,
  read: ReadOptions,
  lenient = false,
): Promise<Sniffed> {
  const relax = lenient ? ", strict_mode = false, null_padding = true" : "";
  const [row] = toRows(
    await host.run(
      `SELECT Delimiter, Quote, Escape, HasHeader, SkipRows, [c.name FOR c IN Columns] AS names, [c.type FOR c IN Columns] AS types, DateFormat, TimestampFormat FROM sniff_csv(${file}${settings(read)}, ignore_errors = true${relax})`,
    ),
  );
  if (row === undefined) throw new Error(`sniff_csv gave no row for ${file}`);
  const text = (v: Value) => (v === null || v === "(empty)" ? "" : String(v));
  const list = (v: Value) => (Array.isArray(v) ? v.map(String) : []);
  return {
    delimiter: text(row.Delimiter),
    quote: text(row.Quote),
    escape: text(row.Escape),
    header: row.HasHeader === true,
    skip: Number(row.SkipRows),
    names: list(row.names),
    types: list(row.types),
    dateFormat: row.DateFormat === null ? undefined : String(row.DateFormat),
    timestampFormat: row.TimestampFormat === null ? undefined : String(row.TimestampFormat),
  };
}

/** `read_csv`'s columns and formats as sniffed, for reading without sniffing again. */
export function sniffedColumns(sniffed: Sniffed): string {
  const columns = sniffed.names.map((name, i) => `${literal(name)}: ${literal(sniffed.types[i]!)}`);
  let sql = `, columns = {${columns.join(", ")}}`;
  if (sniffed.dateFormat !== undefined) sql += `, dateformat = ${literal(sniffed.dateFormat)}`;
  if (sniffed.timestampFormat !== undefined)
    sql += `, timestampformat = ${literal(sniffed.timestampFormat)}`;
  return sql;
}

/** The settings as `read_csv` and `sniff_csv` arguments, each after a comma. */
export function settings(read: ReadOptions): string {
  let sql = "";
  if (read.delim !== undefined) sql += `, delim = ${literal(read.delim)}`;
  if (read.quote !== undefined) sql += `, quote = ${literal(read.quote)}`;
  if (read.escape !== undefined) sql += `, escape = ${literal(read.escape)}`;
  if (read.header !== undefined) sql += `, header = ${read.header}`;
  if (read.skip !== undefined) sql += `, skip = ${read.skip}`;
  if (read.encoding !== undefined) sql += `, encoding = ${literal(read.encoding)}`;
  if (read.names !== undefined) sql += `, names = [${read.names.map(literal).join(", ")}]`;
  return sql;
}

export function separatorOf(delimiter: string | undefined): Separator | undefined {
  return delimiter === "," || delimiter === "\t" || delimiter === ";" || delimiter === "|"
    ? delimiter
    : undefined;
}

/**
 * Whether the first line is read as column names: the user's choice; else, where every column
 * is text (DuckDB judges a header by types, and text has none), the values' evidence; else
 * DuckDB's.
 */
export function decideHeader(
  header: boolean | undefined,
  sniffed: Sniffed,
  records: string[][],
): boolean {
  if (header !== undefined) return header;
  const allText = sniffed.types.every((t) => t === "VARCHAR");
  return (allText ? headerEvidence(records) : undefined) ?? sniffed.header;
}
