// embind bindings of the core. No logic here: type conversion (64-bit sizes become JS numbers,
// bytes cross through a scratch view of the wasm heap) and C++ exceptions turned into JS Errors.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "artifact_url.h"
#include "download_resume.h"
#include "error_kinds.h"
#include "hash_descriptor.h"
#include "hash_record.h"
#include "record_snapshot.h"
#include "request_secrets.h"
#include "lfs_pointer.h"
#include "paths_info.h"
#include "resolver.h"
#include "sha256.h"
#include "sha512.h"
#include "tensor_cache.h"
#include "transfer.h"

#include "guarded.h"
#include "live_counted.h"

using emscripten::val;

namespace {

using coc_bindings::guarded;
using coc_bindings::LiveCounted;

// A body from the network or a store, as JS hands it over: a Uint8Array (copied once into the
// heap; a string parameter would be copied twice) or a string.
std::string body_bytes(const val& body) {
  if (body.isString()) return body.as<std::string>();
  const auto length = body["byteLength"].as<std::size_t>();
  std::string bytes(length, '\0');
  val(emscripten::typed_memory_view(length, reinterpret_cast<std::uint8_t*>(&bytes[0]))).call<void>("set", body);
  return bytes;
}

// One buffer in the wasm heap that JS copies chunks into before hashing them.
std::vector<std::uint8_t> scratch;

val scratch_view(std::size_t length) {
  if (scratch.size() < length) scratch.resize(length);
  return val(emscripten::typed_memory_view(length, scratch.data()));
}

// A hasher fed from the scratch buffer; one template for SHA-256 and SHA-512/384.
template <typename Hasher>
class JsHasher : LiveCounted {
 public:
  template <typename... Args>
  explicit JsHasher(Args... args) : hasher_(args...) {}
  void update_from_scratch(std::size_t length) {
    guarded([&] {
      if (length > scratch.size()) throw std::out_of_range("update beyond the scratch buffer");
      hasher_.update(scratch.data(), length);
      return 0;
    });
  }
  std::string finish_hex() { return hasher_.finish_hex(); }

 private:
  Hasher hasher_;
};

using JsSha256 = JsHasher<coc::Sha256>;
using JsSha512 = JsHasher<coc::Sha512>;

JsSha512* make_sha512(bool sha384) {
  return new JsSha512(sha384 ? coc::Sha512::Variant::sha384 : coc::Sha512::Variant::sha512);
}

struct JsRecord {
  std::string algorithm = coc::kSha256Algorithm;
  std::string value;
  double size = -1;
  std::string source;
  std::string commit;
  double stored_at = 0;
};

JsRecord to_js(const coc::HashRecord& record) {
  return {coc::kSha256Algorithm, record.value, static_cast<double>(record.size), record.source,
          record.commit, record.stored_at};
}

struct JsStep {
  coc::StepAction action = coc::StepAction::done;
  std::string key, pointer_url, store, group;
  bool found = false;
  JsRecord record;
  std::string hit, persist_key, persist_body, error_kind, error_message;
  bool refused = false, recheck = false;
  std::string drop_key;
};

JsStep to_js(const coc::Step& step) {
  return {step.action, step.key, step.pointer_url, step.store, step.group, step.found,
          to_js(step.record), step.hit, step.persist_key, step.persist_body, step.error_kind,
          step.error_message, step.refused, step.recheck, step.drop_key};
}

// What the shim knows of downloaded bytes (coc::Content, with the size as a JS number).
struct JsContent {
  std::string sha256;
  double size = -1;
  std::string expected, etag, repo_commit;
};

val to_js(const coc::SnapshotLoad& load) {
  val result = val::object();
  result.set("loaded", static_cast<double>(load.loaded));
  result.set("skipped", static_cast<double>(load.skipped));
  result.set("errorKind", load.error_kind);
  result.set("errorMessage", load.error_message);
  return result;
}

struct JsLfsPointer {
  bool ok = false;
  std::string oid;
  double size = 0;
  std::string reason;
};

JsLfsPointer parse_lfs_pointer(const std::string& text) {
  coc::LfsPointerParse parsed = coc::parse_lfs_pointer(text);
  return {parsed.ok, parsed.pointer.oid, static_cast<double>(parsed.pointer.size), parsed.reason};
}

coc::ArtifactUrl parse_artifact_url(const std::string& url) {
  return guarded([&] { return coc::parse_artifact_url(url); });
}

// std::string_view parameters do not cross embind; these take std::string.
bool is_canonical_sha256_hex(const std::string& value) { return coc::is_canonical_sha256_hex(value); }
std::string served_media_type(const std::string& stored, const std::string& url_media_type) {
  return coc::served_media_type(stored, url_media_type);
}

// The hash value of a persisted record, "" when it is not a valid one.
std::string decode_record_value(const val& body) {
  return guarded([&] {
    coc::RecordDecode decoded = coc::decode_record(body_bytes(body));
    return decoded.ok ? decoded.record.value : std::string();
  });
}


val to_array(const std::vector<std::string>& items) {
  val array = val::array();
  for (const std::string& item : items) array.call<void>("push", item);
  return array;
}

val tensor_cache_shard_urls(const std::string& cache_url, const std::string& json) {
  return guarded([&] { return to_array(coc::tensor_cache_shard_urls(cache_url, json)); });
}

val chat_config_tokenizer_urls(const std::string& model_url, const std::string& json) {
  return guarded([&] { return to_array(coc::chat_config_tokenizer_urls(model_url, json)); });
}

bool is_tensor_cache_url(const std::string& url) { return coc::is_tensor_cache_url(url); }

// The facts of a caller's request: its URL, header names and values (parallel arrays) and
// credentials mode.
val plan_request(const std::string& url, val header_names, val header_values, const std::string& credentials) {
  return guarded([&] {
    coc::RequestFacts facts{url, {}, credentials};
    const auto names = emscripten::vecFromJSArray<std::string>(header_names);
    const auto values = emscripten::vecFromJSArray<std::string>(header_values);
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) facts.headers.push_back({names[i], values[i]});
    const coc::RequestPlan plan = coc::plan_request(facts);
    val result = val::object();
    result.set("isPrivate", plan.is_private);
    result.set("partition", plan.partition);
    result.set("fetchUrl", plan.fetch_url);
    result.set("authorization", plan.authorization);
    result.set("secrets", to_array(plan.secrets));
    return result;
  });
}

