/**
 * What survives a reload: the notebook's text and the dataset files, in IndexedDB (files are
 * stored as Blobs, which the browser keeps on disk, not in memory).
 */
const DB = "strata";
const VERSION = 1;
const NOTEBOOK = "notebook";
const DATASETS = "datasets";

export interface SavedNotebook {
  text: string;
  /** where it came from: an example's name, or a file's */
  source: string;
  savedAt: number;
}

export interface SavedDataset {
  /** the table name */
  name: string;
  file: File;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, VERSION);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(NOTEBOOK);
      request.result.createObjectStore(DATASETS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(
        new Error(`browser storage is not available: ${request.error?.message ?? "unknown error"}`),
      );
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  action: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(db.transaction(store, mode).objectStore(store));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () =>
        reject(new Error(`browser storage failed: ${request.error?.message ?? "unknown error"}`));
    });
  } finally {
    db.close();
  }
}

export function saveNotebook(notebook: SavedNotebook): Promise<IDBValidKey> {
  return run(NOTEBOOK, "readwrite", (s) => s.put(notebook, "current"));
}

export async function loadNotebook(): Promise<SavedNotebook | undefined> {
  return (
    (await run<SavedNotebook | undefined>(NOTEBOOK, "readonly", (s) => s.get("current"))) ??
    undefined
  );
}

export function saveDataset(dataset: SavedDataset): Promise<IDBValidKey> {
  return run(DATASETS, "readwrite", (s) => s.put(dataset, dataset.name));
}

export function removeDataset(name: string): Promise<undefined> {
  return run(DATASETS, "readwrite", (s) => s.delete(name));
}

export function loadDatasets(): Promise<SavedDataset[]> {
  return run<SavedDataset[]>(DATASETS, "readonly", (s) => s.getAll());
}

/** Ask the browser not to evict our storage under pressure; the answer does not block anything. */
export async function askForPersistence(): Promise<boolean> {
  return (await navigator.storage?.persist?.()) ?? false;
}
