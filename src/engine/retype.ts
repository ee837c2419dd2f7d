import { toRows } from "./convert.ts";
import type { CsvHost } from "./csv.ts";
import type { Converted, ImportOptions } from "./options.ts";
import { ident, literal } from "./sql.ts";

/** The columns to change: as a `SELECT * REPLACE (…)` list, and one by one. */
export interface Retyped {
  replace: string;
  /** each column's new type and the expression that computes it from the old */
  columns: { column: string; type: string; expr: string }[];
  converted: Converted[];
  notes: string[];
}

/** How many values of a column are looked at before the whole column is checked. */
const SAMPLE = 500;

/** A way a column of text (or of 8-digit numbers) can hold dates. */
interface Candidate {
  type: "DATE" | "TIMESTAMP" | "BIGINT" | "DOUBLE" | "BOOLEAN";
  /** a strptime format, or undefined where DuckDB's own CAST reads it (ISO 8601) */
  format?: string;
}

/**
 * The column types a loaded table should have that its reader did not give it, as a
 * `SELECT * REPLACE (…)` list over `source`, and what changed:
 *
 * - the user's `types` (`{ zip: "VARCHAR" }`): a value that cannot be read so fails the load;
 * - dates and timestamps held as text (`12/1/2010 8:26`, `2009-12-01 07:45:00`, `01.12.2010`)
 *   or as 8-digit numbers (`19970101`), detected: a column changes only when every value reads
 *   with one format, checked over the whole table, so that no value is lost. Day and month are
 *   told apart by a value over 12; where none is, month first (US exports), and the note says so.
 *
 * `typed` are columns whose type the reader already took from the user (CSV): left alone.
 * With `infer`, text columns of numbers and booleans become numbers and booleans too (a file
 * read as text because DuckDB's sniffer could not read it).
 */
export async function retype<S>(
  host: Pick<CsvHost<S>, "run">,
  source: string,
  options: ImportOptions,
  typed: ReadonlySet<string> = new Set(),
  infer = false,
): Promise<Retyped> {
  const columns = toRows(
    await host.run(
      `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(source)} ORDER BY column_index`,
    ),
  ).map((r) => ({ name: String(r.name), type: String(r.type) }));
  const exprs: Retyped["columns"] = [];
  const converted: Converted[] = [];
  const notes: string[] = [];
  const given = options.types ?? {};
  for (const [name, type] of Object.entries(given)) {
    const column = columns.find((c) => c.name === name);
    if (column === undefined)
      throw new Error(
        `types: there is no column ${JSON.stringify(name)} (the columns are ${columns.map((c) => c.name).join(", ")})`,
      );
    if (typed.has(name) || column.type === type) continue;
    exprs.push({ column: name, type, expr: `CAST(${ident(name)} AS ${type})` });
    converted.push({ column: name, type });
  }
  const open = columns.filter(
    (c) =>
      !(c.name in given) && !typed.has(c.name) && (c.type === "VARCHAR" || c.type === "BIGINT"),
  );
  if (open.length === 0) return { replace: replaceList(exprs), columns: exprs, converted, notes };
  const sample = toRows(
    await host.run(
      `SELECT ${open.map((c) => ident(c.name)).join(", ")} FROM ${ident(source)} LIMIT ${SAMPLE}`,
    ),
  );
  const found: { name: string; text: boolean; candidate: Candidate; ambiguous: boolean }[] = [];
  for (const c of open) {
    const values = sample.map((r) => r[c.name]).filter((v) => v !== null && v !== undefined);
    if (values.length === 0) continue;
    const texts = values.map((v) => String(v).trim());
    const guess =
      c.type === "BIGINT"
        ? compactDate(texts)
        : (dateFormatOf(texts, options) ??
          compactDate(texts) ??
          (infer ? plainTypeOf(texts) : undefined));
    if (guess) found.push({ name: c.name, text: c.type === "VARCHAR", ...guess });
  }
  if (found.length === 0) return { replace: replaceList(exprs), columns: exprs, converted, notes };
  // The sample fits; the whole column must too.
  const checks = found.map((f, i) => `count(${ident(f.name)}) = count(${read(f)}) AS ok${i}`);
  const [row] = toRows(await host.run(`SELECT ${checks.join(", ")} FROM ${ident(source)}`));
  found.forEach((f, i) => {
    if (row?.[`ok${i}`] !== true) return;
    exprs.push({ column: f.name, type: f.candidate.type, expr: read(f) });
    converted.push({ column: f.name, type: f.candidate.type, format: f.candidate.format });
    if (f.ambiguous)
      notes.push(
        `${f.name}: no day is over 12, so ${f.candidate.format} (month first) was assumed; set the date format if the day comes first`,
      );
  });
  return { replace: replaceList(exprs), columns: exprs, converted, notes };
}

