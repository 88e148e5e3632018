// The wasm SHA-256 in a real page equals Node's crypto for random data of many sizes (block and
// padding edges, the 1 MiB piece size of the JS layer), in one call and fed in odd chunks.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BLANK_PAGE, BROWSERS, evaluateModule, launchBrowser, startSite } from "../support/browser.js";
import { cleanups } from "./helpers.js";
import { seededData, sha256Hex } from "../support/test-data.js";

const MIB = 1 << 20;
const SIZES = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4095, 65536, MIB - 1, MIB, MIB + 1, 3 * MIB + 17];

for (const browserName of BROWSERS) test(`${browserName}: wasm SHA-256 in the page equals Node's crypto`, async (t) => {
  const defer = cleanups((fn) => t.after(fn));
  const hub = await startSite({ shards: 0 });
  defer(() => hub.close());
  const browser = await launchBrowser({ browser: browserName });
  defer(() => browser.close());
  const page = await browser.open(hub.url + BLANK_PAGE);

  const cases = SIZES.map((size, i) => ({ size, seed: i + 1 }));
  const expected = cases.map(({ size, seed }) => sha256Hex(seededData(size, seed)));
  const got = await evaluateModule(page, "/js/index.js", async (m, { cases, generator }) => {
    const make = new Function(`return (${generator});`)();
    const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    const out = [];
    let k = 0;
    for (const { size, seed } of cases) {
      const data = make(size, seed);  // the same source as in Node
      const oneShot = await m.sha256(data);
      // Odd chunk sizes, crossing 64-byte blocks and the 1 MiB pieces; an ArrayBuffer and a DataView too.
      const hasher = await m.createSha256();
      let offset = 0;
      const steps = [1, 63, 65, 1000, 4097, 1048575, 1048577];
      while (offset < size) {
        const n = Math.min(steps[k++ % steps.length], size - offset);
        const piece = data.subarray(offset, offset + n);
        if (k % 3 === 0) hasher.update(piece.slice().buffer);
        else if (k % 3 === 1) hasher.update(new DataView(piece.buffer, piece.byteOffset, piece.byteLength));
        else hasher.update(piece);
        offset += n;
      }
      const chunked = hasher.digest();
      const subtle = hex(await crypto.subtle.digest("SHA-256", data));
      out.push({ oneShot, chunked, subtle });
    }
    return out;
  }, { cases, generator: seededData.toString() });

  for (let i = 0; i < cases.length; i++) {
    const size = cases[i].size;
    assert.equal(got[i].oneShot, expected[i], `one call, ${size} bytes`);
    assert.equal(got[i].chunked, expected[i], `chunked, ${size} bytes`);
    assert.equal(got[i].subtle, expected[i], `WebCrypto agrees on the data, ${size} bytes`);
  }
  page.errors.assertNone();
  t.diagnostic(`${cases.length} sizes from 0 to ${SIZES.at(-1)} bytes agree with node:crypto`);
});
