/** Where saving stands, as the header shows it. */
export type SaveState =
  | { kind: "saved"; at: number }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "failed"; message: string };

export interface SaverOptions {
  /** write the current state; rejects with a one-line error */
  save: () => Promise<void>;
  onState: (state: SaveState) => void;
  /** quiet time after a change before saving */
  delay?: number;
  /** the longest a change waits, however steadily changes keep coming */
  maxWait?: number;
  now?: () => number;
}

/**
 * Saves soon after every change: after `delay` of quiet, and never later than `maxWait` after
 * the first unsaved change, so steady typing is on disk within a second too. One save at a
 * time; a change made during a save is saved after it. A failed save is retried on the next
 * change or flush, and on its own after 5, 10, 20… (at most 60) seconds; its error stays shown
 * until a save works.
 */
export class Saver {
  #options: Required<SaverOptions>;
  #dirty = false;
  #quiet: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #failed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = 5000;

  constructor(options: SaverOptions) {
    this.#options = { delay: 200, maxWait: 800, now: Date.now, ...options };
  }

  /** Whether a change has not reached storage yet. */
  get pending(): boolean {
    return this.#dirty || this.#running !== undefined;
  }

  /** Something changed: save it soon. */
  touch(): void {
    this.#dirty = true;
    if (!this.#failed) this.#options.onState({ kind: "unsaved" });
    clearTimeout(this.#quiet);
    this.#quiet = setTimeout(() => void this.#run(), this.#options.delay);
    this.#deadline ??= setTimeout(() => void this.#run(), this.#options.maxWait);
  }

  /** Save now whatever is pending; resolves once it is stored (or the save failed). */
  async flush(): Promise<void> {
    while (this.pending) {
      if (this.#running) await this.#running;
      else await this.#run();
      if (this.#failed) return;
    }
  }

  /** Stop the timers; whatever is pending is left for flush(). */
  dispose(): void {
    this.#stopTimers();
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** Forget what is pending (the user chose to discard it). */
  reset(at: number): void {
    this.dispose();
    this.#dirty = false;
    this.#failed = false;
    this.#options.onState({ kind: "saved", at });
  }

  #stopTimers(): void {
    clearTimeout(this.#quiet);
    clearTimeout(this.#deadline);
    this.#quiet = this.#deadline = undefined;
  }

  #run(): Promise<void> {
    this.#stopTimers();
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#running) return this.#running;
    if (!this.#dirty) return Promise.resolve();
    this.#dirty = false;
    this.#options.onState({ kind: "saving" });
    this.#running = this.#options
      .save()
      .then(
        () => {
          this.#failed = false;
          this.#retryDelay = 5000;
          this.#options.onState(
            this.#dirty ? { kind: "unsaved" } : { kind: "saved", at: this.#options.now() },
          );
        },
        (error: unknown) => {
          this.#failed = true;
          this.#dirty = true;
          this.#retry = setTimeout(() => void this.#run(), this.#retryDelay);
          this.#retryDelay = Math.min(60_000, this.#retryDelay * 2);
          this.#options.onState({
            kind: "failed",
            message: error instanceof Error ? error.message : String(error),
          });
        },
      )
      .finally(() => {
        this.#running = undefined;
        // Changes that came in during the save go out on their own schedule, unless it failed.
        if (this.#dirty && !this.#failed && this.#deadline === undefined) this.touch();
      });
    return this.#running;
  }
}
