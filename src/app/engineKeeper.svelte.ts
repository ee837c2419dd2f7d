import { messageOf, type Engine, type EngineLost } from "../engine/index.ts";

/** The database engine's life: starting, ready, restarting after it was lost, or failed to start. */
export type EngineStatus =
  | { kind: "starting" }
  | { kind: "ready"; version: string }
  | { kind: "restarting"; message: string }
  | { kind: "failed"; message: string };

/** Start DuckDB; `onLost` hears when its worker dies or hangs for good. */
export type CreateEngine = (events: {
  onLost: (error: EngineLost) => void;
}) => Promise<Engine<File>>;

export interface KeeperEvents {
  /** the engine was lost; a new one is starting */
  lost(error: EngineLost): void;
  /**
   * A new engine runs in place of a lost one. `again`: the one before it was lost soon after
   * starting too — what it was loading may be what brings it down.
   */
  restarted(engine: Engine<File>, error: EngineLost, again: boolean): Promise<void>;
}

/** Two losses closer than this are taken for one cause. */
const AGAIN_MS = 120_000;

/**
 * Keeps a DuckDB engine running for the page: starts it, and when it is lost starts another and
 * says so. Everyone asks it for the engine each time (`engine`), so that a replaced one is used.
 */
export class EngineKeeper {
  status = $state.raw<EngineStatus>({ kind: "starting" });
  #create: CreateEngine;
  #events: KeeperEvents;
  #current: Promise<Engine<File> | undefined> = Promise.resolve(undefined);
  /** when the current engine started after a loss */
  #restartedAt: number | undefined;

  constructor(create: CreateEngine, events: KeeperEvents) {
    this.#create = create;
    this.#events = events;
  }

  /** The engine, once started (undefined when it failed to). */
  get engine(): Promise<Engine<File> | undefined> {
    return this.#current;
  }

  start(): Promise<Engine<File> | undefined> {
    this.#current = this.#start();
    return this.#current;
  }

  async #start(): Promise<Engine<File> | undefined> {
    try {
      const engine = await this.#create({ onLost: (error) => void this.#lost(error) });
      const version = (await engine.query("SELECT version() AS v")).getChild("v")?.get(0);
      this.status = { kind: "ready", version: String(version) };
      return engine;
    } catch (error) {
      this.status = { kind: "failed", message: `The database did not start: ${messageOf(error)}` };
      return undefined;
    }
  }

  async #lost(error: EngineLost): Promise<void> {
    const again = this.#restartedAt !== undefined && Date.now() - this.#restartedAt < AGAIN_MS;
    this.status = { kind: "restarting", message: error.message };
    this.#events.lost(error);
    const engine = await this.start();
    if (!engine) return;
    this.#restartedAt = Date.now();
    await this.#events.restarted(engine, error, again);
  }
}
