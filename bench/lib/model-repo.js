// The model of bench part "model": files shaped like a small web-llm model (an MLC repo on the hub
// plus its model library), generated from a seed so every run serves the same bytes and Node knows
// each file's SHA-256 ahead of the run.
//
//   repo (Git LFS unless said): params_shard_0..N-1.bin (generated, never held in memory),
//     tensor-cache.json (8 records per shard), mlc-chat-config.json, tokenizer.json (LFS, a few
//     MiB of BPE vocabulary), tokenizer_config.json;
//   library repo: web-llm-models/<name>-webgpu.wasm, a plain (non-LFS) file: like a model library
//     on GitHub raw, no listing gives its SHA-256.
//
// Size from the environment: BENCH_MODEL_SHARDS (default 24), BENCH_MODEL_SHARD_MIB (32),
// BENCH_MODEL_TOKENIZER_MIB (4), BENCH_MODEL_LIB_MIB (4). A quick run: 4 shards of 1 MiB.
import { seededBytes } from "../../local-hub/index.js";
import { MiB, generatedSha256, positiveIntegerFromEnv } from "./cos-bench.js";

const SEED = "bench-model";
const RECORDS_PER_SHARD = 8;
export const MODEL_NAME = "Bench-1B-Instruct-q4f16_1-MLC";
export const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"];

/** The model's size: {shards, shardBytes, tokenizerBytes, libBytes, totalBytes}. */
export function modelShape() {
  const read = positiveIntegerFromEnv;
  const shards = read("BENCH_MODEL_SHARDS", 24);
  const shardBytes = read("BENCH_MODEL_SHARD_MIB", 32) * MiB;
  const tokenizerBytes = read("BENCH_MODEL_TOKENIZER_MIB", 4) * MiB;
  const libBytes = read("BENCH_MODEL_LIB_MIB", 4) * MiB;
  return { shards, shardBytes, tokenizerBytes, libBytes };
}

/** "24 × 32 MiB" */
export function shapeText(shape) {
  return `${shape.shards} shards × ${shape.shardBytes / MiB} MiB`;
}

/** A tokenizer.json of at least `size` bytes: a valid BPE document with a seeded vocabulary. */
function makeTokenizer(size) {
  const random = seededBytes(SEED, "tokenizer.json");
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const vocab = new Map([["<unk>", 0], ["<s>", 1], ["</s>", 2]]);
  const merges = [];
  let length = 0;
  let offset = 0;
  while (length < size) {
    const bytes = random(offset, 64 * 1024);
    offset += bytes.length;
    for (let i = 0; i + 8 <= bytes.length && length < size; i += 8) {
      const n = 2 + (bytes[i] % 10);
      let token = "";
      for (let j = 0; j < n; j++) token += letters[(bytes[i + 1 + (j % 7)] + j * 37) % 26];
      if (vocab.has(token)) continue;
      vocab.set(token, vocab.size);
      merges.push(`${token.slice(0, 1)} ${token.slice(1)}`);
      length += 2 * token.length + 16;
    }
  }
  const doc = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: ["<unk>", "<s>", "</s>"].map((content, id) => ({ id, content, special: true })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false },
    decoder: { type: "ByteLevel" },
    model: { type: "BPE", unk_token: "<unk>", vocab: Object.fromEntries(vocab), merges },
  };
  return JSON.stringify(doc);
}

/** The model library's bytes: `size` seeded bytes starting with the wasm magic and version. */
function makeLibrary(size) {
  const bytes = seededBytes(SEED, "model-library")(0, size);
  Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).copy(bytes, 0);
  return bytes;
}

/**
 * Builds the model once: generators, hashes (the shards' are computed here, 4 MiB at a time) and
 * the literal files. Returns {shape, files(), libFile(), shardGenerators, shardHashes, totalBytes}.
 */
