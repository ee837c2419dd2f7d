import type { Notebook } from "./types.ts";

/**
 * What trusting a notebook vouches for: everything that decides what its code does — the
 * front matter (datasets and other keys; not the title) and every code cell's kind, name,
 * options and source, in order. Prose is not code: editing it keeps a notebook trusted.
 */
export function codeText(nb: Notebook): string {
  return JSON.stringify({
    datasets: nb.datasets.map((d) => [d.name, d.source]),
    meta: canonical(nb.meta),
    cells: nb.cells.flatMap((c) =>
      c.kind === "markdown" ? [] : [[c.kind, c.name ?? null, c.options, c.source]],
    ),
  });
}

/** The SHA-256 of a notebook's code, in hex: trust is a decision about exactly this content. */
export async function codeHash(nb: Notebook): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeText(nb)));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Object keys sorted at every depth, so that key order never changes the hash. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}
