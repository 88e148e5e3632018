// Each line marked EXPECT-ERROR must be a type error; tests/clients/typescript.test.js checks that
// tsc reports exactly these lines and no others.
import { createCrossOriginCache, exposeCrossOriginStorage, loadCore, sha256, type CrossOriginCacheOptions, type HashDescriptor } from "cross-origin-cache";
import type { ArtifactCacheTemplate, TensorCacheAccessOptions } from "@mlc-ai/web-runtime";

export async function wrong(): Promise<void> {
  const hex: number = await sha256(new Uint8Array(1)); // EXPECT-ERROR TS2322
  await sha256("not bytes"); // EXPECT-ERROR TS2345
  const badOrigins: CrossOriginCacheOptions = { origins: "https://one.example" }; // EXPECT-ERROR TS2322
  const badScope: CrossOriginCacheOptions = { scope: 42 }; // EXPECT-ERROR TS2322
  const typo: CrossOriginCacheOptions = { importLegacyStores: false }; // EXPECT-ERROR TS2561
  const badPacing: CrossOriginCacheOptions = { pacedDownloads: "always" }; // EXPECT-ERROR TS2322
  const cache = await createCrossOriginCache({ maxAge: "1h" }); // EXPECT-ERROR TS2322
  const descriptor: HashDescriptor = { algorithm: "SHA-1", value: "" }; // EXPECT-ERROR TS2322
  await cache.fetchWithCache(new URL("https://x.example/")); // EXPECT-ERROR TS2769
  const notTemplate: ArtifactCacheTemplate = { fetchWithCache: cache.fetchWithCache }; // EXPECT-ERROR TS2739
  const access: TensorCacheAccessOptions = { artifactCache: { match: cache.match } }; // EXPECT-ERROR TS2353
  cache.stats().hits.nope; // EXPECT-ERROR TS2339
  exposeCrossOriginStorage("worker.js"); // EXPECT-ERROR TS2345
  const core = await loadCore();
  new core.Resolver().resolution("https://x.example/a", "now", false, 0, ""); // EXPECT-ERROR TS2345
  new core.Resolver({ maxAgeOther: 1 }); // EXPECT-ERROR TS2353
  const action: string = new core.Resolver().resolution("https://x.example/a", 0, false, 0, "").next().action; // EXPECT-ERROR TS2322
  console.log(hex, badOrigins, badScope, typo, descriptor, notTemplate, access, action);
}
