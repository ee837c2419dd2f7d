/**
 * The records of a zip file, read front to back as they stream in (APPNOTE.TXT 4.3): local
 * headers, entry data up to its end, data descriptors, the central directory.
 */
import type { ByteSource } from "./byteSource.ts";

export const LOCAL_HEADER = 0x04034b50;
export const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const DATA_DESCRIPTOR = 0x08074b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;

/** Throws the zip's "damaged" line with `detail`. */
export type Damaged = (detail: string, cause?: unknown) => Error;

/** What a local file header says about the entry that follows it. */
export interface LocalEntry {
  name: string;
  /** the general-purpose bit flags (bit 0: encrypted, bit 3: sizes in a data descriptor) */
  flags: number;
  /** 0 stored, 8 deflate, … */
  method: number;
  /** from the header; with a data descriptor these come after the data instead */
  totals: EntryTotals;
}

export interface EntryTotals {
  crc: number;
  compressedSize: number;
  /** uncompressed */
  size: number;
}

/** Read a local header; the caller has read its signature. */
export async function readLocalHeader(source: ByteSource, damaged: Damaged): Promise<LocalEntry> {
  const head = await source.exactly(26);
  if (head === undefined) throw damaged("it ends in an entry's header");
  const v = view(head);
  const flags = v.getUint16(2, true);
  const nameLength = v.getUint16(22, true);
  const rest = await source.exactly(nameLength + v.getUint16(24, true));
  if (rest === undefined) throw damaged("it ends in an entry's header");
  const totals = zip64Totals(rest.subarray(nameLength), {
    crc: v.getUint32(10, true),
    compressedSize: v.getUint32(14, true),
    size: v.getUint32(18, true),
  });
  const name = decodeName(rest.subarray(0, nameLength));
  return { name, flags, method: v.getUint16(4, true), totals };
}

/**
 * Pass an entry's compressed bytes to `onData` as they arrive, and return its CRC and sizes.
 * With a data descriptor the end is not known in advance: it is where a descriptor whose
 * compressed size matches the bytes so far is followed by the next record. fflate's `Unzip`
 * instead ends the entry at the first descriptor or header signature, which the data itself can
 * hold (a stored entry is then cut short, silently); the size match rules that out.
 */
export async function readEntryData(
  source: ByteSource,
  entry: LocalEntry,
  onData: (compressed: Uint8Array) => void | Promise<void>,
  maxChunk: number,
  damaged: Damaged,
): Promise<EntryTotals> {
  const endsEarly = () => damaged(`it ends in the middle of ${entry.name}`);
  if ((entry.flags & 0x8) === 0) {
    for (let left = entry.totals.compressedSize; left > 0;) {
      const chunk = await source.next(Math.min(left, maxChunk));
      if (chunk === undefined) throw endsEarly();
      left -= chunk.length;
      await onData(chunk);
    }
    return entry.totals;
  }
  let held: Uint8Array = new Uint8Array(0);
  let passed = 0;
  for (;;) {
    const chunk = await source.next(maxChunk);
    if (chunk === undefined) throw endsEarly();
    const buf = held.length === 0 ? chunk : concat(held, chunk);
    const end = findDescriptor(buf, passed);
    if (end !== undefined) {
      if (end.dataEnd > 0) await onData(buf.subarray(0, end.dataEnd));
      source.unread(buf.subarray(end.next));
      return end.totals;
    }
    // The last bytes may begin a descriptor (24 bytes at most) and the next signature (3 seen).
    const pass = Math.max(0, buf.length - 27);
    if (pass > 0) await onData(buf.subarray(0, pass));
    passed += pass;
    held = buf.slice(pass);
  }
}

/** Descriptor layouts: with or without the optional signature, 4- or 8-byte sizes (Zip64). */
const LAYOUTS = [
  { length: 16, signed: true, wide: false },
  { length: 12, signed: false, wide: false },
  { length: 24, signed: true, wide: true },
  { length: 20, signed: false, wide: true },
];

