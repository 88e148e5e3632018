// Counting and reporting what best-effort paths swallow, and the errors callers must see.
export function abortError(signal) {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("The operation was aborted.", "AbortError");
}

export function throwIfAborted(signal) {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * A signal that aborts when any of the given ones does (with that one's reason; undefined ones are
 * left out), and release(), which detaches it from them once the work it guards is over: some are
 * long-lived (the cache's disposal), so nothing stays listening to them after each request.
 */
export function joinedSignal(...signals) {
  const sources = signals.filter(Boolean);
  if (sources.length <= 1) return { signal: sources[0], release() {} };
  const controller = new AbortController();
  const onAbort = (event) => controller.abort(event.target.reason);
  const release = () => { for (const source of sources) source.removeEventListener("abort", onAbort); };
  const aborted = sources.find((source) => source.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
  } else {
    for (const source of sources) source.addEventListener("abort", onAbort, { once: true });
  }
  return { signal: controller.signal, release };
}

/**
 * `promise`, or an AbortError as soon as `signal` aborts: work that waits on storage stops waiting
 * when its load is aborted or the cache disposed, even if the storage never answers (the promise is
 * then left to settle unheard).
 */
export function untilAborted(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const DISPOSED = "cross-origin-cache: the cache was disposed";

/** What work of a disposed cache fails with: an AbortError for work in flight, else an Error. */
export function disposedError(name = "Error") {
  return name === "AbortError" ? new DOMException(DISPOSED, "AbortError") : new Error(DISPOSED);
}

/**
 * What a failed request's error says, with its cause's words: fetch's own ("fetch failed",
 * "terminated") name no reason, their cause does ("other side closed", "connect ECONNREFUSED …").
 */
export function networkErrorText(error) {
  const text = String(error?.message ?? error);
  const cause = error?.cause?.message;
  return cause ? `${text} (${cause})` : text;
}

/** A URL as it may appear in errors: credentials replaced by "***". */
export function redactUrl(core, url) {
  try {
    return core.parseArtifactUrl(url).redacted;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Counts every event and passes it to the onError hook. An event is about one subject, named in
 * `subject` with exactly the matching field: a URL (redacted), one or more hashes (space-separated)
 * or a Cache API store; `kind` is one of the core's error kinds (core.errorKinds).
 */
export class ErrorReporter {
  #core;
  #onError;
  #redactor;
  counts = {};

  /** redactor: the Redactor every event passes through before it leaves the package. */
  constructor(core, onError, redactor) {
    this.#core = core;
    this.#onError = onError;
    this.#redactor = redactor;
  }

  /** The core's error kinds, by camel-case name (core.errorKinds). */
  get kinds() {
    return this.#core.errorKinds;
  }

  url(kind, url, error) {
    this.#report(kind, "url", redactUrl(this.#core, url), error);
  }

  /** hashes: one hex SHA-256 or several. */
  hash(kind, hashes, error) {
    this.#report(kind, "hash", [hashes].flat().join(" "), error);
  }

  store(kind, name, error) {
    this.#report(kind, "store", name, error);
  }

  #report(kind, subject, value, error) {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (!this.#onError) return;
    const cause = this.#redactor.error(error instanceof Error ? error : new Error(String(error)));
    try {
      this.#onError({ kind, subject, [subject]: this.#redactor.text(value), error: cause, message: cause.message });
    } catch {
      // A throwing hook must not break loading; the count above still records the event.
    }
  }
}
