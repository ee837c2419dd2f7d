import { newId } from "./idb.ts";

/** Whether this tab may change the notebook, or only show it. */
export type Role = "writer" | "reader";

/** What tabs tell each other about a notebook (BroadcastChannel "strata"). */
export type TabMessage =
  | { type: "take-over"; id: string; tab: string }
  | { type: "released"; id: string; tab: string }
  | { type: "saved"; id: string; tab: string }
  | { type: "who-writes"; id: string; tab: string }
  | { type: "i-write"; id: string; tab: string }
  | { type: "refused"; id: string; tab: string; reason: string };

/** The part of the Web Locks API this uses (navigator.locks), so tests can give their own. */
export interface Locks {
  request(
    name: string,
    options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | null,
  ): Promise<unknown>;
  query?(): Promise<{ held?: { name?: string }[] }>;
}

export interface LockEvents {
  /** another tab took the notebook over; this one is a reader now */
  onLost: () => void;
  /** the writer saved: a reader shows the new text */
  onSaved: () => void;
  /** the writer closed the notebook, and this reader, next in line, writes now */
  onGained: () => void;
  /** before handing the notebook to another tab: save what is pending (rejects: keep it) */
  beforeRelease: () => Promise<void>;
}

const CHANNEL = "strata";
/** How long a take-over waits for the writer to save and let go before taking the lock anyway. */
const TAKE_OVER_WAIT = 4000;
/** Without Web Locks: how long to listen for a writer's answer. */
const ANSWER_WAIT = 250;

/**
 * One writer per notebook: a Web Lock per document id, held while this tab may write. A second
 * tab is a reader until it takes over; the writer then saves, lets go and becomes a reader, so
 * no edit is dropped. Where Web Locks are missing (pages served over plain http from another
 * host), tabs agree over the channel instead.
 */
export class DocumentLock {
  readonly id: string;
  readonly tab = newId();
  #role: Role = "reader";
  #events: LockEvents;
  #locks: Locks | undefined;
  #channel: BroadcastChannel | undefined;
  #release: (() => void) | undefined;
  /** the request of the lock this tab holds, settled once it is let go */
  #held: Promise<unknown> | undefined;
  #closed = false;
  /** without Web Locks: a writer answered "who writes?" */
  #answered: (() => void) | undefined;
  /** during a take-over: the writer let go, or refused with a reason */
  #released: (() => void) | undefined;
  #refused: ((reason: string) => void) | undefined;
  /** a reader's request, waiting in line for the writer to let go (Web Locks only) */
  #queued: AbortController | undefined;
  /** a take-over waits for the queued request to be granted */
  #gained: ((got: boolean) => void) | undefined;

  private constructor(id: string, events: LockEvents, locks: Locks | undefined) {
    this.id = id;
    this.#events = events;
    this.#locks = locks;
    if (typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(CHANNEL);
      this.#channel.onmessage = (event: MessageEvent<TabMessage>) =>
        void this.#onMessage(event.data);
    }
  }

