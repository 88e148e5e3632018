// A download's body, read to its end; when the connection breaks off, the rest is asked for with
// a range request. Whether to resume, and whether the answer continues the same file, is the
// core's decision (src/download_resume.h): only bytes checked against a known hash are resumed.
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
  #reader;
  #attempts = 0;
  loaded = 0;

  /**
   * response: the download's first response; fetch: how to ask for the rest (undefined: the
   * request was not this cache's to repeat, so a break-off ends the read); hashKnown: its bytes
   * are verified against a known SHA-256 at the end; onResumed(cause, atByte): a break-off that
   * was recovered from.
   */
  constructor({ core, fetch, url, response, hashKnown, maxAttempts, onResumed }) {
    this.#core = core;
    this.#fetch = fetch;
    this.#url = url;
    this.#maxAttempts = maxAttempts;
    this.#onResumed = onResumed;
    const header = (name) => response.headers.get(name) ?? "";
    this.#start = {
      hashKnown,
      contentLength: header("Content-Length"),
      etag: header("ETag"),
      acceptRanges: header("Accept-Ranges"),
      contentEncoding: header("Content-Encoding"),
    };
    this.#reader = response.body.getReader();
  }

  cancel(reason) {
    return this.#reader.cancel(reason);
  }

  /** Like ReadableStreamDefaultReader.read(); rejects with the break-off when it cannot resume. */
  async read(signal) {
    for (;;) {
      let cause;
      try {
        const result = await this.#reader.read();
        if (!result.done) this.loaded += result.value.byteLength;
        return result;
      } catch (error) {
        cause = error;
      }
      if (signal?.aborted || !this.#fetch) throw cause;
      this.#reader = await this.#resumed(cause, signal);
    }
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
      const check = this.#core.checkResume(this.#start, this.loaded, response.status,
        response.headers.get("Content-Range") ?? "", response.headers.get("ETag") ?? "");
      if (!check.ok) {
        response.body?.cancel().catch(() => {});
        throw notResumed(cause, check.reason);
      }
      this.#onResumed(cause, this.loaded);
      return response.body.getReader();
    }
  }
}

function notResumed(cause, reason) {
  return new Error(`${cause?.message ?? cause} (not resumed: ${reason})`, { cause });
}
