/** A query that DuckDB rejected; carries the SQL that failed. */
export class QueryError extends Error {
  override name = "QueryError";
  /** the SQL text that failed */
  readonly sql: string;
  constructor(sql: string, cause: unknown) {
    super(firstLine(messageOf(cause)), { cause });
    this.sql = sql;
  }
}

/** A file that could not be loaded; names the file, the reason and, where known, the line. */
export class LoadError extends Error {
  override name = "LoadError";
  /** the file name as the user gave it */
  readonly file: string;
  /** why it could not be loaded, in one line */
  readonly reason: string;
  /** the 1-based line of the file where the problem is, when there is one */
  readonly line: number | undefined;
  constructor(file: string, reason: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? "" : `, line ${options.line}`;
    super(`${file}${where}: ${reason}`, { cause: options.cause });
    this.file = file;
    this.reason = reason;
    this.line = options.line;
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** DuckDB messages run to many lines of hints; the first says what went wrong. */
export function firstLine(message: string): string {
  const line = message.split("\n").find((l) => l.trim() !== "") ?? message;
  return line.trim();
}
