import type { Table } from "apache-arrow";
import { ident, messageOf, type Engine, type TableInfo } from "../engine/index.ts";
import {
  notebook as makeNotebook,
  parse,
  serialize,
  type Cell,
  type CellKind,
  type DatasetRef,
  type Notebook,
} from "../notebook/index.ts";
import { cellResults, Runtime, type CellResult, type CellState } from "../runtime/index.ts";
import { bundledDataset, DEFAULT_EXAMPLE, EXAMPLES } from "./examples.ts";
import * as storage from "./storage.ts";

/** The database engine's life: starting, ready, or failed to start. */
export type EngineStatus =
  { kind: "starting" } | { kind: "ready"; version: string } | { kind: "failed"; message: string };

/** A file being loaded, or one that failed to load (kept until dismissed). */
export type Upload =
  | { kind: "loading"; id: number; file: string; bytes: number }
  | { kind: "failed"; id: number; file: string; message: string };

/** Whether the last autosave worked. */
export type SaveStatus =
  { kind: "idle" } | { kind: "saved"; at: number } | { kind: "failed"; message: string };

export interface SessionHost {
  createEngine: () => Promise<Engine<File>>;
  /** a k-means worker, so clustering does not block the page */
  kmeansWorker?: () => Worker;
  /** whether to keep the notebook and datasets in browser storage */
  persist?: boolean;
}

const SAVE_DELAY = 300;

/**
 * Everything the notebook page shows and does: the document, the cells' run states, datasets,
 * files and autosave. Components read its fields and call its methods; they hold no rules.
 */
export class Session {
  status = $state.raw<EngineStatus>({ kind: "starting" });
  notebook = $state.raw<Notebook>(makeNotebook({}));
  /** where the notebook came from: an example's name or a file's */
  source = $state("untitled");
  states = $state.raw<ReadonlyMap<string, CellState>>(new Map());
  /** the source each cell last ran with, to show edited cells as stale */
  ranWith = $state.raw<ReadonlyMap<string, string>>(new Map());
  datasets = $state.raw<TableInfo[]>([]);
  uploads = $state.raw<Upload[]>([]);
  /** false for a notebook opened from a file until the user chooses to run it */
  trusted = $state(true);
  /** datasets the notebook names that are not loaded */
  missing = $state.raw<DatasetRef[]>([]);
  saveStatus = $state.raw<SaveStatus>({ kind: "idle" });
  /** input values the user set, by cell id and input position */
  inputs = $state.raw<ReadonlyMap<string, unknown>>(new Map());

  #host: SessionHost;
  #engine: Engine<File> | undefined;
  #runtime: Runtime | undefined;
  #uploadIds = 0;
  #cellIds = 0;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #opens = 0;
  /** the file each loaded table came from, to tell a notebook's `orders.csv` from another `orders` */
  #loadedFrom = new Map<string, string>();

  constructor(host: SessionHost) {
    this.#host = host;
  }

  /** Start the engine, then restore the saved notebook and datasets, or open the requested or default example. */
  async start(requested?: string | null): Promise<void> {
    try {
      this.#engine = await this.#host.createEngine();
      const version = (await this.#engine.query("SELECT version() AS v")).getChild("v")?.get(0);
      this.#runtime = await Runtime.create({
        engine: this.#engine,
        kmeansWorker: this.#host.kmeansWorker,
        inputValue: (cellId, index) => this.inputs.get(`${cellId}:${index}`),
      });
      this.#runtime.onChange((id, state) => this.#onCellState(id, state));
      this.status = { kind: "ready", version: String(version) };
    } catch (error) {
      this.status = { kind: "failed", message: `The database did not start: ${messageOf(error)}` };
      return;
    }
    if (this.#host.persist) void storage.askForPersistence();
    const saved =
      this.#host.persist && !requested
        ? await storage.loadNotebook().catch(() => undefined)
        : undefined;
    if (saved) {
      for (const dataset of await storage.loadDatasets().catch(() => []))
        await this.#load(dataset.file, dataset.name, false);
      await this.#open(saved.text, saved.source, true);
    } else {
      const example =
        EXAMPLES.find((e) => e.name === (requested ?? DEFAULT_EXAMPLE)) ?? EXAMPLES[0];
      if (example) await this.openExample(example.name);
    }
  }

  /** Open an example: trusted, its bundled datasets loaded. */
  async openExample(name: string): Promise<void> {
    const example = EXAMPLES.find((e) => e.name === name);
    if (!example) throw new Error(`unknown example: ${name}`);
    await this.#open(example.text, example.name, true);
  }

  /** Open a notebook file the user chose: nothing runs until they trust it. */
  async openFile(file: File): Promise<void> {
    const text = await file.text();
    try {
      await this.#open(text, file.name, false);
    } catch (error) {
      this.uploads = [
        ...this.uploads,
        {
          kind: "failed",
          id: ++this.#uploadIds,
          file: file.name,
          message: `${file.name}, ${messageOf(error)}`,
        },
      ];
    }
  }

