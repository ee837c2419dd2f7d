import {
  applyChange,
  notebook as makeNotebook,
  parse,
  serialize,
  type CellKind,
  type Change,
  type ChangeResult,
  type Notebook,
} from "../notebook/index.ts";
import {
  DocumentLock,
  Saver,
  type DocumentRecord,
  type DocumentStore,
  type Role,
  type SaveState,
  type Snapshot,
} from "../workspace/index.ts";

export interface DocumentEvents {
  /** the text was replaced from outside this tab's edits (a restore, another tab's save) */
  onReplaced: () => void;
  /** saving changed state (the header shows it) */
  onSaved?: () => void;
}

/**
 * The notebook open in this tab: its document record, the parsed notebook, whether this tab
 * writes it (one writer per notebook), and its saving. Every edit goes through `change()`,
 * which keeps the notebook valid or refuses with a reason shown at the cell.
 */
export class OpenDocument {
  readonly id: string;
  record: DocumentRecord;
  notebook = $state.raw<Notebook>(makeNotebook({}));
  role = $state<Role>("reader");
  /** another tab took this notebook over while this one wrote it */
  takenOver = $state(false);
  saveState = $state.raw<SaveState>({ kind: "saved", at: 0 });
  /** bumps when the text is replaced from outside, so editors show the new text */
  revision = $state(0);
  /** why a cell's last edit was not taken, by cell id */
  problems = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** the stored text could not be read as a notebook: shown read-only with this error */
  unreadable = $state<string | undefined>(undefined);
  /** a text cell whose editor should open (one just added) */
  editing = $state<string | undefined>(undefined);

  #store: DocumentStore;
  #lock: DocumentLock | undefined;
  #saver: Saver;
  #events: DocumentEvents;
  #cellIds = 0;
  #closed = false;

