import { applyChange, notebook, parse, serialize } from "../notebook/index.ts";
import { newId } from "./idb.ts";
import type { DocumentRecord, FileRecord } from "./records.ts";

/**
 * Strata 0.1 kept one notebook ("notebook" store, key "current") and global datasets
 * ("datasets", by table name). Inside the upgrade's transaction, so it is all or nothing: they
 * become one document that owns those files and names them in its front matter.
 */
export function migrateFromV1(db: IDBDatabase, tx: IDBTransaction, now: number): void {
  if (!db.objectStoreNames.contains("notebook")) return;
  const saved = tx.objectStore("notebook").get("current");
  saved.onsuccess = () => {
    const old: unknown = saved.result;
    const withDatasets = (all: unknown[]) => {
      const datasets = all.filter(isOldDataset);
      if (isOldNotebook(old)) write(tx, old, datasets, now);
      // Files without their notebook still belong to someone: keep them in one of their own.
      else if (datasets.length > 0)
        write(tx, { text: serialize(notebook({ title: "Recovered datasets" })) }, datasets, now);
      db.deleteObjectStore("notebook");
      if (db.objectStoreNames.contains("datasets")) db.deleteObjectStore("datasets");
    };
    if (!db.objectStoreNames.contains("datasets")) return withDatasets([]);
    const datasets = tx.objectStore("datasets").getAll();
    datasets.onsuccess = () => withDatasets(datasets.result);
  };
}

interface OldNotebook {
  text: string;
  source?: unknown;
  savedAt?: unknown;
}
interface OldDataset {
  name: string;
  file: Blob;
}

function isOldNotebook(value: unknown): value is OldNotebook {
  return (
    typeof value === "object" && value !== null && typeof Reflect.get(value, "text") === "string"
  );
}

function isOldDataset(value: unknown): value is OldDataset {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof Reflect.get(value, "name") === "string" &&
    Reflect.get(value, "file") instanceof Blob
  );
}

function write(tx: IDBTransaction, old: OldNotebook, datasets: OldDataset[], now: number): void {
  const id = newId();
  const files: FileRecord[] = datasets.map((d) => ({
    docId: id,
    name: d.name,
    fileName: d.file instanceof File && d.file.name !== "" ? d.file.name : `${d.name}.csv`,
    file: d.file,
  }));
  let text = old.text;
  let title = "Recovered notebook";
  try {
    const nb = parse(old.text);
    title = nb.title || title;
    const named = new Set(nb.datasets.map((d) => d.name));
    const refs = [
      ...nb.datasets,
      ...files.filter((f) => !named.has(f.name)).map((f) => ({ name: f.name, source: f.fileName })),
    ];
    const result = applyChange(nb, { type: "datasets", datasets: refs });
    if (result.ok) text = serialize(result.notebook);
  } catch {
    // A text the parser refuses is kept as it was: it opens with its error, nothing is lost.
  }
  const savedAt = typeof old.savedAt === "number" ? old.savedAt : now;
  const record: DocumentRecord = {
    id,
    title,
    text,
    // Trust is by content now (notebook/trust.ts): a migrated notebook runs when trusted again.
    origin: { kind: "migrated" },
    createdAt: savedAt,
    updatedAt: savedAt,
    openedAt: now,
    deletedAt: null,
    dataBytes: files.reduce((sum, f) => sum + f.file.size, 0),
  };
  tx.objectStore("documents").add(record);
  for (const file of files) tx.objectStore("files").add(file);
  tx.objectStore("snapshots").add({
    docId: id,
    at: savedAt,
    reason: "from the earlier version of Strata",
    text: old.text,
    pinned: true,
  });
}
