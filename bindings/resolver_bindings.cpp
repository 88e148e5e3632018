// embind bindings of the resolver (coc::Resolver): its steps and records, batch requests and
// outcomes, snapshots of persisted records, and the transfers it makes for loads.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "deletion.h"
#include "download_resume.h"
#include "error_kinds.h"
#include "hash_descriptor.h"
#include "hash_record.h"
#include "paths_info.h"
#include "record_snapshot.h"
#include "resolution.h"
#include "resolver.h"
#include "sri.h"
#include "transfer.h"

#include "conversions.h"
#include "guarded.h"
#include "live_counted.h"
#include "transfer_bindings.h"

using emscripten::val;

namespace {

using coc_bindings::body_bytes;
using coc_bindings::guarded;
using coc_bindings::js_number;
using coc_bindings::JsContent;
using coc_bindings::JsTransfer;
using coc_bindings::LiveCounted;
using coc_bindings::to_array;

// coc::HashRecord with its size as a JS number.
struct JsRecord {
  std::string algorithm = coc::kSha256Algorithm;
  std::string value;
  double size = -1;
  std::string source;
  std::string commit;
  double stored_at = 0;
};

JsRecord to_js(const coc::HashRecord& record) {
  return {coc::kSha256Algorithm, record.value, js_number(record.size), record.source, record.commit,
          record.stored_at};
}

// coc::Step with its record's size as a JS number.
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

// Plain objects, not value_objects: the module is smaller so (conversions.h has the numbers).
val to_js(const coc::BatchRequest& request) {
  val result = val::object();
  result.set("group", request.group);
  result.set("kind", request.kind);
  result.set("method", request.method);
  result.set("url", request.url);
  result.set("body", request.body);
  result.set("keys", to_array(request.keys));
  result.set("paths", to_array(request.paths));
  return result;
}

val to_js(const coc::BatchOutcome& outcome) {
  val result = val::object();
  result.set("ok", outcome.ok);
  result.set("resolved", js_number(outcome.resolved));
  result.set("plain", js_number(outcome.plain));
  result.set("persistKeys", to_array(outcome.persist_keys));
  result.set("persistBodies", to_array(outcome.persist_bodies));
  result.set("errorKind", outcome.error_kind);
  result.set("errorMessage", outcome.error_message);
  return result;
}

val to_js(const coc::SnapshotLoad& load) {
  val result = val::object();
  result.set("loaded", js_number(load.loaded));
  result.set("skipped", js_number(load.skipped));
  result.set("errorKind", load.error_kind);
  result.set("errorMessage", load.error_message);
  return result;
}

// SnapshotLoad's fields and the snapshot to store.
val to_js(const coc::SnapshotMerge& merge) {
  val result = to_js(merge.load);
  result.set("body", merge.body);
  result.set("generation", js_number(merge.generation));
  return result;
}

val to_js(const coc::SriHash& hash) {
  val result = val::object();
  result.set("algorithm", hash.algorithm);
  result.set("hex", hash.hex);
  return result;
}

// The hash value of a persisted record, "" when it is not a valid one.
std::string decode_record_value(const val& body) {
  return guarded([&] {
    coc::RecordDecode decoded = coc::decode_record(body_bytes(body));
    return decoded.ok ? decoded.record.value : std::string();
  });
}

// One URL's resolution (coc::Resolution). It shares the resolver, so a resolution still in flight
// when the cache is disposed keeps it alive (the member order makes the resolver outlive it).
class JsResolution : LiveCounted {
 public:
  JsResolution(std::shared_ptr<coc::Resolver> resolver, const std::string& url, bool local, double now,
               std::uint32_t cohort, const std::string& partition)
      : resolver_(std::move(resolver)),
        resolution_(*resolver_, url, local ? coc::Resolver::Lookup::local : coc::Resolver::Lookup::resolve, now,
                    cohort, partition) {}

