import {
  applyChange,
  codeHash,
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
  /** the text was replaced from outside this tab's edits (another tab's save, a take-over) */
  onReplaced: () => void;
  /** saving changed state (the header shows it) */
  onSaved?: () => void;
  /** a change with no cell to show its reason at (the title) was refused */
  onRefused?: (reason: string) => void;
  /** something went wrong that the user should know about (one line) */
  onError?: (message: string) => void;
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
  /** how a cell's last edit was escaped to keep the file valid, by cell id */
  notes = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** the stored text could not be read as a notebook: shown read-only with this error */
  unreadable = $state<string | undefined>(undefined);
  /** a cell just added, whose editor opens with the cursor in it */
  editing = $state<string | undefined>(undefined);
  /**
   * The text of changes this tab could not save before another tab took the notebook over
   * (its saves were failing, or it was frozen): kept on screen until downloaded or discarded.
   */
  stranded = $state<string | undefined>(undefined);
  /** a take-over is under way */
  takingOver = $state(false);
  /**
   * Whether the user trusts this notebook's code as it is now: its hash is one the user
   * trusted (in this browser's storage, out of notebook code's reach), or this tab's own edits
   * changed trusted code. Anything else — a file, another tab's text, a restored version — is
   * not trusted until the user says so.
   */
  trusted = $state(false);

  #store: DocumentStore;
  #lock: DocumentLock | undefined;
  #saver: Saver;
  #events: DocumentEvents;
  #cellIds = 0;
  #closed = $state(false);

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
      onGained: () => void doc.#gain(),
      beforeRelease: async () => {
        await doc.#saver.flush();
        // Unsaved changes stay with this tab: the other one is told why, and waits.
        if (doc.#saver.pending) throw new Error(doc.saveProblem ?? "changes are still being saved");
      },
    });
    doc.role = doc.#lock.role;
    // Another tab may have saved between reading the record and getting the lock.
    if (doc.role === "writer") await doc.#reload({ quiet: true });
    await doc.#checkTrust();
    return doc;
  }

  get title(): string {
    return this.notebook.title || "Untitled";
  }

  /** Whether this tab may change the notebook. */
  get editable(): boolean {
    return (
      this.role === "writer" &&
      this.unreadable === undefined &&
      this.stranded === undefined &&
      !this.#closed
    );
  }

  /** Whether changes are waiting to be stored. */
  get pending(): boolean {
    return this.#saver.pending;
  }

  /**
   * Changes the app makes itself (not typed in an editor): applied in order, and the editors
   * show the new text. Answers how many were taken.
   */
  rewrite(changes: readonly Change[]): number {
    const taken = changes.filter((c) => this.change(c).ok).length;
    if (taken > 0) this.revision++;
    return taken;
  }

  /** Apply one change; a refused one leaves the notebook as it was and says why at the cell. */
  change(change: Change): ChangeResult {
    const cell = "id" in change ? change.id : undefined;
    const result: ChangeResult = this.editable
      ? applyChange(this.notebook, change)
      : { ok: false, reason: "this notebook is read-only in this tab", cell };
    const problems = new Map(this.problems);
    if (result.ok) {
      this.notebook = result.notebook;
      if (this.trusted) this.#keepTrust();
      if (cell !== undefined) {
        problems.delete(cell);
        const notes = new Map(this.notes);
        if (result.note === undefined) notes.delete(cell);
        else notes.set(cell, result.note);
        this.notes = notes;
      }
      this.#saver.touch();
    } else if (result.cell !== undefined) {
      problems.set(result.cell, result.reason);
    } else {
      this.#events.onRefused?.(result.reason);
    }
    this.problems = problems;
    return result;
  }

  /** Add a cell after `after` (or at the top); returns the cell that holds it. */
  add(kind: CellKind, after: string | undefined): string | undefined {
    const result = this.change({ type: "add", kind, after, id: `n${++this.#cellIds}` });
    if (!result.ok) return undefined;
    this.editing = result.cell;
    return result.cell;
  }

  /** Delete a cell; returns how to put it back where it was. */
  remove(id: string): { label: string; undo: () => void } | undefined {
    const at = this.notebook.cells.findIndex((c) => c.id === id);
    const cell = this.notebook.cells[at];
    const after = this.notebook.cells[at - 1]?.id;
    if (!cell || !this.change({ type: "remove", id }).ok) return undefined;
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
          after: this.notebook.cells.some((c) => c.id === after) ? after : undefined,
          id: restored,
          source: cell.source,
        });
        if (added.ok && cell.kind !== "markdown" && cell.name !== undefined)
          this.change({ type: "rename", id: restored, name: cell.name });
      },
    };
  }

  /** The user trusts this notebook's code, exactly as it is now. */
  async trust(): Promise<void> {
    if (this.unreadable !== undefined) throw new Error("this notebook cannot be read");
    const notebook = this.notebook;
    await this.#store.trust(this.id, await codeHash(notebook));
    if (notebook === this.notebook) this.trusted = true;
    else await this.#checkTrust();
  }

  /** Whether the code shown now is code the user trusted. */
  async #checkTrust(): Promise<void> {
    const notebook = this.notebook;
    const trusted =
      this.unreadable === undefined &&
      (await this.#store.isTrusted(this.id, await codeHash(notebook)));
    if (notebook === this.notebook) this.trusted = trusted;
  }

  /** The user edited trusted code: the new code is theirs, so it is trusted too. */
  #keepTrust(): void {
    const notebook = this.notebook;
    void codeHash(notebook)
      .then((hash) => this.#store.trust(this.id, hash))
      .catch((error: unknown) => {
        // Not kept: after a reload the notebook asks to be trusted again, and nothing is lost.
        this.#events.onError?.(
          `Trust for the edited code could not be kept (${error instanceof Error ? error.message : String(error)}): after a reload the notebook asks to be trusted again.`,
        );
      });
  }

  /** Save now whatever is pending (the page is hiding, another notebook opens). */
  flush(): Promise<void> {
    return this.#saver.flush();
  }

  /** Whether the last save failed, with its reason. */
  get saveProblem(): string | undefined {
    return this.saveState.kind === "failed" ? this.saveState.message : undefined;
  }

  /**
   * Become the writer here; the other tab saves and becomes a reader. Returns why not, when
   * the other tab cannot save its changes (it keeps the notebook so that they are not lost).
   */
  async takeOver(): Promise<string | undefined> {
    if (this.takingOver || this.role === "writer" || this.stranded !== undefined) return undefined;
    this.takingOver = true;
    try {
      const refusal = await this.#lock?.takeOver();
      if (refusal !== undefined) return refusal;
      if (this.#lock && this.#lock.role !== "writer") return "the other tab did not let go";
      // Read what the other tab saved before this one may type over it.
      await this.#reload({ force: true, quiet: true });
      this.#saver.reset(this.record.updatedAt);
      this.role = "writer";
      this.takenOver = false;
      return undefined;
    } finally {
      this.takingOver = false;
    }
  }

  /** The writer closed the notebook and this tab writes now: show the text as last saved. */
  async #gain(): Promise<void> {
    await this.#reload({ force: true, quiet: true });
    this.#saver.reset(this.record.updatedAt);
    this.role = "writer";
    this.takenOver = false;
    this.#events.onReplaced();
  }

  /** Drop the changes this tab could not save, and show the notebook as stored. */
  async discardStranded(): Promise<void> {
    this.stranded = undefined;
    this.#saver.reset(this.record.updatedAt);
    await this.#reload({ force: true });
  }

  /** Save what is pending; returns why closing now would lose changes, if it would. */
  async leaveProblem(): Promise<string | undefined> {
    if (this.stranded !== undefined)
      return "this tab has changes it could not save: download or discard them first";
    await this.flush();
    return this.saveProblem;
  }

  /** Close: save what is pending, let another tab write. Rejects when changes would be lost. */
  async close(): Promise<void> {
    const problem = await this.leaveProblem();
    if (problem !== undefined) throw new Error(problem);
    this.#closed = true;
    this.#saver.dispose();
    await this.#lock?.release();
  }

  snapshots(): Promise<Snapshot[]> {
    return this.#store.snapshots(this.id);
  }

  /** Put a snapshot's text back, keeping the current text as a snapshot (so it can be undone). */
  async restore(snapshot: Snapshot, label: string): Promise<void> {
    if (this.role !== "writer") throw new Error("this notebook is read-only in this tab");
    if (snapshot.docId !== this.id) throw new Error("that version belongs to another notebook");
    const next = parse(snapshot.text);
    await this.flush();
    await this.#store.snapshot(this.id, this.text(), `before restoring ${label}`);
    this.notebook = next;
    this.unreadable = undefined;
    this.problems = new Map();
    this.revision++;
    // A version from the history is trusted only if its code was.
    await this.#checkTrust();
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
    // Refused when another tab saved since this one last read: never two writers' texts mixed.
    this.record = await this.#store.save(
      this.id,
      { title: this.notebook.title, text },
      { expect: this.record.updatedAt },
    );
    this.#lock?.announceSaved();
  }

  /**
   * Read the stored text again (another tab saved it, or this tab took it over); never over
   * changes this tab has not saved.
   */
  async #reload(options: { force?: boolean; quiet?: boolean } = {}): Promise<void> {
    const record = await this.#store.get(this.id);
    if (!record || this.#closed || this.stranded !== undefined) return;
    if (this.role === "reader" && this.#saver.pending) return;
    if (!options.force && record.text === this.record.text) {
      this.record = { ...this.record, updatedAt: record.updatedAt };
      return;
    }
    this.#setRecord(record);
    // Another tab's text is trusted only if its code is code the user trusted.
    this.trusted = false;
    await this.#checkTrust();
    this.revision++;
    if (!options.quiet) this.#events.onReplaced();
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
    this.notes = new Map();
  }

  #onLost(): void {
    this.role = "reader";
    this.takenOver = true;
    this.#saver.dispose();
    // Taken while changes were unsaved (this tab was frozen, or its saves failed): keep them.
    if (this.#saver.pending) this.stranded = this.text();
  }
}
