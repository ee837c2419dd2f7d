import { describe, expect, it } from "vitest";
import {
  kmeans,
  kmeansFrom,
  kmeansSteps,
  randomSource,
  type Matrix,
} from "../../src/segment/index.ts";

/**
 * Lloyd's algorithm written out plainly, as the accelerated one must behave: every point against
 * every centre (the lowest-numbered on a tie), means summed in point order, an empty cluster
 * re-seeded at the point farthest from its centre, a stop when no label changes or the squared
 * shift is within `tol` (then one more assignment).
 */
function plainLloyd(m: Matrix, start: Float64Array, maxIter: number, tol: number) {
  const { n, d, values: X } = m;
  const k = start.length / d;
  let centers = Float64Array.from(start);
  let labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const steps: { labels: Int32Array; inertia: number; centers: Float64Array }[] = [];
  const squared = (i: number, C: Float64Array, c: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = X[i * d + j]! - C[c * d + j]!;
      s += t * t;
    }
    return s;
  };
  const assign = () => {
    let inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let c = 0; c < k; c++) {
        const s = squared(i, centers, c);
        if (s < best) {
          best = s;
          labels[i] = c;
        }
      }
      dist[i] = best;
      inertia += best;
    }
    return inertia;
  };
  let iterations = 0;
  let converged = false;
  let strict = false;
  for (let it = 1; it <= maxIter; it++) {
    iterations = it;
    const previous = labels.slice();
    const inertia = assign();
    const next = new Float64Array(k * d);
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      counts[labels[i]!]!++;
      for (let j = 0; j < d; j++) next[labels[i]! * d + j]! += X[i * d + j]!;
    }
    const taken = new Set<number>();
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) {
        for (let j = 0; j < d; j++) next[c * d + j]! /= counts[c]!;
      } else {
        let far = -1;
        for (let i = 0; i < n; i++)
          if (!taken.has(i) && (far === -1 || dist[i]! > dist[far]!)) far = i;
        taken.add(far);
        for (let j = 0; j < d; j++) next[c * d + j] = X[far * d + j]!;
      }
    }
    steps.push({ labels: labels.slice(), inertia, centers: next.slice() });
    let shift = 0;
    for (let i = 0; i < k * d; i++) shift += (next[i]! - centers[i]!) ** 2;
    centers = next;
    if (labels.every((l, i) => l === previous[i])) {
      strict = true;
      converged = true;
      break;
    }
    if (shift <= tol) {
      converged = true;
      break;
    }
  }
  if (!strict) assign();
  labels = labels.slice();
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squared(i, centers, labels[i]!);
  return { labels, centers, inertia, iterations, converged, steps };
}

function matrixOf(rows: number[][]): Matrix {
  const n = rows.length;
  const d = rows[0]!.length;
  return {
    values: Float64Array.from(rows.flat()),
    n,
    d,
    columns: Array.from({ length: d }, (_, j) => `x${j}`),
    rows: Int32Array.from({ length: n }, (_, i) => i),
    totalRows: n,
    excluded: 0,
  };
}

/** Gaussian-ish blobs around `k` random centres, with a long tail in the first column. */
function blobs(seed: number, n: number, d: number, k: number): number[][] {
  const random = randomSource(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const middles = Array.from({ length: k }, () => Array.from({ length: d }, () => 10 * random()));
  return Array.from({ length: n }, () => {
    const middle = middles[Math.floor(random() * k)]!;
    return middle.map((v, j) => v + (j === 0 ? Math.exp(normal()) : normal()));
  });
}

/** Starting centres: `k` rows drawn from the data (duplicates allowed), plus any extra ones. */
function startOf(rows: number[][], k: number, seed: number, extra: number[][] = []): Float64Array {
  const random = randomSource(seed);
  const drawn = Array.from({ length: k }, () => rows[Math.floor(random() * rows.length)]!);
  return Float64Array.from([...drawn, ...extra].flat());
}

/** Points with two or more nearest centres, at `centers`. */
function tiesAt(m: Matrix, centers: Float64Array): number {
  const { n, d, values } = m;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const squared = Array.from({ length: centers.length / d }, (_, c) =>
      values
        .subarray(i * d, (i + 1) * d)
        .reduce((s, v, j) => s + (v - centers[c * d + j]!) ** 2, 0),
    );
    const best = Math.min(...squared);
    if (squared.filter((s) => s === best).length > 1) ties++;
  }
  return ties;
}

function expectSameRun(m: Matrix, start: Float64Array, maxIter: number, tol: number) {
  const ours = kmeansFrom(m, start, { maxIter, tol });
  const plain = plainLloyd(m, start, maxIter, tol);
  expect(Array.from(ours.labels)).toEqual(Array.from(plain.labels));
  expect(Array.from(ours.centers)).toEqual(Array.from(plain.centers));
  expect(ours.iterations).toBe(plain.iterations);
  expect(ours.converged).toBe(plain.converged);
  expect(ours.inertia).toBe(plain.inertia);
  return plain;
}

