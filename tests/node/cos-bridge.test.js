// The COS bridge between a page and a worker, both ends in Node over a MessageChannel, with the
// in-memory COS as the page's storage: reads, writes, error names, back-pressure, creates taking
// turns across workers, and a worker that goes away mid-write.
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import assert from "node:assert/strict";

import { connectCrossOriginStorage, exposeCrossOriginStorage } from "../../js/index.js";
import { HANDLES_KEPT, WRITE_WINDOW } from "../../js/cos-bridge/protocol.js";
import { cacheOn, hubFor, stores } from "../support/cache-setup.js";
import { createMemoryCos } from "../support/memory-cos.js";
import { sha256Hex as sha } from "../support/test-data.js";

const hashOf = (value) => ({ algorithm: "SHA-256", value });
const text = (s) => new TextEncoder().encode(s);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A page exposing `storage` to a "worker" at the other end of a MessageChannel; closed after the test. */
async function bridged(t, storage) {
  const { port1, port2 } = new MessageChannel();
  const exposure = exposeCrossOriginStorage(port1, { storage });
  const manager = await connectCrossOriginStorage({ port: port2, timeoutMs: 2000 });
  t.after(() => {
    manager?.disconnect();
    exposure.close();
    port1.close();
    port2.close();
  });
  return { manager, exposure };
}

async function store(manager, bytes, options = {}) {
  const handle = await manager.requestFileHandle(hashOf(sha(bytes)), { create: true, ...options });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.close();
}

test("reads hand the page's File over, through each of the three method names", async (t) => {
  const { store: cos } = createMemoryCos();
  const { value } = cos.add("hello bridge");
  const { manager } = await bridged(t, cos.manager());
  for (const read of [
    () => manager.getFileHandle(hashOf(value)),
    () => manager.requestFileHandle(hashOf(value)),
    async () => (await manager.requestFileHandles([hashOf(value)]))[0],
  ]) {
    const file = await (await read()).getFile();
    assert.ok(file instanceof File);
    assert.equal(await file.text(), "hello bridge");
  }
  assert.equal(cos.counts.request, 3, "one handle request per read: getFile() uses the handle the page kept");
});

test("error names survive the port: NotFoundError, TypeError, NotAllowedError, DataError, QuotaExceededError", async (t) => {
  const { store: cos } = createMemoryCos({ quotaBytes: 16 });
  const { manager } = await bridged(t, cos.manager());
  const missing = sha(text("never stored"));

  await assert.rejects(manager.getFileHandle(hashOf(missing)), (e) => e instanceof DOMException && e.name === "NotFoundError");
  await assert.rejects(manager.getFileHandle(hashOf("ABC")), (e) => e instanceof TypeError);
  await assert.rejects(manager.getFileHandle("not a hash"), (e) => e instanceof TypeError);

  // Reading an entry another writer has open.
  const busy = text("being written");
  const writing = await (await manager.requestFileHandle(hashOf(sha(busy)), { create: true })).createWritable();
  await assert.rejects(manager.getFileHandle(hashOf(sha(busy))), (e) => e instanceof DOMException && e.name === "NotAllowedError");
  await writing.abort();

  // Bytes that are not the hash's: the close fails, nothing is stored.
  const handle = await manager.requestFileHandle(hashOf(missing), { create: true });
  const writable = await handle.createWritable();
  await writable.write(text("other bytes"));
  await assert.rejects(writable.close(), (e) => e instanceof DOMException && e.name === "DataError");
  assert.equal(cos.get(missing), undefined);

  // Over the quota. A write resolves once posted (within the window); the storage's refusal comes
  // back with its acknowledgement and fails the close, so the caller never sees a stored entry.
  const big = text("x".repeat(32));
  // Hashed before the write: writing transfers the buffer, after which `big` is empty.
  const bigHash = sha(big);
  const quota = await (await manager.requestFileHandle(hashOf(bigHash), { create: true })).createWritable();
  const writer = quota.getWriter();
  await writer.write(big);
  await assert.rejects(writer.close(), (e) => e instanceof DOMException && e.name === "QuotaExceededError");
  assert.equal(cos.get(bigHash), undefined);
});

