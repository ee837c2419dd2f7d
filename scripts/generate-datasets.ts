// `npm run datasets`: the sample online store, made by a seeded generator so anyone can rebuild
// it byte for byte. About 5,000 customers and 100,000 order lines over two years, with planted
// customer archetypes, seasonality, and the quirks of real exports: cancelled invoices (C…,
// negative quantities), returns (negative lines), guest lines with no customer id, and a last
// month that the data only partly covers. The archetypes go to a separate file, for checking.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { Table as WasmTable, writeParquet } from "parquet-wasm";
import { randomSource } from "../src/segment/random.ts";

export const START = Date.UTC(2024, 10, 1); // 1 Nov 2024
export const END = Date.UTC(2026, 9, 17); // 17 Oct 2026: October is only partly covered
const DAY = 86_400_000;

interface Archetype {
  name: string;
  share: number;
  /** days between orders (mean) */
  gap: number;
  /** when the customer is active, as fractions of the window [start, end] */
  active: (r: () => number) => [number, number];
  /** order lines per order, [min, max] */
  lines: [number, number];
  /** unit price range */
  price: [number, number];
  /** quantity per line range */
  quantity: [number, number];
  /** orders at most (for one-off buyers) */
  maxOrders?: number;
}

const ARCHETYPES: Archetype[] = [
  {
    name: "champions",
    share: 0.05,
    gap: 16,
    active: (r) => [r() * 0.1, 1],
    lines: [2, 4],
    price: [18, 45],
    quantity: [2, 6],
  },
  {
    name: "loyal",
    share: 0.17,
    gap: 30,
    active: (r) => [r() * 0.3, 0.97 + r() * 0.03],
    lines: [1, 3],
    price: [12, 28],
    quantity: [1, 4],
  },
  {
    name: "new",
    share: 0.12,
    gap: 20,
    active: (r) => [0.92 + r() * 0.06, 1],
    lines: [1, 3],
    price: [12, 30],
    quantity: [1, 3],
    maxOrders: 3,
  },
  {
    name: "at_risk",
    share: 0.15,
    gap: 22,
    active: (r) => [r() * 0.2, 0.5 + r() * 0.12],
    lines: [2, 3],
    price: [14, 32],
    quantity: [1, 5],
  },
  {
    name: "hibernating",
    share: 0.36,
    gap: 60,
    active: (r) => [r() * 0.25, 0.1 + r() * 0.25],
    lines: [1, 2],
    price: [8, 22],
    quantity: [1, 2],
    maxOrders: 3,
  },
  {
    name: "bargain_hunters",
    share: 0.15,
    gap: 30,
    active: (r) => [r() * 0.2, 0.9 + r() * 0.1],
    lines: [2, 3],
    price: [0.8, 3.5],
    quantity: [6, 18],
  },
];

/** More orders before Christmas, fewer after it. */
const SEASON = [0.75, 0.8, 0.95, 1, 1, 0.95, 0.9, 0.9, 1, 1.1, 1.4, 1.6];

export interface StoreLine {
  invoice: string;
  invoice_date: string;
  customer_id: string | null;
  product: string;
  quantity: number;
  unit_price: number;
}

export interface Store {
  lines: StoreLine[];
  archetypes: { customer_id: string; archetype: string }[];
}

