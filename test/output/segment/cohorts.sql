WITH lines AS (
  SELECT "customer" AS customer, CAST("day" AS DATE) AS day
  FROM "orders"
  WHERE "customer" IS NOT NULL AND "day" IS NOT NULL
),
bounds AS (SELECT min(day) AS first_day, max(day) AS last_day FROM lines),
firsts AS (
  SELECT customer, CAST(date_trunc('month', min(day)) AS DATE) AS cohort
  FROM lines GROUP BY customer
),
activity AS (
  SELECT DISTINCT l.customer, f.cohort, CAST(date_trunc('month', l.day) AS DATE) AS period
  FROM lines l JOIN firsts f USING (customer)
),
sizes AS (SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort)
SELECT a.cohort, date_diff('month', a.cohort, a.period) AS "offset", a.period,
       count(*) AS customers, s.size,
       count(*) / s.size AS retention,
       a.period < (SELECT first_day FROM bounds)
         OR CAST(a.period + INTERVAL 1 month - INTERVAL 1 DAY AS DATE) > (SELECT last_day FROM bounds) AS partial
FROM activity a JOIN sizes s USING (cohort)
GROUP BY a.cohort, a.period, s.size
ORDER BY a.cohort, "offset"
