/** A name in a SQL text: where it is, and whether it was written in double quotes. */
export interface SqlName {
  /** the name as SQL reads it (quotes removed, doubled quotes undone) */
  name: string;
  quoted: boolean;
  /** its span in the text, quotes included */
  start: number;
  end: number;
}

/**
 * The names in a SQL text (keywords too), by a lexer that skips strings, comments and
 * dollar-quoted text.
 */
export function sqlNames(sql: string): SqlName[] {
  const names: SqlName[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") i = skipQuoted(sql, i, "'");
    else if (c === '"') {
      const end = skipQuoted(sql, i, '"');
      const name = sql.slice(i + 1, end - 1).replaceAll('""', '"');
      names.push({ name, quoted: true, start: i, end });
      i = end;
    } else if (sql.startsWith("--", i)) i = lineEnd(sql, i);
    else if (sql.startsWith("/*", i)) i = blockEnd(sql, i);
    else if (c === "$") i = skipDollar(sql, i);
    else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < sql.length && /[\w$]/.test(sql[i]!)) i++;
      names.push({ name: sql.slice(start, i), quoted: false, start, end: i });
    } else i++;
  }
  return names;
}

/**
 * The identifiers in a SQL text. Used only for SQL that the parser cannot read (DuckDB has
 * syntax, such as PIVOT, that sqlparser-rs does not know): there, a cell depends on every cell
 * name it mentions.
 */
export function sqlIdentifiers(sql: string): string[] {
  return sqlNames(sql).map((n) => n.name);
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf("\n", start);
  return end === -1 ? sql.length : end + 1;
}

function blockEnd(sql: string, start: number): number {
  const end = sql.indexOf("*/", start + 2);
  return end === -1 ? sql.length : end + 2;
}

function skipDollar(sql: string, start: number): number {
  const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(start))?.[0];
  if (!tag) return start + 1;
  const end = sql.indexOf(tag, start + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}
