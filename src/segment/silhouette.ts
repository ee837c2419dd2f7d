import { toMatrix, type Matrix, type TableInput } from "./input.ts";
import type { KMeansResult } from "./kmeans.ts";
import { SILHOUETTE_EXACT_LIMIT, silhouetteMatrix, type SilhouetteResult } from "./metrics.ts";

export interface SilhouetteOptions {
  /** the columns to measure distance on (default, for a kmeans result: its scaled columns) */
  columns?: string[];
  /** points to score exactly before sampling (default 5,000) */
  sample?: number;
  /** seed for the sample (default 0) */
  seed?: number;
}

/** A labelling: a label per input row (-1 leaves a row out), an object with such labels, or a kmeans result. */
export type SilhouetteLabels = ArrayLike<number> | { labels: ArrayLike<number> } | KMeansResult;

/** A labelling ready to score: the labelled rows and a cluster per row. Plain data and typed arrays only. */
export interface PreparedSilhouette {
  /** the labelled complete rows; `rows` are input rows */
  matrix: Matrix;
  /** the cluster of each matrix row */
  clusterOf: Int32Array;
  k: number;
  sample: number | undefined;
  seed: number | undefined;
}

/**
 * Silhouette of a labelling of a table's rows (one label per row, -1 to leave a row out, or a
 * kmeans result). Exact up to `sample` rows (default 5,000), then a seeded sample of that size,
 * which the result reports. Given a kmeans result and no other columns, distances are measured
 * where k-means measured them: in its scaled space.
 */
export function silhouette(
  table: TableInput,
  labels: SilhouetteLabels,
  options: SilhouetteOptions = {},
): SilhouetteResult {
  const prepared = prepareSilhouette(table, labels, options);
  return describeSilhouette(prepared, computeSilhouette(prepared));
}

/**
 * The three stages of `silhouette`, so that the heavy middle one can run elsewhere (a Web
 * Worker): prepare (read the labelled rows; check the labels and options), compute (the
 * pairwise distances, on a sample past the limit), describe (report input rows).
 */
export function prepareSilhouette(
  table: TableInput,
  labels: SilhouetteLabels,
  options: SilhouetteOptions = {},
): PreparedSilhouette {
  const { sample, seed } = options;
  if (
    "kind" in labels &&
    labels.kind === "kmeans" &&
    sameColumns(options.columns, labels.columns)
  ) {
    const result = labels;
    checkSample(sample);
    return {
      matrix: result.scaledPoints,
      clusterOf: Int32Array.from(result.scaledPoints.rows, (r) => result.labels[r]!),
      k: result.k,
      sample,
      seed,
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
  checkSample(sample);
  const matrix = {
    ...all,
    values,
    n: keep.length,
    rows: Int32Array.from(keep, (i) => all.rows[i]!),
  };
  return { matrix, clusterOf, k, sample, seed };
}

/** Score the prepared rows; the result's rows are matrix positions until described. */
export function computeSilhouette(prepared: PreparedSilhouette): SilhouetteResult {
  const { matrix, clusterOf, k, sample, seed } = prepared;
  return silhouetteMatrix(matrix, clusterOf, k, { sample, seed });
}

/** Report rows as input rows, not matrix positions. */
export function describeSilhouette(
  prepared: PreparedSilhouette,
  scored: SilhouetteResult,
): SilhouetteResult {
  const { rows } = prepared.matrix;
  return { ...scored, values: scored.values.map((v) => ({ ...v, row: rows[v.row]! })) };
}

/** The check `silhouetteMatrix` makes of `sample`, made before any distance is measured. */
export function checkSample(sample: number | undefined): void {
  const limit = sample ?? SILHOUETTE_EXACT_LIMIT;
  if (!Number.isInteger(limit) || limit < 2)
    throw new Error(`invalid sample: ${limit} (expected an integer ≥ 2)`);
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
