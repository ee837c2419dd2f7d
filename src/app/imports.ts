import { isDataFile, messageOf } from "../engine/index.ts";
import { applyChange, parse, serialize } from "../notebook/index.ts";
import { blobChunks, blobSink, unpackNotebook, type NewDocument } from "../workspace/index.ts";

/** What a file given to Open… or dropped on the page is. */
export type FileKind = "notebook" | "zip" | "data" | "other";

const NOTEBOOK_FILE = /\.md$/i;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

export function fileKind(name: string): FileKind {
  if (NOTEBOOK_FILE.test(name)) return "notebook";
  if (/\.zip$/i.test(name)) return "zip";
  if (isDataFile(name)) return "data";
  return "other";
}

/** Why a file is neither a notebook nor data, in one line. */
export function refusal(name: string): string {
  const ext = /\.[^./]*$/.exec(name)?.[0] ?? "a file without an extension";
  return `${name}: Strata opens notebooks (.md, or .zip with their data) and data files (CSV, TSV, Parquet, JSON), not ${ext}.`;
}

/** A notebook file as a new, untrusted document; throws one line naming the file. */
export async function readNotebookFile(file: File): Promise<NewDocument> {
  let text: string;
  try {
    if (file.size === 0) throw new Error("the file is empty");
    text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
    if (text.trim() === "") throw new Error("the file is empty");
    return fromFile(text, file.name, file.name);
  } catch (error) {
    const message = error instanceof TypeError ? "not valid UTF-8 text" : messageOf(error);
    throw new Error(`${file.name}${/^line \d/.test(message) ? ", " : ": "}${message}`, {
      cause: error,
    });
  }
}

/** A notebook zip as a new, untrusted document and its dataset files; throws one line. */
export async function readNotebookZip(
  file: File,
): Promise<{ init: NewDocument; datasets: { name: string; value: File }[] }> {
  // Real data compresses tens of times at most; a zip that inflates far past that is a bomb.
  const limit = Math.min(4 * GIB, Math.ceil(Math.max(64 * MIB, file.size * 200) / MIB) * MIB);
  const unpacked = await unpackNotebook(blobChunks(file), file.name, blobSink, {
    entryBytes: limit,
    totalBytes: limit,
  });
  return {
    init: fromFile(unpacked.text, unpacked.fileName, file.name),
    datasets: unpacked.datasets,
  };
}

function fromFile(text: string, mdName: string, from: string): NewDocument {
  const nb = parse(text);
  return {
    title: nb.title || mdName.replace(NOTEBOOK_FILE, ""),
    text,
    origin: { kind: "file", name: from },
    snapshot: `opened from ${from}`,
  };
}

/** A notebook's text with another title (the title lives in its front matter). */
export function retitled(text: string, title: string): string {
  try {
    const result = applyChange(parse(text), { type: "title", title });
    return result.ok ? serialize(result.notebook) : text;
  } catch {
    // A text that does not parse keeps its own title; the list shows the new one.
    return text;
  }
}

/** A file name from a notebook's title: "RFM, 2024" → rfm-2024.md. */
export function fileNameFor(title: string, ext = ".md"): string {
  const slug = (title || "notebook")
    .replace(NOTEBOOK_FILE, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "notebook"}${ext}`;
}
