/** A name in a SQL text: where it is, and whether it was written in double quotes. */
export interface SqlName {
  /** the name as SQL reads it (quotes removed, doubled quotes undone) */
  name: string;
  quoted: boolean;
  /** its span in the text, quotes included */
  start: number;
  end: number;
}

/** A token of a SQL text: a name (keywords too), a string literal, or one other character. */
export type SqlToken =
  | ({ kind: "name" } & SqlName)
  /** `'text'` or dollar-quoted `$$text$$`: its value, quotes removed and doubled quotes undone */
  | { kind: "string"; value: string; start: number; end: number }
  /** any other character but white space: `(`, `)`, `;`, `,`, an operator, a digit */
  | { kind: "symbol"; value: string; start: number; end: number };

/**
 * The tokens of a SQL text, by a lexer that skips comments and white space. It knows no
 * grammar: enough to find names, strings and the brackets and semicolons between them.
 */
export function sqlTokens(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    if (c === "'") {
      i = skipQuoted(sql, i, "'");
      const value = sql.slice(start + 1, i - 1).replaceAll("''", "'");
      tokens.push({ kind: "string", value, start, end: i });
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"');
      const name = sql.slice(start + 1, i - 1).replaceAll('""', '"');
      tokens.push({ kind: "name", name, quoted: true, start, end: i });
    } else if (sql.startsWith("--", i)) i = lineEnd(sql, i);
    else if (sql.startsWith("/*", i)) i = blockEnd(sql, i);
    else if (c === "$" && dollarTag(sql, i) !== undefined) {
      const tag = dollarTag(sql, i)!;
      const close = sql.indexOf(tag, i + tag.length);
      const value = sql.slice(i + tag.length, close === -1 ? sql.length : close);
      i = close === -1 ? sql.length : close + tag.length;
      tokens.push({ kind: "string", value, start, end: i });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < sql.length && /[\w$]/.test(sql[i]!)) i++;
      tokens.push({ kind: "name", name: sql.slice(start, i), quoted: false, start, end: i });
    } else {
      i = start + 1;
      if (!/\s/.test(c)) tokens.push({ kind: "symbol", value: c, start, end: i });
    }
  }
  return tokens;
}

/**
 * The names in a SQL text (keywords too), by a lexer that skips strings, comments and
 * dollar-quoted text.
 */
export function sqlNames(sql: string): SqlName[] {
  return sqlTokens(sql).flatMap((t) =>
    t.kind === "name" ? [{ name: t.name, quoted: t.quoted, start: t.start, end: t.end }] : [],
  );
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

/** The `$tag$` that opens dollar-quoted text at `start`, if one does. */
function dollarTag(sql: string, start: number): string | undefined {
  return /^\$[A-Za-z_]*\$/.exec(sql.slice(start, start + 64))?.[0];
}
