import { ident, type Engine } from "../engine/index.ts";
import type { Cell, CodeCell } from "../notebook/index.ts";
import { isTableLike } from "../output/index.ts";
import {
  cellError,
  escapeRegExp,
  mentionsOf,
  resolve,
  type Analysed,
  type Mentions,
} from "./analysis.ts";
import { runTs } from "./compile.ts";
import { buildGraph, dependentsOf, type Graph } from "./graph.ts";
import { toIPC } from "./ipc.ts";
import { cellLibrary, sharedLibrary, showFile, stoppable, type LibraryHost } from "./library.ts";
import { remoteSegmentation, type RemoteSegmentation } from "./segment-remote.ts";
import { sqlParserReady, sqlReferences, type SqlReferences } from "./sqlrefs.ts";
import {
  transition,
  type CellError,
  type CellEvent,
  type CellState,
  type Output,
} from "./state.ts";

export interface RuntimeOptions extends LibraryHost {
  /** more names for TS cells (segmentation and chart functions), added to the shared library */
  library?: ReadonlyMap<string, unknown>;
  /** the clock for run times, in milliseconds */
  now?: () => number;
  /**
   * The tables a SQL text reads; by default parsed here with sqlparser's wasm (the sandboxed
   * notebook frame, which may load no wasm, asks the app to parse for it).
   */
  sqlReferences?: (sql: string) => Promise<SqlReferences>;
  /**
   * Awaited after a TS cell is marked running and before its code starts: the frame yields
   * here so that "running" reaches the app even when the code then never gives the thread back.
   */
  beforeTs?: () => Promise<void>;
}

export type Listener = (id: string, state: CellState) => void;

/**
 * Runs a notebook's code cells reactively: each cell after the cells it reads, a re-run of a
 * cell re-runs exactly the cells that depend on it, and a newer run supersedes an older one
 * (the older one stops before its next cell and its in-flight result is dropped).
 */
export class Runtime {
  #host: RuntimeOptions;
  #shared: Map<string, unknown>;
  #now: () => number;
  #cells = new Map<string, Analysed>();
  #graph: Graph = buildGraph([]);
  #states = new Map<string, CellState>();
  #listeners = new Set<Listener>();
  /**
   * Each cell's version (Observable's runtime keeps one per variable): scheduling a run bumps the
   * versions of the cells it will compute, and a result counts only if its cell's version is
   * still the one it ran for. A run supersedes exactly the cells it recomputes.
   */
  #versions = new Map<string, number>();
  #closed = false;
  /** the running cells' runs, which Stop aborts */
  #runs = new Map<string, AbortController>();
  /** kmeans, elbow and silhouette in a worker, when the host gave one */
  #remote: RemoteSegmentation | undefined;
  /** each cell's mentions, by id, kept while its source stays the same */
  #mentions = new Map<string, Mentions>();
  /** the names cells defined when they ran: the cell's id, and whether it made a table */
  #made = new Map<string, { id: string; table: boolean }>();
  /** names cells defined before and no longer do, with what became of each (for their readers) */
  #goneNames = new Map<string, string>();
  /** the end of the queue of runs: a new run starts after it */
  #tail: Promise<void> = Promise.resolve();
  /** the end of the queue of analyses (setCells), which run one at a time */
  #analysing: Promise<void> = Promise.resolve();

  private constructor(options: RuntimeOptions) {
    this.#host = options;
    this.#now = options.now ?? (() => performance.now());
    this.#shared = new Map([...sharedLibrary(options), ...(options.library ?? [])]);
    this.#remote = options.kmeansWorker && remoteSegmentation(options.kmeansWorker);
  }

  static async create(options: RuntimeOptions): Promise<Runtime> {
    if (!options.sqlReferences) await sqlParserReady();
    return new Runtime(options);
  }

  /**
   * Replace the cells (markdown cells are ignored); nothing runs until asked. A cell that was
   * deleted or renamed takes its table with it, and the cells that read its old name fail with
   * what became of it, rather than reading a table that will not be there after a reload.
   */
  setCells(cells: readonly Cell[]): Promise<void> {
    // One at a time: two analyses interleaving would leave a mix of both documents.
    const next = this.#analysing.then(() => this.#setCells(cells));
    this.#analysing = next.catch(() => undefined);
    return next;
  }

