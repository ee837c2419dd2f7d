import type { SQLNamespace } from "@codemirror/lang-sql";
import { tableToIPC } from "apache-arrow";
import { messageOf, QueryError, type Engine, type WrittenFile } from "../engine/index.ts";
import type { Cell, Change } from "../notebook/index.ts";
import { sqlReferences } from "../runtime/sqlrefs.ts";
import type { OpenDocument } from "./document.svelte.ts";
import { Exporter } from "./exporter.ts";
import {
  HELLO,
  isFromFrame,
  type CellStatus,
  type ExportSource,
  type FrameRequest,
  type FrameView,
  type FromFrame,
  type InputChange,
  type Reply,
  type RunScope,
  type ToFrame,
} from "./frame/protocol.ts";

export interface FrameHostOptions {
  doc: OpenDocument;
  /** the engine, once started (undefined when it failed) */
  engine: () => Promise<Engine<File> | undefined>;
  /** tables and their columns, for completion in the frame's editors */
  tables: () => SQLNamespace;
  /** delete a cell (with its Undo) */
  removeCell: (id: string) => void;
  /**
   * Why the frame may not save a file of this name now (too many at once, a kind of file it may
   * not save), or undefined when it may; the caller has checked that the user just clicked
   */
  downloadRefusal: (name: string) => string | undefined;
  /** save a file the frame asked for, under this name */
  save: (blob: Blob, name: string) => void;
  /** files are dragged over the frame */
  onDrag: () => void;
  /** the user renamed a code cell from one name to another */
  onRenamed: (from: string, to: string) => void;
  notify: (message: string) => void;
}

/** A run of one cell of an untrusted notebook, waiting for the user's yes. */
export interface PendingRun {
  id: string;
  label: string;
  input?: InputChange;
}

/** More than this many messages from the frame in a second, and the app stops it. */
const MESSAGES_PER_SECOND = 5000;

/** How long a Stop waits for the frame to stop its cells before it tears the frame down. */
const STOP_GRACE_MS = 2000;

/** How long the frame may take to start before the app says it did not. */
const START_TIMEOUT_MS = 30_000;

/** The most text Copy puts on the clipboard; a larger result is for Download CSV. */
const COPY_LIMIT_BYTES = 50 * 1024 * 1024;

/** Cells a frame change may make: cell edits only (never the title or the datasets). */
const FRAME_CHANGES = new Set<Change["type"]>(["edit", "add", "move", "remove", "rename"]);

/**
 * The app's side of the notebook frame: the sandboxed iframe where cells, outputs and notebook
 * code live. It hands the frame the document, runs what the user asked for when the notebook is
 * trusted (or one cell the user confirmed), answers the frame's requests to the engine only
 * then, and rebuilds the frame when a run is stopped.
 */
export class FrameHost {
  /** each cell's state, as the frame reports it */
  states = $state.raw<ReadonlyMap<string, CellStatus>>(new Map());
  /** the frame's content height, which the iframe takes */
  height = $state(120);
  /** bumps when the frame is rebuilt: the iframe element is made anew */
  generation = $state(0);
  /**
   * Whether the iframe is in the page. A rebuild takes the old one out first and puts the new
   * one in a task later: made while the old one is still there, the browser would give the new
   * frame the old one's process — which may be the one stuck in a runaway loop.
   */
  mounted = $state(true);
  /** a run of one cell of an untrusted notebook, waiting for the user */
  pending = $state.raw<PendingRun | undefined>(undefined);
  /** the frame said it is ready */
  ready = $state(false);
  /** why the frame did not start, if it did not */
  failed = $state<string | undefined>(undefined);
  /** when the oldest run the app asked for and has not heard the end of began */
  #since = $state<number | undefined>(undefined);

