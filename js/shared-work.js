// In-flight work shared by concurrent callers with the same key. It runs under its own signal,
// which aborts only when every caller that joined has aborted; a caller's signal ends only that
// caller's wait, never the others'.
import { abortError } from "./errors.js";

export class SharedWork {
  #running = new Map();

  has(key) {
    return this.#running.has(key);
  }

  /** Joins the work running under key, or starts it with start(signal). */
  run(key, signal, start) {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let entry = this.#running.get(key);
    if (!entry) {
      entry = { controller: new AbortController(), waiting: 0 };
      entry.promise = start(entry.controller.signal);
      entry.promise.catch(() => {}).finally(() => this.#forget(key, entry));
      this.#running.set(key, entry);
    }
    return this.#join(key, entry, signal);
  }

  #forget(key, entry) {
    if (this.#running.get(key) === entry) this.#running.delete(key);
  }

  #join(key, entry, signal) {
    entry.waiting++;
    return new Promise((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return false;
        left = true;
        entry.waiting--;
        signal?.removeEventListener("abort", onAbort);
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (entry.waiting === 0) {
          // Nobody waits any more: stop the work, and let a new caller start afresh.
          this.#forget(key, entry);
          entry.controller.abort(abortError(signal));
        }
        reject(abortError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      entry.promise.then(
        (value) => { if (leave()) resolve(value); },
        (error) => { if (leave()) reject(error); },
      );
    });
  }
}
