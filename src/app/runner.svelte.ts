import type { Engine } from "../engine/index.ts";
import type { Cell, Notebook } from "../notebook/index.ts";
import { cellResults, Runtime, type CellResult, type CellState } from "../runtime/index.ts";
import type { SqlReferences } from "../runtime/sqlrefs.ts";

export interface RunnerHost {
  engine: Engine<unknown>;
  /** the tables a SQL text reads (the frame asks the app, which has the parser) */
  sqlReferences?: (sql: string) => Promise<SqlReferences>;
  /** awaited before each TS cell's code starts (see RuntimeOptions.beforeTs) */
  beforeTs?: () => Promise<void>;
  /** a segmentation worker, so clustering does not block the page */
  kmeansWorker?: () => Worker;
  /** the open notebook's cells, as they are now */
  cells: () => readonly Cell[];
}

/**
 * The run state of one open notebook, in the notebook frame: each cell's state, the source it
 * last ran with, the values of its inputs. A frame lives as long as its notebook is open (or
 * until Stop rebuilds it).
 */
export class Runner {
  states = $state.raw<ReadonlyMap<string, CellState>>(new Map());
  /** the source each cell last ran with, to show edited cells as stale */
  ranWith = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** input values the user set, by cell id and input position */
  inputs = $state.raw<ReadonlyMap<string, unknown>>(new Map());
  #runtime: Runtime;
  #host: RunnerHost;
  #listeners: ((states: ReadonlyMap<string, CellState>) => void)[] = [];
  /** how many times Stop all was pressed */
  #stops = 0;

  private constructor(runtime: Runtime, host: RunnerHost) {
    this.#runtime = runtime;
    this.#host = host;
    runtime.onChange((id, state) => this.#onCellState(id, state));
  }

  static async create(host: RunnerHost): Promise<Runner> {
    // The runtime asks for input values; they live on the runner made just after it.
    const made: { runner?: Runner } = {};
    const runtime = await Runtime.create({
      engine: host.engine,
      kmeansWorker: host.kmeansWorker,
      sqlReferences: host.sqlReferences,
      beforeTs: host.beforeTs,
      inputValue: (cellId, index) => made.runner?.inputs.get(`${cellId}:${index}`),
    });
    made.runner = new Runner(runtime, host);
    return made.runner;
  }

  state(id: string): CellState {
    return this.states.get(id) ?? { status: "idle" };
  }

  /** Whether a cell's source changed since it last ran. */
  isStale(cell: Cell): boolean {
    const ran = this.ranWith.get(cell.id);
    return ran !== undefined && ran !== cell.source;
  }

  /**
   * The cells changed their names (one deleted, renamed, added): tell the runtime now, so a gone
   * cell's table goes and its readers say so, without waiting for the next run.
   */
  async sync(): Promise<void> {
    await this.#runtime.setCells(this.#host.cells());
  }

  /** Run one cell and everything that depends on it. */
  run(id: string): Promise<void> {
    return this.#afterReading((runtime) => runtime.run(id));
  }

  /** Datasets were added: run exactly the cells that read these tables (and what depends on them). */
  runReaders(tables: readonly string[]): Promise<void> {
    return this.#afterReading((runtime) => runtime.runReaders(tables));
  }

  /** Run one cell alone (a confirmed run of one cell of an untrusted notebook). */
  runOnly(id: string): Promise<void> {
    return this.#afterReading((runtime) => runtime.runOnly(id));
  }

  runAll(): Promise<void> {
    return this.#afterReading((runtime) => runtime.runAll());
  }

  /** Give the runtime the cells as they are now, then run — unless Stop all came meanwhile. */
  async #afterReading(run: (runtime: Runtime) => Promise<void>): Promise<void> {
    const stops = this.#stops;
    await this.#runtime.setCells(this.#host.cells());
    if (stops === this.#stops) await run(this.#runtime);
  }

  /** An input moved: keep its value for the cell's next run. */
  setInput(cellId: string, index: number, value: unknown): void {
    this.inputs = new Map([...this.inputs, [`${cellId}:${index}`, value]]);
  }

  /** Stop a queued or running cell, and the cells queued after it that read it. */
  stop(id: string): void {
    this.#runtime.stop(id);
  }

  /** Stop every queued and running cell, and the runs asked for that have not queued theirs yet. */
  stopAll(): void {
    this.#stops++;
    this.#runtime.stopAll();
  }

  /** The database was replaced: every result goes, and the cells show as not run. */
  reset(): void {
    this.#stops++;
    this.#runtime.reset();
  }

  /** A cell was stopped by tearing its frame down: show it so in the new one. */
  markStopped(id: string, ms: number): void {
    this.states = new Map([...this.states, [id, { status: "stopped", ms }]]);
  }

  /** Listen to every cell's state. */
  onChange(listener: (states: ReadonlyMap<string, CellState>) => void): void {
    this.#listeners.push(listener);
  }

  /** Each code cell's outcome, for the HTML report. */
  results(notebook: Notebook): CellResult[] {
    return cellResults(notebook, (id) => this.state(id));
  }

  #onCellState(id: string, state: CellState): void {
    this.states = new Map([...this.states, [id, state]]);
    for (const listener of this.#listeners) listener(this.states);
    if (state.status === "running") {
      const cell = this.#host.cells().find((c) => c.id === id);
      if (cell) this.ranWith = new Map([...this.ranWith, [id, cell.source]]);
    }
  }
}
