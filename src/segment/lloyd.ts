import type { Matrix } from "./input.ts";
import type { KMeansStep, RawKMeans } from "./kmeans.ts";
import { nearest, sqDist } from "./nearest.ts";

export interface LloydOptions {
  /** iterations at most */
  maxIter: number;
  /** stop once the squared shift of all centres together is at most this (absolute) */
  tol: number;
  /** yield copies of the centroids and labels, and the update steps too (for teaching) */
  detail: boolean;
  /** compute the inertia of every assignment; without it, steps carry NaN (nobody listens) */
  track: boolean;
}

/**
 * Lloyd iterations as scikit-learn runs them, from `centers` (k × d, row-major, taken over):
 * assign each point to its nearest centre, move each centre to its cluster's mean (re-seeding an
 * empty cluster at the point farthest from its centre), stop when no label changes or the squared
 * centre shift is within `tol`, and after a stop on the shift assign once more so that the labels
 * match the final centres.
 *
 * The assignment is Hamerly's: each point keeps an upper bound on its distance to its own centre
 * and a lower bound on its distance to every other; when the centres move, the bounds move by as
 * much, and a point whose bounds still separate it from the rest is not measured again. The bounds
 * are rounded outward and a point is only skipped when the gap exceeds what rounding in the
 * distances could hide, so every label is the one plain Lloyd computes (the lowest-numbered
 * centre on a tie), and the centres are summed in the same order: results are identical to the
 * plain algorithm, bit for bit.
 */
export function* lloyd(
  m: Matrix,
  centers: Float64Array,
  k: number,
  options: LloydOptions,
): Generator<KMeansStep, RawKMeans> {
  const { n, d, values: X } = m;
  const { maxIter, tol, detail, track } = options;
  const bounds = createBounds(n, d, k);
  const { labels } = bounds;
  const counts = new Int32Array(k);
  let next: Float64Array = new Float64Array(k * d);
  let iterations = 0;
  let converged = false;
  let strict = false;
  for (let it = 1; it <= maxIter; it++) {
    iterations = it;
    const changed =
      it === 1 ? assignAll(X, d, centers, k, bounds) : assignBounded(X, d, centers, k, bounds);
    const inertia = track ? inertiaOf(X, n, d, centers, labels) : NaN;
    yield {
      iteration: it,
      phase: "assign",
      centroids: detail ? rowsOf(centers, k, d) : [],
      labels: detail ? labels.slice() : NO_LABELS,
      inertia,
    };
    sumClusters(X, d, labels, next, counts);
    meansOf(X, n, d, centers, k, labels, next, counts);
    if (detail)
      yield {
        iteration: it,
        phase: "update",
        centroids: rowsOf(next, k, d),
        labels: labels.slice(),
        inertia,
      };
    let shift = 0;
    for (let i = 0; i < k * d; i++) shift += (next[i]! - centers[i]!) ** 2;
    moveBounds(centers, next, k, d, bounds);
    [centers, next] = [next, centers];
    if (changed === 0) {
      strict = true;
      converged = true;
      break;
    }
    if (shift <= tol) {
      converged = true;
      break;
    }
  }
  // As scikit-learn: after a stop on the shift, assign once more so labels match the final centres.
  if (!strict) (iterations === 0 ? assignAll : assignBounded)(X, d, centers, k, bounds);
  const inertia = inertiaOf(X, n, d, centers, labels);
  return { labels, centers, inertia, iterations, converged };
}

export const NO_LABELS = new Int32Array(0);

export function rowsOf(values: Float64Array, k: number, d: number): number[][] {
  return Array.from({ length: k }, (_, c) => Array.from(values.subarray(c * d, (c + 1) * d)));
}

/** What Hamerly's assignment carries from one iteration to the next. */
interface Bounds {
  /** the centre of each point */
  labels: Int32Array;
  /** per point, at least its distance to its own centre */
  upper: Float64Array;
  /** per point, at most its distance to any other centre */
  lower: Float64Array;
  /** per centre, at most half its distance to the nearest other centre */
  half: Float64Array;
  /** per centre, at least how far it moved in the last update */
  moved: Float64Array;
  /** per centre, at least how far any other centre moved in the last update */
  drop: Float64Array;
  /** outward rounding factors for the bounds, also the gap a skip needs (see `margins`) */
  up: number;
  down: number;
  /** the squared distances to the nearest and the runner-up centre, from `nearest` */
  scratch: Float64Array;
}

function createBounds(n: number, d: number, k: number): Bounds {
  const { up, down } = margins(d);
  return {
    labels: new Int32Array(n).fill(-1),
    upper: new Float64Array(n),
    lower: new Float64Array(n),
    half: new Float64Array(k),
    moved: new Float64Array(k),
    drop: new Float64Array(k),
    up,
    down,
    scratch: new Float64Array(2),
  };
}

/**
 * A squared distance over d columns, computed as Lloyd does, is within (d + 2)·2⁻⁵³ of the exact
 * value, relatively, and a Euclidean distance from it within half that plus 2⁻⁵³. Every bound is
 * rounded outward by more than ten times that, and a skip needs the other centres farther than
 * the own one by as much again: rounding can never make a skipped point's label differ from
 * Lloyd's, and a tie (equal computed distances) is never skipped. `ABSOLUTE` covers distances so
 * small that their squares underflow.
 */
function margins(d: number): { up: number; down: number } {
  const relative = 8 * (d + 4) * Number.EPSILON;
  return { up: 1 + relative, down: 1 - relative };
}

const ABSOLUTE = 1e-140;

