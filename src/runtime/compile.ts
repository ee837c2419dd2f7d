import { HIDDEN } from "./hidden.ts";
import { freeIdentifiers, parseCell } from "./tsrefs.ts";

type AsyncFn = (...args: unknown[]) => Promise<unknown>;
const AsyncFunction: new (...args: string[]) => AsyncFn = Object.getPrototypeOf(
  async () => {},
).constructor;

/** V8 puts the parameter list and `{` on two lines before the body of a constructed function. */
const HEADER_LINES = 2;

/** A TS cell ready to run: JavaScript whose last expression is returned, and the names it reads. */
export interface CompiledTs {
  body: string;
  references: string[];
  /** where `return (` was inserted (1-based line and column), so error columns can be mapped back */
  inserted?: { line: number; column: number };
}

const RETURN = "return (";

export function compileTs(source: string): CompiledTs {
  const { js, program } = parseCell(source);
  const last = program.body.at(-1);
  let body = js;
  let inserted: CompiledTs["inserted"];
  // A lone string literal parses as a directive ("use strict"); as a cell's last line it is a value.
  // The statement, not its expression: `({ a: 1 })` parses as an object starting inside the parens.
  if (last?.type === "ExpressionStatement") {
    const statement = js.slice(last.start, last.end).replace(/;$/, "");
    body = `${js.slice(0, last.start)}${RETURN}${statement});${js.slice(last.end)}`;
    const start = last.loc?.start;
    if (start) inserted = { line: start.line, column: start.column + 1 };
  }
  return { body, references: freeIdentifiers(program), inserted };
}

/**
 * Run a compiled cell as an async function of the names in `scope` that it reads. Node's names
 * (`process`, `require`, …) are shadowed by stand-ins that refuse to be used: a guard against
 * accidents, not a security boundary (see `hidden.ts`).
 */
export function runTs(
  cell: CompiledTs,
  scope: ReadonlyMap<string, unknown>,
  id: string,
): Promise<unknown> {
  const visible = new Map([...HIDDEN, ...scope]);
  const names = cell.references.filter((name) => visible.has(name));
  const fn = new AsyncFunction(...names, `${cell.body}\n//# sourceURL=${sourceUrl(id)}`);
  return fn(...names.map((name) => visible.get(name)));
}

/** Where in the cell's own source an error thrown by its code happened, from the stack. */
export function errorLocation(
  error: unknown,
  id: string,
  cell?: CompiledTs,
): { line: number; column: number } | undefined {
  if (!(error instanceof Error) || typeof error.stack !== "string") return undefined;
  const escaped = sourceUrl(id).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(error.stack);
  if (!match) return undefined;
  const line = Number(match[1]) - HEADER_LINES;
  let column = Number(match[2]);
  const at = cell?.inserted;
  if (at && line === at.line && column >= at.column + RETURN.length) column -= RETURN.length;
  return { line, column };
}

function sourceUrl(id: string): string {
  return `strata-cell-${id.replace(/[^\w-]/g, "_")}.js`;
}
