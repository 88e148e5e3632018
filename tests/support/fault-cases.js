// The fault cases tests/node/faults.test.js and its browser twin tests/browser/faults.test.js both
// run, defined once so the two cannot drift apart.

/** What a Cross-Origin Storage manager may throw (the extension's own errors reach a page as TypeError)... */
export const COS_ERRORS = ["NotFoundError", "NotAllowedError", "DataError", "QuotaExceededError", "TypeError"];
/** ...and the steps it is injected at: request a handle, getFile, createWritable, write, close. */
export const COS_STEPS = ["request", "getFile", "createWritable", "write", "close"];

/**
 * The one injected fault the caller must see: the storage saying at close that the bytes do not
 * match their hash, for a file whose hash was known before its bytes (an LFS file). Every other
 * fault still returns the data.
 */
export const hashFileMustReject = (name, step) => name === "DataError" && step === "close";

/** The seed of the aborts at random points of a load. */
export const ABORT_SEED = 20261126;
