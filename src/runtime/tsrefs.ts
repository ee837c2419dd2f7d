import { parse, type ImportExpression, type Program } from "acorn";
import { analyze } from "eslint-scope";
import type { Program as EstreeProgram } from "estree";
import { transform } from "sucrase";

/** A cell's code that cannot be read, with the position in the cell's own source. */
export class CellSyntaxError extends Error {
  override name = "CellSyntaxError";
  /** 1-based line in the cell */
  readonly line: number;
  /** 1-based column in the cell */
  readonly column: number;
  /** what is wrong there, without the position */
  readonly reason: string;
  constructor(reason: string, line: number, column: number, cause?: unknown) {
    super(`line ${line}, column ${column}: ${reason}`, { cause });
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** A TS cell stripped of types (line numbers kept, as Sucrase does) and parsed as an async function body. */
export interface ParsedCell {
  /** the JavaScript, line for line with the cell's source */
  js: string;
  program: Program;
}

export function parseCell(source: string): ParsedCell {
  let js: string;
  try {
    js = transform(source, {
      transforms: ["typescript"],
      disableESTransforms: true,
      keepUnusedImports: true,
    }).code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Sucrase reports 1-based columns, acorn 0-based ones.
    const loc = locOf(error);
    throw new CellSyntaxError(
      message.replace(/\s*\(\d+:\d+\)$/, ""),
      loc.line,
      Math.max(1, loc.column),
      error,
    );
  }
  let program: Program;
  try {
    program = parse(js, {
      ecmaVersion: "latest",
      sourceType: "script",
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      locations: true,
      ranges: true,
    });
  } catch (error) {
    const loc = locOf(error);
    const message =
      error instanceof Error ? error.message.replace(/\s*\(\d+:\d+\)$/, "") : String(error);
    throw new CellSyntaxError(message, loc.line, loc.column + 1, error);
  }
  // A cell sees the cell library, not modules: `import()` would load any, Node's too (hidden.ts).
  const load = findImport(program);
  if (load) {
    const start = load.loc?.start ?? { line: 1, column: 0 };
    throw new CellSyntaxError(
      "import() is not available in a notebook cell",
      start.line,
      start.column + 1,
    );
  }
  return { js, program };
}

/** The first `import(…)` expression anywhere in a tree, found by walking every child node. */
function findImport(node: unknown): ImportExpression | undefined {
  if (node === null || typeof node !== "object") return undefined;
  if ("type" in node && node.type === "ImportExpression") return node as ImportExpression;
  for (const [key, child] of Object.entries(node)) {
    if (key === "loc") continue;
    const found = findImport(child);
    if (found) return found;
  }
  return undefined;
}

/** The free identifiers of a cell: names it reads that it does not declare itself. */
export function freeIdentifiers(program: Program): string[] {
  return [...new Set(freeReferences(program).map((r) => r.name))];
}

/** Each place a cell reads a name it does not declare itself: the name and its span in the JS. */
export function freeReferences(program: Program): { name: string; start: number; end: number }[] {
  // eslint-scope cannot see top-level await or return in a script; wrap the body for analysis.
  const range = [program.start, program.end];
  const wrapped = {
    type: "Program",
    range,
    sourceType: "script",
    body: [
      {
        type: "ExpressionStatement",
        range,
        expression: {
          type: "ArrowFunctionExpression",
          async: true,
          expression: false,
          generator: false,
          params: [],
          range,
          body: { type: "BlockStatement", body: program.body, range },
        },
      },
    ],
  };
  // acorn builds ESTree; the two packages type the same tree differently.
  const scopes = analyze(wrapped as unknown as EstreeProgram, {
    ecmaVersion: 2022,
    sourceType: "script",
  });
  return (scopes.globalScope?.through ?? []).map(({ identifier }) => {
    const [start, end] = identifier.range ?? [0, 0];
    return { name: identifier.name, start, end };
  });
}

function locOf(error: unknown): { line: number; column: number } {
  if (error !== null && typeof error === "object" && "loc" in error) {
    const loc = (error as { loc?: { line?: number; column?: number } }).loc;
    return { line: loc?.line ?? 1, column: loc?.column ?? 0 };
  }
  return { line: 1, column: 0 };
}
