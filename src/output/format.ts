import { DataType } from "apache-arrow";
import type { Value } from "../engine/index.ts";

/** How a table cell reads: dates without a midnight time, numbers without float noise. */
export function formatValue(value: Value): string {
  if (value === null) return "∅";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return "Invalid date";
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z")
      ? iso.slice(0, 10)
      : iso.replace("T", " ").replace(/\.000Z$|Z$/, "");
  }
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (!Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(10)));
}

/** "1 row", "1,234 rows". */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}

/** A short, honest label for an Arrow column type in a result (BIGINT arrives as a double). */
export function typeLabel(type: DataType): string {
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type)) return "number";
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return "text";
  if (DataType.isBool(type)) return "boolean";
  if (DataType.isDate(type)) return "date";
  if (DataType.isTimestamp(type)) return "timestamp";
  if (DataType.isTime(type)) return "time";
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) return "list";
  if (DataType.isStruct(type) || DataType.isMap(type)) return "struct";
  if (DataType.isBinary(type)) return "binary";
  return String(type).toLowerCase();
}