test("writes store the bytes with their origins; a whole buffer is transferred, a partial view copied", async (t) => {
  const { store: cos } = createMemoryCos();
  const { manager } = await bridged(t, cos.manager());
  const first = text("first part, ");
  const whole = text("second part");
  const backing = text("[third]....");
  const partial = backing.subarray(1, 6);  // "third"
  const value = sha(Buffer.concat([first, whole, partial]));

  const handle = await manager.requestFileHandle(hashOf(value), { create: true, origins: ["https://a.example"] });
  const writable = await handle.createWritable();
  await writable.write({ type: "write", data: first });
  await writable.write(whole.buffer);
  await writable.write(partial);
  assert.equal(whole.buffer.byteLength, 0, "a written ArrayBuffer is transferred, not copied");
  assert.equal(backing.byteLength, 11, "a view of part of a buffer is copied: its owner keeps the rest");
  await writable.close();

  const entry = cos.get(value);
  assert.equal(entry.writing, false);
  assert.deepEqual(entry.origins, ["https://a.example"]);
  assert.equal(await (await (await manager.getFileHandle(hashOf(value))).getFile()).text(), "first part, second partthird");
});

test(`back-pressure: never more than WRITE_WINDOW (${WRITE_WINDOW}) chunks in flight, acknowledged as the storage takes them`, async (t) => {
  // A page storage whose writer holds every chunk until the test lets it go.
  const received = [];
  let open;
  let gate = new Promise((resolve) => { open = resolve; });
  const storage = {
    async requestFileHandle() {
      return {
        kind: "file",
        name: "gated",
        createWritable: async () => ({
          getWriter: () => ({
            write: (data) => {
              received.push(data);
              return gate;
            },
            close: async () => {},
            abort: async () => {},
          }),
        }),
      };
    },
  };
  const { manager } = await bridged(t, storage);
  const writable = await (await manager.requestFileHandle(hashOf("0".repeat(64)), { create: true })).createWritable();
  const writer = writable.getWriter();
  const chunks = 20;
  const settled = new Array(chunks).fill(false);
  const writes = Array.from({ length: chunks }, (_, i) => writer.write(new Uint8Array(1024)).then(() => { settled[i] = true; }));

  await tick();
  assert.equal(received.length, WRITE_WINDOW, "the page got exactly the window, no more");
  assert.equal(settled.filter(Boolean).length, WRITE_WINDOW - 1, "the worker's writes wait once the window is full");

  // Each round the storage takes every chunk it holds; the worker then sends at most a window more.
  while (received.length < chunks) {
    const taken = received.length;
    const release = open;
    gate = new Promise((resolve) => { open = resolve; });
    release();
    await tick();
    assert.ok(received.length - taken <= WRITE_WINDOW, `${received.length - taken} chunks in flight`);
    assert.ok(received.length > taken, "acknowledged chunks make room for more");
  }
  open();
  await Promise.all(writes);
  await writer.close();
  assert.equal(received.length, chunks);
});

test("back-pressure, measured from the page: chunks received and not yet written never exceed the window", async (t) => {
  let pending = 0;
  let most = 0;
  const storage = {
    async requestFileHandle() {
      return {
        kind: "file",
        createWritable: async () => ({
          async write() {
            pending++;
            most = Math.max(most, pending);
            await new Promise((resolve) => setTimeout(resolve, 2));
            pending--;
          },
          async close() {},
        }),
      };
    },
  };
  // A writable without getWriter(): the page writes one chunk at a time, the rest wait at the page.
  const { port1, port2 } = new MessageChannel();
  let inPage = 0;
  let mostInPage = 0;
  const exposure = exposeCrossOriginStorage(port1, { storage });
  const manager = await connectCrossOriginStorage({ port: port2, timeoutMs: 2000 });
  t.after(() => {
    manager.disconnect();
    exposure.close();
    port1.close();
    port2.close();
  });
  const writable = await (await manager.requestFileHandle(hashOf("1".repeat(64)), { create: true })).createWritable();
  // Count chunks the page has been sent and not acknowledged, from the worker's side of the port.
  const writer = writable.getWriter();
  const original = MessagePort.prototype.postMessage;
  t.after(() => { MessagePort.prototype.postMessage = original; });
  MessagePort.prototype.postMessage = function (message, transfer) {
    if (message?.op === "write") mostInPage = Math.max(mostInPage, ++inPage);
    if (message?.op === "ack") inPage--;
    return original.call(this, message, transfer);
  };
  for (let i = 0; i < 50; i++) writer.write(new Uint8Array(256));
  await writer.close();
  assert.equal(most, 1, "the storage wrote one chunk at a time");
  assert.ok(mostInPage <= WRITE_WINDOW, `at most ${mostInPage} chunks were unacknowledged`);
  assert.ok(mostInPage >= 2, "more than one chunk was in flight: the window is used");
});

