import { toMatrix, type Matrix, type TableInput } from "./input.ts";
import type { KMeansResult } from "./kmeans.ts";
import {
  SILHOUETTE_EXACT_LIMIT,
  scoreSilhouette,
  silhouetteSample,
  type SilhouetteResult,
} from "./metrics.ts";

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
  /** the sample drawn here, on the page, when there were more rows than the limit */
  sampled: SilhouetteResult["sampled"];
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
    const { rows } = result.scaledPoints;
    const clusterOf = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) clusterOf[i] = result.labels[rows[i]!]!;
    return sampleOf(result.scaledPoints, clusterOf, result.k, sample, seed);
  }
  if (!options.columns)
    throw new Error("invalid columns: silhouette needs the columns to measure distance on");
  const perRow = "labels" in labels ? labels.labels : labels;
  const all = toMatrix(table, options.columns);
  if (perRow.length !== all.totalRows)
    throw new Error(`invalid labels: ${perRow.length} labels for a table of ${all.totalRows} rows`);
  const keep = Array.from(all.rows.keys()).filter((i) => perRow[all.rows[i]!]! >= 0);
  const clusterOf = Int32Array.from(keep, (i) => perRow[all.rows[i]!]!);
  const k = clusterOf.reduce((max, c) => Math.max(max, c + 1), 0);
  if (k < 2) throw new Error(`invalid labels: silhouette needs at least 2 clusters, found ${k}`);
  if (keep.length <= k)
    throw new Error(`invalid labels: ${keep.length} labelled rows for ${k} clusters`);
  checkSample(sample);
  return sampleOf(select(all, Int32Array.from(keep)), clusterOf, k, sample, seed);
}

/**
 * Draw the sample now (seeded, as `silhouetteMatrix` draws it), so that only the scored rows
 * travel on — to a worker, say: 2,000 rows rather than a million.
 */
function sampleOf(
  matrix: Matrix,
  clusterOf: Int32Array,
  k: number,
  sample: number | undefined,
  seed: number | undefined,
): PreparedSilhouette {
  const limit = sample ?? SILHOUETTE_EXACT_LIMIT;
  const picked = silhouetteSample(matrix.n, limit, seed ?? 0);
  if (!picked) return { matrix, clusterOf, k, sampled: null };
  return {
    matrix: select(matrix, picked),
    clusterOf: picked.map((i) => clusterOf[i]!),
    k,
    sampled: { size: limit, of: matrix.n, seed: seed ?? 0 },
  };
}

/** The given rows of a matrix, in that order, keeping which input row each came from. */
function select(matrix: Matrix, positions: Int32Array): Matrix {
  const { d } = matrix;
  const values = new Float64Array(positions.length * d);
  positions.forEach((i, r) => values.set(matrix.values.subarray(i * d, (i + 1) * d), r * d));
  return { ...matrix, values, n: positions.length, rows: positions.map((i) => matrix.rows[i]!) };
}

/** Score the prepared rows; the result's rows are matrix positions until described. */
export function computeSilhouette(prepared: PreparedSilhouette): SilhouetteResult {
  const { matrix, clusterOf, k, sampled } = prepared;
  return scoreSilhouette(matrix, clusterOf, k, null, sampled);
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