/** The first assignment: every point against every centre. Returns how many labels changed (all). */
function assignAll(X: Float64Array, d: number, C: Float64Array, k: number, bounds: Bounds): number {
  const { labels, upper, lower, up, down, scratch } = bounds;
  const n = labels.length;
  for (let i = 0, o = 0; i < n; i++, o += d) {
    labels[i] = nearest(X, o, C, k, d, scratch);
    upper[i] = Math.sqrt(scratch[0]!) * up;
    lower[i] = Math.sqrt(scratch[1]!) * down;
  }
  return n;
}

/**
 * Hamerly's assignment after the centres moved (`moveBounds` recorded by how much): a point is
 * measured against its own centre only when its bounds overlap, and against all centres only when
 * they still overlap then. Returns how many labels changed.
 */
function assignBounded(
  X: Float64Array,
  d: number,
  C: Float64Array,
  k: number,
  bounds: Bounds,
): number {
  const { labels, upper, lower, half, moved, drop, up, down, scratch } = bounds;
  const n = labels.length;
  halves(C, k, d, half, down);
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    let u = (upper[i]! + moved[label]!) * up;
    const l = (lower[i]! - drop[label]!) * down;
    const h = half[label]!;
    // Skipped when max(h, l) exceeds u by the margin; as two tests, because the first (the centre
    // gap) seldom settles a point, so its branch is well predicted, and the second often does.
    let limit = u * up + ABSOLUTE;
    if (h <= limit && l <= limit) {
      u = Math.sqrt(sqDist(X, i * d, C, label * d, d)) * up;
      limit = u * up + ABSOLUTE;
      if (h <= limit && l <= limit) {
        const best = nearest(X, i * d, C, k, d, scratch);
        upper[i] = Math.sqrt(scratch[0]!) * up;
        lower[i] = Math.sqrt(scratch[1]!) * down;
        if (best !== label) {
          labels[i] = best;
          changed++;
        }
        continue;
      }
    }
    upper[i] = u;
    lower[i] = l;
  }
  return changed;
}

/** Half the distance from each centre to its nearest other centre, rounded down. */
function halves(C: Float64Array, k: number, d: number, half: Float64Array, down: number): void {
  half.fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const h = 0.5 * Math.sqrt(sqDist(C, a * d, C, b * d, d)) * down;
      if (h < half[a]!) half[a] = h;
      if (h < half[b]!) half[b] = h;
    }
  }
}

/** Record how far each centre moved (rounded up), for the next assignment to widen the bounds by. */
function moveBounds(
  from: Float64Array,
  to: Float64Array,
  k: number,
  d: number,
  bounds: Bounds,
): void {
  const { moved, drop, up } = bounds;
  let farthest = 0;
  let most = 0;
  let next = 0;
  for (let c = 0; c < k; c++) {
    const move = Math.sqrt(sqDist(to, c * d, from, c * d, d)) * up;
    moved[c] = move;
    if (move > most) {
      next = most;
      most = move;
      farthest = c;
    } else if (move > next) {
      next = move;
    }
  }
  for (let c = 0; c < k; c++) drop[c] = c === farthest ? next : most;
}

/**
 * Each cluster's sum and size. The points are added in their order, as plain Lloyd adds them, so
 * the means come out the same bit for bit. This pass runs every iteration over all the data, so
 * up to 8 columns a row is added without an inner loop (the tests on `d` do not vary, and cost
 * far less than the loop they replace).
 */
function sumClusters(
  X: Float64Array,
  d: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
): void {
  const n = labels.length;
  sums.fill(0);
  counts.fill(0);
  if (d > 8) {
    for (let i = 0, o = 0; i < n; i++, o += d) {
      const c = labels[i]!;
      counts[c]!++;
      for (let j = 0, q = c * d; j < d; j++) sums[q + j]! += X[o + j]!;
    }
    return;
  }
  for (let i = 0, o = 0; i < n; i++, o += d) {
    const c = labels[i]!;
    counts[c]!++;
    const q = c * d;
    sums[q]! += X[o]!;
    if (d > 1) sums[q + 1]! += X[o + 1]!;
    if (d > 2) sums[q + 2]! += X[o + 2]!;
    if (d > 3) sums[q + 3]! += X[o + 3]!;
    if (d > 4) sums[q + 4]! += X[o + 4]!;
    if (d > 5) sums[q + 5]! += X[o + 5]!;
    if (d > 6) sums[q + 6]! += X[o + 6]!;
    if (d > 7) sums[q + 7]! += X[o + 7]!;
  }
}

/**
 * New centres as cluster means, from the sums and sizes. An empty cluster is re-seeded at the
 * point farthest from its centre (exact distances, measured only then: it is rare).
 */
function meansOf(
  X: Float64Array,
  n: number,
  d: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
): void {
  let dist: Float64Array | undefined;
  const taken = new Set<number>();
  for (let c = 0; c < k; c++) {
    if (counts[c]! > 0) {
      for (let j = 0; j < d; j++) sums[c * d + j]! /= counts[c]!;
      continue;
    }
    dist ??= distancesOf(X, n, d, centers, labels);
    let far = -1;
    for (let i = 0; i < n; i++) if (!taken.has(i) && (far === -1 || dist[i]! > dist[far]!)) far = i;
    taken.add(far);
    sums.set(X.subarray(far * d, (far + 1) * d), c * d);
  }
}

function distancesOf(
  X: Float64Array,
  n: number,
  d: number,
  C: Float64Array,
  labels: Int32Array,
): Float64Array {
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = sqDist(X, i * d, C, labels[i]! * d, d);
  return dist;
}

function inertiaOf(
  X: Float64Array,
  n: number,
  d: number,
  C: Float64Array,
  labels: Int32Array,
): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDist(X, i * d, C, labels[i]! * d, d);
  return inertia;
}
