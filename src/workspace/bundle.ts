/**
 * A notebook and its dataset files as one zip: the .md at the top, each file where the front
 * matter says (or beside the .md when it says somewhere a zip cannot hold), and back again.
 */
import { DATA_EXTENSIONS } from "../engine/formats.ts";
import { parse, NotebookError, serialize, type Notebook } from "../notebook/index.ts";
import { BundleError } from "./bundleError.ts";
import { isControl, unsafeReason } from "./entryNames.ts";
import { bytes, readZip, writeZip, type EntrySink, type ZipEntry, type ZipLimits } from "./zip.ts";

const DATA = new Set(DATA_EXTENSIONS);
const EXPECTED_DATA = DATA_EXTENSIONS.map((e) => `.${e}`).join(", ");
const NOTEBOOK_BYTES = 16 * 1024 ** 2;

export interface UnpackedNotebook<T> {
  /** the .md's file name, without the folders it sat in */
  fileName: string;
  text: string;
  /** the datasets the zip holds, in front-matter order; those it lacks are not here */
  datasets: { name: string; value: T }[];
}

/**
 * A zip of the notebook, as `<baseName>.md`, and the files of its datasets (`files`, by dataset
 * name). A dataset whose source is a relative path inside the notebook's folder keeps it; any
 * other (`../datasets/x.csv`, an absolute path, a URL) goes beside the .md under the file's
 * base name, and the .md in the zip says so. Datasets `files` lacks are left as they are.
 */
export async function packNotebook(
  nb: Notebook,
  baseName: string,
  files: ReadonlyMap<string, Blob>,
): Promise<Blob> {
  const notebookPath = `${baseName}.md`;
  if (baseName.includes("/") || unsafeReason(notebookPath) !== undefined)
    throw new BundleError(`invalid notebook name ${baseName} (expected a file name, no folders)`);
  const used = new Set([notebookPath.toLowerCase()]);
  const entries: ZipEntry[] = [];
  const moved = new Map<string, string>();
  const present = nb.datasets.flatMap((d) => {
    const data = files.get(d.name);
    return data === undefined ? [] : [{ ...d, data }];
  });
  const stays = (source: string) =>
    source.split("/").includes("..") ? undefined : entryFor(source);
  // Sources that stay claim their paths first; the moved files take the names left over. Two
  // datasets may name one path: they share it when they are the same file, else the second moves.
  const claimed = new Map<string, Blob>();
  const moving = new Set<string>();
  for (const { name, source, data } of present) {
    const path = stays(source);
    if (path === undefined) continue;
    const holder = claimed.get(path.toLowerCase());
    if (holder === data) continue;
    if (holder !== undefined || used.has(path.toLowerCase())) {
      moving.add(name);
      continue;
    }
    claimed.set(path.toLowerCase(), data);
    used.add(path.toLowerCase());
    entries.push({ path: checkData(name, path), data });
  }
  for (const { name, source, data } of present) {
    if (stays(source) !== undefined && !moving.has(name)) continue;
    const path = unused(checkData(name, baseNameOf(data, source, name)), used);
    used.add(path.toLowerCase());
    moved.set(name, path);
    entries.push({ path, data });
  }
  const datasets = nb.datasets.map((d) => ({ ...d, source: moved.get(d.name) ?? d.source }));
  const text = serialize({ ...nb, datasets });
  return writeZip([{ path: notebookPath, data: new Blob([text]) }, ...entries]);
}

/**
 * The notebook in a zip and the dataset files it names, each streamed into the sink `open`
 * gives for its entry path. The zip holds one .md, at the top or in folders (as "compress
 * folder" makes), and nothing but the datasets its front matter names, resolved from the .md's
 * folder; anything else is a one-line BundleError naming `zipName`, and every sink is aborted.
 */
