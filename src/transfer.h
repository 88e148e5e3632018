// One load's transfer, sans-IO: where its bytes come from (storage or the network) and where they
// go (streamed into storage, spooled in memory, handed over unstored), with which visibility and
// HTTP cache mode, whether a body that breaks off may be asked for again, and what follows each
// kind of failure. The shim creates one per load, performs the action it names and feeds back what
// happened; the object keeps its own place (h11's Connection is the model). It never fetches,
// awaits or reads the clock.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "resolver.h"
#include "storage_errors.h"

namespace coc {

// Writes pending at once into a storage that queues them, while the body is read on and hashed.
inline constexpr int kWritesInFlight = 4;
// The largest body read whole (a spool step with `whole`: a body for the fallback store under its
// known hash, or one held in memory anyway): the browser reads it into a Blob off the page thread
// and digests it natively, where streaming it through the page costs about 1.7x the time. Digesting copies it into the page twice over, so the cap is one
// model shard's size; larger bodies stream, with flat memory.
inline constexpr std::int64_t kWholeBodyMaxBytes = std::int64_t{32} << 20;
// ...and only while recent bodies arrived at least this fast each (BodyRateMeter): below it the
// page hashes a streamed body as fast as it comes, and a whole read would only add its copy,
// digest and put after the last byte (about 5% of a shard's time at 12.5 MB/s per connection).
inline constexpr double kWholeBodyMinBytesPerSecond = 50e6;
// Handle requests with create: true that may overlap: the COS extension loses entries when they
// do (0 of 48 lost with them one at a time); the writes and closes of different entries may.
inline constexpr int kCreatesInFlight = 1;
// How long a storage call that should answer at once (a handle request, createWritable, getFile)
// may go unanswered by default (the cache's storageTimeout): a create that never answers would
// otherwise hold the one create slot, and every later write would wait for it for ever.
inline constexpr double kStorageTimeoutMs = 60000;

// What keeps bytes by hash: Cross-Origin Storage, the same-origin fallback store, or nothing.
enum class StorageKind { none, cross_origin, fallback };

// What the caller asked for.
struct TransferRequest {
  StorageKind storage = StorageKind::none;
  // put(): the caller's own response, stored as given. It cannot be fetched again, so a body that
  // breaks off is not resumed and a refuted record fails the put.
  bool own_response = false;
  // The request's credentials make its bytes private (plan_request): stored same-site only.
  bool is_private = false;
  // false for addToCache: nobody reads the bytes now, so storage is asked only whether it holds
  // them (a handle), never to open the file.
  bool needs_bytes = true;
  // match(): storage alone is asked, never the network; without a stored entry the load is done
  // with no bytes.
  bool storage_only = false;
  // The cache's verdict from paces_downloads() (its option and whether this browser's fetch()
  // bodies are back-pressured): a large download with a known hash is paced by the store
  // (download_resume.h).
  bool paced_downloads = false;
  // The shim can read a body whole into a Blob and digest it natively (WebCrypto is there).
  bool native_digest = false;
  // The cache's resumeAttempts: how often a body that broke off may be asked for again (0: never).
  int resume_attempts = 0;
  // How fast recent bodies arrived, bytes per second (BodyRateMeter); below 0 (or NaN): unknown.
  double body_rate = -1;
  // The URL as messages may show it (redacted by the shim's rules).
  std::string shown_url;
};

enum class TransferAction {
  resolve,              // resolve the URL's hash → resolved()
  read_storage,         // open the entry `hash` → storage_answered()
  check_storage,        // ask whether the entry `hash` exists, opening nothing → storage_answered()
  download,             // fetch the file (HTTP cache mode: `no_store`; `range` when paced), or
                        // take the caller's response → downloaded()
  check_room,           // fallback store: ask whether `size` bytes fit → room_answered()
  stream_into_storage,  // stream the body into a new entry `hash` while hashing it → streamed(),
                        // stream_failed() or write_failed()
  spool,                // read the body into memory while hashing it → streamed(), stream_failed()
  close_write,          // vouch for `hash` and close the entry being written → closed(),
                        // write_failed()
  abandon_write,        // abort the entry being written (the bytes were refused) → abandoned()
  write_spooled,        // write the spooled bytes into a new entry `hash` → closed(), write_failed()
  check_kept,           // ask whether storage kept `hash` after a clean close → kept()
  read_back,            // open the stored entry `hash` for the caller → storage_answered()
  persist,              // write `persist_key` → `persist_body` into the persisted store → persisted()
  drop_refuted,         // drop `drop_key` from the stores the refuted record came from → dropped()
  done,                 // the load is over: `bytes` says where they are
  fail,                 // the load fails with `error_message` (the fed-back error as its cause)
};
const char* transfer_action_name(TransferAction action);

// Where the bytes of a finished load are.
enum class BytesAt {
  storage_file,  // the file storage opened (read_storage, read_back)
  stored,        // written into storage by this load, not opened yet: need_bytes() reads them back
  spooled,       // in memory (spool)
  none,          // nowhere: need_bytes() downloads them again, unstored
};

// How storage answered a lookup.
enum class StorageAnswer { hit, miss, not_allowed, error };

struct TransferStep {
  TransferAction action = TransferAction::done;
  std::string hash;  // the entry the action is about
  // download: keep the bytes out of the browser's HTTP cache (they are headed for storage; a
  // second copy there would only push other sites' entries out).
  bool no_store = false;
  // download: the Range header to send, when the download is paced ("" for the whole file).
  std::string range;
  // stream_into_storage, spool: a body that breaks off may be asked for again from where it
  // stopped (only a request this cache made, and only when the hash will check the joined bytes).
  bool resumable = false;
  bool hash_known = false;
  // spool: read the body whole (response.blob()) and digest it natively, rather than chunk by
  // chunk through the page; the bytes are not there until they all are, so a break-off cannot be
  // resumed from where it stopped (stream_failed() asks for them again, streamed).
  bool whole = false;
  // stream_into_storage, write_spooled: the entry may be shared with other origins (the cache's
  // `origins`) or kept same-site (private bytes: anyone who knows a hash could read a shared one).
  bool shared = false;
  int writes_in_flight = 1;  // stream_into_storage: writes pending at once when storage queues them
  // stream_into_storage: paced, the body is the first segment and each next range asks for at most
  // this many bytes, once the bytes before it are handed to storage (0: one body, not paced).
  std::int64_t segment_bytes = 0;
  // The bytes expected in all (progress, check_room): the response's length (unless encoded), else
  // the size the body may not run past (body_limit); -1 when unknown.
  std::int64_t size = -1;
  // stream_into_storage, spool: the size recorded with the hash the bytes must have, or for bytes
  // whose hash comes from them, the size a hub answer named for the file (-1: neither). The body is
  // read no further than one byte past it, and streamed() is told the size read: a hostile or
  // changed file that runs on is refused there, not held or stored to its end.
  std::int64_t body_limit = -1;
  std::string expected;  // spool, stream: the hash the download started with ("" when none)
  // read_storage: the git blob id format ("sha1", "sha256") of an opened file to pass back
  // (storage_answered); "" when the record names no blob.
  std::string git_blob_format;
  std::string persist_key, persist_body;  // persist
  std::string drop_key;                   // drop_refuted
  BytesAt bytes = BytesAt::none;          // done
  bool from_storage = false;              // done: storage answered (no download)
  bool stored = false;                    // done: this load wrote the bytes into storage
  bool hash_from_content = false;         // after streamed(): the hash was learned from the bytes
  // An event to report before acting (an onError kind, error_kinds.h; "" when none), with its
  // message ("" when the error the shim fed back is to be reported as it is).
  std::string error_kind;
  std::string error_message;
  // fail: what the load fails with ("" when it is the error the shim fed back, as it is).
  std::string fail_message;
};

class Transfer {
 public:
  explicit Transfer(TransferRequest request);
  // A load that finished (done) with its bytes `stored` or `none`, for a caller that needs them
  // now (need_bytes() already applied): the load's own object is gone by then.
  static Transfer for_bytes(TransferRequest request, BytesAt bytes, const std::string& hash, std::int64_t size);

