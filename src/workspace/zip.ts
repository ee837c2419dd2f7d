/**
 * Zip files read and written as streams, in the browser and in Node alike: only Blob, async
 * iterables and Uint8Array. Writing goes through fflate's `Zip`; reading parses the records here
 * (see zipRecords.ts for why not fflate's `Unzip`) and inflates with fflate's `Inflate`.
 */
import { Inflate, Zip, ZipDeflate, ZipPassThrough } from "fflate";
import { blobBuilder, blobChunks } from "./blobs.ts";
import { BundleError } from "./bundleError.ts";
import { ByteSource } from "./byteSource.ts";
import { crc32 } from "./crc32.ts";
import { isSkipped, shown, unsafeReason } from "./entryNames.ts";
import {
  END_OF_CENTRAL_DIRECTORY,
  LOCAL_HEADER,
  readCentralDirectory,
  readEntryData,
  readLocalHeader,
  view,
  type Damaged,
  type LocalEntry,
} from "./zipRecords.ts";

export { BundleError };

/** Where one entry's uncompressed bytes go as they are read. */
export interface EntrySink<T> {
  /** the next chunk of the entry, in order */
  write(chunk: Uint8Array): void | Promise<void>;
  /** the entry is complete and its checksum matched */
  close(): Promise<T>;
  /** the zip turned out bad: drop what was written; called on every sink opened, closed or not */
  abort?(): void;
}

export interface ZipLimits {
  /** the most bytes one entry may hold uncompressed (default 4 GiB) */
  entryBytes?: number;
  /** the most bytes all entries may hold uncompressed together (default 4 GiB) */
  totalBytes?: number;
}

export interface ZipEntry {
  /** a relative path with `/` between folders */
  path: string;
  data: Blob;
}

const FOUR_GIB = 4 * 1024 ** 3;
/** fflate writes no Zip64, so sizes and offsets must fit in 32 bits. */
const ZIP32_MAX = 0xffffffff;
/** Input is inflated this much at a time, which bounds what one push can expand to (~1000×). */
const CHUNK_BYTES = 64 * 1024;
/** Entries stored as they are: compressing them again gains nothing. */
const STORED = /\.(parquet|pq|zip|gz|bz2|xz|zst|png|jpe?g|webp)$/i;
const ENCRYPTED = 0x1 | 0x40;
const AES = 99;
const METHODS: Record<number, string> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  12: "bzip2",
  14: "LZMA",
  93: "Zstandard",
  95: "XZ",
  98: "PPMd",
};

/** One zip of `entries`: text-like entries deflated (level 6), compressed formats stored. */
export async function writeZip(entries: readonly ZipEntry[]): Promise<Blob> {
  const paths = new Set<string>();
  for (const { path, data } of entries) {
    const unsafe = path.endsWith("/") ? "a folder name" : unsafeReason(path);
    if (unsafe !== undefined) throw new BundleError(`cannot zip ${shown(path)}: ${unsafe}`);
    if (paths.has(path)) throw new BundleError(`cannot zip ${path} twice`);
    if (data.size >= ZIP32_MAX) throw new BundleError(`cannot zip ${path}: it is 4 GiB or larger`);
    paths.add(path);
  }
  const out = blobBuilder();
  let written = 0;
  let failure: Error | undefined;
  const zip = new Zip((error, chunk) => {
    if (error) failure ??= error;
    else {
      written += chunk.length;
      out.push(chunk);
    }
  });
  const check = () => {
    if (failure)
      throw new BundleError(`cannot write the zip: ${failure.message}`, { cause: failure });
    if (written >= ZIP32_MAX)
      throw new BundleError("cannot write the zip: it would be 4 GiB or larger");
  };
  for (const { path, data } of entries) {
    const file = STORED.test(path) ? new ZipPassThrough(path) : new ZipDeflate(path, { level: 6 });
    zip.add(file);
    for await (const chunk of blobChunks(data)) {
      file.push(chunk);
      check();
    }
    file.push(new Uint8Array(0), true);
    check();
  }
  zip.end();
  check();
  return new Blob(out.parts(), { type: "application/zip" });
}

/**
 * Read a zip as it streams in, passing each entry to the sink `open` gives for its path (after
 * the path is checked) and returning what the sinks closed to, in zip order. Folders and macOS
 * clutter are skipped. Throws a one-line BundleError naming `zipName` for anything unsafe,
 * damaged, encrypted or over the limits, and then aborts every sink it opened.
 */
