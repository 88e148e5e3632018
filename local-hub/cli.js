// `node local-hub/cli.js --port 8080 [--host localhost] [--shards 8] [--shard-size 262144]
//   [--seed 1] [--net loopback|broadband|far] [--static /demo/=web-demo] [--log]`:
// starts a hub and prints its URL on stdout; Ctrl-C stops it.
import { parseArgs } from "node:util";
import { startHub } from "./index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "localhost" },
    shards: { type: "string", default: "8" },
    "shard-size": { type: "string", default: String(256 * 1024) },
    seed: { type: "string", default: "1" },
    static: { type: "string", multiple: true, default: [] },
    log: { type: "boolean", default: false },
    net: { type: "string", default: "loopback" },
  },
});
try {
  const hub = await startHub({
    network: values.net,
    port: Number(values.port),
    host: values.host,
    shards: Number(values.shards),
    shardSize: Number(values["shard-size"]),
    seed: values.seed,
    log: values.log,
    static: values.static.map((spec) => {
      const at = spec.indexOf("=");
      if (at < 0) throw new Error(`--static wants PREFIX=DIR, got ${spec}`);
      return { prefix: spec.slice(0, at), dir: spec.slice(at + 1) };
    }),
  });
  console.log(hub.url);
  const stop = () => hub.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(error);
  process.exit(1);
}
