import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { sharedLibrary, cellLibrary, sqlText } from "../../src/runtime/library.ts";
import type { Engine } from "../../src/engine/index.ts";

const stubEngine = {} as Engine<unknown>;
const run = () => ({ cellId: "c1", outputs: [], signal: new AbortController().signal });

describe("library", () => {
  it("cells.d.ts documents exactly the names TS cells see", async () => {
    const dts = await readFile(new URL("../../src/runtime/cells.d.ts", import.meta.url), "utf8");
    const declared = [...dts.matchAll(/^\s+(?:function|const) (\w+)/gm)].map((m) => m[1]).sort();
    const provided = [
      ...sharedLibrary({ engine: stubEngine }).keys(),
      ...cellLibrary({ engine: stubEngine }, run()).keys(),
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
    const view = cellLibrary({ engine: stubEngine }, run()).get("view") as (
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

describe("library functions given promises", () => {
  it("clusterPlot(promise of a result) waits for it, so clusterPlot(kmeans(...)) works when kmeans runs in a worker", async () => {
    const { JSDOM } = await import("jsdom");
    const { kmeans } = await import("../../src/segment/index.ts");
    const { document } = new JSDOM("").window;
    const library = sharedLibrary({ engine: stubEngine, document });
    const clusterPlot = library.get("clusterPlot") as (r: unknown) => unknown;
    const result = kmeans([{ x: 1 }, { x: 2 }, { x: 10 }, { x: 11 }], {
      k: 2,
      columns: ["x"],
      seed: 1,
    });
    const later = clusterPlot(Promise.resolve(result));
    expect(later).toBeInstanceOf(Promise);
    expect(((await later) as Element).textContent).toContain("k-means clusters (k = 2)");
    expect((clusterPlot(result) as Element).tagName).toBe("svg");
  });
});
