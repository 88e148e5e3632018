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
  readonly readSnapshot: StepActionValue;
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

/** A batch request to send now (with the partition whose credentials it carries), and the tickets of the resolutions it answers. */
export interface PlannedBatch extends BatchRequest {
  partition: string;
  tickets: number[];
}
/** What Resolver.takeBatches() names: requests to send, and tickets let go without one (feed batchAnswered now). */
export interface BatchPlan {
  requests: PlannedBatch[];
  released: number[];
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

/** A sha384/sha512 digest a download must have (lowercase hex). */
export interface SriHash {
  algorithm: "sha256" | "sha384" | "sha512";
  hex: string;
}

/** What the shim knows of downloaded bytes (hex digests, "" when unknown; size -1 when unknown). */
export interface DownloadedContent {
  sha256: string;
  size: number;
  expected: string;
  etag: string;
  repoCommit: string;
  /** The bytes' git blob id, in the format gitBlobFormat() named ("" when it named none). */
  gitBlob: string;
  /** The URL the response came from (Response.url; "" for a caller's own): the core compares its origin. */
  responseUrl: string;
}

export interface ResolverOptions {
  capacity?: number;
  maxAge?: number;
  maxAgeOtherHosts?: number;
  persist?: boolean;
  batch?: boolean;
  listRepos?: boolean;
  /** A snapshot of the persisted records exists: resolutions read it first (readSnapshot), once. */
  snapshot?: boolean;
  resolutionTimeout?: number;
  legacyStores?: string[];
}

/** An embind enum value: compare by identity with the enum's members. */
export interface EnumValue {
  readonly value: number;
}
export interface StorageKinds {
  readonly none: EnumValue;
  readonly crossOrigin: EnumValue;
  readonly fallback: EnumValue;
}
export interface StorageAnswers {
  readonly hit: EnumValue;
  readonly miss: EnumValue;
  readonly notAllowed: EnumValue;
  readonly error: EnumValue;
}
export interface BytesAtValues {
  readonly storageFile: EnumValue;
  readonly stored: EnumValue;
  readonly spooled: EnumValue;
  readonly none: EnumValue;
}
/** What a load's transfer asks the shim to do next (src/transfer.h says what each one means). */
export interface TransferActions {
  readonly resolve: EnumValue;
  readonly readStorage: EnumValue;
  readonly checkStorage: EnumValue;
  readonly download: EnumValue;
  readonly checkRoom: EnumValue;
  readonly streamIntoStorage: EnumValue;
  readonly spool: EnumValue;
  readonly closeWrite: EnumValue;
  readonly abandonWrite: EnumValue;
  readonly writeSpooled: EnumValue;
  readonly checkKept: EnumValue;
  readonly readBack: EnumValue;
  readonly persist: EnumValue;
  readonly dropRefuted: EnumValue;
  readonly done: EnumValue;
  readonly fail: EnumValue;
}

/** What the caller of one load asked for. */
export interface TransferRequest {
  storage: EnumValue;
  ownResponse: boolean;
  isPrivate: boolean;
  needsBytes: boolean;
  storageOnly: boolean;
  /** The cache's verdict from pacesDownloads(): a large download with a known hash is paced by storage. */
  pacedDownloads: boolean;
  /** The shim can read a body whole into a Blob and digest it natively (WebCrypto). */
  nativeDigest: boolean;
  /** The cache's resumeAttempts (0: a body that broke off is never asked for again). */
  resumeAttempts: number;
  /** How fast recent bodies arrived (BodyRateMeter.bytesPerSecond(); below 0: unknown). */
  bodyRate: number;
  /** The URL as messages may show it (redacted). */
  shownUrl: string;
}

/** One step of a transfer: `action` says which; the other fields are set for that action only. */
export interface TransferStep {
  action: EnumValue;
  hash: string;
  /** download: fetch with cache: "no-store". */
  noStore: boolean;
  /** download: the Range header to send (a paced download's first segment), "" for the whole file. */
  range: string;
  /** streamIntoStorage, spool: a body that breaks off may be asked for again. */
  resumable: boolean;
  /** readStorage: "sha1" | "sha256" when an opened file's git blob id is to be passed back, else "". */
  gitBlobFormat: string;
  hashKnown: boolean;
  /** spool: read the body whole (response.blob()) and digest it natively; progress comes at its end. */
  whole: boolean;
  /** streamIntoStorage, writeSpooled: shared with the cache's `origins`, else same-site only. */
  shared: boolean;
  writesInFlight: number;
  /** streamIntoStorage: paced, each next range asks for at most this many bytes (0: not paced). */
  segmentBytes: number;
  /** Bytes expected in all, -1 when unknown. */
  size: number;
  /** streamIntoStorage, spool: the size recorded with the hash (-1: none); read no further than one byte past it. */
  bodyLimit: number;
  expected: string;
  persistKey: string;
  persistBody: string;
  dropKey: string;
  /** done: where the bytes are (a BytesAt value). */
  bytes: EnumValue;
  fromStorage: boolean;
  stored: boolean;
  hashFromContent: boolean;
  /** An event to report before acting ("" when none); an empty message means the fed-back error. */
  errorKind: string;
  errorMessage: string;
  /** fail: the message, or "" for the fed-back error as it is. */
  failMessage: string;
}

/** One load's transfer (wasm memory: call delete() when done). Each method feeds back the result of the action asked for. */
export interface Transfer {
  next(): TransferStep;
  resolved(found: boolean, hash: string, size: number): TransferStep;
  /**
   * fileSize: the opened entry's size, -1 when it was not opened; gitBlob: its git blob id when the
   * step's gitBlobFormat asked for one, else "" (a record either refutes is dropped).
   */
  storageAnswered(answer: EnumValue, fileSize: number, gitBlob: string): TransferStep;
  /**
   * status and contentRange matter only for a paced download's first range request;
   * contentEncoding: the response's Content-Encoding ("" when absent): an encoded body is never read whole.
   */
  downloaded(contentLength: number, status: number, contentRange: string, contentEncoding: string): TransferStep;
  roomAnswered(fits: boolean, quota: number, usage: number): TransferStep;
  /** "sha1" | "sha256": the git blob id streamed() needs of these bytes; "" when it checks none. */
  gitBlobFormat(content: DownloadedContent, now: number): string;
  streamed(content: DownloadedContent, now: number): TransferStep;
  /** digestMismatch: the body was read, and a digest the app gave did not match it. */
  streamFailed(digestMismatch: boolean): TransferStep;
  closed(): TransferStep;
  writeFailed(errorName: string, storageStep: string): TransferStep;
  abandoned(): TransferStep;
  kept(found: boolean): TransferStep;
  persisted(): TransferStep;
  dropped(): TransferStep;
  needBytes(): TransferStep;
  delete(): void;
}

/** One URL's place in the resolver's steps (wasm memory: call delete() when done). Each method feeds back the result of the action next() asked for. */
export interface Resolution {
  url(): string;
  /** Names this resolution in Resolver.takeBatches(). */
  ticket(): number;
  next(): Step;
  persistedRead(found: boolean, body: Uint8Array | string, now: number): Step;
  legacyRead(found: boolean, body: Uint8Array | string, now: number): Step;
  batchAnswered(now: number): Step;
  /**
   * commit, etag, contentRange, contentEncoding: the answer's headers ("" when absent); the last
   * two give the size of a file not in LFS (a 206's), which its body is read no further than.
   */
  pointerFetched(status: number, text: string, commit: string, etag: string, now: number, timedOut: boolean,
    contentRange: string, contentEncoding: string): Step;
  /** readSnapshot: the snapshot was read (loadSnapshot, mergeSnapshot or snapshotUnavailable): begin again. */
  snapshotRead(now: number): Step;
  delete(): void;
}

/** What deleting a URL's mapping does next (src/deletion.h). */
export interface DeletionActions {
  readonly lookUp: EnumValue;
  readonly deletePersisted: EnumValue;
  readonly scanReferences: EnumValue;
  readonly removeEntry: EnumValue;
  readonly done: EnumValue;
}
export interface DeletionStep {
  action: EnumValue;
  /** deletePersisted: the persisted store's key. */
  key: string;
  /** scanReferences, removeEntry: the hash. */
  hash: string;
  /** done: the URL had a record. */
  known: boolean;
}
/** Deleting one URL's mapping (wasm memory: call delete() when done). */
export interface Deletion {
  next(): DeletionStep;
  lookedUp(found: boolean, hash: string): DeletionStep;
  persistedDeleted(): DeletionStep;
  referencesScanned(referenced: boolean): DeletionStep;
  entryRemoved(): DeletionStep;
  delete(): void;
}

export interface HoldingVerdicts {
  readonly allHeld: EnumValue;
  readonly notAll: EnumValue;
  readonly ask: EnumValue;
}
/** What this cache last saw storage hold (wasm memory: call delete() when done). */
export interface StorageLedger {
  held(hash: string): void;
  missing(hash: string): void;
  /** hashes: the records' hashes, "" for a URL without one. ask: the hashes to ask storage about. */
  check(storage: EnumValue, hashes: string[]): { verdict: EnumValue; ask: string[] };
  /** Storage's answer (a StorageAnswer value) about every asked hash at once. */
  answered(asked: string[], answer: EnumValue): { allHeld: boolean; errorKind: string };
  delete(): void;
}

/** How fast recent bodies arrived, from what the shim measured (wasm memory: call delete() when done). */
export interface BodyRateMeter {
  /** A body of `bytes` was read in `milliseconds`, from its response's headers to its last byte. */
  bodyRead(bytes: number, milliseconds: number): void;
  /** Bytes per second over the last few bodies of at least 1 MiB; -1 while none was measured. */
  bytesPerSecond(): number;
  delete(): void;
}

/** The URL→hash index and the decisions of one resolution (wasm memory: call delete() when done). */
export interface Resolver {
  /**
   * One URL's resolution; local: memory and our persisted store only, whatever the record's age;
   * cohort: from openCohort() (0: none); partition: the request's partition ("" for none).
   */
  resolution(url: string, now: number, local: boolean, cohort: number, partition: string): Resolution;
  /** Resolutions created until closeCohort() share their batch requests, sent once each has arrived or ended. */
  openCohort(): number;
  closeCohort(cohort: number): void;
  /** The batch requests to send now and the resolutions each answers (the core decides who shares one). */
  takeBatches(now: number): BatchPlan;
  /** Deleting url's mapping; storage: a StorageKind value; persistedStore: a persisted store exists. */
  deletion(url: string, storage: EnumValue, persistedStore: boolean): Deletion;
  applyBatch(group: string, status: number, body: Uint8Array, commit: string, link: string, now: number, timedOut: boolean): BatchOutcome;
  recordContent(url: string, content: DownloadedContent, now: number): Step;
  addIntegrity(url: string, integrity: string): void;
  verifyOnly(url: string): SriHash[];
  integrityAllows(url: string, hash: string): boolean;
  /** Whether the record of a storage key was deleted (here, or in another tab) and not learned since. */
  deleted(key: string): boolean;
  checkDigest(url: string, algorithm: string, hex: string): Step;
  forget(url: string): boolean;
  /** How long a listing, paths-info or pointer request may go unanswered, in ms (Infinity: for ever). */
  resolutionTimeout(): number;
  references(hex: string): number;
  persistable(url: string): boolean;
  loadSnapshot(body: Uint8Array, now: number): SnapshotLoad;
  mergeSnapshot(stored: Uint8Array, storedFound: boolean, now: number): SnapshotMerge;
  snapshotWritten(generation: number): void;
  /** The snapshot could not be read, or there is none: resolutions read their own entries. */
  snapshotUnavailable(): void;
  /** A transfer for one load of url; it judges bytes through this resolver. */
  transfer(url: string, request: TransferRequest): Transfer;
  /** A transfer for the bytes of a load that finished with them stored (not opened) or nowhere. */
  transferForBytes(url: string, request: TransferRequest, bytes: EnumValue, hash: string, size: number): Transfer;
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
  contentRange: string;
  etag: string;
  acceptRanges: string;
  contentEncoding: string;
  /** The transfer step's segmentBytes (0: not paced). */
  segmentBytes: number;
}

export interface RequestPlan {
  isPrivate: boolean;
  partition: string;
  fetchUrl: string;
  authorization: string;
  secrets: string[];
  /** false: the request carries a credential header besides Authorization; sent with redirect: "manual". */
  followsRedirects: boolean;
}

export interface CoreModule {
  // Hashing
  scratchView(length: number): Uint8Array;
  Sha256: new () => ScratchHasher;
  Sha512: new (sha384: boolean) => ScratchHasher;
  /** A git blob id of `size` bytes; finishHex() throws when a different number was fed. */
  GitBlob: new (size: number, format: "sha1" | "sha256") => ScratchHasher;
  /** "blob <size>\0", what git hashes before a blob's bytes. */
  gitBlobHeader(size: number): string;
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

