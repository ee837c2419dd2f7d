/** Shared by the zip and bundle tests: byte sources, recording sinks, seeded random bytes. */
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";
import type { EntrySink } from "../../src/workspace/index.ts";

/** `bytes` as a stream of chunks of `size` bytes (the last one shorter). */
export async function* chunked(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/** Deterministic pseudo-random bytes (mulberry32). */
export function randomBytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i += 4) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const r = (t ^ (t >>> 14)) >>> 0;
    out[i] = r & 0xff;
    out[i + 1] = (r >>> 8) & 0xff;
    out[i + 2] = (r >>> 16) & 0xff;
    out[i + 3] = r >>> 24;
  }
  return out;
}

export interface Recorded {
  path: string;
  bytes: Uint8Array;
  closed: boolean;
  aborted: boolean;
}

/** Sinks that collect each entry's bytes and record what was done to them. */
export function recorder(): { open: (path: string) => EntrySink<Uint8Array>; sinks: Recorded[] } {
  const sinks: Recorded[] = [];
  return {
    sinks,
    open(path) {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      const record: Recorded = { path, bytes: new Uint8Array(0), closed: false, aborted: false };
      sinks.push(record);
      return {
        write: (chunk) => {
          chunks.push(chunk.slice());
        },
        close: async () => {
          record.closed = true;
          record.bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
          return record.bytes;
        },
        abort: () => {
          record.aborted = true;
        },
      };
    },
  };
}

/**
 * A zip written by fflate's streaming `Zip`, which puts sizes in data descriptors; unlike
 * writeZip it takes any names, duplicates included, for the tests of bad zips.
 */
export function streamedZip(
  files: [name: string, data: Uint8Array, stored?: boolean][],
): Uint8Array {
  const out: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    out.push(chunk);
  });
  for (const [name, data, stored] of files) {
    const file = stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    zip.add(file);
    file.push(data, true);
  }
  zip.end();
  const all = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of out) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

export const text = (s: string) => new TextEncoder().encode(s);
