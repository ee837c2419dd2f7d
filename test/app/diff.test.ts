import { describe, expect, it } from "vitest";
import { textDiff } from "../../src/app/diff.ts";

describe("textDiff()", () => {
  it("textDiff(from, to) marks added and removed lines and folds long unchanged runs", () => {
    const same = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    const from = [...same, "old", "end"].join("\n");
    const to = [...same, "new", "end"].join("\n");
    expect(textDiff(from, to)).toEqual([
      { kind: "skipped", count: 7 },
      { kind: "same", text: "line 7" },
      { kind: "same", text: "line 8" },
      { kind: "same", text: "line 9" },
      { kind: "removed", text: "old" },
      { kind: "added", text: "new" },
      { kind: "same", text: "end" },
    ]);
  });

  it("textDiff(text, text) of equal texts is all folded", () => {
    expect(textDiff("a\nb\nc\nd\ne", "a\nb\nc\nd\ne")).toEqual([{ kind: "skipped", count: 5 }]);
  });
});
