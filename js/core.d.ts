// The core module as bindings/ exposes it (dist/core.wasm): what the shim may call, with the
// shapes that cross. Written by hand beside the bindings; tests/node/core-types.test.js fails when
// a name is bound but not declared here, or declared but not bound.
import type { CoreOptions } from "./index.js";

/** A URL or hash kind of `onError`, by camel-case name (cos-quota → cosQuota); built by js/core.js. */
export type ErrorKinds = Readonly<Record<string, string>>;

/** What the resolver asks the shim to do next (an embind enum: compare by identity). */
export interface StepActionValue {
  readonly value: number;
}
export interface StepActions {
  readonly done: StepActionValue;
  readonly readPersisted: StepActionValue;
  readonly readLegacy: StepActionValue;
  readonly fetchBatch: StepActionValue;
  readonly fetchPointer: StepActionValue;
}

/** Which request a BatchRequest is: a listing (GET tree) or paths-info (POST) (an embind enum: compare by identity). */
export interface BatchKindValue {
  readonly value: number;
}
export interface BatchKinds {
  readonly pathsInfo: BatchKindValue;
  readonly tree: BatchKindValue;
}

/** A URL→hash record as the core keeps it; size -1 when unknown, storedAt in ms since the epoch. */
export interface CoreHashRecord {
  algorithm: "SHA-256";
  value: string;
  size: number;
  source: "" | "pointer" | "content" | "batch" | "imported" | "hint";
  commit: string;
  storedAt: number;
}

/** One step of a resolution: `action` says which; the other fields are set for that action only. */
export interface Step {
  action: StepActionValue;
  /** readPersisted/readLegacy: the store key to read. */
  key: string;
  /** fetchPointer: the LFS pointer URL. */
  pointerUrl: string;
  /** readLegacy: the legacy store's name. */
  store: string;
  /** fetchBatch: the revision group whose listing/paths-info answers this URL. */
  group: string;
  /** done: whether a hash was found, and the record. */
  found: boolean;
  record: CoreHashRecord;
  /** done: where the answer came from ("memory", "persisted", "batch", ...). */
  hit: string;
  /** A record to persist before the next action ("" when none). */
  persistKey: string;
  persistBody: string;
  /** An error a best-effort source swallowed (an `onError` kind, "" when none). */
  errorKind: string;
  errorMessage: string;
  /** recordContent/checkDigest: the bytes were refused, or must be checked again. */
  refused: boolean;
  recheck: boolean;
  /** A refuted record's store key to delete ("" when none). */
  dropKey: string;
}

/** One listing (GET tree) or paths-info (POST) request the core planned for a revision group. */
export interface BatchRequest {
  group: string;
  kind: BatchKindValue;
  method: "GET" | "POST";
  url: string;
  body: string;
  keys: string[];
  paths: string[];
}

export interface BatchOutcome {
  ok: boolean;
  resolved: number;
  plain: number;
  persistKeys: string[];
  persistBodies: string[];
  errorKind: string;
  errorMessage: string;
}

export interface SnapshotLoad {
  loaded: number;
  skipped: number;
  errorKind: string;
  errorMessage: string;
}

export interface SnapshotMerge extends SnapshotLoad {
  body: string;
  generation: number;
}

/** What the shim knows of downloaded bytes (hex digests, "" when unknown; size -1 when unknown). */
export interface DownloadedContent {
  sha256: string;
  size: number;
  expected: string;
  etag: string;
  repoCommit: string;
}

export interface ResolverOptions {
  capacity?: number;
  maxAge?: number;
  maxAgeOtherHosts?: number;
  persist?: boolean;
  batch?: boolean;
  listRepos?: boolean;
  resolutionTimeout?: number;
  legacyStores?: string[];
}

