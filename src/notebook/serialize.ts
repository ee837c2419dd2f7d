import { compactOptions } from "./datasetOptions.ts";
import { stringify } from "yaml";
import { fenceFor } from "./fences.ts";
import type { CodeCell, Notebook } from "./types.ts";

/** Write a notebook file. `parse(serialize(nb))` equals `nb` (ids are positional). */
export function serialize(nb: Notebook): string {
  const parts: string[] = [];
  const head = frontMatter(nb);
  if (head !== undefined) parts.push(head);
  for (const cell of nb.cells) parts.push(cell.kind === "markdown" ? cell.source : codeBlock(cell));
  const text = `${parts.join("\n\n")}\n`;
  return nb.lineEnding === "\n" ? text : text.replaceAll("\n", "\r\n");
}

function codeBlock(cell: CodeCell): string {
  const fence = fenceFor(cell.source);
  const info = [cell.kind, ...(cell.name === undefined ? [] : [cell.name]), ...cell.options].join(
    " ",
  );
  const body = cell.source === "" ? "" : `${cell.source}\n`;
  return `${fence}${info}\n${body}${fence}`;
}

/**
 * The front matter, or undefined when there is nothing to say. It is written even when empty
 * if the first prose would otherwise read as front matter.
 */
function frontMatter(nb: Notebook): string | undefined {
  const fields: Record<string, unknown> = {};
  if (nb.title !== "") fields.title = nb.title;
  if (nb.datasets.length > 0)
    fields.datasets = Object.fromEntries(
      nb.datasets.map((d) => [
        d.name,
        d.options && Object.keys(d.options).length > 0
          ? { file: d.source, ...compactOptions(d.options) }
          : d.source,
      ]),
    );
  Object.assign(fields, nb.meta);
  const first = nb.cells[0];
  const looksLikeFrontMatter =
    first?.kind === "markdown" && first.source.split("\n")[0]!.trimEnd() === "---";
  if (Object.keys(fields).length === 0 && !looksLikeFrontMatter) return undefined;
  const yaml = Object.keys(fields).length === 0 ? "" : stringify(fields, { lineWidth: 0 });
  return `---\n${yaml}---`;
}
