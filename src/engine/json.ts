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

/** How much of an NDJSON file is read at a time. */
const NDJSON_CHUNK = 8 * 1024 * 1024;

/**
 * An NDJSON file as the JSON array DuckDB's reader takes. Every line that is not blank must be
 * one JSON object; the first that is not fails the load with its line number. The file is read
 * in chunks and the array written as bytes, so a file longer than the longest string JavaScript
 * holds (512 MiB) converts too. `read` gives bytes [start, end) of the file of `size` bytes;
 * `chunkBytes` is how many it asks for at a time.
 */
export async function ndjsonToArray(
  fileName: string,
  size: number,
  read: (start: number, end: number) => Promise<Uint8Array>,
  chunkBytes = NDJSON_CHUNK,
): Promise<Uint8Array> {
  // The array is the lines, commas for their line ends, and two brackets: never longer.
  const out = new Uint8Array(size + 2);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let length = 0;
  let rows = 0;
  let line = 0;
  out[length++] = 0x5b; // [
  let carry = new Uint8Array(0);
  for (let start = 0; start < size; start += chunkBytes) {
    const end = Math.min(size, start + chunkBytes);
    const bytes = concat(carry, await read(start, end));
    // Whole lines only; the rest waits for the next chunk (the last chunk ends the last line).
    const cut = end === size ? bytes.length : bytes.lastIndexOf(0x0a) + 1;
    carry = bytes.slice(cut);
    if (cut === 0) continue;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, end === size ? cut : cut - 1));
    } catch (error) {
      throw new LoadError(fileName, "not valid UTF-8 text; save the file as UTF-8", {
        line: line + 1,
        cause: error,
      });
    }
    for (const record of text.split("\n")) {
      line++;
      if (record.trim() === "") continue;
      checkRecord(fileName, record, line);
      if (rows++ > 0) out[length++] = 0x2c; // ,
      length += encoder.encodeInto(record.replace(/\r$/, ""), out.subarray(length)).written;
    }
  }
  if (rows === 0) throw new LoadError(fileName, "no JSON records to load");
  out[length++] = 0x5d; // ]
  return out.subarray(0, length);
}

/** One NDJSON line must be one JSON object. */
function checkRecord(fileName: string, record: string, line: number): void {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch (error) {
    throw new LoadError(fileName, `not valid JSON: ${messageOf(error)}`, { line, cause: error });
  }
  if (!isRecord(value))
    throw new LoadError(fileName, `expected one JSON object per line, found ${kindOf(value)}`, {
      line,
    });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const both = new Uint8Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return both;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** What a JSON value is, in words: "an array", "a number", "null". */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return typeof value === "boolean" ? "true or false" : `a ${typeof value}`;
}

/**
 * Why a top-level JSON object is not a table. It is refused rather than loaded as one row: most
 * such files wrap their rows in an envelope (`{"data": [...]}`), where one row of nested
 * columns would be a surprise; the message says which key holds the rows, or how to load the
 * object as one row. (An object of equal-length column arrays DuckDB loads as columns, and
 * never gets here.)
 */
function objectProblem(fileName: string, value: Record<string, unknown>): LoadError {
  const expected = "expected an array of objects, one per row";
  const rows = Object.entries(value).find(
    ([, v]) => Array.isArray(v) && v.length > 0 && v.every(isRecord),
  );
  if (rows) {
    const [key, records] = rows as [string, unknown[]];
    return new LoadError(
      fileName,
      `${expected}, but the file is an object: its key ${JSON.stringify(key)} holds an array of ${records.length.toLocaleString("en-US")} objects; save that array on its own to load them`,
    );
  }
  return new LoadError(
    fileName,
    `${expected}, but the file is a single object: put it in [ ] to load it as one row`,
  );
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
  if (isRecord(value)) return objectProblem(fileName, value);
  if (!Array.isArray(value))
    return new LoadError(
      fileName,
      `expected an array of objects, one per row, but the file is ${kindOf(value)}`,
    );
  if (value.length === 0)
    return new LoadError(fileName, "the JSON array is empty: no rows to load");
  const odd = value.findIndex((v) => !isRecord(v));
  if (odd !== -1) {
    return new LoadError(
      fileName,
      `expected every element of the JSON array to be an object, but element ${odd + 1} is ${kindOf(value[odd])}`,
    );
  }
  return undefined;
}
