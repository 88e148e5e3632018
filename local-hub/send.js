// Writes a reply: single byte ranges (unless a fault says to ignore them), the fault's header and body changes, the body streamed in
// chunks through the shaped link, bytes counted as they reach the socket, and a connection cut
// after some bytes when a fault says so.
import { bufferBody, toBuffer } from "./files.js";
import { CHUNK_SIZE } from "./network.js";
import { CORS_HEADERS } from "./replies.js";

/**
 * @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res
 * @param {object} entry The request's log entry (status and bytes are filled in).
 * @param {{status: number, headers: object, body: Buffer|{size: number, read: Function}|null, ranges?: boolean}} reply
 * @param {import("./faults.js").Fault|undefined} fault
 * @param {{take: (socket: any, bytes: number) => Promise<void>}} link
 * @param {(bytes: number) => void} counted Called as bytes reach the socket.
 */
export async function send(req, res, entry, reply, fault, link, counted) {
  let body = reply.body == null ? null : Buffer.isBuffer(reply.body) ? bufferBody(reply.body) : reply.body;
  if (fault?.replaceBytes != null && body) body = bufferBody(toBuffer(fault.replaceBytes));
  const headers = { ...CORS_HEADERS, ...reply.headers };
  let status = reply.status;
  let start = 0;
  let end = body ? body.size : 0;
  if (reply.ranges && !fault?.ignoreRange && status === 200 && body) {
    headers["Accept-Ranges"] = "bytes";
    const range = parseRange(req.headers.range, body.size);
    if (range === "unsatisfiable") {
      status = 416;
      headers["Content-Range"] = `bytes */${body.size}`;
      body = null;
      end = 0;
    } else if (range) {
      status = 206;
      [start, end] = range;
      headers["Content-Range"] = `bytes ${start}-${end - 1}/${body.size}`;
    }
  }
  if (status !== 204 && status !== 304) headers["Content-Length"] = String(end - start);
  mergeHeaders(headers, fault?.headers);
  entry.status = status;
  res.writeHead(status, headers);

  const cutAfter = fault?.resetAfterBytes;
  let closed = res.destroyed || Boolean(req.socket?.destroyed);
  res.once("close", () => {
    closed = true;
  });
  const stop = cutAfter == null ? end : Math.min(end, start + cutAfter);
  if (req.method !== "HEAD" && body) {
    for (let offset = start; offset < stop && !closed; ) {
      const n = Math.min(CHUNK_SIZE, stop - offset);
      const chunk = await body.read(offset, n);
      offset += n;
      await link.take(req.socket, n);
      if (closed || req.socket?.destroyed) break;
      const ok = res.write(chunk, (error) => {
        if (error) return;
        entry.bytes += chunk.length;
        counted(chunk.length);
      });
      if (!ok && !closed) await drainedOrClosed(res);
    }
  }
  if (closed) return;
  if (cutAfter != null) {
    // Flush what was written (headers included), then drop the connection.
    res.flushHeaders();
    const socket = res.socket;
    if (!socket) return;
    socket.end();
    if (socket.writableFinished) socket.destroy();
    else socket.once("finish", () => socket.destroy());
    return;
  }
  res.end();
}

/** Parses a single `bytes=` range. @returns {[number, number]|"unsatisfiable"|null} [start, end) */
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(String(header ?? "").trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - n), size];
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  if (last < start && m[2] !== "") return null;
  if (start >= size) return "unsatisfiable";
  return [start, Math.min(last + 1, size)];
}

/** Sets headers case-insensitively; null removes. */
function mergeHeaders(target, extra) {
  for (const [name, value] of Object.entries(extra ?? {})) {
    for (const key of Object.keys(target)) if (key.toLowerCase() === name.toLowerCase()) delete target[key];
    if (value != null) target[name] = String(value);
  }
  return target;
}

function drainedOrClosed(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
