import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyChange,
  parse,
  serialize,
  type Change,
  type Notebook,
} from "../../src/notebook/index.ts";

const START = `---
title: Start
datasets:
  orders: orders.csv
---

# Orders

\`\`\`sql totals
SELECT count(*) AS n FROM orders
\`\`\`

Some text.

\`\`\`ts
totals
\`\`\`
`;

/** The notebook without its ids, which a file does not store. */
function content(nb: Notebook) {
  return { ...nb, cells: nb.cells.map(({ id: _, ...cell }) => cell) };
}

function ok(nb: Notebook, change: Change): Notebook {
  const result = applyChange(nb, change);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.notebook;
}

describe("applyChange()", () => {
  it("applyChange(nb, move) refuses to move a text that ends in an open fence above a code cell", () => {
    let nb = parse(START);
    nb = ok(nb, { type: "add", kind: "markdown", after: "c4", id: "n1", source: "```\nopen" });
    const result = applyChange(nb, { type: "move", id: "n1", delta: -1 });
    expect(result).toEqual({
      ok: false,
      cell: "n1",
      reason:
        "line 1: this fenced block is never closed, so it would swallow the cells after it (close it with a matching fence)",
    });
  });

  it("applyChange(nb, edit) keeps a text that leaves a fence open before a code cell, closing it in the file", () => {
    const nb = parse(START);
    const open = applyChange(nb, { type: "edit", id: "c3", source: "Some text.\n\n```js\nx = 1" });
    expect(open.ok && open.notebook.cells[2]?.source).toBe("Some text.\n\n```js\nx = 1\n```");
    expect(open.ok && open.note).toMatch(/a closing fence is saved at its end/);
    expect(parse(serialize(open.ok ? open.notebook : nb)).cells.map((c) => c.kind)).toEqual([
      "markdown",
      "sql",
      "markdown",
      "ts",
    ]);
    // Closed by the user, the text is saved as typed, with nothing to say.
    const closed = applyChange(nb, {
      type: "edit",
      id: "c3",
      source: "Some text.\n\n~~~js\nx = 1\n~~~",
    });
    expect(closed).toMatchObject({ ok: true });
    expect(closed.ok && closed.note).toBeUndefined();
    expect(closed.ok && closed.notebook.cells[2]?.source).toBe("Some text.\n\n~~~js\nx = 1\n~~~");
  });

  it("applyChange(nb, edit) keeps a text line that would open a code cell as text, indented, even in the last cell", () => {
    const nb = ok(parse(START), { type: "add", kind: "markdown", after: "c4", id: "n1" });
    const result = applyChange(nb, { type: "edit", id: "n1", source: "```sql\nSELECT 1\n```" });
    expect(result.ok && result.note).toMatch(/line 1 is kept as text, indented by a space/);
    const saved = result.ok ? result.notebook : nb;
    expect(saved.cells.at(-1)?.source).toBe(" ```sql\nSELECT 1\n```");
    expect(parse(serialize(saved)).cells.at(-1)?.kind).toBe("markdown");
  });

  it("applyChange(nb, add) joins new text to the text beside it and says which cell holds it", () => {
    const nb = parse(START);
    const after = applyChange(nb, { type: "add", kind: "markdown", after: "c3", id: "n1" });
    expect(after.ok && after.cell).toBe("c3");
    expect(after.ok && after.notebook.cells.find((c) => c.id === "c3")?.source).toBe(
      "Some text.\n\nNew text",
    );
    const before = applyChange(nb, { type: "add", kind: "markdown", after: "c2", id: "n2" });
    expect(before.ok && before.cell).toBe("n2");
    expect(before.ok && before.notebook.cells.map((c) => c.id)).toEqual(["c1", "c2", "n2", "c4"]);
  });

  it("applyChange(nb, remove) of the code between two texts joins them", () => {
    const nb = ok(parse(START), { type: "remove", id: "c2" });
    expect(nb.cells.map((c) => [c.id, c.kind])).toEqual([
      ["c1", "markdown"],
      ["c4", "ts"],
    ]);
    expect(nb.cells[0]?.source).toBe("# Orders\n\nSome text.");
  });

  it("applyChange(nb, edit) refuses to empty a text cell, and refuses unknown cells and bad names", () => {
    const nb = parse(START);
    expect(applyChange(nb, { type: "edit", id: "c3", source: "  \n" })).toMatchObject({
      ok: false,
      reason: "a text cell cannot be empty: delete the cell instead",
    });
    expect(applyChange(nb, { type: "edit", id: "zz", source: "x" })).toMatchObject({
      ok: false,
      reason: "unknown cell: zz",
    });
    expect(applyChange(nb, { type: "rename", id: "c2", name: "2nd" })).toMatchObject({
      ok: false,
      cell: "c2",
      reason: 'invalid cell name: "2nd" (expected an identifier such as orders or by_tier)',
    });
    expect(
      applyChange(nb, {
        type: "datasets",
        datasets: [
          { name: "a", source: "a.csv" },
          { name: "a", source: "b.csv" },
        ],
      }),
    ).toMatchObject({ ok: false, reason: "dataset a is named twice" });
  });

  it("any sequence of changes leaves parse(serialize(nb)) equal to nb, every code cell still code", () => {
    const line = fc.constantFrom(
      "text",
      "",
      "```",
      "```sql",
      "```ts x",
      "```python",
      "~~~",
      "````",
      " ```sql",
      "---",
      "# heading",
      "a `tick` here",
      "   ",
    );
    const source = fc.array(line, { maxLength: 5 }).map((lines) => lines.join("\n"));
    const name = fc.constantFrom("", "a", "b", "hidden", "9x", "by_tier", " a ");
    const pick = fc.nat({ max: 20 });
    const changeArb = fc.oneof(
      fc.record({ type: fc.constant("edit" as const), at: pick, source }),
      fc.record({
        type: fc.constant("add" as const),
        at: pick,
        kind: fc.constantFrom("markdown" as const, "sql" as const, "ts" as const),
        source: fc.option(source, { nil: undefined }),
      }),
      fc.record({ type: fc.constant("move" as const), at: pick, delta: fc.constantFrom(-1, 1) }),
      fc.record({ type: fc.constant("remove" as const), at: pick }),
      fc.record({ type: fc.constant("rename" as const), at: pick, name }),
      fc.record({
        type: fc.constant("title" as const),
        at: pick,
        title: fc.string({ maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(changeArb, { maxLength: 25 }), (steps) => {
        let nb = parse(START);
        let ids = 0;
        for (const step of steps) {
          const cell = nb.cells[step.at % Math.max(1, nb.cells.length)];
          let change: Change;
          if (step.type === "title") change = { type: "title", title: step.title };
          else if (step.type === "add")
            change = {
              type: "add",
              kind: step.kind,
              after: cell?.id,
              id: `n${++ids}`,
              source: step.source,
            };
          else if (!cell) continue;
          else if (step.type === "edit")
            change = { type: "edit", id: cell.id, source: step.source };
          else if (step.type === "move")
            change = { type: "move", id: cell.id, delta: step.delta === 1 ? 1 : -1 };
          else if (step.type === "remove") change = { type: "remove", id: cell.id };
          else change = { type: "rename", id: cell.id, name: step.name };
          const result = applyChange(nb, change);
          if (!result.ok) {
            expect(result.reason).not.toContain("\n");
            continue;
          }
          nb = result.notebook;
          const back = parse(serialize(nb));
          expect(content(back)).toEqual(content(nb));
          expect(back.cells.filter((c) => c.kind !== "markdown").length).toBe(
            nb.cells.filter((c) => c.kind !== "markdown").length,
          );
        }
      }),
      { numRuns: 400 },
    );
  });
});
