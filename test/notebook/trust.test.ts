import { describe, expect, it } from "vitest";
import { codeHash, notebook, parse } from "../../src/notebook/index.ts";

const text = `---
title: Orders
datasets:
  orders: datasets/orders.csv
---

# Prose

\`\`\`sql totals
SELECT 1
\`\`\`

\`\`\`ts
display(totals)
\`\`\`
`;

describe("codeHash", () => {
  it("is the SHA-256 of the code, the same for the same code", async () => {
    const hash = await codeHash(parse(text));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await codeHash(parse(text))).toBe(hash);
  });

  it("ignores the title and the prose, which are not code", async () => {
    const hash = await codeHash(parse(text));
    expect(await codeHash(parse(text.replace("title: Orders", "title: Other")))).toBe(hash);
    expect(await codeHash(parse(text.replace("# Prose", "# Other prose, longer")))).toBe(hash);
  });

  it("changes with any code: a source, a name, a kind, an option, a dataset, a cell's place", async () => {
    const hash = await codeHash(parse(text));
    const variants = [
      text.replace("SELECT 1", "SELECT 2"),
      text.replace("sql totals", "sql total"),
      text.replace("```sql totals\nSELECT 1", "```ts totals\nSELECT 1"),
      text.replace("```ts\n", "```ts hidden\n"),
      text.replace("datasets/orders.csv", "datasets/other.csv"),
      text.replace("orders: datasets", "sales: datasets"),
      text.replace("title: Orders", "title: Orders\nengine: native"),
    ];
    const hashes = await Promise.all(variants.map((v) => codeHash(parse(v))));
    for (const [i, h] of hashes.entries()) expect(h, variants[i]).not.toBe(hash);
    const swapped = notebook({
      cells: [
        { kind: "ts", source: "display(totals)" },
        { kind: "sql", name: "totals", source: "SELECT 1" },
      ],
    });
    const inOrder = notebook({
      cells: [
        { kind: "sql", name: "totals", source: "SELECT 1" },
        { kind: "ts", source: "display(totals)" },
      ],
    });
    expect(await codeHash(swapped)).not.toBe(await codeHash(inOrder));
  });

  it("does not depend on the order of front-matter keys", async () => {
    const a = notebook({ meta: { a: 1, b: { c: 2, d: 3 } } });
    const b = notebook({ meta: { b: { d: 3, c: 2 }, a: 1 } });
    expect(await codeHash(a)).toBe(await codeHash(b));
  });
});
