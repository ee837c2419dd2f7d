import { sqlTokens, type SqlToken } from "./sqllex.ts";

/** A file a `COPY … TO` statement writes: its path as written, and its format. */
export interface CopyTarget {
  path: string;
  /** `csv`, `parquet`, `json`, … as the statement's FORMAT says, or as DuckDB reads the extension */
  format: string;
}

/**
 * The files the `COPY … TO 'path'` statements of a SQL text write, in order — found by the
 * lexer (strings and comments that mention COPY do not count). A target that is not a string
 * literal (a prepared parameter) is not known here, and `COPY FROM DATABASE … TO …` copies
 * between databases, not to a file.
 */
export function copyTargets(sql: string): CopyTarget[] {
  const targets: CopyTarget[] = [];
  for (const statement of statements(sqlTokens(sql))) {
    if (!isWord(statement[0], "COPY") || isWord(statement[1], "FROM")) continue;
    let depth = 0;
    for (let i = 1; i < statement.length; i++) {
      const token = statement[i]!;
      depth += token.kind === "symbol" ? ({ "(": 1, ")": -1 }[token.value] ?? 0) : 0;
      if (depth !== 0 || !isWord(token, "TO")) continue;
      const path = statement[i + 1];
      if (path?.kind === "string")
        targets.push({ path: path.value, format: formatOf(statement.slice(i + 2), path.value) });
      break;
    }
  }
  return targets;
}

/** The tokens of each statement: split at the semicolons outside brackets. */
function statements(tokens: SqlToken[]): SqlToken[][] {
  const split: SqlToken[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "symbol" && token.value === "(") depth++;
    if (token.kind === "symbol" && token.value === ")") depth--;
    if (depth === 0 && token.kind === "symbol" && token.value === ";") split.push([]);
    else split.at(-1)!.push(token);
  }
  return split.filter((s) => s.length > 0);
}

/** The format a COPY's options name (`FORMAT parquet`, `FORMAT 'csv'`), or its path's extension. */
function formatOf(options: SqlToken[], path: string): string {
  const at = options.findIndex((t) => isWord(t, "FORMAT"));
  const named = options[at + 1];
  if (at !== -1 && named?.kind === "name") return named.name.toLowerCase();
  if (at !== -1 && named?.kind === "string") return named.value.toLowerCase();
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === "parquet") return "parquet";
  if (ext === "json" || ext === "ndjson" || ext === "jsonl") return "json";
  return "csv";
}

function isWord(token: SqlToken | undefined, word: string): boolean {
  return token?.kind === "name" && !token.quoted && token.name.toUpperCase() === word;
}
