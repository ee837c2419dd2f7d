import type { Table } from "apache-arrow";
import {
  ident,
  messageOf,
  tableNameFor,
  type Engine,
  type ImportOptions,
  type LoadProgress,
  type TableInfo,
} from "../engine/index.ts";
import { bytes } from "./time.ts";
import { compactOptions, type DatasetRef } from "../notebook/index.ts";
import type { DocumentStore, FileRecord } from "../workspace/index.ts";
import type { OpenDocument } from "./document.svelte.ts";
import { bundledDataset } from "./examples.ts";

/** A file being loaded, or one that failed to load (kept until dismissed). */
export type Upload =
  | {
      kind: "loading";
      id: number;
      file: string;
      bytes: number;
      /** how far it has come, once the engine says: percent, and the pace */
      progress?: { percent: number; pace: string };
    }
  | { kind: "failed"; id: number; file: string; message: string };

/** How the panel's news reaches the page: a line, maybe an action, maybe about one notebook. */
export type DatasetNotify = (
  tone: "error" | "info",
  message: string,
  action?: { label: string; run: () => void | Promise<void> },
  docId?: string,
) => void;

/**
 * What a loaded file does: name it in the front matter and keep it ("name"), keep it for the
 * entry it answers ("keep": the entry is there already), or nothing (it is kept already).
 */
type Naming = "name" | "keep" | "none";

const TABLE_NAME = /^[A-Za-z_][\w]*$/;

/**
 * The open notebook's datasets: the tables loaded from its files, the uploads in progress, and
 * the files its front matter names that are not here. A notebook's files are kept with it and
 * named in its front matter; another notebook opening clears them from the engine. Loads are
 * ordered: a table asked for later is never overwritten by an earlier request finishing late.
 */
export class Datasets {
  tables = $state.raw<TableInfo[]>([]);
  uploads = $state.raw<Upload[]>([]);
  /** datasets the notebook names that are not loaded */
  missing = $state.raw<DatasetRef[]>([]);

  #engine: Engine<File> | undefined;
  #store: DocumentStore | undefined;
  #doc: OpenDocument | undefined;
  #version = 0;
  #uploadIds = 0;
  #tickets = 0;
  /** the latest load asked for each table; an older one that finishes late is dropped */
  #wanted = new Map<string, number>();
  #notify: DatasetNotify;
  #changed: (tables: string[], renamed?: { from: string; to: string }) => Promise<void>;
  /** resolves once a notebook's datasets can be added (the first notebook has attached) */
  #attached: Promise<void>;
  #markAttached: () => void = () => undefined;

  /**
   * `changed` hears which tables the user added, replaced, renamed or removed (their cells then
   * run again); a notebook opening, which loads its own, is not such a change.
   */
  constructor(
    notify: DatasetNotify,
    changed: (tables: string[], renamed?: { from: string; to: string }) => Promise<void>,
  ) {
    this.#notify = notify;
    this.#changed = changed;
    this.#attached = new Promise((resolve) => (this.#markAttached = resolve));
  }

  setEngine(engine: Engine<File>, store: DocumentStore): void {
    this.#engine = engine;
    this.#store = store;
  }

  /**
   * A notebook is opening: from now on files are added to it, once it has attached (the
   * engine may still be starting).
   */
  prepare(doc: OpenDocument): void {
    const same = this.#doc === doc;
    if (!same) {
      this.#doc = doc;
      this.#attached = new Promise((resolve) => (this.#markAttached = resolve));
    }
    this.#version++;
    this.tables = [];
    // The same notebook loading again (its text replaced, DuckDB restarted) keeps the news of
    // files that failed: a file the user added must not vanish without a word.
    this.uploads = same ? this.uploads.filter((u) => u.kind === "failed") : [];
    this.missing = [];
    this.#wanted.clear();
  }

