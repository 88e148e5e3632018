import { abortError } from "./errors.js";

// Runs at most `limit` tasks at once, in the order they asked (the core names the limits).
export class Limiter {
  #limit;
  #running = 0;
  #queue = [];

  constructor(limit) {
    this.#limit = Math.max(1, limit);
  }

  /**
   * task(): a promise; run() settles as it does, once the task had its turn. A `signal` that aborts
   * before then takes the task out of the queue (it never runs) and rejects with an AbortError.
   */
  run(task, signal) {
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener("abort", onAbort);
        this.#running++;
        Promise.resolve().then(task).then(resolve, reject).finally(() => {
          this.#running--;
          this.#next();
        });
      };
      const onAbort = () => {
        const at = this.#queue.indexOf(turn);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(abortError(signal));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(turn);
      this.#next();
    });
  }

  #next() {
    while (this.#running < this.#limit && this.#queue.length > 0) this.#queue.shift()();
  }
}
