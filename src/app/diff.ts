import { diffLines } from "diff";

/** One line of a diff as the history shows it; long unchanged runs fold into one "skipped" line. */
export type DiffLine =
  { kind: "same" | "added" | "removed"; text: string } | { kind: "skipped"; count: number };

/** Unchanged lines kept on each side of a change. */
const CONTEXT = 3;

/** What changes from `from` to `to`, line by line. */
export function textDiff(from: string, to: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(from, to)) {
    const kind = part.added ? "added" : part.removed ? "removed" : "same";
    for (const text of part.value.replace(/\n$/, "").split("\n")) lines.push({ kind, text });
  }
  const changed = lines.map((l) => l.kind !== "same");
  const near = (i: number) => {
    for (let j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j++)
      if (changed[j]) return true;
    return false;
  };
  const out: DiffLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (near(i)) {
      out.push(lines[i]!);
      continue;
    }
    const last = out.at(-1);
    if (last?.kind === "skipped") last.count++;
    else out.push({ kind: "skipped", count: 1 });
  }
  return out;
}
