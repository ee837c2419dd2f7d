import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import { toRows, type Engine } from "../../src/engine/index.ts";
import { segmentationLibrary } from "../../src/runtime/segmentation.ts";
import {
  cohortsSql,
  rfmSegment,
  rfmSql,
  RFM_SEGMENTS,
  type CohortOptions,
  type CohortResult,
  type RfmOptions,
  type RfmResult,
} from "../../src/segment/index.ts";
import { expectGolden } from "../golden.ts";

let engine: Engine<string>;
let rfm: (orders: unknown, options: RfmOptions) => Promise<RfmResult>;
let cohorts: (orders: unknown, options: CohortOptions) => Promise<CohortResult>;

/** Ten customers: last purchase, distinct orders and total spend chosen so each quintile holds two. */
const CUSTOMERS: [string, string, number, number][] = [
  ["C01", "2024-06-30", 6, 600],
  ["C02", "2024-06-29", 5, 500],
  ["C03", "2024-06-20", 4, 450],
  ["C04", "2024-06-10", 4, 300],
  ["C05", "2024-05-31", 3, 250],
  ["C06", "2024-05-01", 3, 200],
  ["C07", "2024-04-01", 3, 150],
  ["C08", "2024-03-01", 2, 100],
  ["C09", "2024-02-01", 1, 50],
  ["C10", "2024-01-01", 1, 40],
];

/** Order lines: each customer's orders a week apart; every first order has two lines. */
function orderLines(): {
  order_id: string;
  customer_id: string | null;
  ordered_at: string;
  amount: number;
}[] {
  const lines: {
    order_id: string;
    customer_id: string | null;
    ordered_at: string;
    amount: number;
  }[] = [];
  for (const [customer, last, orders, total] of CUSTOMERS) {
    for (let j = 0; j < orders; j++) {
      const day = new Date(Date.parse(last) - j * 7 * 86_400_000).toISOString().slice(0, 10);
      const amount = total / orders;
      const id = `${customer}-${j}`;
      if (j === 0) {
        lines.push({ order_id: id, customer_id: customer, ordered_at: day, amount: amount / 2 });
        lines.push({ order_id: id, customer_id: customer, ordered_at: day, amount: amount / 2 });
      } else {
        lines.push({ order_id: id, customer_id: customer, ordered_at: day, amount });
      }
    }
  }
  lines.push({ order_id: "X-1", customer_id: null, ordered_at: "2024-06-30", amount: 999 });
  return lines;
}

const OPTIONS: RfmOptions = {
  customer: "customer_id",
  date: "ordered_at",
  amount: "amount",
  order: "order_id",
};

beforeAll(async () => {
  engine = await createNodeEngine();
  const library = segmentationLibrary(engine);
  rfm = library.get("rfm") as typeof rfm;
  cohorts = library.get("cohorts") as typeof cohorts;
});

afterAll(async () => {
  await engine?.close();
});

