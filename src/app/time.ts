const UNITS: [number, string][] = [
  [86_400_000 * 7, "week"],
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "min"],
];

/** "just now", "5 min ago", "2 days ago". */
export function ago(at: number, now = Date.now()): string {
  const age = Math.max(0, now - at);
  for (const [size, unit] of UNITS) {
    const n = Math.floor(age / size);
    if (n >= 1) return `${n} ${unit}${n > 1 && unit !== "min" ? "s" : ""} ago`;
  }
  return "just now";
}

/** A moment as people read it: "14:03:12" today, "3 Dec, 14:03:12" before (versions can be a minute apart). */
export function when(at: number, now = Date.now()): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return new Date(now).toDateString() === date.toDateString()
    ? time
    : `${date.toLocaleDateString(undefined, { day: "numeric", month: "short" })}, ${time}`;
}

/** A size as people read it: 812 B, 12 KB, 3.4 MB, 1.25 GB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.ceil(n / 1024)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
