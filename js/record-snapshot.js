// One persisted entry holding every URL→hash record of the scope (the core encodes and checks it),
// so a reload reads one Cache API entry instead of one per URL. The per-URL entries stay the
// source of truth; a missing or stale snapshot only costs their reads. Its reads and writes are
// bounded by the store's timeout; close() (the cache's dispose()) settles whatever still waits.
import { disposedError, untilAborted } from "./errors.js";
import { withSiteLock } from "./site-lock.js";

// Tells one body from another without holding it (a snapshot may be 32 MiB): its length and
// FNV-1a hash. Only bodies found bad are fingerprinted, to report each once.
function fingerprint(bytes) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return `${bytes.length}:${hash >>> 0}`;
}

export class RecordSnapshot {
  #key;
  #persisted;
  #live;
  #errors;
  #loading = null;
  #timer = null;
  #writing = Promise.resolve();
  #closed = false;
  #closing = new AbortController();
  #reportedBad = null;  // the fingerprint of the last stored body reported as bad

  #limit;
  #writeIntervalMs;

  /**
   * `live()` returns the core's Resolver (it throws once the cache is disposed); `limit`: the
   * core's size limit of a snapshot; writeIntervalMs: the core's, how often new records are written.
   */
  constructor({ key, limit, writeIntervalMs, persisted, live, errors }) {
    this.#key = key;
    this.#writeIntervalMs = writeIntervalMs;
    this.#limit = limit;
    this.#persisted = persisted;
    this.#live = live;
    this.#errors = errors;
  }

  /** Reads the stored snapshot into memory, once (the core's readSnapshot step); later calls share the first read. */
  load() {
    this.#loading ??= (async () => {
      const body = await this.#read();
      if (body === null || !this.#apply(body)) this.#live().snapshotUnavailable();
    })();
    return untilAborted(this.#loading, this.#closing.signal);
  }

  /** Something new was persisted: write the snapshot soon. */
  changed() {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, this.#writeIntervalMs);
    this.#timer.unref?.();  // never keeps a Node process alive
  }

  /**
   * Writes the snapshot now (after any write in progress), merged with what other tabs stored.
   * Resolves to whether it was written (a failure is reported, never thrown).
   */
  flush() {
    clearTimeout(this.#timer);
    this.#timer = null;
    const written = this.#writing.then(() => this.#write());
    // After dispose() the core is gone: the write is dropped (one the storage never answers is no
    // longer waited for), which a later visit repairs.
    this.#writing = untilAborted(written, this.#closing.signal).catch((error) => {
      if (!this.#closed) this.#errors.store(this.#errors.kinds.persistFailed, this.#persisted.name, error);
      return false;
    });
    return this.#writing;
  }

  close() {
    this.#closed = true;
    this.#closing.abort(disposedError("AbortError"));
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #read() {
    try {
      const { found, body } = await this.#persisted.read(this.#key, this.#limit);
      return found ? body : null;
    } catch (error) {
      this.#errors.store(this.#errors.kinds.persistedReadFailed, this.#persisted.name, error);
      return null;
    }
  }

  // Whether the core took the snapshot in.
  #apply(body) {
    try {
      this.#report(this.#live().loadSnapshot(body, Date.now()), body);
      return true;
    } catch (error) {
      // Not even taken into the core (its heap is full): no snapshot, the per-URL entries answer.
      if (this.#closed) throw error;
      this.#errors.store(this.#errors.kinds.persistedSnapshotInvalid, this.#persisted.name, error);
      return false;
    }
  }

  // A bad stored body is reported once, though each write reads it again to merge over it.
  #report(outcome, body) {
    if (!outcome.errorKind) return;
    const bad = fingerprint(body);
    if (bad === this.#reportedBad) return;
    this.#reportedBad = bad;
    this.#errors.store(outcome.errorKind, this.#persisted.name, new Error(outcome.errorMessage));
  }

  // Whether the snapshot was written. Every tab of the site writes the one entry: where the browser
  // has Web Locks (pages and workers), its read, merge and write are one step across them, so no
  // tab's write lands on a snapshot another tab wrote after it read (that brought a deleted URL
  // back, or dropped a record another tab had just stored).
  // The write's outcome comes at once (false, or a TimeoutError, at the store's timeout), but the
  // lock is held until this tab's put has landed (a put cannot be taken back, and one landing after
  // another tab's write would undo it), or until dispose(). Another tab waits for it no longer than
  // its own timeout: its write then fails (persist-failed).
  #write() {
    let outcome;
    const written = new Promise((resolve, reject) => { outcome = { resolve, reject }; });
    withSiteLock(`cross-origin-cache: ${this.#persisted.name} ${this.#key}`, async () => {
      try {
        outcome.resolve(await untilAborted(this.#mergeAndWrite(), this.#closing.signal));
      } catch (error) {
        outcome.reject(error);
      }
      await untilAborted(this.#persisted.settled(this.#key), this.#closing.signal).catch(() => {});
    }, this.#persisted.timeoutMs).catch((error) => outcome.reject(error));  // not granted
    return written;
  }

  async #mergeAndWrite() {
    if (this.#closed) return false;
    // The core merges: what other tabs stored stays (and comes into memory), what this tab
    // learned goes on top, what it forgot goes out. A stored snapshot that cannot be read or
    // decoded is replaced by everything this tab knows.
    const stored = await this.#read();
    if (this.#closed) return false;
    const merge = this.#live().mergeSnapshot(stored ?? new Uint8Array(0), stored !== null, Date.now());
    this.#report(merge, stored ?? new Uint8Array(0));
    // That read was also this tab's first load of the snapshot (the core counts it so).
    this.#loading ??= Promise.resolve();
    try {
      await this.#persisted.write(this.#key, merge.body);
      if (!this.#closed) this.#live().snapshotWritten(merge.generation);
      return true;
    } catch (error) {
      this.#errors.store(this.#errors.kinds.persistFailed, this.#persisted.name, error);
      return false;
    }
  }
}
