import { ident, messageOf } from "../engine/index.ts";
import type { Cell, CodeCell } from "../notebook/index.ts";
import { isTableLike } from "../output/index.ts";
import { compileTs, errorLocation, runTs, type CompiledTs } from "./compile.ts";
import { buildGraph, dependentsOf, type Graph } from "./graph.ts";
import { toIPC } from "./ipc.ts";
import { cellLibrary, sharedLibrary, type LibraryHost } from "./library.ts";
import { sqlIdentifiers } from "../engine/sqllex.ts";
import { sqlParserReady, sqlReferences, type SqlReferences } from "./sqlrefs.ts";
import {
  transition,
  type CellError,
  type CellEvent,
  type CellState,
  type Output,
} from "./state.ts";
import { CellSyntaxError } from "./tsrefs.ts";

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

/** What a cell's source mentions, worked out once per source (parsing is the costly part). */
interface Mentions {
  kind: CodeCell["kind"];
  source: string;
  /** names the source reads: SQL table names, or a TS cell's free identifiers */
  mentioned: string[];
  compiled?: CompiledTs;
  /** a TS cell that cannot be compiled */
  problem?: CellError;
}

interface Analysed {
  cell: CodeCell;
  /** names of other cells this cell reads */
  references: string[];
  /** names it reads that no cell defines any more, with what became of them */
  gone: string[];
  compiled?: CompiledTs;
  /** a TS cell that cannot be compiled */
  problem?: CellError;
}

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
  #stopped = false;
  /** each cell's mentions, by id, kept while its source stays the same */
  #mentions = new Map<string, Mentions>();
  /** the names cells defined when they ran: the cell's id, and whether it made a table */
  #made = new Map<string, { id: string; table: boolean }>();
  /** names cells defined before and no longer do, with what became of each (for their readers) */
  #goneNames = new Map<string, string>();
  #tail: Promise<void> = Promise.resolve();

  private constructor(options: RuntimeOptions) {
    this.#host = options;
    this.#now = options.now ?? (() => performance.now());
    this.#shared = new Map([...sharedLibrary(options), ...(options.library ?? [])]);
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
  async setCells(cells: readonly Cell[]): Promise<void> {
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
    for (const id of this.#states.keys()) if (!analysed.has(id)) this.#states.delete(id);
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
   * Stop for good (its notebook closed): queued cells never start, a running cell's result is
   * dropped, and listeners hear nothing more.
   */
  stop(): void {
    this.#stopped = true;
    this.#listeners.clear();
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
    return !this.#stopped && this.#versions.get(id) === version;
  }

  /**
   * Queue these cells, in this order, after what is queued already. Cells this run does not
   * name keep running and keep their results; a cell it names that an earlier run still holds
   * is taken over (the earlier run drops its result and skips it).
   */
  #schedule(ids: string[]): Promise<void> {
    const wanted = ids.map((id) => [id, this.#bump(id)] as const);
    for (const id of ids) this.#set(id, { type: "queue" });
    const run = this.#tail.then(async () => {
      for (const [id, version] of wanted) {
        if (this.#current(id, version)) await this.#runCell(id, version);
      }
    });
    this.#tail = run;
    return run;
  }

  async #runCell(id: string, version: number): Promise<void> {
    const analysed = this.#cells.get(id);
    if (!analysed) return;
    const blocked = this.#blocked(id, analysed);
    if (blocked) {
      this.#set(id, { type: "fail", error: blocked });
      return;
    }
    const { cell } = analysed;
    this.#set(id, { type: "start", at: this.#now() });
    const outputs: Output[] = [];
    // User Timing: each run shows in the browser's performance panel (and `npm run bench` reads it).
    const started = performance.now();
    const timing = () =>
      performance.measure(`strata cell ${cell.name ?? id}`, { start: started, detail: { id } });
    try {
      const value =
        cell.kind === "sql" ? await this.#runSql(cell) : await this.#runTs(analysed, outputs);
      if (!this.#current(id, version)) return;
      if (cell.kind === "ts" && cell.name !== undefined && isTableLike(value)) {
        await this.#host.engine.registerArrow(cell.name, toIPC(value));
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
        return {
          message: `${name} ${state.status === "error" ? "failed" : "has not run"}, and this cell reads it`,
        };
      }
    }
    return undefined;
  }

  async #runSql(cell: CodeCell): Promise<unknown> {
    const sql = cell.source.replace(/;\s*$/, "");
    if (cell.name === undefined) return this.#host.engine.query(sql);
    // Same line as the user's SQL, so DuckDB's line numbers stay the cell's own.
    await this.#host.engine.query(`CREATE OR REPLACE TABLE ${ident(cell.name)} AS ${sql}`);
    return this.#host.engine.query(`SELECT * FROM ${ident(cell.name)}`);
  }

  async #runTs(analysed: Analysed, outputs: Output[]): Promise<unknown> {
    const { cell, compiled } = analysed;
    if (!compiled) throw new Error("a TS cell without compiled code");
    await this.#host.beforeTs?.();
    const scope = new Map(this.#shared);
    for (const [name, value] of cellLibrary(this.#host, cell.id, outputs)) scope.set(name, value);
    for (const { cell: other } of this.#cells.values()) {
      if (other.name === undefined || other.id === cell.id) continue;
      const state = this.state(other.id);
      if (state.status === "done") scope.set(other.name, state.value);
    }
    return runTs(compiled, scope, cell.id);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function mentionsOf(
  cell: CodeCell,
  sqlReferences: (sql: string) => Promise<SqlReferences>,
): Promise<Mentions> {
  const base = { kind: cell.kind, source: cell.source };
  if (cell.kind === "ts") {
    try {
      const compiled = compileTs(cell.source);
      return { ...base, mentioned: compiled.references, compiled };
    } catch (error) {
      return { ...base, mentioned: [], problem: cellError(error, cell) };
    }
  }
  const parsed = await sqlReferences(cell.source);
  return { ...base, mentioned: parsed.ok ? parsed.tables : sqlIdentifiers(cell.source) };
}

/** A lookup of a mentioned name among a map's keys: exactly, or regardless of case. */
function caseLookup(exact: boolean) {
  return (keys: ReadonlyMap<string, unknown>) => {
    const byLower = new Map([...keys.keys()].map((k) => [k.toLowerCase(), k]));
    return (mention: string): string | undefined =>
      keys.has(mention) ? mention : exact ? undefined : byLower.get(mention.toLowerCase());
  };
}

/** The cells a cell reads, by name: exactly for TS, regardless of case for SQL (as DuckDB). */
function resolve(
  cell: CodeCell,
  m: Mentions,
  names: ReadonlyMap<string, string>,
  goneNames: ReadonlyMap<string, string>,
): Analysed {
  // TS names are exact; SQL names match regardless of case, as DuckDB's do.
  const find = caseLookup(cell.kind === "ts");
  const defined = find(names);
  const undefinedNow = find(goneNames);
  const references = new Set<string>();
  const gone = new Set<string>();
  for (const mention of m.mentioned) {
    const name = defined(mention);
    if (name !== undefined) references.add(name);
    else {
      const old = undefinedNow(mention);
      if (old !== undefined) gone.add(old);
    }
  }
  return {
    cell,
    references: [...references],
    gone: [...gone],
    compiled: m.compiled,
    problem: m.problem,
  };
}

function cellError(error: unknown, cell: CodeCell, compiled?: CompiledTs): CellError {
  if (error instanceof CellSyntaxError) {
    return {
      message: error.message.replace(/^line \d+, column \d+: /, ""),
      line: error.line,
      column: error.column,
    };
  }
  const message = messageOf(error);
  if (cell.kind === "ts") {
    const at = errorLocation(error, cell.id, compiled);
    const name = error instanceof Error && error.name !== "Error" ? `${error.name}: ` : "";
    return at ? { message: `${name}${message}`, ...at } : { message: `${name}${message}` };
  }
  const full =
    error instanceof Error && error.cause instanceof Error ? error.cause.message : message;
  const line = /\bLINE (\d+):/.exec(full)?.[1];
  return line === undefined ? { message } : { message, line: Number(line) };
}
