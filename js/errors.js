// Counting and reporting what best-effort paths swallow, and the errors callers must see.
export function abortError(signal) {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("The operation was aborted.", "AbortError");
}

export function throwIfAborted(signal) {
  if (signal?.aborted) throw abortError(signal);
}

/** A URL as it may appear in errors: credentials replaced by "***". */
export function redactUrl(core, url) {
  try {
    return core.parseArtifactUrl(url).redacted;
  } catch {
    return "(invalid URL)";
  }
}

export class ErrorReporter {
  #onError;
  #redactor;
  counts = {};

  /** redactor: the Redactor every event passes through before it leaves the package. */
  constructor(onError, redactor) {
    this.#onError = onError;
    this.#redactor = redactor;
  }

  report(kind, url, error) {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (!this.#onError) return;
    const cause = this.#redactor.error(error instanceof Error ? error : new Error(String(error)));
    try {
      this.#onError({ kind, url: this.#redactor.text(url), error: cause, message: cause.message });
    } catch {
      // A throwing hook must not break loading; the count above still records the event.
    }
  }
}