  #options: FrameHostOptions;
  #iframe: HTMLIFrameElement | undefined;
  #port: MessagePort | undefined;
  #loads = 0;
  #ids = 0;
  #runs = new Map<number, () => void>();
  #reports = new Map<number, (html: string) => void>();
  #readyWaiters: ((ready: boolean) => void)[] = [];
  /** runs of one confirmed cell under way (by run id): the engine answers the frame during them */
  #confirmed = new Set<number>();
  #stopped: { cell: string; ms: number } | undefined;
  /** the frame's requests under way, by request id: a cancel or a Stop aborts their queries */
  #inflight = new Map<number, AbortController>();
  /** a Stop's grace: when it ends with the runs not ended, the frame is made anew */
  #stopping: ReturnType<typeof setTimeout> | undefined;
  #disposeView: () => void;
  #onMessage = (event: MessageEvent) => this.#hello(event);
  #disposed = false;
  /** writes results as files, in a worker of its own (made the first time a result is saved) */
  #exporter = new Exporter(
    () =>
      new Worker(new URL("./exportWorker.ts", import.meta.url), { type: "module", name: "export" }),
  );

  constructor(options: FrameHostOptions) {
    this.#options = options;
    window.addEventListener("message", this.#onMessage);
    // The frame shows the document as it is: every change of it goes over.
    this.#disposeView = $effect.root(() => {
      $effect(() => {
        const view = this.#view();
        if (this.ready) this.#post({ type: "view", view });
      });
    });
  }

  /** Whether a cell is queued or running. */
  get busy(): boolean {
    if (this.#since !== undefined) return true;
    for (const s of this.states.values())
      if (s.status === "queued" || s.status === "running") return true;
    return false;
  }

  /**
   * What runs now: the cell the frame says is running, or — when the frame says nothing, or
   * says all is done while a run the app asked for has not ended — that run.
   */
  get running(): { id: string | undefined; started: number } | undefined {
    for (const [id, s] of this.states)
      if (s.status === "running") return { id, started: s.started };
    return this.#since === undefined ? undefined : { id: undefined, started: this.#since };
  }

  /** The iframe element was made (attach) or is going (the returned cleanup). */
  attach(iframe: HTMLIFrameElement): () => void {
    this.#iframe = iframe;
    this.#loads = 0;
    const onLoad = () => {
      // The frame's page loads once; a second load is the frame navigating itself: rebuild it.
      if (++this.#loads > 1) this.#rebuild("The notebook frame tried to load another page");
    };
    iframe.addEventListener("load", onLoad);
    const timer = setTimeout(() => {
      if (this.ready || iframe !== this.#iframe) return;
      this.failed = "The notebook's cells did not load (the sandboxed frame did not start)";
      // Nothing waits for a frame that is not coming: runs asked for meanwhile do not happen.
      for (const resolve of this.#readyWaiters.splice(0)) resolve(false);
    }, START_TIMEOUT_MS);
    return () => {
      clearTimeout(timer);
      iframe.removeEventListener("load", onLoad);
      if (this.#iframe === iframe) this.#iframe = undefined;
    };
  }

  /**
   * Run what the shell decided may run: all, one cell and its dependents (trusted notebooks),
   * or one cell alone (confirmed by the user). Resolves when the run has finished.
   */
  async run(scope: RunScope, input?: InputChange): Promise<void> {
    if (scope.kind !== "only" && !this.#options.doc.trusted) return;
    if (!(await this.#whenReady())) return;
    const id = ++this.#ids;
    if (scope.kind === "only") this.#confirmed.add(id);
    // The app, not the frame, knows whether its runs ended: a run that never says so is unfinished.
    this.#since ??= Date.now();
    setUnfinished(this.#options.doc.id, true);
    try {
      await new Promise<void>((resolve) => {
        this.#runs.set(id, resolve);
        this.#post({ type: "run", id, scope, input });
      });
    } finally {
      this.#confirmed.delete(id);
    }
  }

  /** The user asked to run one cell: a trusted notebook runs it; an untrusted one asks first. */
  ask(id: string, input?: InputChange): void {
    if (this.#options.doc.trusted) {
      void this.run({ kind: "cell", id }, input);
      return;
    }
    const cell = this.#options.doc.notebook.cells.find((c) => c.id === id);
    if (!cell || cell.kind === "markdown") return;
    const index = this.#options.doc.notebook.cells.indexOf(cell);
    const label = `${cell.kind === "sql" ? "SQL" : "TypeScript"} cell ${cell.name ?? index + 1}`;
    this.pending = { id, label, input };
  }

  /** The user confirmed the pending run of one cell. */
  async confirm(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) await this.run({ kind: "only", id: pending.id }, pending.input);
  }

  cancel(): void {
    this.pending = undefined;
  }

  /**
   * Stop every queued and running cell: their queries stop in the engine at once, and the frame
   * ends them as stopped, keeping every other value. A frame too busy to do so in two seconds
   * (notebook code that never gives the thread back) is torn down and made anew; its values go.
   */
  stop(): void {
    this.#abortRequests();
    if (!this.busy) return;
    this.#post({ type: "stop" });
    const running = this.running;
    // Only the runs under way now must end; a run asked for after Stop is not this Stop's.
    const stopping = new Set(this.#runs.keys());
    const port = this.#port;
    clearTimeout(this.#stopping);
    this.#stopping = setTimeout(() => {
      this.#stopping = undefined;
      const ended = [...stopping].every((id) => !this.#runs.has(id));
      if (port !== this.#port || (ended && stopping.size > 0)) return;
      if (stopping.size === 0 && !this.busy) return;
      this.#stopped =
        running?.id === undefined
          ? undefined
          : { cell: running.id, ms: Date.now() - running.started };
      this.#rebuild();
    }, STOP_GRACE_MS);
  }

  /**
   * DuckDB was lost, and every table with it: its queries fail now, nothing queued starts on
   * the next engine, and every result goes (the cells show as not run).
   */
  engineLost(): void {
    this.#abortRequests();
    this.#post({ type: "restarted" });
  }

  /** The report body of the outputs, from the frame. */
  async report(): Promise<string | undefined> {
    if (!(await this.#whenReady())) return undefined;
    const id = ++this.#ids;
    return new Promise((resolve) => {
      this.#reports.set(id, resolve);
      this.#post({ type: "report", id });
    });
  }

  /** The notebook closed. */
  dispose(): void {
    this.#disposed = true;
    window.removeEventListener("message", this.#onMessage);
    this.#disposeView();
    this.#exporter.dispose();
    this.#close();
  }

  // --- the frame's messages --------------------------------------------------------------------

  #hello(event: MessageEvent): void {
    // Only this iframe's first hello: a port from any other window, or a second one, is ignored.
    const iframe = this.#iframe;
    if (!iframe || event.source !== iframe.contentWindow || this.#port) return;
    if (event.origin !== "null" || (event.data as { type?: unknown })?.type !== HELLO) return;
    const port = event.ports[0];
    if (!port) return;
    this.#port = port;
    port.onmessage = (message: MessageEvent) => {
      if (port !== this.#port) return;
      if (this.#flooded()) {
        this.#rebuild("The notebook's code sent the app more messages than it can take");
        return;
      }
      if (isFromFrame(message.data)) this.#receive(message.data);
    };
  }

  #receive(message: FromFrame): void {
    const { doc } = this.#options;
    switch (message.type) {
      case "ready":
        this.ready = true;
        this.failed = undefined;
        this.#post({ type: "view", view: this.#view() });
        if (this.#stopped) {
          this.#post({ type: "stopped", ...this.#stopped });
          this.#stopped = undefined;
        }
        for (const resolve of this.#readyWaiters.splice(0)) resolve(true);
        return;
      case "height":
        if (Number.isFinite(message.height))
          this.height = Math.max(40, Math.min(message.height, 200_000));
        return;
      case "change": {
        const change = message.change;
        if (!FRAME_CHANGES.has(change?.type)) return;
        const before =
          change.type === "rename" ? doc.notebook.cells.find((c) => c.id === change.id) : undefined;
        try {
          const { ok } = doc.change(change);
          const nameOf = (cell: Cell | undefined) =>
            cell && cell.kind !== "markdown" ? cell.name : undefined;
          // The name as the document took it (trimmed), not as it was typed.
          const from = nameOf(before);
          const to =
            ok && change.type === "rename"
              ? nameOf(doc.notebook.cells.find((c) => c.id === change.id))
              : undefined;
          if (from && to && from !== to) this.#options.onRenamed(from, to);
        } catch (error) {
          this.#options.notify(`Not changed: ${messageOf(error)}`);
        }
        this.#post({ type: "view", view: this.#view() });
        return;
      }
      case "add":
        if (message.kind === "sql" || message.kind === "ts" || message.kind === "markdown") {
          doc.add(message.kind, typeof message.after === "string" ? message.after : undefined);
          // The new cell's editor takes the cursor once, when the frame first shows it.
          this.#post({ type: "view", view: this.#view() });
          doc.editing = undefined;
        }
        return;
      case "remove":
        if (typeof message.id === "string") this.#options.removeCell(message.id);
        return;
      case "ask-run":
        if (message.scope?.kind === "cell" && typeof message.scope.id === "string")
          this.ask(message.scope.id, message.input);
        return;
      case "states":
        if (Array.isArray(message.states) && message.states.length <= 100_000)
          this.states = new Map(message.states);
        return;
      case "ran":
        this.#runs.get(message.id)?.();
        this.#runs.delete(message.id);
        if (this.#runs.size === 0) {
          this.#since = undefined;
          setUnfinished(this.#options.doc.id, false);
          clearTimeout(this.#stopping);
        }
        return;
      case "request":
        void this.#answer(message.id, message.request);
        return;
      case "cancel":
        this.#inflight.get(message.id)?.abort();
        return;
      case "download": {
        if (!(message.blob instanceof Blob) || typeof message.name !== "string") return;
        if (!userClicked()) return;
        const refusal = this.#options.downloadRefusal(message.name);
        if (refusal) this.#options.notify(`Not downloaded: ${refusal}.`);
        else this.#options.save(message.blob, message.name);
        return;
      }
      case "report":
        this.#reports.get(message.id)?.(typeof message.html === "string" ? message.html : "");
        this.#reports.delete(message.id);
        return;
      case "drag":
        this.#options.onDrag();
        return;
      case "open-link":
        this.#openLink(message.url);
        return;
    }
  }

  async #answer(id: number, request: FrameRequest): Promise<void> {
    let reply: Reply;
    const transfer: Transferable[] = [];
    const controller = new AbortController();
    // The frame that asked: a frame made anew since then has requests of its own, same ids.
    const port = this.#port;
    this.#inflight.set(id, controller);
    try {
      reply = await this.#handle(request, controller.signal);
      if (reply.ok && reply.kind === "table")
        transfer.push(reply.ipc.buffer, ...(reply.files ?? []).map((f) => f.bytes.buffer));
    } catch (error) {
      reply =
        error instanceof QueryError && error.line !== undefined
          ? { ok: false, message: messageOf(error), line: error.line }
          : { ok: false, message: messageOf(error) };
    } finally {
      if (this.#inflight.get(id) === controller) this.#inflight.delete(id);
    }
    if (port === this.#port) this.#post({ type: "reply", id, reply }, transfer);
  }

  async #handle(request: FrameRequest, signal: AbortSignal): Promise<Reply> {
    const text = (value: unknown, what: string): string => {
      if (typeof value !== "string") throw new Error(`${what} must be text`);
      return value;
    };
    if (request?.kind === "sqlReferences")
      return {
        ok: true,
        kind: "references",
        references: await sqlReferences(text(request.sql, "SQL")),
      };
    // A result the user sees, saved or copied because they clicked: no code of the notebook runs.
    if (request?.kind === "export" || request?.kind === "copy") return this.#export(request);
    // Notebook code reaches the database only when the user trusts it, or confirmed this run.
    if (!this.#options.doc.trusted && this.#confirmed.size === 0)
      throw new Error("this notebook is not trusted, so its code may not use the database");
    const engine = await this.#options.engine();
    if (!engine) throw new Error("the database did not start");
    switch (request.kind) {
      case "query": {
        // What a COPY … TO wrote into DuckDB's memory goes to the frame: a download button.
        const files: WrittenFile[] = [];
        const table = await engine.query(text(request.sql, "SQL"), {
          signal,
          files: (file) => files.push(file),
        });
        return { ok: true, kind: "table", ipc: tableToIPC(table, "stream"), files };
      }
      case "registerArrow":
        if (!(request.ipc instanceof Uint8Array))
          throw new Error("a table must be Arrow IPC bytes");
        return {
          ok: true,
          kind: "info",
          info: await engine.registerArrow(text(request.name, "a table name"), request.ipc),
        };
      case "dropTable":
        await engine.dropTable(text(request.name, "a table name"));
        return { ok: true, kind: "none" };
      case "tables":
        return { ok: true, kind: "infos", infos: await engine.tables() };
      case "describe":
        return {
          ok: true,
          kind: "info",
          info: await engine.describe(text(request.table, "a table name")),
        };
      default:
        throw new Error("the app does not know that request");
    }
  }

  /**
   * Save a result as a file, or put it on the clipboard as TSV: the whole result, written off
   * the page's thread (`Exporter`). Only just after the user clicked (a click in the frame
   * counts: activation reaches the page that holds it), so that code cannot save files or fill
   * the clipboard on its own. The frame may not write the clipboard itself (its sandbox has no
   * clipboard permission), so the app does.
   */
  async #export(request: Extract<FrameRequest, { kind: "export" | "copy" }>): Promise<Reply> {
    try {
      if (!userClicked()) throw new Error("a result is saved or copied only when you click");
      const source = exportSource(request.source);
      const engine = await this.#options.engine();
      if (!engine) throw new Error("the database did not start");
      if (request.kind === "copy")
        await this.#copy(await this.#exporter.file(engine, source, "tsv"));
      else {
        const { format, fileName } = request;
        if (format !== "csv" && format !== "tsv" && format !== "parquet")
          throw new Error("a result is saved as CSV, TSV or Parquet");
        if (typeof fileName !== "string") throw new Error("a file name must be text");
        const refusal = this.#options.downloadRefusal(fileName);
        if (refusal) throw new Error(refusal);
        this.#options.save(await this.#exporter.file(engine, source, format), fileName);
      }
      return { ok: true, kind: "none" };
    } catch (error) {
      throw new Error(
        `${request.kind === "copy" ? "Not copied" : "Not downloaded"}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Put a result's TSV on the clipboard, unless it is more text than a clipboard should take. */
  async #copy(tsv: Blob): Promise<void> {
    if (tsv.size > COPY_LIMIT_BYTES)
      throw new Error(
        `too large for the clipboard (${Math.round(tsv.size / 2 ** 20)} MB of text); use Download CSV`,
      );
    try {
      await navigator.clipboard.writeText(await tsv.text());
    } catch (error) {
      throw new Error(`the browser did not let the app write the clipboard (${messageOf(error)})`, {
        cause: error,
      });
    }
  }

  // --- internals -------------------------------------------------------------------------------

  /** Open a link the user clicked in the frame: web pages only, in a tab that cannot reach back. */
  #openLink(url: unknown): void {
    if (typeof url !== "string" || !(navigator.userActivation?.isActive ?? true)) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return;
    window.open(parsed.href, "_blank", "noopener,noreferrer");
  }

  #view(): FrameView {
    const { doc } = this.#options;
    const view: FrameView = {
      title: doc.notebook.title,
      cells: doc.notebook.cells,
      revision: doc.revision,
      editable: doc.editable,
      trusted: doc.trusted,
      problems: [...doc.problems],
      notes: [...doc.notes],
      editing: doc.editing,
      tables: this.#options.tables(),
    };
    return $state.snapshot(view) as FrameView;
  }

  /** The queries the frame asked for stop in the engine: no one wants their results now. */
  #abortRequests(): void {
    for (const request of this.#inflight.values()) request.abort();
  }

  #post(message: ToFrame, transfer: Transferable[] = []): void {
    this.#port?.postMessage(message, transfer);
  }

  #window = { start: 0, count: 0 };

  /** More messages in one second than any notebook needs: the frame's code floods the app. */
  #flooded(): boolean {
    const now = Date.now();
    if (now - this.#window.start > 1000) this.#window = { start: now, count: 0 };
    return ++this.#window.count > MESSAGES_PER_SECOND;
  }

  #whenReady(): Promise<boolean> {
    if (this.#disposed) return Promise.resolve(false);
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) =>
      this.#readyWaiters.push((ready) => resolve(ready && !this.#disposed)),
    );
  }

  #close(): void {
    // Queries the old frame asked for are not wanted by anyone now.
    this.#abortRequests();
    this.#inflight.clear();
    clearTimeout(this.#stopping);
    this.#port?.close();
    this.#port = undefined;
    this.ready = false;
    for (const resolve of this.#runs.values()) resolve();
    this.#runs.clear();
    for (const resolve of this.#reports.values()) resolve("");
    this.#reports.clear();
    this.#confirmed.clear();
    if (this.#disposed) for (const resolve of this.#readyWaiters.splice(0)) resolve(false);
  }

  #rebuild(problem?: string): void {
    if (problem) this.#options.notify(`${problem}; it was reloaded.`);
    this.#close();
    // A stopped run did not finish (its mark stays): the notebook does not run on opening.
    this.states = new Map();
    this.#since = undefined;
    this.mounted = false;
    setTimeout(() => {
      if (this.#disposed) return;
      this.generation++;
      this.mounted = true;
    }, 0);
  }
}

/** Whether the user just clicked or typed (in the page or in the frame, which it holds). */
function userClicked(): boolean {
  return navigator.userActivation?.isActive ?? true;
}

/** The source of an export as the frame sent it, checked. */
function exportSource(source: unknown): ExportSource {
  const { table, ipc } = (source ?? {}) as { table?: unknown; ipc?: unknown };
  if (typeof table === "string") return { table };
  if (ipc instanceof Uint8Array) return { ipc };
  throw new Error("a result to export is a table name or Arrow IPC bytes");
}

const UNFINISHED = "strata-unfinished:";

/** Whether the notebook's last run did not finish (the tab closed or hung while it ran). */
export function lastRunUnfinished(docId: string): boolean {
  try {
    return localStorage.getItem(UNFINISHED + docId) !== null;
  } catch {
    return false;
  }
}

function setUnfinished(docId: string, running: boolean): void {
  try {
    if (running) localStorage.setItem(UNFINISHED + docId, String(Date.now()));
    else localStorage.removeItem(UNFINISHED + docId);
  } catch {
    // No storage for the marker: a hung notebook then runs again on opening, as before.
  }
}