  TransferStep next() const { return step_; }

  // found: the resolver has a record; hash and size are its (size -1 when unknown).
  TransferStep resolved(bool found, const std::string& hash, std::int64_t size);
  // The same, for url's record in resolver: when it names the file's git blob (a plain hub file's,
  // computed from its bytes), an entry opened for it is checked against that id too
  // (TransferStep::git_blob_format, storage_answered()).
  TransferStep resolved(Resolver& resolver, const std::string& url, bool found, const std::string& hash,
                        std::int64_t size);
  TransferStep storage_answered(StorageAnswer answer);
  // The same, with the stored file's size (-1 when not opened): an entry opened for this load whose
  // size is not the record's refutes the record through the resolver (Resolver::record_stored_size),
  // as bytes that do not match would: a cached record is dropped and the load runs again.
  // git_blob: the opened file's git blob id, when the step asked for one (git_blob_format); one
  // that is not the record's refutes the record the same way.
  TransferStep storage_answered(Resolver& resolver, const std::string& url, StorageAnswer answer,
                                std::int64_t file_size, const std::string& git_blob = "");
  // content_length: the response's Content-Length, -1 when absent; status and Content-Range
  // matter only for a paced download's first range request. content_encoding: the response's
  // Content-Encoding: a body of any coding but identity reads decoded bytes, which its
  // Content-Length does not count, so it is never read whole.
  TransferStep downloaded(std::int64_t content_length, int status = 200, std::string_view content_range = {},
                          std::string_view content_encoding = {});
  // quota and usage as the storage estimate gave them (for the message).
  TransferStep room_answered(bool fits, double quota, double usage);
  // The resolver's verdict on the bytes just hashed (Resolver::record_content), their SHA-256 and
  // their size.
  TransferStep streamed(const Step& verdict, const std::string& sha256, std::int64_t size);
  // The same, with the resolver judging the bytes of url (and learning their hash) first.
  TransferStep streamed(Resolver& resolver, const std::string& url, const Content& content, double now_ms);
  // Resolver::git_blob_format() for these bytes, as streamed() will judge them.
  std::string git_blob_format(Resolver& resolver, const std::string& url, const Content& content, double now_ms) const;
  // Reading the body failed (after any resume), or (digest_mismatch) a digest the app gave did not
  // match it: bytes that were read whole are asked for again only when the read broke off.
  TransferStep stream_failed(bool digest_mismatch = false);
  TransferStep closed();
  // A write into storage failed: error_name is the storage's error name ("QuotaExceededError",
  // ...), storage_step where it failed ("request", "createWritable", "write", "close").
  TransferStep write_failed(const std::string& error_name, const std::string& storage_step);
  TransferStep abandoned();
  TransferStep kept(bool found);
  TransferStep persisted();
  TransferStep dropped();
  // A caller now needs the bytes of a finished load (done with bytes stored or none).
  TransferStep need_bytes();

