import { toMatrix, type Matrix, type TableInput } from "./input.ts";
import { lloyd, NO_LABELS, rowsOf, type LloydOptions } from "./lloyd.ts";
import { distancesTo } from "./nearest.ts";
import { randomSource } from "./random.ts";
import { scaleMatrix, unscale, type ScaleMethod, type Scaling } from "./standardize.ts";

export interface KMeansOptions {
  /** the number of clusters, an integer ≥ 2 and below the number of complete rows */
  k: number;
  /** the numeric columns to cluster on */
  columns: string[];
  /** seed for the k-means++ initialisation (default 0) */
  seed?: number;
  /** restarts from different initialisations; the lowest inertia wins (default 10) */
  nInit?: number;
  /** Lloyd iterations per restart at most (default 300) */
  maxIter?: number;
  /** convergence tolerance, relative to the mean feature variance as in scikit-learn (default 1e-4) */
  tol?: number;
  /** scale the columns first: true for z-scores, or a method (default: no scaling) */
  standardize?: boolean | ScaleMethod;
  /** columns to take log(1 + x) of before scaling */
  log1p?: string[];
  /** called after every Lloyd iteration of every restart, for progress */
  onIteration?: (progress: KMeansProgress) => void;
}

export interface KMeansProgress {
  /** 0-based restart */
  run: number;
  /** 1-based iteration within the restart */
  iteration: number;
  inertia: number;
}

export interface KMeansResult {
  kind: "kmeans";
  k: number;
  /** a cluster per input row, numbered by descending size; -1 for a row left out (missing values) */
  labels: Int32Array;
  centroids: {
    /** in the columns' own units */
    original: number[][];
    /** in the units k-means ran in (equal to original when no scaling was asked for) */
    standardized: number[][];
  };
  /** rows per cluster */
  sizes: number[];
  /** Σ squared distance of each point to its centroid, in the units k-means ran in */
  inertia: number;
  /** Lloyd iterations of the winning restart */
  iterations: number;
  converged: boolean;
  columns: string[];
  /** the complete rows in original units (what the chart draws) */
  points: Matrix;
  /** the complete rows as clustered (scaled when asked) */
  scaledPoints: Matrix;
  scaling: Scaling | undefined;
  /** input rows left out for a missing or non-finite value */
  excluded: number;
  seed: number;
}

/** One step of one k-means run, for teaching: the centroids and, after assignment, the labels. */
export interface KMeansStep {
  iteration: number;
  phase: "init" | "assign" | "update";
  /** centroids in the units k-means runs in, k × d */
  centroids: number[][];
  /** labels of the complete rows (empty before the first assignment) */
  labels: Int32Array;
  inertia: number;
}

