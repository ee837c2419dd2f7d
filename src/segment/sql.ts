// Quoting for the SQL that segmentation builds. (The engine has the same two rules; segment/
// imports nothing from the other layers, so it keeps its own.)

/** A DuckDB identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function quoteText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** An ISO date (YYYY-MM-DD) as a DATE literal; anything else is an error naming the option. */
export function dateLiteral(option: string, value: string | Date): string {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (
    typeof text !== "string" ||
    !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
    Number.isNaN(Date.parse(text))
  ) {
    throw new Error(`invalid ${option}: ${String(value)} (expected a date as YYYY-MM-DD)`);
  }
  return `DATE ${quoteText(text)}`;
}