/** The URL→hash index and the decisions of one resolution (wasm memory: call delete() when done). */
export interface Resolver {
  begin(url: string, now: number): Step;
  afterPersisted(url: string, found: boolean, body: Uint8Array, now: number): Step;
  lookUpLocal(url: string, now: number): Step;
  afterPersistedLocal(url: string, found: boolean, body: string, now: number): Step;
  afterLegacy(url: string, store: string, found: boolean, body: Uint8Array, now: number): Step;
  afterBatch(url: string, now: number): Step;
  afterPointer(url: string, status: number, text: string, commit: string, now: number, timedOut: boolean): Step;
  planBatch(urls: string[], now: number): BatchRequest[];
  applyBatch(group: string, status: number, body: Uint8Array, commit: string, link: string, now: number, timedOut: boolean): BatchOutcome;
  recordContent(url: string, content: DownloadedContent, now: number): Step;
  addIntegrity(url: string, integrity: string): void;
  verifyOnly(url: string): { algorithm: string; hex: string }[];
  checkDigest(url: string, algorithm: string, hex: string): Step;
  forget(url: string): boolean;
  references(hex: string): number;
  persistable(url: string): boolean;
  loadSnapshot(body: Uint8Array, now: number): SnapshotLoad;
  mergeSnapshot(stored: Uint8Array, storedFound: boolean, now: number): SnapshotMerge;
  snapshotWritten(generation: number): void;
  delete(): void;
}

/** A streaming hasher over the module's scratch buffer (copy bytes in with scratchView first). */
export interface ScratchHasher {
  updateFromScratch(length: number): void;
  finishHex(): string;
  delete(): void;
}

export interface ArtifactUrl {
  href: string;
  storageKey: string;
  redacted: string;
  hasCredentials: boolean;
  isHub: boolean;
  endpoint: string;
  repoType: "" | "model" | "dataset" | "space";
  repoId: string;
  revision: string;
  path: string;
  pointerUrl: string;
  immutable: boolean;
  mediaType: string;
}

/** The first response's headers as they came ("" when absent). */
export interface DownloadStart {
  hashKnown: boolean;
  contentLength: string;
  etag: string;
  acceptRanges: string;
  contentEncoding: string;
}

export interface RequestPlan {
  isPrivate: boolean;
  partition: string;
  fetchUrl: string;
  authorization: string;
  secrets: string[];
}

export interface CoreModule {
  // Hashing
  scratchView(length: number): Uint8Array;
  Sha256: new () => ScratchHasher;
  Sha512: new (sha384: boolean) => ScratchHasher;
  isCanonicalSha256Hex(value: string): boolean;

  // URLs, requests, redaction
  parseArtifactUrl(url: string): ArtifactUrl;
  planRequest(url: string, headerNames: string[], headerValues: string[], credentials: string): RequestPlan;
  redactText(text: string, secrets: string[]): string;
  forwardsCredentials(fileUrl: string, targetUrl: string): boolean;
  servedMediaType(stored: string, urlMediaType: string): string;

  // Resolution
  StepAction: StepActions;
  BatchKind: BatchKinds;
  Resolver: new (options?: ResolverOptions) => Resolver;
  parseLfsPointer(text: string): { ok: boolean; oid: string; size: number; reason: string };
  decodeRecordValue(body: Uint8Array): string;
  isTensorCacheUrl(url: string): boolean;
  tensorCacheShardUrls(cacheUrl: string, json: string): string[];
  chatConfigTokenizerUrls(modelUrl: string, json: string): string[];

  // Responses, downloads, storage
  downloadRefusal(status: number, hasBody: boolean): string;
  putRefusal(method: string, status: number, vary: string, hasBody: boolean, bodyUsed: boolean): string;
  isCacheableMethod(method: string): boolean;
  planResume(start: DownloadStart, loaded: number, attempts: number, maxAttempts: number): { resume: boolean; range: string; reason: string };
  checkResume(start: DownloadStart, loaded: number, status: number, contentRange: string, etag: string): { ok: boolean; reason: string };
  storageWriteErrorKind(name: string, step: string): string;
  fitsStorageEstimate(size: number, quota: number, usage: number): boolean;
  encodeFallbackSeal(writeId: string, size: number): string;
  fallbackSealVouches(seal: string, writeId: string, size: number): boolean;

  // Options
  optionError(name: string, type: string, number: number, shown: string, items: string[] | undefined, itemsAreStrings: boolean): string;

  // Limits and names
  maxLfsPointerBytes: number;
  maxBatchBodyBytes: number;
  maxSnapshotBytes: number;
  maxRecordBytes: number;
  maxKnownSecrets: number;
  snapshotKey: string;
  /** Space-separated; `errorKinds` is the same list by name. */
  errorKindList: string;
  errorKinds: ErrorKinds;
}

/** Options of loadCore beyond CoreOptions: another build's Emscripten factory (the tests' module). */
export interface LoadCoreOptions extends CoreOptions {
  moduleFactory?: (args: object) => Promise<CoreModule>;
}

export function loadCore(options?: LoadCoreOptions): Promise<CoreModule>;
