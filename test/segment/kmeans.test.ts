import fc from "fast-check";
import { kmeans as mlKmeans } from "ml-kmeans";
import { describe, expect, it } from "vitest";
import {
  adjustedRandIndex,
  kmeans,
  kmeansSteps,
  profile,
  silhouette,
  standardize,
} from "../../src/segment/index.ts";
import { iris, IRIS_COLUMNS, penguins, PENGUIN_COLUMNS } from "./data.ts";

/** Random 2-D blobs as records, from fast-check. */
const blobs = fc
  .array(
    fc.tuple(
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: -100, max: 100, noNaN: true }),
    ),
    { minLength: 12, maxLength: 80 },
  )
  .map((points) => points.map(([x, y]) => ({ x, y })));

describe("kmeans() properties", () => {
  it("labels are in range, sizes sum to n, and a fixed seed reproduces the labels exactly", () => {
    fc.assert(
      fc.property(
        blobs,
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (rows, k, seed) => {
          fc.pre(new Set(rows.map((r) => `${r.x},${r.y}`)).size >= k && rows.length > k);
          const a = kmeans(rows, { k, columns: ["x", "y"], seed, nInit: 3 });
          const b = kmeans(rows, { k, columns: ["x", "y"], seed, nInit: 3 });
          expect(a.labels.every((l) => l >= 0 && l < k)).toBe(true);
          expect(a.sizes.reduce((s, n) => s + n, 0)).toBe(rows.length);
          expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
          expect(b.inertia).toBe(a.inertia);
          // Canonical numbering: cluster 0 is the largest.
          expect([...a.sizes].sort((p, q) => q - p)).toEqual(a.sizes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("inertia never increases across Lloyd iterations", () => {
    fc.assert(
      fc.property(
        blobs,
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (rows, k, seed) => {
          fc.pre(new Set(rows.map((r) => `${r.x},${r.y}`)).size >= k && rows.length > k);
          const inertias = [...kmeansSteps(rows, { k, columns: ["x", "y"], seed })]
            .filter((s) => s.phase === "assign")
            .map((s) => s.inertia);
          for (let i = 1; i < inertias.length; i++)
            expect(inertias[i]!).toBeLessThanOrEqual(inertias[i - 1]! * (1 + 1e-12));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("row order does not change the best inertia over restarts", () => {
    const rows = iris();
    const shuffled = [...rows]
      .reverse()
      .sort((a, b) => Number(a.sepal_width) - Number(b.sepal_width));
    const a = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 7, nInit: 10 });
    const b = kmeans(shuffled, { k: 3, columns: IRIS_COLUMNS, seed: 7, nInit: 10 });
    expect(b.inertia).toBeCloseTo(a.inertia, 9);
  });

  it("kmeansSteps() yields the initial centroids, then each assignment and update, and returns the result", () => {
    const steps = kmeansSteps(iris(), { k: 3, columns: IRIS_COLUMNS, seed: 3 });
    const first = steps.next();
    expect(first.value).toMatchObject({ iteration: 0, phase: "init" });
    let next = steps.next();
    const phases: string[] = [];
    while (!next.done) {
      phases.push(next.value.phase);
      next = steps.next();
    }
    expect(phases.slice(0, 2)).toEqual(["assign", "update"]);
    expect(next.value.kind).toBe("kmeans");
    expect(next.value.iterations).toBe(phases.length / 2);
  });

  it("onIteration reports every iteration of every restart", () => {
    const seen: number[] = [];
    const result = kmeans(iris(), {
      k: 3,
      columns: IRIS_COLUMNS,
      nInit: 2,
      onIteration: (p) => seen.push(p.run),
    });
    expect(new Set(seen)).toEqual(new Set([0, 1]));
    expect(result.converged).toBe(true);
  });
});

describe("kmeans() against ml-kmeans, the baseline", () => {
  it("from the same initial centroids, both reach the same partition and inertia", () => {
    const rows = penguins();
    const ours = kmeans(rows, {
      k: 4,
      columns: PENGUIN_COLUMNS,
      seed: 11,
      nInit: 1,
      standardize: true,
      tol: 0,
    });
    const [init] = kmeansSteps(rows, {
      k: 4,
      columns: PENGUIN_COLUMNS,
      seed: 11,
      standardize: true,
    });
    const { n, d, values } = ours.scaledPoints;
    const points = Array.from({ length: n }, (_, i) =>
      Array.from(values.subarray(i * d, (i + 1) * d)),
    );
    const baseline = mlKmeans(points, 4, {
      initialization: init!.centroids,
      maxIterations: 300,
      tolerance: 0,
    });
    const oursLabels = Array.from(ours.points.rows, (r) => ours.labels[r]!);
    expect(adjustedRandIndex(oursLabels, baseline.clusters)).toBe(1);
    const baselineInertia = points.reduce(
      (s, p, i) =>
        s + p.reduce((t, v, j) => t + (v - baseline.centroids[baseline.clusters[i]!]![j]!) ** 2, 0),
      0,
    );
    expect(ours.inertia).toBeCloseTo(baselineInertia, 9);
  });
});

describe("standardize() and profile()", () => {
  it("standardize(zscore) uses the population SD, as StandardScaler; minmax spans [0, 1]; robust centres the median", () => {
    const rows = [{ v: 1 }, { v: 2 }, { v: 3 }, { v: 4 }, { v: null }];
    expect(
      Array.from(standardize(rows, { columns: ["v"] }).array("v") as Float64Array).map((x) =>
        x.toFixed(6),
      ),
    ).toEqual(["-1.341641", "-0.447214", "0.447214", "1.341641"]);
    expect(
      Array.from(
        standardize(rows, { columns: ["v"], method: "minmax" }).array("v") as Float64Array,
      ),
    ).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(
      Array.from(
        standardize(rows, { columns: ["v"], method: "robust" }).array("v") as Float64Array,
      ),
    ).toEqual([-1, -1 / 3, 1 / 3, 1]);
    const logged = standardize([{ m: 0 }, { m: Math.E - 1 }], { columns: ["m"], log1p: ["m"] });
    expect(Array.from(logged.array("m") as Float64Array)).toEqual([-1, 1]);
  });

  it("profile() gives size, share, stats and z-scores per cluster and a label from the most distinctive columns", () => {
    const rows = iris();
    const result = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 1 });
    const p = profile(rows, result, { columns: ["petal_length", "sepal_width"] });
    expect(p.clusters.map((c) => c.size)).toEqual(result.sizes);
    expect(p.clusters.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
    const setosa = p.clusters.find((c) => c.size === 50)!;
    expect(setosa.stats.petal_length!.mean).toBeCloseTo(1.462, 3);
    expect(setosa.stats.petal_length!.z).toBeLessThan(-1);
    expect(setosa.label).toBe("low petal_length, high sepal_width");
  });

  it("silhouette() samples past its limit, seeded, and says so", () => {
    const rows = iris();
    const result = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 1 });
    const exact = silhouette(rows, result, { columns: IRIS_COLUMNS });
    expect(exact.sampled).toBeNull();
    expect(exact.values).toHaveLength(150);
    const a = silhouette(rows, result, { columns: IRIS_COLUMNS, sample: 60, seed: 5 });
    const b = silhouette(rows, result, { columns: IRIS_COLUMNS, sample: 60, seed: 5 });
    expect(a.sampled).toEqual({ size: 60, of: 150, seed: 5 });
    expect(a.values).toHaveLength(60);
    expect(b.mean).toBe(a.mean);
    expect(Math.abs(a.mean - exact.mean)).toBeLessThan(0.1);
  });
});

describe("bad input", () => {
  const rows = [
    { recency: 1, frequency: 2, segment: "a" },
    { recency: 2, frequency: 3, segment: "b" },
    { recency: 3, frequency: 5, segment: "c" },
    { recency: 8, frequency: 1, segment: "d" },
  ];

  it("a misspelled column is named, with the columns that exist", () => {
    expect(() => kmeans(rows, { k: 2, columns: ["recncy"] })).toThrow(
      "unknown column: recncy (columns: recency, frequency, segment)",
    );
  });

  it("a non-numeric column is refused by name", () => {
    expect(() => kmeans(rows, { k: 2, columns: ["segment"] })).toThrow(
      'column segment is not numeric: row 1 holds "a"',
    );
  });

  it("NaN, infinities and nulls are left out and counted; no centroid is NaN", () => {
    const dirty = [
      ...rows,
      { recency: NaN, frequency: 1, segment: "e" },
      { recency: Infinity, frequency: 2, segment: "f" },
      { recency: null, frequency: 1, segment: "g" },
    ];
    const result = kmeans(dirty, { k: 2, columns: ["recency", "frequency"], seed: 1 });
    expect(result.excluded).toBe(3);
    expect(Array.from(result.labels.slice(4))).toEqual([-1, -1, -1]);
    expect(result.centroids.original.flat().every(Number.isFinite)).toBe(true);
  });

  it("an empty table, or one with no complete rows, is a clear error", () => {
    expect(() => kmeans([], { k: 2, columns: ["x"] })).toThrow("unknown column: x (columns: none)");
    expect(() => kmeans([{ x: null }, { x: null }, { x: null }], { k: 2, columns: ["x"] })).toThrow(
      "no complete rows to cluster: all 3 rows have a missing or non-finite value in x",
    );
  });

  it("k < 2, a fractional k and k ≥ n are refused", () => {
    expect(() => kmeans(rows, { k: 1, columns: ["recency"] })).toThrow(
      "invalid k: 1 (expected an integer ≥ 2)",
    );
    expect(() => kmeans(rows, { k: 2.5, columns: ["recency"] })).toThrow(
      "invalid k: 2.5 (expected an integer ≥ 2)",
    );
    expect(() => kmeans(rows, { k: 4, columns: ["recency"] })).toThrow(
      "invalid k: 4 (expected fewer than the 4 complete rows)",
    );
  });

  it("duplicate points: fewer distinct points than k is an error; otherwise duplicates cluster together", () => {
    const same = [{ x: 1 }, { x: 1 }, { x: 1 }, { x: 2 }, { x: 2 }];
    expect(() => kmeans(same, { k: 3, columns: ["x"] })).toThrow(
      "invalid k: 3 (the data has only 2 distinct points)",
    );
    const result = kmeans(same, { k: 2, columns: ["x"], seed: 1 });
    expect(Array.from(result.labels)).toEqual([0, 0, 0, 1, 1]);
    expect(result.inertia).toBe(0);
  });

  it("options out of range name the option", () => {
    expect(() => kmeans(rows, { k: 2, columns: ["recency"], nInit: 0 })).toThrow(
      "invalid nInit: 0 (expected an integer ≥ 1)",
    );
    expect(() => kmeans(rows, { k: 2, columns: ["recency"], seed: 1.5 })).toThrow(
      "invalid seed: 1.5 (expected an integer)",
    );
    expect(() => kmeans(rows, { k: 2, columns: [] })).toThrow(
      "invalid columns: expected a non-empty list of column names",
    );
    expect(() => standardize(rows, { columns: ["recency"], method: "max" as never })).toThrow(
      "invalid method: max",
    );
  });
});
