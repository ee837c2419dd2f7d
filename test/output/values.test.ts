import { describe, expect, it } from "vitest";
import { resultSummary, toJson } from "../../src/output/index.ts";
import { kmeans, silhouette } from "../../src/segment/index.ts";

const rows = Array.from({ length: 60 }, (_, i) => ({ x: (i % 3) * 10 + (i % 7) / 7, y: i % 5 }));

describe("resultSummary()", () => {
  it("drops a result's bulk, and leaves a summary as it is (the inspector summarises, then toJson does)", () => {
    const clusters = kmeans(rows, { k: 3, columns: ["x", "y"], seed: 0 });
    const scores = silhouette(rows, clusters, { sample: 40 });
    for (const result of [clusters, scores]) {
      const summary = resultSummary(result);
      expect(resultSummary(summary)).toEqual(summary);
      expect(toJson(summary)).toEqual(toJson(result));
    }
    const summary = resultSummary(scores) as Record<string, unknown>;
    expect(summary).not.toHaveProperty("values");
    expect(summary.scored).toBe(40);
    expect(summary.sampled).toEqual({ size: 40, of: 60, seed: 0 });
    expect(resultSummary(clusters)).not.toHaveProperty("points");
  });
});
