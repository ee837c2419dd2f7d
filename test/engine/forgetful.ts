import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname } from "node:path";
import type * as Blocking from "@duckdb/duckdb-wasm/blocking";
import { tableFromIPC } from "apache-arrow";
import type { Backend } from "../../src/engine/backend.ts";
import { QUERY_CONFIG } from "../../src/engine/convert.ts";
import { DuckEngine } from "../../src/engine/duck.ts";
import { readRange } from "../../src/engine/node.ts";

const require = createRequire(import.meta.url);

/**
 * A Node engine whose DuckDB reads every file it is given as empty, while JavaScript reads the
 * real bytes: what DuckDB-WASM did in the browser after a failed 2.4 GB load, when every later
 * CSV loaded silently as 0 rows of one empty column.
 */
export async function createForgetfulEngine(): Promise<DuckEngine<string>> {
  const duckdb = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") as typeof Blocking;
  const dist = dirname(require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs"));
  const bundles = {
    mvp: { mainModule: `${dist}/duckdb-mvp.wasm`, mainWorker: "" },
    eh: { mainModule: `${dist}/duckdb-eh.wasm`, mainWorker: "" },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate();
  db.open({ query: QUERY_CONFIG });
  const conn = db.connect();
  const cjsArrow = require("apache-arrow") as typeof import("apache-arrow");
  const unused = async () => {
    throw new Error("not used by these tests");
  };
  const query = async (sql: string) => tableFromIPC(cjsArrow.tableToIPC(conn.query(sql), "stream"));
  const backend: Backend<string> = {
    query,
    queryWhole: query,
    nameOf: (path) => basename(path),
    sizeOf: async (path) => (await stat(path)).size,
    read: readRange,
    registerSource: async (name) => db.registerFileBuffer(name, new Uint8Array(0)),
    registerBytes: async (name, bytes) => db.registerFileBuffer(name, bytes),
    dropFile: async (name) => db.dropFile(name),
    insertArrowIPC: unused,
    insertJSON: unused,
    openParquet: unused,
    reset: unused,
    close: async () => {
      conn.close();
      db.reset();
    },
  };
  return new DuckEngine(backend);
}
