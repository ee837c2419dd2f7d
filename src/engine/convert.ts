import { DataType, type Field, type Table } from "apache-arrow";

/**
 * The one boundary between Arrow and JavaScript values.
 *
 * DuckDB casts BIGINT, HUGEINT and DECIMAL to DOUBLE as it writes Arrow (QUERY_CONFIG), so every
 * number column reads as a Float64Array and a `sum()` is a number, not a bigint. DATE and
 * TIMESTAMP arrive as epoch milliseconds and become `Date` objects here, when rows are made.
 */
export const QUERY_CONFIG = {
  castBigIntToDouble: true,
  castDecimalToDouble: true,
  castTimestampToDate: true,
} as const;

export type Value = number | string | boolean | Date | null | Value[] | { [key: string]: Value };
export type Row = Record<string, Value>;

/** The rows of a result as plain objects. Use only for small results: it costs per cell. */
export function toRows(table: Table, limit = Infinity): Row[] {
  const n = Math.min(table.numRows, limit);
  const fields = table.schema.fields;
  const columns = fields.map((f) => table.getChild(f.name));
  const rows: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Row = {};
    for (let j = 0; j < fields.length; j++) {
      row[fields[j]!.name] = toValue(fields[j]!, columns[j]?.get(i));
    }
    rows[i] = row;
  }
  return rows;
}

/** One Arrow value of a field as a JavaScript value (the boundary for a single cell). */
export function toValue(field: Field, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  const type = field.type;
  if (DataType.isDate(type) || DataType.isTimestamp(type)) {
    return raw instanceof Date ? raw : new Date(Number(raw));
  }
  return plain(raw);
}

/** Values below the top level (lists, structs) and any stray bigint become plain JS. */
function plain(raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (typeof raw) {
    case "bigint":
      return Number(raw);
    case "number":
    case "string":
    case "boolean":
      return raw;
    case "object":
      if (raw instanceof Date) return raw;
      if (raw instanceof Uint8Array) return `<${raw.byteLength} bytes>`;
      if (hasToJSON(raw)) return plain(raw.toJSON());
      if (isIterable(raw)) return Array.from(raw, plain);
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plain(v)]));
    default:
      return String(raw);
  }
}

function hasToJSON(x: object): x is { toJSON(): unknown } {
  return typeof (x as { toJSON?: unknown }).toJSON === "function";
}

function isIterable(x: object): x is Iterable<unknown> {
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
