/** A fence line: up to three spaces, then three or more backticks or tildes, then the info string. */
export interface Fence {
  indent: number;
  char: "`" | "~";
  length: number;
  info: string;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/** The fence a line opens, following CommonMark: a backtick fence's info has no backtick. */
export function openingFence(line: string): Fence | undefined {
  const match = FENCE.exec(line);
  if (!match) return undefined;
  const char = match[2]![0] === "`" ? "`" : "~";
  const info = match[3]!;
  if (char === "`" && info.includes("`")) return undefined;
  return { indent: match[1]!.length, char, length: match[2]!.length, info: info.trim() };
}

/** Whether a line closes a fence: the same character, at least as long, nothing else. */
export function closesFence(line: string, open: Fence): boolean {
  const match = FENCE.exec(line);
  return (
    match !== null &&
    match[2]![0] === open.char &&
    match[2]!.length >= open.length &&
    match[3]!.trim() === ""
  );
}

/** A backtick fence long enough that no line of `source` can close it. */
export function fenceFor(source: string): string {
  const longest = Math.max(0, ...Array.from(source.matchAll(/`+/g), (m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** The cell a column-0 fence's info string opens (`sql name hidden`), or undefined for prose. */
export function codeCellInfo(
  fence: Fence,
  isName: (word: string) => boolean,
): { kind: "sql" | "ts"; name: string | undefined; options: string[] } | undefined {
  if (fence.indent !== 0) return undefined;
  const [kind, ...rest] = fence.info.split(/\s+/);
  if (kind !== "sql" && kind !== "ts") return undefined;
  const name = rest[0] !== undefined && isName(rest[0]) ? rest.shift() : undefined;
  return { kind, name, options: rest };
}

/**
 * What keeps a prose text from standing between two code cells: a line that would open a code
 * cell, or a fence left open (which would swallow what follows). Returns the 1-based line.
 */
export function proseProblem(
  text: string,
  isName: (word: string) => boolean,
): { line: number; kind: "opens-code" | "unclosed"; reason: string } | undefined {
  const lines = text.split("\n");
  let open: { fence: Fence; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (open) {
      if (closesFence(line, open.fence)) open = undefined;
      continue;
    }
    const fence = openingFence(line);
    if (!fence) continue;
    if (codeCellInfo(fence, isName))
      return {
        line: i + 1,
        kind: "opens-code",
        reason: "a ```sql or ```ts fence opens a code cell, not prose",
      };
    open = { fence, line: i + 1 };
  }
  return open
    ? { line: open.line, kind: "unclosed", reason: "a fenced block is never closed" }
    : undefined;
}

/**
 * A prose text made safe to stand before code cells, keeping every character the user typed: a
 * line that would open a code cell is indented by a space (Markdown shows it the same), and a
 * fence left open gets its closing fence when `closeOpen` (cells follow it). Returns what it did.
 */
export function escapeProse(
  text: string,
  isName: (word: string) => boolean,
  closeOpen: boolean,
): { text: string; notes: string[] } {
  const lines = text.split("\n");
  const notes: string[] = [];
  let open: Fence | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (open) {
      if (closesFence(line, open)) open = undefined;
      continue;
    }
    const fence = openingFence(line);
    if (!fence) continue;
    if (codeCellInfo(fence, isName)) {
      lines[i] = ` ${line}`;
      notes.push(
        `line ${i + 1} is kept as text, indented by a space: at the start of a line it would begin a code cell`,
      );
      open = openingFence(lines[i]!);
      continue;
    }
    open = fence;
  }
  if (open && closeOpen) {
    lines.push(open.char.repeat(open.length));
    notes.push(
      "a closing fence is saved at its end: the fenced block was never closed, and would swallow the cells after it",
    );
  }
  return { text: lines.join("\n"), notes };
}
