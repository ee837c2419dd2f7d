import { tableFromIPC, type Table } from "apache-arrow";
import { QueryError, type Engine, type QueryOptions, type TableInfo } from "../../engine/index.ts";
import type { SqlReferences } from "../../runtime/sqlrefs.ts";
import type { FrameRequest, FromFrame, Reply } from "./protocol.ts";

/** A reply that is not a refusal. */
type Answer = Extract<Reply, { ok: true }>;

/** What the shell answered instead: its message, and the line of the SQL it blamed. */
class Refusal extends Error {
  override name = "Refusal";
  readonly line: number | undefined;
  constructor(message: string, line: number | undefined) {
    super(message);
    this.line = line;
  }
}

/** The frame's end of the port: posts messages and waits for the replies to its requests. */
export class ShellChannel {
  #port: MessagePort;
  #ids = 0;
  #pending = new Map<number, (reply: Reply) => void>();

  constructor(port: MessagePort) {
    this.#port = port;
  }

  post(message: FromFrame, transfer: Transferable[] = []): void {
    this.#port.postMessage(message, transfer);
  }

  /**
   * Ask the shell; rejects with the shell's message when it refuses or fails. Once `signal`
   * fires the shell is told to stop the request, and it rejects at once with the signal's reason.
   */
  async request(
    request: FrameRequest,
    transfer: Transferable[] = [],
    signal?: AbortSignal,
  ): Promise<Answer> {
    signal?.throwIfAborted();
    const id = ++this.#ids;
    const onAbort = () => {
      this.post({ type: "cancel", id });
      this.answer(id, { ok: false, message: "stopped" });
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let reply: Reply;
    try {
      reply = await new Promise<Reply>((resolve) => {
        this.#pending.set(id, resolve);
        this.post({ type: "request", id, request }, transfer);
      });
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    signal?.throwIfAborted();
    if (!reply.ok) throw new Refusal(reply.message, reply.line);
    return reply;
  }

  /** A reply arrived from the shell. */
  answer(id: number, reply: Reply): void {
    const resolve = this.#pending.get(id);
    this.#pending.delete(id);
    resolve?.(reply);
  }
}

/**
 * The engine as notebook code in the frame sees it: every call is a request to the shell, which
 * runs it on DuckDB (or refuses it), and tables come back as Arrow IPC bytes.
 */
export class RemoteEngine implements Engine<never> {
  #channel: ShellChannel;

  constructor(channel: ShellChannel) {
    this.#channel = channel;
  }

  async query(sql: string, options: QueryOptions = {}): Promise<Table> {
    const reply = await this.#channel
      .request({ kind: "query", sql }, [], options.signal)
      .catch((error: unknown) => {
        // The same error as the app's engine gave, line and all.
        throw error instanceof Refusal ? new QueryError(sql, error, error.line) : error;
      });
    if (reply.kind !== "table") throw new Error("the app answered a query with no table");
    for (const file of reply.files ?? []) options.files?.(file);
    return tableFromIPC(reply.ipc);
  }

  registerFile(): Promise<TableInfo> {
    return Promise.reject(
      new Error("notebook code cannot load files: add them in the Datasets panel"),
    );
  }

  async registerArrow(name: string, ipc: Uint8Array): Promise<TableInfo> {
    const copy = ipc.slice();
    return info(
      await this.#channel.request({ kind: "registerArrow", name, ipc: copy }, [copy.buffer]),
    );
  }

  async tables(): Promise<TableInfo[]> {
    const reply = await this.#channel.request({ kind: "tables" });
    if (reply.kind !== "infos") throw new Error("the app answered with no tables");
    return reply.infos;
  }

  async describe(table: string): Promise<TableInfo> {
    return info(await this.#channel.request({ kind: "describe", table }));
  }

  clear(): Promise<void> {
    return Promise.reject(new Error("notebook code cannot clear the database"));
  }

  async dropTable(name: string): Promise<void> {
    await this.#channel.request({ kind: "dropTable", name });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The tables a SQL text reads, parsed by the app (the frame loads no wasm). */
  async sqlReferences(sql: string): Promise<SqlReferences> {
    const reply = await this.#channel.request({ kind: "sqlReferences", sql });
    if (reply.kind !== "references") throw new Error("the app answered with no references");
    return reply.references;
  }
}

function info(reply: Answer): TableInfo {
  if (reply.kind !== "info") throw new Error("the app answered with no table info");
  return reply.info;
}
