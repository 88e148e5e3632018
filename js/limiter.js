// Runs at most `limit` tasks at once, in the order they asked (the core names the limits).
export class Limiter {
  #limit;
  #running = 0;
  #queue = [];

  constructor(limit) {
    this.#limit = Math.max(1, limit);
  }

  /** task(): a promise; run() settles as it does, once the task had its turn. */
  run(task) {
    return new Promise((resolve, reject) => {
      this.#queue.push(() => {
        this.#running++;
        Promise.resolve().then(task).then(resolve, reject).finally(() => {
          this.#running--;
          this.#next();
        });
      });
      this.#next();
    });
  }

  #next() {
    while (this.#running < this.#limit && this.#queue.length > 0) this.#queue.shift()();
  }
}