/** The outcome of the restarts, before canonical numbering. */
export interface RawKMeans {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

/**
 * k-means as scikit-learn does it: greedy k-means++ initialisation (2 + ⌊ln k⌋ candidates per
 * centre), Lloyd iterations until the labels stop changing or the centres move less than
 * `tol` × mean feature variance, `nInit` restarts keeping the lowest inertia. Cluster numbers
 * are canonical: by descending size, then by centroid, so a re-run does not shuffle them.
 */
export function kmeans(table: TableInput, options: KMeansOptions): KMeansResult {
  const prepared = prepareKMeans(table, options);
  return describe(prepared, runRestarts(prepared, options.onIteration));
}

/** Read and scale the table and check the options, restarts included. */
function prepareKMeans(table: TableInput, options: KMeansOptions): PreparedKMeans {
  const prepared = prepare(table, options);
  return {
    ...prepared,
    nInit: positiveInteger("nInit", options.nInit ?? 10),
    maxIter: positiveInteger("maxIter", options.maxIter ?? 300),
  };
}

function runRestarts(
  prepared: PreparedKMeans,
  onIteration?: (progress: KMeansProgress) => void,
): RawKMeans {
  const random = randomSource(prepared.seed);
  let best: RawKMeans | undefined;
  for (let run = 0; run < prepared.nInit; run++) {
    const result = finish(
      seeded(prepared.scaled, prepared.k, random, {
        maxIter: prepared.maxIter,
        tol: prepared.tol,
        detail: false,
        track: onIteration !== undefined,
      }),
      onIteration && ((iteration, inertia) => onIteration({ run, iteration, inertia })),
    );
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best!;
}

/** Step through one k-means run (nInit = 1) for teaching; returns the final result. */
export function* kmeansSteps(
  table: TableInput,
  options: KMeansOptions,
): Generator<KMeansStep, KMeansResult> {
  const prepared = prepare(table, options);
  const maxIter = positiveInteger("maxIter", options.maxIter ?? 300);
  const steps = seeded(prepared.scaled, prepared.k, randomSource(prepared.seed), {
    maxIter,
    tol: prepared.tol,
    detail: true,
    track: true,
  });
  let next = steps.next();
  while (!next.done) {
    yield next.value;
    next = steps.next();
  }
  return describe(prepared, next.value);
}

/** Run k-means on a matrix directly (for elbow sweeps and tests). */
export function kmeansMatrix(
  matrix: Matrix,
  k: number,
  options: { seed?: number; nInit?: number; maxIter?: number; tol?: number } = {},
): RawKMeans {
  checkK(k, matrix.n);
  const prepared: PreparedKMeans = {
    points: matrix,
    scaled: matrix,
    scaling: undefined,
    k,
    seed: options.seed ?? 0,
    tol: (options.tol ?? 1e-4) * meanVariance(matrix),
    nInit: options.nInit ?? 10,
    maxIter: options.maxIter ?? 300,
  };
  return canonical(runRestarts(prepared), matrix.d, k);
}

/** A k-means run ready to go: the matrix as clustered, the options checked. */
interface PreparedKMeans extends Prepared {
  nInit: number;
  maxIter: number;
}

interface Prepared {
  points: Matrix;
  scaled: Matrix;
  scaling: Scaling | undefined;
  k: number;
  seed: number;
  tol: number;
}

function prepare(table: TableInput, options: KMeansOptions): Prepared {
  if (options === null || typeof options !== "object")
    throw new Error("invalid options: expected { k, columns }");
  const points = toMatrix(table, options.columns);
  if (points.n === 0) {
    throw new Error(
      points.totalRows === 0
        ? "no rows to cluster: the table is empty"
        : `no complete rows to cluster: all ${points.totalRows} rows have a missing or non-finite value in ${points.columns.join(", ")}`,
    );
  }
  const k = options.k;
  checkK(k, points.n);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`invalid seed: ${seed} (expected an integer)`);
  let scaled = points;
  let scaling: Scaling | undefined;
  if (options.standardize) {
    const method = options.standardize === true ? "zscore" : options.standardize;
    ({ matrix: scaled, scaling } = scaleMatrix(points, method, options.log1p ?? []));
  } else if (options.log1p && options.log1p.length > 0) {
    throw new Error("invalid log1p: it applies with standardize; pass standardize: true as well");
  }
  const distinct = countDistinct(scaled, k);
  if (distinct < k)
    throw new Error(`invalid k: ${k} (the data has only ${distinct} distinct points)`);
  const tol = (options.tol ?? 1e-4) * meanVariance(scaled);
  return { points, scaled, scaling, k, seed, tol };
}

function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`invalid k: ${k} (expected an integer ≥ 2)`);
  if (k >= n) throw new Error(`invalid k: ${k} (expected fewer than the ${n} complete rows)`);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`invalid ${name}: ${value} (expected an integer ≥ 1)`);
  return value;
}

/** Distinct rows, counted up to `limit` (enough to know whether k clusters can exist). */
function countDistinct(m: Matrix, limit: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < m.n && seen.size < limit; i++)
    seen.add(m.values.subarray(i * m.d, (i + 1) * m.d).join(","));
  return seen.size;
}

function meanVariance(m: Matrix): number {
  const { n, d, values } = m;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i * d + j]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (values[i * d + j]! - mean) ** 2;
    total += v / n;
  }
  return total / d;
}

function finish(
  steps: Generator<KMeansStep, RawKMeans>,
  onIteration?: (iteration: number, inertia: number) => void,
): RawKMeans {
  let next = steps.next();
  while (!next.done) {
    if (onIteration && next.value.phase === "assign")
      onIteration(next.value.iteration, next.value.inertia);
    next = steps.next();
  }
  return next.value;
}

/**
 * Lloyd iterations from given centres (k × d, row-major) on a matrix, without restarts: for
 * comparing with other implementations from the same start, and for starting where a teacher
 * chooses. `tol` is absolute here (squared centre shift).
 */
