import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/notebook/index.ts";
import { storageMessage, StorageError } from "../../src/workspace/idb.ts";
import { readDocument } from "../../src/workspace/records.ts";
import { SNAPSHOT_EVERY, thinSnapshots } from "../../src/workspace/snapshots.ts";
import { DocumentStore, TRASH_DAYS } from "../../src/workspace/store.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A store on a fresh in-memory IndexedDB, with a clock the test moves. */
async function fresh(start = Date.UTC(2026, 0, 1)) {
  const clock = { now: start };
  const factory = new IDBFactory();
  const store = await DocumentStore.open({ factory, now: () => clock.now });
  return { store, clock, factory };
}

/** A browser's storage as Strata 0.1 left it: one saved notebook (or none) and its datasets. */
function strata01(
  factory: IDBFactory,
  saved: { notebook?: object; datasets: { name: string; file: Blob }[] },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.open("strata", 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore("notebook");
      req.result.createObjectStore("datasets");
    };
    req.onsuccess = () => {
      const tx = req.result.transaction(["notebook", "datasets"], "readwrite");
      if (saved.notebook) tx.objectStore("notebook").put(saved.notebook, "current");
      for (const d of saved.datasets) tx.objectStore("datasets").put(d, d.name);
      tx.oncomplete = () => (req.result.close(), resolve());
      tx.onerror = () => reject(tx.error);
    };
  });
}

const doc = (title: string) => ({
  title,
  text: `---\ntitle: ${title}\n---\n\n\`\`\`sql\nSELECT 1\n\`\`\`\n`,
  origin: { kind: "new" as const },
});

