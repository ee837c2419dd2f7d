import type { Table } from "apache-arrow";
import { messageOf, type Engine, type TableInfo } from "../engine/index.ts";

/** The database engine's life: starting, ready, or failed to start. */
export type EngineStatus =
  { kind: "starting" } | { kind: "ready"; version: string } | { kind: "failed"; message: string };

/** The SQL box's last run. */
export type QueryStatus =
  | { kind: "idle" }
  | { kind: "running"; sql: string }
  | { kind: "done"; sql: string; table: Table; ms: number }
  | { kind: "error"; sql: string; message: string };

/** A file being loaded, or one that failed to load (kept until dismissed). */
export type Upload =
  | { kind: "loading"; id: number; file: string; bytes: number }
  | { kind: "failed"; id: number; file: string; message: string };

export const SAMPLE_SQL = `SELECT "Species" AS species, count(*) AS penguins,
       round(avg("Body Mass (g)")) AS avg_body_mass_g
FROM penguins
GROUP BY ALL
ORDER BY species`;

/**
 * The state of the first screen: the engine, the loaded datasets, uploads and the SQL box.
 * Components read it and call its methods; they hold no rules of their own.
 */
export class Workspace {
  status = $state.raw<EngineStatus>({ kind: "starting" });
  datasets = $state.raw<TableInfo[]>([]);
  uploads = $state.raw<Upload[]>([]);
  query = $state.raw<QueryStatus>({ kind: "idle" });
  sql = $state(SAMPLE_SQL);

  #engine: Engine<File> | undefined;
  #uploadIds = 0;
  #queryVersion = 0;

  /** Start the engine, load the sample datasets, and run the sample query. */
  async start(
    createEngine: () => Promise<Engine<File>>,
    samples: () => Promise<File[]>,
  ): Promise<void> {
    try {
      this.#engine = await createEngine();
      const version = (await this.#engine.query("SELECT version() AS v")).getChild("v")?.get(0);
      this.status = { kind: "ready", version: String(version) };
    } catch (error) {
      this.status = { kind: "failed", message: `The database did not start: ${messageOf(error)}` };
      return;
    }
    await this.addFiles(await samples());
    if (this.datasets.length > 0) await this.run();
  }

  /** Load files one by one; a failure is reported for that file and the others go on. */
  async addFiles(files: readonly File[]): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    for (const file of files) {
      const id = ++this.#uploadIds;
      this.uploads = [...this.uploads, { kind: "loading", id, file: file.name, bytes: file.size }];
      try {
        const info = await engine.registerFile(file);
        this.datasets = [...this.datasets.filter((d) => d.name !== info.name), info].sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        this.uploads = this.uploads.filter((u) => u.id !== id);
      } catch (error) {
        const message = messageOf(error);
        this.uploads = this.uploads.map((u) =>
          u.id === id ? { kind: "failed", id, file: file.name, message } : u,
        );
      }
    }
  }

  dismiss(id: number): void {
    this.uploads = this.uploads.filter((u) => u.id !== id);
  }

  async remove(table: string): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    await engine.dropTable(table);
    this.datasets = this.datasets.filter((d) => d.name !== table);
  }

  /** Run the SQL box; a run that a newer run supersedes drops its result. */
  async run(sql: string = this.sql): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    const version = ++this.#queryVersion;
    this.query = { kind: "running", sql };
    const started = performance.now();
    try {
      const table = await engine.query(sql);
      if (version !== this.#queryVersion) return;
      this.query = { kind: "done", sql, table, ms: performance.now() - started };
      // A query may have created or dropped tables.
      this.datasets = await engine.tables();
    } catch (error) {
      if (version !== this.#queryVersion) return;
      this.query = { kind: "error", sql, message: messageOf(error) };
    }
  }
}