  std::string url() const { return resolution_.url(); }
  double ticket() const { return js_number(resolution_.ticket()); }
  JsStep next() const { return to_js(resolution_.next()); }
  JsStep persisted_read(bool found, const val& body, double now) {
    return guarded([&] { return to_js(resolution_.persisted_read(found, body_bytes(body), now)); });
  }
  JsStep legacy_read(bool found, const val& body, double now) {
    return guarded([&] { return to_js(resolution_.legacy_read(found, body_bytes(body), now)); });
  }
  JsStep batch_answered(double now) { return guarded([&] { return to_js(resolution_.batch_answered(now)); }); }
  // The answer's Content-Range and Content-Encoding as they came ("" when absent): the core reads
  // the file's size from them.
  JsStep pointer_fetched(int status, const std::string& text, const std::string& commit, const std::string& etag,
                         double now, bool timed_out, const std::string& content_range,
                         const std::string& content_encoding) {
    return guarded([&] {
      const std::int64_t file_size = coc::answered_file_size(status, content_range, content_encoding);
      return to_js(resolution_.pointer_fetched(status, text, commit, now, timed_out, etag, file_size));
    });
  }
  JsStep snapshot_read(double now) { return guarded([&] { return to_js(resolution_.snapshot_read(now)); }); }

 private:
  std::shared_ptr<coc::Resolver> resolver_;
  coc::Resolution resolution_;
};

// Deleting one URL's mapping (coc::Deletion); it shares the resolver as a resolution does.
class JsDeletion : LiveCounted {
 public:
  JsDeletion(std::shared_ptr<coc::Resolver> resolver, const std::string& url, coc::StorageKind storage,
             bool persisted_store)
      : resolver_(std::move(resolver)), deletion_(*resolver_, url, storage, persisted_store) {}

  coc::DeletionStep next() const { return deletion_.next(); }
  coc::DeletionStep looked_up(bool found, const std::string& hash) {
    return guarded([&] { return deletion_.looked_up(found, hash); });
  }
  coc::DeletionStep persisted_deleted() { return guarded([&] { return deletion_.persisted_deleted(); }); }
  coc::DeletionStep references_scanned(bool referenced) {
    return guarded([&] { return deletion_.references_scanned(referenced); });
  }
  coc::DeletionStep entry_removed() { return guarded([&] { return deletion_.entry_removed(); }); }

 private:
  std::shared_ptr<coc::Resolver> resolver_;
  coc::Deletion deletion_;
};

class JsResolver : LiveCounted {
 public:
  explicit JsResolver(const val& options) : resolver_(std::make_shared<coc::Resolver>(read_options(options))) {}

