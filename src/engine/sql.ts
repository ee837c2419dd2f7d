/** Quote a name for use as a DuckDB identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quote text as a DuckDB string literal. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