  async #setCells(cells: readonly Cell[]): Promise<void> {
    const code = cells.filter((c): c is CodeCell => c.kind !== "markdown");
    const names = new Map<string, string>();
    for (const cell of code) if (cell.name !== undefined) names.set(cell.name, cell.name);
    await this.#forgetGone(code, names);
    const analysed = new Map<string, Analysed>();
    const parseSql = this.#host.sqlReferences ?? sqlReferences;
    const mentions = new Map<string, Mentions>();
    for (const cell of code) {
      const known = this.#mentions.get(cell.id);
      const m =
        known && known.source === cell.source && known.kind === cell.kind
          ? known
          : await mentionsOf(cell, parseSql);
      mentions.set(cell.id, m);
      analysed.set(cell.id, resolve(cell, m, names, this.#goneNames));
    }
    this.#mentions = mentions;
    for (const id of this.#states.keys()) {
      if (analysed.has(id)) continue;
      // A cell that goes takes its runs with it: a cell that comes back under its id is new.
      this.#states.delete(id);
      this.#bump(id);
      this.#runs.get(id)?.abort();
    }
    for (const id of analysed.keys())
      if (!this.#states.has(id)) this.#states.set(id, { status: "idle" });
    this.#cells = analysed;
    for (const a of analysed.values()) {
      const status = this.state(a.cell.id).status;
      const name = a.gone[0];
      if (name !== undefined && (status === "done" || status === "idle"))
        this.#set(a.cell.id, { type: "fail", error: { message: this.#goneNames.get(name)! } });
    }
    this.#graph = buildGraph(
      [...analysed.values()].map((a) => ({
        id: a.cell.id,
        name: a.cell.name,
        references: a.references,
      })),
    );
  }

  /** Run every code cell in dependency order. */
  runAll(): Promise<void> {
    return this.#schedule(this.#graph.order);
  }

  /** Run one cell, the cells it reads that have not run yet, and every cell that depends on it. */
  run(id: string): Promise<void> {
    if (!this.#cells.has(id)) throw new Error(`unknown cell: ${id}`);
    return this.#schedule(this.#around([id]));
  }

  /**
   * A dataset was added or replaced: run exactly the cells that read one of these tables (SQL
   * that names it; TS that names it, in a `sql` template too), with what they need and what
   * depends on them. Nothing else re-runs.
   */
  runReaders(tables: readonly string[]): Promise<void> {
    const lower = new Set(tables.map((t) => t.toLowerCase()));
    const words = tables.map((t) => new RegExp(`(^|[^\\w$])${escapeRegExp(t)}($|[^\\w$])`, "i"));
    const readers = [...this.#cells.values()].flatMap(({ cell }) => {
      const m = this.#mentions.get(cell.id);
      const reads =
        cell.kind === "sql"
          ? (m?.mentioned ?? []).some((name) => lower.has(name.toLowerCase()))
          : words.some((word) => word.test(cell.source));
      return reads ? [cell.id] : [];
    });
    return readers.length === 0 ? Promise.resolve() : this.#schedule(this.#around(readers));
  }

  /** These cells, the cells they read that have not run yet, and every cell that reads them, in order. */
  #around(roots: readonly string[]): string[] {
    const needed = new Set<string>();
    for (const id of roots) for (const c of [id, ...dependentsOf(this.#graph, id)]) needed.add(c);
    const pending = [...needed];
    while (pending.length > 0) {
      for (const input of this.#graph.inputs.get(pending.pop()!) ?? []) {
        if (!needed.has(input) && this.state(input).status !== "done") {
          needed.add(input);
          pending.push(input);
        }
      }
    }
    return this.#graph.order.filter((c) => needed.has(c));
  }

  /**
   * Run this cell alone: not the cells it reads (one that has not run is its error), nor the
   * cells that read it. What a confirmed run of one cell of an untrusted notebook does.
   */
  runOnly(id: string): Promise<void> {
    if (!this.#cells.has(id)) throw new Error(`unknown cell: ${id}`);
    return this.#schedule([id]);
  }

  /** Change a cell's source and re-run it with its dependents. */
  async edit(id: string, source: string): Promise<void> {
    const current = this.#cells.get(id);
    if (!current) throw new Error(`unknown cell: ${id}`);
    // The old source's results are stale from this moment, even while the new one is analysed.
    this.#bump(id);
    await this.#analysing;
    await this.setCells([
      ...[...this.#cells.values()].map((a) => (a.cell.id === id ? { ...a.cell, source } : a.cell)),
    ]);
    await this.run(id);
  }

  state(id: string): CellState {
    return this.#states.get(id) ?? { status: "idle" };
  }

  /** The value of the named cell, if it has run. */
  value(name: string): unknown {
    for (const { cell } of this.#cells.values()) {
      if (cell.name !== name) continue;
      const state = this.state(cell.id);
      return state.status === "done" ? state.value : undefined;
    }
    return undefined;
  }

  /** The code cells in document order with their ids. */
  cellIds(): string[] {
    return [...this.#cells.keys()];
  }

  /**
   * Stop a cell the user stopped, queued or running, and the cells queued after it that read
   * it: each ends as "stopped". A running SQL query is interrupted in the engine, segmentation
   * in the worker; a TS cell's code is abandoned where it awaits (code that never gives the
   * thread back is stopped by tearing its frame down).
   */
  stop(id: string): void {
    for (const c of [id, ...dependentsOf(this.#graph, id)]) this.#halt(c);
  }

  /** Stop every queued and running cell. */
  stopAll(): void {
    for (const id of this.#cells.keys()) this.#halt(id);
  }

  /**
   * The database was replaced by a new one (the old one was lost): the tables cells made are
   * gone, so every cell stops or goes back to not run, and a run starts afresh.
   */
  reset(): void {
    this.stopAll();
    this.#made.clear();
    this.#goneNames.clear();
    for (const id of this.#cells.keys())
      if (this.state(id).status !== "idle") this.#set(id, { type: "reset" });
  }

  /**
   * Stop for good (its notebook closed): queued cells never start, a running cell's result is
   * dropped, and listeners hear nothing more.
   */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    for (const run of this.#runs.values()) run.abort();
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Wait for every scheduled run to finish. */
  settled(): Promise<void> {
    return this.#tail;
  }

  #set(id: string, event: CellEvent): void {
    const next = transition(this.state(id), event);
    this.#states.set(id, next);
    for (const listener of this.#listeners) listener(id, next);
  }

  /**
   * Tables of cells that are gone (deleted, or renamed away from their name) are dropped, and
   * their old names remembered for the cells that still read them.
   */
  async #forgetGone(code: readonly CodeCell[], names: ReadonlyMap<string, string>): Promise<void> {
    const byId = new Map(code.map((c) => [c.id, c]));
    for (const [name, { id, table }] of [...this.#made]) {
      if (names.has(name)) continue;
      const now = byId.get(id);
      this.#made.delete(name);
      this.#goneNames.set(
        name,
        now?.name !== undefined
          ? `${name} no longer exists (it was renamed to ${now.name})`
          : `${name} no longer exists (its cell was deleted)`,
      );
      // A notebook that may not use the database made no table to drop.
      if (table) await this.#host.engine.dropTable(name).catch(() => undefined);
      // Renamed, the cell has made no table under its new name yet: it has not run as it is.
      if (now && this.#states.get(id)?.status === "done") this.#set(id, { type: "reset" });
    }
    for (const name of names.keys()) this.#goneNames.delete(name);
  }

  #bump(id: string): number {
    const version = (this.#versions.get(id) ?? 0) + 1;
    this.#versions.set(id, version);
    return version;
  }

  /** Whether this run of the cell is still the one wanted (no later run took it over). */
  #current(id: string, version: number): boolean {
    return !this.#closed && this.#versions.get(id) === version;
  }

  /** A queued or running cell stops: its run is superseded by none, and aborted. */
  #halt(id: string): void {
    const status = this.state(id).status;
    if (status !== "queued" && status !== "running") return;
    this.#bump(id);
    this.#runs.get(id)?.abort();
    this.#set(id, { type: "stop", at: this.#now() });
  }

  /**
   * Queue these cells, in this order, after what is queued already. Cells this run does not
   * name keep running and keep their results; a cell it names that an earlier run still holds
   * is taken over (the earlier run drops its result and skips it).
   */
  #schedule(ids: string[]): Promise<void> {
    const wanted = ids.map((id) => [id, this.#bump(id)] as const);
    // A cell running now runs again: the old run stops first, in the engine too.
    for (const id of ids) this.#runs.get(id)?.abort();
    for (const id of ids) this.#set(id, { type: "queue" });
    const run = this.#tail.then(async () => {
      for (const [id, version] of wanted) {
        if (this.#current(id, version)) await this.#runCell(id, version);
      }
    });
    // One run that fails must not fail every run after it.
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #runCell(id: string, version: number): Promise<void> {
    const analysed = this.#cells.get(id);
    // Only a cell still waiting for this run starts (one reset or gone meanwhile does not).
    if (!analysed || this.state(id).status !== "queued") return;
    const blocked = this.#blocked(id, analysed);
    if (blocked) {
      this.#set(id, { type: "fail", error: blocked });
      return;
    }
    const { cell } = analysed;
    this.#set(id, { type: "start", at: this.#now() });
    const run = new AbortController();
    this.#runs.set(id, run);
    const engine = stoppable(this.#host.engine, run.signal);
    const outputs: Output[] = [];
    // User Timing: each run shows in the browser's performance panel (and `npm run bench` reads it).
    const started = performance.now();
    const timing = () =>
      performance.measure(`strata cell ${cell.name ?? id}`, { start: started, detail: { id } });
    try {
      const value = await untilAborted(
        cell.kind === "sql"
          ? this.#runSql(cell, engine, outputs)
          : this.#runTs(analysed, outputs, run.signal),
        run.signal,
      );
      if (!this.#current(id, version)) return;
      if (cell.kind === "ts" && cell.name !== undefined && isTableLike(value)) {
        await engine.registerArrow(cell.name, toIPC(value));
      }
      if (cell.name !== undefined)
        this.#made.set(cell.name, { id, table: cell.kind === "sql" || isTableLike(value) });
      if (!this.#current(id, version)) return;
      timing();
      this.#set(id, { type: "finish", value, outputs, at: this.#now() });
    } catch (error) {
      if (!this.#current(id, version)) return;
      timing();
      this.#set(id, {
        type: "fail",
        error: cellError(error, cell, analysed.compiled),
        at: this.#now(),
      });
    } finally {
      if (this.#runs.get(id) === run) this.#runs.delete(id);
    }
  }

  /** Why a cell cannot run now: a graph error, a compile error, or an input that failed. */
  #blocked(id: string, analysed: Analysed): CellError | undefined {
    const graphError = this.#graph.errors.get(id);
    if (graphError) return { message: graphError };
    const gone = analysed.gone[0];
    if (gone !== undefined)
      return { message: this.#goneNames.get(gone) ?? `${gone} no longer exists` };
    if (analysed.problem) return analysed.problem;
    for (const input of this.#graph.inputs.get(id) ?? []) {
      const state = this.state(input);
      if (state.status !== "done") {
        const name = this.#cells.get(input)?.cell.name ?? input;
        const what =
          state.status === "error"
            ? "failed"
            : state.status === "stopped"
              ? "was stopped"
              : "has not run";
        return { message: `${name} ${what}, and this cell reads it` };
      }
    }
    return undefined;
  }

  async #runSql(cell: CodeCell, engine: Engine<unknown>, outputs: Output[]): Promise<unknown> {
    const sql = cell.source.replace(/;\s*$/, "");
    // In the browser a COPY … TO writes into memory: its file shows as a download button.
    if (cell.name === undefined) return engine.query(sql, { files: showFile(outputs) });
    // Same line as the user's SQL, so DuckDB's line numbers stay the cell's own.
    await engine.query(`CREATE OR REPLACE TABLE ${ident(cell.name)} AS ${sql}`);
    return engine.query(`SELECT * FROM ${ident(cell.name)}`);
  }

  async #runTs(analysed: Analysed, outputs: Output[], signal: AbortSignal): Promise<unknown> {
    const { cell, compiled } = analysed;
    if (!compiled) throw new Error("a TS cell without compiled code");
    await this.#host.beforeTs?.();
    const scope = new Map(this.#shared);
    const run = { cellId: cell.id, outputs, signal, remote: this.#remote };
    for (const [name, value] of cellLibrary(this.#host, run)) scope.set(name, value);
    for (const { cell: other } of this.#cells.values()) {
      if (other.name === undefined || other.id === cell.id) continue;
      const state = this.state(other.id);
      if (state.status === "done") scope.set(other.name, state.value);
    }
    return runTs(compiled, scope, cell.id);
  }
}

/**
 * The cell's work, or its abandonment once the run is stopped: code that awaits something that
 * never ends must not hold up the cells queued after it.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // What an abandoned cell does afterwards is dropped, its failure too.
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
