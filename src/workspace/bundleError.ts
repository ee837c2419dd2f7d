/** A zip or notebook bundle that cannot be read or written; the message is one line. */
export class BundleError extends Error {
  override name = "BundleError";
}