function replaceList(exprs: Retyped["columns"]): string {
  if (exprs.length === 0) return "";
  return ` REPLACE (${exprs.map((e) => `${e.expr} AS ${ident(e.column)}`).join(", ")})`;
}

/** The expression that reads a column as its candidate type, NULL where a value does not fit. */
function read(f: { name: string; text: boolean; candidate: Candidate }): string {
  const { type, format } = f.candidate;
  const value = f.text ? `trim(${ident(f.name)})` : `CAST(${ident(f.name)} AS VARCHAR)`;
  if (format === undefined) return `TRY_CAST(${value} AS ${type})`;
  const parsed = `try_strptime(${value}, ${literal(format)})`;
  return type === "DATE" ? `CAST(${parsed} AS DATE)` : parsed;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
/** d/m/y or m/d/y with `/`, `-` or `.`, and maybe a time of day */
const NUMERIC_DATE =
  /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: (\d{1,2}):(\d{2})(:\d{2})?(?: ?([AaPp][Mm]))?)?$/;

/**
 * The one date format every sampled value has, or undefined. The user's date or timestamp
 * format, where given, is the only one tried.
 */
export function dateFormatOf(
  values: readonly string[],
  options: Pick<ImportOptions, "dateFormat" | "timestampFormat"> = {},
): { candidate: Candidate; ambiguous: boolean } | undefined {
  if (options.timestampFormat !== undefined || options.dateFormat !== undefined) {
    // The user's format: DuckDB checks it on the whole column.
    const digits = values.every((v) => /\d/.test(v));
    if (!digits) return undefined;
    const format = options.timestampFormat ?? options.dateFormat!;
    const type = options.timestampFormat !== undefined ? "TIMESTAMP" : "DATE";
    return { candidate: { type, format }, ambiguous: false };
  }
  if (values.every((v) => ISO_DATE.test(v)))
    return { candidate: { type: "DATE" }, ambiguous: false };
  if (values.every((v) => ISO_TIMESTAMP.test(v) || ISO_DATE.test(v)))
    return { candidate: { type: "TIMESTAMP" }, ambiguous: false };
  const parts = values.map((v) => NUMERIC_DATE.exec(v));
  if (parts.some((p) => p === null)) return undefined;
  const matches = parts as RegExpExecArray[];
  const separator = matches[0]![2]!;
  // Every value must have the same separator and the same kind of time of day.
  const timeOf = (m: RegExpExecArray) =>
    m[5] === undefined ? "" : m[8] !== undefined ? (m[7] ? "12s" : "12") : m[7] ? "24s" : "24";
  const time = timeOf(matches[0]!);
  if (matches.some((m) => m[2] !== separator || timeOf(m) !== time)) return undefined;
  const firstOver12 = matches.some((m) => Number(m[1]) > 12);
  const secondOver12 = matches.some((m) => Number(m[3]) > 12);
  if (firstOver12 && secondOver12) return undefined;
  // A dot is European (day first); otherwise month first unless a first number is over 12.
  const dayFirst = firstOver12 || (separator === "." && !secondOver12);
  const ambiguous = !firstOver12 && !secondOver12 && separator !== ".";
  const s = separator;
  const day = dayFirst ? `%d${s}%m${s}%Y` : `%m${s}%d${s}%Y`;
  const clock = {
    "": "",
    "24": " %H:%M",
    "24s": " %H:%M:%S",
    "12": " %I:%M %p",
    "12s": " %I:%M:%S %p",
  }[time];
  const format = day + clock;
  return { candidate: { type: time === "" ? "DATE" : "TIMESTAMP", format }, ambiguous };
}

/** Dates written as 8 digits, `YYYYMMDD` (CDNOW's `19970101`), years 1900–2100. */
export function compactDate(
  values: readonly string[],
): { candidate: Candidate; ambiguous: boolean } | undefined {
  const fits = values.every((v) => {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return y >= 1900 && y <= 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
  });
  return fits ? { candidate: { type: "DATE", format: "%Y%m%d" }, ambiguous: false } : undefined;
}

/** Numbers and booleans written as text: the narrowest type every sampled value has. */
export function plainTypeOf(
  values: readonly string[],
): { candidate: Candidate; ambiguous: boolean } | undefined {
  const all = (re: RegExp) => values.every((v) => re.test(v));
  // A leading zero (a code, a zip) is kept as text, as DuckDB's sniffer does.
  if (all(/^[+-]?(0|[1-9]\d{0,17})$/)) return { candidate: { type: "BIGINT" }, ambiguous: false };
  if (all(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/))
    return { candidate: { type: "DOUBLE" }, ambiguous: false };
  if (all(/^(true|false)$/i)) return { candidate: { type: "BOOLEAN" }, ambiguous: false };
  return undefined;
}
