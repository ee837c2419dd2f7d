import { init, parse } from "@guanmingchiu/sqlparser-ts";

/** The tables a SQL text reads, from a real parse; or why it could not be parsed. */
export type SqlReferences = { ok: true; tables: string[] } | { ok: false; message: string };

let ready: Promise<void> | undefined;

/** Load the SQL parser's wasm once. */
export function sqlParserReady(): Promise<void> {
  ready ??= init();
  return ready;
}

/**
 * Table names a query reads, parsed with sqlparser-rs's DuckDB dialect: relation names in FROM
 * and JOIN clauses at any depth, minus the query's own CTE names, table functions
 * (`read_csv(...)`) and quoted file paths (`FROM 'orders.csv'`). Names keep their case;
 * unquoted names are compared case-insensitively by the caller, as DuckDB does.
 */
export async function sqlReferences(sql: string): Promise<SqlReferences> {
  await sqlParserReady();
  let ast: unknown;
  try {
    ast = parse(sql, "duckdb");
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const tables = new Set<string>();
  const ctes = new Set<string>();
  walk(ast, (node) => {
    const cteTables = node.cte_tables;
    if (Array.isArray(cteTables)) {
      for (const cte of cteTables) {
        const name = field(field(field(cte, "alias"), "name"), "value");
        if (typeof name === "string") ctes.add(name.toLowerCase());
      }
    }
    const table = field(node, "Table");
    if (table === undefined || field(table, "args") !== undefined) return;
    const parts = field(table, "name");
    if (!Array.isArray(parts)) return;
    const last = field(parts.at(-1), "Identifier");
    const value = field(last, "value");
    if (typeof value !== "string" || field(last, "quote_style") === "'") return;
    tables.add(value);
  });
  return { ok: true, tables: [...tables].filter((t) => !ctes.has(t.toLowerCase())) };
}

type Node = Record<string, unknown>;

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Node)[key]
    : undefined;
}

function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === "object") {
    visit(value as Node);
    for (const child of Object.values(value)) walk(child, visit);
  }
}
