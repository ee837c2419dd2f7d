// Polluted CSV files, one kind of pollution per file, made from one clean table: what real
// exports look like (a stray quote, a row with a separator too few or too many, no header, a
// header over several lines, a preamble, other separators, quotes, escapes, encodings and line
// ends). Each file knows the rows and columns a right load gives, and the import options that
// describe its dialect. Used by `npm run bench` and by the loader's tests.

/** The import options that describe a file's dialect (what a user would set in the panel). */
export interface DialectOptions {
  delimiter?: string;
  quote?: string;
  escape?: string;
  header?: boolean;
  skip?: number;
  encoding?: "utf-8" | "latin-1" | "utf-16";
}

export interface PollutedFile {
  /** a file name, `<kind>-<n>.csv` */
  name: string;
  kind: string;
  bytes: Uint8Array;
  /** the options that describe the file */
  options: DialectOptions;
  /** what a right load holds: the column names and, by id, the rows of data */
  expected: { names: string[]; ids: number[]; amount: number };
  /** a load that also keeps the polluted row, as a reader may (a stray quote read as text) */
  alsoRight?: { ids: number[]; amount: number };
}

interface Row {
  id: number;
  customer: string;
  city: string;
  amount: number;
  day: string;
}

const NAMES = ["id", "customer", "city", "amount", "day"];
const FIRST = ["Anna", "Björn", "Chloé", "Dev", "Eve", "Farid", "Grace", "Hugo", "Inès", "Jon"];
const LAST = ["Smith", "Müller", "García", "O'Neil", "Dubois", "Rossi", "Nowak", "Silva"];
const CITIES = ["London", "Paris", "Zürich", "São Paulo", "Kraków", "Lisbon"];

/** A small seeded generator (mulberry32), so every run makes the same files. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cleanRows(rand: () => number, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => {
    const first = FIRST[Math.floor(rand() * FIRST.length)]!;
    const last = LAST[Math.floor(rand() * LAST.length)]!;
    // Every fifth customer is written "Last, First": a comma inside a value, so it is quoted.
    const customer = i % 5 === 0 ? `${last}, ${first}` : `${first} ${last}`;
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 365) * 86_400_000);
    return {
      id: 1000 + i,
      customer,
      city: CITIES[Math.floor(rand() * CITIES.length)]!,
      amount: Math.round(rand() * 100_000) / 100,
      day: day.toISOString().slice(0, 10),
    };
  });
}

interface Layout {
  delimiter: string;
  quote: string;
  /** how a quote inside a quoted value is written */
  escape: string;
  lineEnd: string;
}

const STANDARD: Layout = { delimiter: ",", quote: '"', escape: '"', lineEnd: "\n" };

function field(value: string, layout: Layout): string {
  const { delimiter, quote, escape } = layout;
  if (quote === "" || !(value.includes(delimiter) || value.includes(quote) || /[\r\n]/.test(value)))
    return value;
  return quote + value.replaceAll(quote, escape + quote) + quote;
}

function line(values: string[], layout: Layout): string {
  return values.map((v) => field(v, layout)).join(layout.delimiter);
}

function values(row: Row): string[] {
  return [String(row.id), row.customer, row.city, row.amount.toFixed(2), row.day];
}

const KINDS = [
  "clean",
  "semicolon",
  "tab",
  "pipe",
  "crlf",
  "cr",
  "single-quote",
  "backslash-escape",
  "stray-quote",
  "quote-at-start",
  "separator-too-few",
  "separator-too-many",
  "no-header",
  "two-line-header",
  "three-line-header",
  "preamble",
  "utf8-bom",
  "latin-1",
  "utf-16",
] as const;
export type Kind = (typeof KINDS)[number];
export const POLLUTIONS: readonly Kind[] = KINDS;

/** `perKind` files of every kind, each with its own rows and its own polluted line. */
export function pollutedFiles(perKind: number, rows = 200): PollutedFile[] {
  const files: PollutedFile[] = [];
  for (const kind of KINDS) {
    for (let n = 0; n < perKind; n++) files.push(polluted(kind, n, rows));
  }
  return files;
}