  /** Made by Resolver.resolution() only: the class is bound, its constructor is not. */
  Resolution: new (...never: never[]) => Resolution;
  /** Made by Resolver.deletion() only. */
  Deletion: new (...never: never[]) => Deletion;
  DeletionAction: DeletionActions;

  // Transfers
  /** Made by Resolver.transfer() only: the class is bound, its constructor is not. */
  Transfer: new (...never: never[]) => Transfer;
  TransferAction: TransferActions;
  StorageKind: StorageKinds;
  StorageAnswer: StorageAnswers;
  BytesAt: BytesAtValues;
  StorageLedger: new () => StorageLedger;
  HoldingVerdict: HoldingVerdicts;
  BodyRateMeter: new () => BodyRateMeter;
  /** Writes pending at once into a storage that queues them. */
  writesInFlight: number;
  /** Handle requests with create: true that may overlap (the COS extension loses entries when they do). */
  createsInFlight: number;
  /** Milliseconds a storage call that should answer at once may take by default (storageTimeout). */
  storageTimeoutMs: number;
  /** The largest body read whole (and the largest copy a native digest of a file may take). */
  wholeBodyMaxBytes: number;

  // Responses, downloads, storage
  /** opaqueRedirect: the response's type is "opaqueredirect" (a redirect not followed). */
  downloadRefusal(status: number, hasBody: boolean, rangeAsked: boolean, opaqueRedirect: boolean): string;
  putRefusal(method: string, status: number, vary: string, hasBody: boolean, bodyUsed: boolean): string;
  isCacheableMethod(method: string): boolean;
  /** Whether text holds a URL carrying a secret (userinfo, a secret query parameter). */
  textCarriesSecret(text: string): boolean;
  /** Why fetchWithCache/addToCache refuse a request of this method, or "". */
  loadRefusal(method: string): string;
  planResume(start: DownloadStart, loaded: number, attempts: number, maxAttempts: number): { resume: boolean; range: string; reason: string; shortBody: boolean };
  /**
   * A body read to its end, its request having asked from byte askedFrom: the next range of a paced
   * download (reason "" when none is due); shortBody: it ended before its range did, a break-off.
   */
  planNextSegment(start: DownloadStart, askedFrom: number, loaded: number): { resume: boolean; range: string; reason: string; shortBody: boolean };
  checkResume(start: DownloadStart, loaded: number, status: number, contentRange: string, etag: string): { ok: boolean; reason: string };
  /** The bytes each request of a paced download asks for at most. */
  pacedSegmentBytes: number;
  /** Whether downloads are paced: option "auto" | "true" | "false" (the cache's pacedDownloads, as text). */
  pacesDownloads(option: string, bodiesLackBackpressure: boolean): boolean;
  fitsStorageEstimate(size: number, quota: number, usage: number): boolean;
  /** The Cache API stores a cache of `scope` uses (src/store_plan.h). */
  planStores(scope: string, importLegacy: boolean): { ownStore: string; fallbackStore: string; legacyStores: string[]; snapshot: boolean };
  encodeFallbackSeal(writeId: string, size: number): string;
  fallbackSealVouches(seal: string, writeId: string, size: number): boolean;

  // Options
  optionError(name: string, type: string, number: number, shown: string, items: string[] | undefined, itemsAreStrings: boolean): string;

  // Limits and names
  maxLfsPointerBytes: number;
  maxBatchBodyBytes: number;
  /** The most one string or byte array handed to the core may hold; more is a RangeError. */
  maxInputBytes: number;
  /** A fallback seal longer than this vouches for nothing. */
  maxSealBytes: number;
  maxSnapshotBytes: number;
  maxRecordBytes: number;
  maxKnownSecrets: number;
  snapshotKey: string;
  /** How often new records are written into the snapshot, at most (ms). */
  snapshotWriteIntervalMs: number;
  /** Space-separated; `errorKinds` is the same list by name. */
  errorKindList: string;
  errorKinds: ErrorKinds;
}

/** Options of loadCore beyond CoreOptions: another build's Emscripten factory (the tests' module). */
export interface LoadCoreOptions extends CoreOptions {
  moduleFactory?: (args: object) => Promise<CoreModule>;
}

export function loadCore(options?: LoadCoreOptions): Promise<CoreModule>;
