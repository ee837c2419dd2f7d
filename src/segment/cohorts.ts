import type { Table } from "apache-arrow";
import { quoteIdent } from "./sql.ts";

export interface CohortOptions {
  customer: string;
  date: string;
  /** month (default) or week; weeks start on Monday */
  period?: "month" | "week";
}

/**
 * The SQL of a retention matrix for the relation `from`: a customer's cohort is the period of
 * their first purchase; offset is whole periods since then; a cell counts distinct active
 * customers and retention divides by the cohort's size (offset 0 is 100%). A period the data
 * covers only in part (it starts after the period starts, or ends before it ends) is flagged.
 */
export function cohortsSql(from: string, options: CohortOptions): string {
  const period = options.period ?? "month";
  if (period !== "month" && period !== "week")
    throw new Error(`invalid period: ${String(period)} (expected month or week)`);
  for (const key of ["customer", "date"] as const) {
    if (typeof options[key] !== "string" || options[key] === "")
      throw new Error(`invalid ${key}: expected a column name`);
  }
  const c = quoteIdent(options.customer);
  const d = quoteIdent(options.date);
  const offset =
    period === "month"
      ? "date_diff('month', a.cohort, a.period)"
      : "CAST(date_diff('day', a.cohort, a.period) / 7 AS INTEGER)";
  return `WITH lines AS (
  SELECT ${c} AS customer, CAST(${d} AS DATE) AS day
  FROM ${quoteIdent(from)}
  WHERE ${c} IS NOT NULL AND ${d} IS NOT NULL
),
bounds AS (SELECT min(day) AS first_day, max(day) AS last_day FROM lines),
firsts AS (
  SELECT customer, CAST(date_trunc('${period}', min(day)) AS DATE) AS cohort
  FROM lines GROUP BY customer
),
activity AS (
  SELECT DISTINCT l.customer, f.cohort, CAST(date_trunc('${period}', l.day) AS DATE) AS period
  FROM lines l JOIN firsts f USING (customer)
),
sizes AS (SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort)
SELECT a.cohort, ${offset} AS "offset", a.period,
       count(*) AS customers, s.size,
       count(*) / s.size AS retention,
       a.period < (SELECT first_day FROM bounds)
         OR CAST(a.period + INTERVAL 1 ${period} - INTERVAL 1 DAY AS DATE) > (SELECT last_day FROM bounds) AS partial
FROM activity a JOIN sizes s USING (cohort)
GROUP BY a.cohort, a.period, s.size
ORDER BY a.cohort, "offset"`;
}

export interface CohortResult {
  kind: "cohorts";
  /** one row per cohort and offset: cohort, offset, period, customers, size, retention, partial */
  matrix: Table;
  /** one row per cohort: cohort, size */
  sizes: { cohort: Date; size: number }[];
  /** the periods the data covers only in part */
  partial: Date[];
  sql: string;
}
