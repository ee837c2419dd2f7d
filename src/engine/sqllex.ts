/**
 * The identifiers in a SQL text, by a lexer that skips strings, comments and dollar-quoted
 * text. Used only for SQL that the parser cannot read (DuckDB has syntax, such as PIVOT, that
 * sqlparser-rs does not know): there, a cell depends on every cell name it mentions.
 */
export function sqlIdentifiers(sql: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") i = skipQuoted(sql, i, "'");
    else if (c === '"') {
      const end = skipQuoted(sql, i, '"');
      names.push(sql.slice(i + 1, end - 1).replaceAll('""', '"'));
      i = end;
    } else if (sql.startsWith("--", i)) i = lineEnd(sql, i);
    else if (sql.startsWith("/*", i)) i = blockEnd(sql, i);
    else if (c === "$") i = skipDollar(sql, i);
    else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < sql.length && /[\w$]/.test(sql[i]!)) i++;
      names.push(sql.slice(start, i));
    } else i++;
  }
  return names;
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
