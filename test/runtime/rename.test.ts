import { describe, expect, it } from "vitest";
import { renameReferences } from "../../src/runtime/rename.ts";

describe("renameReferences(kind, source, from, to)", () => {
  it("rewrites a SQL cell's table names, any case and quoted, but not strings, comments, functions or other tables' columns", () => {
    const sql = [
      "-- orders by month",
      "SELECT o.amount, 'orders' AS label, ORDERS.customer_id, t.orders",
      'FROM orders o JOIN "orders" p USING (id), main.orders, other t',
      "WHERE orders(1)",
    ].join("\n");
    expect(renameReferences("sql", sql, "orders", "sales")).toBe(
      [
        "-- orders by month",
        "SELECT o.amount, 'orders' AS label, sales.customer_id, t.orders",
        'FROM sales o JOIN "sales" p USING (id), main.sales, other t',
        "WHERE orders(1)",
      ].join("\n"),
    );
  });

  it("quotes a new name that is not a plain identifier, or is a reserved word", () => {
    expect(renameReferences("sql", "SELECT * FROM base", "base", "base 2")).toBe(
      'SELECT * FROM "base 2"',
    );
    expect(renameReferences("sql", "SELECT * FROM base", "base", "order")).toBe(
      'SELECT * FROM "order"',
    );
  });

  it("finds the name in a FROM list and in a subquery's FROM, not in the select list after it", () => {
    expect(
      renameReferences(
        "sql",
        "SELECT a.x, (SELECT max(y) FROM orders) AS m FROM a, orders, b WHERE a.x IN (1, 2)",
        "orders",
        "sales",
      ),
    ).toBe("SELECT a.x, (SELECT max(y) FROM sales) AS m FROM a, sales, b WHERE a.x IN (1, 2)");
  });

  it("leaves SQL alone where the name is also a column, an alias or a CTE", () => {
    for (const sql of [
      "SELECT customer_id, count(*) AS orders FROM raw GROUP BY 1",
      "SELECT orders FROM totals",
      "WITH orders AS (SELECT 1) SELECT * FROM orders",
      "SELECT * FROM orders WHERE orders > 2",
    ])
      expect(renameReferences("sql", sql, "orders", "sales"), sql).toBeUndefined();
  });

  it("answers undefined for a cell that does not read the name", () => {
    expect(renameReferences("sql", "SELECT 1 AS ordersish", "orders", "sales")).toBeUndefined();
    expect(renameReferences("ts", "const orders = 1;\norders + 1", "orders", "sales")).toBe(
      undefined,
    );
  });

  it("rewrites a TS cell's free references and its sql templates, keeping type annotations and its own names", () => {
    const ts = [
      "const rows: Row[] = orders.toArray();",
      "const totals = sql`SELECT sum(amount) FROM orders WHERE id > ${rows.length}`;",
      "function f(orders: number) { return orders; }",
      "({ orders, count: orders.numRows, 'orders': 1 });",
    ].join("\n");
    expect(renameReferences("ts", ts, "orders", "sales")).toBe(
      [
        "const rows: Row[] = sales.toArray();",
        "const totals = sql`SELECT sum(amount) FROM sales WHERE id > ${rows.length}`;",
        "function f(orders: number) { return orders; }",
        "({ orders: sales, count: sales.numRows, 'orders': 1 });",
      ].join("\n"),
    );
  });

  it("leaves a TS cell alone where a type annotation on the same line holds the word too", () => {
    expect(
      renameReferences("ts", "const x: orders = orders;\nx", "orders", "sales"),
    ).toBeUndefined();
  });

  it("leaves a TS cell that does not compile alone", () => {
    expect(renameReferences("ts", "orders +", "orders", "sales")).toBeUndefined();
  });
});
