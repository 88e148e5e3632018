// Work on one key runs one at a time, in call order, whether the work before it succeeded or not.
export class KeyedTurns {
  #last = new Map();  // key -> its last work, settled

  /** Runs work() once every earlier work of `key` has settled; resolves to its result. */
  run(key, work) {
    const current = (this.#last.get(key) ?? Promise.resolve()).then(work);
    const settled = current.then(() => {}, () => {});
    this.#last.set(key, settled);
    settled.then(() => { if (this.#last.get(key) === settled) this.#last.delete(key); });
    return current;
  }

  /** Settles once every work of `key` asked for so far has settled. */
  settled(key) {
    return this.#last.get(key) ?? Promise.resolve();
  }
}
