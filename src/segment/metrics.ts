import type { Matrix } from "./input.ts";
import { randomSource } from "./random.ts";

/** Above this many points silhouette samples (its cost grows with the square of the points). */
export const SILHOUETTE_EXACT_LIMIT = 5000;

export interface SilhouetteResult {
  kind: "silhouette";
  /** mean silhouette over the points scored */
  mean: number;
  /** per scored point: its row in the matrix, cluster and silhouette value */
  values: { row: number; cluster: number; value: number }[];
  /** mean silhouette per cluster */
  perCluster: number[];
  /** the sample scored when the data was too large to score exactly, else null */
  sampled: { size: number; of: number; seed: number } | null;
}

/**
 * Silhouette with Euclidean distances (not squared), as scikit-learn: s = (b − a) / max(a, b),
 * 0 for a point alone in its cluster. Exact up to `sample` points, then a seeded sample of that
 * many points scored among themselves (as `silhouette_score(sample_size=…)`).
 */
export function silhouetteMatrix(
  m: Matrix,
  labels: ArrayLike<number>,
  k: number,
  options: { sample?: number; seed?: number } = {},
): SilhouetteResult {
  const limit = options.sample ?? SILHOUETTE_EXACT_LIMIT;
  if (!Number.isInteger(limit) || limit < 2)
    throw new Error(`invalid sample: ${limit} (expected an integer ≥ 2)`);
  const seed = options.seed ?? 0;
  const sample = silhouetteSample(m.n, limit, seed);
  return scoreSilhouette(m, labels, k, sample, sample && { size: limit, of: m.n, seed });
}

/** The rows a silhouette scores past `limit` points: a seeded sample of `limit`, in order; null below. */
export function silhouetteSample(n: number, limit: number, seed: number): Int32Array | null {
  if (n <= limit) return null;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  const random = randomSource(seed);
  for (let i = 0; i < limit; i++) {
    const j = i + Math.floor(random() * (n - i));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows.slice(0, limit).sort();
}

/** Silhouette of the given rows of a matrix (null: all of them), scored among themselves. */
export function scoreSilhouette(
  m: Matrix,
  labels: ArrayLike<number>,
  k: number,
  picked: Int32Array | null,
  sampled: SilhouetteResult["sampled"],
): SilhouetteResult {
  const rows = picked ?? Int32Array.from({ length: m.n }, (_, i) => i);
  const { d, values: X } = m;
  const count = new Float64Array(k);
  for (const r of rows) count[labels[r]!]!++;
  const values: SilhouetteResult["values"] = [];
  const sums = new Float64Array(k);
  for (const i of rows) {
    sums.fill(0);
    for (const j of rows) {
      if (i === j) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[i * d + t]! - X[j * d + t]!;
        s += diff * diff;
      }
      sums[labels[j]!]! += Math.sqrt(s);
    }
    const own = labels[i]!;
    let value = 0;
    if (count[own]! > 1) {
      const a = sums[own]! / (count[own]! - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++)
        if (c !== own && count[c]! > 0) b = Math.min(b, sums[c]! / count[c]!);
      value = Number.isFinite(b) ? (b - a) / Math.max(a, b) : 0;
    }
    values.push({ row: i, cluster: own, value });
  }
  const perCluster = Array.from({ length: k }, (_, c) => {
    const mine = values.filter((v) => v.cluster === c);
    return mine.length === 0 ? 0 : mine.reduce((s, v) => s + v.value, 0) / mine.length;
  });
  const mean = values.reduce((s, v) => s + v.value, 0) / values.length;
  return { kind: "silhouette", mean, values, perCluster, sampled };
}

/** Cluster centroids (means), k × d, and sizes. */
export function centroidsOf(
  m: Matrix,
  labels: ArrayLike<number>,
  k: number,
): { centers: Float64Array; sizes: Float64Array } {
  const { n, d, values } = m;
  const centers = new Float64Array(k * d);
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    sizes[c]!++;
    for (let j = 0; j < d; j++) centers[c * d + j]! += values[i * d + j]!;
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j]! /= sizes[c]! || 1;
  return { centers, sizes };
}

/** Calinski–Harabasz: [Σ n_q‖c_q − c̄‖² / (k − 1)] / [inertia / (n − k)]. */
export function calinskiHarabasz(m: Matrix, labels: ArrayLike<number>, k: number): number {
  const { n, d, values } = m;
  const { centers, sizes } = centroidsOf(m, labels, k);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += values[i * d + j]! / n;
  let between = 0;
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) between += sizes[c]! * (centers[c * d + j]! - mean[j]!) ** 2;
  let within = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) within += (values[i * d + j]! - centers[labels[i]! * d + j]!) ** 2;
  return within === 0 ? 1 : between / (k - 1) / (within / (n - k));
}

/** Davies–Bouldin: mean over clusters of max_{j≠i} (s_i + s_j) / ‖c_i − c_j‖, s_i = mean distance to centroid. */
export function daviesBouldin(m: Matrix, labels: ArrayLike<number>, k: number): number {
  const { n, d, values } = m;
  const { centers, sizes } = centroidsOf(m, labels, k);
  const spread = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    let s = 0;
    for (let j = 0; j < d; j++) s += (values[i * d + j]! - centers[c * d + j]!) ** 2;
    spread[c]! += Math.sqrt(s) / sizes[c]!;
  }
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (a === b) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (centers[a * d + j]! - centers[b * d + j]!) ** 2;
      const separation = Math.sqrt(s);
      const ratio = separation === 0 ? Infinity : (spread[a]! + spread[b]!) / separation;
      worst = Math.max(worst, ratio);
    }
    total += worst;
  }
  return total / k;
}

/** Adjusted Rand index of two labellings of the same items (1 = identical partitions, ~0 = chance). */
export function adjustedRandIndex(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  if (a.length !== b.length) throw new Error(`invalid labels: ${a.length} and ${b.length} items`);
  const n = a.length;
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const table = new Map<unknown, Map<unknown, number>>();
  const rows = new Map<unknown, number>();
  const cols = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    const row = table.get(a[i]) ?? new Map<unknown, number>();
    row.set(b[i], (row.get(b[i]) ?? 0) + 1);
    table.set(a[i], row);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const row of table.values()) for (const count of row.values()) index += pairs(count);
  const sumRows = [...rows.values()].reduce((s, x) => s + pairs(x), 0);
  const sumCols = [...cols.values()].reduce((s, x) => s + pairs(x), 0);
  const expected = (sumRows * sumCols) / pairs(n);
  const max = (sumRows + sumCols) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
