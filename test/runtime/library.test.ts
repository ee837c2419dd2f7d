import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { sharedLibrary, cellLibrary, sqlText } from "../../src/runtime/library.ts";
import type { Engine } from "../../src/engine/index.ts";

const stubEngine = {} as Engine<unknown>;

describe("library", () => {
  it("cells.d.ts documents exactly the names TS cells see", async () => {
    const dts = await readFile(new URL("../../src/runtime/cells.d.ts", import.meta.url), "utf8");
    const declared = [...dts.matchAll(/^\s+(?:function|const) (\w+)/gm)].map((m) => m[1]).sort();
    const provided = [
      ...sharedLibrary({ engine: stubEngine }).keys(),
      ...cellLibrary({ engine: stubEngine }, "c1", []).keys(),
    ].sort();
    expect(declared).toEqual(provided);
    for (const name of provided)
      expect(dts).toMatch(new RegExp(`/\\*\\*[^/]+\\*/\\s+(function|const) ${name}\\b`));
  });

  it("sqlText() writes values as literals and refuses what it cannot write", () => {
    expect(sqlText(["SELECT ", ", ", ", ", ", ", ""], ["it's", 3.5, true, [1, "a"]])).toBe(
      "SELECT 'it''s', 3.5, TRUE, [1, 'a']",
    );
    expect(sqlText(["SELECT ", ""], [new Date("2024-05-01T10:00:00Z")])).toBe(
      "SELECT TIMESTAMP '2024-05-01 10:00:00.000'",
    );
    expect(() => sqlText(["SELECT ", ""], [NaN])).toThrow("invalid sql value: NaN");
    expect(() => sqlText(["SELECT ", ""], [{ a: 1 }])).toThrow("invalid sql value");
  });

  it("view() refuses an input whose value is outside its own range", () => {
    const view = cellLibrary({ engine: stubEngine }, "c1", []).get("view") as (
      spec: unknown,
    ) => unknown;
    expect(() => view({ type: "range", min: 2, max: 10, value: 11 })).toThrow(
      "invalid range input: value 11 is outside [2, 10]",
    );
    expect(() => view({ type: "select", options: ["a"], value: "b" })).toThrow(
      "invalid select input",
    );
  });
});