std::string redact_text(const std::string& text, val secrets) {
  return coc::redact_text(text, emscripten::vecFromJSArray<std::string>(secrets));
}

bool forwards_credentials(const std::string& file_url, const std::string& target_url) {
  return coc::forwards_credentials(file_url, target_url);
}

// One load's transfer (coc::Transfer) with its step's sizes as JS numbers.
struct JsTransferStep {
  coc::TransferAction action = coc::TransferAction::done;
  std::string hash;
  bool no_store = false, resumable = false, hash_known = false, shared = false;
  int writes_in_flight = 1;
  double size = -1;
  std::string expected, persist_key, persist_body, drop_key;
  coc::BytesAt bytes = coc::BytesAt::none;
  bool from_storage = false, stored = false, hash_from_content = false;
  std::string error_kind, error_message, fail_message;
};

JsTransferStep to_js(const coc::TransferStep& step) {
  return {step.action, step.hash, step.no_store, step.resumable, step.hash_known, step.shared,
          step.writes_in_flight, static_cast<double>(step.size), step.expected, step.persist_key,
          step.persist_body, step.drop_key, step.bytes, step.from_storage, step.stored,
          step.hash_from_content, step.error_kind, step.error_message, step.fail_message};
}

struct JsTransferRequest {
  coc::StorageKind storage = coc::StorageKind::none;
  bool own_response = false, is_private = false, needs_bytes = true, storage_only = false;
  std::string shown_url;
};

coc::TransferRequest from_js(const JsTransferRequest& request) {
  return {request.storage, request.own_response, request.is_private, request.needs_bytes, request.storage_only,
          request.shown_url};
}

class JsTransfer : LiveCounted {
 public:
  JsTransfer(std::shared_ptr<coc::Resolver> resolver, std::string url, coc::Transfer transfer)
      : resolver_(std::move(resolver)), url_(std::move(url)), transfer_(std::move(transfer)) {}