export async function unpackNotebook<T>(
  chunks: AsyncIterable<Uint8Array>,
  zipName: string,
  open: (path: string) => EntrySink<T>,
  limits?: ZipLimits,
): Promise<UnpackedNotebook<T>> {
  const fail = (reason: string, cause?: unknown) =>
    new BundleError(`${zipName}: ${reason}`, cause === undefined ? undefined : { cause });
  const notebooks: string[] = [];
  const sinks: EntrySink<T>[] = [];
  /** the first .md once it is read: entries after it are checked against it as they come */
  let found: (Resolved & { path: string; text: string }) | undefined;
  const unexpected = (path: string) =>
    fail(`unexpected entry ${path} (the notebook names no such dataset)`);

  const entries = await readZip<{ kind: "data"; value: T } | { kind: "other" }>(
    chunks,
    zipName,
    (path) => {
      const ext = extensionOf(path);
      if (ext === "md") {
        notebooks.push(path);
        if (notebooks.length > 1) return { write() {}, close: async () => ({ kind: "other" }) };
        return textSink(fail, path, (text) => {
          found = { path, text, ...resolve(fail, path, text) };
        });
      }
      if (!DATA.has(ext))
        throw fail(`unexpected entry ${path} (neither the notebook nor a data file)`);
      if (found && !found.named.has(path)) throw unexpected(path);
      const sink = open(path);
      sinks.push(sink);
      return {
        write: (chunk) => sink.write(chunk),
        close: async () => ({ kind: "data", value: await sink.close() }),
        abort: () => sink.abort?.(),
      };
    },
    limits,
  );
  try {
    if (notebooks.length > 1)
      throw fail(`${notebooks.length} notebooks inside (${notebooks.join(", ")}); expected one`);
    if (found === undefined) throw fail("no notebook (.md) inside");
    const { path, text, nb, folder, named } = found;
    const data = entries.flatMap((e) =>
      e.value.kind === "data" ? [{ path: e.path, value: e.value.value }] : [],
    );
    for (const entry of data) if (!named.has(entry.path)) throw unexpected(entry.path);
    const datasets = nb.datasets.flatMap(({ name, source }) => {
      const entry = data.find((e) => e.path === entryFor(source, folder));
      return entry === undefined ? [] : [{ name, value: entry.value }];
    });
    return { fileName: path.slice(path.lastIndexOf("/") + 1), text, datasets };
  } catch (error) {
    for (const sink of sinks) sink.abort?.();
    throw error;
  }
}

/** The notebook's text, refused past 16 MiB or when it is not UTF-8. */
function textSink(
  fail: (reason: string) => BundleError,
  path: string,
  onText: (text: string) => void,
): EntrySink<{ kind: "other" }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    write(chunk) {
      size += chunk.length;
      if (size > NOTEBOOK_BYTES) throw fail(`${path} is larger than ${bytes(NOTEBOOK_BYTES)}`);
      chunks.push(chunk.slice());
    },
    async close() {
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(joined(chunks, size));
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        throw fail(`${path} is not UTF-8 text`);
      }
      onText(text);
      return { kind: "other" };
    },
  };
}

interface Resolved {
  nb: Notebook;
  /** the .md's folder in the zip, "" at the top */
  folder: string;
  /** the entry paths its datasets resolve to */
  named: Set<string>;
}

function resolve(
  fail: (reason: string, cause?: unknown) => BundleError,
  path: string,
  text: string,
): Resolved {
  let nb: Notebook;
  try {
    nb = parse(text);
  } catch (error) {
    if (!(error instanceof NotebookError)) throw error;
    throw fail(`${path}, ${error.message}`, error);
  }
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const named = new Set<string>();
  for (const { source } of nb.datasets) {
    const entry = entryFor(source, folder);
    if (entry !== undefined) named.add(entry);
  }
  return { nb, folder, named };
}

/**
 * `source` as an entry path, resolved from `folder` and normalised, when it is a relative path
 * that stays inside the zip; undefined for URLs, absolute paths and paths that leave it.
 */
function entryFor(source: string, folder = ""): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || source.startsWith("/") || source.includes("\\"))
    return undefined;
  const parts = folder === "" ? [] : folder.split("/");
  for (const segment of source.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") parts.push(segment);
    else if (parts.pop() === undefined) return undefined;
  }
  const path = parts.join("/");
  return path !== "" && unsafeReason(path) === undefined ? path : undefined;
}

/** The name a moved dataset's file takes: the File's own name, else the source's last part. */
function baseNameOf(data: Blob, source: string, dataset: string): string {
  let base = data instanceof File ? lastPart(data.name) : "";
  if (base === "") {
    base = lastPart(source.replace(/[?#].*$/, ""));
    try {
      base = decodeURIComponent(base);
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
    }
  }
  const safe = Array.from(base, (c) =>
    c === "/" || c === "\\" || c === ":" || isControl(c.charCodeAt(0)) ? "_" : c,
  ).join("");
  return safe === "" || safe === "." || safe === ".." ? dataset : safe;
}

function lastPart(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** `path`, or `stem-2.ext`, `stem-3.ext`, … when a file of that name (in any case) is taken. */
function unused(path: string, used: ReadonlySet<string>): string {
  const dot = path.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
  let candidate = path;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${ext}`;
  return candidate;
}

function checkData(dataset: string, path: string): string {
  if (!DATA.has(extensionOf(path)))
    throw new BundleError(
      `cannot pack dataset ${dataset}: ${path} is not a data file (expected ${EXPECTED_DATA})`,
    );
  return path;
}

function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

function joined(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
