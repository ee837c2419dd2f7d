export { DocumentStore, TRASH_DAYS, type Listing, type NewDocument } from "./store.ts";
export { StorageError, storageMessage } from "./idb.ts";
export type { DocumentRecord, FileRecord, Origin } from "./records.ts";
export { SNAPSHOT_EVERY, SNAPSHOT_LIMIT, thinSnapshots, type Snapshot } from "./snapshots.ts";
export { Saver, type SaveState } from "./saver.ts";
export { DocumentLock, type LockEvents, type Locks, type Role } from "./lock.ts";
export {
  BundleError,
  readZip,
  writeZip,
  type EntrySink,
  type ZipEntry,
  type ZipLimits,
} from "./zip.ts";
export { blobChunks, blobSink } from "./blobs.ts";
export { packNotebook, unpackNotebook, type UnpackedNotebook } from "./bundle.ts";