  JsTransferStep next() const { return to_js(transfer_.next()); }
  JsTransferStep resolved(bool found, const std::string& hash, double size) {
    return guarded([&] { return to_js(transfer_.resolved(found, hash, static_cast<std::int64_t>(size))); });
  }
  JsTransferStep storage_answered(coc::StorageAnswer answer) {
    return guarded([&] { return to_js(transfer_.storage_answered(answer)); });
  }
  JsTransferStep downloaded(double content_length) {
    return guarded([&] { return to_js(transfer_.downloaded(static_cast<std::int64_t>(content_length))); });
  }
  JsTransferStep room_answered(bool fits, double quota, double usage) {
    return guarded([&] { return to_js(transfer_.room_answered(fits, quota, usage)); });
  }
  // The resolver judges the bytes (and learns their hash); the transfer decides what follows.
  JsTransferStep streamed(const JsContent& content, double now) {
    return guarded([&] {
      const auto size = static_cast<std::int64_t>(content.size);
      const coc::Step verdict = resolver_->record_content(
          url_, coc::Content{content.sha256, size, content.expected, content.etag, content.repo_commit}, now);
      return to_js(transfer_.streamed(verdict, content.sha256, size));
    });
  }
  JsTransferStep stream_failed() { return guarded([&] { return to_js(transfer_.stream_failed()); }); }
  JsTransferStep closed() { return guarded([&] { return to_js(transfer_.closed()); }); }
  JsTransferStep write_failed(const std::string& error_name, const std::string& storage_step) {
    return guarded([&] { return to_js(transfer_.write_failed(error_name, storage_step)); });
  }
  JsTransferStep abandoned() { return guarded([&] { return to_js(transfer_.abandoned()); }); }
  JsTransferStep kept(bool found) { return guarded([&] { return to_js(transfer_.kept(found)); }); }
  JsTransferStep persisted() { return guarded([&] { return to_js(transfer_.persisted()); }); }
  JsTransferStep dropped() { return guarded([&] { return to_js(transfer_.dropped()); }); }
  JsTransferStep need_bytes() { return guarded([&] { return to_js(transfer_.need_bytes()); }); }

 private:
  std::shared_ptr<coc::Resolver> resolver_;
  std::string url_;
  coc::Transfer transfer_;
};

class JsResolver : LiveCounted {
 public:
  explicit JsResolver(val options) : resolver_(std::make_shared<coc::Resolver>(read_options(options))) {}

