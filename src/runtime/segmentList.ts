import { Int32, makeVector, Table, tableFromIPC, vectorFromArray } from "apache-arrow";
import { isTableLike } from "../output/index.ts";
import type { KMeansResult, RfmResult, TableInput } from "../segment/index.ts";
import { columnNames } from "../segment/index.ts";
import { toIPC } from "./ipc.ts";

/**
 * The segment list of a segmentation result: one row per customer with its id and its segment —
 * what a marketing tool imports. An RFM result holds its customers; a k-means result holds only
 * a label per input row, so the table it clustered is remembered beside it (`rememberInput`)
 * and its id column read from there.
 */

/** The table each k-means result clustered, and the columns it clustered on. */
const inputs = new WeakMap<object, { table: TableInput; columns: readonly string[] }>();

/** Remember the table a k-means result clustered, for its segment list. */
export function rememberInput(
  result: KMeansResult,
  table: TableInput,
  columns: readonly string[],
): KMeansResult {
  inputs.set(result, { table, columns });
  return result;
}

/** Whether a value has a segment list: an RFM result, or a k-means result whose input is known. */
export function hasSegmentList(value: unknown): boolean {
  return isRfm(value) || (isKMeans(value) && inputs.has(value));
}

/**
 * The segment list of an RFM result (the customer column and `segment`) or of a k-means result
 * (an id column of the table it clustered and `cluster`, empty for rows left out); undefined
 * for any other value.
 */
export function segmentList(value: unknown): Table | undefined {
  if (isRfm(value)) {
    const customer = value.table.schema.fields[0]?.name;
    return customer === undefined ? undefined : value.table.select([customer, "segment"]);
  }
  if (isKMeans(value)) {
    const input = inputs.get(value);
    return input && clusterList(value, input.table, input.columns);
  }
  return undefined;
}

function clusterList(
  result: KMeansResult,
  table: TableInput,
  clustered: readonly string[],
): Table | undefined {
  if (!isTableLike(table)) return undefined;
  const arrow = table instanceof Table ? table : tableFromIPC(toIPC(table));
  const id = idColumn(columnNames(arrow), clustered);
  const labels = Array.from(result.labels, (label) => (label < 0 ? null : label));
  const cluster = vectorFromArray(labels, new Int32());
  if (id === undefined) {
    const row = makeVector(Int32Array.from(labels, (_, i) => i + 1));
    return new Table({ row, cluster });
  }
  return new Table({ [id]: arrow.getChild(id)!, cluster });
}

/**
 * The column that identifies a row, among those k-means did not cluster on: one named like an
 * id (`id`, `customer_id`, `CustomerID`, `key`), else the first; undefined when there is none.
 */
export function idColumn(
  names: readonly string[],
  clustered: readonly string[],
): string | undefined {
  const others = names.filter((n) => !clustered.includes(n));
  const named = (n: string) => /(^|[_\s-])(id|key)$/i.test(n) || /[a-z](Id|ID|Key)$/.test(n);
  return others.find(named) ?? others[0];
}

function isRfm(value: unknown): value is RfmResult {
  return (
    (value as { kind?: unknown } | null)?.kind === "rfm" &&
    (value as RfmResult).table instanceof Table
  );
}

function isKMeans(value: unknown): value is KMeansResult {
  return (
    (value as { kind?: unknown } | null)?.kind === "kmeans" &&
    (value as KMeansResult).labels instanceof Int32Array
  );
}
