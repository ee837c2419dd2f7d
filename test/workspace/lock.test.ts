import { describe, expect, it, vi } from "vitest";
import { DocumentLock, type LockEvents, type Locks } from "../../src/workspace/lock.ts";

/**
 * Web Locks as the browser grants them, for one page of tests: exclusive, queued, `ifAvailable`
 * answers null when held, `steal` takes it and rejects the holder's promise with AbortError.
 */
class TestLocks implements Locks {
  #held = new Map<string, { reject: (e: unknown) => void; done: Promise<void> }>();
  #waiting = new Map<string, (() => void)[]>();

  async request(
    name: string,
    options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | null,
  ): Promise<unknown> {
    const current = this.#held.get(name);
    if (current && options.steal) {
      this.#held.delete(name);
      current.reject(new DOMException("stolen", "AbortError"));
    } else if (current && options.ifAvailable) {
      return callback(null);
    } else if (current) {
      await new Promise<void>((resolve, reject) => {
        this.#waiting.set(name, [...(this.#waiting.get(name) ?? []), resolve]);
        options.signal?.addEventListener("abort", () => reject(options.signal?.reason));
      });
    }
    return new Promise((resolve, reject) => {
      const done = Promise.resolve(callback({ name })).then(() => {
        if (this.#held.get(name)?.done !== done) return;
        this.#held.delete(name);
        this.#waiting.get(name)?.shift()?.();
        resolve(undefined);
      });
      this.#held.set(name, { reject, done });
    });
  }
}

function events() {
  const calls: string[] = [];
  const handlers: LockEvents = {
    onLost: () => calls.push("lost"),
    onSaved: () => calls.push("saved"),
    onGained: () => calls.push("gained"),
    beforeRelease: async () => {
      calls.push("flush");
    },
  };
  return { calls, handlers };
}

describe.each([
  ["Web Locks", () => new TestLocks()],
  ["the channel, without Web Locks", () => undefined],
])("DocumentLock over %s", (_, makeLocks) => {
  it("acquire(): the first tab writes, a second is a reader; takeOver() makes the first save and read", async () => {
    const locks = makeLocks();
    const a = events();
    const b = events();
    const first = await DocumentLock.acquire("doc1", a.handlers, locks);
    const second = await DocumentLock.acquire("doc1", b.handlers, locks);
    const other = await DocumentLock.acquire("doc2", events().handlers, locks);
    expect([first.role, second.role, other.role]).toEqual(["writer", "reader", "writer"]);

    first.announceSaved();
    await vi.waitFor(() => expect(b.calls).toEqual(["saved"]));

    await second.takeOver();
    expect(second.role).toBe("writer");
    expect(first.role).toBe("reader");
    expect(a.calls).toEqual(["flush", "lost"]);
    for (const lock of [first, second, other]) await lock.release();
  });

  it("takeOver() is refused, with the reason, while the writer cannot save its changes", async () => {
    const locks = makeLocks();
    const a = events();
    const writer = await DocumentLock.acquire(
      "doc5",
      {
        ...a.handlers,
        beforeRelease: () =>
          Promise.reject(new Error("the browser's storage for this site is full")),
      },
      locks,
    );
    const reader = await DocumentLock.acquire("doc5", events().handlers, locks);
    expect(await reader.takeOver()).toBe("the browser's storage for this site is full");
    expect([writer.role, reader.role]).toEqual(["writer", "reader"]);
    expect(a.calls).toEqual([]);
    await writer.release();
    await reader.release();
  });

  it("release(): the next tab to open the notebook writes", async () => {
    const locks = makeLocks();
    const first = await DocumentLock.acquire("doc3", events().handlers, locks);
    await first.release();
    const next = await DocumentLock.acquire("doc3", events().handlers, locks);
    expect(next.role).toBe("writer");
    await next.release();
  });
});

describe("DocumentLock over Web Locks", () => {
  it("a reader next in line writes as soon as the writer closes the notebook", async () => {
    const locks = new TestLocks();
    const writer = await DocumentLock.acquire("doc6", events().handlers, locks);
    const b = events();
    const reader = await DocumentLock.acquire("doc6", b.handlers, locks);
    expect(reader.role).toBe("reader");
    await writer.release();
    await vi.waitFor(() => expect(b.calls).toEqual(["gained"]));
    expect(reader.role).toBe("writer");
    await reader.release();
  });

  it("takeOver() takes the lock from a writer that does not answer, and that writer learns it lost", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      const locks = new TestLocks();
      const a = events();
      const frozen = await DocumentLock.acquire(
        "doc4",
        { ...a.handlers, beforeRelease: () => new Promise(() => undefined) },
        locks,
      );
      const taker = await DocumentLock.acquire("doc4", events().handlers, locks);
      const taking = taker.takeOver();
      await vi.advanceTimersByTimeAsync(5000);
      await taking;
      expect(taker.role).toBe("writer");
      expect(frozen.role).toBe("reader");
      expect(a.calls).toEqual(["lost"]);
      await frozen.release();
      await taker.release();
    } finally {
      vi.useRealTimers();
    }
  });
});
