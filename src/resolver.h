// The sans-IO decision core of the cache: given a URL, it says which lookup to do next (memory,
// persisted store, legacy stores, batch request, LFS pointer) and, fed each result, what follows.
// The JS shim executes the steps; nothing here fetches or awaits.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "artifact_url.h"
#include "batch_desk.h"
#include "hash_index.h"
#include "hash_record.h"
#include "integrity_hints.h"
#include "paths_info.h"
#include "record_snapshot.h"
#include "revision_listings.h"
#include "snapshot_ledger.h"
#include "sri.h"

namespace coc {

struct ResolverOptions {
  std::size_t capacity = 10000;       // in-memory index entries
  double max_age_ms = 3600000;        // hub URLs on a branch/tag are revalidated after this
  double max_age_other_hosts_ms = -1;  // non-hub URLs: < 0 = never expire
  bool persist = true;                // a persisted store exists
  bool batch = true;                  // use the hub's paths-info endpoint
  // List a model repo's revision in one request (tree API) instead of asking paths-info for the
  // paths at hand: later files of the same revision then need no request. Datasets and spaces can
  // hold millions of files, so they always use paths-info.
  bool list_repos = true;
  std::vector<std::string> legacy_stores;  // e.g. "tvmjs-cos-hash-meta", read after our own
  // A snapshot of every persisted record exists (record_snapshot.h): it is read once, before the
  // first per-URL entry, as it may answer for every URL at once.
  bool snapshot = false;
  // How long the shim waits for a listing, paths-info or pointer answer before it gives up and
  // says so (timed_out below); named in the errors.
  double resolution_timeout_ms = 30000;
};

// What the shim must do next for one URL.
enum class StepAction {
  done,            // the lookup is over: see found and record
  read_snapshot,   // read the snapshot of persisted records (load_snapshot, or snapshot_unavailable)
  read_persisted,  // read the entry `key` of our persisted store
  read_legacy,     // read the entry `key` of the legacy store `store`
  fetch_batch,     // wait for the batch request that take_batches() names with this resolution's ticket
  fetch_pointer,   // fetch the LFS pointer at `pointer_url`
};
// The action's name as the fuzz targets and test failures print it.
const char* step_action_name(StepAction action);

struct Step {
  StepAction action = StepAction::done;
  std::string key;          // storage key of the URL (the entry a read step reads)
  std::string pointer_url;  // with fetch_pointer
  std::string store;        // with read_legacy
  std::string group;        // with fetch_batch
  // With done: the record, or found == false when the hash must come from the content.
  bool found = false;
  HashRecord record;
  // Where the hash came from this time: memory|persisted|imported|batch|pointer|hint|stale, or
  // from record_content: content (learned from the bytes) or verified (the bytes confirmed it).
  std::string hit;
  // Side effects for the shim: a record to write to our persisted store, an error to report
  // (error_kinds.h).
  std::string persist_key;
  std::string persist_body;
  std::string error_kind;
  std::string error_message;
  // From record_content: the bytes are refused (the load fails), or they refuted a record that
  // was only a cache (persisted, imported, from a snapshot or an older answer): that record is
  // forgotten, the hub is to be asked again and the load run once more (the shim drops the entry
  // `drop_key` from the stores it read; "" when there is none). The fresh answer reports
  // "record-corrected" when it differs.
  bool refused = false;
  bool recheck = false;
  std::string drop_key;
};

// What reading a snapshot of the persisted records did.
struct SnapshotLoad {
  std::size_t loaded = 0;   // records memory did not have yet
  std::size_t skipped = 0;  // entries that were not valid records for a persistable URL
  std::string error_kind;   // persisted-snapshot-invalid when anything was refused
  std::string error_message;
};

// A snapshot to write: what is stored merged with what this resolver changed since it last wrote.
struct SnapshotMerge {
  std::string body;              // the snapshot to store
  std::uint64_t generation = 0;  // give to snapshot_written() once body is stored
  SnapshotLoad load;             // what the stored snapshot brought into memory
};

// A batch request to send, with the tickets of the resolutions waiting for it and the partition
// (whose credentials it carries).
struct PlannedBatch {
  BatchRequest request;
  std::string partition;
  std::vector<std::uint64_t> tickets;
};
struct BatchPlan {
  std::vector<PlannedBatch> requests;
  std::vector<std::uint64_t> released;  // waiting for no request: their batch_answered may follow now
};
// Side effects of a batch response, applied once for the whole group.
struct BatchOutcome {
  bool ok = false;
  std::size_t resolved = 0;  // LFS files whose hash it gave
  std::size_t plain = 0;     // files it says are not in LFS
  std::vector<std::string> persist_keys;
  std::vector<std::string> persist_bodies;
  std::string error_kind;
  std::string error_message;
};

// What the shim knows of bytes it has just downloaded and hashed.
struct Content {
  std::string sha256;       // hex SHA-256 of the bytes
  std::int64_t size = -1;   // bytes, -1 when unknown
  // The hash the download started with ("" when none): it alone judges the bytes, however old
  // its record has become while they came in.
  std::string expected;
  std::string etag;         // the response's ETag: the hub's git blob id for a file not in LFS
  std::string repo_commit;  // the response's X-Repo-Commit
  // The size recorded with `expected`, or without one, the size a hub answer named for the file
  // (hub_named_size(); -1: none). A body is read no further than one byte past it
  // (TransferStep::body_limit): when `size` is larger, the bytes are not the file, whatever the
  // hash of the part that came.
  std::int64_t size_limit = -1;
  // The git blob id of the bytes, in the format git_blob_format() named ("" when none was asked):
  // what a hub names a file not in Git LFS by, checked when the hash comes from the bytes.
  std::string git_blob;
  // The URL the response came from ("" when the same or unknown, as for a caller's own Response):
  // one of another origin (a redirect to an LFS file's CDN) has an ETag of that origin's, not the
  // hub's word on a blob.
  std::string response_url;
  // The caller's own response (put()): its headers are the caller's, so its X-Repo-Commit does not
  // decide which of the hub's answers apply to the bytes (Transfer sets it).
  bool from_caller = false;
};

class Resolver {
 public:
  // resolve: the hash to use now (a stale record is revalidated over the network). local: the
  // record memory or our persisted store holds, whatever its age, with no network step (what
  // delete must remove).
  enum class Lookup { resolve, local };

