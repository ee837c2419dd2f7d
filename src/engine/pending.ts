import { tableFromIPC, type Table } from "apache-arrow";

/**
 * DuckDB-WASM's pending-query calls on one connection: blocking in Node, messages to the worker
 * in the browser. Each answers Arrow IPC bytes, or null while there is nothing yet.
 */
export interface PendingCalls {
  start(sql: string): Maybe<Uint8Array | null>;
  /** compute for a while (about 100 ms in DuckDB-WASM); the result's first bytes once done */
  poll(): Maybe<Uint8Array | null>;
  /** interrupt the query; the next poll throws */
  cancel(): Maybe<boolean>;
  /** the next chunk of a finished query's result; empty when there is no more */
  fetch(): Maybe<Uint8Array | null>;
}

type Maybe<T> = T | Promise<T>;

/** The bindings' own pending-query methods, which both platforms have (sync or async). */
export interface PendingBindings {
  startPendingQuery(
    conn: number,
    text: string,
    allowStreamResult: boolean,
  ): Maybe<Uint8Array | null>;
  pollPendingQuery(conn: number): Maybe<Uint8Array | null>;
  cancelPendingQuery(conn: number): Maybe<boolean>;
  fetchQueryResults(conn: number): Maybe<Uint8Array | null>;
}

/**
 * Run one query as DuckDB-WASM's `send` does — started, then polled until it is done — but give
 * the event loop a turn between polls and interrupt the query there once `signal` fires. In the
 * browser this also keeps the worker answering other messages while a long query runs. The
 * result is read whole, as Arrow IPC, into the caller's own Arrow classes.
 */
export async function runPending(
  calls: PendingCalls,
  sql: string,
  signal: AbortSignal | undefined,
  nextTurn: () => Promise<void>,
): Promise<Table> {
  let header = await calls.start(sql);
  while (header === null) {
    await nextTurn();
    if (signal?.aborted) await calls.cancel();
    header = await calls.poll();
  }
  const chunks = [header];
  for (;;) {
    const chunk = await calls.fetch();
    if (chunk === null) continue;
    if (chunk.length === 0) break;
    chunks.push(chunk);
  }
  return tableFromIPC(chunks);
}

/** A DuckDB-WASM connection, blocking or in a worker: its id and bindings, lent to a callback. */
export interface PendingConnection {
  useUnsafe<R>(callback: (bindings: PendingBindings, conn: number) => R): R;
}

/** `runPending` on a connection's own pending-query calls. */
export function queryPending(
  connection: PendingConnection,
  sql: string,
  signal: AbortSignal | undefined,
  nextTurn: () => Promise<void>,
): Promise<Table> {
  return connection.useUnsafe((bindings, conn) =>
    runPending(
      {
        start: (text) => bindings.startPendingQuery(conn, text, false),
        poll: () => bindings.pollPendingQuery(conn),
        cancel: () => bindings.cancelPendingQuery(conn),
        fetch: () => bindings.fetchQueryResults(conn),
      },
      sql,
      signal,
      nextTurn,
    ),
  );
}
