// The entries the paths-info and tree APIs answer with.
import { createHash } from "node:crypto";
import { ensureDigest, lfsPointer } from "../files.js";

/** A file's entry: the Git blob id, and the LFS object when it is one. */
export async function fileEntry(file, p) {
  await ensureDigest(file);
  const item = { type: "file", oid: file.oid, size: file.size, path: p };
  if (file.lfs) item.lfs = { oid: file.sha256, size: file.size, pointerSize: Buffer.byteLength(lfsPointer(file.sha256, file.size)) };
  return item;
}

export const directoryEntry = (commit, p) =>
  ({ type: "directory", oid: createHash("sha1").update(`tree\0${commit}\0${p}`).digest("hex"), size: 0, path: p });