export function kmeansFrom(
  m: Matrix,
  centers: Float64Array,
  options: { maxIter?: number; tol?: number } = {},
): RawKMeans {
  const k = centers.length / m.d;
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`invalid centers: ${centers.length} values for ${m.d} columns`);
  return finish(
    lloyd(m, Float64Array.from(centers), k, {
      maxIter: options.maxIter ?? 300,
      tol: options.tol ?? 0,
      detail: false,
      track: false,
    }),
  );
}

/** Greedy k-means++ (scikit-learn's `_kmeans_plusplus`), then Lloyd iterations; yields each step. */
function* seeded(
  m: Matrix,
  k: number,
  random: () => number,
  options: LloydOptions,
): Generator<KMeansStep, RawKMeans> {
  const centers = initPlusPlus(m, k, random);
  yield {
    iteration: 0,
    phase: "init",
    centroids: rowsOf(centers, k, m.d),
    labels: NO_LABELS,
    inertia: NaN,
  };
  return yield* lloyd(m, centers, k, options);
}

function initPlusPlus(m: Matrix, k: number, random: () => number): Float64Array {
  const { n, d, values: X } = m;
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(random() * n));
  centers.set(X.subarray(first * d, (first + 1) * d), 0);
  const closest = new Float64Array(n);
  distancesTo(X, n, d, first, closest);
  let potential = sum(closest);
  const cumulative = new Float64Array(n);
  const candidate = new Float64Array(n);
  const bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) cumulative[i] = acc += closest[i]!;
    let bestPotential = Infinity;
    let bestId = 0;
    for (let t = 0; t < trials; t++) {
      const id = Math.min(n - 1, searchSorted(cumulative, random() * potential));
      distancesTo(X, n, d, id, candidate);
      let pot = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.min(closest[i]!, candidate[i]!);
        candidate[i] = v;
        pot += v;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestId = id;
        bestDist.set(candidate);
      }
    }
    centers.set(X.subarray(bestId * d, (bestId + 1) * d), c * d);
    closest.set(bestDist);
    potential = bestPotential;
  }
  return centers;
}

/** The first index whose cumulative sum reaches `value` (NumPy's searchsorted, side left). */
function searchSorted(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/** Renumber clusters by descending size, ties by centroid, so numbering does not depend on the run. */
function canonical(raw: RawKMeans, d: number, k: number): RawKMeans {
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < raw.labels.length; i++) sizes[raw.labels[i]!]!++;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => {
    if (sizes[b] !== sizes[a]) return sizes[b]! - sizes[a]!;
    for (let j = 0; j < d; j++) {
      const diff = raw.centers[a * d + j]! - raw.centers[b * d + j]!;
      if (diff !== 0) return diff;
    }
    return a - b;
  });
  const rename = new Int32Array(k);
  order.forEach((old, neu) => (rename[old] = neu));
  const centers = new Float64Array(k * d);
  order.forEach((old, neu) => centers.set(raw.centers.subarray(old * d, (old + 1) * d), neu * d));
  // Plain loops on the page's side of a worker run: a million labels in milliseconds.
  const labels = new Int32Array(raw.labels.length);
  for (let i = 0; i < labels.length; i++) labels[i] = rename[raw.labels[i]!]!;
  return { ...raw, labels, centers };
}

function describe(prepared: Prepared, raw: RawKMeans): KMeansResult {
  const { points, scaled, scaling, k } = prepared;
  const { d } = points;
  const result = canonical(raw, d, k);
  const labels = new Int32Array(points.totalRows).fill(-1);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < points.n; i++) {
    const label = result.labels[i]!;
    labels[points.rows[i]!] = label;
    sizes[label]!++;
  }
  const standardized = rowsOf(result.centers, k, d);
  return {
    kind: "kmeans",
    k,
    labels,
    centroids: {
      standardized,
      original: scaling
        ? standardized.map((c) => unscale(c, scaling))
        : standardized.map((c) => [...c]),
    },
    sizes,
    inertia: result.inertia,
    iterations: result.iterations,
    converged: result.converged,
    columns: points.columns,
    points,
    scaledPoints: scaled,
    scaling,
    excluded: points.excluded,
    seed: prepared.seed,
  };
}
