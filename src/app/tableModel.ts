import { Table as ArrowTable } from "apache-arrow";
import { ColumnTable } from "arquero";
import { toValue, type Value } from "../engine/index.ts";
import { isTableLike, typeLabel } from "../output/index.ts";

/** A table as the result view reads it: sizes, column labels, and one cell at a time (nothing converted up front). */
export interface TableModel {
  rowCount: number;
  columns: { name: string; type: string; numeric: boolean }[];
  value(row: number, column: number): Value;
}

export function tableModel(value: unknown): TableModel | undefined {
  if (!isTableLike(value)) return undefined;
  if (value instanceof ArrowTable) {
    const fields = value.schema.fields;
    const vectors = fields.map((f) => value.getChild(f.name));
    return {
      rowCount: value.numRows,
      columns: fields.map((f) => {
        const type = typeLabel(f.type);
        return { name: f.name, type, numeric: type === "number" };
      }),
      // Through the engine's boundary, so dates and big numbers read as everywhere else.
      value: (row, column) => toValue(fields[column]!, vectors[column]?.get(row)),
    };
  }
  const table = value instanceof ColumnTable ? value : undefined;
  const records = table ? undefined : (value as Record<string, unknown>[]);
  const names = table ? table.columnNames() : Object.keys(records![0] ?? {});
  const read = (row: number, name: string): unknown =>
    table ? table.get(name, row) : records![row]?.[name];
  const rowCount = table ? table.numRows() : records!.length;
  return {
    rowCount,
    columns: names.map((name) => {
      const sample = read(0, name);
      const type =
        typeof sample === "number"
          ? "number"
          : sample instanceof Date
            ? "date"
            : typeof sample === "boolean"
              ? "boolean"
              : "text";
      return { name, type, numeric: type === "number" };
    }),
    value: (row, column) => plain(read(row, names[column]!)),
  };
}

function plain(value: unknown): Value {
  if (value === undefined || value === null) return null;
  if (
    typeof value === "number" ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    value instanceof Date
  )
    return value;
  if (typeof value === "bigint") return Number(value);
  return JSON.stringify(value);
}

/** Row order sorted by one column (nulls last), computed over every row. */
export function sortedOrder(model: TableModel, column: number, descending: boolean): Int32Array {
  const values = Array.from({ length: model.rowCount }, (_, i) => model.value(i, column));
  const order = Int32Array.from({ length: model.rowCount }, (_, i) => i);
  const key = (v: Value) => (v instanceof Date ? v.getTime() : v);
  order.sort((a, b) => {
    const x = key(values[a]!);
    const y = key(values[b]!);
    if (x === null || x === undefined) return y === null || y === undefined ? a - b : 1;
    if (y === null || y === undefined) return -1;
    const c = x < y ? -1 : x > y ? 1 : 0;
    return (descending ? -c : c) || a - b;
  });
  return order;
}

/** The rows (in `order`, or in table order) where some column's shown text holds `query`. */
export function matchingRows(
  model: TableModel,
  query: string,
  show: (value: Value) => string,
  order?: Int32Array,
): Int32Array {
  const needle = query.trim().toLowerCase();
  const out: number[] = [];
  const n = model.rowCount;
  for (let k = 0; k < n; k++) {
    const row = order ? order[k]! : k;
    for (let j = 0; j < model.columns.length; j++) {
      const value = model.value(row, j);
      if (value !== null && show(value).toLowerCase().includes(needle)) {
        out.push(row);
        break;
      }
    }
  }
  return Int32Array.from(out);
}

/** What a column holds, at a glance: nulls, distinct values, the smallest and largest. */
export interface ColumnSummary {
  nulls: number;
  /** distinct non-null values, counted up to DISTINCT_LIMIT */
  distinct: number;
  /** the distinct count reached its limit */
  more: boolean;
  min: Value;
  max: Value;
}

const DISTINCT_LIMIT = 100_000;

/** One column's summary over every row. */
export function summarize(model: TableModel, column: number): ColumnSummary {
  let nulls = 0;
  let min: Value = null;
  let max: Value = null;
  const seen = new Set<unknown>();
  const key = (v: Value) => (v instanceof Date ? v.getTime() : v);
  for (let row = 0; row < model.rowCount; row++) {
    const value = model.value(row, column);
    if (value === null) {
      nulls++;
      continue;
    }
    if (seen.size < DISTINCT_LIMIT) seen.add(key(value));
    const k = key(value)!;
    if (min === null || k < key(min)!) min = value;
    if (max === null || k > key(max)!) max = value;
  }
  return { nulls, distinct: seen.size, more: seen.size >= DISTINCT_LIMIT, min, max };
}
