// Bodies from a hub or a store are read up to a limit the core sets, never further: at one byte
// past it the stream is cancelled, and the core, handed that much, refuses the body as too large.
// So a hostile body never reaches the wasm heap beyond the limit.

/**
 * The first `limit + 1` bytes at most of a body (a ReadableStream, or null for none). Rejects as
 * the stream does (a fetch's signal aborting it, say).
 */
export async function readBounded(stream, limit) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const parts = [];
  let length = 0;
  try {
    while (length <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  if (parts.length === 1 && length <= limit) return parts[0];
  const bytes = new Uint8Array(Math.min(length, limit + 1));
  let offset = 0;
  for (const part of parts) {
    const take = Math.min(part.byteLength, bytes.byteLength - offset);
    bytes.set(part.subarray(0, take), offset);
    offset += take;
    if (offset === bytes.byteLength) break;
  }
  return bytes;
}
