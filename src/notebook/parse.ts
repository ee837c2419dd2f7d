import { readImportOptions } from "./datasetOptions.ts";
import { parseDocument } from "yaml";
import { closesFence, codeCellInfo, openingFence, type Fence } from "./fences.ts";
import { isCellName, notebook, trimProse, unixLines } from "./notebook.ts";
import type { CellSpec, DatasetRef, Notebook } from "./types.ts";

/** A notebook file that cannot be read: where, and why. */
export class NotebookError extends Error {
  override name = "NotebookError";
  /** the 1-based line of the file where the problem is */
  readonly line: number;
  /** what is wrong there, in one line */
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

/**
 * Read a notebook file: optional YAML front matter, then prose and fenced code cells. A fence
 * at column 0 whose info string starts with `sql` or `ts` opens a code cell; every other fenced
 * block stays in the prose. Throws a NotebookError, never returns a partly read notebook.
 */
export function parse(text: string): Notebook {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lineEnding = body.includes("\r\n") ? "\r\n" : "\n";
  const lines = unixLines(body).split("\n");
  const head = frontMatter(lines);
  const cells: CellSpec[] = [];
  let prose: string[] = [];
  let proseFence: Fence | undefined;
  const flush = () => {
    const source = trimProse(prose.join("\n"));
    if (source !== "") cells.push({ kind: "markdown", source });
    prose = [];
  };

  for (let i = head.end; i < lines.length; i++) {
    const line = lines[i]!;
    if (proseFence) {
      prose.push(line);
      if (closesFence(line, proseFence)) proseFence = undefined;
      continue;
    }
    const fence = openingFence(line);
    const code = fence && codeCellInfo(fence, isCellName);
    if (!fence || !code) {
      prose.push(line);
      proseFence = fence;
      continue;
    }
    flush();
    const start = i;
    const source: string[] = [];
    for (i++; i < lines.length && !closesFence(lines[i]!, fence); i++) source.push(lines[i]!);
    if (i >= lines.length)
      throw new NotebookError(start + 1, `the \`\`\`${code.kind} cell opened here is never closed`);
    cells.push({
      kind: code.kind,
      name: code.name,
      options: code.options,
      source: source.join("\n"),
    });
  }
  flush();
  return notebook({ ...head.fields, lineEnding, cells });
}

interface FrontMatter {
  /** the index of the first line after the front matter */
  end: number;
  fields: {
    title?: string;
    datasets?: DatasetRef[];
    meta?: Record<string, unknown>;
  };
}

function frontMatter(lines: string[]): FrontMatter {
  if (lines[0]?.trimEnd() !== "---") return { end: 0, fields: {} };
  const close = lines.findIndex((line, i) => i > 0 && line.trimEnd() === "---");
  if (close === -1)
    throw new NotebookError(
      1,
      "the front matter opened here is never closed (expected a line ---)",
    );
  const doc = parseDocument(lines.slice(1, close).join("\n"), { uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = 1 + (error.linePos?.[0].line ?? 1);
    throw new NotebookError(line, `front matter: ${error.message.split("\n")[0]}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { end: close + 1, fields: {} };
  if (typeof value !== "object" || Array.isArray(value))
    throw new NotebookError(2, "front matter: expected keys such as title and datasets");
  const { title, datasets, ...meta } = value as Record<string, unknown>;
  const lineOf = (key: string) =>
    2 +
    Math.max(
      0,
      lines.slice(1, close).findIndex((l) => l.startsWith(`${key}:`)),
    );
  if (title !== undefined && typeof title !== "string")
    throw new NotebookError(lineOf("title"), "front matter: title must be text");
  const refs: DatasetRef[] = [];
  if (datasets !== undefined && datasets !== null) {
    if (typeof datasets !== "object" || Array.isArray(datasets)) {
      throw new NotebookError(
        lineOf("datasets"),
        "front matter: datasets must map names to paths or URLs",
      );
    }
    for (const [name, entry] of Object.entries(datasets)) {
      const ref = datasetRef(name, entry);
      if (typeof ref === "string") {
        const at = lines.slice(1, close).findIndex((l) => l.trimStart().startsWith(`${name}:`));
        throw new NotebookError(at === -1 ? lineOf("datasets") : at + 2, `front matter: ${ref}`);
      }
      refs.push(ref);
    }
  }
  return { end: close + 1, fields: { title, datasets: refs, meta } };
}

/**
 * One `datasets` entry: `name: path` or `name: { file: path, …import options }`; or why it is
 * not one.
 */
function datasetRef(name: string, entry: unknown): DatasetRef | string {
  if (typeof entry === "string") {
    return entry === "" ? `dataset ${name} must be a path or URL` : { name, source: entry };
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    return `dataset ${name} must be a path or URL, or { file: path, options… }`;
  const { file, ...rest } = entry as Record<string, unknown>;
  if (typeof file !== "string" || file === "") return `dataset ${name} needs file: a path or URL`;
  const options = readImportOptions(rest);
  if (typeof options === "string") return `dataset ${name}: ${options}`;
  return Object.keys(options).length === 0
    ? { name, source: file }
    : { name, source: file, options };
}
