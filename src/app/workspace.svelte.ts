import { messageOf, type Engine, type EngineLost } from "../engine/index.ts";
import {
  codeHash,
  notebook as makeNotebook,
  parse,
  serialize,
  type Notebook,
} from "../notebook/index.ts";
import {
  packNotebook,
  type DocumentRecord,
  type NewDocument,
  type Snapshot,
} from "../workspace/index.ts";
import { reportPage, sanitizeHtml } from "../output/index.ts";
import { Datasets } from "./datasets.svelte.ts";
import { EngineKeeper, type CreateEngine, type EngineStatus } from "./engineKeeper.svelte.ts";
import { OpenDocument } from "./document.svelte.ts";
import { DEFAULT_EXAMPLE, EXAMPLES } from "./examples.ts";
import { fileKind, fileNameFor, readNotebookFile, readNotebookZip, refusal } from "./imports.ts";
import { Library } from "./library.svelte.ts";
import { Notices, type Notice } from "./notices.svelte.ts";
import { Persistence } from "./persistence.svelte.ts";
import { referenceOffer } from "./references.ts";
import { hashFor, parseHash } from "./route.ts";
import { saveBlob, savedFileName } from "./download.ts";
import { FrameHost, lastRunUnfinished } from "./frameHost.svelte.ts";
import { bytes, when } from "./time.ts";

/** What the notebook frame may ask the app to save: charts and results. */
const FRAME_DOWNLOADS = new Map([
  [".svg", "image/svg+xml"],
  [".png", "image/png"],
  [".csv", "text/csv"],
  [".tsv", "text/tab-separated-values"],
  [".json", "application/json"],
  [".parquet", "application/vnd.apache.parquet"],
  [".txt", "text/plain"],
]);

/** A file name's extension, lower-cased with its dot (`.csv`), if it has one. */
function extensionOf(name: string): string | undefined {
  return /\.[a-z]+$/i.exec(name)?.[0]?.toLowerCase();
}

export interface WorkspaceHost {
  /** start DuckDB; `onLost` hears when its worker dies or hangs for good */
  createEngine: CreateEngine;
  /** show a URL for the open notebook (push: a new history entry) */
  navigate: (hash: string, push: boolean) => void;
}

/**
 * Everything the page shows and does: the notebooks in this browser, the one that is open, its
 * datasets and its run, and the notices above them. Opening, creating and importing always
 * make or open a document; nothing replaces a notebook's text but an explicit, undoable
 * restore. Components read its fields and call its methods; they hold no rules.
 */
export class Workspace {
  persistence = $state.raw<Persistence | undefined>(undefined);
  doc = $state.raw<OpenDocument | undefined>(undefined);
  /** the open notebook's cells and code, in their sandboxed frame */
  frame = $state.raw<FrameHost | undefined>(undefined);
  /** files are being dragged over the page (or over the frame) */
  dragging = $state(false);
  readonly datasets: Datasets;
  /** the notebooks in this browser (once storage is open) */
  library = $state.raw<Library | undefined>(undefined);
  readonly notices = new Notices();
  /** a notebook is opening: its datasets load and its first run goes */
  opening = $state(true);

  #host: WorkspaceHost;
  #keeper: EngineKeeper;
  #opens = 0;

