// The model every hub serves unless told otherwise: an MLC-shaped repo (LFS shards,
// tensor-cache.json, mlc-chat-config.json, a tokenizer) and its model-library wasm, all derived
// from the seed so two hubs with the same seed serve the same bytes.
import { seededBytes } from "./files.js";

/** The repo every hub serves unless told otherwise. */
export const DEFAULT_REPO = "test-org/test-model";
/** Path of the model-library wasm, below `/github-raw/`. */
export const WASM_PATH = "mlc-ai/binary-mlc-llm-libs/main/web-llm-models/test-model-webgpu.wasm";

/** The default model's files, all derived from the seed. */
export function defaultModelFiles(seed, shards, shardSize) {
  const files = [];
  const records = [];
  for (let i = 0; i < shards; i++) {
    const name = `params_shard_${i}.bin`;
    files.push({ path: name, bytes: seededBytes(seed, name)(0, shardSize), lfs: true });
    records.push({ dataPath: name, format: "raw-shard", nbytes: shardSize, records: [] });
  }
  const tensorCache = {
    metadata: { ParamSize: shards, ParamBytes: shards * shardSize, BitsPerParam: 4 },
    records,
  };
  const chatConfig = {
    version: "0.1.0",
    model_type: "llama",
    quantization: "q4f16_1",
    context_window_size: 2048,
    vocab_size: 32000,
    temperature: 0.7,
    conv_template: { name: "test", system_message: "You are a test model.", roles: { user: "user", assistant: "assistant" } },
    tokenizer_files: ["tokenizer.json", "tokenizer_config.json"],
  };
  const tokenizerConfig = {
    tokenizer_class: "LlamaTokenizer",
    bos_token: "<s>",
    eos_token: "</s>",
    unk_token: "<unk>",
    model_max_length: 2048,
  };
  files.push(
    { path: "tensor-cache.json", bytes: JSON.stringify(tensorCache, null, 1) },
    { path: "mlc-chat-config.json", bytes: JSON.stringify(chatConfig, null, 2) },
    { path: "tokenizer.json", bytes: makeTokenizer(seed) },
    { path: "tokenizer_config.json", bytes: JSON.stringify(tokenizerConfig, null, 2) },
  );
  return files;
}

/** A valid BPE-style tokenizer.json of about 64 KiB, derived from the seed. */
function makeTokenizer(seed) {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const random = seededBytes(seed, "tokenizer.json");
  const vocab = { "<unk>": 0, "<s>": 1, "</s>": 2 };
  const merges = [];
  let id = 3;
  let offset = 0;
  const doc = () => ({
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2].map((i) => ({ id: i, content: Object.keys(vocab)[i], special: true })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false },
    decoder: { type: "ByteLevel" },
    model: { type: "BPE", unk_token: "<unk>", vocab, merges },
  });
  let text = JSON.stringify(doc());
  while (text.length < 64 * 1024) {
    for (let k = 0; k < 64; k++) {
      const bytes = random(offset, 8);
      offset += 8;
      const len = 2 + (bytes[0] % 6);
      let token = "";
      for (let j = 1; j <= len; j++) token += letters[bytes[j % 8] % 26];
      if (token in vocab) continue;
      vocab[token] = id++;
      merges.push(`${token.slice(0, 1)} ${token.slice(1)}`);
    }
    text = JSON.stringify(doc());
  }
  return text;
}

/** The model library's bytes: 128 KiB starting with the wasm magic and version. */
export function modelLibraryBytes(seed) {
  const bytes = seededBytes(seed, "test-model-webgpu.wasm")(0, 128 * 1024);
  Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).copy(bytes, 0);
  return bytes;
}