/** One polluted file of `kind`; `n` varies its rows and where the pollution is. */
export function polluted(kind: Kind, n: number, rowCount = 200): PollutedFile {
  const rand = random(1 + n * 7919 + KINDS.indexOf(kind) * 104_729);
  const rows = cleanRows(rand, rowCount);
  const layout: Layout = { ...STANDARD };
  const options: DialectOptions = {};
  if (kind === "semicolon") layout.delimiter = options.delimiter = ";";
  if (kind === "tab") layout.delimiter = options.delimiter = "\t";
  if (kind === "pipe") layout.delimiter = options.delimiter = "|";
  if (kind === "crlf") layout.lineEnd = "\r\n";
  if (kind === "cr") layout.lineEnd = "\r";
  if (kind === "single-quote") {
    layout.quote = layout.escape = options.quote = options.escape = "'";
  }
  if (kind === "backslash-escape") {
    layout.escape = options.escape = "\\";
    options.quote = '"';
    // Values with a quote inside, so the escape matters.
    rows.forEach((r, i) => i % 7 === 3 && (r.customer = `The "${r.customer}" shop`));
  }
  if (kind === "clean" || kind === "crlf")
    rows.forEach((r, i) => i % 11 === 4 && (r.customer = `The "${r.customer}" shop`));

  // The row polluted, away from the first lines (where a sniffer would see it first).
  const bad = 20 + Math.floor(rand() * (rowCount - 40));
  const lines = rows.map((r) => line(values(r), layout));
  let dropped: number[] = [];
  if (kind === "stray-quote") {
    const v = values(rows[bad]!);
    v[2] = `${v[2]!.slice(0, 2)}"${v[2]!.slice(2)}`;
    lines[bad] = line(v, { ...layout, quote: "" });
    dropped = [bad];
  }
  if (kind === "quote-at-start") {
    const v = values(rows[bad]!);
    v[2] = `"${v[2]}`;
    lines[bad] = line(v, { ...layout, quote: "" });
    dropped = [bad];
  }
  if (kind === "separator-too-few") {
    const v = values(rows[bad]!);
    lines[bad] = line([v[0]!, v[1]!, v[2]! + " " + v[3]!, v[4]!], layout);
    dropped = [bad];
  }
  if (kind === "separator-too-many") {
    const v = values(rows[bad]!);
    lines[bad] = line([v[0]!, v[1]!, v[2]!, "", v[3]!, v[4]!], layout);
    dropped = [bad];
  }
  const header = [line(NAMES, layout)];
  if (kind === "no-header") {
    header.length = 0;
    options.header = false;
  }
  if (kind === "two-line-header" || kind === "three-line-header") {
    header.push(line(["", "name", "", "EUR", "yyyy-mm-dd"], layout));
    if (kind === "three-line-header") header.push(line(["", "", "", "", ""], layout));
  }
  if (kind === "preamble") {
    const above = ["Sales export", `Generated 2025-01-0${(n % 9) + 1} by ShopSystem 4.2`];
    header.unshift(...above.slice(0, 1 + (n % 2)));
    options.skip = 1 + (n % 2);
  }
  let text = [...header, ...lines].join(layout.lineEnd) + layout.lineEnd;
  let bytes: Uint8Array;
  if (kind === "latin-1") {
    options.encoding = "latin-1";
    bytes = Uint8Array.from(text, (c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 0x3f));
  } else if (kind === "utf-16") {
    options.encoding = "utf-16";
    bytes = new Uint8Array(2 + text.length * 2);
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    for (let i = 0; i < text.length; i++) {
      bytes[2 + i * 2] = text.charCodeAt(i) & 0xff;
      bytes[3 + i * 2] = text.charCodeAt(i) >> 8;
    }
  } else {
    if (kind === "utf8-bom") text = "\ufeff" + text;
    bytes = new TextEncoder().encode(text);
  }
  const kept = rows.filter((_, i) => !dropped.includes(i));
  const names = kind === "no-header" ? NAMES.map((_, i) => `column${i}`) : NAMES;
  const sum = (rs: Row[]) => rs.reduce((s, r) => s + r.amount, 0);
  return {
    name: `${kind}-${n}.csv`,
    kind,
    bytes,
    options,
    expected: { names, ids: kept.map((r) => r.id), amount: sum(kept) },
    alsoRight:
      kind === "stray-quote" ? { ids: rows.map((r) => r.id), amount: sum(rows) } : undefined,
  };
}

/** What a loaded table held, by position: the names, the first column's ids, the fourth's sum. */
export interface Loaded {
  names: string[];
  ids: number[];
  amount: number;
}

/** Whether a load gave the right rows and columns. */
export function isRight(file: PollutedFile, loaded: Loaded): boolean {
  const { expected, alsoRight } = file;
  const rowsMatch = (want: { ids: number[]; amount: number }) =>
    loaded.ids.length === want.ids.length &&
    loaded.ids.every((id, i) => id === want.ids[i]) &&
    Math.abs(loaded.amount - want.amount) < 1e-6 * Math.max(1, Math.abs(want.amount));
  return (
    loaded.names.length === expected.names.length &&
    loaded.names.every((n, i) => n === expected.names[i]) &&
    (rowsMatch(expected) || (alsoRight !== undefined && rowsMatch(alsoRight)))
  );
}

/** The SQL that reads `Loaded` from table `t` (a quoted identifier). */
export function loadedSql(t: string, names: string[]): string {
  const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
  return `SELECT list(TRY_CAST(${q(names[0]!)} AS DOUBLE) ORDER BY TRY_CAST(${q(names[0]!)} AS BIGINT)) AS ids, sum(TRY_CAST(${q(names[3] ?? names[0]!)} AS DOUBLE)) AS amount FROM ${t}`;
}