  std::uint32_t open_cohort() { return resolver_->open_cohort(); }
  void close_cohort(std::uint32_t cohort) { resolver_->close_cohort(cohort); }
  // {requests: [BatchRequest with partition and tickets], released: [ticket]}
  val take_batches(double now) {
    return guarded([&] {
      coc::BatchPlan plan = resolver_->take_batches(now);
      val result = val::object();
      result.set("requests", to_array(plan.requests, [](const coc::PlannedBatch& planned) {
        val request = to_js(planned.request);
        request.set("partition", planned.partition);
        request.set("tickets", to_array(planned.tickets, [](std::uint64_t ticket) { return val(js_number(ticket)); }));
        return request;
      }));
      result.set("released", to_array(plan.released, [](std::uint64_t ticket) { return val(js_number(ticket)); }));
      return result;
    });
  }
  val apply_batch(const std::string& group, int status, const val& body, const std::string& commit,
                  const std::string& link, double now, bool timed_out) {
    return guarded([&] {
      return to_js(resolver_->apply_batch(group, status, body_bytes(body), commit, link, now, timed_out));
    });
  }
  JsStep record_content(const std::string& url, const JsContent& content, double now) {
    return guarded([&] { return to_js(resolver_->record_content(url, coc_bindings::from_js(content), now)); });
  }
  void add_integrity(const std::string& url, const std::string& integrity) {
    guarded([&] {
      resolver_->add_integrity(url, integrity);
      return 0;
    });
  }
  bool integrity_allows(const std::string& url, const std::string& hash) const {
    return guarded([&] { return resolver_->integrity_allows(url, hash); });
  }
  // An array of SriHash: the digests a download is checked against.
  val verify_only(const std::string& url) {
    return guarded([&] {
      return to_array(resolver_->verify_only(url), [](const coc::SriHash& hash) { return to_js(hash); });
    });
  }
  JsStep check_digest(const std::string& url, const std::string& algorithm, const std::string& hex) {
    return guarded([&] { return to_js(resolver_->check_digest(url, algorithm, hex)); });
  }
  bool forget(const std::string& url) { return guarded([&] { return resolver_->forget(url); }); }
  double resolution_timeout() const { return resolver_->resolution_timeout_ms(); }
  double references(const std::string& hex) const { return js_number(resolver_->references(hex)); }
  bool persistable(const std::string& url) const { return guarded([&] { return resolver_->persistable(url); }); }
  bool deleted(const std::string& key) const { return resolver_->deleted(key); }
  val load_snapshot(const val& body, double now) {
    return guarded([&] { return to_js(resolver_->load_snapshot(body_bytes(body), now)); });
  }
  val merge_snapshot(const val& stored, bool stored_found, double now) {
    return guarded([&] { return to_js(resolver_->merge_snapshot(body_bytes(stored), stored_found, now)); });
  }
  void snapshot_written(double generation) { resolver_->snapshot_written(static_cast<std::uint64_t>(generation)); }
  void snapshot_unavailable() { resolver_->snapshot_unavailable(); }
  // local: what memory or our persisted store holds, whatever its age (what delete must remove).
  // cohort: from openCohort(), or 0; partition: the request's (js/request-init.js), or "".
  JsResolution* resolution(const std::string& url, double now, bool local, std::uint32_t cohort,
                           const std::string& partition) {
    return guarded([&] { return new JsResolution(resolver_, url, local, now, cohort, partition); });
  }
  JsDeletion* deletion(const std::string& url, coc::StorageKind storage, bool persisted_store) {
    return guarded([&] { return new JsDeletion(resolver_, url, storage, persisted_store); });
  }
  JsTransfer* transfer(const std::string& url, const coc::TransferRequest& request) {
    return new JsTransfer(resolver_, url, coc::Transfer(request));
  }
  JsTransfer* transfer_for_bytes(const std::string& url, const coc::TransferRequest& request, coc::BytesAt bytes,
                                 const std::string& hash, double size) {
    return new JsTransfer(resolver_, url,
                          coc::Transfer::for_bytes(request, bytes, hash, coc_bindings::int64_from_js(size)));
  }

