import { toMatrix, type Matrix, type TableInput } from "./input.ts";
import { kmeansMatrix } from "./kmeans.ts";
import { kneedle } from "./kneedle.ts";
import { calinskiHarabasz, daviesBouldin, silhouetteMatrix } from "./metrics.ts";
import { checkSample } from "./silhouette.ts";
import { scaleMatrix, type ScaleMethod } from "./standardize.ts";

export type ElbowMetric = "silhouette" | "ch" | "db";

export interface ElbowOptions {
  columns: string[];
  /** the range of k to try, inclusive: [min, max] */
  k: [number, number];
  seed?: number;
  /** restarts per k (default 10) */
  nInit?: number;
  /** scale the columns first, as in kmeans */
  standardize?: boolean | ScaleMethod;
  log1p?: string[];
  /** other criteria to compute per k */
  metrics?: ElbowMetric[];
  /** points to score silhouette on before sampling (see silhouette) */
  sample?: number;
  /** called after each k, for progress */
  onK?: (k: number, done: number, total: number) => void;
}

export interface ElbowResult {
  kind: "elbow";
  k: number[];
  inertia: number[];
  /** the elbow of inertia by Kneedle (convex, decreasing, S = 1), or null when there is none */
  suggested: number | null;
  silhouette?: number[];
  ch?: number[];
  db?: number[];
  columns: string[];
}

/** A sweep ready to run: the matrix as clustered, the options checked. Plain data and typed arrays only. */
interface PreparedElbow {
  /** the complete rows, scaled when asked */
  matrix: Matrix;
  min: number;
  max: number;
  seed: number;
  nInit: number;
  metrics: ElbowMetric[];
  sample: number | undefined;
}

/** The measurements of a sweep, per k (NaN where a criterion is undefined, at k = 1). */
interface RawElbow {
  k: number[];
  inertia: number[];
  silhouette: number[];
  ch: number[];
  db: number[];
}

const METRICS: readonly string[] = ["silhouette", "ch", "db"];

/** Inertia for each k in a range with the Kneedle elbow, and other criteria when asked. k = 1 has inertia but no criteria. */
export function elbow(table: TableInput, options: ElbowOptions): ElbowResult {
  const prepared = prepareElbow(table, options);
  return describeElbow(prepared, computeElbow(prepared, options.onK));
}

/**
 * The three stages of `elbow` (the app runs all three in a worker, from the columns it reads):
 * prepare (read and scale the table; check the options), compute (a k-means run and the
 * criteria per k), describe (the Kneedle elbow and the result's shape).
 */
function prepareElbow(table: TableInput, options: ElbowOptions): PreparedElbow {
  const [min, max] = options.k ?? [];
  if (!Number.isInteger(min) || !Number.isInteger(max) || min! < 1 || max! <= min!) {
    throw new Error(
      `invalid k: ${JSON.stringify(options.k)} (expected [min, max] with 1 ≤ min < max)`,
    );
  }
  let matrix = toMatrix(table, options.columns);
  if (max! >= matrix.n)
    throw new Error(`invalid k: ${max} (expected fewer than the ${matrix.n} complete rows)`);
  if (options.standardize) {
    matrix = scaleMatrix(
      matrix,
      options.standardize === true ? "zscore" : options.standardize,
      options.log1p ?? [],
    ).matrix;
  }
  const metrics = [...new Set(options.metrics ?? [])];
  for (const metric of metrics) {
    if (!METRICS.includes(metric))
      throw new Error(`invalid metric: ${metric} (expected silhouette, ch or db)`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`invalid seed: ${seed} (expected an integer)`);
  const nInit = options.nInit ?? 10;
  if (!Number.isInteger(nInit) || nInit < 1)
    throw new Error(`invalid nInit: ${nInit} (expected an integer ≥ 1)`);
  if (metrics.includes("silhouette")) checkSample(options.sample);
  return { matrix, min: min!, max: max!, seed, nInit, metrics, sample: options.sample };
}

function computeElbow(prepared: PreparedElbow, onK?: ElbowOptions["onK"]): RawElbow {
  const { matrix, min, max, seed, nInit, sample } = prepared;
  const metrics = new Set(prepared.metrics);
  const raw: RawElbow = { k: [], inertia: [], silhouette: [], ch: [], db: [] };
  const total = max - min + 1;
  for (let k = min; k <= max; k++) {
    raw.k.push(k);
    if (k === 1) {
      raw.inertia.push(totalSquares(matrix.values, matrix.n, matrix.d));
      raw.silhouette.push(NaN);
      raw.ch.push(NaN);
      raw.db.push(NaN);
    } else {
      const run = kmeansMatrix(matrix, k, { seed, nInit });
      raw.inertia.push(run.inertia);
      if (metrics.has("silhouette"))
        raw.silhouette.push(silhouetteMatrix(matrix, run.labels, k, { sample, seed }).mean);
      if (metrics.has("ch")) raw.ch.push(calinskiHarabasz(matrix, run.labels, k));
      if (metrics.has("db")) raw.db.push(daviesBouldin(matrix, run.labels, k));
    }
    onK?.(k, raw.k.length, total);
  }
  return raw;
}

function describeElbow(prepared: PreparedElbow, raw: RawElbow): ElbowResult {
  const result: ElbowResult = {
    kind: "elbow",
    k: raw.k,
    inertia: raw.inertia,
    suggested: kneedle(raw.k, raw.inertia, { curve: "convex", direction: "decreasing" }) ?? null,
    columns: prepared.matrix.columns,
  };
  if (prepared.metrics.includes("silhouette")) result.silhouette = raw.silhouette;
  if (prepared.metrics.includes("ch")) result.ch = raw.ch;
  if (prepared.metrics.includes("db")) result.db = raw.db;
  return result;
}

function totalSquares(values: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i * d + j]! / n;
    for (let i = 0; i < n; i++) total += (values[i * d + j]! - mean) ** 2;
  }
  return total;
}