export async function readZip<T>(
  chunks: AsyncIterable<Uint8Array>,
  zipName: string,
  open: (path: string) => EntrySink<T>,
  limits: ZipLimits = {},
): Promise<{ path: string; value: T }[]> {
  const entryLimit = limits.entryBytes ?? FOUR_GIB;
  const totalLimit = limits.totalBytes ?? FOUR_GIB;
  const fail = (reason: string, cause?: unknown) =>
    new BundleError(`${zipName}: ${reason}`, cause === undefined ? undefined : { cause });
  const damaged: Damaged = (detail, cause) => fail(`the zip is damaged (${detail})`, cause);
  const source = new ByteSource(
    chunks,
    (error) => new BundleError(`cannot read ${zipName}: ${messageOf(error)}`, { cause: error }),
  );
  const opened: EntrySink<T>[] = [];
  const results: { path: string; value: T }[] = [];
  /** every entry name in zip order, skipped ones too, to match against the central directory */
  const names: string[] = [];
  const seen = new Set<string>();
  let total = 0;

  const readEntry = async (entry: LocalEntry) => {
    const name = entry.name;
    const unsafe = unsafeReason(name);
    if (unsafe !== undefined) throw fail(`unsafe entry ${shown(name)} (${unsafe})`);
    if (isSkipped(name)) {
      names.push(name);
      await readEntryData(source, entry, () => {}, CHUNK_BYTES, damaged);
      return;
    }
    if (seen.has(name)) throw fail(`duplicate entry ${name}`);
    seen.add(name);
    names.push(name);
    if ((entry.flags & ENCRYPTED) !== 0 || entry.method === AES)
      throw fail(`entry ${name} is encrypted (expected an unencrypted zip)`);
    if (entry.method !== 0 && entry.method !== 8) {
      const how = METHODS[entry.method];
      const uses = how ? `${how} compression` : `compression method ${entry.method}`;
      throw fail(`entry ${name} uses ${uses} (expected stored or deflate)`);
    }
    const tooLarge = () => fail(`entry ${name} is larger than ${bytes(entryLimit)} uncompressed`);
    if ((entry.flags & 0x8) === 0 && entry.totals.size > entryLimit) throw tooLarge();

    const sink = open(name);
    opened.push(sink);
    const decode = decoder(entry.method);
    let size = 0;
    let crc = 0;
    // The header's sizes can lie: the limits count what actually comes out.
    const emit = async (compressed: Uint8Array, final: boolean) => {
      let parts: Uint8Array[];
      try {
        parts = decode(compressed, final);
      } catch (error) {
        throw damaged(`${name}: ${messageOf(error)}`, error);
      }
      for (const part of parts) {
        size += part.length;
        total += part.length;
        if (size > entryLimit) throw tooLarge();
        if (total > totalLimit)
          throw fail(`its entries are larger than ${bytes(totalLimit)} uncompressed in all`);
        crc = crc32(part, crc);
        if (part.length > 0) await sink.write(part);
      }
    };
    const totals = await readEntryData(source, entry, (c) => emit(c, false), CHUNK_BYTES, damaged);
    await emit(new Uint8Array(0), true);
    if (crc !== totals.crc) throw damaged(`${name} does not match its checksum`);
    if (size !== totals.size) throw damaged(`${name} is not the size its header gives`);
    results.push({ path: name, value: await sink.close() });
  };

  try {
    const first = await source.exactly(4);
    let sig = first === undefined ? undefined : view(first).getUint32(0, true);
    if (sig !== LOCAL_HEADER && sig !== END_OF_CENTRAL_DIRECTORY) throw fail("not a zip file");
    while (sig === LOCAL_HEADER) {
      await readEntry(await readLocalHeader(source, damaged));
      const next = await source.exactly(4);
      if (next === undefined) throw damaged("it ends before its central directory");
      sig = view(next).getUint32(0, true);
    }
    const listed = await readCentralDirectory(source, sig, damaged);
    if (listed.sort().join("\n") !== [...names].sort().join("\n"))
      throw damaged("its central directory lists other entries than it holds");
    return results;
  } catch (error) {
    for (const sink of opened) sink.abort?.();
    throw error;
  } finally {
    await source.close();
  }
}

/** Uncompressed chunks from compressed ones: stored as is, deflate through fflate's Inflate. */
function decoder(method: number): (chunk: Uint8Array, final: boolean) => Uint8Array[] {
  if (method === 0) return (chunk) => [chunk];
  const out: Uint8Array[] = [];
  const inflate = new Inflate((data) => {
    out.push(data);
  });
  return (chunk, final) => {
    inflate.push(chunk, final);
    return out.splice(0);
  };
}

/** `4 GiB`, `16 MiB`, `100 bytes`: limits as a person reads them. */
export function bytes(n: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