  /** A notebook opened (or its text was replaced): clear the tables and load its files. */
  async attach(doc: OpenDocument): Promise<void> {
    const engine = this.#engine;
    this.prepare(doc);
    const version = this.#version;
    if (!engine) return;
    await engine.clear();
    if (version !== this.#version) return;
    // The notebook's own files are asked for now: a file the user adds from here on is newer
    // and wins, however late these arrive.
    const tickets = new Map(doc.notebook.datasets.map((d) => [d.name, this.#ask(d.name)]));
    this.#markAttached();
    const stored = await this.#store!.files(doc.id).catch((error: unknown) => {
      this.#problem(`The datasets of this notebook could not be read: ${messageOf(error)}`);
      return [];
    });
    if (version !== this.#version) return;
    // Files kept with the notebook that its front matter does not name (kept by an earlier
    // version of Strata): name them, so the notebook says what it needs.
    const named = new Set(doc.notebook.datasets.map((d) => d.name));
    const unnamed = stored.filter((f) => !named.has(f.name));
    if (unnamed.length > 0 && doc.editable)
      doc.change({
        type: "datasets",
        datasets: [
          ...doc.notebook.datasets,
          ...unnamed.map((f) => ({ name: f.name, source: f.fileName })),
        ],
      });
    const loads = doc.notebook.datasets.map(async (ref) => {
      const ticket = tickets.get(ref.name) ?? this.#ask(ref.name);
      const file = await this.#fileFor(ref, stored).catch(() => undefined);
      if (file) await this.#load(file, ref.name, "none", ticket, ref.options);
      else if (version === this.#version) this.missing = [...this.missing, ref];
    });
    await Promise.all(loads);
  }

  /**
   * Add files the user chose: each loads as a table (or as `table`, for a dataset the notebook
   * asked for), is kept with the notebook and named in its front matter. A failure is reported
   * for that file; the others go on.
   */
  async add(files: readonly File[], table?: string): Promise<void> {
    // A file dropped while the first notebook still opens waits for it, instead of vanishing.
    await this.#attached;
    const doc = this.#doc;
    if (doc && !doc.editable) {
      this.#problem("This notebook is read-only in this tab: take it over to add data.", doc.id);
      return;
    }
    const loaded: string[] = [];
    for (const file of files) {
      const name = table ?? tableNameFor(file.name);
      if (await this.#load(file, name, table === undefined ? "name" : "keep", this.#ask(name)))
        loaded.push(name);
    }
    if (loaded.length > 0) await this.#changed(loaded);
  }

  dismiss(id: number): void {
    this.uploads = this.uploads.filter((u) => u.id !== id);
  }

  /** the loads under way, by upload id, to stop them */
  #stops = new Map<number, AbortController>();

  /** Stop a load under way: the table it would replace stays as it was. */
  stop(id: number): void {
    this.#stops.get(id)?.abort();
  }

  /** Rename a dataset's table (and its name in the front matter); returns why not, when it cannot be. */
  async rename(name: string, to: string): Promise<string | undefined> {
    const engine = this.#engine;
    const doc = this.#doc;
    const target = to.trim();
    if (!engine || !doc || target === name) return undefined;
    if (!doc.editable) return "this notebook is read-only in this tab";
    if (!TABLE_NAME.test(target))
      return `invalid table name: ${JSON.stringify(target)} (letters, digits and _, not starting with a digit)`;
    if (this.tables.some((d) => d.name === target))
      return `a table named ${target} is already loaded`;
    if (doc.notebook.datasets.some((d) => d.name === target))
      return `the notebook already names a dataset ${target}`;
    try {
      await engine.query(`ALTER TABLE ${ident(name)} RENAME TO ${ident(target)}`);
    } catch (error) {
      return messageOf(error);
    }
    const info = await engine.describe(target);
    // How the file was read stays true of the table under its new name.
    const before = this.tables.find((d) => d.name === name);
    this.#put({ ...info, header: before?.header, load: before?.load }, name);
    doc.change({
      type: "datasets",
      datasets: doc.notebook.datasets.map((d) => (d.name === name ? { ...d, name: target } : d)),
    });
    await this.#store?.renameFile(doc.id, name, target).catch((error: unknown) => {
      this.#problem(`${target} was renamed, but not in browser storage: ${messageOf(error)}`);
    });
    // What read the old name fails now, saying so; what names the new one runs.
    // The rename is done: the readers' run goes on after it, not inside it.
    void this.#changed([name, target], { from: name, to: target });
    return undefined;
  }

  /** Remove a dataset from the notebook: its table, its kept file and its front-matter entry. */
  async remove(name: string): Promise<void> {
    const doc = this.#doc;
    if (doc && !doc.editable) {
      this.#problem("This notebook is read-only in this tab: take it over to remove data.", doc.id);
      return;
    }
    this.#wanted.set(name, ++this.#tickets);
    if (this.tables.some((d) => d.name === name)) {
      await this.#engine?.dropTable(name);
      // The rows its load set aside go with it.
      if (this.tables.find((d) => d.name === name)?.load?.rejectedTable)
        await this.#engine?.query(`DROP TABLE IF EXISTS ${ident(`${name}_rejected`)}`);
    }
    this.tables = this.tables.filter((d) => d.name !== name);
    if (!doc) return;
    void this.#changed([name]);
    const refs = doc.notebook.datasets;
    const at = refs.findIndex((d) => d.name === name);
    doc.change({ type: "datasets", datasets: refs.filter((d) => d.name !== name) });
    this.missing = this.missing.filter((m) => m.name !== name);
    const store = this.#store;
    if (!store) return;
    try {
      const kept = (await store.files(doc.id)).find((f) => f.name === name);
      await store.removeFile(doc.id, name);
      // The file the user gave is held for Undo: removing a dataset takes nothing for good.
      if (kept && at !== -1)
        this.#notify(
          "info",
          `Removed ${name} from this notebook.`,
          { label: "Undo", run: () => this.#putBack(doc, refs[at]!, at, kept) },
          doc.id,
        );
    } catch (error) {
      this.#problem(`${name} was removed, but not from browser storage: ${messageOf(error)}`);
    }
  }

  async #putBack(
    doc: OpenDocument,
    ref: DatasetRef,
    at: number,
    kept: { fileName: string; file: Blob },
  ): Promise<void> {
    if (doc !== this.#doc || !doc.editable) return;
    if (doc.notebook.datasets.some((d) => d.name === ref.name)) return;
    const datasets = [...doc.notebook.datasets];
    datasets.splice(at, 0, ref);
    doc.change({ type: "datasets", datasets });
    const file = new File([kept.file], kept.fileName);
    if (await this.#load(file, ref.name, "keep", this.#ask(ref.name), ref.options))
      await this.#changed([ref.name]);
  }

  /** The import options the notebook records for a dataset (empty: all detected). */
  optionsOf(name: string): ImportOptions {
    return this.#doc?.notebook.datasets.find((d) => d.name === name)?.options ?? {};
  }

  /**
   * Load a dataset's kept file again with other import options; once it loads, the options are
   * recorded with the dataset in the front matter and the cells that read it run again. A load
   * that fails leaves the table, the options and the cells as they were. Returns why not, when
   * it cannot start.
   */
  async reload(name: string, options: ImportOptions): Promise<string | undefined> {
    const doc = this.#doc;
    if (!doc || !this.#store) return undefined;
    if (!doc.editable) return "this notebook is read-only in this tab";
    const kept = (await this.#store.files(doc.id)).find((f) => f.name === name);
    const ref = doc.notebook.datasets.find((d) => d.name === name);
    const file = kept
      ? new File([kept.file], kept.fileName)
      : ref && (await this.#fileFor(ref, []).catch(() => undefined));
    if (!file) return `the file of ${name} is not kept in this browser: add it again`;
    const chosen = compactOptions(options);
    if (!(await this.#load(file, name, "none", this.#ask(name), chosen))) return undefined;
    doc.change({
      type: "datasets",
      datasets: doc.notebook.datasets.map((d) => {
        if (d.name !== name) return d;
        const { options: _, ...plain } = d;
        return Object.keys(chosen).length === 0 ? plain : { ...plain, options: chosen };
      }),
    });
    await this.#changed([name]);
    return undefined;
  }

  #problem(message: string, docId?: string): void {
    this.#notify("error", message, undefined, docId);
  }

  /** The first rows of a dataset, for a preview. */
  async preview(name: string, rows = 5): Promise<Table> {
    if (!this.#engine) throw new Error("the database has not started");
    return this.#engine.query(`SELECT * FROM ${ident(name)} LIMIT ${rows}`);
  }

  /** The files of the notebook's datasets, by table name, for "Download with data". */
  async files(): Promise<Map<string, File>> {
    const doc = this.#doc;
    const files = new Map<string, File>();
    if (!doc) return files;
    const stored = await this.#store!.files(doc.id);
    for (const ref of doc.notebook.datasets) {
      const file = await this.#fileFor(ref, stored);
      if (file) files.set(ref.name, file);
    }
    return files;
  }

  /** A dataset's file: the one kept with the notebook, or the app's sample it names, or none. */
  async #fileFor(ref: DatasetRef, stored: readonly FileRecord[]): Promise<File | undefined> {
    const kept = stored.find((f) => f.name === ref.name);
    if (kept) return new File([kept.file], kept.fileName);
    const bundled = bundledDataset(ref.source);
    if (!bundled) return undefined;
    const response = await fetch(bundled.url);
    if (!response.ok) throw new Error(`${bundled.fileName}: HTTP ${response.status}`);
    return new File([await response.blob()], bundled.fileName);
  }

  #ask(name: string): number {
    const ticket = ++this.#tickets;
    this.#wanted.set(name, ticket);
    return ticket;
  }

  /** Load a file as `table`; whether it became that table. */
  async #load(
    file: File,
    table: string,
    record: Naming,
    ticket: number,
    options: ImportOptions = {},
  ): Promise<boolean> {
    const engine = this.#engine;
    const doc = this.#doc;
    const version = this.#version;
    if (!engine || !doc) return false;
    const current = () => version === this.#version && this.#wanted.get(table) === ticket;
    if (!current()) return false;
    const id = ++this.#uploadIds;
    this.uploads = [...this.uploads, { kind: "loading", id, file: file.name, bytes: file.size }];
    const stop = new AbortController();
    this.#stops.set(id, stop);
    try {
      const started = performance.now();
      let shown = 0;
      const onProgress = (p: LoadProgress) => {
        const now = performance.now();
        // A few updates a second are enough to see it move.
        if (now - shown < 250 || p.total <= 0) return;
        shown = now;
        const seconds = (now - started) / 1000;
        const rate = p.loaded / Math.max(seconds, 0.001);
        const pace =
          p.unit === "bytes"
            ? `${bytes(rate)}/s`
            : `${Math.round(rate).toLocaleString("en-US")} rows/s`;
        const percent = Math.min(100, Math.round((100 * p.loaded) / p.total));
        this.uploads = this.uploads.map((u) =>
          u.id === id && u.kind === "loading" ? { ...u, progress: { percent, pace } } : u,
        );
      };
      const info = await engine.registerFile(file, {
        ...options,
        table,
        onProgress,
        signal: stop.signal,
      });
      performance.measure(`strata load ${file.name}`, {
        start: started,
        detail: { table: info.name, rows: info.rowCount, bytes: file.size },
      });
      this.uploads = this.uploads.filter((u) => u.id !== id);
      // Superseded while loading: a newer file for this table wins; another notebook opening
      // (or this one's text replaced) cleared the table, so the user must hear of it.
      if (!current()) {
        const newerFile = version === this.#version && this.#wanted.get(table) !== ticket;
        if (record !== "none" && !newerFile)
          this.#problem(
            `${file.name} was still loading when the notebook changed, so it was not added: add it again.`,
          );
        return false;
      }
      this.#put(info);
      this.missing = this.missing.filter((m) => m.name !== info.name);
      if (record === "none") return true;
      if (record === "name") {
        const others = doc.notebook.datasets.filter((d) => d.name !== info.name);
        const at = doc.notebook.datasets.findIndex((d) => d.name === info.name);
        const ref = { name: info.name, source: file.name };
        const datasets =
          at === -1 ? [...others, ref] : doc.notebook.datasets.map((d, i) => (i === at ? ref : d));
        doc.change({ type: "datasets", datasets });
      }
      await this.#store!.putFile(doc.id, info.name, file).catch((error: unknown) => {
        this.#problem(
          `${file.name} is loaded but could not be kept in this browser (${messageOf(error)}); it will be asked for after a reload.`,
        );
      });
      return true;
    } catch (error) {
      if (stop.signal.aborted) {
        // Stopped by the user: nothing to report but that it stopped.
        this.uploads = this.uploads.filter((u) => u.id !== id);
        this.#notify("info", `Stopped loading ${file.name}; nothing changed.`);
        return false;
      }
      this.uploads = this.uploads.map((u) =>
        u.id === id ? { kind: "failed", id, file: file.name, message: messageOf(error) } : u,
      );
      return false;
    } finally {
      this.#stops.delete(id);
    }
  }

  #put(info: TableInfo, replacing = info.name): void {
    this.tables = [
      ...this.tables.filter((d) => d.name !== info.name && d.name !== replacing),
      info,
    ].sort((a, b) => a.name.localeCompare(b.name));
  }
}
