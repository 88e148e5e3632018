// Throttled progress events: at most one per interval per URL and phase, and always the last one.
export class Progress {
  #onProgress;
  #interval;
  #redact;
  #last = new Map();

  /** redact(text): the text an event may carry out of the package (its URL's secrets hidden). */
  constructor(onProgress, redact, intervalMs = 100) {
    this.#onProgress = onProgress;
    this.#redact = redact;
    this.#interval = intervalMs;
  }

  emit(url, phase, loaded, total, final = false) {
    if (!this.#onProgress) return;
    const key = phase + " " + url;
    const now = Date.now();
    if (!final && now - (this.#last.get(key) ?? -Infinity) < this.#interval) return;
    if (final) this.#last.delete(key);
    else this.#last.set(key, now);
    try {
      this.#onProgress({ url: this.#redact(url), phase, loaded, total });
    } catch {
      // Progress is advisory.
    }
  }
}
