// One create at a time across every worker of the page: the COS extension loses entries when a
// create handle request and its createWritable() overlap with another's (NOTES: 0 of 48 lost when
// only that step ran one at a time, while writes and closes overlapped).

export class CreateTurns {
  #tail = Promise.resolve();
  #maxHoldMs;

  /** maxHoldMs: a turn not released by then is released anyway, so no worker blocks the others for good. */
  constructor(maxHoldMs) {
    this.#maxHoldMs = maxHoldMs;
  }

  /** Resolves, once every earlier turn is over, to release(): call it when the create step is done. */
  take() {
    let release;
    const over = new Promise((resolve) => {
      release = resolve;
    });
    const granted = this.#tail;
    this.#tail = granted.then(() => over);
    return granted.then(() => {
      const timer = setTimeout(release, this.#maxHoldMs);
      return () => {
        clearTimeout(timer);
        release();
      };
    });
  }
}
