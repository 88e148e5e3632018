// Hash resolution: executes the core's steps for a URL (memory → snapshot → persisted store →
// legacy stores → batch → LFS pointer → content) and shares in-flight work. Which resolutions share
// a batch request is the core's decision (src/batch_desk.h); the shim sends what it names.
import { readBounded } from "./bounded-body.js";
import { RecordSnapshot } from "./record-snapshot.js";
import { abortError, disposedError, joinedSignal, networkErrorText, throwIfAborted } from "./errors.js";
import { SharedWork } from "./shared-work.js";
import { requestInit, sharedKey } from "./request-init.js";

export class HashResolution {
  #core;
  #resolver;
  #fetch;
  #persisted;
  #legacy;
  #errors;
  #stats;
  #resolving = new SharedWork();
  #closed = false;
  // Aborted by close(): hub requests in flight end then, not when their answer or timeout comes.
  #closing = new AbortController();
  #waiting = new Map();  // ticket -> {release, fail, context} of a resolution waiting for its batch
  #lookScheduled = false;
  #snapshot = null;
  #timeoutMs;

  /** After close(), work still in flight ends with an error instead of touching the freed core. */
  close() {
    this.#closed = true;
    this.#closing.abort(disposedError("AbortError"));
    this.#snapshot?.close();
    const disposed = disposedError();
    for (const waiter of this.#waiting.values()) waiter.fail(disposed);
    this.#waiting.clear();
  }

  #live() {
    if (this.#closed) throw disposedError();
    return this.#resolver;
  }

  /**
   * The stores may be undefined (no Cache API); `stats` is the cache's counters object; snapshot:
   * the core's resolver was made with a snapshot (its readSnapshot steps are executed here).
   * `timeoutMs`: how long a listing, paths-info or pointer request may go unanswered (Infinity: for ever).
   */
  constructor({ core, resolver, fetch, persisted, legacy, errors, stats, snapshot = true, timeoutMs = Infinity }) {
    this.#core = core;
    this.#timeoutMs = timeoutMs;
    this.#resolver = resolver;
    this.#fetch = fetch;
    this.#persisted = persisted;
    this.#legacy = legacy;
    this.#errors = errors;
    this.#stats = stats;
    if (persisted && snapshot) {
      this.#snapshot = new RecordSnapshot({
        key: core.snapshotKey, limit: core.maxSnapshotBytes, writeIntervalMs: core.snapshotWriteIntervalMs,
        persisted, live: () => this.#live(), errors,
      });
    }
  }

  /**
   * Writes the persisted snapshot of every record now (it is otherwise written within a second).
   * Resolves to whether it was written: true without a snapshot to write.
   */
  async flush() {
    return this.#snapshot ? this.#snapshot.flush() : true;
  }

  // Resolves many URLs as one cohort: those needing the network share one batch request per
  // revision. context: the caller's request (js/request-init.js) whose credentials the hub
  // requests carry to the file's own origin; undefined for the cache's own work.
  many(urls, signal, context) {
    let resolver;
    try {
      resolver = this.#live();
    } catch (error) {
      return Promise.reject(error);
    }
    // Spellings of one storage key (a fragment, say) meet in the shared work of record().
    const unique = [...new Set(urls)];
    const cohort = resolver.openCohort();
    const byUrl = new Map();
    try {
      for (const url of unique) {
        const promise = this.record(url, signal, context, cohort);
        promise.catch(() => {});
        byUrl.set(url, promise);
      }
    } finally {
      resolver.closeCohort(cohort);
      this.#lookForBatches();
    }
    return Promise.all(urls.map((url) => byUrl.get(url)));
  }

  /** cohort: from openCohort() (many()), or 0. */
  record(url, signal, context, cohort = 0) {
    let resolution;
    try {
      resolution = this.#live().resolution(url, Date.now(), false, cohort, context?.partition ?? "");
    } catch (error) {
      return Promise.reject(error);
    }
    const step = resolution.next();
    if (step.action === this.#core.StepAction.done) {
      resolution.delete();
      // Answered from memory, or from a listing of its revision (then it is persisted now).
      if (!step.persistKey) return Promise.resolve(this.#finishResolution(url, step));
      return this.persist(url, step.persistKey, step.persistBody).then(() => this.#finishResolution(url, step));
    }
    // Shared only with requests of the same credentials: one without must not take an answer
    // fetched with a token, nor one with a token the failure of one without.
    const key = sharedKey(context, step.key);
    let started = false;
    const shared = this.#resolving.run(key, signal, (own) => {
      started = true;
      return this.#runResolution(resolution, own, context);
    });
    if (!started) {
      // Joined work already running: its place at the core's desk goes, which may let others go.
      resolution.delete();
      this.#lookForBatches();
    }
    return shared;
  }

  #finishResolution(url, step) {
    this.#reportStep(url, step);
    if (!step.found) {
      this.#stats.unresolved++;
      return null;
    }
    this.#stats.hits[step.hit] = (this.#stats.hits[step.hit] ?? 0) + 1;
    return { ...step.record, hit: step.hit };
  }

  #reportStep(url, step) {
    if (step.errorKind) this.#errors.url(step.errorKind, url, new Error(step.errorMessage));
  }

  async persist(url, key, body) {
    if (!key || !this.#persisted) return;
    try {
      await this.#persisted.write(key, body);
      // Deleted while the write was under way: the entry must not bring the record back.
      if (this.#live().deleted(key)) await this.#persisted.delete(key);
      this.#snapshot?.changed();
    } catch (error) {
      this.#errors.url(this.#errors.kinds.persistFailed, url, error);
    }
  }

  /** Drops a refuted record's entry (key) from our store and the legacy ones we read. */
  async dropRefuted(url, key) {
    if (!key) return;
    await this.deleteStored(url, key);
    this.#snapshot?.changed();
  }

  /**
   * Deletes key's entry from our store and the legacy ones we read (a record left in any of them
   * comes back on a reload); each failure is reported. Resolves whether every delete went through.
   */
  async deleteStored(url, key) {
    let all = true;
    for (const store of [this.#persisted, ...this.#legacy.values()]) {
      if (!store) continue;
      try {
        await store.delete(key);
      } catch (error) {
        all = false;
        this.#errors.url(this.#errors.kinds.persistFailed, url, error);
      }
    }
    return all;
  }

  async readStore(url, store, key) {
    try {
      return await store.read(key, this.#core.maxRecordBytes);
    } catch (error) {
      this.#errors.url(this.#errors.kinds.persistedReadFailed, url, error);
      return { found: false, body: new Uint8Array(0) };
    }
  }

  // A signal that aborts a resolution request left unanswered too long (none when never).
  #timeoutSignal() {
    return Number.isFinite(this.#timeoutMs) ? AbortSignal.timeout(this.#timeoutMs) : undefined;
  }

  // What ends one hub request: its timeout, close(), and the signal of the work it is for
  // ({signal, release}: released when the request is over).
  #requestSignal(timeout, signal) {
    return joinedSignal(this.#closing.signal, timeout, signal);
  }

  async #runResolution(resolution, signal, context) {
    const url = resolution.url();
    const ticket = resolution.ticket();
    try {
      const step = await this.#resolutionSteps(resolution, signal, context);
      return this.#finishResolution(url, step);
    } finally {
      this.#waiting.delete(ticket);
      resolution.delete();
      this.#lookForBatches();  // the core may let its cohort go now
    }
  }

  // Performs the resolution's actions until it is done; returns its last step.
  async #resolutionSteps(resolution, signal, context) {
    const { StepAction } = this.#core;
    const url = resolution.url();
    let step = resolution.next();
    for (;;) {
      // Waiting starts now, in the task that took the step: the core may name the request at the
      // end of this task.
      const batch = step.action === StepAction.fetchBatch ? this.#batchFor(resolution, context) : undefined;
      batch?.catch(() => {});  // awaited below, unless the loop ends first
      throwIfAborted(signal);
      await this.persist(url, step.persistKey, step.persistBody);
      // An entry of a record deleted since it was written (a deletion's tombstone says so).
      if (step.dropKey) await this.deleteStored(url, step.dropKey);
      this.#live();  // a cache disposed meanwhile ends here
      if (step.action === StepAction.done) return step;
      this.#reportStep(url, step);
      switch (step.action) {
        case StepAction.readSnapshot:
          if (!this.#snapshot) throw new Error("cross-origin-cache: the core asked for a snapshot this cache does not keep");
          // One read of the snapshot may answer for this URL and every other.
          await this.#snapshot.load();
          step = resolution.snapshotRead(Date.now());
          break;
        case StepAction.readPersisted: {
          const { found, body } = await this.readStore(url, this.#persisted, step.key);
          step = resolution.persistedRead(found, body, Date.now());
          break;
        }
        case StepAction.readLegacy: {
          const { found, body } = await this.readStore(url, this.#legacy.get(step.store), step.key);
          step = resolution.legacyRead(found, body, Date.now());
          break;
        }
        case StepAction.fetchBatch:
          await batch;
          step = resolution.batchAnswered(Date.now());
          break;
        case StepAction.fetchPointer: {
          const answer = await this.#fetchPointer(step.pointerUrl, signal, context);
          step = resolution.pointerFetched(answer.status, answer.text, answer.commit, answer.etag, Date.now(), answer.timedOut,
            answer.contentRange, answer.contentEncoding);
          break;
        }
        default:
          throw new Error(`core returned an unknown step action ${step.action?.value}`);
      }
    }
  }

  // Settles once the request the core names for this resolution has been applied, or the core
  // let it go without one. The request is shared, so no caller's signal ends the wait.
  #batchFor(resolution, context) {
    return new Promise((release, fail) => {
      this.#waiting.set(resolution.ticket(), { release, fail, context });
      this.#lookForBatches();
    });
  }

  // At the end of the task, so resolutions that arrive together go together, the shim sends what
  // the core names.
  #lookForBatches() {
    if (this.#lookScheduled || this.#closed || this.#waiting.size === 0) return;
    this.#lookScheduled = true;
    setTimeout(() => {
      this.#lookScheduled = false;
      this.#sendBatches();
    }, 0);
  }

  #sendBatches() {
    if (this.#closed) return;
    let plan;
    try {
      plan = this.#resolver.takeBatches(Date.now());
    } catch (error) {
      // Not even planned (the core's heap is full): the waiting resolutions fail, as the cache's
      // own calls would.
      for (const waiter of this.#waiting.values()) waiter.fail(error);
      this.#waiting.clear();
      return;
    }
    for (const ticket of plan.released) this.#release(ticket);
    for (const request of plan.requests) {
      // The tickets share the request's partition, so any one's context carries its credentials.
      const context = this.#waiting.get(request.tickets[0])?.context;
      this.#sendBatch(request, context).catch(() => {}).finally(() => {
        for (const ticket of request.tickets) this.#release(ticket);
        this.#lookForBatches();  // arrivals held while it was on its way may go now
      });
    }
  }

  #release(ticket) {
    const waiter = this.#waiting.get(ticket);
    this.#waiting.delete(ticket);
    waiter?.release();
  }

  // One listing (GET .../tree/{revision}) or paths-info (POST) request, applied by the core. It is
  // shared by every URL of the revision, so no caller's signal ends it; only its own timeout does.
  async #sendBatch(request, context) {
    this.#stats.resolutionRequests[request.kind === this.#core.BatchKind.tree ? "listing" : "pathsInfo"]++;
    let status = 0;
    let body = new Uint8Array(0);
    let commit = "";
    let link = "";
    const timeout = this.#timeoutSignal();
    const ended = this.#requestSignal(timeout);
    try {
      const init = request.method === "GET" ? {} : {
        method: request.method,
        headers: { "Content-Type": "application/json" },
        body: request.body,
      };
      const response = await this.#fetch(request.url, requestInit(this.#core, context, request.url, { ...init, signal: ended.signal }));
      status = response.status;
      commit = response.headers.get("X-Repo-Commit") ?? "";
      link = response.headers.get("Link") ?? "";
      if (response.ok) {
        body = await readBounded(response.body, this.#core.maxBatchBodyBytes);
      } else {
        response.body?.cancel().catch(() => {});
      }
    } catch (error) {
      if (this.#closed) throw error;
      // No answer, or one cut off mid-body: a failed request (status 0), whatever its status said,
      // with the error as its text. The partial body is not the hub's answer.
      status = 0;
      body = networkErrorText(error);
    } finally {
      ended.release();
    }
    const timedOut = timeout?.aborted ?? false;
    let outcome;
    try {
      outcome = this.#live().applyBatch(request.group, status, body, commit, link, Date.now(), timedOut);
    } catch (error) {
      // The body could not even be taken into the core (its heap is full): a failed request, so
      // the core falls back to the next source as for any other.
      if (this.#closed) throw error;
      outcome = this.#live().applyBatch(request.group, 0, `the answer could not be read: ${error?.message ?? error}`,
        "", "", Date.now(), false);
    }
    if (outcome.errorKind) this.#errors.url(outcome.errorKind, request.url, new Error(outcome.errorMessage));
    for (let i = 0; i < outcome.persistKeys.length; i++) {
      await this.persist(outcome.persistKeys[i], outcome.persistKeys[i], outcome.persistBodies[i]);
    }
  }

  // `signal` is the resolution's own (it aborts when every caller waiting on it has); the timeout
  // ends the request alone, and the core goes on without it.
  async #fetchPointer(url, signal, context) {
    this.#stats.resolutionRequests.pointer++;
    const timeout = this.#timeoutSignal();
    const ended = this.#requestSignal(timeout, signal);
    try {
      // A pointer is at most 1 KiB: ask for no more (an ordinary file's /raw/ is the whole file),
      // and stop reading there if the server ignores the range.
      const limit = this.#core.maxLfsPointerBytes;
      const response = await this.#fetch(url, requestInit(this.#core, context, url, { signal: ended.signal, headers: { Range: `bytes=0-${limit}` } }));
      const header = (name) => response.headers.get(name) ?? "";
      // The core reads the file's size from a 206's Content-Range (of a file not in LFS, its body
      // is read no further than that).
      const answer = {
        status: response.status, commit: header("X-Repo-Commit"), etag: header("ETag"), timedOut: false,
        contentRange: header("Content-Range"), contentEncoding: header("Content-Encoding"),
      };
      if (!response.ok) {
        response.body?.cancel().catch(() => {});
        return { ...answer, text: "" };
      }
      return { ...answer, text: new TextDecoder().decode(await readBounded(response.body, limit)) };
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (this.#closed) throw abortError(this.#closing.signal);
      return {
        status: 0, text: networkErrorText(error), commit: "", etag: "", timedOut: timeout?.aborted ?? false,
        contentRange: "", contentEncoding: "",
      };
    } finally {
      ended.release();
    }
  }

  // The record memory or the persisted store has for url, whatever its age, without any network
  // request (what delete must remove): the core's local lookup.
  async local(url) {
    const resolution = this.#live().resolution(url, Date.now(), true, 0, "");
    try {
      const step = await this.#resolutionSteps(resolution, undefined, undefined);
      this.#reportStep(url, step);
      return step.found ? step.record : null;
    } finally {
      resolution.delete();
    }
  }

  // Whether any record in our persisted store maps to the hash (before the fallback store's entry
  // goes; memory's records the core has checked itself).
  async persistedReferences(value) {
    for await (const { body } of this.#persisted.entries(this.#core.maxRecordBytes)) {
      if (this.#core.decodeRecordValue(body) === value) return true;
    }
    return false;
  }
}
