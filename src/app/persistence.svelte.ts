import { DocumentStore, storageMessage } from "../workspace/index.ts";

/**
 * Where notebooks are kept: the browser's IndexedDB, or — when the browser refuses storage
 * (some private windows) — an in-memory IndexedDB for this tab only, said so in the header.
 * Also whether the browser granted persistent storage, and how much is used.
 */
export class Persistence {
  readonly store: DocumentStore;
  /** why notebooks are not kept on disk, when they are not */
  readonly problem: string | undefined;
  /** whether the browser promised not to evict our storage (undefined: it cannot say) */
  persisted = $state<boolean | undefined>(undefined);
  /** bytes this site uses in browser storage */
  usage = $state<number | undefined>(undefined);

  private constructor(store: DocumentStore, problem: string | undefined) {
    this.store = store;
    this.problem = problem;
  }

  /** `onBlocked`: another tab holds an older version open, and opening waits for it to close. */
  static async open(onBlocked?: () => void): Promise<Persistence> {
    try {
      const persistence = new Persistence(await DocumentStore.open({ onBlocked }), undefined);
      void persistence.#askToPersist();
      return persistence;
    } catch (error) {
      const { IDBFactory } = await import("fake-indexeddb");
      const store = await DocumentStore.open({ factory: new IDBFactory() });
      return new Persistence(
        store,
        `${storageMessage(error)} — notebooks live in this tab only; download them to keep them`,
      );
    }
  }

  /** Read how much is used (after saves and loads). */
  async refresh(): Promise<void> {
    if (this.problem) return;
    // Only a figure for the header: a browser that cannot estimate shows none.
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    this.usage = estimate?.usage;
  }

  /** Bytes the browser would still let this site store, when it can say. */
  async free(): Promise<number | undefined> {
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    if (estimate?.quota === undefined || estimate.usage === undefined) return undefined;
    return Math.max(0, estimate.quota - estimate.usage);
  }

  async #askToPersist(): Promise<void> {
    const storage = navigator.storage;
    if (!storage?.persisted) return;
    try {
      this.persisted = (await storage.persisted()) || (await storage.persist());
    } catch {
      this.persisted = undefined;
    }
    await this.refresh();
  }
}
