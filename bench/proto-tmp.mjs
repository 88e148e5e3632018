import { createSha256, loadCore } from "../js/index.js";
import { createSHA256 } from "hash-wasm";
import { randomBytes, createHash } from "node:crypto";
const MiB = 1<<20; const buf = randomBytes(16*MiB);
const chunks = Array.from({length:16},(_,i)=>new Uint8Array(buf.buffer, buf.byteOffset+i*MiB, MiB));
const N=256;
async function t(name, f){ const s=performance.now(); const d=await f(); const ms=performance.now()-s; console.log(name, (N*MiB/1e6/(ms/1000)).toFixed(1),"MB/s", d.slice(0,12)); }
const hw = await createSHA256(); const core = await loadCore();
for (let r=0;r<2;r++){
await t("ours", async()=>{const h=await createSha256(); for(let i=0;i<N;i++) h.update(chunks[i%16]); return h.digest();});
await t("hw", async()=>{hw.init(); for(let i=0;i<N;i++) hw.update(chunks[i%16]); return hw.digest();});
await t("direct", async()=>{const h=new core.Sha256(); for(let i=0;i<N;i++){const c=chunks[i%16]; core.scratchView(MiB).set(c); h.updateFromScratch(MiB);} const d=h.finishHex(); h.delete(); return d;});
await t("hashonly", async()=>{const h=new core.Sha256(); core.scratchView(MiB); for(let i=0;i<N;i++){ h.updateFromScratch(MiB);} const d=h.finishHex(); h.delete(); return d;});
await t("copyonly", async()=>{const v=core.scratchView(MiB); for(let i=0;i<N;i++){ v.set(chunks[i%16]);} return "-";});
await t("node", async()=>{const h=createHash("sha256"); for(let i=0;i<N;i++) h.update(chunks[i%16]); return h.digest("hex");});
}
