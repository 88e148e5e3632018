// A URL string is one file whatever its spelling: the cache keys it as fetch and the Cache API
// request it (the URL parser's form), so dot segments, unescaped characters and default ports
// neither split one file into two records nor hide a branch URL from revalidation.
import { test } from "node:test";
import assert from "node:assert/strict";

import { cacheOn, fallbackEntries, hubFor, stores } from "../support/cache-setup.js";

const text = async (cache, url) => Buffer.from(await cache.fetchWithCache(url, "arraybuffer")).toString();

test("spellings of one URL share one record and one entry; deleting either spelling deletes the file", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  hub.addRepo({ id: "org/spell", files: [
    { path: "tök{1}.bin", bytes: "spelled bytes ".repeat(40), lfs: true },
    { path: "w.bin", bytes: "weights ".repeat(40), lfs: true },
  ] });
  const port = new URL(hub.url).port;
  const spellings = [
    [`${hub.url}/org/spell/resolve/main/tök{1}.bin`, new URL(`${hub.url}/org/spell/resolve/main/tök{1}.bin`).href],
    [`${hub.url}/org/spell/resolve/main/x/%2E%2E/./w.bin`, `${hub.url}/org/spell/resolve/main/w.bin`],
    [`http://localhost:0${port}/org/spell/resolve/main/w.bin`, `${hub.url}/org/spell/resolve/main/w.bin`],
  ];
  for (const [spelled, canonical] of spellings) {
    const { caches } = stores();
    const { cache } = await cacheOn({ caches });
    assert.equal(await text(cache, spelled), await (await fetch(canonical)).text());
    hub.resetCounters();
    assert.ok(await cache.match(canonical), `${canonical} is what ${spelled} stored`);
    assert.deepEqual(await cache.resolveHashDetails([canonical]).then((d) => d.map((r) => r.source)), ["memory"]);
    assert.equal(hub.counters.requests, 0);
    assert.equal(await cache.delete(canonical), true);
    assert.equal(await cache.match(spelled), undefined, "deleted under the other spelling too");
    assert.equal(await fallbackEntries(caches), 0, "its bytes are gone");
  }
});

test("a branch URL spelled with dot segments is revalidated after maxAge like its plain spelling", async (t) => {
  const hub = await hubFor(t, { shards: 1 });
  const repo = hub.addRepo({ id: "org/moving", files: [
    { path: "config.json", bytes: '{"v":1}' },
    { path: "w.bin", bytes: "weights v1 ".repeat(50), lfs: true },
  ] });
  const realNow = Date.now;
  let now = realNow();
  Date.now = () => now;
  t.after(() => { Date.now = realNow; });
  const { caches, cos } = stores();
  const { cache } = await cacheOn({ caches, storage: cos.store.manager(), maxAge: 60_000 });
  const dotted = (file) => file.url.replace("/resolve/main/", "/resolve/main/./");
  for (const file of repo.files) await text(cache, dotted(file));
  hub.commit("org/moving", { "config.json": '{"v":2}', "w.bin": { bytes: "weights v2 ".repeat(50), lfs: true } });
  now += 24 * 3600_000;
  assert.equal(await text(cache, dotted(repo.files[0])), '{"v":2}');
  assert.equal((await text(cache, dotted(repo.files[1]))).slice(0, 11), "weights v2 ");
});
