/** A query that DuckDB rejected; carries the SQL that failed and, where DuckDB says, the line. */
export class QueryError extends Error {
  override name = "QueryError";
  /** the SQL text that failed */
  readonly sql: string;
  /** the 1-based line of `sql` that DuckDB blames, when it names one */
  readonly line: number | undefined;
  /**
   * DuckDB's kind of error (`Catalog`, `Out of Memory`, …), or the JavaScript error a failure
   * inside the wasm raised (`RangeError`, `RuntimeError`), when the message says
   */
  readonly type: string | undefined;
  /** `line`: where a caller already knows it (the notebook frame hears it from the app) */
  constructor(sql: string, cause: unknown, line?: number) {
    const full = messageOf(cause);
    super(firstLine(full), { cause });
    this.sql = sql;
    // DuckDB points at the error with "LINE n:" under its message, and names its kind first:
    // both are read once, here.
    const said = /\bLINE (\d+):/.exec(full)?.[1];
    this.line = line ?? (said === undefined ? undefined : Number(said));
    const first = firstLine(full);
    this.type =
      /^([A-Z][A-Za-z ]*?) Error:/.exec(first)?.[1] ??
      /^(\w+Error)\b/.exec(first)?.[1] ??
      (cause instanceof Error && cause.name !== "Error" ? cause.name : undefined);
  }
}

/** Kinds of error that say DuckDB could not get the memory it asked for. */
const ALLOCATION = new Set(["Out of Memory", "RangeError", "RuntimeError"]);

/**
 * Whether an error, or one it wraps, is DuckDB or its wasm failing to allocate memory: after
 * one, the database may read later files wrong, so it is replaced.
 */
export function allocationFailed(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof QueryError && e.type !== undefined && ALLOCATION.has(e.type)) return true;
    if (e instanceof RangeError) return true;
  }
  return false;
}

/** A query its caller stopped (its signal fired) before it finished: not DuckDB's error. */
export class QueryStopped extends Error {
  override name = "QueryStopped";
  /** the SQL text that was stopped */
  readonly sql: string;
  constructor(sql: string, cause?: unknown) {
    super("stopped", { cause });
    this.sql = sql;
  }
}

/** DuckDB's worker died or stopped answering: the call never reached an answer. */
export class EngineLost extends Error {
  override name = "EngineLost";
  /** what happened to the worker, in a few words */
  readonly reason: string;
  constructor(reason: string) {
    super(`DuckDB stopped working (${reason}); it is being restarted`);
    this.reason = reason;
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