  JsStep begin(const std::string& url, double now) {
    return guarded([&] { return to_js(resolver_->begin(url, now)); });
  }
  JsStep after_persisted(const std::string& url, bool found, const val& body, double now) {
    return guarded([&] { return to_js(resolver_->after_persisted(url, found, body_bytes(body), now)); });
  }
  JsStep look_up_local(const std::string& url, double now) {
    return guarded([&] { return to_js(resolver_->begin(url, now, coc::Resolver::Lookup::local)); });
  }
  JsStep after_persisted_local(const std::string& url, bool found, const std::string& body, double now) {
    return guarded([&] {
      return to_js(resolver_->after_persisted(url, found, body, now, coc::Resolver::Lookup::local));
    });
  }
  JsStep after_legacy(const std::string& url, const std::string& store, bool found,
                      const val& body, double now) {
    return guarded([&] { return to_js(resolver_->after_legacy(url, store, found, body_bytes(body), now)); });
  }
  JsStep after_batch(const std::string& url, double now) {
    return guarded([&] { return to_js(resolver_->after_batch(url, now)); });
  }
  JsStep after_pointer(const std::string& url, int status, const std::string& text,
                       const std::string& commit, double now, bool timed_out) {
    return guarded([&] { return to_js(resolver_->after_pointer(url, status, text, commit, now, timed_out)); });
  }
  val plan_batch(val urls, double now) {
    return guarded([&] {
      val result = val::array();
      for (const coc::BatchRequest& request :
           resolver_->plan_batch(emscripten::vecFromJSArray<std::string>(urls), now)) {
        val item = val::object();
        item.set("group", request.group);
        item.set("kind", request.kind);
        item.set("method", request.method);
        item.set("url", request.url);
        item.set("body", request.body);
        item.set("keys", to_array(request.keys));
        item.set("paths", to_array(request.paths));
        result.call<void>("push", item);
      }
      return result;
    });
  }
  val apply_batch(const std::string& group, int status, const val& body, const std::string& commit,
                  const std::string& link, double now, bool timed_out) {
    return guarded([&] {
      coc::BatchOutcome outcome = resolver_->apply_batch(group, status, body_bytes(body), commit, link, now, timed_out);
      val result = val::object();
      result.set("ok", outcome.ok);
      result.set("resolved", static_cast<double>(outcome.resolved));
      result.set("plain", static_cast<double>(outcome.plain));
      result.set("persistKeys", to_array(outcome.persist_keys));
      result.set("persistBodies", to_array(outcome.persist_bodies));
      result.set("errorKind", outcome.error_kind);
      result.set("errorMessage", outcome.error_message);
      return result;
    });
  }
  JsStep record_content(const std::string& url, const JsContent& content, double now) {
    return guarded([&] {
      coc::Content bytes;
      bytes.sha256 = content.sha256;
      bytes.size = static_cast<std::int64_t>(content.size);
      bytes.expected = content.expected;
      bytes.etag = content.etag;
      bytes.repo_commit = content.repo_commit;
      return to_js(resolver_->record_content(url, bytes, now));
    });
  }
  void add_integrity(const std::string& url, const std::string& integrity) {
    guarded([&] {
      resolver_->add_integrity(url, integrity);
      return 0;
    });
  }
  val verify_only(const std::string& url) {
    return guarded([&] {
      val result = val::array();
      for (const coc::SriHash& hash : resolver_->verify_only(url)) {
        val item = val::object();
        item.set("algorithm", hash.algorithm);
        item.set("hex", hash.hex);
        result.call<void>("push", item);
      }
      return result;
    });
  }
  JsStep check_digest(const std::string& url, const std::string& algorithm, const std::string& hex) {
    return guarded([&] { return to_js(resolver_->check_digest(url, algorithm, hex)); });
  }
  bool forget(const std::string& url) { return guarded([&] { return resolver_->forget(url); }); }
  double references(const std::string& hex) const {
    return static_cast<double>(resolver_->references(hex));
  }
  bool persistable(const std::string& url) const { return guarded([&] { return resolver_->persistable(url); }); }
  val load_snapshot(const val& body, double now) {
    return guarded([&] { return to_js(resolver_->load_snapshot(body_bytes(body), now)); });
  }
  val merge_snapshot(const val& stored, bool stored_found, double now) {
    return guarded([&] {
      coc::SnapshotMerge merge = resolver_->merge_snapshot(body_bytes(stored), stored_found, now);
      val result = to_js(merge.load);
      result.set("body", merge.body);
      result.set("generation", static_cast<double>(merge.generation));
      return result;
    });
  }
  JsTransfer* transfer(const std::string& url, const JsTransferRequest& request) {
    return new JsTransfer(resolver_, url, coc::Transfer(from_js(request)));
  }
  JsTransfer* transfer_for_bytes(const std::string& url, const JsTransferRequest& request, coc::BytesAt bytes,
                                 const std::string& hash, double size) {
    return new JsTransfer(resolver_, url,
                          coc::Transfer::for_bytes(from_js(request), bytes, hash, static_cast<std::int64_t>(size)));
  }
  void snapshot_written(double generation) {
    resolver_->snapshot_written(static_cast<std::uint64_t>(generation));
  }

 private:
  static coc::ResolverOptions read_options(const val& options) {
    coc::ResolverOptions result;
    if (options.isUndefined() || options.isNull()) return result;
    if (options.hasOwnProperty("capacity")) result.capacity = options["capacity"].as<std::size_t>();
    if (options.hasOwnProperty("maxAge")) result.max_age_ms = options["maxAge"].as<double>();
    if (options.hasOwnProperty("maxAgeOtherHosts")) {
      result.max_age_other_hosts_ms = options["maxAgeOtherHosts"].as<double>();
    }
    if (options.hasOwnProperty("persist")) result.persist = options["persist"].as<bool>();
    if (options.hasOwnProperty("batch")) result.batch = options["batch"].as<bool>();
    if (options.hasOwnProperty("listRepos")) result.list_repos = options["listRepos"].as<bool>();
    if (options.hasOwnProperty("resolutionTimeout")) {
      result.resolution_timeout_ms = options["resolutionTimeout"].as<double>();
    }
    if (options.hasOwnProperty("legacyStores")) {
      result.legacy_stores = emscripten::vecFromJSArray<std::string>(options["legacyStores"]);
    }
    return result;
  }

