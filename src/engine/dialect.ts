/**
 * What the first bytes of a delimited text say about its layout, read in JavaScript so that the
 * loader can check DuckDB's sniffer against something that does not share its blind spots.
 */

/**
 * A field separator; "whitespace" is any run of spaces and tabs (aligned text tables). Any
 * other single character can be given by the user.
 */
export type Separator = "," | "\t" | ";" | "|" | "whitespace" | (string & {});

/** The single-character separators, in the order ties are broken. */
const CHARACTERS: readonly Separator[] = [",", "\t", ";", "|"];

/** How a sample of delimited text splits into records. */
export interface Dialect {
  /** the field separator */
  separator: Separator;
  /** some field of the sample is enclosed in double quotes */
  quoted: boolean;
  /** the field count that most records have: the table's column count */
  columns: number;
  /** the non-blank records of the sample, split into fields */
  records: string[][];
  /** the 0-based line each record starts on */
  starts: number[];
}

export interface SniffOptions {
  /** the sample is the whole file; otherwise its last, possibly cut, line is ignored */
  complete: boolean;
  /** use this separator and no other (a .tsv file, or the user's choice) */
  only?: Separator;
  /** DuckDB's own choice, kept when the sample agrees with it */
  prefer?: Separator;
  /** also consider runs of spaces and tabs (a .txt file) */
  whitespace?: boolean;
}

/** More than this share of the records must have the modal field count. */
const CONSISTENT = 0.5;
/** Whitespace splits prose too: nearly every line must agree before it counts as a table. */
const WHITESPACE_CONSISTENT = 0.9;

/**
 * The separator that splits the sample into a consistent number (≥ 2) of fields, or undefined
 * when none does (a one-column file, or text too ragged to tell).
 */
export function sniffDialect(text: string, options: SniffOptions): Dialect | undefined {
  const candidates = (options.only ? [options.only] : CHARACTERS).map((separator) =>
    measure(separator, splitRecords(text, separator, options.complete)),
  );
  const fits = candidates.filter((c) => c.dialect.columns >= 2 && c.share > CONSISTENT);
  if (options.whitespace && options.only === undefined) {
    const spaced = measure("whitespace", splitRecords(text, "whitespace", options.complete));
    // A tab between space-padded fields (the CDNOW sample) splits consistently too, into fewer
    // columns; comma, semicolon and pipe files are never read as whitespace-separated.
    const { columns } = spaced.dialect;
    const beaten = fits.every(
      (c) => c.dialect.separator === "\t" && c.dialect.columns < columns && c.share <= spaced.share,
    );
    if (columns >= 2 && spaced.share >= WHITESPACE_CONSISTENT && beaten) return spaced.dialect;
  }
  const preferred = fits.find((c) => c.dialect.separator === options.prefer);
  const best = preferred ?? [...fits].sort((a, b) => b.share - a.share)[0];
  return best?.dialect;
}

interface Measured {
  dialect: Dialect;
  /** the share of records with the modal field count, 0..1 */
  share: number;
}

function measure(separator: Separator, split: Split): Measured {
  const counts = new Map<number, number>();
  for (const record of split.records)
    counts.set(record.length, (counts.get(record.length) ?? 0) + 1);
  let columns = 0;
  let most = 0;
  for (const [count, n] of counts) {
    if (n > most || (n === most && count > columns)) [columns, most] = [count, n];
  }
  const share = split.records.length === 0 ? 0 : most / split.records.length;
  const { quoted, records, starts } = split;
  return { dialect: { separator, quoted, columns, records, starts }, share };
}

interface Split {
  records: string[][];
  /** the 0-based line each record starts on */
  starts: number[];
  quoted: boolean;
}

/**
 * Split text into records of fields, RFC 4180 style for the character separators (a field that
 * starts with `"` runs to the matching `"`, across line ends; `""` is a quote). Blank lines are
 * skipped; when the text is not `complete`, the record cut off at its end is dropped.
 */
export function splitRecords(text: string, separator: Separator, complete: boolean): Split {
  if (separator === "whitespace") {
    const lines = text.split("\n");
    if (!complete) lines.pop();
    const records: string[][] = [];
    const starts: number[] = [];
    lines.forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === "") return;
      records.push(trimmed.split(/[ \t\r]+/));
      starts.push(i);
    });
    return { records, starts, quoted: false };
  }
  const records: string[][] = [];
  const starts: number[] = [];
  let quoted = false;
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let line = 0;
  let start = 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0]!.trim() !== "") {
      records.push(fields);
      starts.push(start);
    }
    fields = [];
    field = "";
    line++;
    start = line;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        inQuotes = false;
        const next = text[i + 1];
        // Only a closing quote right before a separator or a line end makes a quoted field.
        if (next === undefined || next === separator || next === "\n" || next === "\r")
          quoted = true;
      }
    } else if (c === '"' && field === "") {
      inQuotes = true;
    } else if (c === separator) {
      fields.push(field);
      field = "";
    } else if (c === "\n") {
      endRecord();
    } else if (c === "\r") {
      // The line feed of a CRLF ends the record; a carriage return alone (old Macs) does.
      if (text[i + 1] !== "\n" && (i + 1 < text.length || complete)) endRecord();
    } else {
      field += c;
    }
  }
  if (complete && !inQuotes && (field !== "" || fields.length > 0)) endRecord();
  return { records, starts, quoted };
}

