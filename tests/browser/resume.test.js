// Resuming a download in real browsers with the hub on another origin, as huggingface.co is for
// an app: the range request for the rest (`Range: bytes=<n>-`, a CORS-safelisted header) needs no
// preflight, and the 206's Content-Range and ETag are readable across origins. Without COS a file
// of up to one shard's size is read whole (response.blob()): a break-off there cannot resume from
// where it stopped, so the file is asked for once more, streamed.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { seededBytes } from "../../local-hub/index.js";
import { cleanups } from "./helpers.js";

const MIB = 1024 * 1024;

const breakOffs = [
  // Larger than a shard: streamed through the page, resumed with a range request.
  { name: "is resumed", shardSize: 32 * MIB + 3, resumed: { range: /^bytes=\d+-\d*$/, status: 206 } },
  // A shard's size at most: read whole, so asked for again whole (streamed this time).
  { name: "read whole is asked for again", shardSize: 4 * MIB, resumed: { range: /^$/, status: 200 } },
];
for (const browserName of BROWSERS) for (const { name, shardSize, resumed } of breakOffs) test(`${browserName}: a download from another origin that breaks off ${name} without a preflight`, { timeout: 120_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 1, shardSize });
  defer(() => hub.close());
  const app = await startSite({ shards: 0 });  // the page's origin: another port
  defer(() => app.close());
  assert.notEqual(new URL(hub.url).origin, new URL(app.url).origin);
  const browser = await launchBrowser({ browser: browserName });
  defer(() => browser.close());
  const page = await browser.open(app.url + BLANK_PAGE, { ignore: [/Failed to load resource/] });

  const shard = hub.model.files.find((f) => f.lfs);
  hub.setFault((req) => req.kind === "resolve" && req.path === shard.path, { resetAfterBytes: 2 * MIB, times: 1 });
  hub.resetCounters();
  hub.log.length = 0;
  const result = await evaluateModule(page, "/js/index.js", async (m, { url }) => {
    const events = [];
    const cache = await m.createCrossOriginCache({ scope: "resume-cross-origin", onError: (e) => events.push(e.kind) });
    const bytes = await cache.fetchWithCache(url, "arraybuffer");
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return { hex, size: bytes.byteLength, events, stats: cache.stats() };
  }, { url: shard.url });

  assert.equal(result.hex, shard.sha256);
  assert.equal(result.size, shard.size);
  assert.deepEqual(result.events, ["download-resumed"]);
  assert.equal(result.stats.resumedDownloads, 1);
  assert.equal(result.stats.storage, "fallback");
  const requests = hub.log.filter((entry) => entry.kind === "resolve" && entry.path === shard.path);
  assert.equal(requests.length, 2, JSON.stringify(requests));
  assert.match(requests[1].range ?? "", resumed.range);
  assert.equal(requests[1].status, resumed.status);
  assert.equal(hub.counters.preflight, 0, "no CORS preflight, for the range request or any other");
  t.diagnostic(`resumed with ${requests[1].range}; hub requests: ${hub.log.map((e) => `${e.method} ${e.kind}${e.range ? ` (${e.range})` : ""}`).join(", ")}`);
  page.errors.assertNone();
});

// Paced: "auto" paces in Firefox (its fetch bodies lack backpressure); Chromium is told to. Each
// bounded range (`bytes=<n>-<m>`, also CORS-safelisted) needs no preflight either, and a break-off
// is resumed with a range of one segment at most, so the pace holds.
for (const browserName of BROWSERS) test(`${browserName}: a paced download from another origin: bounded ranges, a break-off resumed as one of them, no preflight`, { timeout: 120_000 }, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 0 });
  defer(() => hub.close());
  const app = await startSite({ shards: 0 });
  defer(() => app.close());
  const browser = await launchBrowser({ browser: browserName });
  defer(() => browser.close());
  const page = await browser.open(app.url + BLANK_PAGE, { ignore: [/Failed to load resource/] });
  const segment = await evaluateModule(page, "/js/index.js", async (m) => (await m.loadCore()).pacedSegmentBytes);
  const size = 2 * segment + MIB + 3;
  hub.addRepo({ id: "test-org/paced", files: [{ path: "big.bin", size, generate: seededBytes(9, "big.bin") }] });
  const file = await hub.fileInfo("test-org/paced", "big.bin");
  hub.setFault((req) => req.kind === "resolve" && req.range?.startsWith(`bytes=${segment}-`), { resetAfterBytes: MIB, times: 1 });
  hub.log.length = 0;
  const result = await evaluateModule(page, "/js/index.js", async (m, { url, paced }) => {
    const events = [];
    const cache = await m.createCrossOriginCache({ scope: "paced-cross-origin", pacedDownloads: paced, onError: (e) => events.push(e.kind) });
    const bytes = await cache.fetchWithCache(url, "arraybuffer");
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return { hex, size: bytes.byteLength, events, stats: cache.stats() };
  }, { url: file.url, paced: browserName === "firefox" ? "auto" : true });

  assert.equal(result.hex, file.sha256);
  assert.equal(result.size, size);
  assert.deepEqual(result.events, ["download-resumed"]);
  assert.equal(result.stats.stored, 1);
  const requests = hub.log.filter((entry) => entry.kind === "resolve" && entry.path === "big.bin");
  const ranges = requests.map((r) => r.range);
  assert.equal(ranges.length, 4, JSON.stringify(ranges));
  assert.equal(ranges[0], `bytes=0-${segment - 1}`);
  assert.equal(ranges[1], `bytes=${segment}-${2 * segment - 1}`);
  const resumedAt = Number(/^bytes=(\d+)-/.exec(ranges[2])?.[1]);
  // Where it stopped depends on how much of the cut segment reached the page before the reset
  // (none of it, under load): anywhere from the segment's start to the cut.
  assert.ok(resumedAt >= segment && resumedAt <= segment + MIB, ranges[2]);
  assert.equal(ranges[2], `bytes=${resumedAt}-${resumedAt + segment - 1}`, "resumed with one segment at most");
  assert.equal(ranges[3], `bytes=${resumedAt + segment}-${size - 1}`);
  assert.deepEqual(requests.map((r) => r.status), [206, 206, 206, 206]);
  assert.equal(hub.counters.preflight, 0, "no CORS preflight");
  page.errors.assertNone();
});
