import { messageOf, QueryError } from "../engine/index.ts";
import { sqlIdentifiers } from "../engine/sqllex.ts";
import type { CodeCell } from "../notebook/index.ts";
import { compileTs, errorLocation, type CompiledTs } from "./compile.ts";
import type { SqlReferences } from "./sqlrefs.ts";
import type { CellError } from "./state.ts";
import { CellSyntaxError } from "./tsrefs.ts";

/** What a cell's source mentions, worked out once per source (parsing is the costly part). */
export interface Mentions {
  kind: CodeCell["kind"];
  source: string;
  /** names the source reads: SQL table names, or a TS cell's free identifiers */
  mentioned: string[];
  compiled?: CompiledTs;
  /** a TS cell that cannot be compiled */
  problem?: CellError;
}

export interface Analysed {
  cell: CodeCell;
  /** names of other cells this cell reads */
  references: string[];
  /** names it reads that no cell defines any more, with what became of them */
  gone: string[];
  compiled?: CompiledTs;
  /** a TS cell that cannot be compiled */
  problem?: CellError;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export async function mentionsOf(
  cell: CodeCell,
  sqlReferences: (sql: string) => Promise<SqlReferences>,
): Promise<Mentions> {
  const base = { kind: cell.kind, source: cell.source };
  if (cell.kind === "ts") {
    try {
      const compiled = compileTs(cell.source);
      return { ...base, mentioned: compiled.references, compiled };
    } catch (error) {
      return { ...base, mentioned: [], problem: cellError(error, cell) };
    }
  }
  const parsed = await sqlReferences(cell.source);
  return { ...base, mentioned: parsed.ok ? parsed.tables : sqlIdentifiers(cell.source) };
}

/** A lookup of a mentioned name among a map's keys: exactly, or regardless of case. */
function caseLookup(exact: boolean) {
  return (keys: ReadonlyMap<string, unknown>) => {
    const byLower = new Map([...keys.keys()].map((k) => [k.toLowerCase(), k]));
    return (mention: string): string | undefined =>
      keys.has(mention) ? mention : exact ? undefined : byLower.get(mention.toLowerCase());
  };
}

/** The cells a cell reads, by name: exactly for TS, regardless of case for SQL (as DuckDB). */
export function resolve(
  cell: CodeCell,
  m: Mentions,
  names: ReadonlyMap<string, string>,
  goneNames: ReadonlyMap<string, string>,
): Analysed {
  // TS names are exact; SQL names match regardless of case, as DuckDB's do.
  const find = caseLookup(cell.kind === "ts");
  const defined = find(names);
  const undefinedNow = find(goneNames);
  const references = new Set<string>();
  const gone = new Set<string>();
  for (const mention of m.mentioned) {
    const name = defined(mention);
    if (name !== undefined) references.add(name);
    else {
      const old = undefinedNow(mention);
      if (old !== undefined) gone.add(old);
    }
  }
  return {
    cell,
    references: [...references],
    gone: [...gone],
    compiled: m.compiled,
    problem: m.problem,
  };
}

export function cellError(error: unknown, cell: CodeCell, compiled?: CompiledTs): CellError {
  if (error instanceof CellSyntaxError) {
    return {
      message: error.reason,
      line: error.line,
      column: error.column,
    };
  }
  const message = messageOf(error);
  if (cell.kind === "ts") {
    const at = errorLocation(error, cell.id, compiled);
    const name = error instanceof Error && error.name !== "Error" ? `${error.name}: ` : "";
    return at ? { message: `${name}${message}`, ...at } : { message: `${name}${message}` };
  }
  if (error instanceof QueryError && error.line !== undefined) return { message, line: error.line };
  return { message };
}
