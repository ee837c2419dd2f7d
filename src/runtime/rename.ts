import type { Node, Program } from "acorn";
import { ident } from "../engine/index.ts";
import { sqlNames } from "../engine/sqllex.ts";
import { freeReferences, parseCell } from "./tsrefs.ts";

/** A span of a text and what replaces it. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * A cell's source rewritten to read table or cell `to` where it read `from` — in SQL, and in a
 * TS cell's free names and `sql` templates — or undefined when it does not read `from`, or
 * when where it does cannot be told for sure (the cell is then left to the user).
 */
export function renameReferences(
  kind: "sql" | "ts",
  source: string,
  from: string,
  to: string,
): string | undefined {
  const edits = kind === "sql" ? sqlEdits(source, from, to, 0) : tsEdits(source, from, to);
  return edits === undefined || edits.length === 0 ? undefined : applyEdits(source, edits);
}

/** Words after which a name is a table (or a view, or a cell's table). */
const BEFORE_TABLE = new Set([
  "FROM",
  "JOIN",
  "INTO",
  "UPDATE",
  "TABLE",
  "DESCRIBE",
  "SUMMARIZE",
  "PIVOT",
  "UNPIVOT",
]);

/** Words that start a clause: a comma after one of them separates columns, not tables. */
const CLAUSES = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP",
  "ORDER",
  "HAVING",
  "QUALIFY",
  "WINDOW",
  "LIMIT",
  "ON",
  "USING",
  "SET",
  "VALUES",
  "RETURNING",
  "UNION",
  "EXCEPT",
  "INTERSECT",
]);

/** DuckDB's reserved words: a table named so must be quoted. */
const RESERVED = new Set(
  "ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK COLLATE COLUMN CONSTRAINT CREATE DEFAULT DEFERRABLE DESC DESCRIBE DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FROM GRANT GROUP HAVING IN INITIALLY INTERSECT INTO LATERAL LEADING LIMIT NOT NULL OFFSET ON ONLY OR ORDER PIVOT PLACING PRIMARY QUALIFY REFERENCES RETURNING SELECT SHOW SOME SUMMARIZE SYMMETRIC TABLE THEN TO TRAILING TRUE UNION UNIQUE UNPIVOT USING VARIADIC WHEN WHERE WINDOW WITH".split(
    " ",
  ),
);

/**
 * Where SQL names table `from` — unquoted regardless of case, quoted exactly, as DuckDB reads
 * them — in a table's place: after FROM, JOIN, INTO…, in a FROM list, or qualifying a column.
 * A function of that name, or another table's column (`t.from`), is not it. When the name
 * stands anywhere else (a column, an alias, a CTE), the SQL is not rewritten: undefined.
 */