/** The whole store, from a seed. */
export function generateStore(seed = 2024, customers = 5000): Store {
  const random = randomSource(seed);
  const between = (a: number, b: number) => a + random() * (b - a);
  const integer = (a: number, b: number) => Math.floor(between(a, b + 1));
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  const products = Array.from({ length: 400 }, (_, i) => `P${String(10_000 + i * 37).slice(0, 5)}`);
  const span = END - START;
  const orders: {
    day: number;
    customer: string | null;
    lines: Omit<StoreLine, "invoice" | "invoice_date" | "customer_id">[];
  }[] = [];
  const archetypes: Store["archetypes"] = [];

  let id = 0;
  for (const archetype of ARCHETYPES) {
    const count = Math.round(archetype.share * customers);
    for (let c = 0; c < count; c++) {
      const customer = `C${String(12_000 + id++ * 3)}`;
      archetypes.push({ customer_id: customer, archetype: archetype.name });
      const [from, to] = archetype.active(random);
      const last = Math.min(START + Math.min(1, to) * span, END - DAY);
      // Every customer buys at least once: the first order falls inside their active time.
      let day = Math.min(START + from * span + exponential(archetype.gap / 2) * DAY, last);
      let placed = 0;
      while (day <= last && placed < (archetype.maxOrders ?? Infinity)) {
        const month = new Date(day).getUTCMonth();
        if (random() < SEASON[month]! / 1.6 || placed === 0) {
          const lines = Array.from({ length: integer(...archetype.lines) }, () => ({
            product: products[integer(0, products.length - 1)]!,
            quantity: integer(...archetype.quantity),
            unit_price: Math.round(between(...archetype.price) * 100) / 100,
          }));
          orders.push({ day, customer, lines });
          placed++;
        }
        day += Math.max(1, exponential(archetype.gap)) * DAY;
      }
    }
  }
  // Guests: orders with no customer id, as exports of shop tills have.
  const guests = Math.round(orders.length * 0.03);
  for (let g = 0; g < guests; g++) {
    orders.push({
      day: START + random() * (span - DAY),
      customer: null,
      lines: [
        {
          product: products[integer(0, products.length - 1)]!,
          quantity: integer(1, 3),
          unit_price: Math.round(between(5, 25) * 100) / 100,
        },
      ],
    });
  }
  orders.sort((a, b) => a.day - b.day || String(a.customer).localeCompare(String(b.customer)));

  const lines: StoreLine[] = [];
  let invoice = 500_000;
  for (const order of orders) {
    const number = String(invoice++);
    const at = new Date(Math.floor(order.day / 60_000) * 60_000 + 9 * 3_600_000)
      .toISOString()
      .slice(0, 19)
      .replace("T", " ");
    for (const line of order.lines)
      lines.push({ invoice: number, invoice_date: at, customer_id: order.customer, ...line });
    // About 1 in 60 orders is cancelled outright: the same lines again, negated, on a C invoice.
    if (order.customer && random() < 1 / 60) {
      for (const line of order.lines)
        lines.push({
          invoice: `C${number}`,
          invoice_date: at,
          customer_id: order.customer,
          ...line,
          quantity: -line.quantity,
        });
    } else if (order.customer && random() < 0.03) {
      // A return: one line comes back, a negative quantity on the same invoice.
      const line = order.lines[0]!;
      lines.push({
        invoice: number,
        invoice_date: at,
        customer_id: order.customer,
        ...line,
        quantity: -Math.max(1, Math.floor(line.quantity / 2)),
      });
    }
  }
  return { lines, archetypes };
}

function csv(rows: Record<string, string | number | null>[], columns: string[]): string {
  const cell = (v: string | number | null) =>
    v === null
      ? ""
      : typeof v === "number"
        ? String(v)
        : /[",\n]/.test(v)
          ? `"${v.replaceAll('"', '""')}"`
          : v;
  return `${columns.join(",")}\n${rows.map((r) => columns.map((c) => cell(r[c] ?? null)).join(",")).join("\n")}\n`;
}

export const LINE_COLUMNS = [
  "invoice",
  "invoice_date",
  "customer_id",
  "product",
  "quantity",
  "unit_price",
];

export function storeCsv(store: Store): { orders: string; archetypes: string } {
  return {
    orders: csv(store.lines as unknown as Record<string, string | number | null>[], LINE_COLUMNS),
    archetypes: csv(store.archetypes, ["customer_id", "archetype"]),
  };
}

/** The order lines as a Parquet file (guest lines have an empty customer id). */
export function storeParquet(lines: readonly StoreLine[]): Uint8Array {
  const arrow = tableFromArrays({
    invoice: lines.map((l) => l.invoice),
    invoice_date: lines.map((l) => l.invoice_date),
    customer_id: lines.map((l) => l.customer_id ?? ""),
    product: lines.map((l) => l.product),
    quantity: Int32Array.from(lines, (l) => l.quantity),
    unit_price: Float64Array.from(lines, (l) => l.unit_price),
  });
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, "stream")));
}

async function main(): Promise<void> {
  const store = generateStore();
  const dir = resolve(import.meta.dirname, "../datasets");
  const files = storeCsv(store);
  await writeFile(resolve(dir, "store-orders.csv"), files.orders);
  await writeFile(resolve(dir, "store-archetypes.csv"), files.archetypes);
  await writeFile(resolve(dir, "store-orders.parquet"), storeParquet(store.lines));
  const customers = new Set(store.archetypes.map((a) => a.customer_id)).size;
  process.stdout.write(
    `datasets/store-orders.csv: ${store.lines.length.toLocaleString("en-US")} lines, ${customers.toLocaleString("en-US")} customers\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
