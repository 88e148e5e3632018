// The file hasher: one file hashed by our wasm SHA-256 (1 MiB slices, streaming) and by
// crypto.subtle.digest (which needs the whole file in memory), with times, speeds and a verdict.
import { createSha256 } from "/js/index.js";
import { $, formatBytes, formatDuration, formatSpeed } from "./format.js";

const CHUNK = 1 << 20;
/** crypto.subtle.digest takes one buffer: above this the comparison is skipped. */
const SUBTLE_LIMIT = 1 << 30;

let current = 0;  // bumps with each new file, so a slower earlier run stops updating the page

function row(id) {
  const tr = $(id);
  return {
    tr,
    hash: tr.querySelector(".hash-cell"),
    fill: tr.querySelector(".fill"),
    time: tr.querySelector(".time"),
    speed: tr.querySelector(".speed"),
    reset() {
      tr.dataset.status = "idle";
      tr.dataset.hash = "";
      this.hash.textContent = "–";
      this.hash.title = "";
      this.fill.style.width = "0%";
      this.time.textContent = "–";
      this.speed.textContent = "–";
    },
    progress(fraction) {
      this.fill.style.width = `${Math.min(1, fraction) * 100}%`;
    },
    finish(hex, bytes, ms) {
      tr.dataset.status = "done";
      tr.dataset.hash = hex;
      this.hash.textContent = hex;
      this.hash.title = hex;
      this.fill.style.width = "100%";
      this.time.textContent = formatDuration(ms);
      this.speed.textContent = formatSpeed(bytes, ms);
    },
  };
}

async function hashWithWasm(file, out, run) {
  const t0 = performance.now();
  const hasher = await createSha256();
  let lastPaint = 0;
  const read = (offset) => (offset < file.size
    ? file.slice(offset, Math.min(offset + CHUNK, file.size)).arrayBuffer()
    : null);
  let next = read(0);
  for (let offset = 0; offset < file.size; offset += CHUNK) {
    const bytes = new Uint8Array(await next);
    next = read(offset + CHUNK);  // the next slice is read while this one is hashed
    if (run !== current) {
      hasher.digest();  // frees it
      return null;
    }
    hasher.update(bytes);
    const now = performance.now();
    if (now - lastPaint > 50) {
      lastPaint = now;
      const done = offset + bytes.byteLength;
      out.progress(done / file.size);
      out.speed.textContent = formatSpeed(done, now - t0);
      out.time.textContent = formatDuration(now - t0);
    }
  }
  const hex = hasher.digest();
  return { hex, ms: performance.now() - t0 };
}

async function hashWithSubtle(file, out) {
  const t0 = performance.now();
  const buffer = await file.arrayBuffer();
  out.progress(0.5);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return { hex, ms: performance.now() - t0 };
}

async function hashFile(file) {
  const run = ++current;
  const wasm = row("h-wasm");
  const subtle = row("h-subtle");
  const verdict = $("hash-verdict");
  wasm.reset();
  subtle.reset();
  verdict.className = "verdict";
  verdict.textContent = "Hashing…";
  $("file-name").textContent = `${file.name} · ${formatBytes(file.size)}`;
  document.body.dataset.hasher = "running";

  const ours = await hashWithWasm(file, wasm, run);
  if (!ours) return;
  wasm.finish(ours.hex, file.size, ours.ms);

  if (file.size > SUBTLE_LIMIT) {
    subtle.hash.textContent = `skipped: crypto.subtle.digest needs the whole file (${formatBytes(file.size)}) in memory`;
    verdict.textContent = "";
    document.body.dataset.hasher = "done";
    return;
  }
  const theirs = await hashWithSubtle(file, subtle);
  if (run !== current) return;
  subtle.finish(theirs.hex, file.size, theirs.ms);
  const match = ours.hex === theirs.hex;
  verdict.className = `verdict ${match ? "match" : "mismatch"}`;
  const ratio = ours.ms > 0 && theirs.ms > 0 ? ` The wasm hasher took ${(ours.ms / theirs.ms).toFixed(2)}× WebCrypto's time.` : "";
  verdict.textContent = match ? `✓ The two hashes match.${ratio}` : "✗ The two hashes differ.";
  document.body.dataset.hasher = match ? "match" : "mismatch";
}

export function setupHasher() {
  const input = $("file-input");
  const drop = $("drop");
  const take = (file) => {
    if (file) hashFile(file).catch((error) => {
      $("hash-verdict").className = "verdict mismatch";
      $("hash-verdict").textContent = `Hashing failed: ${error?.message ?? error}`;
      document.body.dataset.hasher = "error";
    });
  };
  input.addEventListener("change", () => take(input.files?.[0]));
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    take(event.dataTransfer?.files?.[0]);
  });
}