test("creates take turns across workers: no create handle request overlaps another's createWritable", async (t) => {
  const { store: cos, manager: managerFor } = createMemoryCos();
  const inner = managerFor();
  let creating = 0;
  let overlap = 0;
  // The page's manager, watched: a create counts from its handle request to its createWritable().
  const watched = {
    async requestFileHandle(hash, options) {
      if (!options?.create) return inner.requestFileHandle(hash, options);
      creating++;
      overlap = Math.max(overlap, creating);
      await new Promise((resolve) => setTimeout(resolve, 3));
      const handle = await inner.requestFileHandle(hash, options);
      return {
        ...handle,
        createWritable: async () => {
          await new Promise((resolve) => setTimeout(resolve, 3));
          try {
            return await handle.createWritable();
          } finally {
            creating--;
          }
        },
      };
    },
  };
  const workers = await Promise.all([bridged(t, watched), bridged(t, watched), bridged(t, watched)]);
  const files = workers.flatMap((_, w) => Array.from({ length: 4 }, (__, i) => text(`worker ${w} file ${i}`)));
  await Promise.all(files.map((bytes, i) => store(workers[i % workers.length].manager, bytes)));
  assert.equal(overlap, 1, "one create at a time across the page");
  assert.equal(cos.entries().length, files.length, "every file stored");
});

test("a worker that goes away mid-write leaves no entry: the page aborts the writable it held", async (t) => {
  const { store: cos } = createMemoryCos();
  const { manager } = await bridged(t, cos.manager());
  const bytes = text("a file the worker never finishes");
  const handle = await manager.requestFileHandle(hashOf(sha(bytes)), { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes.slice(0, 10));
  assert.equal(cos.get(sha(bytes))?.writing, true, "being written");
  manager.disconnect();  // the worker's port closes, as when the worker is terminated
  for (let i = 0; i < 50 && cos.counts.abort === 0; i++) await tick();
  assert.equal(cos.counts.abort, 1, "the page aborted the write");
  assert.equal(cos.get(sha(bytes)), undefined, "no entry, not even a half-written one");
  await assert.rejects(manager.getFileHandle(hashOf(sha(bytes))), (e) => e.name === "InvalidStateError");
});

test("the page stops exposing: writes left open are aborted", async (t) => {
  const { store: cos } = createMemoryCos();
  const { manager, exposure } = await bridged(t, cos.manager());
  const bytes = text("cut off by the page");
  const writable = await (await manager.requestFileHandle(hashOf(sha(bytes)), { create: true })).createWritable();
  await writable.write(bytes.slice(0, 4));
  exposure.close();
  for (let i = 0; i < 50 && cos.counts.abort === 0; i++) await tick();
  assert.equal(cos.counts.abort, 1);
  assert.equal(cos.get(sha(bytes)), undefined);
});

test("a page without COS says so at once; a port without a page times out: both give null", async () => {
  const { port1, port2 } = new MessageChannel();
  const exposure = exposeCrossOriginStorage(port1, { storage: null });
  const started = Date.now();
  assert.equal(await connectCrossOriginStorage({ port: port2, timeoutMs: 5000 }), null);
  assert.ok(Date.now() - started < 1000, "no wait for the timeout when the page has no COS");
  exposure.close();
  port1.close();
  port2.close();

  const silent = new MessageChannel();
  const waited = Date.now();
  assert.equal(await connectCrossOriginStorage({ port: silent.port2, timeoutMs: 150 }), null);
  assert.ok(Date.now() - waited >= 140, "waited for the page");
  silent.port1.close();
  silent.port2.close();
});

test("the cache over the bridge: loads once, stores in the page's COS, a second cache reads it back", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const { caches, cos } = stores();
  const file = hub.model.files.find((f) => f.lfs);
  const { manager } = await bridged(t, cos.store.manager());
  const { cache, events } = await cacheOn({ caches, storage: manager });
  assert.equal(cache.storageKind, "cross-origin-storage");
  assert.equal(sha(new Uint8Array(await cache.fetchWithCache(file.url, "arraybuffer"))), file.sha256);
  assert.equal(cos.store.get(file.sha256)?.writing, false, "stored in the page's COS");

  hub.resetCounters();
  const again = await cacheOn({ caches, storage: manager });
  assert.equal(sha(new Uint8Array(await again.cache.fetchWithCache(file.url, "arraybuffer"))), file.sha256);
  assert.equal(hub.counters.resolve, 0, "no download: read from COS through the bridge");
  assert.equal(again.cache.stats().storageHits, 1);
  assert.deepEqual([...events, ...again.events], []);
  cache.dispose();
  again.cache.dispose();
});

