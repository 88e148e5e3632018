// The transfer executor: performs the actions of one load's transfer (src/transfer.h) — storage
// lookups, downloads, streaming into storage or memory, writes, persisting — and feeds back what
// happened. Which action follows, and what a failure means, is the core's call; this file only
// does I/O, counts and reports.
import { StorageWriteError } from "./cos-client.js";
import { abortError, redactUrl, throwIfAborted, untilAborted } from "./errors.js";
import { requestInit, withInit } from "./request-init.js";
import { ResumableBody } from "./resumable-body.js";
import { digestBlob, digestsFor, digestsNatively, gitBlobDigest } from "./sha256.js";

// Thrown out of a write's callback when the core says the bytes are not to be kept: the write is
// aborted, nothing is stored.
class WriteAbandoned extends Error {}

function storageErrorName(error) {
  return String((error instanceof StorageWriteError ? error.kind : error?.name) ?? "");
}

function storageErrorStep(error) {
  return error instanceof StorageWriteError ? error.step : "write";
}

/** Whether this browser's fetch() bodies lack backpressure (a fact; the core decides what follows). */
export function fetchBodiesLackBackpressure() {
  // Gecko takes in a fetch() body as fast as the network sends it, read or not; only its user
  // agent says "Gecko/<build>" (others say "like Gecko").
  return typeof navigator !== "undefined" && / Gecko\/\d/.test(String(navigator.userAgent ?? ""));
}

export class TransferExecutor {
  #core;
  #live;
  #cos;
  #fallback;
  #origins;
  #hashes;
  #errors;
  #progress;
  #stats;
  #fetch;
  #resumeAttempts;
  #paced;
  #ledger;
  #bodyRate;
  /** What keeps the bytes: a core StorageKind value. */
  storage;

  /**
   * live(): the core's resolver (throws once the cache is disposed); cos: the CosClient (or
   * undefined); fallback: the FallbackStore behind it, when it is one; origins: the cache's
   * `origins` option; hashes: the HashResolution; stats: the cache's counters; ledger(): the core's
   * StorageLedger, what storage was last seen to hold (throws once the cache is disposed);
   * paced: downloads are paced here (core.pacesDownloads); bodyRate(): the core's BodyRateMeter,
   * told how long each body took (throws once the cache is disposed).
   */
  constructor({ core, live, cos, fallback, origins, hashes, errors, progress, stats, fetch, resumeAttempts, paced, ledger, bodyRate }) {
    this.#core = core;
    this.#live = live;
    this.#cos = cos;
    this.#fallback = fallback;
    this.storage = !cos ? core.StorageKind.none : fallback ? core.StorageKind.fallback : core.StorageKind.crossOrigin;
    this.#origins = origins;
    this.#hashes = hashes;
    this.#errors = errors;
    this.#progress = progress;
    this.#stats = stats;
    this.#fetch = fetch;
    this.#resumeAttempts = resumeAttempts;
    this.#paced = Boolean(paced);
    this.#ledger = ledger;
    this.#bodyRate = bodyRate;
  }

  #request(context, { response, needsBytes = true, storageOnly = false }) {
    return {
      storage: this.storage,
      ownResponse: Boolean(response),
      isPrivate: Boolean(context.isPrivate),
      needsBytes,
      storageOnly,
      pacedDownloads: this.#paced,
      nativeDigest: digestsNatively(),
      resumeAttempts: this.#resumeAttempts,
      bodyRate: this.#bodyRate().bytesPerSecond(),
      shownUrl: redactUrl(this.#core, context.url),
    };
  }

  /**
   * Runs one load to its end: {done, blob} where done is the core's last step and blob the bytes
   * when they are at hand (opened from storage or held in memory). response: the caller's own
   * (put); needsBytes: false when nobody reads the bytes now (addToCache); storageOnly: storage
   * is asked, never the network (match).
   */
  async load(context, { signal, response, needsBytes, storageOnly } = {}) {
    const request = { response, needsBytes, storageOnly };
    const transfer = this.#live().transfer(context.url, this.#request(context, request));
    const load = { context, transfer, own: response, request };
    try {
      load.done = await this.#drive(load, signal);
    } finally {
      transfer.delete();
    }
    if (load.done.stored) this.#countStored(load.done.hash, load.done.size);
    return load;
  }