  private constructor(store: DocumentStore, record: DocumentRecord, events: DocumentEvents) {
    this.id = record.id;
    this.record = $state.raw(record);
    this.#store = store;
    this.#events = events;
    this.#saver = new Saver({
      save: () => this.#save(),
      onState: (state) => {
        this.saveState = state;
        this.#events.onSaved?.();
      },
    });
    this.saveState = { kind: "saved", at: record.updatedAt };
    this.#setRecord(record);
  }

  /** Open a stored notebook: the writer when no other tab has it, a reader otherwise. */
  static async open(
    store: DocumentStore,
    record: DocumentRecord,
    events: DocumentEvents,
  ): Promise<OpenDocument> {
    const doc = new OpenDocument(store, record, events);
    doc.#lock = await DocumentLock.acquire(record.id, {
      onLost: () => doc.#onLost(),
      onSaved: () => void doc.#reload(),
      beforeRelease: () => doc.#saver.flush(),
    });
    doc.role = doc.#lock.role;
    // Another tab may have saved between reading the record and getting the lock.
    if (doc.role === "writer") await doc.#reload();
    return doc;
  }

  get trusted(): boolean {
    return this.record.trusted;
  }

  get title(): string {
    return this.notebook.title || "Untitled";
  }

  /** Whether this tab may change the notebook. */
  get editable(): boolean {
    return this.role === "writer" && this.unreadable === undefined && !this.#closed;
  }

  /** Whether changes are waiting to be stored. */
  get pending(): boolean {
    return this.#saver.pending;
  }

  /** Apply one change; a refused one leaves the notebook as it was and says why at the cell. */
  change(change: Change): ChangeResult {
    if (!this.editable) {
      return {
        ok: false,
        reason: "this notebook is read-only in this tab",
        cell: "id" in change ? change.id : undefined,
      };
    }
    const result = applyChange(this.notebook, change);
    const cell = "id" in change ? change.id : undefined;
    const problems = new Map(this.problems);
    if (result.ok) {
      this.notebook = result.notebook;
      if (cell !== undefined) problems.delete(cell);
      this.#saver.touch();
    } else if (result.cell !== undefined) {
      problems.set(result.cell, result.reason);
    }
    this.problems = problems;
    return result;
  }

  /** Add a cell after `after` (or at the top); returns the cell that holds it. */
  add(kind: CellKind, after: string | undefined): string | undefined {
    const result = this.change({ type: "add", kind, after, id: `n${++this.#cellIds}` });
    if (!result.ok) return undefined;
    if (kind === "markdown") this.editing = result.cell;
    return result.cell;
  }

  /** Delete a cell; returns how to put it back where it was. */
  remove(id: string): { label: string; undo: () => void } | undefined {
    const at = this.notebook.cells.findIndex((c) => c.id === id);
    const cell = this.notebook.cells[at];
    if (!cell || !this.change({ type: "remove", id }).ok) return undefined;
    const after = this.notebook.cells.find((c) => c.id === this.notebook.cells[at - 1]?.id)?.id;
    const label =
      cell.kind === "markdown"
        ? "a text cell"
        : `${cell.kind === "sql" ? "SQL" : "TS"} cell ${cell.name ?? at + 1}`;
    return {
      label,
      undo: () => {
        const restored = `n${++this.#cellIds}`;
        const added = this.change({
          type: "add",
          kind: cell.kind,
          after: at === 0 ? undefined : after,
          id: restored,
          source: cell.source,
        });
        if (added.ok && cell.kind !== "markdown" && cell.name !== undefined)
          this.change({ type: "rename", id: restored, name: cell.name });
      },
    };
  }

  /** The user trusts this notebook's code. */
  async trust(): Promise<void> {
    if (this.trusted) return;
    this.record = { ...this.record, trusted: true };
    if (this.role === "writer") this.record = await this.#store.update(this.id, { trusted: true });
  }

  /** Save now whatever is pending (the page is hiding, another notebook opens). */
  flush(): Promise<void> {
    return this.#saver.flush();
  }

  /** Whether the last save failed, with its reason. */
  get saveProblem(): string | undefined {
    return this.saveState.kind === "failed" ? this.saveState.message : undefined;
  }

  /** Become the writer here; the other tab saves and becomes a reader. */
  async takeOver(): Promise<void> {
    await this.#lock?.takeOver();
    this.role = this.#lock?.role ?? "writer";
    if (this.role === "writer") {
      this.takenOver = false;
      await this.#reload(true);
    }
  }

  /** Close: save what is pending, let another tab write. Rejects when the save fails. */
  async close(): Promise<void> {
    await this.flush();
    if (this.saveProblem) throw new Error(this.saveProblem);
    this.#closed = true;
    this.#saver.dispose();
    await this.#lock?.release();
  }

  snapshots(): Promise<Snapshot[]> {
    return this.#store.snapshots(this.id);
  }

  /** Put a snapshot's text back, keeping the current text as a snapshot (so it can be undone). */
  async restore(snapshot: Snapshot, label: string): Promise<void> {
    if (!this.editable) throw new Error("this notebook is read-only in this tab");
    const next = parse(snapshot.text);
    await this.flush();
    await this.#store.snapshot(this.id, serialize(this.notebook), `before restoring ${label}`);
    this.notebook = next;
    this.#cellIds = 0;
    this.problems = new Map();
    this.revision++;
    this.#saver.touch();
    await this.flush();
    if (this.saveProblem) throw new Error(this.saveProblem);
  }

  /** The notebook as its .md file. */
  text(): string {
    return this.unreadable === undefined ? serialize(this.notebook) : this.record.text;
  }

  async #save(): Promise<void> {
    if (this.role !== "writer") throw new Error("this notebook is read-only in this tab");
    const text = serialize(this.notebook);
    this.record = await this.#store.save(this.id, { title: this.notebook.title, text });
    this.#lock?.announceSaved();
  }

  /** Read the stored text again (another tab saved it, or this tab took it over). */
  async #reload(force = false): Promise<void> {
    const record = await this.#store.get(this.id);
    if (!record || this.#closed) return;
    if (!force && record.text === this.record.text && record.trusted === this.record.trusted)
      return;
    this.#setRecord(record);
    this.revision++;
    this.#events.onReplaced();
  }

  #setRecord(record: DocumentRecord): void {
    this.record = record;
    try {
      this.notebook = parse(record.text);
      this.unreadable = undefined;
    } catch (error) {
      this.notebook = makeNotebook({ title: record.title });
      this.unreadable = `This notebook's stored text cannot be read (${error instanceof Error ? error.message : String(error)}); download it to repair it by hand.`;
    }
    this.problems = new Map();
  }

  #onLost(): void {
    this.role = "reader";
    this.takenOver = true;
  }
}
