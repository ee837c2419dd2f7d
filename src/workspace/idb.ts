/** Small promise helpers over IndexedDB requests, and the one-line errors storage gives. */

/** A storage operation that failed; the message is one line fit for the header. */
export class StorageError extends Error {
  override name = "StorageError";
}

/** One line for a storage failure, naming the common causes in a person's words. */
export function storageMessage(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "QuotaExceededError")
    return "the browser's storage for this site is full (free space or remove old notebooks' data)";
  if (name === "InvalidStateError" || name === "SecurityError")
    return `browser storage is not available here (${message || name}); private windows often refuse it`;
  if (error instanceof StorageError) return message;
  return `browser storage failed: ${(message || name || "unknown error").split("\n")[0]}`;
}

export function wrap(error: unknown): StorageError {
  return error instanceof StorageError
    ? error
    : new StorageError(storageMessage(error), { cause: error });
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(wrap(req.error));
  });
}

/** Resolves when the transaction has committed (its data is on disk for a strict one). */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(wrap(tx.error));
    tx.onabort = () => reject(wrap(tx.error ?? new Error("the transaction was aborted")));
  });
}

/** A short random id that needs no secure context (crypto.randomUUID does). */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
