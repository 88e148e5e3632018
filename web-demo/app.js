// The demo page: loads every file of the model through cross-origin-cache and shows, per file, where
// its hash and its bytes came from; plus a file hasher comparing our wasm SHA-256 with WebCrypto.
// Plain ES modules, no build step. Test hooks: body[data-state], tr[data-*] in #files.
import { createPageLoader, createWorkerLoader } from "./loaders.js";
import { setupHasher } from "./hasher.js";
import { $, el, formatBytes, formatDuration, shortHash } from "./format.js";

const params = new URLSearchParams(location.search);
const MODEL_LIST = params.get("model") ?? "/demo-data/demo-model.json";
const AUTOLOAD_KEY = "cross-origin-cache-demo:autoload";
const MAPPINGS_STORE = "cross-origin-cache-cos-hash-meta";
const LOADER_PARAM = "in"; // ?in=worker runs the loader in a dedicated worker

const state = {
  model: null,
  loader: null,
  simulatedCos: false,
  rows: [],
  busy: false,
};

// ---- the table -------------------------------------------------------------------------------

function makeRow(file) {
  const hashCell = el("td", { class: "hash-cell" }, "–");
  const hashFrom = el("td", {}, "–");
  const bytesFrom = el("td", {}, "–");
  const fill = el("div", { class: "fill" });
  const status = el("td", { class: "st st-queued" }, "not loaded");
  const name = el("td", { class: "name", title: file.url }, file.name);
  if (file.library) name.append(el("span", { class: "lib" }, "model library"));
  const tr = el("tr", { "data-path": file.name, "data-status": "idle" }, [
    name,
    el("td", { class: "num" }, formatBytes(file.size)),
    hashCell,
    hashFrom,
    bytesFrom,
    el("td", {}, el("div", { class: "bar" }, fill)),
    status,
  ]);
  return { file, url: file.url, tr, hashCell, hashFromCell: hashFrom, bytesFromCell: bytesFrom, fill, statusCell: status };
}

function setStatus(row, kind, text) {
  row.tr.dataset.status = kind;
  row.statusCell.className = `st st-${kind === "done" ? "done" : kind === "error" ? "error" : kind === "idle" || kind === "queued" ? "queued" : "active"}`;
  row.statusCell.textContent = text;
}

function setProgress(row, fraction) {
  row.fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
}

function setHash(row, value) {
  row.tr.dataset.hash = value ?? "";
  row.hashCell.replaceChildren();
  if (!value) {
    row.hashCell.textContent = "–";
    return;
  }
  const expected = row.file.sha256;
  row.hashCell.append(el("span", { title: value }, shortHash(value)));
  if (expected) {
    row.hashCell.append(value === expected
      ? el("span", { class: "ok", title: "equals the SHA-256 the hub reports for this file" }, "✓")
      : el("span", { class: "bad", title: `the hub reports ${expected}` }, "✗"));
  }
}

function setBadge(cell, datasetKey, row, prefix, value, label = value) {
  row.tr.dataset[datasetKey] = value ?? "";
  cell.replaceChildren(value ? el("span", { class: `badge ${prefix}-${value}` }, label) : "–");
}

function resetRows() {
  for (const row of state.rows) {
    setStatus(row, "queued", "queued");
    setProgress(row, 0);
    setHash(row, null);
    setBadge(row.hashFromCell, "hashSource", row, "src", null);
    setBadge(row.bytesFromCell, "bytesSource", row, "bytes", null);
  }
}

// ---- page status and counters ----------------------------------------------------------------

function pageState(value, message) {
  document.body.dataset.state = value;
  if (message !== undefined) $("status").textContent = message;
}

function setCounter(id, value, detail = "") {
  $(id).textContent = value;
  $(`${id}-detail`).textContent = detail;
}

async function showStats() {
  $("raw-stats").textContent = JSON.stringify(await state.loader.stats(), null, 2);
}

function reportError(event) {
  // Not a failure: the connection broke off and the rest came with a range request.
  const row = event.kind === "download-resumed" ? state.rows.find((r) => r.url === event.url) : undefined;
  if (row) row.tr.dataset.resumed = String(Number(row.tr.dataset.resumed ?? 0) + 1);
  const list = $("events");
  list.append(el("li", {}, `${event.kind}: ${event.message} (${event[event.subject]})`));
  $("events-count").textContent = String(list.children.length);
  $("events-box").hidden = false;
}

function onProgress(event) {
  if (event.phase !== "download") return;
  const row = state.rows.find((r) => r.url === event.url);
  if (!row || row.tr.dataset.status === "done") return;
  const total = event.total ?? row.file.size;
  setProgress(row, total ? event.loaded / total : 0);
  setStatus(row, "downloading", `downloading ${total ? Math.floor((event.loaded / total) * 100) : 0}%`);
}

