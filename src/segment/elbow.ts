import { toMatrix, type TableInput } from "./input.ts";
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

/** Inertia for each k in a range with the Kneedle elbow, and other criteria when asked. k = 1 has inertia but no criteria. */
export function elbow(table: TableInput, options: ElbowOptions): ElbowResult {
  // Every option is checked before the first k-means run, so a bad one fails at once.
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
  const metrics = new Set(options.metrics ?? []);
  for (const metric of metrics) {
    if (!["silhouette", "ch", "db"].includes(metric))
      throw new Error(`invalid metric: ${metric} (expected silhouette, ch or db)`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`invalid seed: ${seed} (expected an integer)`);
  const nInit = options.nInit ?? 10;
  if (!Number.isInteger(nInit) || nInit < 1)
    throw new Error(`invalid nInit: ${nInit} (expected an integer ≥ 1)`);
  const { sample } = options;
  if (metrics.has("silhouette")) checkSample(sample);

  const ks: number[] = [];
  const inertia: number[] = [];
  const silhouette: number[] = [];
  const ch: number[] = [];
  const db: number[] = [];
  const total = max! - min! + 1;
  for (let k = min!; k <= max!; k++) {
    ks.push(k);
    if (k === 1) {
      inertia.push(totalSquares(matrix.values, matrix.n, matrix.d));
      silhouette.push(NaN);
      ch.push(NaN);
      db.push(NaN);
    } else {
      const run = kmeansMatrix(matrix, k, { seed, nInit });
      inertia.push(run.inertia);
      if (metrics.has("silhouette"))
        silhouette.push(silhouetteMatrix(matrix, run.labels, k, { sample, seed }).mean);
      if (metrics.has("ch")) ch.push(calinskiHarabasz(matrix, run.labels, k));
      if (metrics.has("db")) db.push(daviesBouldin(matrix, run.labels, k));
    }
    options.onK?.(k, ks.length, total);
  }
  const result: ElbowResult = {
    kind: "elbow",
    k: ks,
    inertia,
    suggested: kneedle(ks, inertia, { curve: "convex", direction: "decreasing" }) ?? null,
    columns: matrix.columns,
  };
  if (metrics.has("silhouette")) result.silhouette = silhouette;
  if (metrics.has("ch")) result.ch = ch;
  if (metrics.has("db")) result.db = db;
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
