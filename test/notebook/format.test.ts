import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  notebook,
  parse,
  NotebookError,
  serialize,
  type CellSpec,
  type NotebookSpec,
} from "../../src/notebook/index.ts";

const EXAMPLE = `---
title: RFM segmentation of online orders
datasets:
  orders: ../datasets/orders.csv
---

# Who are our best customers?

Prose is a Markdown cell: everything between two code cells.

\`\`\`sql rfm
SELECT customer_id, count(*) AS frequency FROM orders GROUP BY customer_id
\`\`\`

\`\`\`ts clusters hidden
kmeans(rfm, { k: 4, columns: ["recency", "frequency", "monetary"], seed: 1 })
\`\`\`

\`\`\`python
print("this stays prose")
\`\`\`

\`\`\`ts
clusterPlot(clusters)
\`\`\`
`;

describe("parse()", () => {
  it("parse(text) reads front matter, prose, named SQL and TS cells with options, and keeps other fences in the prose", () => {
    const nb = parse(EXAMPLE);
    expect(nb.title).toBe("RFM segmentation of online orders");
    expect(nb.datasets).toEqual([{ name: "orders", source: "../datasets/orders.csv" }]);
    expect(nb.cells.map((c) => [c.id, c.kind, c.kind === "markdown" ? undefined : c.name])).toEqual(
      [
        ["c1", "markdown", undefined],
        ["c2", "sql", "rfm"],
        ["c3", "ts", "clusters"],
        ["c4", "markdown", undefined],
        ["c5", "ts", undefined],
      ],
    );
    const clusters = nb.cells[2];
    expect(clusters?.kind === "ts" && clusters.options).toEqual(["hidden"]);
    expect(nb.cells[3]?.source).toBe('```python\nprint("this stays prose")\n```');
    expect(serialize(nb)).toBe(EXAMPLE);
  });

  it("parse(text) keeps a CRLF file's line ending and drops a BOM", () => {
    const crlf = EXAMPLE.replaceAll("\n", "\r\n");
    const nb = parse(`\uFEFF${crlf}`);
    expect(nb.lineEnding).toBe("\r\n");
    expect(nb.cells[1]?.source).not.toContain("\r");
    expect(serialize(nb)).toBe(crlf);
  });

  it("parse(text) reads a ```sql fence inside another fenced block as prose", () => {
    const nb = parse("~~~markdown\n```sql x\nSELECT 1\n```\n~~~\n");
    expect(nb.cells).toEqual([
      { id: "c1", kind: "markdown", source: "~~~markdown\n```sql x\nSELECT 1\n```\n~~~" },
    ]);
  });

  it("parse(text) fails with the line of an unclosed cell, unclosed front matter or bad YAML, never a partial notebook", () => {
    const failure = (text: string) => {
      try {
        parse(text);
      } catch (error) {
        if (error instanceof NotebookError) return [error.line, error.message];
        throw error;
      }
      throw new Error("parsed");
    };
    expect(failure("# T\n\n```sql a\nSELECT 1\n")).toEqual([
      3,
      "line 3: the ```sql cell opened here is never closed",
    ]);
    expect(failure("---\ntitle: x\n\n# no end\n")).toEqual([
      1,
      "line 1: the front matter opened here is never closed (expected a line ---)",
    ]);
    expect(failure("---\ntitle: x\ndatasets: [a\n---\n")).toMatchObject([
      expect.any(Number),
      expect.stringMatching(/^line [34]: front matter: /),
    ]);
    expect(failure("---\ntitle: x\ntitle: y\n---\n")).toMatchObject([
      3,
      expect.stringMatching(/^line 3: front matter: .*unique/i),
    ]);
    expect(failure("---\ntitle: x\ndatasets: orders.csv\n---\n")).toEqual([
      3,
      "line 3: front matter: datasets must map names to paths or URLs",
    ]);
    expect(failure("---\ntitle: [1, 2]\n---\n")).toEqual([
      2,
      "line 2: front matter: title must be text",
    ]);
  });
});