describe("kmeansFrom() with Hamerly's bounds against plain Lloyd", () => {
  it("kmeansFrom(blobs, start) gives the same labels, centres, iterations and inertia, bit for bit", () => {
    for (const [seed, n, d, k] of [
      [1, 400, 2, 5],
      [2, 600, 3, 4],
      [3, 300, 1, 3],
      [4, 500, 6, 8],
      [5, 250, 10, 3],
      [6, 200, 4, 1],
    ] as const) {
      const rows = blobs(seed, n, d, Math.max(k, 2));
      expectSameRun(matrixOf(rows), startOf(rows, k, seed + 100), 300, 0);
    }
  });

  it("kmeansFrom(..., {tol}) stops on the shift at the same iteration and reassigns once more", () => {
    const rows = blobs(7, 800, 4, 6);
    const plain = expectSameRun(matrixOf(rows), startOf(rows, 6, 70), 300, 1e-3);
    expect(plain.converged).toBe(true);
    expectSameRun(matrixOf(rows), startOf(rows, 6, 71), 4, 0);
  });

  it("kmeansFrom(a bad start far from the answer) follows Lloyd through large centre moves", () => {
    const rows = blobs(8, 2000, 6, 8);
    // The first rows as the start, as the benchmark does: centres travel far in early iterations.
    const start = Float64Array.from(rows.slice(0, 8).flat());
    const plain = expectSameRun(matrixOf(rows), start, 20, 0);
    expect(plain.steps.length).toBeGreaterThan(5);
  });

  it("kmeansFrom(duplicate points and equidistant centres) breaks ties to the lowest-numbered centre", () => {
    const random = randomSource(9);
    // A 5 × 5 integer grid with many copies of each point: every point in the middle column is
    // exactly as far from the left centres as from the right ones.
    const rows = Array.from({ length: 400 }, () => [
      Math.floor(random() * 5),
      Math.floor(random() * 5),
    ]);
    const m = matrixOf(rows);
    for (const start of [
      [0, 0, 4, 0, 0, 4, 4, 4],
      [4, 4, 0, 4, 4, 0, 0, 0],
      [2, 0, 2, 4, 0, 2, 4, 2],
      // two centres on the same spot: every point ties between them
      [1, 1, 1, 1, 3, 3],
    ]) {
      expect(tiesAt(m, Float64Array.from(start))).toBeGreaterThan(0);
      expectSameRun(m, Float64Array.from(start), 300, 0);
    }
    const symmetric = matrixOf([
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
      [0, 0],
      [0, 0],
      [-2, 0],
      [2, 0],
    ]);
    const plain = expectSameRun(symmetric, Float64Array.from([-1, 0, 1, 0]), 300, 0);
    expect(plain.labels[2]).toBe(0);
  });

  it("kmeansFrom(a start with centres no point is nearest) re-seeds the empty clusters at the farthest points", () => {
    const rows = blobs(10, 500, 2, 3);
    // Two centres far out: both clusters empty in the first iteration.
    const start = startOf(rows, 3, 110, [
      [500, 500],
      [-500, 500],
    ]);
    const plain = expectSameRun(matrixOf(rows), start, 300, 0);
    const second = plain.steps[0]!.centers;
    expect(rows.some((r) => r[0] === second[6] && r[1] === second[7])).toBe(true);
    expect(rows.some((r) => r[0] === second[8] && r[1] === second[9])).toBe(true);
  });
});

describe("kmeansSteps() and kmeans() with Hamerly's bounds against plain Lloyd", () => {
  const rows = blobs(11, 600, 3, 5).map(([a, b, c]) => ({ a, b, c }));
  const columns = ["a", "b", "c"];

  it("kmeansSteps(table) yields the same labels, centroids and inertia at every step", () => {
    const steps = [...kmeansSteps(rows, { k: 5, columns, seed: 4, tol: 0 })];
    const init = steps[0]!;
    const m = matrixOf(rows.map((r) => [r.a!, r.b!, r.c!]));
    const plain = plainLloyd(m, Float64Array.from(init.centroids.flat()), 300, 0);
    const assigns = steps.filter((s) => s.phase === "assign");
    const updates = steps.filter((s) => s.phase === "update");
    expect(assigns).toHaveLength(plain.steps.length);
    plain.steps.forEach((step, i) => {
      expect(Array.from(assigns[i]!.labels)).toEqual(Array.from(step.labels));
      expect(assigns[i]!.inertia).toBe(step.inertia);
      expect(updates[i]!.centroids.flat()).toEqual(Array.from(step.centers));
    });
  });

  it("kmeans(table, {onIteration}) reports each iteration's exact inertia and ends on the same one", () => {
    const [init] = kmeansSteps(rows, { k: 5, columns, seed: 8 });
    const m = matrixOf(rows.map((r) => [r.a!, r.b!, r.c!]));
    const plain = plainLloyd(m, Float64Array.from(init!.centroids.flat()), 300, 0);
    const seen: number[] = [];
    const result = kmeans(rows, {
      k: 5,
      columns,
      seed: 8,
      nInit: 1,
      tol: 0,
      onIteration: (p) => seen.push(p.inertia),
    });
    expect(seen).toEqual(plain.steps.map((s) => s.inertia));
    expect(result.iterations).toBe(plain.iterations);
    expect(result.inertia).toBe(plain.inertia);
  });
});
