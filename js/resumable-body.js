// A download's body, read to its end; when the connection breaks off, the rest is asked for with
// a range request. Whether to resume, and whether the answer continues the same file, is the
// core's decision (src/download_resume.h): only bytes checked against a known hash are resumed.
// A paced download (segmentBytes > 0) is read the same way, one bounded range after the other: the
// next is asked for only once the bytes before it are handed on (drained()), so a browser that
// takes in a fetch() body whether it is read or not holds about one segment, never the file.
//
// Each read gives a new chunk, which the caller may hand on for good: a storage writable may keep
// it until close (the COS extension's does), so no buffer is ever read into twice.

export class ResumableBody {
  #core;
  #fetch;
  #url;
  #start;
  #maxAttempts;
  #onResumed;
  #drained;
  #reader;
  #attempts = 0;
  #askedFrom = 0;  // the byte the current body's request asked from
  loaded = 0;

  /**
   * response: the download's first response; fetch: how to ask for the rest (undefined: the
   * request was not this cache's to repeat, so a break-off ends the read); hashKnown: its bytes
   * are verified against a known SHA-256 at the end; segmentBytes: the transfer step's (0: one
   * body, not paced); onResumed(cause, atByte): a break-off that was recovered from; drained():
   * resolves once every chunk read so far is handed on, false when handing on failed (the read
   * then ends, and the caller reports its own failure).
   */
  constructor({ core, fetch, url, response, hashKnown, segmentBytes = 0, maxAttempts, onResumed, drained }) {
    this.#core = core;
    this.#fetch = fetch;
    this.#url = url;
    this.#maxAttempts = maxAttempts;
    this.#onResumed = onResumed;
    this.#drained = drained;
    const header = (name) => response.headers.get(name) ?? "";
    this.#start = {
      hashKnown,
      contentLength: header("Content-Length"),
      contentRange: header("Content-Range"),
      etag: header("ETag"),
      acceptRanges: header("Accept-Ranges"),
      contentEncoding: header("Content-Encoding"),
      segmentBytes: this.#fetch ? segmentBytes : 0,
    };
    this.#reader = response.body.getReader();
  }

  cancel(reason) {
    return this.#reader.cancel(reason);
  }

  /** Like ReadableStreamDefaultReader.read(); rejects with the break-off when it cannot resume. */
  async read(signal) {
    for (;;) {
      let result;
      try {
        result = await this.#reader.read();
      } catch (cause) {
        if (signal?.aborted || !this.#fetch) throw cause;
        this.#reader = await this.#resumed(cause, signal);
        continue;
      }
      if (!result.done) {
        this.loaded += result.value.byteLength;
        return result;
      }
      const next = this.#core.planNextSegment(this.#start, this.#askedFrom, this.loaded);
      if (next.shortBody) {
        // Ended before its range did: a break-off, resumed as one (the attempts are capped).
        this.#reader = await this.#resumed(new Error(`the body broke off: ${next.reason}`), signal);
        continue;
      }
      if (!next.resume) {
        if (next.reason) throw new Error(`the body ended at byte ${this.loaded} (not continued: ${next.reason})`);
        return result;
      }
      if (this.#drained && !(await this.#drained())) return result;
      this.#reader = await this.#nextSegment(next.range, signal);
    }
  }

  // The next range of a paced download. A request that fails to reach the server is retried as a
  // break-off is; an answer that does not continue the file ends the read.
  async #nextSegment(range, signal) {
    let response;
    try {
      response = await this.#fetch(this.#url, { signal, headers: { Range: range } });
    } catch (error) {
      if (signal?.aborted) throw error;
      return this.#resumed(error, signal);
    }
    const reader = this.#continued(response, (reason) => new Error(`the range ${range} did not continue the download: ${reason}`));
    this.#askedFrom = this.loaded;
    return reader;
  }

  async #resumed(cause, signal) {
    for (;;) {
      const plan = this.#core.planResume(this.#start, this.loaded, this.#attempts, this.#maxAttempts);
      if (!plan.resume) throw notResumed(cause, plan.reason);
      this.#attempts++;
      let response;
      try {
        response = await this.#fetch(this.#url, { signal, headers: { Range: plan.range } });
      } catch (error) {
        if (signal?.aborted) throw error;
        cause = error;
        continue;
      }
      const reader = this.#continued(response, (reason) => notResumed(cause, reason));
      this.#askedFrom = this.loaded;
      this.#onResumed(cause, this.loaded);
      return reader;
    }
  }

  // The reader of a range request's answer, when the core says it continues the same file.
  #continued(response, refusal) {
    const check = this.#core.checkResume(this.#start, this.loaded, response.status,
      response.headers.get("Content-Range") ?? "", response.headers.get("ETag") ?? "");
    if (!check.ok) {
      response.body?.cancel().catch(() => {});
      throw refusal(check.reason);
    }
    return response.body.getReader();
  }
}

function notResumed(cause, reason) {
  return new Error(`${cause?.message ?? cause} (not resumed: ${reason})`, { cause });
}
