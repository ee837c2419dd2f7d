import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { END, generateStore, storeCsv } from "../../scripts/generate-datasets.ts";

const DATASETS = resolve(import.meta.dirname, "../../datasets");

describe("npm run datasets", () => {
  const store = generateStore();

  it("rebuilds the committed store files byte for byte from its seed", async () => {
    const files = storeCsv(store);
    expect(files.orders === (await readFile(resolve(DATASETS, "store-orders.csv"), "utf8"))).toBe(
      true,
    );
    expect(
      files.archetypes === (await readFile(resolve(DATASETS, "store-archetypes.csv"), "utf8")),
    ).toBe(true);
  });

  it("has about 5,000 customers and 100,000 lines, six archetypes, and the quirks of a real export", () => {
    expect(store.archetypes).toHaveLength(5000);
    expect(new Set(store.archetypes.map((a) => a.archetype)).size).toBe(6);
    expect(store.lines.length).toBeGreaterThan(90_000);
    expect(store.lines.length).toBeLessThan(110_000);
    const customers = new Set(store.lines.map((l) => l.customer_id).filter((c) => c !== null));
    expect(customers.size).toBe(5000);
    expect(store.lines.some((l) => l.invoice.startsWith("C") && l.quantity < 0)).toBe(true);
    expect(store.lines.some((l) => !l.invoice.startsWith("C") && l.quantity < 0)).toBe(true);
    expect(store.lines.filter((l) => l.customer_id === null).length).toBeGreaterThan(1000);
    // The last month is only partly covered: nothing after the window's end, mid-month.
    const last = store.lines.reduce((max, l) => (l.invoice_date > max ? l.invoice_date : max), "");
    expect(Date.parse(`${last}Z`)).toBeLessThan(END);
    expect(new Date(END).getUTCDate()).toBeGreaterThan(1);
  });

  it("is seasonal: more orders in November and December than in January and February", () => {
    const byMonth = new Array<number>(12).fill(0);
    for (const l of store.lines) byMonth[Number(l.invoice_date.slice(5, 7)) - 1]!++;
    expect(byMonth[10]! + byMonth[11]!).toBeGreaterThan(1.3 * (byMonth[0]! + byMonth[1]!));
  });
});
