/**
 * Bytes pulled from an async iterable of chunks: exact counts for headers, whatever is at hand
 * for entry data, and look-ahead that was not needed put back. A class: it holds the iterator.
 */
export class ByteSource {
  readonly #chunks: AsyncIterator<Uint8Array>;
  readonly #wrap: (error: unknown) => Error;
  #head: Uint8Array = new Uint8Array(0);
  #done = false;

  /** `wrap` turns an error the chunks throw into the error to report. */
  constructor(chunks: AsyncIterable<Uint8Array>, wrap: (error: unknown) => Error) {
    this.#chunks = chunks[Symbol.asyncIterator]();
    this.#wrap = wrap;
  }

  /** The next bytes, at most `max` (a view, not a copy), or undefined at the end. */
  async next(max: number): Promise<Uint8Array | undefined> {
    while (this.#head.length === 0) {
      if (this.#done) return undefined;
      let result: IteratorResult<Uint8Array>;
      try {
        result = await this.#chunks.next();
      } catch (error) {
        this.#done = true;
        throw this.#wrap(error);
      }
      if (result.done) this.#done = true;
      else this.#head = result.value;
    }
    const out = this.#head.length <= max ? this.#head : this.#head.subarray(0, max);
    this.#head = this.#head.subarray(out.length);
    return out;
  }

  /** Exactly `n` bytes, or undefined when fewer remain. */
  async exactly(n: number): Promise<Uint8Array | undefined> {
    if (this.#head.length >= n) {
      const out = this.#head.subarray(0, n);
      this.#head = this.#head.subarray(n);
      return out;
    }
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n;) {
      const part = await this.next(n - filled);
      if (part === undefined) return undefined;
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /** Pass over `n` bytes; false when fewer remain. */
  async skip(n: number): Promise<boolean> {
    for (let left = n; left > 0;) {
      const part = await this.next(left);
      if (part === undefined) return false;
      left -= part.length;
    }
    return true;
  }

  /** Put `bytes` back, to be read before anything else. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#head.length === 0) {
      this.#head = bytes;
      return;
    }
    const joined = new Uint8Array(bytes.length + this.#head.length);
    joined.set(bytes);
    joined.set(this.#head, bytes.length);
    this.#head = joined;
  }

  /** Stop reading: lets the producer release its file or stream. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#chunks.return?.();
  }
}
