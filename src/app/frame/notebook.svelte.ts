import {
  notebook as makeNotebook,
  type Cell,
  type CellKind,
  type Change,
} from "../../notebook/index.ts";
import { reportBody, type TableFormat, type TableLike } from "../../output/index.ts";
import type { CellState } from "../../runtime/index.ts";
import { toIPC } from "../../runtime/ipc.ts";
import { Runner } from "../runner.svelte.ts";
import { RemoteEngine, ShellChannel } from "./channel.ts";
import type {
  CellStatus,
  ExportSource,
  FrameView,
  InputChange,
  RunScope,
  ToFrame,
} from "./protocol.ts";

const EMPTY: FrameView = {
  title: "",
  cells: [],
  revision: 0,
  editable: false,
  trusted: false,
  problems: [],
  notes: [],
  editing: undefined,
  tables: {},
};

/**
 * The notebook as the frame shows it: the shell's view of the document (edits go back to the
 * shell, which owns the text), and the runner that holds every cell's value. It runs code only
 * when the shell says so.
 */
export class FrameNotebook {
  view = $state.raw<FrameView>(EMPTY);
  problems = $derived(new Map(this.view.problems));
  notes = $derived(new Map(this.view.notes));
  runner: Runner;
  #channel: ShellChannel;
  /** the code cells' ids and names as last seen, to notice one deleted or renamed */
  #names: string | undefined;

  private constructor(channel: ShellChannel, runner: Runner) {
    this.#channel = channel;
    this.runner = runner;
    runner.onChange((states) =>
      channel.post({
        type: "states",
        states: [...states].map(([id, state]) => [id, statusOf(state)]),
      }),
    );
  }

  static async create(
    channel: ShellChannel,
    kmeansWorker: (() => Worker) | undefined,
  ): Promise<FrameNotebook> {
    const engine = new RemoteEngine(channel);
    const made: { nb?: FrameNotebook } = {};
    const runner = await Runner.create({
      engine,
      kmeansWorker,
      sqlReferences: (sql) => engine.sqlReferences(sql),
      beforeTs: nextTask,
      cells: () => made.nb?.view.cells ?? [],
    });
    made.nb = new FrameNotebook(channel, runner);
    return made.nb;
  }

  get cells(): readonly Cell[] {
    return this.view.cells;
  }

  get editable(): boolean {
    return this.view.editable;
  }

  get trusted(): boolean {
    return this.view.trusted;
  }

  state(id: string): CellState {
    return this.runner.state(id);
  }

  change(change: Change): void {
    this.#channel.post({ type: "change", change });
  }

  add(kind: CellKind, after: string | undefined): void {
    this.#channel.post({ type: "add", kind, after });
  }

  remove(id: string): void {
    this.#channel.post({ type: "remove", id });
  }

  /** The user asks to run a cell: the shell decides (an untrusted notebook asks first). */
  askRun(id: string): void {
    this.#channel.post({ type: "ask-run", scope: { kind: "cell", id } });
  }

  /** The user stops a queued or running cell (and what is queued after it that reads it). */
  stop(id: string): void {
    this.runner.stop(id);
  }

  /** An input moved: the shell decides whether its cell runs again with the new value. */
  askInput(input: InputChange): void {
    this.#channel.post({ type: "ask-run", scope: { kind: "cell", id: input.cell }, input });
  }

  download(blob: Blob, name: string): void {
    this.#channel.post({ type: "download", name, blob });
  }

  /**
   * The user clicked Download under a result: the app writes the whole result (not only the rows
   * on screen) as a file of this format and saves it. Rejects with the app's reason.
   */
  async saveResult(result: ResultSource, format: TableFormat, fileName: string): Promise<void> {
    const [source, transfer] = exportSource(result);
    await this.#channel.request({ kind: "export", source, format, fileName }, transfer);
  }

  /** The user clicked Copy: the app puts the whole result on the clipboard, as TSV. */
  async copyResult(result: ResultSource): Promise<void> {
    const [source, transfer] = exportSource(result);
    await this.#channel.request({ kind: "copy", source }, transfer);
  }

  /** A message from the shell. */
  async receive(message: ToFrame): Promise<void> {
    switch (message.type) {
      case "view": {
        this.view = message.view;
        const names = namesOf(message.view.cells);
        if (names !== this.#names) {
          const first = this.#names === undefined;
          this.#names = names;
          if (!first) await this.runner.sync();
        }
        return;
      }
      case "run":
        if (message.input)
          this.runner.setInput(message.input.cell, message.input.index, message.input.value);
        await this.#run(message.scope);
        this.#channel.post({ type: "ran", id: message.id });
        return;
      case "stop":
        this.runner.stopAll();
        return;
      case "restarted":
        this.runner.reset();
        return;
      case "stopped":
        this.runner.markStopped(message.cell, message.ms);
        return;
      case "report": {
        const notebook = makeNotebook({ title: this.view.title });
        notebook.cells = [...this.view.cells];
        const cells = this.runner.results(notebook);
        const html = reportBody({ notebook, cells, window });
        this.#channel.post({ type: "report", id: message.id, html });
        return;
      }
      case "reply":
        this.#channel.answer(message.id, message.reply);
        return;
    }
  }

  #run(scope: RunScope): Promise<void> {
    switch (scope.kind) {
      case "all":
        return this.runner.runAll();
      case "cell":
        return this.runner.run(scope.id);
      case "only":
        return this.runner.runOnly(scope.id);
      case "readers":
        return this.runner.runReaders(scope.tables);
    }
  }
}

/**
 * A result to save or copy: a table in DuckDB (a named SQL cell's, which the app reads there,
 * exactly), or a value that lives only here, sent as Arrow IPC.
 */
export type ResultSource = { table: string } | { value: TableLike };

function exportSource(result: ResultSource): [ExportSource, Transferable[]] {
  if ("table" in result) return [{ table: result.table }, []];
  const ipc = toIPC(result.value);
  return [{ ipc }, [ipc.buffer]];
}

function namesOf(cells: readonly Cell[]): string {
  return JSON.stringify(
    cells.flatMap((c) => (c.kind === "markdown" ? [] : [[c.id, c.name ?? ""]])),
  );
}

/** A new task, after the messages posted so far have gone out (a MessageChannel round trip). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

function statusOf(state: CellState): CellStatus {
  switch (state.status) {
    case "idle":
    case "queued":
      return { status: state.status };
    case "running":
      // The shell shows how long it has run: its start on the wall clock, which both sides share.
      return { status: "running", started: Date.now() - (performance.now() - state.started) };
    case "done":
      return { status: "done", ms: state.ms };
    case "error":
      return { status: "error", message: state.error.message };
    case "stopped":
      return { status: "stopped", ms: state.ms };
  }
}