function setBusy(busy) {
  state.busy = busy;
  for (const id of ["load", "reload", "clear", "loader-place"]) $(id).disabled = busy || !state.loader;
}

// ---- loading ---------------------------------------------------------------------------------

const storageLabel = () => (state.loader.storageKind === "fallback" ? "fallback" : "cos");

function onReport(type, detail) {
  const row = state.rows[detail.index];
  if (type === "resolved") {
    if (detail.hash) setHash(row, detail.hash);
    setBadge(row.hashFromCell, "hashSource", row, "src", detail.source);
    setStatus(row, "queued", detail.hash ? "hash known" : "hash from bytes");
    if (detail.index === state.rows.length - 1) pageState("loading", "Loading the bytes…");
  } else if (type === "loading") {
    setStatus(row, "loading", "loading");
  } else if (type === "loaded") {
    const source = detail.fromNetwork ? "network" : storageLabel();
    setBadge(row.bytesFromCell, "bytesSource", row, "bytes", source, source === "cos" ? "COS" : source);
    if (detail.contentHash) {
      setHash(row, detail.contentHash);
      setBadge(row.hashFromCell, "hashSource", row, "src", "content");
    }
    row.tr.dataset.loadedBytes = String(detail.bytes);
    setProgress(row, 1);
    const resumed = Number(row.tr.dataset.resumed ?? 0);
    setStatus(row, "done", resumed ? `done (resumed ×${resumed})` : "done");
  } else if (type === "failed") {
    setStatus(row, "error", detail.message);
  }
}

async function loadModel() {
  if (state.busy) return;
  setBusy(true);
  resetRows();
  const urls = state.rows.map((row) => row.url);
  const t0 = performance.now();
  const tick = setInterval(() => setCounter("c-elapsed", formatDuration(performance.now() - t0), "running…"), 100);
  pageState("loading", `Resolving the hashes of ${urls.length} files${state.loader.where === "worker" ? " in a worker" : ""}…`);
  for (const row of state.rows) setStatus(row, "resolving", "resolving");
  let result;
  try {
    result = await state.loader.load(urls, onReport);
  } catch (error) {
    result = { error: String(error?.message ?? error) };
  } finally {
    clearInterval(tick);
  }
  if (result.error) {
    pageState("error", `Loading failed: ${result.error}`);
    setBusy(false);
    return;
  }

  const { before, after, elapsedMs: elapsed, resolveMs } = result;
  const requestsOf = (kind) => after.resolutionRequests[kind] - before.resolutionRequests[kind];
  const listings = requestsOf("listing");
  const batches = listings + requestsOf("pathsInfo");
  const pointers = requestsOf("pointer");
  const rowsFrom = (kind) => state.rows.filter((row) => row.tr.dataset.bytesSource === kind);
  const fromNetwork = rowsFrom("network");
  const fromStorage = rowsFrom(storageLabel());
  const failed = state.rows.filter((row) => row.tr.dataset.status === "error").length;
  const storageBytes = fromStorage.reduce((sum, row) => sum + row.file.size, 0);
  setCounter("c-resolution", String(batches + pointers), `${listings} listing · ${batches - listings} paths-info · ${pointers} pointer`);
  setCounter("c-downloaded", formatBytes(after.bytesDownloaded - before.bytesDownloaded), `${fromNetwork.length} file${fromNetwork.length === 1 ? "" : "s"} from the network`);
  setCounter("c-storage", formatBytes(storageBytes), `${fromStorage.length} file${fromStorage.length === 1 ? "" : "s"} from ${storageLabel() === "cos" ? "COS" : "the fallback store"}`);
  setCounter("c-elapsed", formatDuration(elapsed), `hashes ${formatDuration(resolveMs)} · bytes ${formatDuration(elapsed - resolveMs)}`);
  document.body.dataset.resolutionRequests = String(batches + pointers);
  await showStats();
  if (failed) pageState("error", `${failed} of ${state.rows.length} files failed to load.`);
  else {
    const warm = batches + pointers === 0 && fromNetwork.length === 0;
    pageState("done", warm
      ? `Done: all ${state.rows.length} files came from storage, with no hash-resolution request and no download.`
      : `Done: ${state.rows.length} files loaded — ${fromNetwork.length} from the network, ${fromStorage.length} from storage.`);
  }
  setBusy(false);
}

async function clearMappings() {
  if (state.busy) return;
  setBusy(true);
  try {
    const deleted = await caches.delete(MAPPINGS_STORE);
    // A fresh cache instance also forgets the hashes it holds in memory.
    await state.loader.reset();
    clearResults();
    await showStats();
    pageState("idle", deleted
      ? "Persisted URL→hash records deleted. The next load resolves hashes again; stored bytes stay (sites cannot delete COS entries)."
      : "There were no persisted URL→hash records to delete.");
  } finally {
    setBusy(false);
  }
}

