import { Table as ArrowTable } from "apache-arrow";
import { ColumnTable, from } from "arquero";
import { toRows, type Row } from "../engine/index.ts";
import { downloadSummary, type Download } from "./download.ts";

/** A value a cell can hold that is also a table: Arrow, Arquero, or a non-empty array of records. */
export type TableLike = ArrowTable | ColumnTable | Record<string, unknown>[];

export function isTableLike(value: unknown): value is TableLike {
  return value instanceof ArrowTable || value instanceof ColumnTable || isRecordArray(value);
}

function isRecordArray(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (row) =>
        row !== null && typeof row === "object" && Object.getPrototypeOf(row) === Object.prototype,
    )
  );
}

/** A table's size and first rows as plain data, for reports and JSON. */
export interface TablePreview {
  columns: { name: string; type: string }[];
  rows: Row[];
  rowCount: number;
}

export function previewTable(value: TableLike, limit: number): TablePreview {
  if (value instanceof ArrowTable) {
    return {
      columns: value.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
      rows: toRows(value, limit),
      rowCount: value.numRows,
    };
  }
  const table = value instanceof ColumnTable ? value : from(value);
  return {
    columns: table.columnNames().map((name) => ({ name, type: typeof table.get(name, 0) })),
    rows: table.objects({ limit }) as Row[],
    rowCount: table.numRows(),
  };
}

/**
 * A segmentation result without its bulk (matrices of points, per-point silhouettes), for
 * reports and JSON: what a reader wants to see of it. Other values, and summaries, pass through
 * unchanged.
 */
export function resultSummary(value: unknown): unknown {
  if (value === null || typeof value !== "object" || !("kind" in value)) return value;
  const result = value as Record<string, unknown>;
  switch (result.kind) {
    case "kmeans": {
      if (!("points" in result)) return value;
      const { points, scaledPoints, scaling, labels, ...rest } = result;
      const s = scaling as { method: string } | undefined;
      return { ...rest, scaling: s?.method ?? null, labels };
    }
    case "silhouette": {
      // A summary is summarised as itself: the inspector and toJson may both pass it here.
      if (!Array.isArray(result.values)) return value;
      const { values, ...rest } = result;
      return { ...rest, scored: values.length };
    }
    case "pca": {
      const { points, ...rest } = result;
      return rest;
    }
    case "download":
      return "content" in result ? downloadSummary(result as unknown as Download) : value;
    default:
      return value;
  }
}