  /** The bytes of a finished load, read back from storage or downloaded again when not at hand. */
  bytes(load, signal) {
    load.bytes ??= (async () => {
      if (load.blob) return load.blob;
      const { bytes, hash, size } = load.done;
      const transfer = this.#live().transferForBytes(load.context.url, this.#request(load.context, load.request), bytes, hash, size);
      const again = { context: load.context, transfer };
      try {
        await this.#drive(again, signal);
      } finally {
        transfer.delete();
      }
      return again.blob;
    })();
    return load.bytes;
  }

  // Performs the transfer's actions until it is done or fails.
  async #drive(load, signal) {
    const { TransferAction: Action } = this.#core;
    const { transfer, context } = load;
    const url = context.url;
    let step = transfer.next();
    for (;;) {
      throwIfAborted(signal);
      this.#report(load, step);
      if (step.action === Action.done) return step;
      if (step.action === Action.fail) {
        load.response?.body?.cancel().catch(() => {});
        throw step.failMessage ? new Error(`cross-origin-cache: ${step.failMessage}`, { cause: load.error }) : load.error;
      }
      load.error = undefined;
      switch (step.action) {
        case Action.resolve: {
          const record = await this.#hashes.record(url, signal, context);
          step = transfer.resolved(Boolean(record), record?.value ?? "", record?.size ?? -1);
          break;
        }
        case Action.readStorage:
        case Action.checkStorage:
        case Action.readBack: {
          const asked = step.action;
          const { answer, file } = await this.#lookUp(load, step, signal);
          // The core checks an opened entry's size (and, for a record naming its git blob, that
          // blob id) against the record's; the file is the load's only when the core serves it (a
          // record they refute is dropped).
          const gitBlob = file && step.gitBlobFormat ? await gitBlobDigest(this.#core, file, step.gitBlobFormat) : "";
          throwIfAborted(signal);
          step = transfer.storageAnswered(answer, file?.size ?? -1, gitBlob);
          if (file && step.action === Action.done && step.bytes === this.#core.BytesAt.storageFile) {
            load.blob = file;
            if (asked !== Action.readBack) this.#stats.bytesFromStorage += file.size;
          }
          break;
        }
        case Action.download: {
          const own = load.own;
          load.own = undefined;
          load.response?.body?.cancel().catch(() => {});
          load.init = step.noStore ? { cache: "no-store" } : {};
          // A paced download's first request asks for its first segment only.
          load.response = own ?? await this.#download(context, signal,
            step.range ? withInit(load.init, { headers: { Range: step.range } }) : load.init, Boolean(step.range));
          // The caller's own response (put) says nothing of how fast this link is.
          load.bodyStarted = own ? undefined : performance.now();
          const headers = load.response.headers;
          step = transfer.downloaded(Number(headers.get("Content-Length")) || -1, load.response.status,
            headers.get("Content-Range") ?? "", headers.get("Content-Encoding") ?? "");
          break;
        }
        case Action.checkRoom: {
          const room = await this.#fallback.room(step.size);
          step = transfer.roomAnswered(room.fits, room.quota, room.usage);
          break;
        }
        case Action.streamIntoStorage:
          step = await this.#streamIntoStorage(load, step, signal);
          break;
        case Action.spool:
          step = await this.#spool(load, step, signal);
          break;
        case Action.writeSpooled:
          step = await this.#writeSpooled(load, step, signal);
          break;
        case Action.checkKept: {
          const found = await this.#cos.has(step.hash);
          load.error = found.error;
          if (found.status !== "hit") this.#ledger().missing(step.hash);
          step = transfer.kept(found.status === "hit");
          break;
        }
        case Action.persist:
          await this.#hashes.persist(url, step.persistKey, step.persistBody);
          step = transfer.persisted();
          break;
        case Action.dropRefuted:
          await this.#hashes.dropRefuted(url, step.dropKey);
          step = transfer.dropped();
          break;
        default:
          throw new Error(`core returned an unknown transfer action ${step.action?.value}`);
      }
    }
  }

  // An event the core says to report: its message, or the error fed back with the last result.
  #report(load, step) {
    if (!step.errorKind) return;
    const error = step.errorMessage ? new Error(step.errorMessage, { cause: load.error }) : load.error;
    this.#errors.url(step.errorKind, load.context.url, error);
  }

  // Asks storage for an entry (opening it unless the action only checks it exists) and counts the
  // answer; a read-back after this load's own write is not counted again. → {answer, file}.
  async #lookUp(load, step, signal) {
    const { TransferAction: Action } = this.#core;
    const result = step.action === Action.checkStorage ? await this.#cos.has(step.hash) : await this.#cos.read(step.hash);
    throwIfAborted(signal);
    load.error = result.error;
    if (result.status === "hit") {
      this.#ledger().held(step.hash);
    } else {
      this.#ledger().missing(step.hash);
    }
    if (step.action !== Action.readBack) {
      if (result.status === "hit") {
        this.#stats.storageHits++;
      } else {
        this.#stats.storageMisses++;
      }
    }
    return { answer: this.storageAnswer(result.status), file: result.file };
  }

  /** A CosClient status ("hit", "miss", "not-allowed", "error") as the core's StorageAnswer. */
  storageAnswer(status) {
    const { StorageAnswer: Answer } = this.#core;
    return { hit: Answer.hit, miss: Answer.miss, "not-allowed": Answer.notAllowed, error: Answer.error }[status];
  }

  // The file's URL as fetch() takes it (no userinfo: that goes as a header), with the caller's
  // headers and modes on top of the cache's own RequestInit.
  #fetchFile(context, own) {
    return this.#fetch(context.fetchUrl, requestInit(this.#core, context, context.fetchUrl, own));
  }

  async #download(context, signal, own = {}, rangeAsked = false) {
    this.#stats.downloads++;
    const redacted = redactUrl(this.#core, context.url);
    let response;
    try {
      response = await this.#fetchFile(context, { ...own, signal });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw new Error(`cross-origin-cache: fetching ${redacted} failed: ${error?.message ?? error}`, { cause: error });
    }
    const refusal = this.#core.downloadRefusal(response.status, Boolean(response.body), rangeAsked, response.type === "opaqueredirect");
    if (refusal) {
      response.body?.cancel().catch(() => {});
      throw new Error(`cross-origin-cache: fetching ${redacted} failed: ${refusal}`);
    }
    return response;
  }

  // What the resolver is told of bytes just hashed. ETag and X-Repo-Commit are what a later
  // revalidation of a file not in LFS compares.
  #content(load, step, pumped) {
    const headers = load.response.headers;
    return {
      sha256: pumped.hex,
      size: pumped.size,
      expected: step.expected,
      etag: headers.get("ETag") ?? "",
      repoCommit: headers.get("X-Repo-Commit") ?? "",
      gitBlob: pumped.gitBlob ?? "",
      responseUrl: load.response.url ?? "",
    };
  }

  // Bytes held in memory whose hash comes from them: when they are a hub file not in LFS whose
  // git blob id the hub named, the core checks them against it, and says in which format.
  async #withGitBlob(load, step, pumped, signal) {
    const format = load.transfer.gitBlobFormat(this.#content(load, step, pumped), Date.now());
    if (!format) return pumped;
    const gitBlob = await gitBlobDigest(this.#core, load.blob, format);
    throwIfAborted(signal);
    return { ...pumped, gitBlob };
  }

  // How long a body took, headers to last byte, tells the core how fast the link is; once a body.
  #bodyArrived(load, size) {
    if (load.bodyStarted === undefined) return;
    this.#bodyRate().bodyRead(size, performance.now() - load.bodyStarted);
    load.bodyStarted = undefined;
  }

  #streamed(load, step, pumped) {
    // A streamed body's last byte was hashed as it came; a whole one was timed when it arrived.
    this.#bodyArrived(load, pumped.size);
    const next = load.transfer.streamed(this.#content(load, step, pumped), Date.now());
    if (next.hashFromContent) this.#stats.hits.content++;
    return next;
  }

  // The hash is known before the bytes: they stream straight into a new entry, flat memory.
  async #streamIntoStorage(load, step, signal) {
    const { TransferAction: Action } = this.#core;
    const { transfer } = load;
    let verdict;          // the core's answer once the bytes are hashed, inside the write
    let readFailed = false;
    try {
      await this.#cos.write(step.hash, step.shared ? this.#origins : undefined, async (storage) => {
        let writeFailed = false;
        const sink = (chunk) => storage.write(chunk).catch((error) => { writeFailed = true; throw error; });
        let pumped;
        try {
          pumped = await this.#pump(load, step, signal, sink, storage.queues ? step.writesInFlight : 1);
        } catch (error) {
          readFailed = !writeFailed;
          throw error;
        }
        verdict = this.#streamed(load, step, pumped);
        if (verdict.action !== Action.closeWrite) throw new WriteAbandoned();
        storage.vouch(verdict.hash);
      }, signal);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      load.error = error;
      if (verdict) this.#report(load, verdict);
      if (error instanceof WriteAbandoned) return transfer.abandoned();
      if (readFailed) return transfer.streamFailed(Boolean(error?.integrity));
      return transfer.writeFailed(storageErrorName(error), storageErrorStep(error));
    }
    this.#report(load, verdict);
    return transfer.closed();
  }

  // The hash comes from the content: the bytes are hashed while they are held in memory.
  async #spool(load, step, signal) {
    if (step.whole) return this.#spoolWhole(load, step, signal);
    const parts = [];
    let pumped;
    try {
      pumped = await this.#pump(load, step, signal, (chunk) => { parts.push(chunk); }, 1);
    } catch (error) {
      load.error = error;
      return load.transfer.streamFailed(Boolean(error?.integrity));
    }
    load.blob = new Blob(parts, { type: load.response.headers.get("Content-Type") ?? "" });
    parts.length = 0;
    return this.#streamed(load, step, await this.#withGitBlob(load, step, pumped, signal));
  }

  // The body read whole by the browser (no chunk crosses the page) and digested natively; the core
  // then judges it as it judges streamed bytes.
  async #spoolWhole(load, step, signal) {
    const url = load.context.url;
    let pumped;
    try {
      const blob = await load.response.blob().catch((error) => {
        if (signal?.aborted) throw abortError(signal);
        throw new Error(`cross-origin-cache: reading ${redactUrl(this.#core, url)} failed: ${error?.message ?? error}`, { cause: error });
      });
      throwIfAborted(signal);
      this.#bodyArrived(load, blob.size);
      this.#stats.bytesDownloaded += blob.size;
      this.#progress.emit(url, "download", blob.size, step.size, true);
      const expected = this.#live().verifyOnly(url);
      // step.size is the Content-Length the core allowed; a body that grew past it streams.
      const digests = await digestBlob(this.#core, blob, expected.map((digest) => digest.algorithm), step.size);
      throwIfAborted(signal);
      this.#checkDigests(url, expected, digests);
      load.blob = blob;
      pumped = await this.#withGitBlob(load, step, { hex: digests.sha256, size: blob.size }, signal);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      load.error = error;
      const next = load.transfer.streamFailed(Boolean(error?.integrity));
      // Asked for again (streamed): a break-off recovered from, as a resumed one is.
      if (next.action === this.#core.TransferAction.download) this.#stats.resumedDownloads++;
      return next;
    }
    return this.#streamed(load, step, pumped);
  }

  // Digests the app gave (integrity) checked against the bytes': a mismatch is reported and thrown.
  #checkDigests(url, expected, digests) {
    for (const algorithm of new Set(expected.map((digest) => digest.algorithm))) {
      const checked = this.#live().checkDigest(url, algorithm, digests[algorithm]);
      if (checked.errorKind) {
        this.#errors.url(checked.errorKind, url, new Error(checked.errorMessage));
        throw Object.assign(new Error(`cross-origin-cache: ${checked.errorMessage}`), { integrity: true });
      }
    }
  }

  async #writeSpooled(load, step, signal) {
    const url = load.context.url;
    try {
      await this.#cos.write(step.hash, step.shared ? this.#origins : undefined, async (storage) => {
        await untilAborted(storage.write(load.blob), signal);
        storage.vouch(step.hash);
        this.#progress.emit(url, "store", step.size, step.size, true);
      }, signal);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      load.error = error;
      return load.transfer.writeFailed(storageErrorName(error), storageErrorStep(error));
    }
    return load.transfer.closed();
  }

  #countStored(hash, size) {
    this.#ledger().held(hash);
    this.#stats.stored++;
    this.#stats.bytesStored += size >= 0 ? size : 0;
  }

  // Streams the body through the hasher into `sink`, honouring abort. A body that breaks off is
  // asked for again from where it stopped when the core says it may be (step.resumable: a request
  // this cache made) and the hash will check the joined bytes (step.hashKnown).
  // `sink` is given each chunk for good (the body is read into a new buffer each time), with up
  // to `writesInFlight` of its writes pending at once, so reading and hashing go on while the
  // storage is busy.
  async #pump(load, step, signal, sink, writesInFlight) {
    const { context, response } = load;
    const url = context.url;
    const total = step.size >= 0 ? step.size : undefined;
    const expected = this.#live().verifyOnly(url);
    const writes = [];  // the sink's pending writes, oldest first
    let writeFailure;   // the first write that failed, even while an older one is pending
    // The reader first: a response it cannot read (no body) must not leave a hasher behind.
    const reader = new ResumableBody({
      core: this.#core,
      fetch: step.resumable ? (target, init) => this.#fetchFile(context, withInit(load.init, init)) : undefined,
      url: context.fetchUrl,
      response,
      hashKnown: step.hashKnown,
      segmentBytes: step.segmentBytes,
      maxAttempts: this.#resumeAttempts,
      onResumed: (cause, atByte) => {
        this.#stats.resumedDownloads++;
        this.#errors.url(this.#errors.kinds.downloadResumed, url,
          new Error(`the body broke off at byte ${atByte} (${cause?.message ?? cause}); the rest was asked for with a range request`, { cause }));
      },
      // Paced: the next segment is asked for once storage has every byte before it.
      drained: () => untilAborted(Promise.allSettled(writes), signal).then(() => !writeFailure),
    });
    const hasher = digestsFor(this.#core, expected.map((digest) => digest.algorithm));
    const onAbort = () => reader.cancel(abortError(signal)).catch(() => {});
    signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        const { done, value } = await reader.read(signal).catch((error) => {
          if (signal?.aborted) throw abortError(signal);
          throw new Error(`cross-origin-cache: reading ${redactUrl(this.#core, url)} failed: ${error?.message ?? error}`, { cause: error });
        });
        throwIfAborted(signal);
        if (writeFailure) throw writeFailure.error;
        if (done) break;
        // One byte past the size recorded with the hash is enough for the core to refuse the body.
        const overran = step.bodyLimit >= 0 && reader.loaded > step.bodyLimit;
        const wanted = overran ? value.subarray(0, value.byteLength - (reader.loaded - step.bodyLimit - 1)) : value;
        hasher.update(wanted);
        this.#stats.bytesDownloaded += value.byteLength;
        if (overran) {
          // Not written, and not read further: the core refuses these bytes (streamed()).
          reader.cancel().catch(() => {});
          await untilAborted(Promise.all(writes), signal);
          return { hex: hasher.finish().sha256, size: step.bodyLimit + 1 };
        }
        // Storage that stops answering holds the load only until its signal aborts.
        if (writes.length >= writesInFlight) await untilAborted(writes.shift(), signal);
        const written = Promise.resolve(sink(value));
        written.catch((error) => { writeFailure ??= { error }; });
        writes.push(written);
        // Streamed straight into storage (a sink), downloading is storing.
        this.#progress.emit(url, "download", reader.loaded, total);
      }
      await untilAborted(Promise.all(writes), signal);
      this.#progress.emit(url, "download", reader.loaded, total, true);
      const digests = hasher.finish();
      this.#checkDigests(url, expected, digests);
      return { hex: digests.sha256, size: reader.loaded };
    } catch (error) {
      hasher.free();
      // Writes in flight settle before the writable is aborted, unless the load was: then storage
      // may be what stopped answering.
      if (!signal?.aborted) await Promise.allSettled(writes);
      reader.cancel().catch(() => {});
      if (signal?.aborted) throw abortError(signal);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