function clearResults() {
  resetRows();
  for (const row of state.rows) setStatus(row, "idle", "not loaded");
  for (const id of ["c-resolution", "c-downloaded", "c-storage", "c-elapsed"]) setCounter(id, "–");
}

/** Starts the loader where `where` says ("page" or "worker"), replacing the current one. */
async function useLoader(where) {
  state.loader?.close();
  state.loader = null;
  const hooks = { onProgress, onError: reportError };
  state.loader = where === "worker" ? await createWorkerLoader(hooks) : await createPageLoader(hooks);
  document.body.dataset.loader = state.loader.where;
  $("loader-place").value = state.loader.where;
  const url = new URL(location.href);
  if (where === "worker") url.searchParams.set(LOADER_PARAM, "worker");
  else url.searchParams.delete(LOADER_PARAM);
  history.replaceState(null, "", url); // so "Reload & load" keeps the choice
}

// ---- start -----------------------------------------------------------------------------------

function describeEnvironment() {
  const { model, loader } = state;
  const kind = loader.storageKind;
  document.body.dataset.storage = kind;
  $("storage-kind").textContent = kind === "cross-origin-storage" ? "Cross-Origin Storage" : kind === "fallback" ? "Same-origin fallback" : "No storage";
  const where = loader.where === "worker"
    ? kind === "cross-origin-storage" ? " The loader's worker borrows this page's storage (exposeCrossOriginStorage)." : " The loader runs in a worker."
    : "";
  $("storage-detail").textContent = (kind === "cross-origin-storage"
    ? state.simulatedCos
      ? "Simulated for this demo by a local backend, shared by every origin of the demo (navigator.crossOriginStorage)."
      : "navigator.crossOriginStorage is present: stored files can be shared with other sites."
    : kind === "fallback"
      ? "No navigator.crossOriginStorage here: bytes are kept by hash in this origin's Cache API."
      : "No Cross-Origin Storage and no Cache API: every load downloads.") + where;
  $("origin").textContent = location.origin;
  const others = (model.origins ?? []).filter((origin) => origin !== location.origin);
  const detail = $("origin-detail");
  detail.replaceChildren();
  if (others.length && kind === "cross-origin-storage") {
    detail.append("The same demo on another origin: ",
      el("a", { href: `${others[0]}/` }, others[0]), ". Both use the same storage: what one stores, the other reuses.");
  } else {
    detail.textContent = "URL→hash records are kept per origin (Cache API).";
  }
  const total = model.files.reduce((sum, f) => sum + f.size, 0);
  $("model-name").textContent = `${model.repo}@${model.revision}`;
  $("model-detail").textContent = `${model.files.length} files · ${formatBytes(total)} · commit ${model.commit.slice(0, 7)} · hub ${model.hub}`;
}

async function start() {
  setupHasher();
  try {
    const response = await fetch(MODEL_LIST, { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    state.model = await response.json();
  } catch (error) {
    pageState("error", `Could not read the model list ${MODEL_LIST} (${error?.message ?? error}). Start the demo with “npm start”.`);
    return;
  }
  if (state.model.cosBackend && !navigator.crossOriginStorage) {
    const { installCrossOriginStorage } = await import("/tests/support/cos-page-polyfill.js");
    state.simulatedCos = installCrossOriginStorage({ backend: state.model.cosBackend });
  }
  state.rows = state.model.files.map(makeRow);
  $("files").tBodies[0].replaceChildren(...state.rows.map((row) => row.tr));
  await useLoader(params.get(LOADER_PARAM) === "worker" ? "worker" : "page");
  describeEnvironment();
  await showStats();
  $("loader-place").addEventListener("change", async (event) => {
    setBusy(true);
    try {
      await useLoader(event.target.value);
      clearResults();
      describeEnvironment();
      await showStats();
      pageState("idle", `The loader now runs in ${state.loader.where === "worker" ? "a dedicated worker" : "this page"}.`);
    } catch (error) {
      pageState("error", `Could not start the loader: ${error?.message ?? error}`);
    } finally {
      setBusy(false);
    }
  });
  $("load").addEventListener("click", loadModel);
  $("reload").addEventListener("click", () => {
    sessionStorage.setItem(AUTOLOAD_KEY, "1");
    location.reload();
  });
  $("clear").addEventListener("click", clearMappings);
  setBusy(false);
  pageState("idle", "Ready. “Load model” resolves every file's hash, then loads its bytes.");
  if (sessionStorage.getItem(AUTOLOAD_KEY)) {
    sessionStorage.removeItem(AUTOLOAD_KEY);
    await loadModel();
  }
}

start().catch((error) => {
  pageState("error", `The demo failed to start: ${error?.message ?? error}`);
  console.error(error);
});