  explicit Resolver(ResolverOptions options = {});

  Step begin(const std::string& url, double now_ms, Lookup lookup = Lookup::resolve);
  Step after_persisted(const std::string& url, bool found, const std::string& body, double now_ms,
                       Lookup lookup = Lookup::resolve);
  Step after_legacy(const std::string& url, const std::string& store, bool found,
                    const std::string& body, double now_ms);
  Step after_batch(const std::string& url, double now_ms);
  // timed_out: no answer came within resolution_timeout_ms (status is then 0).
  // etag: the answer's ETag: the file's blob id when /raw/ served a file not in LFS; file_size: the
  // file's size as the answer's headers give it (answered_file_size(); -1 when they do not).
  Step after_pointer(const std::string& url, int status, const std::string& text,
                     const std::string& repo_commit, double now_ms, bool timed_out = false,
                     const std::string& etag = "", std::int64_t file_size = -1);

  // Batch requests for the URLs whose hash is not already in memory and fresh.
  std::vector<BatchRequest> plan_batch(const std::vector<std::string>& urls, double now_ms);
  // Which resolutions share a batch request is decided here, once (batch_desk.h): resolutions
  // created between open_cohort() and close_cohort() go out together. take_batches() names the
  // requests to send now, each with the tickets of the resolutions it answers, and the tickets
  // let go without one (memory or a listing answers them now).
  std::uint32_t open_cohort() { return desk_.open_cohort(); }
  void close_cohort(std::uint32_t cohort) { desk_.close_cohort(cohort); }
  BatchPlan take_batches(double now_ms);
  // What Resolution uses to take its place at the desk.
  BatchDesk& desk() { return desk_; }
  std::uint64_t new_ticket() { return next_ticket_++; }
  // link_header: the response's Link header; a tree listing with a next page is incomplete.
  // timed_out: no answer came within resolution_timeout_ms; the next source is used.
  BatchOutcome apply_batch(const std::string& group, int status, std::string_view body,
                           const std::string& repo_commit, const std::string& link_header,
                           double now_ms, bool timed_out = false);