export function buildModel(shape = modelShape()) {
  const shardGenerators = [];
  const shardHashes = [];
  const records = [];
  const recordBytes = shape.shardBytes / RECORDS_PER_SHARD;
  if (!Number.isInteger(recordBytes) || recordBytes % 4 !== 0) throw new Error(`shard size ${shape.shardBytes} does not split into ${RECORDS_PER_SHARD} records`);
  for (let i = 0; i < shape.shards; i++) {
    const generate = seededBytes(SEED, `shard-${i}`);
    shardGenerators.push(generate);
    shardHashes.push(generatedSha256(generate, shape.shardBytes));
    records.push({
      dataPath: `params_shard_${i}.bin`,
      format: "raw-shard",
      nbytes: shape.shardBytes,
      records: Array.from({ length: RECORDS_PER_SHARD }, (_, j) => ({
        name: `model.layers.${i}.weight_${j}`,
        shape: [recordBytes / 4],
        dtype: "uint32",
        format: "raw",
        nbytes: recordBytes,
        byteOffset: j * recordBytes,
      })),
    });
  }
  const tensorCache = {
    metadata: { ParamSize: shape.shards * RECORDS_PER_SHARD, ParamBytes: shape.shards * shape.shardBytes, BitsPerParam: 4.5 },
    records,
  };
  const chatConfig = {
    version: "0.1.0",
    model_type: "llama",
    quantization: "q4f16_1",
    context_window_size: 4096,
    prefill_chunk_size: 1024,
    vocab_size: 128256,
    temperature: 0.6,
    top_p: 0.9,
    conv_template: { name: "llama-3_1", system_message: "You are a benchmark.", roles: { user: "user", assistant: "assistant" } },
    tokenizer_files: TOKENIZER_FILES,
  };
  const tokenizerConfig = { tokenizer_class: "PreTrainedTokenizerFast", bos_token: "<s>", eos_token: "</s>", model_max_length: 131072 };
  const literal = [
    { path: "tensor-cache.json", bytes: JSON.stringify(tensorCache), lfs: false },
    { path: "mlc-chat-config.json", bytes: JSON.stringify(chatConfig, null, 2), lfs: false },
    { path: "tokenizer.json", bytes: makeTokenizer(shape.tokenizerBytes), lfs: true },
    { path: "tokenizer_config.json", bytes: JSON.stringify(tokenizerConfig, null, 2), lfs: false },
  ].map((file) => ({ ...file, bytes: Buffer.from(file.bytes) }));
  const library = makeLibrary(shape.libBytes);
  const shardFiles = shardGenerators.map((generate, i) => ({ path: `params_shard_${i}.bin`, size: shape.shardBytes, generate, sha256: shardHashes[i], lfs: true }));
  const totalBytes = shape.shards * shape.shardBytes + literal.reduce((sum, file) => sum + file.bytes.length, 0) + library.length;
  return {
    shape,
    /** Bytes of the tokenizer files together. */
    tokenizerSize: literal.filter((file) => TOKENIZER_FILES.includes(file.path)).reduce((sum, file) => sum + file.bytes.length, 0),
    shardGenerators,
    shardHashes,
    totalBytes,
    /** The model repo's file specs (for hub.addRepo). */
    files: () => [...shardFiles, ...literal],
    /** The library repo's file spec. */
    libFile: () => ({ path: `web-llm-models/${MODEL_NAME}-webgpu.wasm`, bytes: library, lfs: false }),
    /** Bytes `[offset, offset + length)` of shard i (to check what the page loaded). */
    shardSlice: (i, offset, length) => shardGenerators[i](offset, length),
  };
}

/**
 * Adds the model and its library to `hub` under a name never used before (`tag`), so no cache of
 * any earlier run holds its URLs. Returns {modelUrl, libUrl, repo, lib, shardPaths}.
 */
export function addModelToHub(hub, model, tag) {
  const repo = hub.addRepo({ id: `bench-model-${tag}/${MODEL_NAME}`, files: model.files() });
  const lib = hub.addRepo({ id: `bench-model-${tag}/binary-mlc-llm-libs`, files: [model.libFile()] });
  const first = repo.files[0].url;
  const modelUrl = first.slice(0, first.lastIndexOf("/") + 1);
  return {
    modelUrl,
    libUrl: lib.files[0].url,
    repo,
    lib,
    shardPaths: repo.files.filter((file) => file.path.startsWith("params_shard_")).map((file) => file.path),
  };
}
