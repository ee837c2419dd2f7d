import { DataType, type Data, type Field, type Table, type Vector } from "apache-arrow";
import { toValue } from "../engine/index.ts";

/**
 * Arrow tables as delimited text: CSV for files, TSV for the clipboard (what spreadsheets take
 * on paste). A header line of column names, then one line per row, `\n` after each, as
 * DuckDB's own `COPY … TO` writes them so that a file reads the same wherever it was made:
 *
 * - a field holding the delimiter, a quote, a line break, or nothing at all (the empty string)
 *   is quoted, its quotes doubled (RFC 4180); NULL is an empty field, unquoted;
 * - dates as `2024-01-31`, timestamps as `2024-01-31 09:30:00.123456` (ISO 8601 with a space,
 *   which spreadsheets and DuckDB both read), fractions only where there are any, UTC when the
 *   column has a time zone (`+00`, as DuckDB writes it);
 * - 64-bit integers exactly (they arrive as bigints), other numbers in JavaScript's shortest
 *   form, booleans as `true`/`false`, lists and structs as JSON.
 */

export type Delimiter = "," | "\t";

/** How many rows go into one chunk of text. */
const CHUNK_ROWS = 10_000;

/**
 * The table as delimited text, in chunks of a few thousand rows (a million rows need not be one
 * string: a Blob or a file stream takes the chunks as they come).
 */
export function* delimitedChunks(table: Table, delimiter: Delimiter = ","): Generator<string> {
  const fields = table.schema.fields;
  yield `${fields.map((f) => quoted(f.name, delimiter)).join(delimiter)}\n`;
  for (const batch of table.batches) {
    const cells = fields.map((field, j) => cellWriter(field, batch.getChildAt(j)!));
    let lines: string[] = [];
    for (let row = 0; row < batch.numRows; row++) {
      lines.push(cells.map((cell) => quoted(cell(row), delimiter)).join(delimiter));
      if (lines.length === CHUNK_ROWS) {
        yield `${lines.join("\n")}\n`;
        lines = [];
      }
    }
    if (lines.length > 0) yield `${lines.join("\n")}\n`;
  }
}

/** The whole table as one delimited text. */
export function delimitedText(table: Table, delimiter: Delimiter = ","): string {
  return [...delimitedChunks(table, delimiter)].join("");
}

/** A field as it goes in the file: quoted when it must be, NULL as nothing. */
function quoted(text: string | null, delimiter: Delimiter): string {
  if (text === null) return "";
  if (text === "" || text.includes(delimiter) || /["\r\n]/.test(text))
    return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** A function that writes one column's value at a row of a batch as text, or null for NULL. */
function cellWriter(field: Field, vector: Vector): (row: number) => string | null {
  const type = field.type;
  const read = (row: number): unknown => (vector.isValid(row) ? vector.get(row) : null);
  if (DataType.isDate(type)) {
    // DuckDB sends TIMESTAMP as Date64 (milliseconds) and DATE as Date32 (days).
    const asTimestamp = type.unit === 1;
    return (row) => {
      const ms = read(row);
      if (ms === null) return null;
      const time = ms instanceof Date ? ms.getTime() : Number(ms);
      return asTimestamp ? timestampText(BigInt(time), 3, false) : dateText(time);
    };
  }
  if (DataType.isTimestamp(type)) {
    const digits = [0, 3, 6, 9][type.unit]!;
    const zoned = type.timezone !== null && type.timezone !== "";
    return (row) => {
      const raw = vector.isValid(row) ? int64At(vector, row) : null;
      return raw === null ? null : timestampText(raw, digits, zoned);
    };
  }
  if (DataType.isTime(type)) {
    const digits = [0, 3, 6, 9][type.unit]!;
    return (row) => {
      const raw = read(row);
      return raw === null ? null : timeText(BigInt(raw as number | bigint), digits);
    };
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isDictionary(type))
    return (row) => {
      const value = read(row);
      return value === null ? null : String(value);
    };
  if (DataType.isFloat(type) && type.precision === 1)
    return (row) => {
      const value = read(row) as number | null;
      return value === null ? null : singleText(value);
    };
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isBool(type))
    return (row) => {
      const value = read(row);
      return value === null ? null : String(value);
    };
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type))
    return (row) => {
      const value = read(row) as Uint8Array | null;
      return value === null ? null : hexEscaped(value);
    };
  // Lists, structs, maps, decimals, intervals: as their JSON (a decimal's as its number).
  return (row) => {
    const value = toValue(field, read(row));
    if (value === null) return null;
    return typeof value === "string" ? value : JSON.stringify(value);
  };
}

/** A 64-bit temporal value as it is stored (no rounding through a double). */
function int64At(vector: Vector, row: number): bigint {
  let offset = row;
  for (const data of vector.data as Data[]) {
    if (offset < data.length) {
      const value = (data.values as BigInt64Array | Int32Array)[data.offset + offset]!;
      return BigInt(value);
    }
    offset -= data.length;
  }
  throw new RangeError(`row ${row} is outside the column`);
}

const MS_PER_DAY = 86_400_000;

/** Days or milliseconds since 1970 as `YYYY-MM-DD`. */
function dateText(ms: number): string {
  return new Date(Math.floor(ms / MS_PER_DAY) * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * A count of seconds, milliseconds, microseconds or nanoseconds since 1970 (`digits` 0, 3, 6,
 * 9) as `YYYY-MM-DD HH:MM:SS[.fraction]`, the fraction trimmed of trailing zeros as DuckDB
 * trims it; `zoned` appends the UTC offset.
 */
export function timestampText(value: bigint, digits: number, zoned: boolean): string {
  const perSecond = 10n ** BigInt(digits);
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const iso = new Date(Number(seconds) * 1000).toISOString();
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fractionText(fraction, digits)}`;
  return zoned ? `${text}+00` : text;
}

/** A time of day, in units of 10^-digits seconds since midnight, as `HH:MM:SS[.fraction]`. */
function timeText(value: bigint, digits: number): string {
  const perSecond = 10n ** BigInt(digits);
  const seconds = Number(value / perSecond);
  const clock = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
  return clock + fractionText(value % perSecond, digits);
}

function fractionText(fraction: bigint, digits: number): string {
  if (fraction === 0n) return "";
  return `.${fraction.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/** A 32-bit float in the fewest digits that read back as it (0.1, not 0.10000000149011612). */
function singleText(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(value.toPrecision(digits));
    if (Math.fround(short) === value) return String(short);
  }
  return String(value);
}

/** Bytes as DuckDB shows a BLOB: printable ASCII as itself, the rest as `\xAB`. */
function hexEscaped(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes)
    text +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  return text;
}