  // The git blob id format ("sha1", "sha256") in which record_content() needs the bytes' blob id
  // (Content::git_blob), or "" when it checks none: bytes of a hub URL whose hash comes from their
  // content, where the hub named a blob for them: the response's own ETag (unless it came from
  // another origin), or a listing, paths-info or /raw/ answer that said the file is not in LFS, of
  // the response's commit (or of a commit either does not say).
  std::string git_blob_format(const std::string& url, const Content& content, double now_ms);
  // The hash of bytes just downloaded: verifies against what was expected and records it. Bytes
  // whose git blob id is not the one the hub named, or that ran past the size a hub answer named
  // (Content::size_limit without a hash), are refused; when a listing, paths-info or /raw/ answer
  // named it, that answer may be outdated, so it is forgotten and the load runs once more first
  // (recheck). Without a blob id it needs (one the ETag names), throws std::invalid_argument.
  Step record_content(const std::string& url, const Content& content, double now_ms);
  // Bytes no record guarded and no response described (tests, tools).
  Step record_content(const std::string& url, const std::string& sha256_hex, std::int64_t size,
                      double now_ms) {
    Content content;
    content.sha256 = sha256_hex;
    content.size = size;
    return record_content(url, content, now_ms);
  }
  // Storage answered for the entry `hash` of url's record with a file of `stored` bytes, where the
  // record says `recorded`: when both are known and differ, the record is wrong (the entry's bytes
  // hash to its key), and is refuted as bytes that do not match refute it (a cached record is
  // forgotten and asked for again: recheck; a verdict is refused). Otherwise found, unchanged.
  Step record_stored_size(const std::string& url, const std::string& hash, std::int64_t recorded, std::int64_t stored);
  // The same for the git blob id: the entry `hash` opened for url's record is the blob `stored`,
  // where the record (a plain hub file's, learned from its bytes) says `recorded`.
  Step record_stored_blob(const std::string& url, const std::string& hash, const std::string& recorded,
                          const std::string& stored);
  // The git blob id url's record names, when it is the record of `hash` ("" otherwise).
  std::string record_blob(const std::string& url, const std::string& hash);
  // The size a listing, paths-info or /raw/ answer named for url's file not in LFS, whose hash
  // comes from its bytes: they are read no further than one byte past it (-1: none named).
  std::int64_t hub_named_size(const std::string& url) const;
  // Whether url's record of `hash` judges bytes: the hub's answer about its own file does (an LFS
  // answer, or a record that names the file's git blob), and a caller's hint; otherwise bytes are
  // the authority, and the record is only what earlier bytes hashed to (a put() of new bytes
  // replaces it).
  bool record_judges(const std::string& url, const std::string& hash);
  // An SRI-derived or caller-given hash (source "hint"); never persisted.
  void add_hint(const std::string& url, const std::string& sha256_hex, std::int64_t size);
  // Integrity metadata for a URL: SRI tokens ("sha256-<base64> sha512-<base64>") or bare hex
  // SHA-256. A sha256 becomes a hint (it keys COS); sha384/sha512, and sha256 values when there
  // are several (alternatives, as in SRI), can only verify the download.
  // Throws std::invalid_argument, with the reasons, when no token is usable.
  void add_integrity(const std::string& url, const std::string& integrity);
  // The digests a download of url is checked against (one of each algorithm's values must match).
  std::vector<SriHash> verify_only(const std::string& url) const;
  // Whether url's bytes may have the SHA-256 `hash`: false only when integrity named several
  // sha256 values and `hash` is none of them (a stored entry of that hash is not url's file).
  bool integrity_allows(const std::string& url, const std::string& hash) const;
  // Compares a digest of downloaded bytes with the expected one: an error step on mismatch.
  Step check_digest(const std::string& url, const std::string& algorithm, const std::string& hex) const;

  // Drops memory, "no pointer" state and the listing of the URL's revision; true if it was known.
  bool forget(const std::string& url);

