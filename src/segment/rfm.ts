import type { Table } from "apache-arrow";
import { dateLiteral, quoteIdent, quoteText } from "./sql.ts";

export interface RfmOptions {
  /** the column that identifies a customer */
  customer: string;
  /** the column with the purchase date (or timestamp) */
  date: string;
  /** the column with the amount spent on the line */
  amount: string;
  /** the column that identifies an order; without it, each distinct purchase day counts as one order */
  order?: string;
  /** the date recency is counted to (default: the day after the latest date in the data) */
  asOf?: string | Date;
}

/** A named RFM segment: the R and F scores it covers. */
export interface RfmSegment {
  name: string;
  r: number[];
  f: number[];
}

/** The named segments of the R × F grid, a complete partition of its 25 cells. */
export const RFM_SEGMENTS: readonly RfmSegment[] = [
  { name: "Champions", r: [5], f: [4, 5] },
  { name: "Loyal Customers", r: [3, 4], f: [4, 5] },
  { name: "Potential Loyalists", r: [4, 5], f: [2, 3] },
  { name: "New Customers", r: [5], f: [1] },
  { name: "Promising", r: [4], f: [1] },
  { name: "Need Attention", r: [3], f: [3] },
  { name: "About to Sleep", r: [3], f: [1, 2] },
  { name: "Can't Lose Them", r: [1, 2], f: [5] },
  { name: "At Risk", r: [1, 2], f: [3, 4] },
  { name: "Hibernating", r: [1, 2], f: [1, 2] },
];

/** The segment of an R and F score. */
export function rfmSegment(r: number, f: number): string {
  const segment = RFM_SEGMENTS.find((s) => s.r.includes(r) && s.f.includes(f));
  if (!segment) throw new Error(`invalid RFM scores: r ${r}, f ${f} (expected 1 to 5)`);
  return segment.name;
}

/**
 * The SQL that scores customers of the relation `from`: recency in days to the as-of date,
 * frequency as distinct orders, monetary as total spend; scores 1–5 by quintile (recency
 * reversed, so the most recent are 5), ties broken by value and then customer key so the same
 * data always scores the same; and the named segment of the R × F cell. Spend is summed as a
 * decimal (to the millionth), so the total does not depend on the order of the rows.
 */
export function rfmSql(from: string, options: RfmOptions): string {
  for (const key of ["customer", "date", "amount"] as const) {
    if (typeof options[key] !== "string" || options[key] === "")
      throw new Error(`invalid ${key}: expected a column name`);
  }
  const c = quoteIdent(options.customer);
  const asOf =
    options.asOf === undefined
      ? "(SELECT max(day) + INTERVAL 1 DAY FROM lines)"
      : dateLiteral("asOf", options.asOf);
  const order = options.order === undefined ? "day" : quoteIdent(options.order);
  const segment = RFM_SEGMENTS.map(
    (s) =>
      `    WHEN r IN (${s.r.join(", ")}) AND f IN (${s.f.join(", ")}) THEN ${quoteText(s.name)}`,
  ).join("\n");
  return `WITH lines AS (
  SELECT ${c} AS customer, CAST(${quoteIdent(options.date)} AS DATE) AS day,
         ${quoteIdent(options.amount)} AS amount, ${order} AS order_key
  FROM ${quoteIdent(from)}
  WHERE ${c} IS NOT NULL AND ${quoteIdent(options.date)} IS NOT NULL AND ${quoteIdent(options.amount)} IS NOT NULL
),
customers AS (
  SELECT customer,
         date_diff('day', max(day), CAST(${asOf} AS DATE)) AS recency,
         count(DISTINCT order_key) AS frequency,
         CAST(sum(CAST(amount AS DECIMAL(38, 6))) AS DOUBLE) AS monetary
  FROM lines
  GROUP BY customer
),
scored AS (
  SELECT *,
         ntile(5) OVER (ORDER BY recency DESC, customer) AS r,
         ntile(5) OVER (ORDER BY frequency, customer) AS f,
         ntile(5) OVER (ORDER BY monetary, customer) AS m
  FROM customers
)
SELECT customer AS ${c}, recency, frequency, monetary, r, f, m,
       concat(r, f, m) AS rfm,
  CASE
${segment}
  END AS segment
FROM scored
ORDER BY customer`;
}

/** The SQL that summarises scored customers by segment: customers, share, and share of spend. */
export function rfmSegmentsSql(scored: string): string {
  return `SELECT segment, count(*) AS customers,
       count(*) / sum(count(*)) OVER () AS share,
       sum(monetary) / sum(sum(monetary)) OVER () AS monetary_share
FROM (${scored})
GROUP BY segment
ORDER BY customers DESC, segment`;
}

export interface RfmResult {
  kind: "rfm";
  /** one row per customer: recency, frequency, monetary, r, f, m, rfm and segment */
  table: Table;
  /** one row per segment: customers, share, monetary_share */
  segments: Table;
  /** the SQL that scored the customers, to read, copy and edit */
  sql: string;
}
