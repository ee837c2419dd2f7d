/** A saved version of a notebook's text, for its history. */
export interface Snapshot {
  /** the store's key, increasing with every snapshot */
  seq: number;
  docId: string;
  /** when it was taken, in ms since the epoch */
  at: number;
  /** why it was taken: "opened from orders.md", "while editing", "before restoring …" */
  reason: string;
  /** the notebook's .md text at that moment */
  text: string;
  /** kept while thinning (the version a notebook was opened with) */
  pinned: boolean;
}

/** At most this many snapshots per notebook. */
export const SNAPSHOT_LIMIT = 50;
/** While a notebook is edited, a snapshot at most this often. */
export const SNAPSHOT_EVERY = 5 * 60_000;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The snapshots to keep: all from the last hour, the newest of each hour for a day, of each day
 * for a month, of each week before that; pinned ones always. Past `limit`, the densest go first
 * (the one closest to the next newer one), so a burst of snapshots thins itself out instead of
 * pushing the older history away. Pure: `now` is given.
 */
export function thinSnapshots<S extends Pick<Snapshot, "seq" | "at" | "pinned">>(
  snapshots: readonly S[],
  now: number,
  limit = SNAPSHOT_LIMIT,
): S[] {
  const newestFirst = [...snapshots].sort((a, b) => b.at - a.at || b.seq - a.seq);
  const buckets = new Set<string>();
  const kept = newestFirst.filter((s) => {
    if (s.pinned) return true;
    const age = now - s.at;
    if (age < HOUR) return true;
    const width = age < DAY ? HOUR : age < 30 * DAY ? DAY : 7 * DAY;
    const bucket = `${width}:${Math.floor(s.at / width)}`;
    if (buckets.has(bucket)) return false;
    buckets.add(bucket);
    return true;
  });
  while (kept.length > limit) {
    let densest = -1;
    for (let i = 1; i < kept.length; i++) {
      if (kept[i]!.pinned) continue;
      const gap = kept[i - 1]!.at - kept[i]!.at;
      if (densest === -1 || gap <= kept[densest - 1]!.at - kept[densest]!.at) densest = i;
    }
    if (densest === -1) break;
    kept.splice(densest, 1);
  }
  return kept;
}
