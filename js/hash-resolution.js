// Hash resolution: executes the core's steps for a URL (memory → persisted store → legacy stores →
// batch → LFS pointer → content), shares in-flight work, and batches URLs that ask together.
import { BatchBarrier } from "./batch-barrier.js";
import { readBounded } from "./bounded-body.js";
import { RecordSnapshot } from "./record-snapshot.js";
import { abortError, throwIfAborted } from "./errors.js";
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
  #batchGroups = new Map();
  #batchesInFlight = new Map();  // group -> the request being sent for it
  #snapshot = null;
  #timeoutMs;

  /** The stores may be undefined (no Cache API); `stats` is the cache's counters object. */
  /** After close(), work still in flight ends with an error instead of touching the freed core. */
  close() {
    this.#closed = true;
    this.#snapshot?.close();
  }

  #live() {
    if (this.#closed) throw new Error("cross-origin-cache: the cache was disposed");
    return this.#resolver;
  }

  /** `timeoutMs`: how long a listing, paths-info or pointer request may go unanswered (Infinity: for ever). */
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
        key: core.snapshotKey, limit: core.maxSnapshotBytes, persisted, live: () => this.#live(), errors,
      });
    }
  }

  /** Writes the persisted snapshot of every record now (it is otherwise written within a second). */
  async flush() {
    await this.#snapshot?.flush();
  }

  // Resolves many URLs so that those needing the network share one batch request per revision.
  // context: the caller's request (js/request-init.js) whose credentials the hub requests carry
  // to the file's own origin; undefined for the cache's own work.
  many(urls, signal, context) {
    if (this.#snapshot && !this.#snapshot.loaded) return this.#snapshot.load().then(() => this.many(urls, signal, context));
    // Spellings of one storage key (a fragment, say) meet in the shared work of record().
    const unique = [...new Set(urls)];
    const barrier = new BatchBarrier(unique.length, (arrived) => this.#sendBatches(arrived, context));
    const byUrl = new Map();
    for (const url of unique) {
      const promise = this.record(url, signal, barrier, context);
      promise.catch(() => {});
      byUrl.set(url, promise);
    }
    return Promise.all(urls.map((url) => byUrl.get(url)));
  }

  record(url, signal, barrier, context) {
    let resolution;
    try {
      resolution = this.#live().resolution(url, Date.now(), false);
    } catch (error) {
      barrier?.leave();
      return Promise.reject(error);
    }
    const step = resolution.next();
    if (step.action === this.#core.StepAction.done) {
      resolution.delete();
      barrier?.leave();
      // Answered from memory, or from a listing of its revision (then it is persisted now).
      if (!step.persistKey) return Promise.resolve(this.#finishResolution(url, step));
      return this.persist(url, step.persistKey, step.persistBody).then(() => this.#finishResolution(url, step));
    }
    // Shared only with requests of the same credentials: one without must not take an answer
    // fetched with a token, nor one with a token the failure of one without.
    const key = sharedKey(context, step.key);
    if (barrier && this.#resolving.has(key)) {
      // Joining work that is already running: this URL will not arrive at the barrier.
      barrier.leave();
      barrier = undefined;
    }
    let started = false;
    const shared = this.#resolving.run(key, signal, (own) => {
      started = true;
      return this.#runResolution(resolution, own, barrier, context);
    });
    if (!started) resolution.delete();
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
      this.#snapshot?.changed();
    } catch (error) {
      this.#errors.url(this.#errors.kinds.persistFailed, url, error);
    }
  }

  /** Drops a refuted record's entry (key) from our store and the legacy ones we read. */
  async dropRefuted(url, key) {
    if (!key) return;
    for (const store of [this.#persisted, ...this.#legacy.values()]) {
      if (!store) continue;
      try {
        await store.delete(key);
      } catch (error) {
        this.#errors.url(this.#errors.kinds.persistFailed, url, error);
      }
    }
    this.#snapshot?.changed();
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

  async #runResolution(resolution, signal, barrier, context) {
    const url = resolution.url();
    let arrived = false;
    try {
      const step = await this.#resolutionSteps(resolution, signal, context, async (group) => {
        if (barrier && !arrived) {
          arrived = true;
          await barrier.arrive(url);
        } else {
          await this.#joinBatch(url, group, context);
        }
      });
      return this.#finishResolution(url, step);
    } finally {
      resolution.delete();
      if (barrier && !arrived) barrier.leave();
    }
  }

  // Performs the resolution's actions until it is done; returns its last step.
  async #resolutionSteps(resolution, signal, context, awaitBatch) {
    const { StepAction } = this.#core;
    const url = resolution.url();
    let step = resolution.next();
    for (;;) {
      throwIfAborted(signal);
      await this.persist(url, step.persistKey, step.persistBody);
      this.#live();  // a cache disposed meanwhile ends here
      if (step.action === StepAction.done) return step;
      this.#reportStep(url, step);
      switch (step.action) {
        case StepAction.readPersisted: {
          if (this.#snapshot && !this.#snapshot.loaded) {
            // One read of the snapshot may answer for this URL and every other.
            await this.#snapshot.load();
            step = resolution.restart(Date.now());
            break;
          }
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
          await awaitBatch(step.group);
          step = resolution.batchAnswered(Date.now());
          break;
        case StepAction.fetchPointer: {
          const answer = await this.#fetchPointer(step.pointerUrl, signal, context);
          step = resolution.pointerFetched(answer.status, answer.text, answer.commit, Date.now(), answer.timedOut);
          break;
        }
        default:
          throw new Error(`core returned an unknown step action ${step.action?.value}`);
      }
    }
  }

  // URLs of one repo revision that ask within the same task, with the same credentials, share one
  // paths-info request.
  #joinBatch(url, group, context) {
    const pendingKey = sharedKey(context, group);
    let pending = this.#batchGroups.get(pendingKey);
    if (!pending || pending.sent) {
      pending = { urls: [], sent: false };
      pending.done = new Promise((resolve) => setTimeout(resolve, 0)).then(async () => {
        pending.sent = true;
        // A request for this revision already on its way may answer for these URLs too.
        await this.#batchesInFlight.get(group)?.catch(() => {});
        return this.#sendBatches(pending.urls, context);
      });
      this.#batchGroups.set(pendingKey, pending);
      pending.done.catch(() => {}).finally(() => {
        if (this.#batchGroups.get(pendingKey) === pending) this.#batchGroups.delete(pendingKey);
      });
    }
    pending.urls.push(url);
    return pending.done;
  }

  async #sendBatches(urls, context) {
    const requests = this.#live().planBatch(urls, Date.now());
    await Promise.all(requests.map((request) => {
      const sent = this.#sendBatch(request, context);
      this.#batchesInFlight.set(request.group, sent);
      return sent.finally(() => {
        if (this.#batchesInFlight.get(request.group) === sent) this.#batchesInFlight.delete(request.group);
      });
    }));
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
    try {
      const init = request.method === "GET" ? {} : {
        method: request.method,
        headers: { "Content-Type": "application/json" },
        body: request.body,
      };
      const response = await this.#fetch(request.url, requestInit(this.#core, context, request.url, timeout ? { ...init, signal: timeout } : init));
      status = response.status;
      commit = response.headers.get("X-Repo-Commit") ?? "";
      link = response.headers.get("Link") ?? "";
      if (response.ok) {
        body = await readBounded(response.body, this.#core.maxBatchBodyBytes);
      } else {
        response.body?.cancel().catch(() => {});
      }
    } catch (error) {
      body = String(error?.message ?? error);
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
    const both = timeout && signal ? AbortSignal.any([signal, timeout]) : (timeout ?? signal);
    try {
      // A pointer is at most 1 KiB: ask for no more (an ordinary file's /raw/ is the whole file),
      // and stop reading there if the server ignores the range.
      const limit = this.#core.maxLfsPointerBytes;
      const response = await this.#fetch(url, requestInit(this.#core, context, url, { signal: both, headers: { Range: `bytes=0-${limit}` } }));
      const commit = response.headers.get("X-Repo-Commit") ?? "";
      if (!response.ok) {
        response.body?.cancel().catch(() => {});
        return { status: response.status, text: "", commit, timedOut: false };
      }
      const text = new TextDecoder().decode(await readBounded(response.body, limit));
      return { status: response.status, text, commit, timedOut: false };
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      return { status: 0, text: String(error?.message ?? error), commit: "", timedOut: timeout?.aborted ?? false };
    }
  }

  // The record memory or the persisted store has for url, whatever its age, without any network
  // request (what delete must remove): the core's local lookup.
  async local(url) {
    if (this.#snapshot && !this.#snapshot.loaded) await this.#snapshot.load();
    const resolution = this.#live().resolution(url, Date.now(), true);
    try {
      const step = await this.#resolutionSteps(resolution, undefined, undefined, () => {
        throw new Error("cross-origin-cache: a local lookup asked for the network");
      });
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