  // Shared with the transfers it made: one still in flight when the cache is disposed keeps it.
  std::shared_ptr<coc::Resolver> resolver_;
};

// The first response's headers as they came ("" when absent).
struct JsDownloadStart {
  bool hash_known = false;
  std::string content_length, etag, accept_ranges, content_encoding;
};

coc::DownloadStart from_js(const JsDownloadStart& start) {
  return {start.hash_known, coc::content_length(start.content_length), start.etag, start.accept_ranges,
          start.content_encoding};
}

coc::ResumePlan plan_resume(const JsDownloadStart& start, double loaded, int attempts, int max_attempts) {
  return coc::plan_resume(from_js(start), static_cast<std::int64_t>(loaded), attempts, max_attempts);
}

coc::ResumeCheck check_resume(const JsDownloadStart& start, double loaded, int status,
                              const std::string& content_range, const std::string& etag) {
  return coc::check_resume(from_js(start), static_cast<std::int64_t>(loaded), status, content_range, etag);
}

JsResolver* make_resolver(val options) {
  return guarded([&] { return new JsResolver(std::move(options)); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_core) {
  using namespace emscripten;

  function("scratchView", &scratch_view);
  class_<JsSha256>("Sha256")
      .constructor<>()
      .function("updateFromScratch", &JsSha256::update_from_scratch)
      .function("finishHex", &JsSha256::finish_hex);
  class_<JsSha512>("Sha512")
      .constructor(&make_sha512, allow_raw_pointers())
      .function("updateFromScratch", &JsSha512::update_from_scratch)
      .function("finishHex", &JsSha512::finish_hex);

  value_object<JsLfsPointer>("LfsPointer")
      .field("ok", &JsLfsPointer::ok)
      .field("oid", &JsLfsPointer::oid)
      .field("size", &JsLfsPointer::size)
      .field("reason", &JsLfsPointer::reason);
  function("parseLfsPointer", &parse_lfs_pointer);

  function("decodeRecordValue", &decode_record_value);
  function("isCanonicalSha256Hex", &is_canonical_sha256_hex);
  function("servedMediaType", &served_media_type);
  // Bodies are cut at these sizes before they reach the core (JS reads one byte more, so the
  // core sees that a body was over and says so).
  constant("maxLfsPointerBytes", static_cast<double>(coc::kMaxLfsPointerBytes));
  constant("maxBatchBodyBytes", static_cast<double>(coc::kMaxBatchBodyBytes));
  constant("maxSnapshotBytes", static_cast<double>(coc::kMaxSnapshotBytes));
  constant("maxRecordBytes", static_cast<double>(coc::kMaxRecordBytes));
  constant("snapshotKey", std::string(coc::kSnapshotKey));
  constant("writesInFlight", coc::kWritesInFlight);
  // Space-separated; js/core.js turns it into core.errorKinds.
  constant("errorKindList", std::string(coc::kErrorKindList));
  value_object<JsDownloadStart>("DownloadStart")
      .field("hashKnown", &JsDownloadStart::hash_known)
      .field("contentLength", &JsDownloadStart::content_length)
      .field("etag", &JsDownloadStart::etag)
      .field("acceptRanges", &JsDownloadStart::accept_ranges)
      .field("contentEncoding", &JsDownloadStart::content_encoding);
  value_object<coc::ResumePlan>("ResumePlan")
      .field("resume", &coc::ResumePlan::resume)
      .field("range", &coc::ResumePlan::range)
      .field("reason", &coc::ResumePlan::reason);
  value_object<coc::ResumeCheck>("ResumeCheck")
      .field("ok", &coc::ResumeCheck::ok)
      .field("reason", &coc::ResumeCheck::reason);
  function("planResume", &plan_resume);
  function("checkResume", &check_resume);
  function("isTensorCacheUrl", &is_tensor_cache_url);
  function("tensorCacheShardUrls", &tensor_cache_shard_urls);
  function("chatConfigTokenizerUrls", &chat_config_tokenizer_urls);
  function("planRequest", &plan_request);
  function("redactText", &redact_text);
  function("forwardsCredentials", &forwards_credentials);
  constant("maxKnownSecrets", static_cast<double>(coc::kMaxKnownSecrets));

  value_object<coc::ArtifactUrl>("ArtifactUrl")
      .field("href", &coc::ArtifactUrl::href)
      .field("storageKey", &coc::ArtifactUrl::storage_key)
      .field("redacted", &coc::ArtifactUrl::redacted)
      .field("hasCredentials", &coc::ArtifactUrl::has_credentials)
      .field("isHub", &coc::ArtifactUrl::is_hub)
      .field("endpoint", &coc::ArtifactUrl::endpoint)
      .field("repoType", &coc::ArtifactUrl::repo_type)
      .field("repoId", &coc::ArtifactUrl::repo_id)
      .field("revision", &coc::ArtifactUrl::revision)
      .field("path", &coc::ArtifactUrl::path)
      .field("pointerUrl", &coc::ArtifactUrl::pointer_url)
      .field("immutable", &coc::ArtifactUrl::immutable)
      .field("mediaType", &coc::ArtifactUrl::media_type);
  function("parseArtifactUrl", &parse_artifact_url);

  value_object<JsRecord>("HashRecord")
      .field("algorithm", &JsRecord::algorithm)
      .field("value", &JsRecord::value)
      .field("size", &JsRecord::size)
      .field("source", &JsRecord::source)
      .field("commit", &JsRecord::commit)
      .field("storedAt", &JsRecord::stored_at);
  value_object<JsContent>("DownloadedContent")
      .field("sha256", &JsContent::sha256)
      .field("size", &JsContent::size)
      .field("expected", &JsContent::expected)
      .field("etag", &JsContent::etag)
      .field("repoCommit", &JsContent::repo_commit);
  enum_<coc::StepAction>("StepAction")
      .value("done", coc::StepAction::done)
      .value("readPersisted", coc::StepAction::read_persisted)
      .value("readLegacy", coc::StepAction::read_legacy)
      .value("fetchBatch", coc::StepAction::fetch_batch)
      .value("fetchPointer", coc::StepAction::fetch_pointer);
  enum_<coc::BatchKind>("BatchKind")
      .value("pathsInfo", coc::BatchKind::paths_info)
      .value("tree", coc::BatchKind::tree);
  value_object<JsStep>("Step")
      .field("action", &JsStep::action)
      .field("key", &JsStep::key)
      .field("pointerUrl", &JsStep::pointer_url)
      .field("store", &JsStep::store)
      .field("group", &JsStep::group)
      .field("found", &JsStep::found)
      .field("record", &JsStep::record)
      .field("hit", &JsStep::hit)
      .field("persistKey", &JsStep::persist_key)
      .field("persistBody", &JsStep::persist_body)
      .field("errorKind", &JsStep::error_kind)
      .field("errorMessage", &JsStep::error_message)
      .field("refused", &JsStep::refused)
      .field("recheck", &JsStep::recheck)
      .field("dropKey", &JsStep::drop_key);
  class_<JsResolver>("Resolver")
      .constructor(&make_resolver, allow_raw_pointers())
      .function("begin", &JsResolver::begin)
      .function("afterPersisted", &JsResolver::after_persisted)
      .function("lookUpLocal", &JsResolver::look_up_local)
      .function("afterPersistedLocal", &JsResolver::after_persisted_local)
      .function("afterLegacy", &JsResolver::after_legacy)
      .function("afterBatch", &JsResolver::after_batch)
      .function("afterPointer", &JsResolver::after_pointer)
      .function("planBatch", &JsResolver::plan_batch)
      .function("applyBatch", &JsResolver::apply_batch)
      .function("recordContent", &JsResolver::record_content)
      .function("addIntegrity", &JsResolver::add_integrity)
      .function("verifyOnly", &JsResolver::verify_only)
      .function("checkDigest", &JsResolver::check_digest)
      .function("forget", &JsResolver::forget)
      .function("references", &JsResolver::references)
      .function("persistable", &JsResolver::persistable)
      .function("loadSnapshot", &JsResolver::load_snapshot)
      .function("mergeSnapshot", &JsResolver::merge_snapshot)
      .function("snapshotWritten", &JsResolver::snapshot_written)
      .function("transfer", &JsResolver::transfer, allow_raw_pointers())
      .function("transferForBytes", &JsResolver::transfer_for_bytes, allow_raw_pointers());

  enum_<coc::StorageKind>("StorageKind")
      .value("none", coc::StorageKind::none)
      .value("crossOrigin", coc::StorageKind::cross_origin)
      .value("fallback", coc::StorageKind::fallback);
  enum_<coc::StorageAnswer>("StorageAnswer")
      .value("hit", coc::StorageAnswer::hit)
      .value("miss", coc::StorageAnswer::miss)
      .value("notAllowed", coc::StorageAnswer::not_allowed)
      .value("error", coc::StorageAnswer::error);
  enum_<coc::BytesAt>("BytesAt")
      .value("storageFile", coc::BytesAt::storage_file)
      .value("stored", coc::BytesAt::stored)
      .value("spooled", coc::BytesAt::spooled)
      .value("none", coc::BytesAt::none);
  enum_<coc::TransferAction>("TransferAction")
      .value("resolve", coc::TransferAction::resolve)
      .value("readStorage", coc::TransferAction::read_storage)
      .value("checkStorage", coc::TransferAction::check_storage)
      .value("download", coc::TransferAction::download)
      .value("checkRoom", coc::TransferAction::check_room)
      .value("streamIntoStorage", coc::TransferAction::stream_into_storage)
      .value("spool", coc::TransferAction::spool)
      .value("closeWrite", coc::TransferAction::close_write)
      .value("abandonWrite", coc::TransferAction::abandon_write)
      .value("writeSpooled", coc::TransferAction::write_spooled)
      .value("checkKept", coc::TransferAction::check_kept)
      .value("readBack", coc::TransferAction::read_back)
      .value("persist", coc::TransferAction::persist)
      .value("dropRefuted", coc::TransferAction::drop_refuted)
      .value("done", coc::TransferAction::done)
      .value("fail", coc::TransferAction::fail);
  value_object<JsTransferRequest>("TransferRequest")
      .field("storage", &JsTransferRequest::storage)
      .field("ownResponse", &JsTransferRequest::own_response)
      .field("isPrivate", &JsTransferRequest::is_private)
      .field("needsBytes", &JsTransferRequest::needs_bytes)
      .field("storageOnly", &JsTransferRequest::storage_only)
      .field("shownUrl", &JsTransferRequest::shown_url);
  value_object<JsTransferStep>("TransferStep")
      .field("action", &JsTransferStep::action)
      .field("hash", &JsTransferStep::hash)
      .field("noStore", &JsTransferStep::no_store)
      .field("resumable", &JsTransferStep::resumable)
      .field("hashKnown", &JsTransferStep::hash_known)
      .field("shared", &JsTransferStep::shared)
      .field("writesInFlight", &JsTransferStep::writes_in_flight)
      .field("size", &JsTransferStep::size)
      .field("expected", &JsTransferStep::expected)
      .field("persistKey", &JsTransferStep::persist_key)
      .field("persistBody", &JsTransferStep::persist_body)
      .field("dropKey", &JsTransferStep::drop_key)
      .field("bytes", &JsTransferStep::bytes)
      .field("fromStorage", &JsTransferStep::from_storage)
      .field("stored", &JsTransferStep::stored)
      .field("hashFromContent", &JsTransferStep::hash_from_content)
      .field("errorKind", &JsTransferStep::error_kind)
      .field("errorMessage", &JsTransferStep::error_message)
      .field("failMessage", &JsTransferStep::fail_message);
  class_<JsTransfer>("Transfer")
      .function("next", &JsTransfer::next)
      .function("resolved", &JsTransfer::resolved)
      .function("storageAnswered", &JsTransfer::storage_answered)
      .function("downloaded", &JsTransfer::downloaded)
      .function("roomAnswered", &JsTransfer::room_answered)
      .function("streamed", &JsTransfer::streamed)
      .function("streamFailed", &JsTransfer::stream_failed)
      .function("closed", &JsTransfer::closed)
      .function("writeFailed", &JsTransfer::write_failed)
      .function("abandoned", &JsTransfer::abandoned)
      .function("kept", &JsTransfer::kept)
      .function("persisted", &JsTransfer::persisted)
      .function("dropped", &JsTransfer::dropped)
      .function("needBytes", &JsTransfer::need_bytes);
}
