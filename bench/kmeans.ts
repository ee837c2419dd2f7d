// k-means per iteration: Strata's typed-array Lloyd against raw ml-kmeans (the baseline), on
// the same 100,000 × 6 points, k = 8, from the same initial centroids. Reported as a ratio. The
// points are one Gaussian cloud, so that Lloyd runs all its iterations instead of converging in
// two (well-separated blobs do), and the figure is per iteration, not per setup.
import { kmeans as mlKmeans } from "ml-kmeans";
import {
  kmeansFrom,
  kmeansSteps,
  randomSource,
  toMatrix,
  type KMeansStep,
} from "../src/segment/index.ts";
import { measure, type Measurement } from "./measure.ts";

export interface KMeansBench {
  rows: number;
  columns: number;
  k: number;
  strata: Measurement;
  mlKmeans: Measurement;
}

/** Seeded Gaussian blobs: `centres` centres in `d` dimensions, `n` points. */
export function blobs(
  n: number,
  d: number,
  centres: number,
  seed: number,
): Record<string, number>[] {
  const random = randomSource(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const means = Array.from({ length: centres }, () =>
    Array.from({ length: d }, () => (random() - 0.5) * 20),
  );
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(means[i % centres]!.map((m, j) => [`f${j}`, m + gauss()])),
  );
}

export function benchKMeans(rows = 100_000, d = 6, k = 8, iterations = 20): KMeansBench {
  const data = blobs(rows, d, 1, 42);
  const columns = Array.from({ length: d }, (_, j) => `f${j}`);
  const points = data.map((r) => columns.map((c) => r[c]!));
  const init = (kmeansSteps(data, { k, columns, seed: 1 }).next().value as KMeansStep).centroids;

  const matrix = toMatrix(data, columns);
  const start = Float64Array.from(init.flat());
  const strata = measure(
    () => kmeansFrom(matrix, start, { maxIter: iterations, tol: 0 }).iterations,
  );
  const baseline = measure(
    () =>
      mlKmeans(points, k, { initialization: init, maxIterations: iterations, tolerance: 0 })
        .iterations,
  );
  return { rows, columns: d, k, strata, mlKmeans: baseline };
}
