import { describe, expect, it } from "vitest";
import {
  adjustedRandIndex,
  calinskiHarabasz,
  daviesBouldin,
  elbow,
  kmeans,
  kneedle,
  pca,
  silhouette,
  type KMeansResult,
} from "../../src/segment/index.ts";
import { iris, IRIS_COLUMNS, penguins, PENGUIN_COLUMNS } from "./data.ts";

// Reference figures from scikit-learn 1.2 (SEGMENTATION.md): inertia to 1e-3 relative, indices
// to 1e-3 absolute. k-means++ lands in different optima per seed, so nInit ≥ 10 restarts.
const relative = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-3);
const absolute = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThan(1e-3);

function indices(result: KMeansResult) {
  const labels = Array.from(result.points.rows, (r) => result.labels[r]!);
  return {
    silhouette: silhouette(toRecords(result), labels, { columns: result.columns }).mean,
    ch: calinskiHarabasz(result.scaledPoints, labels, result.k),
    db: daviesBouldin(result.scaledPoints, labels, result.k),
  };
}

/** The points k-means ran on, as records, one per complete row. */
function toRecords(result: KMeansResult) {
  const { n, d, values } = result.scaledPoints;
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(result.columns.map((c, j) => [c, values[i * d + j]!])),
  );
}

describe("k-means against scikit-learn", () => {
  it("iris, 4 raw features, k = 3: inertia 78.8514, silhouette 0.5528, CH 561.628, DB 0.6620, sizes 38/50/62", () => {
    const result = kmeans(iris(), { k: 3, columns: IRIS_COLUMNS, seed: 1, nInit: 10 });
    relative(result.inertia, 78.8514);
    const { silhouette: s, ch, db } = indices(result);
    absolute(s, 0.5528);
    relative(ch, 561.628);
    absolute(db, 0.662);
    expect([...result.sizes].sort()).toEqual([38, 50, 62]);
    expect(result.sizes).toEqual([62, 50, 38]);
  });

  it("iris, 4 raw features, k = 2: inertia 152.348, silhouette 0.6810", () => {
    const result = kmeans(iris(), { k: 2, columns: IRIS_COLUMNS, seed: 1, nInit: 10 });
    relative(result.inertia, 152.348);
    absolute(indices(result).silhouette, 0.681);
  });

  it("iris, 4 z-scored features, k = 3: inertia 139.8205, silhouette 0.4599, CH 241.904, DB 0.8336, sizes 47/50/53", () => {
    const result = kmeans(iris(), {
      k: 3,
      columns: IRIS_COLUMNS,
      seed: 1,
      nInit: 10,
      standardize: true,
    });
    relative(result.inertia, 139.8205);
    const { silhouette: s, ch, db } = indices(result);
    absolute(s, 0.4599);
    relative(ch, 241.904);
    absolute(db, 0.8336);
    expect(result.sizes).toEqual([53, 50, 47]);
  });

  it("penguins (342 complete), 4 z-scored features, k = 3: inertia 379.3925, silhouette 0.4472, CH 441.677, DB 0.9436, ARI 0.7928", () => {
    const data = penguins();
    const result = kmeans(data, {
      k: 3,
      columns: PENGUIN_COLUMNS,
      seed: 1,
      nInit: 10,
      standardize: true,
    });
    expect(result.points.n).toBe(342);
    expect(result.excluded).toBe(2);
    relative(result.inertia, 379.3925);
    const { silhouette: s, ch, db } = indices(result);
    absolute(s, 0.4472);
    relative(ch, 441.677);
    absolute(db, 0.9436);
    expect(result.sizes).toEqual([132, 123, 87]);
    const complete = Array.from(result.points.rows);
    absolute(
      adjustedRandIndex(
        complete.map((r) => data[r]!.Species),
        complete.map((r) => result.labels[r]),
      ),
      0.7928,
    );
  });
});

describe("choosing k against scikit-learn", () => {
  it("penguins, z-scored, k = 2..8: inertia matches the best of 20 seeds; Kneedle over k = 1..8 suggests 3", () => {
    const result = elbow(penguins(), {
      columns: PENGUIN_COLUMNS,
      k: [1, 8],
      seed: 1,
      nInit: 20,
      standardize: true,
    });
    expect(result.k).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // k = 1 is the total sum of squares: 342 rows × 4 unit-variance columns.
    relative(result.inertia[0]!, 342 * 4);
    const expected = [565.708, 379.393, 300.4, 232.597, 204.393, 187.029, 170.98];
    result.inertia.slice(1).forEach((inertia, i) => relative(inertia, expected[i]!));
    expect(result.suggested).toBe(3);
    // Over k = 2..8 alone the same curve's Kneedle knee is 5 (checked by hand: the difference
    // curve peaks at k = 5 once k = 1 is not there to anchor the normalisation).
    expect(
      elbow(penguins(), {
        columns: PENGUIN_COLUMNS,
        k: [2, 8],
        seed: 1,
        nInit: 20,
        standardize: true,
      }).suggested,
    ).toBe(5);
  });

  it("iris raw, k = 1..10: Kneedle suggests 3", () => {
    expect(elbow(iris(), { columns: IRIS_COLUMNS, k: [1, 10], seed: 1 }).suggested).toBe(3);
  });

  it("elbow(…, {metrics}) adds silhouette, CH and DB per k that agree with the single-k figures", () => {
    const result = elbow(iris(), {
      columns: IRIS_COLUMNS,
      k: [2, 4],
      seed: 1,
      metrics: ["silhouette", "ch", "db"],
    });
    absolute(result.silhouette![0]!, 0.681);
    absolute(result.silhouette![1]!, 0.5528);
    relative(result.ch![1]!, 561.628);
    absolute(result.db![1]!, 0.662);
  });

  it("kneedle() finds the four reference knees (x = 0..9, S = 1)", () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(
      kneedle(x, [100, 40, 20, 15, 10, 5, 4, 3, 2, 1], {
        curve: "convex",
        direction: "decreasing",
      }),
    ).toBe(2);
    expect(
      kneedle(x, [1, 2, 3, 4, 5, 10, 15, 20, 40, 100], {
        curve: "convex",
        direction: "increasing",
      }),
    ).toBe(7);
    expect(
      kneedle(x, [0, 60, 80, 85, 90, 95, 96, 97, 98, 99], {
        curve: "concave",
        direction: "increasing",
      }),
    ).toBe(2);
    expect(
      kneedle(x, [99, 98, 97, 96, 95, 90, 85, 80, 60, 0], {
        curve: "concave",
        direction: "decreasing",
      }),
    ).toBe(7);
  });
});

describe("pca and ARI against scikit-learn", () => {
  it("pca(iris) explains 0.924619 and 0.053066 of the variance; the first rows project as scikit-learn's up to sign", () => {
    const result = pca(iris(), { columns: IRIS_COLUMNS });
    absolute(result.explained[0]!, 0.924619);
    absolute(result.explained[1]!, 0.053066);
    const { values } = result.points;
    expect(
      [Math.abs(values[0]!), Math.abs(values[1]!), Math.abs(values[2]!), Math.abs(values[3]!)].map(
        (v) => v.toFixed(4),
      ),
    ).toEqual(["2.6841", "0.3194", "2.7141", "0.1770"]);
  });

  it("adjustedRandIndex() is 1 for relabelled partitions and matches scikit-learn on a partial match", () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2])).toBe(1);
    absolute(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 0.242424);
  });
});
