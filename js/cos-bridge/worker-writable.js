// The worker's writable for a COS entry the page writes: chunks are transferred to the page (never
// copied when they own their whole buffer), with at most WRITE_WINDOW unacknowledged, so a
// multi-GB write holds only a few chunks in either thread.
import { WRITE_WINDOW, errorInfo } from "./protocol.js";

// As the draft's writable (and the COS extension's): write() is a shortcut for one writer's write.
class BridgedWritable extends WritableStream {
  async write(data) {
    const writer = this.getWriter();
    try {
      await writer.write(data);
    } finally {
      writer.releaseLock();
    }
  }
}

/** {data, transfer}: the chunk as posted. A written buffer is handed over for good (transferred). */
export function chunkMessage(chunk) {
  let data = chunk;
  if (data && typeof data === "object" && "type" in data && !(data instanceof Blob)) {
    if (data.type !== "write" || data.position != null) throw new TypeError("only sequential {type: \"write\", data} chunks are supported");
    data = data.data;
  }
  if (typeof data === "string") data = new TextEncoder().encode(data);
  if (data instanceof Blob) return { data, transfer: [] };  // shared with the page, not copied
  if (data instanceof ArrayBuffer) return { data, transfer: [data] };
  if (ArrayBuffer.isView(data)) {
    const whole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    // A view of part of a buffer (or of shared memory) is copied: transferring would take the rest from its owner.
    const bytes = whole ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    return { data: bytes, transfer: [bytes.buffer] };
  }
  throw new TypeError("write() takes a BufferSource, Blob, string or {type: \"write\", data}");
}

/** client: the worker's BridgeClient; id: the page's writable. */
export function bridgedWritable(client, id) {
  let inFlight = 0;
  let failure = null;
  let wake = () => {};
  client.onAck(id, (error) => {
    inFlight--;
    failure ??= error;
    wake();
  });
  // Waits until at most `limit` chunks are unacknowledged; the first failure the page reported throws.
  const room = async (limit) => {
    while (inFlight > limit && !failure) await new Promise((resolve) => { wake = resolve; });
    if (failure) throw failure;
  };
  return new BridgedWritable({
    async write(chunk) {
      if (failure) throw failure;
      const { data, transfer } = chunkMessage(chunk);
      inFlight++;
      client.post({ op: "write", writable: id, data }, transfer);
      await room(WRITE_WINDOW - 1);
    },
    async close() {
      await room(0);
      client.offAck(id);
      await client.request("close", { writable: id });
    },
    async abort(reason) {
      client.offAck(id);
      await client.request("abort", { writable: id, reason: reason === undefined ? undefined : errorInfo(reason) }).catch(() => {});
    },
  });
}