/**
 * Whether the first record holds column names, judged from all-text records (DuckDB judges a
 * header by types, which all-text files do not have): true or false where the evidence points
 * one way, undefined where it is missing or mixed.
 *
 * Data, not names: a first-row value that recurs in its column, or the same value twice in the
 * first row, or every value shaped like its column's data with at least one distinctive shape
 * (digits or punctuation: `a@b.com`, `+44 20`). Names, not data: a value whose shape differs
 * from a column whose data all share one shape (`Name` over `alice`, `bob`).
 */
export function headerEvidence(records: string[][]): boolean | undefined {
  const [first, ...data] = records;
  if (first === undefined || data.length < 2) return undefined;
  const rows = data.filter((r) => r.length === first.length);
  if (rows.length < 2) return undefined;
  const names = first.map((v) => v.trim());
  let asData = new Set(names.filter((v) => v !== "")).size < names.filter((v) => v !== "").length;
  let asNames = false;
  let allShaped = true;
  let distinctive = false;
  names.forEach((name, c) => {
    const values = rows.map((r) => r[c]!.trim()).filter((v) => v !== "");
    if (name === "" || values.length < 2) return;
    if (values.includes(name)) asData = true;
    const shapes = new Set(values.map(shapeOf));
    const shape = shapeOf(name);
    if (shapes.has(shape)) distinctive ||= /[^Aa ]/.test(shape);
    else {
      allShaped = false;
      if (shapes.size === 1) asNames = true;
    }
  });
  if (allShaped && distinctive) asData = true;
  if (asData === asNames) return undefined;
  return asNames;
}

/** A value's outline: runs of upper-case letters become A, lower-case a, digits 9. */
export function shapeOf(value: string): string {
  return value
    .replace(/\p{Lu}+/gu, "A")
    .replace(/\p{Ll}+/gu, "a")
    .replace(/\p{N}+/gu, "9")
    .replace(/\s+/g, " ");
}

/**
 * Records above the table: leading records whose field count is not the table's (a title, an
 * export date). How many records and how many lines they take.
 */
export function preambleOf(dialect: Dialect): { records: number; lines: number } {
  const first = dialect.records.findIndex((r) => r.length === dialect.columns);
  if (first <= 0) return { records: 0, lines: 0 };
  return { records: first, lines: dialect.starts[first]! };
}

/** At most this many lines under the first are read as more of the header. */
const MAX_HEADER_LINES = 3;

/**
 * How many records under the header record (`records[at]`) are more of the header (units, a
 * second line of names, an empty line of cells) rather than data: where the data further down
 * has digits in a column (numbers, dates), such a record has none there — its values there are
 * labels or empty.
 */
export function headerContinuation(records: string[][], at: number): number {
  const typed = digitColumns(records.slice(at + 1 + MAX_HEADER_LINES), records[at]?.length ?? 0);
  if (typed.length === 0) return 0;
  let n = 0;
  for (const record of records.slice(at + 1, at + 1 + MAX_HEADER_LINES)) {
    const empty = record.every((v) => v.trim() === "");
    if (!empty && !labels(record, typed)) break;
    n++;
  }
  return n;
}

/**
 * Whether the first record is a line of labels over data: where the later records have digits
 * in a column (numbers, dates), it has none there, and some text.
 */
export function labelRecord(records: string[][]): boolean {
  const typed = digitColumns(records.slice(1), records[0]?.length ?? 0);
  return typed.length > 0 && labels(records[0]!, typed);
}

/** The columns (of `width`) where at least 90 % of the data's values hold a digit. */
function digitColumns(data: string[][], width: number): number[] {
  if (data.length < 3) return [];
  const typed: number[] = [];
  for (let c = 0; c < width; c++) {
    const values = data.map((r) => (r[c] ?? "").trim()).filter((v) => v !== "");
    if (values.length > 0 && values.filter((v) => /\d/.test(v)).length >= 0.9 * values.length)
      typed.push(c);
  }
  return typed;
}

/** No digit in the `typed` columns, and a label in one of them. */
function labels(record: string[], typed: number[]): boolean {
  const cells = typed.map((i) => (record[i] ?? "").trim());
  return cells.every((v) => !/\d/.test(v)) && cells.some((v) => v !== "");
}
