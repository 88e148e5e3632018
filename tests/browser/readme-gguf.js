// A tiny, valid llama-architecture GGUF model split into three files (llama.cpp's split.* keys),
// encoded by hand for readme-snippets.test.js (not a test file): one block, 8-wide embeddings, an
// 8-token SentencePiece-style vocab, F32 tensors with seeded values. llama.cpp loads it (no
// inference is run). Deterministic bytes.
import { seededRandom } from "../support/test-data.js";

const ALIGNMENT = 32;
const TYPE = { UINT16: 2, UINT32: 4, INT32: 5, FLOAT32: 6, STRING: 8, ARRAY: 9 };
const GGML_F32 = 0;

const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const str = (s) => { const bytes = Buffer.from(s, "utf8"); return Buffer.concat([u64(bytes.length), bytes]); };

/** A typed metadata value: [gguf type, encoded bytes]. */
const value = {
  u16: (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return [TYPE.UINT16, b]; },
  u32: (v) => [TYPE.UINT32, u32(v)],
  i32: (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return [TYPE.INT32, b]; },
  f32: (v) => { const b = Buffer.alloc(4); b.writeFloatLE(v); return [TYPE.FLOAT32, b]; },
  str: (v) => [TYPE.STRING, str(v)],
  strings: (list) => [TYPE.ARRAY, Buffer.concat([u32(TYPE.STRING), u64(list.length), ...list.map(str)])],
  f32s: (list) => [TYPE.ARRAY, Buffer.concat([u32(TYPE.FLOAT32), u64(list.length), ...list.map((v) => value.f32(v)[1])])],
  i32s: (list) => [TYPE.ARRAY, Buffer.concat([u32(TYPE.INT32), u64(list.length), ...list.map((v) => value.i32(v)[1])])],
};

const pad = (length) => Buffer.alloc((ALIGNMENT - (length % ALIGNMENT)) % ALIGNMENT);

/** One GGUF file: metadata `kv` ([key, [type, bytes]]) and F32 `tensors` ({name, dims, data}). */
function ggufFile(kv, tensors) {
  const infos = [];
  const data = [];
  let offset = 0;
  for (const { name, dims, data: floats } of tensors) {
    infos.push(Buffer.concat([str(name), u32(dims.length), ...dims.map(u64), u32(GGML_F32), u64(offset)]));
    const bytes = Buffer.from(floats.buffer);
    data.push(bytes, pad(bytes.length));
    offset += bytes.length + pad(bytes.length).length;
  }
  const head = Buffer.concat([
    Buffer.from("GGUF", "latin1"), u32(3), u64(tensors.length), u64(kv.length),
    ...kv.map(([key, [type, bytes]]) => Buffer.concat([str(key), u32(type), bytes])),
    ...infos,
  ]);
  return Buffer.concat([head, pad(head.length), ...data]);
}

/** Seeded floats in [-0.1, 0.1). */
function floats(count, seed) {
  const out = new Float32Array(count);
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) out[i] = (random() * 2 - 1) * 0.1;
  return out;
}

/** The model's shape: embedding width, feed-forward width, its one block and its vocab. */
export const TINY_LLAMA = Object.freeze({
  embd: 8, ff: 16, layers: 1, tokens: ["<unk>", "<s>", "</s>", "<0x0A>", "▁hello", "▁world", "▁cache", "▁model"],
});

/**
 * The three files of the split model, in order (`-00001-of-00003.gguf` first).
 * @returns {Buffer[]}
 */
export function tinyLlamaGgufSplit() {
  const { embd, ff, tokens } = TINY_LLAMA;
  const tokenTypes = [2, 3, 3, 6, 1, 1, 1, 1];  // unknown, control, control, byte, normal…
  const vocab = tokens.length;
  let seed = 1;
  const tensor = (name, dims) => ({ name, dims, data: floats(dims.reduce((a, b) => a * b, 1), seed++) });
  const ones = (name, n) => ({ name, dims: [n], data: new Float32Array(n).fill(1) });
  const parts = [
    [tensor("token_embd.weight", [embd, vocab]), ones("output_norm.weight", embd), tensor("output.weight", [embd, vocab])],
    [ones("blk.0.attn_norm.weight", embd), tensor("blk.0.attn_q.weight", [embd, embd]), tensor("blk.0.attn_k.weight", [embd, embd]),
      tensor("blk.0.attn_v.weight", [embd, embd]), tensor("blk.0.attn_output.weight", [embd, embd])],
    [ones("blk.0.ffn_norm.weight", embd), tensor("blk.0.ffn_gate.weight", [embd, ff]), tensor("blk.0.ffn_down.weight", [ff, embd]),
      tensor("blk.0.ffn_up.weight", [embd, ff])],
  ];
  const tensorCount = parts.reduce((a, p) => a + p.length, 0);
  const split = (no) => [
    ["split.no", value.u16(no)],
    ["split.count", value.u16(parts.length)],
    ["split.tensors.count", value.i32(tensorCount)],
  ];
  const model = [
    ["general.architecture", value.str("llama")],
    ["general.name", value.str("cross-origin-cache tiny llama")],
    ["llama.context_length", value.u32(4096)],
    ["llama.embedding_length", value.u32(embd)],
    ["llama.block_count", value.u32(TINY_LLAMA.layers)],
    ["llama.feed_forward_length", value.u32(ff)],
    ["llama.attention.head_count", value.u32(2)],
    ["llama.attention.head_count_kv", value.u32(2)],
    ["llama.attention.layer_norm_rms_epsilon", value.f32(1e-5)],
    ["llama.rope.dimension_count", value.u32(embd / 2)],
    ["tokenizer.ggml.model", value.str("llama")],
    ["tokenizer.ggml.tokens", value.strings(tokens)],
    ["tokenizer.ggml.scores", value.f32s(tokens.map((_, i) => -i))],
    ["tokenizer.ggml.token_type", value.i32s(tokenTypes)],
    ["tokenizer.ggml.unknown_token_id", value.u32(0)],
    ["tokenizer.ggml.bos_token_id", value.u32(1)],
    ["tokenizer.ggml.eos_token_id", value.u32(2)],
  ];
  return parts.map((tensors, no) => ggufFile(no === 0 ? [...model, ...split(no)] : split(no), tensors));
}