  /** A new, empty notebook. */
  async newNotebook(): Promise<void> {
    await this.#open(
      serialize(makeNotebook({ title: "Untitled", cells: [{ kind: "sql", source: "" }] })),
      "untitled",
      true,
    );
  }

  /** The user trusts the opened notebook: run it. */
  async trust(): Promise<void> {
    this.trusted = true;
    await this.runAll();
  }

  async #open(text: string, source: string, trusted: boolean): Promise<void> {
    // A newer open (a file chosen while the default example still loads) wins: the older one
    // must neither run nor trust what the newer one opened.
    const version = ++this.#opens;
    const nb = parse(text);
    this.notebook = nb;
    this.#cellIds = nb.cells.length;
    this.source = source;
    this.trusted = trusted;
    this.inputs = new Map();
    this.ranWith = new Map();
    this.states = new Map();
    await this.#runtime?.setCells(nb.cells);
    if (version !== this.#opens) return;
    await this.#loadNamedDatasets(version);
    if (version !== this.#opens) return;
    this.#scheduleSave();
    if (trusted) await this.runAll();
  }

  /** Load the datasets the front matter names: bundled ones by file name; others are asked for. */
  async #loadNamedDatasets(version: number): Promise<void> {
    const missing: DatasetRef[] = [];
    for (const ref of this.notebook.datasets) {
      const fileName = ref.source.replace(/^.*[/\\]/, "");
      if (this.#loadedFrom.get(ref.name) === fileName) continue;
      const bundled = bundledDataset(ref.source);
      if (!bundled) {
        missing.push(ref);
        continue;
      }
      const response = await fetch(bundled.url);
      if (!response.ok) {
        missing.push(ref);
        continue;
      }
      const blob = await response.blob();
      // Opened over by another notebook while fetching: loading now would overwrite its tables.
      if (version !== this.#opens) return;
      await this.#load(new File([blob], bundled.fileName), ref.name, true);
    }
    this.missing = missing;
  }

  // --- datasets -------------------------------------------------------------------------------

  /** Load files one by one; a failure is reported for that file and the others go on. Notebooks (.md) open. */
  async addFiles(files: readonly File[], table?: string): Promise<void> {
    for (const file of files) {
      if (/\.md$/i.test(file.name)) {
        await this.openFile(file);
        continue;
      }
      await this.#load(file, table, true);
    }
    // Asked-for datasets are satisfied by the file chosen for them, or by a file of the named name.
    this.missing = this.missing.filter(
      (m) => m.name !== table && this.#loadedFrom.get(m.name) !== m.source.replace(/^.*[/\\]/, ""),
    );
    if (this.trusted) await this.runAll();
  }

  async #load(file: File, table: string | undefined, persist: boolean): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    const id = ++this.#uploadIds;
    this.uploads = [...this.uploads, { kind: "loading", id, file: file.name, bytes: file.size }];
    try {
      const started = performance.now();
      const info = await engine.registerFile(file, table === undefined ? {} : { table });
      performance.measure(`strata load ${file.name}`, {
        start: started,
        detail: { table: info.name, rows: info.rowCount, bytes: file.size },
      });
      this.#loadedFrom.set(info.name, file.name);
      this.datasets = [...this.datasets.filter((d) => d.name !== info.name), info].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      this.uploads = this.uploads.filter((u) => u.id !== id);
      if (persist && this.#host.persist)
        await storage.saveDataset({ name: info.name, file }).catch(() => undefined);
    } catch (error) {
      this.uploads = this.uploads.map((u) =>
        u.id === id ? { kind: "failed", id, file: file.name, message: messageOf(error) } : u,
      );
    }
  }

  dismiss(id: number): void {
    this.uploads = this.uploads.filter((u) => u.id !== id);
  }

  /** Rename a dataset's table; returns why not, when it cannot be. */
  async renameDataset(name: string, to: string): Promise<string | undefined> {
    const engine = this.#engine;
    const target = to.trim();
    if (!engine || target === name) return undefined;
    if (!/^[A-Za-z_][\w]*$/.test(target))
      return `invalid table name: ${JSON.stringify(target)} (letters, digits and _, not starting with a digit)`;
    if (this.datasets.some((d) => d.name === target))
      return `a table named ${target} is already loaded`;
    try {
      await engine.query(`ALTER TABLE ${ident(name)} RENAME TO ${ident(target)}`);
    } catch (error) {
      return messageOf(error);
    }
    const info = await engine.describe(target);
    const from = this.#loadedFrom.get(name);
    this.#loadedFrom.delete(name);
    if (from) this.#loadedFrom.set(target, from);
    this.datasets = [...this.datasets.filter((d) => d.name !== name), info].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    if (this.#host.persist) {
      const saved = (await storage.loadDatasets().catch(() => [])).find((d) => d.name === name);
      await storage.removeDataset(name).catch(() => undefined);
      if (saved)
        await storage.saveDataset({ name: target, file: saved.file }).catch(() => undefined);
    }
    return undefined;
  }

  /** The first rows of a dataset, for a preview. */
  async preview(name: string, rows = 5): Promise<Table> {
    if (!this.#engine) throw new Error("the database has not started");
    return this.#engine.query(`SELECT * FROM ${ident(name)} LIMIT ${rows}`);
  }

  async removeDataset(name: string): Promise<void> {
    await this.#engine?.dropTable(name);
    this.#loadedFrom.delete(name);
    this.datasets = this.datasets.filter((d) => d.name !== name);
    if (this.#host.persist) await storage.removeDataset(name).catch(() => undefined);
  }

  // --- cells ----------------------------------------------------------------------------------

  state(id: string): CellState {
    return this.states.get(id) ?? { status: "idle" };
  }

  /** Whether a cell's source changed since it last ran. */
  isStale(id: string): boolean {
    const cell = this.notebook.cells.find((c) => c.id === id);
    const ran = this.ranWith.get(id);
    return cell !== undefined && ran !== undefined && ran !== cell.source;
  }

  /** Change a cell's source (it runs when asked). */
  edit(id: string, source: string): void {
    this.#replace(this.notebook.cells.map((c) => (c.id === id ? { ...c, source } : c)));
  }

  /** Rename a code cell; an empty name unnames it. Names must be identifiers. */
  rename(id: string, name: string): string | undefined {
    const trimmed = name.trim();
    try {
      this.#replace(
        this.notebook.cells.map((c) =>
          c.id === id && c.kind !== "markdown"
            ? { ...c, name: trimmed === "" ? undefined : trimmed }
            : c,
        ),
      );
      return undefined;
    } catch (error) {
      return messageOf(error);
    }
  }

  /** Add a cell of a kind after the cell `after` (or at the top). Returns its id. */
  add(kind: CellKind, after?: string): string {
    const id = `n${++this.#cellIds}`;
    const cell: Cell =
      kind === "markdown"
        ? { id, kind, source: "New text" }
        : { id, kind, name: undefined, options: [], source: "" };
    const cells = [...this.notebook.cells];
    const at = after === undefined ? 0 : cells.findIndex((c) => c.id === after) + 1;
    cells.splice(at, 0, cell);
    this.#replace(cells, false);
    return id;
  }

  remove(id: string): void {
    this.#replace(this.notebook.cells.filter((c) => c.id !== id));
    void this.#runtime?.setCells(this.notebook.cells);
  }

  move(id: string, delta: -1 | 1): void {
    const cells = [...this.notebook.cells];
    const i = cells.findIndex((c) => c.id === id);
    const j = i + delta;
    if (i === -1 || j < 0 || j >= cells.length) return;
    [cells[i], cells[j]] = [cells[j]!, cells[i]!];
    this.#replace(cells, false);
  }

  setTitle(title: string): void {
    this.notebook = { ...this.notebook, title };
    this.#scheduleSave();
  }

  /** Run one cell and everything that depends on it. */
  async run(id: string): Promise<void> {
    const runtime = this.#runtime;
    if (!runtime) return;
    this.trusted = true;
    await runtime.setCells(this.notebook.cells);
    await runtime.run(id);
  }

  async runAll(): Promise<void> {
    const runtime = this.#runtime;
    if (!runtime) return;
    this.trusted = true;
    await runtime.setCells(this.notebook.cells);
    await runtime.runAll();
  }

  /** An input moved: keep its value and re-run its cell and what depends on it. */
  async setInput(cellId: string, index: number, value: unknown): Promise<void> {
    this.inputs = new Map([...this.inputs, [`${cellId}:${index}`, value]]);
    await this.run(cellId);
  }

  // --- files ----------------------------------------------------------------------------------

  /** Each code cell's outcome, for the HTML report. */
  results(): CellResult[] {
    return cellResults(this.notebook, (id) => this.state(id));
  }

  /** The notebook as its .md file. */
  text(): string {
    return serialize(this.notebook);
  }

  fileName(): string {
    const base = (this.notebook.title || this.source || "notebook").replace(/\.md$/i, "");
    return `${
      base
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || "notebook"
    }.md`;
  }

  #replace(cells: Cell[], normalise = true): void {
    // Keep ids: the cells the user works with keep their identity across edits.
    const nb = normalise ? makeNotebook({ ...this.notebook, cells }) : { ...this.notebook, cells };
    this.notebook = nb;
    this.#scheduleSave();
  }

  #onCellState(id: string, state: CellState): void {
    this.states = new Map([...this.states, [id, state]]);
    if (state.status === "running") {
      const cell = this.notebook.cells.find((c) => c.id === id);
      if (cell) this.ranWith = new Map([...this.ranWith, [id, cell.source]]);
    }
  }

  /** Save within a second of every change (debounced). */
  #scheduleSave(): void {
    if (!this.#host.persist) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      storage
        .saveNotebook({ text: this.text(), source: this.source, savedAt: Date.now() })
        .then(() => (this.saveStatus = { kind: "saved", at: Date.now() }))
        .catch(
          (error: unknown) => (this.saveStatus = { kind: "failed", message: messageOf(error) }),
        );
    }, SAVE_DELAY);
  }
}