test("an answer the port cannot clone (a File-like object with methods) rejects the worker's call with DataCloneError, nothing unhandled", async (t) => {
  const { store: cos } = createMemoryCos();
  const { value } = cos.add("hello");
  const base = cos.manager();
  const storage = {
    async getFileHandle(hash, options) {
      const handle = await base.getFileHandle(hash, options);
      return { kind: "file", name: handle.name, getFile: async () => ({ size: 5, text: async () => "hello" }) };
    },
  };
  const unhandled = [];
  const onUnhandled = (error) => unhandled.push(error);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const { manager } = await bridged(t, storage);
  const handle = await manager.getFileHandle(hashOf(value));
  // Before: the page's postMessage threw inside a promise callback and the worker's call never settled.
  await assert.rejects(handle.getFile(), (error) => error.name === "DataCloneError");
  await tick();
  assert.deepEqual(unhandled, []);
});

// ---- Every field from the other end is data, not trusted: malformed messages and options ----

const BRIDGE_KEY = "cross-origin-cache:cos-bridge";
const within = (promise, ms = 1000) =>
  Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms, "still pending"))]);

/** The page's end as exposeCrossOriginStorage() sets it up, driven by a test speaking the raw protocol as the worker. */
async function rawWorker(t, storage) {
  const { port1, port2 } = new MessageChannel();
  const exposure = exposeCrossOriginStorage(port1, { storage });
  const bridge = await new Promise((resolve) => { port2.onmessage = (event) => resolve(event.ports[0]); });
  let nextId = 1;
  const replies = new Map();
  bridge.onmessage = (event) => {
    replies.get(event.data?.id)?.(event.data);
    replies.delete(event.data?.id);
  };
  const call = (op, fields) => new Promise((resolve) => {
    const id = nextId++;
    replies.set(id, resolve);
    bridge.postMessage({ ...fields, op, id });
  });
  t.after(() => {
    exposure.close();
    bridge.close();
    port1.close();
    port2.close();
  });
  return { bridge, call };
}

/** A page that answers every call of the worker with `reply(message)`, and the worker's manager connected to it. */
async function fakePage(t, reply) {
  const { port1, port2 } = new MessageChannel();
  const bridge = new MessageChannel();
  port1.postMessage({ [BRIDGE_KEY]: 1, kind: "port", available: true, lockName: "" }, [bridge.port2]);
  bridge.port1.onmessage = (event) => {
    if (event.data?.id) bridge.port1.postMessage(reply(event.data));
  };
  const manager = await connectCrossOriginStorage({ port: port2, timeoutMs: 2000 });
  t.after(() => {
    manager?.disconnect();
    bridge.port1.close();
    port1.close();
    port2.close();
  });
  return manager;
}

test("a worker's abort reason named __proto__, toString or constructor still aborts the page's writable: no entry is left open", async (t) => {
  for (const name of ["__proto__", "toString", "constructor", "x".repeat(5000), 42]) {
    const { store: cos } = createMemoryCos();
    const { bridge, call } = await rawWorker(t, cos.manager());
    const bytes = text(`half written, reason ${String(name).slice(0, 20)}`);
    const handles = await call("handles", { hashes: [hashOf(sha(bytes))], options: { create: true } });
    const writable = (await call("createWritable", { handle: handles.value[0].id })).value;
    bridge.postMessage({ op: "write", writable, data: bytes.slice(0, 5) });
    const reply = await call("abort", { writable, reason: { name, message: "x" } });
    // Before: the page answered "JsError is not a constructor" and never aborted the writable.
    assert.equal(reply.error, undefined, `abort with a reason named ${String(name).slice(0, 20)}`);
    assert.equal(cos.counts.abort, 1);
    assert.equal(cos.get(sha(bytes)), undefined, "no entry left being written");
  }
});

