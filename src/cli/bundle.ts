/**
 * What `strata run` may be given besides a .md: a zip made by "Download with data" (taken out
 * into a fresh temporary folder, removed after the run) or a folder holding one notebook.
 */
import { createReadStream, statSync } from "node:fs";
import { mkdir, mkdtemp, open, readdir, rm, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { messageOf } from "../engine/index.ts";
import { BundleError, unpackNotebook, type EntrySink } from "../workspace/index.ts";
import { RunError } from "./run.ts";

export interface NotebookInput {
  /** the .md to run */
  path: string;
  /** dataset files by name, found beside the notebook in its zip */
  data: ReadonlyMap<string, string>;
  /** remove what was extracted (nothing for a .md or a folder) */
  remove(): Promise<void>;
}

/** The notebook `strata run` was given, as a .md to run. Throws a RunError for bad input. */
export async function notebookInput(path: string): Promise<NotebookInput> {
  if (/\.zip$/i.test(path)) return extract(path);
  const keep = { data: new Map<string, string>(), remove: async () => {} };
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return { path, ...keep };
  const notebooks = (await readdir(path, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && /\.md$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const [first] = notebooks;
  if (first === undefined) throw new RunError(`${path} holds no notebook (.md)`);
  if (notebooks.length > 1) {
    throw new RunError(
      `${path} holds ${notebooks.length} notebooks (${notebooks.join(", ")}); name one, e.g. strata run ${join(path, first)}`,
    );
  }
  return { path: join(path, first), ...keep };
}

async function extract(zipPath: string): Promise<NotebookInput> {
  const dir = resolve(await mkdtemp(join(tmpdir(), "strata-run-")));
  const handles = new Set<FileHandle>();
  const remove = async () => {
    for (const handle of handles) await handle.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const unpacked = await unpackNotebook(createReadStream(zipPath), zipPath, (entry) =>
      fileSink(dir, entry, handles),
    );
    const path = join(dir, unpacked.fileName);
    await writeFile(path, unpacked.text, { flag: "wx" });
    return { path, data: new Map(unpacked.datasets.map((d) => [d.name, d.value])), remove };
  } catch (error) {
    await remove();
    if (error instanceof BundleError) throw new RunError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Writes an entry to its path under `dir` and closes to that path. readZip has refused names
 * that could leave `dir`; the check here makes sure of it where the file is written.
 */
function fileSink(dir: string, entry: string, handles: Set<FileHandle>): EntrySink<string> {
  const target = resolve(dir, ...entry.split("/"));
  if (!target.startsWith(dir + sep))
    throw new RunError(`refusing to write ${entry} outside ${dir}`);
  let handle: FileHandle | undefined;
  const failed = (error: unknown) =>
    new RunError(`cannot extract ${entry}: ${messageOf(error)}`, { cause: error });
  const opened = async () => {
    if (handle) return handle;
    try {
      await mkdir(dirname(target), { recursive: true });
      handle = await open(target, "wx");
    } catch (error) {
      throw failed(error);
    }
    handles.add(handle);
    return handle;
  };
  return {
    async write(chunk) {
      const file = await opened();
      try {
        for (let at = 0; at < chunk.length;) at += (await file.write(chunk, at)).bytesWritten;
      } catch (error) {
        throw failed(error);
      }
    },
    async close() {
      const file = await opened();
      handles.delete(file);
      await file.close();
      return target;
    },
  };
}