  constructor(host: WorkspaceHost) {
    this.#host = host;
    this.#keeper = new EngineKeeper(host.createEngine, {
      lost: () => this.frame?.engineLost(),
      restarted: (engine, error, again) => this.#engineRestarted(engine, error, again),
    });
    this.datasets = new Datasets(
      (tone, message, action, docId) => this.notices.add(tone, message, action, { docId }),
      (tables, renamed) => this.#datasetsChanged(tables, renamed),
    );
  }

  /** DuckDB's life: starting, ready, restarting, failed. */
  get engine(): EngineStatus {
    return this.#keeper.status;
  }

  // --- start and routing ----------------------------------------------------------------------

  /** Start the engine and the store, then open what the URL names, or the last notebook. */
  async start(url: { search: string; hash: string }): Promise<void> {
    try {
      await this.#start(url);
    } catch (error) {
      this.opening = false;
      this.notify("error", `Strata could not open your notebooks: ${messageOf(error)}`);
    }
  }

  async #start(url: { search: string; hash: string }): Promise<void> {
    void this.#keeper.start();
    const persistence = await Persistence.open(() =>
      this.notify(
        "info",
        "Another tab runs an older Strata: close it so that this one can open your notebooks.",
      ),
    );
    this.persistence = persistence;
    void persistence.store
      .purgeExpired()
      .catch((error: unknown) =>
        this.notify("error", `The trash could not be emptied: ${messageOf(error)}`),
      );
    this.library = new Library(persistence.store, this.notices);
    await this.library.refresh();
    const requested = new URLSearchParams(url.search).get("notebook");
    if (requested !== null) {
      if (EXAMPLES.some((e) => e.name === requested)) {
        await this.openExample(requested, false);
        return;
      }
      this.notify(
        "error",
        `There is no example notebook called ${JSON.stringify(requested)}: ?notebook= takes one of ${EXAMPLES.map((e) => e.name).join(", ")}.`,
      );
    }
    const route = parseHash(url.hash);
    if (route.kind === "notebook") {
      const record = await this.#get(route.id);
      if (record && record.deletedAt === null) return this.#open(record, false);
      this.notify(
        "error",
        record
          ? `The notebook "${record.title}" is in the trash: restore it from Notebooks.`
          : `There is no notebook ${route.id} in this browser (it may have been deleted for good).`,
      );
    }
    const last = this.library.lastOpened();
    if (last) await this.#open(last, false);
    else await this.openExample(DEFAULT_EXAMPLE, false);
  }

  /** The URL changed (back, forward, an edited address). */
  async route(hash: string): Promise<void> {
    const route = parseHash(hash);
    if (route.kind === "notebook" && route.id === this.doc?.id) return;
    const record = route.kind === "notebook" ? await this.#get(route.id) : undefined;
    if (!record || record.deletedAt !== null) {
      this.notify(
        "error",
        route.kind === "notebook"
          ? `There is no notebook ${route.id} in this browser.`
          : `Strata has no page at ${hash.slice(0, 80)}: notebooks are at #/nb/<id>.`,
      );
      if (this.doc) this.#host.navigate(hashFor(this.doc.id), false);
      return;
    }
    await this.#open(record, false);
  }

  // --- opening and creating -------------------------------------------------------------------

  /** A new, empty notebook. */
  async newNotebook(): Promise<void> {
    const nb = makeNotebook({ title: "Untitled", cells: [{ kind: "sql", source: "" }] });
    await this.#create({
      title: "Untitled",
      text: serialize(nb),
      origin: { kind: "new" },
      trusted: true,
    });
  }

  /** Open an example: its unmodified copy when there is one, else a new copy. */
  async openExample(name: string, push = true): Promise<void> {
    const example = EXAMPLES.find((e) => e.name === name);
    if (!example) {
      this.notify("error", `There is no example notebook called ${JSON.stringify(name)}.`);
      return;
    }
    const text = serialize(parse(example.text));
    // The list as stored now: a copy edited since the list was read is not "unmodified".
    await this.library?.refresh();
    const copy = this.library?.unmodifiedExample(name, text);
    if (copy) return this.#open(copy, push);
    await this.#create(
      {
        title: example.title,
        text,
        origin: { kind: "example", name },
        trusted: true,
        snapshot: `opened from the example "${example.title}"`,
      },
      push,
    );
  }

  /**
   * Files from Open… or dropped on the page: a notebook (.md) or a notebook with its data
   * (.zip) opens as a new, untrusted document; data files go to the open notebook's datasets;
   * anything else is refused with a line.
   */
  async openFiles(files: readonly File[]): Promise<void> {
    const data: File[] = [];
    let refused = false;
    for (const file of files) {
      const kind = fileKind(file.name);
      if (kind === "notebook" || kind === "zip")
        refused = !(await this.#import(file, kind)) || refused;
      else if (kind === "data") data.push(file);
      else this.notify("error", refusal(file.name));
    }
    // Data given with a notebook belongs to it: when the notebook is refused, so is its data.
    if (refused && data.length > 0) {
      this.notify(
        "error",
        `Not added: ${data.map((f) => f.name).join(", ")}, given with a notebook that could not be opened.`,
      );
      return;
    }
    if (data.length > 0) await this.addData(data);
  }

  /** Add data files to the open notebook; the cells that read them run again. */
  async addData(files: readonly File[], table?: string): Promise<void> {
    await this.datasets.add(files, table);
  }

  /**
   * Datasets were added, replaced, renamed or removed: exactly the cells that read those tables
   * run again (and what depends on them), when the notebook is trusted.
   */
  async #datasetsChanged(tables: string[], renamed?: { from: string; to: string }): Promise<void> {
    if (renamed) this.#offerReferenceUpdate("dataset", renamed.from, renamed.to);
    if (this.doc?.trusted) await this.frame?.run({ kind: "readers", tables });
  }

  /**
   * A cell or dataset was renamed: when cells still read the old name, offer to make them read
   * the new one (and run them again). Nothing is rewritten until the user says so.
   */
  #offerReferenceUpdate(what: "cell" | "dataset", from: string, to: string): void {
    const doc = this.doc;
    const offer =
      doc &&
      referenceOffer(doc, what, from, to, async () => {
        if (doc === this.doc && doc.trusted)
          await this.frame?.run({ kind: "readers", tables: [to] });
      });
    if (doc && offer) this.notices.add("info", offer.text, offer.action, { docId: doc.id });
  }

  /** A notebook file or zip becomes a new, untrusted document (with its data files). */
  async #import(file: File, kind: "notebook" | "zip"): Promise<boolean> {
    const store = this.persistence?.store;
    if (!store || !(await this.#canLeave())) return false;
    const reading = kind === "zip" ? this.notices.add("info", `Opening ${file.name}…`) : undefined;
    let read: { init: NewDocument; datasets: { name: string; value: File }[] };
    try {
      read =
        kind === "zip"
          ? await readNotebookZip(file)
          : { init: await readNotebookFile(file), datasets: [] };
    } catch (error) {
      this.notify("error", messageOf(error));
      return false;
    } finally {
      if (reading !== undefined) this.notices.dismiss(reading);
    }
    const size = read.datasets.reduce((sum, d) => sum + d.value.size, 0);
    const free = await this.persistence?.free();
    if (free !== undefined && size > free) {
      this.notify(
        "error",
        `${file.name}: its data (${bytes(size)}) does not fit in this browser's storage (${bytes(free)} free).`,
      );
      return false;
    }
    const record = await this.#createRecord(read.init);
    if (!record) return false;
    try {
      for (const { name, value } of read.datasets) await store.putFile(record.id, name, value);
    } catch (error) {
      // Nothing half made is left behind: the new notebook goes with the files it got.
      await store.purge(record.id).catch(() => undefined);
      this.notify(
        "error",
        `${file.name}: its data could not be kept in this browser: ${messageOf(error)}`,
      );
      return false;
    }
    await this.library?.refresh();
    void this.persistence?.refresh();
    await this.#open(record, true);
    return true;
  }

  /** Open a notebook from the list. */
  async open(id: string): Promise<void> {
    if (id === this.doc?.id) return;
    const record = await this.#get(id);
    if (record) await this.#open(record, true);
  }

  // --- the list: rename, duplicate, trash ------------------------------------------------------

  async rename(id: string, title: string): Promise<void> {
    if (id !== this.doc?.id) return this.library?.rename(id, title);
    this.doc.change({ type: "title", title });
    await this.doc.flush();
    await this.library?.refresh();
  }

  async duplicate(id: string): Promise<void> {
    if (id === this.doc?.id) await this.doc.flush();
    await this.library?.duplicate(id);
  }

  /** Move a notebook to the trash (restorable for 30 days); the open one gives way to another. */
  async trash(id: string): Promise<void> {
    const library = this.library;
    if (!library) return;
    const open = id === this.doc?.id;
    if (open && this.doc?.role === "reader") {
      this.notify(
        "error",
        `"${this.doc.title}" is open for editing in another tab: delete it there, or take it over first.`,
      );
      return;
    }
    if (open && !(await this.#canLeave())) return;
    const trashed = await library.trash(id, () => this.restoreFromTrash(id), open);
    if (!trashed || !open) return;
    const next = library.lastOpened();
    if (next) await this.#open(next, true);
    else await this.newNotebook();
  }

  async restoreFromTrash(id: string): Promise<void> {
    this.notices.forget(id);
    const record = await this.library?.restore(id);
    if (record) await this.#open(record, true);
  }

  /** Remove a trashed notebook for good. */
  async purge(id: string): Promise<void> {
    this.notices.forget(id);
    await this.library?.purge(id);
  }

  // --- history --------------------------------------------------------------------------------

  /** Put a snapshot back; the text it replaces becomes a snapshot, and Undo restores it. */
  async restoreSnapshot(snapshot: Snapshot): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    const label = `the version of ${when(snapshot.at)}`;
    const before = doc.notebook;
    try {
      await doc.restore(snapshot, label);
    } catch (error) {
      this.notify("error", `The version could not be restored: ${messageOf(error)}`);
      return;
    }
    // Undo of what came before (a deleted cell) no longer applies to this text.
    this.notices.forget(doc.id);
    await this.#afterReplace(before, doc);
    const undo = (await doc.snapshots()).find((s) => s.reason === `before restoring ${label}`);
    this.notices.add(
      "info",
      `Restored ${label}. The version it replaced is in the history.`,
      undo && { label: "Undo", run: () => this.restoreSnapshot(undo) },
      { docId: doc.id },
    );
  }

  /** Delete a cell: the text before it is kept in the history, and Undo puts the cell back. */
  async removeCell(id: string): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    const before = doc.text();
    const removed = doc.remove(id);
    if (!removed) return;
    this.notices.add(
      "info",
      `Deleted ${removed.label}.`,
      { label: "Undo", run: removed.undo },
      { docId: doc.id },
    );
    try {
      await this.persistence?.store.snapshot(doc.id, before, `before deleting ${removed.label}`);
    } catch (error) {
      this.notify("error", `The history could not keep the deleted cell: ${messageOf(error)}`);
    }
  }

  // --- running --------------------------------------------------------------------------------

  /** The user trusts the open notebook's code as it is now: run it. */
  async trustAndRun(): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    try {
      await doc.trust();
    } catch (error) {
      this.notify("error", `The notebook could not be trusted: ${messageOf(error)}`);
      return;
    }
    await this.frame?.run({ kind: "all" });
  }

  /** Run every cell; an untrusted notebook runs nothing until the user trusts it. */
  async runAll(): Promise<void> {
    if (!this.doc) return;
    if (!this.doc.trusted) {
      this.notify(
        "info",
        "This notebook's code is not trusted yet: read it, then use Trust and run to run it.",
      );
      return;
    }
    await this.frame?.run({ kind: "all" });
  }

  async takeOver(): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    const before = doc.notebook;
    const refusal = await doc.takeOver();
    if (refusal !== undefined) {
      this.notify(
        "error",
        `The other tab keeps this notebook: it could not save its changes (${refusal}). Resolve it there first.`,
      );
      return;
    }
    this.notices.forget(doc.id);
    await this.#afterReplace(before, doc);
  }

  /** What the engine is busy with for the open notebook, as the user would say it ("cell x"). */
  busyWith(): string | undefined {
    const running = this.frame?.running;
    const cells = this.doc?.notebook.cells ?? [];
    if (!running) return undefined;
    const at = cells.findIndex((c) => c.id === running.id);
    const cell = cells[at];
    if (!cell || cell.kind === "markdown") return "the running cells";
    return cell.name ? `cell ${cell.name}` : `cell ${at + 1}`;
  }

  // --- files out ------------------------------------------------------------------------------

  #dragEnd: ReturnType<typeof setTimeout> | undefined;

  /**
   * Files are dragged over the page or the frame: show the drop target while it goes on. A real
   * drag repeats every few tens of milliseconds; when the repeats stop, the target goes, so a
   * notebook that forges one cannot leave the page covered.
   */
  dragged(): void {
    this.dragging = true;
    clearTimeout(this.#dragEnd);
    this.#dragEnd = setTimeout(() => (this.dragging = false), 400);
  }

  /** The open notebook's file name, from its title. */
  fileName(ext = ".md"): string {
    return fileNameFor(this.doc?.notebook.title ?? "", ext);
  }

  /** One zip with the notebook and its dataset files. */
  async bundle(): Promise<Blob | undefined> {
    const doc = this.doc;
    if (!doc) return undefined;
    try {
      return await packNotebook(doc.notebook, this.fileName(""), await this.datasets.files());
    } catch (error) {
      this.notify("error", `The notebook could not be packed with its data: ${messageOf(error)}`);
      return undefined;
    }
  }

  /**
   * The open notebook as a self-contained HTML report. Its outputs come from the frame, whose
   * code the app does not trust: their markup is sanitised again here, and the page around it
   * (its policy: no script, no request) is the app's own.
   */
  async report(): Promise<string | undefined> {
    const doc = this.doc;
    const body = await this.frame?.report();
    if (!doc || body === undefined) return undefined;
    try {
      return reportPage(doc.notebook.title, sanitizeHtml(body));
    } catch (error) {
      this.notify("error", `The report could not be made: ${messageOf(error)}`);
      return undefined;
    }
  }

  /** Save now (the page is hiding). */
  flush(): Promise<void> {
    return this.doc?.flush() ?? Promise.resolve();
  }

  // --- notices --------------------------------------------------------------------------------

  notify(tone: Notice["tone"], text: string, action?: Notice["action"]): void {
    this.notices.add(tone, text, action);
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * DuckDB's worker died or hung, and a new engine runs: nothing of the notebook is lost (its
   * text and files are in storage), but every table was. Load the notebook's datasets into the
   * new one — unless the last one died soon after its own restart, when loading them may be
   * what brings it down: then the user decides.
   */
  async #engineRestarted(engine: Engine<File>, error: EngineLost, again: boolean): Promise<void> {
    const doc = this.doc;
    const store = this.persistence?.store;
    if (!doc || !store) return;
    this.datasets.setEngine(engine, store);
    const what = `DuckDB stopped working (${error.reason}) and was restarted`;
    if (again) {
      this.notices.add(
        "error",
        `${what}, for the second time in two minutes, so the datasets were not loaded again. The notebook and its stored datasets are safe; its results were lost.`,
        { label: "Load the datasets", run: () => this.datasets.attach(doc) },
        { docId: doc.id },
      );
      return;
    }
    try {
      await this.datasets.attach(doc);
    } catch (failure) {
      this.notify(
        "error",
        `${what}; the datasets could not be loaded again: ${messageOf(failure)}`,
      );
      return;
    }
    if (doc !== this.doc) return;
    this.notices.add(
      "error",
      `${what}; its datasets loaded again. The notebook is safe, but its results were lost: run it again.`,
      { label: "Run all", run: () => this.runAll() },
      { docId: doc.id },
    );
  }

  /**
   * Whether the open notebook can be left: its changes are on disk (nothing this tab could not
   * save, nothing stranded by a take-over). Says why not.
   */
  async #canLeave(): Promise<boolean> {
    const doc = this.doc;
    const problem = await doc?.leaveProblem();
    if (doc && problem !== undefined) this.#staysOpen(doc, problem);
    return problem === undefined;
  }

  #staysOpen(doc: OpenDocument, problem: string): void {
    this.notify(
      "error",
      `"${doc.title}" could not be saved (${problem}), so it stays open: download it before opening another notebook.`,
    );
  }

  /** A new document from the app itself (empty, or a bundled example): its code is trusted. */
  async #create(init: NewDocument & { trusted: true }, push = true): Promise<void> {
    if (!(await this.#canLeave())) return;
    const { trusted, ...fields } = init;
    const record = await this.#createRecord(fields);
    if (!record) return;
    try {
      if (trusted)
        await this.persistence?.store.trust(record.id, await codeHash(parse(fields.text)));
    } catch (error) {
      this.notify("error", `Trust for "${fields.title}" could not be kept: ${messageOf(error)}`);
    }
    await this.library?.refresh();
    await this.#open(record, push);
  }

  async #createRecord(init: NewDocument): Promise<DocumentRecord | undefined> {
    const store = this.persistence?.store;
    if (!store) return undefined;
    try {
      return await store.create(init);
    } catch (error) {
      this.notify("error", `A new notebook could not be made: ${messageOf(error)}`);
      return undefined;
    }
  }

  async #get(id: string): Promise<DocumentRecord | undefined> {
    try {
      return await this.persistence?.store.get(id);
    } catch (error) {
      this.notify("error", messageOf(error));
      return undefined;
    }
  }

  /**
   * Close the open notebook and open `record`. A later open wins over an earlier one still
   * under way; the open notebook stays when its pending changes cannot be saved.
   */
  async #open(record: DocumentRecord, push: boolean): Promise<void> {
    if (record.id === this.doc?.id) {
      this.#host.navigate(hashFor(record.id), push);
      return;
    }
    const version = ++this.#opens;
    this.opening = true;
    try {
      await this.#openVersion(record, push, version);
    } catch (error) {
      this.notify(
        "error",
        `"${record.title || "Untitled"}" could not be opened: ${messageOf(error)}`,
      );
    } finally {
      if (version === this.#opens) this.opening = false;
    }
  }

  async #openVersion(record: DocumentRecord, push: boolean, version: number): Promise<void> {
    const store = this.persistence!.store;
    const previous = this.doc;
    if (previous) {
      try {
        await previous.close();
      } catch (error) {
        this.#staysOpen(previous, messageOf(error));
        return;
      }
      this.frame?.dispose();
      this.frame = undefined;
    }
    if (version !== this.#opens) return;
    const events = {
      onReplaced: () => void this.#afterReplace(undefined, doc),
      onSaved: () => {
        if (doc.saveState.kind === "saved") void this.persistence?.refresh();
      },
      onRefused: (reason: string) => this.notify("error", `Not changed: ${reason}.`),
      onError: (message: string) => this.notify("error", message),
    };
    const doc: OpenDocument = await OpenDocument.open(store, record, events);
    if (version !== this.#opens) {
      await doc.close().catch(() => undefined);
      return;
    }
    // The bundled examples are the app's own code: a copy of one, unchanged, is trusted.
    if (!doc.trusted && (await this.#isExampleCode(doc.notebook))) await doc.trust();
    if (version !== this.#opens) {
      await doc.close().catch(() => undefined);
      return;
    }
    this.doc = doc;
    this.notices.keepFor(doc.id);
    this.datasets.prepare(doc);
    this.#host.navigate(hashFor(doc.id), push);
    if (doc.role === "writer")
      await store.update(doc.id, { openedAt: Date.now() }).catch((error: unknown) => {
        this.notify("error", messageOf(error));
      });
    if (doc.unreadable) this.notify("error", doc.unreadable);
    const engine = await this.#keeper.engine;
    if (!engine || version !== this.#opens) return;
    const frame = new FrameHost({
      doc,
      engine: () => this.#keeper.engine,
      tables: () => this.#tables(),
      removeCell: (id) => void this.removeCell(id),
      downloadRefusal: (name) => this.#downloadRefusal(name),
      save: (blob, name) => this.#save(blob, name),
      onDrag: () => this.dragged(),
      onRenamed: (from, to) => this.#offerReferenceUpdate("cell", from, to),
      notify: (message) => this.notify("error", message),
    });
    this.frame = frame;
    this.datasets.setEngine(engine, store);
    await this.datasets.attach(doc);
    if (version !== this.#opens || !doc.trusted) return;
    if (lastRunUnfinished(doc.id)) {
      this.notices.add(
        "info",
        `The last run of "${doc.title}" did not finish (it may hang), so it did not run on opening.`,
        { label: "Run all", run: () => this.runAll() },
        { docId: doc.id },
      );
      return;
    }
    await frame.run({ kind: "all" });
  }

  #exampleHashes: Promise<Set<string>> | undefined;

  /** Whether this code is exactly one of the bundled examples' code. */
  async #isExampleCode(notebook: Notebook): Promise<boolean> {
    this.#exampleHashes ??= Promise.all(EXAMPLES.map((e) => codeHash(parse(e.text)))).then(
      (hashes) => new Set(hashes),
    );
    return (await this.#exampleHashes).has(await codeHash(notebook));
  }

  /** Tables and their columns, for completion in the cells' editors. */
  #tables(): Record<string, string[]> {
    return Object.fromEntries(
      this.datasets.tables.map((t) => [t.name, t.columns.map((c) => c.name)]),
    );
  }

  /** when the frame's last downloads were saved, to cap a burst */
  #downloads: number[] = [];

  /**
   * Why the frame may not save this file now: only charts and results, typed by their extension,
   * and five in five seconds at most, so that code cannot pour files into the downloads folder
   * after one click (the frame host has checked that the user just clicked or typed).
   */
  #downloadRefusal(name: string): string | undefined {
    const now = Date.now();
    this.#downloads = this.#downloads.filter((at) => now - at < 5000);
    if (this.#downloads.length >= 5) return "too many files at once; try again in a few seconds";
    const ext = extensionOf(name);
    if (ext === undefined || !FRAME_DOWNLOADS.has(ext))
      return `a notebook cell may save ${[...FRAME_DOWNLOADS.keys()].join(", ")} files only`;
    this.#downloads.push(now);
    return undefined;
  }

  /** Save a chart or a result the frame made, typed by its extension, under a tidy name. */
  #save(blob: Blob, name: string): void {
    const ext = extensionOf(name) ?? "";
    const typed = new Blob([blob], { type: FRAME_DOWNLOADS.get(ext) });
    saveBlob(typed, savedFileName(name.slice(0, name.length - ext.length), ext));
  }

  /** The text was replaced: load datasets it names differently, re-run when trusted. */
  async #afterReplace(before: Notebook | undefined, doc: OpenDocument): Promise<void> {
    if (doc !== this.doc) return;
    const names = (nb: Notebook | undefined) => JSON.stringify(nb?.datasets ?? null);
    if (before === undefined || names(before) !== names(doc.notebook))
      await this.datasets.attach(doc);
    if (doc.trusted && doc.role === "writer") await this.frame?.run({ kind: "all" });
  }
}