 private:
  // Every option may be left out, so the options stay a plain JS object read field by field.
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
    if (options.hasOwnProperty("snapshot")) result.snapshot = options["snapshot"].as<bool>();
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

JsResolver* make_resolver(val options) {
  return guarded([&] { return new JsResolver(options); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_resolver) {
  using namespace emscripten;

  // Bodies are cut at these sizes before they reach the core (JS reads one byte more, so the
  // core sees that a body was over and says so).
  constant("maxBatchBodyBytes", js_number(coc::kMaxBatchBodyBytes));
  // The most any one string or byte array handed to the core may hold: the largest body it reads,
  // with its one byte over. bindings/checked-malloc.js refuses more before anything is copied in.
  constant("maxInputBytes", js_number(coc::kMaxBatchBodyBytes + 1));
  constant("maxSnapshotBytes", js_number(coc::kMaxSnapshotBytes));
  constant("maxRecordBytes", js_number(coc::kMaxRecordBytes));
  constant("snapshotKey", std::string(coc::kSnapshotKey));
  constant("snapshotWriteIntervalMs", coc::kSnapshotWriteIntervalMs);
  // Space-separated; js/core.js turns it into core.errorKinds.
  constant("errorKindList", std::string(coc::kErrorKindList));
  function("decodeRecordValue", &decode_record_value);

  enum_<coc::StepAction>("StepAction")
      .value("done", coc::StepAction::done)
      .value("readSnapshot", coc::StepAction::read_snapshot)
      .value("readPersisted", coc::StepAction::read_persisted)
      .value("readLegacy", coc::StepAction::read_legacy)
      .value("fetchBatch", coc::StepAction::fetch_batch)
      .value("fetchPointer", coc::StepAction::fetch_pointer);
  enum_<coc::BatchKind>("BatchKind")
      .value("pathsInfo", coc::BatchKind::paths_info)
      .value("tree", coc::BatchKind::tree);
  value_object<JsRecord>("HashRecord")
      .field("algorithm", &JsRecord::algorithm)
      .field("value", &JsRecord::value)
      .field("size", &JsRecord::size)
      .field("source", &JsRecord::source)
      .field("commit", &JsRecord::commit)
      .field("storedAt", &JsRecord::stored_at);
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
      .function("resolution", &JsResolver::resolution, allow_raw_pointers())
      .function("deletion", &JsResolver::deletion, allow_raw_pointers())
      .function("openCohort", &JsResolver::open_cohort)
      .function("closeCohort", &JsResolver::close_cohort)
      .function("takeBatches", &JsResolver::take_batches)
      .function("applyBatch", &JsResolver::apply_batch)
      .function("recordContent", &JsResolver::record_content)
      .function("addIntegrity", &JsResolver::add_integrity)
      .function("verifyOnly", &JsResolver::verify_only)
      .function("integrityAllows", &JsResolver::integrity_allows)
      .function("checkDigest", &JsResolver::check_digest)
      .function("forget", &JsResolver::forget)
      .function("resolutionTimeout", &JsResolver::resolution_timeout)
      .function("references", &JsResolver::references)
      .function("persistable", &JsResolver::persistable)
      .function("loadSnapshot", &JsResolver::load_snapshot)
      .function("mergeSnapshot", &JsResolver::merge_snapshot)
      .function("deleted", &JsResolver::deleted)
      .function("snapshotWritten", &JsResolver::snapshot_written)
      .function("snapshotUnavailable", &JsResolver::snapshot_unavailable)
      .function("transfer", &JsResolver::transfer, allow_raw_pointers())
      .function("transferForBytes", &JsResolver::transfer_for_bytes, allow_raw_pointers());
  enum_<coc::DeletionAction>("DeletionAction")
      .value("lookUp", coc::DeletionAction::look_up)
      .value("deletePersisted", coc::DeletionAction::delete_persisted)
      .value("scanReferences", coc::DeletionAction::scan_references)
      .value("removeEntry", coc::DeletionAction::remove_entry)
      .value("done", coc::DeletionAction::done);
  value_object<coc::DeletionStep>("DeletionStep")
      .field("action", &coc::DeletionStep::action)
      .field("key", &coc::DeletionStep::key)
      .field("hash", &coc::DeletionStep::hash)
      .field("known", &coc::DeletionStep::known);
  class_<JsDeletion>("Deletion")
      .function("next", &JsDeletion::next)
      .function("lookedUp", &JsDeletion::looked_up)
      .function("persistedDeleted", &JsDeletion::persisted_deleted)
      .function("referencesScanned", &JsDeletion::references_scanned)
      .function("entryRemoved", &JsDeletion::entry_removed);
  class_<JsResolution>("Resolution")
      .function("url", &JsResolution::url)
      .function("ticket", &JsResolution::ticket)
      .function("next", &JsResolution::next)
      .function("persistedRead", &JsResolution::persisted_read)
      .function("legacyRead", &JsResolution::legacy_read)
      .function("batchAnswered", &JsResolution::batch_answered)
      .function("pointerFetched", &JsResolution::pointer_fetched)
      .function("snapshotRead", &JsResolution::snapshot_read);
}
