import { describe, expect, it } from "vitest";
import { toJson } from "../../src/cli/json.ts";
import { resultSummary } from "../../src/runtime/index.ts";
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

describe("toJson()", () => {
  it("keeps every item by default (the CLI's --json) and caps each array when asked (the inspector)", () => {
    const value = { labels: Int32Array.from({ length: 250 }, (_, i) => i % 3), names: ["a", "b"] };
    expect((toJson(value) as { labels: number[] }).labels).toHaveLength(250);
    expect(toJson(value, { items: 3 })).toEqual({
      labels: [0, 1, 2, "… 247 more"],
      names: ["a", "b"],
    });
  });
});
