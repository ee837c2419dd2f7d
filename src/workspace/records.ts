import { StorageError } from "./idb.ts";
import type { Snapshot } from "./snapshots.ts";

/** A notebook in browser storage: its text and what the Notebooks list shows about it. */
export interface DocumentRecord {
  /** the document id, as in the URL (#/nb/<id>) */
  id: string;
  /** the notebook's title, kept beside the text for the list */
  title: string;
  /** the notebook's .md text */
  text: string;
  /** where it came from, for the list and for reusing an unmodified example */
  origin: Origin;
  createdAt: number;
  /** when its text last changed */
  updatedAt: number;
  /** when it was last opened, to open the last notebook on start */
  openedAt: number;
  /** when it went to the trash; null while it is not there */
  deletedAt: number | null;
  /** the bytes of its dataset files */
  dataBytes: number;
}

export type Origin =
  | { kind: "new" }
  | { kind: "example"; name: string }
  | { kind: "file"; name: string }
  | { kind: "copy"; of: string }
  | { kind: "migrated" };

/** A dataset file that belongs to a notebook. */
export interface FileRecord {
  docId: string;
  /** the table name */
  name: string;
  /** the file's own name (a structured clone of a File keeps it only in browsers) */
  fileName: string;
  file: Blob;
}

function isOrigin(value: unknown): value is Origin {
  if (typeof value !== "object" || value === null) return false;
  const text = (key: string) => typeof Reflect.get(value, key) === "string";
  switch (Reflect.get(value, "kind")) {
    case "new":
    case "migrated":
      return true;
    case "example":
    case "file":
      return text("name");
    case "copy":
      return text("of");
    default:
      return false;
  }
}

/** Check a stored value before trusting it: a foreign or damaged record is refused by key. */
export function readDocument(value: unknown, key: IDBValidKey): DocumentRecord {
  const bad = (what: string) =>
    new StorageError(`stored notebook ${String(key)} cannot be read: ${what}`);
  if (typeof value !== "object" || value === null) throw bad("it is not a record");
  const r = value as Record<string, unknown>;
  for (const field of ["id", "title", "text"] as const)
    if (typeof r[field] !== "string") throw bad(`its ${field} is not text`);
  for (const field of ["createdAt", "updatedAt", "openedAt", "dataBytes"] as const)
    if (typeof r[field] !== "number" || !Number.isFinite(r[field]))
      throw bad(`its ${field} is not a number`);
  if (r.deletedAt !== null && typeof r.deletedAt !== "number") throw bad("its deletedAt is wrong");
  if (!isOrigin(r.origin)) throw bad("its origin is unknown");
  // Strata 0.2 kept a trusted flag on the record; trust is by content now, so it means nothing.
  const { trusted, ...record } = r;
  return record as unknown as DocumentRecord;
}

export function readSnapshot(value: unknown): Snapshot | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const ok =
    typeof r.seq === "number" &&
    typeof r.docId === "string" &&
    typeof r.at === "number" &&
    typeof r.reason === "string" &&
    typeof r.text === "string";
  return ok ? { ...(value as Snapshot), pinned: r.pinned === true } : undefined;
}

export function readFile(value: unknown): FileRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  return typeof r.docId === "string" &&
    typeof r.name === "string" &&
    typeof r.fileName === "string" &&
    r.file instanceof Blob
    ? (value as FileRecord)
    : undefined;
}
