import { messageOf } from "../engine/index.ts";
import { codeHash, parse } from "../notebook/index.ts";
import { DocumentLock, type DocumentRecord, type DocumentStore } from "../workspace/index.ts";
import { retitled } from "./imports.ts";
import type { Notices } from "./notices.svelte.ts";

/**
 * The notebooks in this browser as the Notebooks view lists them, and what can be done to one
 * that is not open in this tab: rename, duplicate, trash, restore, delete for good. A notebook
 * open in another tab is left alone (that tab is its writer).
 */
export class Library {
  /** most recently edited first, trashed ones included */
  documents = $state.raw<DocumentRecord[]>([]);
  /** a line for each stored notebook that could not be read */
  unreadable = $state.raw<string[]>([]);
  /** the ids of notebooks whose code the user has not trusted */
  untrusted = $state.raw<ReadonlySet<string>>(new Set());
  #store: DocumentStore;
  #notices: Notices;

  constructor(store: DocumentStore, notices: Notices) {
    this.#store = store;
    this.#notices = notices;
  }

  async refresh(): Promise<void> {
    try {
      const { documents, unreadable } = await this.#store.list();
      const hashes = await Promise.all(documents.map((d) => hashOf(d.text)));
      const trusted = await this.#store.trustedAmong(
        documents.flatMap((d, i) => (hashes[i] ? [{ docId: d.id, hash: hashes[i] }] : [])),
      );
      this.documents = documents;
      this.unreadable = unreadable;
      this.untrusted = new Set(documents.flatMap((d) => (trusted.has(d.id) ? [] : [d.id])));
    } catch (error) {
      this.#notices.add(
        "error",
        `The notebooks in this browser could not be listed: ${messageOf(error)}`,
      );
    }
  }

  /** The notebook opened last, not in the trash. */
  lastOpened(): DocumentRecord | undefined {
    return this.documents
      .filter((d) => d.deletedAt === null)
      .sort((a, b) => b.openedAt - a.openedAt)[0];
  }

  /** A copy of an example that nobody changed, to open again instead of making another. */
  unmodifiedExample(name: string, text: string): DocumentRecord | undefined {
    return this.documents.find(
      (d) =>
        d.origin.kind === "example" &&
        d.origin.name === name &&
        d.deletedAt === null &&
        d.text === text,
    );
  }

  async rename(id: string, title: string): Promise<void> {
    await this.#unlessOpen(id, "rename", async (record) => {
      await this.#store.save(id, { title, text: retitled(record.text, title) });
    });
  }

  async duplicate(id: string): Promise<void> {
    await this.#guard(async () => {
      const record = await this.#store.get(id);
      if (!record) return;
      const title = `${record.title || "Untitled"} (copy)`;
      await this.#store.duplicate(id, { title, text: retitled(record.text, title) });
    });
  }

  /** Move to the trash; the notice offers Undo (`restore`). */
  async trash(id: string, restore: () => Promise<void>, open = false): Promise<boolean> {
    let done = false;
    const run = async (record?: DocumentRecord) => {
      const trashed = await this.#store.trash(id);
      done = true;
      this.#notices.add(
        "info",
        `Moved "${(record ?? trashed).title || "Untitled"}" to the trash.`,
        {
          label: "Undo",
          run: restore,
        },
      );
    };
    if (open) await this.#guard(() => run());
    else await this.#unlessOpen(id, "delete", run);
    return done;
  }

  async restore(id: string): Promise<DocumentRecord | undefined> {
    let record: DocumentRecord | undefined;
    await this.#guard(async () => {
      record = await this.#store.restore(id);
    });
    return record;
  }

  /** Remove a trashed notebook for good (not one another tab has open). */
  async purge(id: string): Promise<void> {
    await this.#unlessOpen(id, "delete", () => this.#store.purge(id));
  }

  /** The notebooks whose title or text holds `query` (any case). */
  search(query: string): DocumentRecord[] {
    const q = query.trim().toLowerCase();
    return q === ""
      ? this.documents
      : this.documents.filter(
          (d) => d.title.toLowerCase().includes(q) || d.text.toLowerCase().includes(q),
        );
  }

  /** Run a storage action, then list again; a failure is a notice. */
  async #guard(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#notices.add("error", messageOf(error));
    }
    await this.refresh();
  }

  async #unlessOpen(
    id: string,
    verb: string,
    action: (record: DocumentRecord) => Promise<unknown>,
  ): Promise<void> {
    await this.#guard(async () => {
      const record = await this.#store.get(id);
      if (!record) return;
      if (await DocumentLock.isOpen(id)) {
        this.#notices.add(
          "error",
          `"${record.title || "Untitled"}" is open in another tab: ${verb} it there, or close that tab first.`,
        );
        return;
      }
      await action(record);
    });
  }
}

/** The hash of a stored text's code; none for a text that cannot be read. */
async function hashOf(text: string): Promise<string | undefined> {
  try {
    return await codeHash(parse(text));
  } catch {
    return undefined;
  }
}
