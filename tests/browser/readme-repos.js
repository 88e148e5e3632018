// The hub repos the README's Use snippets name, built for readme-snippets.test.js (not a test file):
// small generated stand-ins under the README's real repo names, served by the local hub.
import { seededBytes } from "../../local-hub/index.js";
import { modelConfig, tokenizerFiles } from "../clients/fixtures/tiny-tokenizer.js";
import { tinyEmbeddingModel } from "./tiny-onnx.js";
import { tinyLlamaGgufSplit } from "./readme-gguf.js";

export const MLC_REPO = "mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC";
export const BERT_REPO = "Xenova/bert-base-uncased";
export const GGUF_REPO = "org/model-GGUF";
/** The ONNX file transformers.js's AutoModel asks for by default on its wasm device (dtype q8). */
export const BERT_ONNX = "onnx/model_quantized.onnx";

const MLC_SHARDS = 3;

/** An MLC model repo: its chat config, tensor-cache.json and shards (Git LFS) whose records list no tensors. */
export function mlcFiles() {
  const shards = Array.from({ length: MLC_SHARDS }, (_, i) => ({
    path: `params_shard_${i}.bin`, bytes: seededBytes(21, `readme-shard-${i}`)(0, 64 * 1024 + i), lfs: true,
  }));
  const tensorCache = {
    metadata: { ParamSize: MLC_SHARDS, ParamBytes: shards.reduce((a, s) => a + s.bytes.length, 0), BitsPerParam: 4 },
    records: shards.map((s) => ({ dataPath: s.path, format: "raw-shard", nbytes: s.bytes.length, records: [] })),
  };
  const chatConfig = {
    model_type: "llama", quantization: "q4f16_1", context_window_size: 4096, vocab_size: 128256,
    conv_template: { name: "llama-3_1", system_message: "", roles: { user: "user", assistant: "assistant" } },
    tokenizer_files: ["tokenizer.json", "tokenizer_config.json"],
  };
  return [
    ...shards,
    { path: "tensor-cache.json", bytes: JSON.stringify(tensorCache) },
    { path: "mlc-chat-config.json", bytes: JSON.stringify(chatConfig, null, 2) },
  ];
}

/** A tiny BERT-shaped repo: the test tokenizer, its config and a one-node ONNX model (Git LFS). */
export function bertFiles() {
  const onnx = tinyEmbeddingModel({ vocabSize: modelConfig.vocab_size, hidden: 32 });
  return [...tokenizerFiles(), { path: BERT_ONNX, bytes: onnx, lfs: true }];
}

/** A split GGUF model in three shards (Git LFS) under wllama's `-0000N-of-00003.gguf` names: a tiny llama llama.cpp loads. */
export function ggufFiles() {
  return tinyLlamaGgufSplit().map((bytes, i) => ({ path: `model-0000${i + 1}-of-00003.gguf`, bytes, lfs: true }));
}
