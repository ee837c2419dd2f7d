import { messageOf, LoadError } from "./errors.ts";

/**
 * Object keys in the order they first appear in a JSON text. DuckDB's JSON import sorts columns
 * by name; people expect the file's order. A key is a string followed by a colon.
 */
export function keysInOrder(text: string): string[] {
  const keys = new Set<string>();
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    try {
      keys.add(JSON.parse(`"${match[1]}"`) as string);
    } catch {
      // A string cut off at the end of the head is not a key; skip it.
    }
  }
  return [...keys];
}

export function ndjsonToArray(fileName: string, text: string): string {
  const lines = text.split(/\r?\n/);
  const rows: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      JSON.parse(line);
    } catch (error) {
      throw new LoadError(fileName, `not valid JSON: ${messageOf(error)}`, {
        line: i + 1,
        cause: error,
      });
    }
    rows.push(line);
  });
  if (rows.length === 0) throw new LoadError(fileName, "no JSON records to load");
  return `[${rows.join(",")}]`;
}

/** Why a JSON text cannot be a table, or undefined when it looks fine to JavaScript. */
export function jsonProblem(fileName: string, text: string): LoadError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = messageOf(error);
    const position = /position (\d+)/.exec(message)?.[1];
    const line =
      position === undefined ? undefined : text.slice(0, Number(position)).split("\n").length;
    return new LoadError(
      fileName,
      `not valid JSON: ${message.replace(/ \(line \d+ column \d+\)$/, "")}`,
      {
        line,
        cause: error,
      },
    );
  }
  if (!Array.isArray(value)) return new LoadError(fileName, "expected a JSON array of records");
  if (value.length === 0)
    return new LoadError(fileName, "the JSON array is empty: no rows to load");
  if (!value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v))) {
    return new LoadError(fileName, "expected every element of the JSON array to be an object");
  }
  return undefined;
}