describe("DocumentStore", () => {
  it("keeps trusted code per notebook, apart from the documents, and ignores a 0.2 trusted flag", async () => {
    const { store } = await fresh();
    const [h1, h2] = ["a".repeat(64), "b".repeat(64)];
    expect(await store.isTrusted("one", h1)).toBe(false);
    await store.trust("one", h1);
    expect(await store.isTrusted("one", h1)).toBe(true);
    // The same code in another notebook is that notebook's to trust.
    expect(await store.isTrusted("two", h1)).toBe(false);
    expect(
      await store.trustedAmong([
        { docId: "one", hash: h1 },
        { docId: "one", hash: h2 },
        { docId: "two", hash: h1 },
      ]),
    ).toEqual(new Set(["one"]));
    const a = await store.create(doc("A"));
    expect(a).not.toHaveProperty("trusted");
    // A record Strata 0.2 wrote says trusted: true; that flag no longer trusts anything.
    expect(readDocument({ ...a, trusted: true }, a.id)).toEqual(a);
  });

  it("create, get and list: each notebook is a document with its own id, most recently edited first", async () => {
    const { store, clock } = await fresh();
    const a = await store.create(doc("A"));
    clock.now += MINUTE;
    const b = await store.create(doc("B"));
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(await store.get(a.id)).toEqual(a);
    expect(await store.get("nope")).toBeUndefined();
    clock.now += MINUTE;
    await store.save(a.id, { title: "A2", text: "# changed\n" });
    const { documents, unreadable } = await store.list();
    expect(documents.map((d) => [d.title, d.updatedAt - b.updatedAt])).toEqual([
      ["A2", MINUTE],
      ["B", 0],
    ]);
    expect(unreadable).toEqual([]);
  });

  it("list() skips a foreign or damaged record with one line and keeps the rest; get() refuses it", async () => {
    const { store, factory } = await fresh();
    const good = await store.create(doc("Good"));
    store.close();
    await new Promise<void>((resolve, reject) => {
      const req = factory.open("strata");
      req.onsuccess = () => {
        const tx = req.result.transaction("documents", "readwrite");
        tx.objectStore("documents").put({ id: "junk", title: 42 });
        tx.oncomplete = () => (req.result.close(), resolve());
        tx.onerror = () => reject(tx.error);
      };
    });
    const again = await DocumentStore.open({ factory });
    const { documents, unreadable } = await again.list();
    expect(documents.map((d) => d.id)).toEqual([good.id]);
    expect(unreadable).toEqual(["stored notebook junk cannot be read: its title is not text"]);
    await expect(again.get("junk")).rejects.toThrow(
      "stored notebook junk cannot be read: its title is not text",
    );
  });

  it("save() keeps a snapshot of the text as it was when the last one is older than SNAPSHOT_EVERY", async () => {
    const { store, clock } = await fresh();
    const { id } = await store.create({ ...doc("S"), snapshot: "opened from s.md" });
    const texts = ["one\n", "two\n", "three\n"];
    for (const text of texts) {
      clock.now += MINUTE;
      await store.save(id, { title: "S", text });
    }
    expect((await store.snapshots(id)).map((s) => s.reason)).toEqual(["opened from s.md"]);
    clock.now += SNAPSHOT_EVERY;
    await store.save(id, { title: "S", text: "four\n" });
    const snapshots = await store.snapshots(id);
    expect(snapshots.map((s) => [s.reason, s.text, s.pinned])).toEqual([
      ["while editing", "three\n", false],
      ["opened from s.md", doc("S").text, true],
    ]);
    // Saving the same text is not a change and takes no snapshot.
    clock.now += SNAPSHOT_EVERY;
    await store.save(id, { title: "S", text: "four\n" });
    expect(await store.snapshots(id)).toHaveLength(2);
  });

  it("snapshot() before a restore is kept once per text; snapshots stay bounded while thinned over weeks", async () => {
    const { store, clock } = await fresh();
    const { id } = await store.create({ ...doc("T"), snapshot: "opened from t.md" });
    await store.snapshot(id, "before\n", "before restoring");
    await store.snapshot(id, "before\n", "before restoring");
    expect(await store.snapshots(id)).toHaveLength(2);
    for (let i = 0; i < 400; i++) {
      clock.now += 7 * MINUTE;
      await store.save(id, { title: "T", text: `edit ${i}\n` });
    }
    const snapshots = await store.snapshots(id);
    expect(snapshots.length).toBeLessThanOrEqual(50);
    expect(snapshots.length).toBeGreaterThan(10);
    expect(snapshots.at(-1)?.reason).toBe("opened from t.md");
    // The newest snapshots are dense, the older ones sparse.
    expect(snapshots[0]!.at - snapshots[1]!.at).toBe(7 * MINUTE);
  });

  it("trash() and restore(); purgeExpired() removes for good what has been in the trash past TRASH_DAYS", async () => {
    const { store, clock } = await fresh();
    const a = await store.create({ ...doc("A"), snapshot: "new" });
    const b = await store.create(doc("B"));
    await store.putFile(a.id, "orders", new File(["x,y\n1,2\n"], "orders.csv"));
    expect((await store.trash(a.id)).deletedAt).toBe(clock.now);
    await store.trash(b.id);
    await store.restore(b.id);
    clock.now += (TRASH_DAYS - 1) * DAY;
    expect(await store.purgeExpired()).toBe(0);
    clock.now += 2 * DAY;
    expect(await store.purgeExpired()).toBe(1);
    expect(await store.get(a.id)).toBeUndefined();
    expect(await store.snapshots(a.id)).toEqual([]);
    expect(await store.files(a.id)).toEqual([]);
    expect((await store.get(b.id))?.deletedAt).toBeNull();
  });

  it("putFile(), removeFile() and renameFile() keep a notebook's files and its data size", async () => {
    const { store } = await fresh();
    const { id } = await store.create(doc("F"));
    const other = await store.create(doc("G"));
    await store.putFile(id, "orders", new File(["a,b\n1,2\n"], "orders.csv"));
    await store.putFile(id, "people", new File(["id\tname\n"], "people.tsv"));
    await store.putFile(id, "orders", new File(["a,b\n1,2\n3,4\n"], "orders-2.csv"));
    await store.putFile(other.id, "orders", new File(["z\n"], "z.csv"));
    expect((await store.get(id))?.dataBytes).toBe(12 + 8);
    await store.renameFile(id, "people", "persons");
    await store.removeFile(id, "orders");
    const files = await store.files(id);
    expect(files.map((f) => [f.name, f.fileName])).toEqual([["persons", "people.tsv"]]);
    expect(await files[0]!.file.text()).toBe("id\tname\n");
    expect((await store.get(id))?.dataBytes).toBe(8);
    expect((await store.files(other.id)).map((f) => f.fileName)).toEqual(["z.csv"]);
  });

  it("duplicate() copies the text, files and trusted code into a new document; purge() forgets them", async () => {
    const { store } = await fresh();
    const a = await store.create(doc("A"));
    await store.trust(a.id, "c".repeat(64));
    await store.putFile(a.id, "orders", new File(["a\n1\n"], "orders.csv"));
    const copy = await store.duplicate(a.id, { title: "A (copy)", text: "copy\n" });
    expect(copy.id).not.toBe(a.id);
    expect(copy).toMatchObject({ title: "A (copy)", text: "copy\n", dataBytes: 4 });
    expect(copy.origin).toEqual({ kind: "copy", of: a.id });
    expect(await store.isTrusted(copy.id, "c".repeat(64))).toBe(true);
    expect((await store.files(copy.id)).map((f) => f.name)).toEqual(["orders"]);
    expect((await store.get(a.id))?.text).toBe(doc("A").text);
    await store.purge(a.id);
    expect(await store.isTrusted(a.id, "c".repeat(64))).toBe(false);
    expect(await store.isTrusted(copy.id, "c".repeat(64))).toBe(true);
  });

  it("save() of a notebook that is gone fails with one line", async () => {
    const { store } = await fresh();
    await expect(store.save("gone", { title: "", text: "" })).rejects.toThrow(
      new StorageError("no notebook gone in this browser's storage"),
    );
  });

  it("open() turns a storage API that throws into one line", async () => {
    const throwing = {
      open() {
        throw new DOMException(
          "The user denied permission to access the database.",
          "SecurityError",
        );
      },
    } as unknown as IDBFactory;
    await expect(DocumentStore.open({ factory: throwing })).rejects.toThrow(
      /^browser storage is not available here \(The user denied permission/,
    );
    expect(storageMessage(new DOMException("quota", "QuotaExceededError"))).toBe(
      "the browser's storage for this site is full (free space or remove old notebooks' data)",
    );
  });

  it("open() moves Strata 0.1's one notebook and its datasets into a document that names them", async () => {
    const factory = new IDBFactory();
    const oldText =
      "---\ntitle: My week of work\n---\n\n```sql totals\nSELECT count(*) FROM orders\n```\n";
    await strata01(factory, {
      notebook: { text: oldText, source: "kmeans-segments", savedAt: 5 },
      datasets: [{ name: "orders", file: new File(["a\n1\n"], "orders.csv") }],
    });
    const store = await DocumentStore.open({ factory, now: () => 100 });
    const { documents } = await store.list();
    expect(documents).toHaveLength(1);
    const [migrated] = documents;
    expect(migrated).toMatchObject({
      title: "My week of work",
      updatedAt: 5,
      dataBytes: 4,
    });
    const nb = parse(migrated!.text);
    expect(nb.datasets).toEqual([{ name: "orders", source: "orders.csv" }]);
    expect(nb.cells.map((c) => c.source)).toEqual(["SELECT count(*) FROM orders"]);
    expect((await store.files(migrated!.id)).map((f) => f.name)).toEqual(["orders"]);
    expect((await store.snapshots(migrated!.id))[0]?.text).toBe(oldText);
  });
});

describe("the move from Strata 0.1", () => {
  it("open() keeps 0.1's datasets in a notebook of their own when there was no saved notebook", async () => {
    const factory = new IDBFactory();
    await strata01(factory, { datasets: [{ name: "orders", file: new Blob(["a\n1\n"]) }] });
    const store = await DocumentStore.open({ factory });
    const [doc] = (await store.list()).documents;
    expect(doc?.title).toBe("Recovered datasets");
    expect(parse(doc!.text).datasets).toEqual([{ name: "orders", source: "orders.csv" }]);
    expect((await store.files(doc!.id)).map((f) => f.name)).toEqual(["orders"]);
  });
});

describe("thinSnapshots()", () => {
  const HOUR = 60 * MINUTE;
  it("thinSnapshots(snapshots, now) keeps the last hour whole, then one per hour, day and week, pinned ones always", () => {
    const now = 100 * 7 * DAY;
    const at = [
      now - 10 * MINUTE,
      now - 20 * MINUTE,
      now - 2 * HOUR - 1,
      now - 2 * HOUR - 2,
      now - 3 * DAY - 1,
      now - 3 * DAY - 2,
      now - 60 * DAY,
      now - 61 * DAY,
    ];
    const snapshots = at.map((t, seq) => ({ seq, at: t, pinned: seq === 7 }));
    expect(thinSnapshots(snapshots, now).map((s) => s.seq)).toEqual([0, 1, 2, 4, 6, 7]);
    // Past the limit the densest go first: the newest, then the history spread out.
    expect(thinSnapshots(snapshots, now, 3).map((s) => s.seq)).toEqual([0, 6, 7]);
  });

  it("thinSnapshots() of a burst of recent snapshots keeps older history", () => {
    const now = 100 * DAY;
    const daily = Array.from({ length: 30 }, (_, i) => ({
      seq: i,
      at: now - (i + 2) * DAY,
      pinned: false,
    }));
    const burst = Array.from({ length: 50 }, (_, i) => ({
      seq: 100 + i,
      at: now - i * MINUTE,
      pinned: false,
    }));
    const kept = thinSnapshots([...daily, ...burst], now);
    expect(kept).toHaveLength(50);
    expect(kept.filter((s) => s.seq < 100).length).toBeGreaterThanOrEqual(20);
    expect(kept[0]!.seq).toBe(100);
  });
});
