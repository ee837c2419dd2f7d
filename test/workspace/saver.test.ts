import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Saver, type SaveState } from "../../src/workspace/saver.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A saver whose saves record the "document" version they wrote and when. */
function setup(fail?: () => Error | undefined) {
  const doc = { version: 0 };
  const saved: { version: number; at: number }[] = [];
  const states: SaveState["kind"][] = [];
  const saver = new Saver({
    save: async () => {
      const version = doc.version;
      await new Promise((r) => setTimeout(r, 20));
      const error = fail?.();
      if (error) throw error;
      saved.push({ version, at: Date.now() });
    },
    onState: (s) => states.push(s.kind),
  });
  const change = () => {
    doc.version++;
    saver.touch();
  };
  return { doc, saved, states, saver, change };
}

describe("Saver", () => {
  it("touch() saves once after a quiet moment, well within a second", async () => {
    const { saved, states, change } = setup();
    const start = Date.now();
    change();
    await vi.advanceTimersByTimeAsync(1000);
    expect(saved).toEqual([{ version: 1, at: start + 220 }]);
    expect(states).toEqual(["unsaved", "saving", "saved"]);
  });

  it("steady typing for 8 s is saved at least every second (max wait), not only when it stops", async () => {
    const { saved, change, doc } = setup();
    const start = Date.now();
    for (let t = 0; t < 8000; t += 50) {
      change();
      await vi.advanceTimersByTimeAsync(50);
    }
    const gaps = saved.map((s, i) => s.at - (saved[i - 1]?.at ?? start));
    expect(saved.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...gaps)).toBeLessThan(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(saved.at(-1)?.version).toBe(doc.version);
  });

  it("flush() saves what is pending at once, including a change made during a save", async () => {
    const { saved, saver, change, doc } = setup();
    change();
    const flushed = saver.flush();
    change();
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(50);
    await flushed;
    expect(saver.pending).toBe(false);
    expect(saved.at(-1)?.version).toBe(doc.version);
  });

  it("a failed save shows its error until a later save works; the change is kept and retried", async () => {
    let failing = true;
    const { saved, states, saver, change } = setup(() =>
      failing ? new Error("the browser's storage for this site is full") : undefined,
    );
    const messages: string[] = [];
    const observed = new Saver({
      save: () => Promise.reject(new Error("the browser's storage for this site is full")),
      onState: (s) => s.kind === "failed" && messages.push(s.message),
    });
    observed.touch();
    await vi.advanceTimersByTimeAsync(500);
    expect(messages).toEqual(["the browser's storage for this site is full"]);
    observed.dispose();

    change();
    await vi.advanceTimersByTimeAsync(500);
    expect(states.at(-1)).toBe("failed");
    expect(saver.pending).toBe(true);
    expect(saved).toEqual([]);
    // Another change does not hide the error while it is still failing.
    change();
    expect(states.at(-1)).toBe("failed");
    failing = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(states.at(-1)).toBe("saved");
    expect(saved.map((s) => s.version)).toEqual([2]);
  });

  it("a failed save is retried on its own, later each time, until it works", async () => {
    let failures = 3;
    const { saved, states, change } = setup(() =>
      failures-- > 0 ? new Error("browser storage failed: disk I/O") : undefined,
    );
    change();
    await vi.advanceTimersByTimeAsync(1000);
    expect(states.at(-1)).toBe("failed");
    await vi.advanceTimersByTimeAsync(5000 + 100);
    expect(states.at(-1)).toBe("failed");
    await vi.advanceTimersByTimeAsync(10_000 + 100);
    expect(states.at(-1)).toBe("failed");
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_000 + 100);
    expect(states.at(-1)).toBe("saved");
    expect(saved.map((s) => s.version)).toEqual([1]);
  });
});
