WITH lines AS (
  SELECT "customer_id" AS customer, CAST("ordered_at" AS DATE) AS day,
         "amount" AS amount, "order_id" AS order_key
  FROM "orders"
  WHERE "customer_id" IS NOT NULL AND "ordered_at" IS NOT NULL AND "amount" IS NOT NULL
),
customers AS (
  SELECT customer,
         date_diff('day', max(day), CAST((SELECT max(day) + INTERVAL 1 DAY FROM lines) AS DATE)) AS recency,
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
SELECT customer AS "customer_id", recency, frequency, monetary, r, f, m,
       concat(r, f, m) AS rfm,
  CASE
    WHEN r IN (5) AND f IN (4, 5) THEN 'Champions'
    WHEN r IN (3, 4) AND f IN (4, 5) THEN 'Loyal Customers'
    WHEN r IN (4, 5) AND f IN (2, 3) THEN 'Potential Loyalists'
    WHEN r IN (5) AND f IN (1) THEN 'New Customers'
    WHEN r IN (4) AND f IN (1) THEN 'Promising'
    WHEN r IN (3) AND f IN (3) THEN 'Need Attention'
    WHEN r IN (3) AND f IN (1, 2) THEN 'About to Sleep'
    WHEN r IN (1, 2) AND f IN (5) THEN 'Can''t Lose Them'
    WHEN r IN (1, 2) AND f IN (3, 4) THEN 'At Risk'
    WHEN r IN (1, 2) AND f IN (1, 2) THEN 'Hibernating'
  END AS segment
FROM scored
ORDER BY customer
