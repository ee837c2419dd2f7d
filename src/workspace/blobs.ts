/** Blobs read and built a chunk at a time, so that a large file never sits whole in JS memory. */
import type { EntrySink } from "./zip.ts";

/**
 * Collected chunks are copied into a Blob of their own every ~8 MB: browsers keep large Blobs
 * on disk, so JS holds at most this much of what is being built.
 */
const FOLD_BYTES = 8 * 1024 * 1024;

/** Builds a Blob from chunks pushed one after the other. */
export interface BlobBuilder {
  push(chunk: Uint8Array): void;
  /** the Blobs holding everything pushed so far, in order */
  parts(): Blob[];
}

export function blobBuilder(): BlobBuilder {
  const folded: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const fold = () => {
    if (pendingBytes === 0) return;
    const joined = new Uint8Array(pendingBytes);
    let at = 0;
    for (const chunk of pending) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    folded.push(new Blob([joined]));
    pending = [];
    pendingBytes = 0;
  };
  return {
    push(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= FOLD_BYTES) fold();
    },
    parts() {
      fold();
      return [...folded];
    },
  };
}

/** A Blob's bytes as they stream in (browsers do not all make ReadableStream async-iterable). */
export async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = blob.stream().getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
    finished = true;
  } finally {
    // The consumer stopped early (a bad zip): let the stream stop reading the file.
    if (!finished) await reader.cancel();
    reader.releaseLock();
  }
}

/** An entry collected into a File named by the entry's base name (`data/orders.csv` → orders.csv). */
export function blobSink(fileName: string): EntrySink<File> {
  const name = fileName.slice(fileName.lastIndexOf("/") + 1);
  const builder = blobBuilder();
  return {
    write: (chunk) => builder.push(chunk),
    close: async () => new File(builder.parts(), name),
  };
}