 private:
  enum class Phase { load, read_back };
  TransferStep go(TransferStep step);
  void expect(TransferAction action, const char* feed) const;
  void expect_one_of(std::initializer_list<TransferAction> actions, const char* feed) const;
  TransferStep fetch();
  TransferStep body_step() const;
  std::int64_t body_limit() const;
  bool whole_body() const;
  TransferStep room_check() const;
  TransferStep store_spooled() const;
  TransferStep after_abandoned();
  TransferStep after_dropped();
  TransferStep after_kept() const;
  TransferStep finish(BytesAt bytes, bool stored) const;
  TransferStep failure(std::string message) const;
  TransferStep download_unstored();
  // What the resolver is told of the bytes: the content as the shim saw it, with what this
  // transfer knows of them (the size recorded with their hash, whether they are the caller's).
  Content judged(const Content& content) const;
  static TransferStep reported(TransferStep step, std::string_view kind, std::string message);

  TransferRequest request_;
  Phase phase_ = Phase::load;
  TransferStep step_;
  bool found_ = false;
  std::string hash_;          // the record's hash, then the content's
  std::int64_t record_size_ = -1;
  std::string record_blob_;   // the record's git blob id ("" when it names none)
  std::int64_t named_size_ = -1;  // the size a hub answer named for a file not in LFS (-1: none)
  std::int64_t total_ = -1;   // the bytes expected in all
  bool can_store_ = false;    // storage may take these bytes
  bool restarted_ = false;    // a refuted record already made the load run once more
  bool spooled_ = false;      // the bytes are in memory
  bool stored_ = false;       // this load wrote them into storage
  bool paced_ = false;        // the download is asked for segment by segment
  // The body's length as its Content-Length gives it (-1: none, or the body is content-encoded, when
  // it counts encoded bytes).
  std::int64_t content_length_ = -1;
  bool room_checked_ = false; // the fallback store said the bytes fit
  bool whole_failed_ = false; // a whole read broke off: the body streams from now on
  Step verdict_;              // the resolver's verdict on the bytes (persist, refutation)
};

}  // namespace coc
