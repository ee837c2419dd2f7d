import { committed, newId, request, StorageError, storageMessage, wrap } from "./idb.ts";
import { migrateFromV1 } from "./migrate.ts";
import {
  readDocument,
  readFile,
  readSnapshot,
  type DocumentRecord,
  type FileRecord,
  type Origin,
} from "./records.ts";
import { SNAPSHOT_EVERY, thinSnapshots, type Snapshot } from "./snapshots.ts";

const VERSION = 3;
const DOCS = "documents";
const SNAPSHOTS = "snapshots";
const FILES = "files";
/**
 * The code the user trusted, per notebook: one record per (document, SHA-256 of its code; see
 * notebook/trust.ts). Per notebook, so that code one notebook wrote into itself (or another tab)
 * never makes another notebook with that code trusted.
 */
const TRUST = "trust";

interface TrustRecord {
  key: string;
  docId: string;
  hash: string;
  at: number;
}

const trustKey = (docId: string, hash: string) => `${docId}:${hash}`;
/** Notebooks in the trash are removed for good after this long. */
export const TRASH_DAYS = 30;

export interface NewDocument {
  title: string;
  text: string;
  origin: Origin;
  /** take a first snapshot with this reason (a notebook opened from a file or an example) */
  snapshot?: string;
}

/** What the list shows: the readable notebooks and a line for each record that is not. */
export interface Listing {
  documents: DocumentRecord[];
  unreadable: string[];
}

/**
 * Notebooks in IndexedDB: each a document with an id, its history of snapshots and its dataset
 * files (Blobs, which the browser keeps on disk). Every method commits before it resolves and
 * fails with a one-line StorageError.
 */
export class DocumentStore {
  #db: IDBDatabase;
  #now: () => number;
  /** closed for a newer version of Strata opened in another tab */
  #superseded = false;

  private constructor(db: IDBDatabase, now: () => number) {
    this.#db = db;
    this.#now = now;
    // Another tab upgrading the schema must not wait on us forever.
    db.onversionchange = () => {
      this.#superseded = true;
      db.close();
    };
  }

