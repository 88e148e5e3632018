// A download's body, read to its end; when the connection breaks off, the rest is asked for with
// a range request. Whether to resume, and whether the answer continues the same file, is the
// core's decision (src/download_resume.h): only bytes checked against a known hash are resumed.
//
// With `bufferCount` n > 0, the body is read (where the stream allows it: a byte stream, as
// fetch's are in browsers and Node) into n buffers in turn instead of a new one per chunk, which
// keeps a multi-GB download from leaving a chunk of garbage behind per read (measured in Chromium
// on 64 MiB, hashing each chunk: renderer peak +19-23 MiB instead of +52-74 MiB). The reader must
// be done with a chunk by the time n more reads have started.

export const BUFFER_BYTES = 1 << 20;

export class ResumableBody {
  #core;
  #fetch;
  #url;
  #start;
  #maxAttempts;
  #onResumed;
  #reader;
  #buffers;  // the ring of ArrayBuffers read into in turn, when reusing buffers
  #next = 0;
  #attempts = 0;
  loaded = 0;

  /**
   * response: the download's first response; fetch: how to ask for the rest (undefined: the
   * request was not this cache's to repeat, so a break-off ends the read); hashKnown: its bytes
   * are verified against a known SHA-256 at the end; onResumed(cause, atByte): a break-off that
   * was recovered from.
   */
  constructor({ core, fetch, url, response, hashKnown, maxAttempts, onResumed, bufferCount = 0 }) {
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
    this.#buffers = bufferCount > 0 ? new Array(bufferCount).fill(null) : undefined;
    this.#reader = this.#readerOf(response);
  }

  #readerOf(response) {
    if (this.#buffers) {
      try {
        return response.body.getReader({ mode: "byob" });
      } catch {
        // not a byte stream (a hand-made body): one new chunk per read, as with any reader
      }
    }
    return response.body.getReader();
  }

  async #readChunk() {
    if (!(this.#reader instanceof ReadableStreamBYOBReader)) return this.#reader.read();
    const slot = this.#next;
    const buffer = this.#buffers[slot] ?? new ArrayBuffer(BUFFER_BYTES);
    this.#buffers[slot] = null;  // transferred to the stream; a failed read loses it
    const result = await this.#reader.read(new Uint8Array(buffer));
    if (result.value) this.#buffers[slot] = result.value.buffer;
    this.#next = (slot + 1) % this.#buffers.length;
    return result;
  }

  cancel(reason) {
    return this.#reader.cancel(reason);
  }

  /** Like ReadableStreamDefaultReader.read(); rejects with the break-off when it cannot resume. */
  async read(signal) {
    for (;;) {
      let cause;
      try {
        const result = await this.#readChunk();
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
      return this.#readerOf(response);
    }
  }
}

function notResumed(cause, reason) {
  return new Error(`${cause?.message ?? cause} (not resumed: ${reason})`, { cause });
}