function sqlEdits(sql: string, from: string, to: string, offset: number): Edit[] | undefined {
  const names = sqlNames(sql);
  const edits: Edit[] = [];
  /** the clause each open parenthesis level is in */
  const clauses: string[] = [""];
  let previous = "";
  let unsure = false;
  let last = 0;
  for (const n of names) {
    const gap = sql.slice(last, n.start);
    last = n.end;
    for (const c of gap) {
      if (c === "(") clauses.push("");
      else if (c === ")" && clauses.length > 1) clauses.pop();
    }
    const word = n.quoted ? "" : n.name.toUpperCase();
    const same = n.quoted ? n.name === from : n.name.toLowerCase() === from.toLowerCase();
    if (same) {
      const after = sql.slice(n.end);
      const separator = gap.trim();
      const qualifiedBy = /\.\s*$/.test(gap) ? previous : undefined;
      if (/^\s*\(/.test(after)) {
        // A function call of that name: not the table.
      } else if (qualifiedBy !== undefined && qualifiedBy !== "MAIN") {
        // Another table's column of that name.
      } else if (
        qualifiedBy === "MAIN" ||
        (separator === "" && BEFORE_TABLE.has(previous)) ||
        (separator === "," && clauses.at(-1) === "FROM") ||
        /^\s*\./.test(after)
      ) {
        const text =
          n.quoted || !/^[A-Za-z_][\w]*$/.test(to) || RESERVED.has(to.toUpperCase())
            ? ident(to)
            : to;
        edits.push({ start: offset + n.start, end: offset + n.end, text });
      } else {
        unsure = true;
      }
    }
    if (CLAUSES.has(word) || word === "JOIN")
      clauses[clauses.length - 1] = word === "JOIN" ? "FROM" : word;
    previous = word;
  }
  return unsure ? undefined : edits;
}

/**
 * Where a TS cell reads `from`: its free references to that name, and the table names in its
 * `sql` templates. They are found in the JavaScript Sucrase makes of the cell, which keeps
 * lines but not columns; each is carried back to the cell's own text as the same occurrence of
 * the word on the same line — unless type annotations on that line hold the word too.
 */
function tsEdits(source: string, from: string, to: string): Edit[] | undefined {
  let parsed: ReturnType<typeof parseCell>;
  try {
    parsed = parseCell(source);
  } catch {
    // A cell that does not compile reads nothing yet: there is nothing to rename in it.
    return undefined;
  }
  const { js, program } = parsed;
  const shorthand = shorthandValues(program);
  const inJs: Edit[] = freeReferences(program)
    .filter((r) => r.name === from)
    .map((r) => ({
      start: r.start,
      end: r.end,
      // `{ from }` means `{ from: from }`: the key stays.
      text: shorthand.has(r.start) ? `${from}: ${to}` : to,
    }));
  for (const quasi of sqlTemplateParts(program)) {
    const edits = sqlEdits(js.slice(quasi.start, quasi.end), from, to, quasi.start);
    if (edits === undefined) return undefined;
    inJs.push(...edits);
  }
  return carryBack(js, source, from, inJs);
}

/** Edits at offsets of the JS, moved to the same word's offsets in the source; undefined when unsure. */
function carryBack(js: string, source: string, word: string, edits: Edit[]): Edit[] | undefined {
  const jsLines = lineStarts(js);
  const sourceLines = lineStarts(source);
  const moved: Edit[] = [];
  for (const edit of edits) {
    const line = lineIndex(jsLines, edit.start);
    const inJs = wordsOf(js, jsLines, line, word);
    const inSource = wordsOf(source, sourceLines, line, word);
    const k = inJs.indexOf(edit.start);
    if (k === -1 || inJs.length !== inSource.length) return undefined;
    const start = inSource[k]!;
    moved.push({ start, end: start + (edit.end - edit.start), text: edit.text });
  }
  return moved;
}

/** Offsets where the word (any case) stands whole on a line. */
function wordsOf(text: string, starts: number[], line: number, word: string): number[] {
  const from = starts[line] ?? text.length;
  const to = starts[line + 1] ?? text.length;
  const pattern = new RegExp(`(?<![\\w$])${escape(word)}(?![\\w$])`, "gi");
  return [...text.slice(from, to).matchAll(pattern)].map((m) => from + m.index);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

function lineIndex(starts: number[], offset: number): number {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
  return line;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type AnyNode = Node & Record<string, unknown>;

/** Every node of a tree, depth first. */
function* nodes(node: unknown): Generator<AnyNode> {
  if (Array.isArray(node)) {
    for (const item of node) yield* nodes(item);
    return;
  }
  if (node === null || typeof node !== "object" || !("type" in node)) return;
  yield node as AnyNode;
  for (const [key, child] of Object.entries(node)) if (key !== "loc") yield* nodes(child);
}

/** Where `{ name }` shorthand properties put a name that is also their key. */
function shorthandValues(program: Program): Set<number> {
  const starts = new Set<number>();
  for (const node of nodes(program)) {
    if (node.type === "Property" && node.shorthand === true) starts.add((node.value as Node).start);
  }
  return starts;
}

/** The literal text parts of `sql` tagged templates: SQL, between the interpolations. */
function sqlTemplateParts(program: Program): { start: number; end: number }[] {
  const parts: { start: number; end: number }[] = [];
  for (const node of nodes(program)) {
    if (node.type !== "TaggedTemplateExpression") continue;
    const tag = node.tag as AnyNode;
    if (tag.type !== "Identifier" || tag.name !== "sql") continue;
    for (const quasi of (node.quasi as AnyNode).quasis as Node[])
      parts.push({ start: quasi.start, end: quasi.end });
  }
  return parts;
}