describe("notebook()", () => {
  it("notebook(spec) merges neighbouring prose, trims blank lines and numbers ids", () => {
    const nb = notebook({
      cells: [
        { kind: "markdown", source: "\n\n# A\n" },
        { kind: "markdown", source: "B  \n\n" },
        { kind: "markdown", source: "   " },
        { kind: "sql", name: "x", source: "SELECT 1" },
      ],
    });
    expect(nb.cells).toEqual([
      { id: "c1", kind: "markdown", source: "# A\n\nB" },
      { id: "c2", kind: "sql", name: "x", options: [], source: "SELECT 1" },
    ]);
  });

  it("notebook(spec) rejects names and prose that could not be written back", () => {
    expect(() => notebook({ cells: [{ kind: "sql", name: "1x", source: "" }] })).toThrow(
      'invalid cell name: "1x"',
    );
    expect(() => notebook({ cells: [{ kind: "sql", name: "hidden", source: "" }] })).toThrow(
      "invalid cell name",
    );
    expect(() => notebook({ cells: [{ kind: "sql", options: ["echo"], source: "" }] })).toThrow(
      "would read as the cell's name",
    );
    expect(() =>
      notebook({
        cells: [
          { kind: "markdown", source: "```sql a\nSELECT 1\n```" },
          { kind: "ts", source: "1" },
        ],
      }),
    ).toThrow("invalid markdown cell c1, line 1");
    expect(() =>
      notebook({
        cells: [
          { kind: "markdown", source: "```js\nopen" },
          { kind: "ts", source: "1" },
        ],
      }),
    ).toThrow("a fenced block is never closed");
  });
});

// Generators for the round-trip property: text full of the things that break naive formats.
const piece = fc.constantFrom(
  "SELECT 1",
  "```",
  "````sql inner",
  "```ts other",
  "~~~",
  "---",
  "title: looks like front matter",
  "`inline`",
  "é漢字🙂 ñ",
  "",
  "   ",
  "\t indented",
  "# heading",
  "a `` b ``` c",
);
const codeSource = fc.array(piece, { maxLength: 8 }).map((lines) => lines.join("\n"));
const proseBlock = fc.constantFrom(
  "Some prose with `code`.",
  "```python\nprint('```sql not a cell')\n```",
  "~~~\n```sql x\nSELECT 1\n```\n~~~",
  "---\ntitle: fake\n---",
  "Ünïcödé — «quotes» ✓",
  "    indented code block",
  "* a\n* b",
  "````\n```\n````",
);
const prose = fc
  .array(proseBlock, { minLength: 1, maxLength: 4 })
  .map((blocks) => blocks.join("\n\n"));
const name = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,6}$/)
  .filter((n) => n !== "hidden" && n !== "collapsed");
const codeCell: fc.Arbitrary<CellSpec> = fc
  .record({
    kind: fc.constantFrom("sql" as const, "ts" as const),
    name: fc.option(name, { nil: undefined }),
    options: fc.array(fc.constantFrom("hidden", "collapsed", "width=640", "k=3"), { maxLength: 2 }),
    source: codeSource,
  })
  .map((c) => c);
const cell: fc.Arbitrary<CellSpec> = fc.oneof(
  codeCell,
  prose.map((source): CellSpec => ({ kind: "markdown", source })),
);
const spec: fc.Arbitrary<NotebookSpec> = fc.record({
  title: fc.oneof(fc.constant(""), fc.string({ unit: "grapheme", maxLength: 20 })),
  datasets: fc.dictionary(
    name,
    fc.constantFrom("../datasets/orders.csv", "https://example.org/a b.parquet", "data/é.json"),
  ),
  meta: fc.oneof(fc.constant({}), fc.record({ author: fc.string({ maxLength: 10 }) })),
  lineEnding: fc.constantFrom("\n" as const, "\r\n" as const),
  cells: fc.array(cell, { maxLength: 8 }),
});

describe("round trip", () => {
  it("parse(serialize(nb)) equals nb, and serialize(parse(text)) reproduces a file Strata wrote byte for byte", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const nb = notebook({ ...s, title: s.title?.replace(/\r/g, "") });
        const text = serialize(nb);
        expect(parse(text)).toEqual(nb);
        expect(serialize(parse(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("dataset import options in the front matter", () => {
  it("an entry with options reads back, writes back the same, and a wrong option names the dataset and its line", () => {
    const text = [
      "---",
      "datasets:",
      "  plain: plain.csv",
      "  retail:",
      "    file: retail.csv",
      "    delimiter: ;",
      "    header: false",
      "    encoding: latin-1",
      "    types:",
      "      InvoiceDate: TIMESTAMP",
      "---",
      "",
      "```sql",
      "SELECT 1",
      "```",
      "",
    ].join("\n");
    const nb = parse(text);
    expect(nb.datasets).toEqual([
      { name: "plain", source: "plain.csv" },
      {
        name: "retail",
        source: "retail.csv",
        options: {
          delimiter: ";",
          header: false,
          encoding: "latin-1",
          types: { InvoiceDate: "TIMESTAMP" },
        },
      },
    ]);
    expect(serialize(nb)).toBe(text);
    const bad = text.replace("encoding: latin-1", "encodin: latin-1");
    expect(() => parse(bad)).toThrow(
      /line 4: front matter: dataset retail: unknown option encodin/,
    );
    expect(() => parse(text.replace("header: false", "header: nope"))).toThrow(
      /dataset retail: header must be true or false/,
    );
  });
});
