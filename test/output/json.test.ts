import { describe, expect, it } from "vitest";
import { toJson } from "../../src/output/index.ts";

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