  /** Open a notebook: writer when no other tab has it, reader otherwise. */
  static async acquire(
    id: string,
    events: LockEvents,
    locks: Locks | undefined = defaultLocks(),
  ): Promise<DocumentLock> {
    const lock = new DocumentLock(id, events, locks);
    lock.#role = (await lock.#try({ ifAvailable: true })) ? "writer" : "reader";
    if (lock.#role === "reader") lock.#queue();
    return lock;
  }

  /** Whether some tab holds a notebook (asked before renaming or deleting one that is not open here). */
  static async isOpen(id: string, locks: Locks | undefined = defaultLocks()): Promise<boolean> {
    const state = await locks?.query?.();
    return state?.held?.some((lock) => lock.name === lockName(id)) ?? false;
  }

  get role(): Role {
    return this.#role;
  }

  /**
   * Make this tab the writer: the other tab saves and becomes a reader. Returns why not when the
   * writer could not save its changes (it keeps the notebook, so they are not lost).
   */
  async takeOver(): Promise<string | undefined> {
    if (this.#role === "writer" || this.#closed) return undefined;
    const controller = new AbortController();
    let refusal: string | undefined;
    const released = new Promise<boolean>((resolve) => {
      this.#released = () => resolve(true);
      controller.signal.addEventListener("abort", () => resolve(false));
    });
    this.#refused = (reason) => {
      refusal = reason;
      controller.abort();
    };
    const gained = new Promise<boolean>((resolve) => {
      this.#gained = resolve;
      controller.signal.addEventListener("abort", () => resolve(false));
    });
    const timer = setTimeout(() => controller.abort(), TAKE_OVER_WAIT);
    this.#queue();
    this.#post({ type: "take-over", id: this.id, tab: this.tab });
    // The writer answers by saving and letting go, which grants this tab's queued request; if
    // it is frozen or gone, take the lock anyway.
    const got = await (this.#locks ? gained : released);
    clearTimeout(timer);
    this.#released = this.#refused = this.#gained = undefined;
    if (refusal !== undefined) return refusal;
    if (got) {
      this.#role = "writer";
      return undefined;
    }
    this.#queued?.abort();
    this.#queued = undefined;
    if (await this.#try({ steal: true })) this.#role = "writer";
    return undefined;
  }

  /** Wait in line for the lock; granted, this tab writes (told by take-over or onGained). */
  #queue(): void {
    if (!this.#locks || this.#closed || this.#queued) return;
    const controller = new AbortController();
    this.#queued = controller;
    this.#try({ signal: controller.signal }).then(
      (got) => {
        if (this.#queued === controller) this.#queued = undefined;
        if (!got || this.#closed) return;
        this.#role = "writer";
        if (this.#gained) this.#gained(true);
        else this.#events.onGained();
      },
      () => {
        if (this.#queued === controller) this.#queued = undefined;
      },
    );
  }

  /** Tell readers that the stored text changed. */
  announceSaved(): void {
    if (this.#role === "writer") this.#post({ type: "saved", id: this.id, tab: this.tab });
  }

  /** Let go of the notebook (it is closed in this tab); resolves once another may take it. */
  async release(): Promise<void> {
    this.#closed = true;
    this.#queued?.abort();
    const held = this.#held;
    this.#letGo();
    this.#channel?.close();
    await held?.catch(() => undefined);
  }

  #letGo(): void {
    if (this.#role === "writer") this.#post({ type: "released", id: this.id, tab: this.tab });
    this.#role = "reader";
    this.#release?.();
    this.#release = undefined;
  }

  /** Ask for the lock; resolves whether it was granted. */
  async #try(options: {
    ifAvailable?: boolean;
    steal?: boolean;
    signal?: AbortSignal;
  }): Promise<boolean> {
    const locks = this.#locks;
    if (!locks) return this.#tryByChannel(options);
    return new Promise<boolean>((resolve, reject) => {
      const held = locks.request(lockName(this.id), options, (lock) => {
        if (!lock || this.#closed) {
          resolve(false);
          return null;
        }
        resolve(true);
        return new Promise<void>((release) => (this.#release = release));
      });
      this.#held = held;
      held.then(
        () => undefined,
        (error: unknown) => {
          reject(error);
          // Stolen by another tab's take-over: this tab reads from now on.
          if (this.#role === "writer" && !this.#closed) {
            this.#role = "reader";
            this.#release = undefined;
            this.#events.onLost();
            this.#queue();
          }
        },
      );
    });
  }

  async #tryByChannel(options: { ifAvailable?: boolean; steal?: boolean }): Promise<boolean> {
    if (!this.#channel || options.steal) return true;
    this.#post({ type: "who-writes", id: this.id, tab: this.tab });
    const answered = await new Promise<boolean>((resolve) => {
      this.#answered = () => resolve(true);
      setTimeout(() => resolve(false), ANSWER_WAIT);
    });
    this.#answered = undefined;
    return !answered;
  }

  async #onMessage(message: TabMessage): Promise<void> {
    if (message.id !== this.id || message.tab === this.tab || this.#closed) return;
    switch (message.type) {
      case "take-over":
        if (this.#role !== "writer") return;
        try {
          await this.#events.beforeRelease();
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          this.#post({ type: "refused", id: this.id, tab: this.tab, reason });
          return;
        }
        this.#letGo();
        this.#events.onLost();
        this.#queue();
        return;
      case "refused":
        this.#refused?.(message.reason);
        return;
      case "saved":
        if (this.#role === "reader") this.#events.onSaved();
        return;
      case "who-writes":
        if (this.#role === "writer") this.#post({ type: "i-write", id: this.id, tab: this.tab });
        return;
      case "i-write":
        this.#answered?.();
        return;
      case "released":
        this.#released?.();
        return;
    }
  }

  #post(message: TabMessage): void {
    this.#channel?.postMessage(message);
  }
}

function defaultLocks(): Locks | undefined {
  return typeof navigator !== "undefined" && navigator.locks ? navigator.locks : undefined;
}

function lockName(id: string): string {
  return `strata:notebook:${id}`;
}