  // Adds the snapshot's records that memory lacks (memory is newer); keys forgotten since the last
  // snapshot_written() stay forgotten. Their first hit reports "persisted", as a per-URL read would.
  SnapshotLoad load_snapshot(const std::string& body, double now_ms);
  // What to write over the stored snapshot (stored_found false: there is none, or it could not be
  // read). Other tabs share the store, so the stored records are the base: on top go the records
  // this resolver learned since its last write, and out go the keys it forgot. A record it holds
  // unchanged that the stored snapshot lacks was deleted by another tab and stays out. Deletions
  // are kept in the snapshot for a while (tombstones), so a record another tab learned before a
  // deletion and writes after it stays out too. Without a usable stored snapshot, every
  // persistable record is written (a repair). Leaving a record out is always safe: its per-URL
  // entry still answers.
  SnapshotMerge merge_snapshot(const std::string& stored, bool stored_found, double now_ms);
  // A snapshot from merge_snapshot() is stored: changes up to its generation are in it.
  void snapshot_written(std::uint64_t generation);
  // The snapshot could not be read, or there is none: the per-URL entries answer.
  void snapshot_unavailable() { snapshot_read_ = true; }
  // Whether the record of storage key `key` was deleted, here or in another tab as the snapshot
  // says, and not learned since: a per-URL entry written for it now (a write that was under way
  // when the deletion came) must go too.
  bool deleted(const std::string& key) const;
  std::size_t references(const std::string& sha256_hex) const { return index_.count_value(sha256_hex); }
  bool persistable(const std::string& url) const;  // false for URLs that carry credentials
  std::size_t size() const { return index_.size(); }
  // How long the shim lets a listing, paths-info or pointer request go unanswered.
  double resolution_timeout_ms() const { return options_.resolution_timeout_ms; }
  std::size_t listings() const { return listings_.size(); }

 private:
  // What the listing of url's revision says of its file; what it gives is learned, and step ends
  // the lookup with it (absent: with no record).
  Listed from_listing(const ArtifactUrl& url, double now_ms, Step& step);
  static void count_plain(const Step& side_effects, BatchOutcome& outcome);
  // What a hub answer said of a file not in LFS: its git blob id ("" when it named none) and size
  // (-1 when it named none), of which commit ("" when unknown), and which answer said it.
  struct PlainAnswer {
    std::string blob;
    std::int64_t size = -1;
    std::string commit;
    const char* source = "";
  };
  // What a batch answer (listing or paths-info, answered_at) says of one file: not in LFS with a
  // git blob id (a record learned from that blob is confirmed: the step has it; any other record
  // is dropped once stale or contradicted), or in LFS with sha256.
  Step learn_plain(const ArtifactUrl& url, PlainAnswer answer, double answered_at, double now_ms);
  Step learn_batch(const ArtifactUrl& url, const std::string& sha256, std::int64_t size,
                   const std::string& commit, double learned_at);
  BatchOutcome apply_tree(const BatchRequest& request, int status, std::string_view body,
                          const std::string& repo_commit, const std::string& link_header,
                          double now_ms, bool timed_out);
  // The commit a hub answer belongs to: the header if it is a commit, else a commit URL's revision.
  static std::string commit_of(const ArtifactUrl& url, const std::string& repo_commit);
  // The commit a hub answer says it is of (X-Repo-Commit), when the URL is pinned to another: the
  // answer is of other files and answers nothing for it. "" otherwise.
  static std::string other_commit(const ArtifactUrl& url, const std::string& repo_commit);
  // Whether a record judges bytes of its URL (record_judges).
  static bool judges_bytes(const ArtifactUrl& url, const HashRecord& record);
  std::string timeout_text() const;  // "30000 ms"