  static async open(
    options: {
      factory?: IDBFactory;
      name?: string;
      now?: () => number;
      /** another tab holds an older version open: the upgrade waits until it closes */
      onBlocked?: () => void;
    } = {},
  ): Promise<DocumentStore> {
    const now = options.now ?? Date.now;
    let factory: IDBFactory;
    try {
      factory = options.factory ?? indexedDB;
    } catch (error) {
      throw new StorageError(storageMessage(error), { cause: error });
    }
    if (!factory) throw new StorageError("browser storage is not available here (no IndexedDB)");
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      let req: IDBOpenDBRequest;
      try {
        req = factory.open(options.name ?? "strata", VERSION);
      } catch (error) {
        reject(wrap(error));
        return;
      }
      req.onupgradeneeded = (event) => {
        const db = req.result;
        const tx = req.transaction!;
        if (!db.objectStoreNames.contains(DOCS)) db.createObjectStore(DOCS, { keyPath: "id" });
        if (!db.objectStoreNames.contains(SNAPSHOTS)) {
          const snapshots = db.createObjectStore(SNAPSHOTS, {
            keyPath: "seq",
            autoIncrement: true,
          });
          snapshots.createIndex("doc", "docId");
        }
        if (!db.objectStoreNames.contains(FILES)) {
          const files = db.createObjectStore(FILES, { keyPath: ["docId", "name"] });
          files.createIndex("doc", "docId");
        }
        if (!db.objectStoreNames.contains(TRUST))
          db.createObjectStore(TRUST, { keyPath: "key" }).createIndex("doc", "docId");
        if (event.oldVersion === 1) migrateFromV1(db, tx, now());
      };
      req.onblocked = () => options.onBlocked?.();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(wrap(req.error));
    });
    return new DocumentStore(db, now);
  }

  close(): void {
    this.#db.close();
  }

  // --- documents ------------------------------------------------------------------------------

  /** Every notebook, trashed ones included, most recently edited first. */
  async list(): Promise<Listing> {
    const { keys, values } = await this.#read(DOCS, async (store) => ({
      keys: await request(store.getAllKeys()),
      values: await request(store.getAll()),
    }));
    const documents: DocumentRecord[] = [];
    const unreadable: string[] = [];
    values.forEach((value, i) => {
      try {
        documents.push(readDocument(value, keys[i]!));
      } catch (error) {
        unreadable.push(error instanceof Error ? error.message : String(error));
      }
    });
    documents.sort((a, b) => b.updatedAt - a.updatedAt);
    return { documents, unreadable };
  }

  /** One notebook, or undefined when there is none with this id. */
  async get(id: string): Promise<DocumentRecord | undefined> {
    const value = await this.#read(DOCS, (store) => request(store.get(id)));
    return value === undefined ? undefined : readDocument(value, id);
  }

  async create(init: NewDocument): Promise<DocumentRecord> {
    const at = this.#now();
    const record: DocumentRecord = {
      id: newId(),
      title: init.title,
      text: init.text,
      origin: init.origin,
      createdAt: at,
      updatedAt: at,
      openedAt: at,
      deletedAt: null,
      dataBytes: 0,
    };
    await this.#write([DOCS, SNAPSHOTS], async (tx) => {
      await request(tx.objectStore(DOCS).add(record));
      if (init.snapshot !== undefined)
        await request(
          tx.objectStore(SNAPSHOTS).add({
            docId: record.id,
            at,
            reason: init.snapshot,
            text: init.text,
            pinned: true,
          }),
        );
    });
    return record;
  }

  /**
   * Save a notebook's text. While it is edited, a snapshot is taken when the last one is older
   * than SNAPSHOT_EVERY; committed to disk (strict durability) before it resolves.
   */
  async save(
    id: string,
    change: { title: string; text: string },
    /** the updatedAt this tab last saw: refused when another tab saved since (two writers) */
    options: { expect?: number } = {},
  ): Promise<DocumentRecord> {
    const at = this.#now();
    return this.#write(
      [DOCS, SNAPSHOTS],
      async (tx) => {
        const record = await this.#getIn(tx, id);
        if (options.expect !== undefined && record.updatedAt !== options.expect)
          throw new StorageError(
            "another tab saved this notebook after this tab last read it, so this tab's changes were not saved over it",
          );
        if (record.text === change.text && record.title === change.title) return record;
        const next = { ...record, ...change, updatedAt: at };
        await request(tx.objectStore(DOCS).put(next));
        // The text as it was before this change, so that a history point survives whatever
        // the latest edit did.
        const latest = await this.#latestSnapshot(tx, id);
        if (!latest || (at - latest.at >= SNAPSHOT_EVERY && latest.text !== record.text))
          await this.#addSnapshot(tx, id, record.text, "while editing", record.updatedAt);
        return next;
      },
      "strict",
    );
  }

  /** Change fields other than the text: when it was opened. */
  async update(
    id: string,
    patch: Partial<Pick<DocumentRecord, "openedAt">>,
  ): Promise<DocumentRecord> {
    return this.#write([DOCS], async (tx) => {
      const next = { ...(await this.#getIn(tx, id)), ...patch };
      await request(tx.objectStore(DOCS).put(next));
      return next;
    });
  }

  /** A copy with its text, dataset files and trusted code; `text` is the copy's text (its new title). */
  async duplicate(id: string, copy: { title: string; text: string }): Promise<DocumentRecord> {
    const at = this.#now();
    const fresh = newId();
    return this.#write([DOCS, FILES, SNAPSHOTS, TRUST], async (tx) => {
      const record = await this.#getIn(tx, id);
      // The copy is the same code the user trusted in the original.
      const trusted = (await request(
        tx.objectStore(TRUST).index("doc").getAll(id),
      )) as TrustRecord[];
      for (const t of trusted)
        await request(
          tx.objectStore(TRUST).put({ ...t, key: trustKey(fresh, t.hash), docId: fresh }),
        );
      const next: DocumentRecord = {
        ...record,
        ...copy,
        id: fresh,
        origin: { kind: "copy", of: id },
        createdAt: at,
        updatedAt: at,
        openedAt: at,
        deletedAt: null,
      };
      await request(tx.objectStore(DOCS).add(next));
      const files = await request(tx.objectStore(FILES).index("doc").getAll(id));
      for (const file of files) await request(tx.objectStore(FILES).put({ ...file, docId: fresh }));
      await this.#addSnapshot(
        tx,
        fresh,
        copy.text,
        `copied from ${record.title || "Untitled"}`,
        at,
        true,
      );
      return next;
    });
  }

  /** Move to the trash; restorable for TRASH_DAYS. */
  trash(id: string): Promise<DocumentRecord> {
    return this.#setDeleted(id, this.#now());
  }

  restore(id: string): Promise<DocumentRecord> {
    return this.#setDeleted(id, null);
  }

  /** Remove a notebook for good, with its snapshots and files. */
  async purge(id: string): Promise<void> {
    await this.#write([DOCS, FILES, SNAPSHOTS, TRUST], async (tx) => {
      await request(tx.objectStore(DOCS).delete(id));
      for (const store of [FILES, SNAPSHOTS, TRUST]) {
        const keys = await request(tx.objectStore(store).index("doc").getAllKeys(id));
        for (const key of keys) await request(tx.objectStore(store).delete(key));
      }
    });
  }

  /** Remove what has been in the trash longer than TRASH_DAYS; returns how many went. */
  async purgeExpired(): Promise<number> {
    const cutoff = this.#now() - TRASH_DAYS * 86_400_000;
    const { documents } = await this.list();
    const expired = documents.filter((d) => d.deletedAt !== null && d.deletedAt < cutoff);
    for (const doc of expired) await this.purge(doc.id);
    return expired.length;
  }

  // --- snapshots ------------------------------------------------------------------------------

  /** A notebook's snapshots, newest first. */
  async snapshots(id: string): Promise<Snapshot[]> {
    const values = await this.#read(SNAPSHOTS, (store) => request(store.index("doc").getAll(id)));
    return values
      .map(readSnapshot)
      .filter((s): s is Snapshot => s !== undefined)
      .sort((a, b) => b.at - a.at || b.seq - a.seq);
  }

  /** Take a snapshot now (before a restore or a bulk change); the same text twice is kept once. */
  async snapshot(id: string, text: string, reason: string): Promise<void> {
    const at = this.#now();
    await this.#write([DOCS, SNAPSHOTS], async (tx) => {
      await this.#getIn(tx, id);
      const latest = await this.#latestSnapshot(tx, id);
      if (latest?.text !== text) await this.#addSnapshot(tx, id, text, reason, at);
    });
  }

  // --- dataset files --------------------------------------------------------------------------

  async files(id: string): Promise<FileRecord[]> {
    const values = await this.#read(FILES, (store) => request(store.index("doc").getAll(id)));
    return values.map(readFile).filter((f): f is FileRecord => f !== undefined);
  }

  /** Keep a dataset file with its notebook, replacing one of the same table name. */
  async putFile(id: string, name: string, file: File): Promise<void> {
    await this.#write([DOCS, FILES], async (tx) => {
      const record = await this.#getIn(tx, id);
      const files = tx.objectStore(FILES);
      const old = readFile(await request(files.get([id, name])));
      await request(files.put({ docId: id, name, fileName: file.name, file } satisfies FileRecord));
      const dataBytes = Math.max(0, record.dataBytes - (old?.file.size ?? 0)) + file.size;
      await request(tx.objectStore(DOCS).put({ ...record, dataBytes }));
    });
  }

  async removeFile(id: string, name: string): Promise<void> {
    await this.#write([DOCS, FILES], async (tx) => {
      const record = await this.#getIn(tx, id);
      const files = tx.objectStore(FILES);
      const old = readFile(await request(files.get([id, name])));
      if (!old) return;
      await request(files.delete([id, name]));
      const dataBytes = Math.max(0, record.dataBytes - old.file.size);
      await request(tx.objectStore(DOCS).put({ ...record, dataBytes }));
    });
  }

  async renameFile(id: string, from: string, to: string): Promise<void> {
    await this.#write([FILES], async (tx) => {
      const files = tx.objectStore(FILES);
      const old = readFile(await request(files.get([id, from])));
      if (!old) return;
      if ((await request(files.getKey([id, to]))) !== undefined)
        throw new StorageError(`this notebook already keeps a file for ${to}`);
      await request(files.delete([id, from]));
      await request(files.put({ ...old, name: to }));
    });
  }

  // --- trust ----------------------------------------------------------------------------------

  /** Whether the user trusted this notebook's code with this hash (notebook code cannot ask). */
  async isTrusted(docId: string, hash: string): Promise<boolean> {
    const key = trustKey(docId, hash);
    return (await this.#read(TRUST, (store) => request(store.getKey(key)))) !== undefined;
  }

  /** The ids of the notebooks, of these, whose code with the given hash is trusted. */
  async trustedAmong(pairs: readonly { docId: string; hash: string }[]): Promise<Set<string>> {
    return this.#read(TRUST, async (store) => {
      const found = new Set<string>();
      for (const { docId, hash } of pairs)
        if ((await request(store.getKey(trustKey(docId, hash)))) !== undefined) found.add(docId);
      return found;
    });
  }

  /** Trust this notebook's code with this hash from now on. */
  async trust(docId: string, hash: string): Promise<void> {
    const record: TrustRecord = { key: trustKey(docId, hash), docId, hash, at: this.#now() };
    await this.#write(
      [TRUST],
      async (tx) => void (await request(tx.objectStore(TRUST).put(record))),
      "strict",
    );
  }

  // --- internals ------------------------------------------------------------------------------

  #check(): void {
    if (this.#superseded)
      throw new StorageError(
        "a newer version of Strata opened in another tab: reload this tab to go on saving",
      );
  }

  async #read<T>(store: string, action: (store: IDBObjectStore) => Promise<T>): Promise<T> {
    this.#check();
    try {
      return await action(this.#db.transaction(store, "readonly").objectStore(store));
    } catch (error) {
      throw wrap(error);
    }
  }

  /** Run `action` in one read-write transaction; resolves once it has committed. */
  async #write<T>(
    stores: string[],
    action: (tx: IDBTransaction) => Promise<T>,
    durability: IDBTransactionDurability = "default",
  ): Promise<T> {
    this.#check();
    let tx: IDBTransaction;
    try {
      tx = this.#db.transaction(stores, "readwrite", { durability });
    } catch (error) {
      throw wrap(error);
    }
    const done = committed(tx);
    let result: T;
    try {
      result = await action(tx);
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already finished or aborted by the failure itself; the error below says why.
      }
      await done.catch(() => undefined);
      throw wrap(error);
    }
    await done;
    return result;
  }

  async #getIn(tx: IDBTransaction, id: string): Promise<DocumentRecord> {
    const value = await request(tx.objectStore(DOCS).get(id));
    if (value === undefined) throw new StorageError(`no notebook ${id} in this browser's storage`);
    return readDocument(value, id);
  }

  async #latestSnapshot(tx: IDBTransaction, id: string): Promise<Snapshot | undefined> {
    const all = await request(tx.objectStore(SNAPSHOTS).index("doc").getAll(id));
    let latest: Snapshot | undefined;
    for (const value of all) {
      const s = readSnapshot(value);
      if (s && (!latest || s.at > latest.at || (s.at === latest.at && s.seq > latest.seq)))
        latest = s;
    }
    return latest;
  }

  async #addSnapshot(
    tx: IDBTransaction,
    docId: string,
    text: string,
    reason: string,
    at: number,
    pinned = false,
  ): Promise<void> {
    const store = tx.objectStore(SNAPSHOTS);
    await request(store.add({ docId, at, reason, text, pinned }));
    const all = (await request(store.index("doc").getAll(docId)))
      .map(readSnapshot)
      .filter((s): s is Snapshot => s !== undefined);
    const keep = new Set(thinSnapshots(all, this.#now()).map((s) => s.seq));
    for (const s of all) if (!keep.has(s.seq)) await request(store.delete(s.seq));
  }

  async #setDeleted(id: string, deletedAt: number | null): Promise<DocumentRecord> {
    return this.#write([DOCS], async (tx) => {
      const next = { ...(await this.#getIn(tx, id)), deletedAt };
      await request(tx.objectStore(DOCS).put(next));
      return next;
    });
  }
}