describe("rfm()", () => {
  it("the named segments cover the 25 R × F cells exactly once", () => {
    const cells = RFM_SEGMENTS.flatMap((s) => s.r.flatMap((r) => s.f.map((f) => `${r}${f}`)));
    expect(cells).toHaveLength(25);
    expect(new Set(cells).size).toBe(25);
    expect(rfmSegment(5, 5)).toBe("Champions");
    expect(rfmSegment(1, 1)).toBe("Hibernating");
    expect(rfmSegment(4, 1)).toBe("Promising");
    expect(() => rfmSegment(6, 1)).toThrow("invalid RFM scores: r 6, f 1");
  });

  it("rfmSql() is the SQL we review, as text", async () => {
    const sql = rfmSql("orders", OPTIONS);
    expect(sql).toContain("count(DISTINCT order_key) AS frequency");
    expect(sql).toContain("ntile(5) OVER (ORDER BY recency DESC, customer) AS r");
    expect(sql).toContain("WHEN r IN (5) AND f IN (4, 5) THEN 'Champions'");
    await expectGolden("segment/rfm.sql", `${sql}\n`);
  });

  it("rfm(table) scores the hand-computed fixture: recency to the day after the last date, distinct orders, quintiles, segments", async () => {
    const result = await rfm(orderLines(), OPTIONS);
    const rows = toRows(result.table).map((r) => [
      r.customer_id,
      r.recency,
      r.frequency,
      r.monetary,
      r.rfm,
      r.segment,
    ]);
    expect(rows).toEqual([
      ["C01", 1, 6, 600, "555", "Champions"],
      ["C02", 2, 5, 500, "555", "Champions"],
      ["C03", 11, 4, 450, "444", "Loyal Customers"],
      ["C04", 21, 4, 300, "444", "Loyal Customers"],
      ["C05", 31, 3, 250, "323", "About to Sleep"],
      ["C06", 61, 3, 200, "333", "Need Attention"],
      ["C07", 91, 3, 150, "232", "At Risk"],
      ["C08", 122, 2, 100, "222", "Hibernating"],
      ["C09", 151, 1, 50, "111", "Hibernating"],
      ["C10", 182, 1, 40, "111", "Hibernating"],
    ]);
    const segments = toRows(result.segments).map((s) => [s.segment, s.customers, s.share]);
    expect(segments).toEqual([
      ["Hibernating", 3, 0.3],
      ["Champions", 2, 0.2],
      ["Loyal Customers", 2, 0.2],
      ["About to Sleep", 1, 0.1],
      ["At Risk", 1, 0.1],
      ["Need Attention", 1, 0.1],
    ]);
    expect(result.sql).toContain("FROM <your table>");
  });

  it("the same data always scores the same, whatever the row order (ties broken by value, then customer)", async () => {
    const lines = orderLines();
    const a = toRows((await rfm(lines, OPTIONS)).table);
    const b = toRows((await rfm([...lines].reverse(), OPTIONS)).table);
    expect(b).toEqual(a);
  });

  it("rfm(name, {asOf}) runs on a table by name and counts recency to the given date", async () => {
    await engine.registerArrow(
      "rfm_orders",
      (await import("../../src/runtime/index.ts")).toIPC(orderLines()),
    );
    const result = await rfm("rfm_orders", { ...OPTIONS, asOf: "2024-07-31" });
    expect(toRows(result.table)[0]).toMatchObject({ customer_id: "C01", recency: 31 });
    expect(result.sql).toContain(`FROM "rfm_orders"`);
  });

  it("bad options are named: a missing column, a bad date", async () => {
    await expect(rfm(orderLines(), { ...OPTIONS, amount: "revenue" })).rejects.toThrow(/revenue/);
    expect(() => rfmSql("orders", { ...OPTIONS, asOf: "last week" })).toThrow(
      "invalid asOf: last week (expected a date as YYYY-MM-DD)",
    );
  });
});

describe("cohorts()", () => {
  /** First purchases in January, February and March 2024; the data stops on 15 March. */
  const activity = [
    ["a", "2024-01-01"],
    ["a", "2024-02-03"],
    ["a", "2024-03-10"],
    ["b", "2024-01-05"],
    ["b", "2024-02-20"],
    ["c", "2024-01-20"],
    ["d", "2024-01-31"],
    ["d", "2024-03-15"],
    ["e", "2024-02-02"],
    ["e", "2024-03-01"],
    ["f", "2024-02-28"],
    ["g", "2024-03-05"],
  ].map(([customer, day]) => ({ customer, day }));

  it("cohortsSql() is asserted as text", async () => {
    await expectGolden(
      "segment/cohorts.sql",
      `${cohortsSql("orders", { customer: "customer", date: "day" })}\n`,
    );
  });

  it("offset 0 is 100% for every cohort, retention divides by cohort size, and the partly covered month is flagged", async () => {
    const result = await cohorts(activity, { customer: "customer", date: "day" });
    const cells = toRows(result.matrix).map((r) => [
      (r.cohort as Date).toISOString().slice(0, 7),
      r.offset,
      r.customers,
      Math.round(Number(r.retention) * 1000) / 1000,
      r.partial,
    ]);
    expect(cells).toEqual([
      ["2024-01", 0, 4, 1, false],
      ["2024-01", 1, 2, 0.5, false],
      ["2024-01", 2, 2, 0.5, true],
      ["2024-02", 0, 2, 1, false],
      ["2024-02", 1, 1, 0.5, true],
      ["2024-03", 0, 1, 1, true],
    ]);
    expect(result.sizes.map((s) => s.size)).toEqual([4, 2, 1]);
    expect(result.partial.map((d) => d.toISOString().slice(0, 10))).toEqual(["2024-03-01"]);
  });

  it("weekly cohorts count whole weeks from a Monday", async () => {
    const result = await cohorts(activity.slice(0, 3), {
      customer: "customer",
      date: "day",
      period: "week",
    });
    // 1 Jan 2024 is a Monday; 3 Feb falls in the week of 29 Jan (4 weeks on), 10 Mar in that of 4 Mar (9).
    expect(toRows(result.matrix).map((r) => r.offset)).toEqual([0, 4, 9]);
    await expect(
      cohorts(activity, { customer: "customer", date: "day", period: "day" as never }),
    ).rejects.toThrow("invalid period: day (expected month or week)");
  });
});