  enum class Stage { memory, persisted, legacy, batch, pointer };
  // The next step for url; reports a refuted record's correction (settle_distrust) on the way.
  Step plan(const ArtifactUrl& url, Stage from, std::size_t legacy_index, double now_ms);
  Step plan_unsettled(const ArtifactUrl& url, Stage from, std::size_t legacy_index, double now_ms);
  Step done(const ArtifactUrl& url, const HashRecord* record, const std::string& hit);
  // judge by value: it may be the record's own value, which forgetting the record frees.
  Step refuted(const ArtifactUrl& parsed, std::string judge, std::string message);
  Step plain_after_all(const ArtifactUrl& parsed, std::string judge);
  // Bytes with no hash to judge them contradicted a hub answer (message: how), which may be older
  // than the file: it is forgotten and the load runs once more. Only once per key until bytes meet
  // an answer (answer_rechecked_): a second contradiction is refused.
  bool answer_asked_again_before(const ArtifactUrl& parsed) const;
  Step answer_asked_again(const ArtifactUrl& parsed, std::string message);
  // Bytes with no hash to judge them ran past the size a hub answer named (Content::size_limit).
  Step past_named_size(const ArtifactUrl& parsed, const Content& content);
  Step recheck(const ArtifactUrl& parsed, std::string judge);
  Step refuted_by_entry(const ArtifactUrl& parsed, const std::string& hash, const std::string& held,
                        const std::string& recorded);
  Step find_local(const ArtifactUrl& url);  // Lookup::local: memory, then our persisted store
  Step read_persisted(const ArtifactUrl& url) const;  // the snapshot first, once
  bool is_stale(const ArtifactUrl& url, const HashRecord& record, double now_ms) const;
  void learn(const ArtifactUrl& url, HashRecord record, Step& step);
  bool batch_usable(const ArtifactUrl& url) const;
  bool known_plain(const ArtifactUrl& url) const;  // its hash can only come from its content
  // What the hub said a plain file's bytes are: a git blob id, and which answer said it.
  struct BlobClaim {
    std::string blob;
    std::string source;
    bool hub_answer;  // a listing, paths-info or /raw/ answer (it may be outdated), not the ETag
  };
  // The claims bytes of url must meet when no hash judges them (see git_blob_format()).
  std::vector<BlobClaim> blob_claims(const ArtifactUrl& url, const Content& content, double now_ms);
  // Puts a record in memory that the persisted snapshot should carry.
  void keep(const ArtifactUrl& url, HashRecord record);
  std::vector<KeyedRecord> snapshot_records() const;  // every persistable record, most recent first
  void import_snapshot(SnapshotDecode& decoded, double now_ms, SnapshotLoad& load);
  // Deletions the snapshot carried when last read or written (key -> when): a per-URL or legacy
  // entry of a record dated before its key's deletion is one a pending write brought back.
  std::map<std::string, double> deletions_;
  bool deleted_after(const std::string& key, const HashRecord& record) const;

  ResolverOptions options_;
  HashIndex index_;
  bool snapshot_read_ = false;
  BatchDesk desk_;
  std::uint64_t next_ticket_ = 1;
  std::set<std::string> no_pointer_;  // keys whose /raw/ is the file itself
  // key → what a listing, paths-info or /raw/ answer said of a file not in LFS.
  std::map<std::string, PlainAnswer> plain_answers_;
  // Kept when it names a blob id or a size.
  void keep_plain_answer(const ArtifactUrl& url, PlainAnswer answer);
  // Keys whose hub answer the bytes contradicted once (another blob, or past its size): that answer
  // was forgotten and the load ran again; a second contradiction is refused.
  std::set<std::string> answer_rechecked_;
  // key → SHA-256 of the /raw/ text a pointer record came from, this session: bytes that hash to
  // it are a plain file whose content reads as a pointer, not bytes that refute the record.
  std::map<std::string, std::string> pointer_texts_;
  RevisionListings listings_;
  IntegrityHints hints_;
  SnapshotLedger ledger_;
  // Keys whose record the bytes refuted, with the refuted hash: answered by the hub (or the bytes)
  // alone until a different hash is learned. A second refutation is the hub's own: refused.
  std::map<std::string, std::string> distrusted_;
  // Keys whose record in memory was read from a store (our persisted entries, a legacy store, a
  // snapshot), not answered by the hub or the bytes in this session: a cache the bytes may refute.
  std::set<std::string> from_stores_;
  void keep_from_store(const ArtifactUrl& url);
  // Reports "record-corrected" when a distrusted key gets a hash other than the one refuted.
  void settle_distrust(const ArtifactUrl& url, Step& step);
};

}  // namespace coc