/** `buf` follows `passed` bytes of the entry's data. */
function findDescriptor(buf: Uint8Array, passed: number) {
  const v = view(buf);
  for (let j = buf.indexOf(0x50); j !== -1 && j + 4 <= buf.length; j = buf.indexOf(0x50, j + 1)) {
    const sig = v.getUint32(j, true);
    if (sig !== LOCAL_HEADER && sig !== CENTRAL_HEADER) continue;
    for (const { length, signed, wide } of LAYOUTS) {
      const at = j - length;
      if (at < 0 || (signed && v.getUint32(at, true) !== DATA_DESCRIPTOR)) continue;
      const fields = signed ? at + 4 : at;
      const compressedSize = wide ? u64(v, fields + 4) : v.getUint32(fields + 4, true);
      if (compressedSize !== passed + at) continue;
      const size = wide ? u64(v, fields + 12) : v.getUint32(fields + 8, true);
      return {
        dataEnd: at,
        next: j,
        totals: { crc: v.getUint32(fields, true), compressedSize, size },
      };
    }
  }
  return undefined;
}

/**
 * Read the central directory and the end records after the last entry, from `signature` (read
 * by the caller); returns the entry names it lists.
 */
export async function readCentralDirectory(
  source: ByteSource,
  signature: number,
  damaged: Damaged,
): Promise<string[]> {
  const names: string[] = [];
  const endsEarly = () => damaged("it ends in its central directory");
  for (let sig = signature; ;) {
    if (sig === END_OF_CENTRAL_DIRECTORY) {
      // The end record and its comment must be whole: a zip cut inside it is damaged too.
      const rest = await source.exactly(18);
      if (rest === undefined) throw endsEarly();
      const total = view(rest).getUint16(6, true);
      if (total !== 0xffff && total !== names.length)
        throw damaged(`its end record counts ${total} entries, its directory ${names.length}`);
      if (!(await source.skip(view(rest).getUint16(16, true)))) throw endsEarly();
      return names;
    }
    if (sig === CENTRAL_HEADER) {
      const head = await source.exactly(42);
      if (head === undefined) throw endsEarly();
      const v = view(head);
      const name = await source.exactly(v.getUint16(24, true));
      const skipped = v.getUint16(26, true) + v.getUint16(28, true);
      if (name === undefined || !(await source.skip(skipped))) throw endsEarly();
      names.push(decodeName(name));
    } else if (sig === ZIP64_END) {
      const size = await source.exactly(8);
      if (size === undefined || !(await source.skip(u64(view(size), 0)))) throw endsEarly();
    } else if (sig === ZIP64_LOCATOR) {
      if (!(await source.skip(16))) throw endsEarly();
    } else {
      throw damaged(
        names.length === 0
          ? "unexpected bytes after its last entry"
          : "a bad record in its central directory",
      );
    }
    const next = await source.exactly(4);
    if (next === undefined) throw endsEarly();
    sig = view(next).getUint32(0, true);
  }
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Sizes of 0xFFFFFFFF in a header are in its Zip64 extra field (id 1), in this order. */
function zip64Totals(extra: Uint8Array, totals: EntryTotals): EntryTotals {
  if (totals.size !== U32_MAX && totals.compressedSize !== U32_MAX) return totals;
  const v = view(extra);
  for (let at = 0; at + 4 <= extra.length; at += 4 + v.getUint16(at + 2, true)) {
    if (v.getUint16(at, true) !== 1) continue;
    let field = at + 4;
    const wide = () => {
      const value = field + 8 <= extra.length ? u64(v, field) : U32_MAX;
      field += 8;
      return value;
    };
    const size = totals.size === U32_MAX ? wide() : totals.size;
    const compressedSize = totals.compressedSize === U32_MAX ? wide() : totals.compressedSize;
    return { crc: totals.crc, compressedSize, size };
  }
  return totals;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Names are UTF-8 when flag bit 11 says so, and often when it does not (macOS writes UTF-8
 * without it); names that are not UTF-8 were written in a code page, read here as Latin-1.
 */
function decodeName(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    let name = "";
    for (const b of bytes) name += String.fromCharCode(b);
    return name;
  }
}

function u64(v: DataView, at: number): number {
  return Number(v.getBigUint64(at, true));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
