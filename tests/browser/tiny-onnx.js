// A tiny, valid ONNX model for transformers.test.js, encoded by hand (protobuf, onnx.proto3 field
// numbers): an embedding table as an initializer and one Gather node, so
// `last_hidden_state = embeddings[input_ids]`. onnxruntime-web builds a session from it; the tests
// never run it. Deterministic bytes (not a test file: node --test picks only *.test.js).
import { seededRandom } from "../support/test-data.js";

const varint = (value) => {
  const out = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
};
/** A varint field. */
const int = (field, value) => Buffer.concat([varint(field << 3), varint(value)]);
/** A length-delimited field: a string, bytes, or an encoded message (an array of fields). */
const len = (field, value) => {
  const body = Array.isArray(value) ? Buffer.concat(value) : Buffer.from(value);
  return Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
};

const FLOAT = 1;
const INT64 = 7;
/** TypeProto.Tensor with symbolic or fixed dims. */
const tensorType = (elemType, dims) => [
  len(1, [int(1, elemType), len(2, dims.map((d) => len(1, typeof d === "number" ? [int(1, d)] : [len(2, d)])))]),
];
const valueInfo = (name, elemType, dims) => [len(1, name), len(2, tensorType(elemType, dims))];

/**
 * @param {{vocabSize: number, hidden: number, seed?: number}} spec
 * @returns {Buffer} the ONNX ModelProto
 */
export function tinyEmbeddingModel({ vocabSize, hidden, seed = 1 }) {
  const weights = new Float32Array(vocabSize * hidden);
  const random = seededRandom(seed);  // the same bytes every run
  for (let i = 0; i < weights.length; i++) weights[i] = random() * 2 - 1;
  const initializer = [
    int(1, vocabSize), int(1, hidden),  // dims
    int(2, FLOAT),                      // data_type
    len(8, "embeddings"),               // name
    len(9, Buffer.from(weights.buffer)),  // raw_data (little-endian)
  ];
  const node = [len(1, "embeddings"), len(1, "input_ids"), len(2, "last_hidden_state"), len(3, "gather"), len(4, "Gather"), len(5, [len(1, "axis"), int(3, 0), int(20, 2)])];
  const graph = [
    len(1, node),
    len(2, "tiny-embedding"),
    len(5, initializer),
    len(11, valueInfo("input_ids", INT64, ["batch_size", "sequence_length"])),
    len(12, valueInfo("last_hidden_state", FLOAT, ["batch_size", "sequence_length", hidden])),
  ];
  return Buffer.concat([
    int(1, 8),                          // ir_version
    len(2, "cross-origin-cache tests"), // producer_name
    len(7, graph),
    len(8, [len(1, ""), int(2, 13)]),   // opset_import: ai.onnx 13
  ]);
}
