import { describe, expect, it } from "vitest";
import { savedFileName } from "../../src/app/download.ts";

describe("savedFileName()", () => {
  it("keeps a cell's name as it is, and makes what a file system might refuse a dash", () => {
    expect(savedFileName("by_tier", ".csv")).toBe("by_tier.csv");
    expect(savedFileName("scores-segments", ".parquet")).toBe("scores-segments.parquet");
    expect(savedFileName("Ventes été", ".csv")).toBe("Ventes-été.csv");
    expect(savedFileName("../../etc/passwd", ".txt")).toBe("etc-passwd.txt");
    expect(savedFileName("a:b*c?", ".svg")).toBe("a-b-c.svg");
    expect(savedFileName("", ".png")).toBe("result.png");
  });
});