test("a page's error reply named __proto__, constructor or toString (or of no shape) rejects the worker's call with an Error, nothing thrown", async (t) => {
  const uncaught = [];
  const onUncaught = (error) => uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  t.after(() => process.off("uncaughtException", onUncaught));
  const cases = [
    [{ name: "__proto__", message: "no such file" }, "Error", "no such file"],
    [{ name: "constructor", message: "no such file" }, "constructor", "no such file"],
    [{ name: "toString", message: "no such file" }, "toString", "no such file"],
    [{ name: "TypeError", message: "bad hash" }, "TypeError", "bad hash"],
    [{ name: "NotFoundError", message: { text: "not a string" } }, "NotFoundError", /did not describe/],
    [{ name: "N".repeat(100), message: "m".repeat(10000) }, "Error", /^m{2047}…$/],
    ["just a string", "Error", /did not describe/],
    [[1, 2], "Error", /did not describe/],
  ];
  for (const [error, name, message] of cases) {
    const manager = await fakePage(t, ({ id }) => ({ id, error }));
    const outcome = await within(manager.getFileHandle(hashOf("a".repeat(64))).then(() => "resolved", (e) => e));
    assert.ok(outcome instanceof Error || outcome instanceof DOMException, `${JSON.stringify(error).slice(0, 40)} -> ${String(outcome)}`);
    assert.equal(outcome.name, name);
    if (typeof message === "string") assert.equal(outcome.message, message);
    else assert.match(outcome.message, message);
  }
  assert.deepEqual(uncaught, []);
});

test("a page's answer of the wrong shape rejects the handle request with UnknownError", async (t) => {
  for (const value of [undefined, 5, [], [null], "handles"]) {
    const manager = await fakePage(t, ({ id }) => ({ id, value }));
    await assert.rejects(within(manager.getFileHandle(hashOf("a".repeat(64)))), (e) => e.name === "UnknownError", JSON.stringify(value));
  }
});

test("an abort reason that cannot be turned into text (a null-prototype object) still aborts the page's writable", async (t) => {
  const { store: cos } = createMemoryCos();
  const { manager } = await bridged(t, cos.manager());
  const bytes = text("aborted with an odd reason");
  const writable = await (await manager.requestFileHandle(hashOf(sha(bytes)), { create: true })).createWritable();
  const writer = writable.getWriter();
  await writer.write(bytes.slice(0, 4));
  // Before: building the reason threw in the worker, so the abort never reached the page.
  await writer.abort(Object.create(null));
  for (let i = 0; i < 50 && cos.counts.abort === 0; i++) await tick();
  assert.equal(cos.counts.abort, 1);
  assert.equal(cos.get(sha(bytes)), undefined);
});

test("a write or close the page's storage refuses ends that write at once: its writable is aborted, not left open until the worker goes", async (t) => {
  for (const failing of ["write", "close"]) {
    const aborted = [];
    const storage = {
      async requestFileHandle() {
        return {
          kind: "file",
          createWritable: async () => ({
            async write() {
              if (failing === "write") throw new DOMException("disk full", "QuotaExceededError");
            },
            async close() {
              if (failing === "close") throw new DOMException("went away", "InvalidStateError");
            },
            async abort(reason) {
              aborted.push(reason);
            },
          }),
        };
      },
    };
    const { manager } = await bridged(t, storage);
    const writable = await (await manager.requestFileHandle(hashOf("2".repeat(64)), { create: true })).createWritable();
    const writer = writable.getWriter();
    await writer.write(new Uint8Array(8)).catch(() => {});
    await assert.rejects(writer.close(), (e) => e.name === (failing === "write" ? "QuotaExceededError" : "InvalidStateError"));
    for (let i = 0; i < 50 && aborted.length === 0; i++) await tick();
    // Before: the page forgot the writable (a close) or kept it (a write) without aborting it.
    assert.equal(aborted.length, 1, `the page aborted the storage's writable after a failed ${failing}`);
  }
});

test("timeoutMs: Infinity waits for ever, one past setTimeout's range waits its longest (no overflow to 1 ms)", async (t) => {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.name);
  process.on("warning", onWarning);
  t.after(() => process.off("warning", onWarning));
  for (const timeoutMs of [Infinity, 2 ** 31, Number.MAX_VALUE]) {
    const { port1, port2 } = new MessageChannel();
    const { store: cos } = createMemoryCos();
    let exposure;
    const late = setTimeout(() => { exposure = exposeCrossOriginStorage(port1, { storage: cos.manager() }); }, 100);
    const manager = await within(connectCrossOriginStorage({ port: port2, timeoutMs }), 2000);
    clearTimeout(late);
    assert.equal(typeof manager?.getFileHandle, "function", `timeoutMs ${timeoutMs}: the page's COS, exposed after 100 ms`);
    manager.disconnect();
    exposure?.close();
    port1.close();
    port2.close();
  }
  await tick();
  assert.deepEqual(warnings.filter((name) => name === "TimeoutOverflowWarning"), []);
});

