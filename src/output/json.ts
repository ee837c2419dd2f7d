import { sanitizeHtml } from "./sanitize.ts";
import { isTableLike, previewTable, resultSummary } from "./values.ts";

/** How many rows of a table the JSON output keeps. */
export const JSON_ROWS = 1000;

/**
 * A cell value as JSON: tables as `{columns, rows, rowCount}` (first 1,000 rows), charts and
 * other DOM nodes as their markup (sanitised, in the node's own window: it is shown elsewhere),
 * dates as ISO text, typed arrays as arrays; numbers, strings and plain objects as they are.
 */
export function toJson(input: unknown, options: JsonOptions = {}, depth = 0): unknown {
  const value = resultSummary(input);
  const items = options.items ?? Infinity;
  const inner = (v: unknown) => toJson(v, options, depth + 1);
  if (value === undefined || value === null) return null;
  if (depth > 8) return "…";
  if (isTableLike(value)) {
    const { columns, rows, rowCount } = previewTable(value, JSON_ROWS);
    return { columns, rows: rows.map(inner), rowCount };
  }
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "string":
    case "boolean":
      return value;
    case "bigint":
      return Number(value);
    case "function":
      return `[function ${value.name || "anonymous"}]`;
    case "symbol":
      return String(value);
    default:
      break;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (isNode(value))
    return sanitizeHtml(value.outerHTML, value.ownerDocument.defaultView ?? undefined);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const array = value as unknown as ArrayLike<number>;
    return capped(Array.from(Array.prototype.slice.call(array, 0, items), Number), array.length);
  }
  if (Array.isArray(value)) return capped(value.slice(0, items).map(inner), value.length);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), inner(v)]));
  if (value instanceof Set) return capped([...value].slice(0, items).map(inner), value.size);
  if (value instanceof Error) return { error: value.message };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inner(v)]));
}

export interface JsonOptions {
  /** items kept of each array, the rest counted in a last "… n more" (default: all) */
  items?: number;
}

function capped(kept: unknown[], length: number): unknown[] {
  return kept.length < length
    ? [...kept, `… ${(length - kept.length).toLocaleString("en-US")} more`]
    : kept;
}

/** A DOM element (a Plot chart, for one), in any DOM implementation: the page's or jsdom's. */
export function isNode(
  value: unknown,
): value is Pick<Element, "outerHTML" | "tagName" | "ownerDocument"> {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { outerHTML?: unknown }).outerHTML === "string" &&
    typeof (value as { tagName?: unknown }).tagName === "string" &&
    typeof (value as { ownerDocument?: unknown }).ownerDocument === "object"
  );
}
