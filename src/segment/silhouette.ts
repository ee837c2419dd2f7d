import { toMatrix, type TableInput } from "./input.ts";
import type { KMeansResult } from "./kmeans.ts";
import { silhouetteMatrix, type SilhouetteResult } from "./metrics.ts";

/**
 * Silhouette of a labelling of a table's rows (one label per row, -1 to leave a row out, or a
 * kmeans result). Exact up to `sample` rows (default 5,000), then a seeded sample of that size,
 * which the result reports. Given a kmeans result and no other columns, distances are measured
 * where k-means measured them: in its scaled space.
 */
export function silhouette(
  table: TableInput,
  labels: ArrayLike<number> | { labels: ArrayLike<number> } | KMeansResult,
  options: { columns?: string[]; sample?: number; seed?: number } = {},
): SilhouetteResult {
  if (
    "kind" in labels &&
    labels.kind === "kmeans" &&
    sameColumns(options.columns, labels.columns)
  ) {
    const result = labels;
    const clusterOf = Int32Array.from(result.scaledPoints.rows, (r) => result.labels[r]!);
    const scored = silhouetteMatrix(result.scaledPoints, clusterOf, result.k, options);
    return {
      ...scored,
      values: scored.values.map((v) => ({ ...v, row: result.scaledPoints.rows[v.row]! })),
    };
  }
  if (!options.columns)
    throw new Error("invalid columns: silhouette needs the columns to measure distance on");
  const perRow = "labels" in labels ? labels.labels : labels;
  const all = toMatrix(table, options.columns);
  if (perRow.length !== all.totalRows)
    throw new Error(`invalid labels: ${perRow.length} labels for a table of ${all.totalRows} rows`);
  const keep = Array.from(all.rows.keys()).filter((i) => perRow[all.rows[i]!]! >= 0);
  const d = all.d;
  const values = new Float64Array(keep.length * d);
  keep.forEach((i, r) => values.set(all.values.subarray(i * d, (i + 1) * d), r * d));
  const clusterOf = Int32Array.from(keep, (i) => perRow[all.rows[i]!]!);
  const k = clusterOf.reduce((max, c) => Math.max(max, c + 1), 0);
  if (k < 2) throw new Error(`invalid labels: silhouette needs at least 2 clusters, found ${k}`);
  if (keep.length <= k)
    throw new Error(`invalid labels: ${keep.length} labelled rows for ${k} clusters`);
  const matrix = {
    ...all,
    values,
    n: keep.length,
    rows: Int32Array.from(keep, (i) => all.rows[i]!),
  };
  const result = silhouetteMatrix(matrix, clusterOf, k, options);
  // Report rows as input rows, not matrix positions.
  return { ...result, values: result.values.map((v) => ({ ...v, row: matrix.rows[v.row]! })) };
}

function sameColumns(
  requested: readonly string[] | undefined,
  clustered: readonly string[],
): boolean {
  return (
    requested === undefined ||
    (requested.length === clustered.length && requested.every((c, i) => c === clustered[i]))
  );
}