test("timeoutMs of the wrong kind, negative or NaN is a TypeError naming the option", async () => {
  const { installCrossOriginStorage } = await import("../../js/index.js");
  for (const timeoutMs of ["1000", -1, NaN, null, {}]) {
    const { port1, port2 } = new MessageChannel();
    await assert.rejects(connectCrossOriginStorage({ port: port2, timeoutMs }), (e) => e instanceof TypeError && /timeoutMs/.test(e.message));
    await assert.rejects(installCrossOriginStorage({ port: port2, timeoutMs }), (e) => e instanceof TypeError && /timeoutMs/.test(e.message));
    port1.close();
    port2.close();
  }
  await assert.rejects(connectCrossOriginStorage({ port: "a port" }), (e) => e instanceof TypeError && /option port/.test(e.message));
  await assert.rejects(connectCrossOriginStorage(null), TypeError);
  const { port1, port2 } = new MessageChannel();
  assert.equal(await connectCrossOriginStorage({ port: port2, timeoutMs: 0 }), null, "0: no wait");
  port1.close();
  port2.close();
});

test("a handshake that says the page has COS but carries no port counts as no COS, and is not remembered", async (t) => {
  const { port1, port2 } = new MessageChannel();
  t.after(() => {
    port1.close();
    port2.close();
  });
  for (const handshake of [
    { available: true, lockName: "" },                 // no port
    { available: "yes", lockName: "" },                // not a boolean
  ]) {
    port1.postMessage({ [BRIDGE_KEY]: 1, kind: "port", ...handshake });
    const started = Date.now();
    // Before: rejected with "Cannot read properties of undefined (reading 'addEventListener')", for good.
    assert.equal(await connectCrossOriginStorage({ port: port2, timeoutMs: 5000 }), null);
    assert.ok(Date.now() - started < 1000, "at once, not after the timeout");
  }
  // A well-formed handshake afterwards is taken.
  const { store: cos } = createMemoryCos();
  const { value } = cos.add("after a malformed handshake");
  const exposure = exposeCrossOriginStorage(port1, { storage: cos.manager() });
  t.after(() => exposure.close());
  const manager = await connectCrossOriginStorage({ port: port2, timeoutMs: 2000 });
  t.after(() => manager?.disconnect());
  assert.equal(await (await (await manager.getFileHandle(hashOf(value))).getFile()).text(), "after a malformed handshake");
});

test("a worker that goes away while the page creates its writable leaves none open: the late writable is aborted", async (t) => {
  const aborted = [];
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  const storage = {
    async requestFileHandle() {
      return {
        kind: "file",
        createWritable: async () => {
          await gate;
          return { async write() {}, async close() {}, async abort(reason) { aborted.push(reason?.name); } };
        },
      };
    },
  };
  const { manager } = await bridged(t, storage);
  const handle = await manager.requestFileHandle(hashOf("3".repeat(64)), { create: true });
  const creating = handle.createWritable();
  await tick();
  manager.disconnect();
  await assert.rejects(creating, (e) => e.name === "InvalidStateError");
  await tick();
  open();
  for (let i = 0; i < 50 && aborted.length === 0; i++) await tick();
  // Before: the page kept a writable created after the worker's port closed, open for good.
  assert.deepEqual(aborted, ["AbortError"]);
});

test(`a long-lived worker's stores leave the page holding at most ${HANDLES_KEPT} of its create handles`, async (t) => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const { store: cos } = createMemoryCos();
  const inner = cos.manager();
  // Each create handle the page is given is a new object, referenced by nothing but the bridge.
  const alive = [];
  const storage = {
    async requestFileHandle(hash, options) {
      const handle = await inner.requestFileHandle(hash, options);
      if (!options?.create) return handle;
      const outer = { kind: "file", name: handle.name, createWritable: () => handle.createWritable() };
      alive.push(new WeakRef(outer));
      return outer;
    },
  };
  const { manager } = await bridged(t, storage);
  const files = HANDLES_KEPT + 300;
  for (let i = 0; i < files; i++) await store(manager, text(`file ${i}`));
  assert.equal(cos.entries().length, files);
  for (let round = 0; round < 3; round++) {
    await tick();
    gc();
  }
  const held = alive.filter((ref) => ref.deref() !== undefined).length;
  assert.ok(held <= HANDLES_KEPT, `the page still holds ${held} of ${files} create handles`);
  // The newest is still there for a second createWritable() of its handle.
  assert.ok(alive.at(-1).deref() !== undefined);
});
