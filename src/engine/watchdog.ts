import type { Backend } from "./backend.ts";
import { EngineLost } from "./errors.ts";

export interface WatchdogOptions {
  /** a round trip to the worker, answered between two polls of a running query */
  ping: () => Promise<unknown>;
  /** the worker is gone or hangs: called once, after every call waiting on it has failed */
  onLost: (error: EngineLost) => void;
  /** how long a ping may go unanswered while no call is under way */
  idleLimitMs?: number;
  /**
   * how long while a polled query runs: the worker answers between polls, but one of DuckDB's
   * tasks (a large sort's merge, a hash table's build) can run for seconds before it yields
   */
  pollingLimitMs?: number;
  /** how long while a call that holds the worker in one piece runs (a large insert, say) */
  busyLimitMs?: number;
  /** how often to ping */
  everyMs?: number;
}

/**
 * Watches DuckDB's worker: it pings it, and declares it lost when a ping goes unanswered too
 * long or the worker reports an error. Every call that waits on a lost worker fails with
 * `EngineLost` instead of hanging (DuckDB-WASM drops its pending requests on a worker error, and
 * a worker that is gone never answers).
 */
export class Watchdog {
  #options: Required<WatchdogOptions>;
  #lost: EngineLost | undefined;
  #waiting = new Set<(error: EngineLost) => void>();
  /** calls under way that hold the worker without polling */
  #holding = 0;
  /** calls under way of any kind */
  #calls = 0;
  /** when the ping that has not been answered yet went out */
  #pingSince: number | undefined;
  /** beats since the ping went out: a computer waking from sleep has had one, not many */
  #missed = 0;
  #timer: ReturnType<typeof setInterval>;

  constructor(options: WatchdogOptions) {
    this.#options = {
      idleLimitMs: 4_000,
      pollingLimitMs: 30_000,
      busyLimitMs: 120_000,
      everyMs: 1_000,
      ...options,
    };
    this.#timer = setInterval(() => this.#beat(), this.#options.everyMs);
  }

  /** Whether the worker was declared lost. */
  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /** Run a call to the worker; `holding`: it keeps the worker busy without answering pings. */
  guard<T>(call: () => Promise<T>, holding: boolean): Promise<T> {
    if (this.#lost) return Promise.reject(this.#lost);
    if (holding) this.#holding++;
    this.#calls++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.add(reject);
      call()
        .then(resolve, reject)
        .finally(() => {
          this.#waiting.delete(reject);
          if (holding) this.#holding--;
          this.#calls--;
        });
    });
  }

  /** The worker is gone (its error event, or a failure that leaves it unusable). */
  lose(reason: string): void {
    if (this.#lost) return;
    this.#lost = new EngineLost(reason);
    this.dispose();
    for (const reject of this.#waiting) reject(this.#lost);
    this.#waiting.clear();
    this.#options.onLost(this.#lost);
  }

  dispose(): void {
    clearInterval(this.#timer);
  }

  #beat(): void {
    if (this.#pingSince !== undefined) {
      const { busyLimitMs, pollingLimitMs, idleLimitMs } = this.#options;
      const limit =
        this.#holding > 0 ? busyLimitMs : this.#calls > 0 ? pollingLimitMs : idleLimitMs;
      const silent = Date.now() - this.#pingSince;
      this.#missed++;
      if (silent > limit && this.#missed * this.#options.everyMs > limit)
        this.lose(`its worker did not answer for ${Math.round(silent / 1000)} s`);
      return;
    }
    this.#pingSince = Date.now();
    this.#missed = 0;
    this.#options.ping().then(
      () => (this.#pingSince = undefined),
      (error: unknown) => this.lose(`its worker failed: ${String(error)}`),
    );
  }
}

/** A backend whose worker calls are watched: on a lost worker they fail rather than hang. */
export function watched<S>(backend: Backend<S>, dog: Watchdog): Backend<S> {
  const hold =
    <A extends unknown[], T>(call: (...args: A) => Promise<T>) =>
    (...args: A) =>
      dog.guard(() => call(...args), true);
  return {
    ...backend,
    query: (sql, signal) => dog.guard(() => backend.query(sql, signal), false),
    queryWhole: hold(backend.queryWhole),
    registerSource: hold(backend.registerSource),
    registerBytes: hold(backend.registerBytes),
    dropFile: hold(backend.dropFile),
    takeFile: backend.takeFile && hold(backend.takeFile),
    insertArrowIPC: hold(backend.insertArrowIPC),
    insertJSON: hold(backend.insertJSON),
    reset: hold(backend.reset),
  };
}
