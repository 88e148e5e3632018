// embind bindings of one load's transfer (coc::Transfer): its steps, its enums and the request it
// starts from. Resolver.transfer() (resolver_bindings.cpp) makes each one.
#include "transfer_bindings.h"

#include <emscripten/bind.h>

#include <utility>

#include "conversions.h"
#include "guarded.h"

namespace coc_bindings {

// coc::TransferStep with its size as a JS number.
struct JsTransferStep {
  coc::TransferAction action = coc::TransferAction::done;
  std::string hash;
  bool no_store = false;
  std::string range;
  bool resumable = false, hash_known = false, whole = false, shared = false;
  int writes_in_flight = 1;
  double segment_bytes = 0;
  double size = -1;
  double body_limit = -1;
  std::string expected, persist_key, persist_body, drop_key;
  coc::BytesAt bytes = coc::BytesAt::none;
  bool from_storage = false, stored = false, hash_from_content = false;
  std::string error_kind, error_message, fail_message;
  std::string git_blob_format;
};

namespace {

JsTransferStep to_js(const coc::TransferStep& step) {
  return {step.action, step.hash, step.no_store, step.range, step.resumable, step.hash_known, step.whole, step.shared,
          step.writes_in_flight, js_number(step.segment_bytes), js_number(step.size), js_number(step.body_limit), step.expected, step.persist_key,
          step.persist_body, step.drop_key, step.bytes, step.from_storage, step.stored,
          step.hash_from_content, step.error_kind, step.error_message, step.fail_message, step.git_blob_format};
}

}  // namespace

coc::Content from_js(const JsContent& content) {
  coc::Content converted;
  converted.sha256 = content.sha256;
  converted.size = int64_from_js(content.size);
  converted.expected = content.expected;
  converted.etag = content.etag;
  converted.repo_commit = content.repo_commit;
  converted.git_blob = content.git_blob;
  converted.response_url = content.response_url;
  return converted;
}

JsTransfer::JsTransfer(std::shared_ptr<coc::Resolver> resolver, std::string url, coc::Transfer transfer)
    : resolver_(std::move(resolver)), url_(std::move(url)), transfer_(std::move(transfer)) {}

JsTransferStep JsTransfer::next() const { return to_js(transfer_.next()); }
JsTransferStep JsTransfer::resolved(bool found, const std::string& hash, double size) {
  return guarded([&] { return to_js(transfer_.resolved(*resolver_, url_, found, hash, int64_from_js(size))); });
}
JsTransferStep JsTransfer::storage_answered(coc::StorageAnswer answer, double file_size, const std::string& git_blob) {
  return guarded([&] { return to_js(transfer_.storage_answered(*resolver_, url_, answer, int64_from_js(file_size), git_blob)); });
}
JsTransferStep JsTransfer::downloaded(double content_length, int status, const std::string& content_range,
                                      const std::string& content_encoding) {
  return guarded([&] {
    return to_js(transfer_.downloaded(int64_from_js(content_length), status, content_range, content_encoding));
  });
}
JsTransferStep JsTransfer::room_answered(bool fits, double quota, double usage) {
  return guarded([&] { return to_js(transfer_.room_answered(fits, quota, usage)); });
}
std::string JsTransfer::git_blob_format(const JsContent& content, double now) {
  return guarded([&] { return transfer_.git_blob_format(*resolver_, url_, from_js(content), now); });
}
JsTransferStep JsTransfer::streamed(const JsContent& content, double now) {
  return guarded([&] { return to_js(transfer_.streamed(*resolver_, url_, from_js(content), now)); });
}
JsTransferStep JsTransfer::stream_failed(bool digest_mismatch) {
  return guarded([&] { return to_js(transfer_.stream_failed(digest_mismatch)); });
}
JsTransferStep JsTransfer::closed() { return guarded([&] { return to_js(transfer_.closed()); }); }
JsTransferStep JsTransfer::write_failed(const std::string& error_name, const std::string& storage_step) {
  return guarded([&] { return to_js(transfer_.write_failed(error_name, storage_step)); });
}
JsTransferStep JsTransfer::abandoned() { return guarded([&] { return to_js(transfer_.abandoned()); }); }
JsTransferStep JsTransfer::kept(bool found) { return guarded([&] { return to_js(transfer_.kept(found)); }); }
JsTransferStep JsTransfer::persisted() { return guarded([&] { return to_js(transfer_.persisted()); }); }
JsTransferStep JsTransfer::dropped() { return guarded([&] { return to_js(transfer_.dropped()); }); }
JsTransferStep JsTransfer::need_bytes() { return guarded([&] { return to_js(transfer_.need_bytes()); }); }

}  // namespace coc_bindings

EMSCRIPTEN_BINDINGS(cross_origin_cache_transfer) {
  using namespace emscripten;
  using coc_bindings::JsContent;
  using coc_bindings::JsTransfer;
  using coc_bindings::JsTransferStep;

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
  constant("writesInFlight", coc::kWritesInFlight);
  constant("createsInFlight", coc::kCreatesInFlight);
  constant("storageTimeoutMs", coc::kStorageTimeoutMs);
  constant("wholeBodyMaxBytes", coc_bindings::js_number(coc::kWholeBodyMaxBytes));

  // The core's own struct: every field crosses as it is.
  value_object<coc::TransferRequest>("TransferRequest")
      .field("storage", &coc::TransferRequest::storage)
      .field("ownResponse", &coc::TransferRequest::own_response)
      .field("isPrivate", &coc::TransferRequest::is_private)
      .field("needsBytes", &coc::TransferRequest::needs_bytes)
      .field("storageOnly", &coc::TransferRequest::storage_only)
      .field("pacedDownloads", &coc::TransferRequest::paced_downloads)
      .field("nativeDigest", &coc::TransferRequest::native_digest)
      .field("resumeAttempts", &coc::TransferRequest::resume_attempts)
      .field("bodyRate", &coc::TransferRequest::body_rate)
      .field("shownUrl", &coc::TransferRequest::shown_url);
  value_object<JsContent>("DownloadedContent")
      .field("sha256", &JsContent::sha256)
      .field("size", &JsContent::size)
      .field("expected", &JsContent::expected)
      .field("etag", &JsContent::etag)
      .field("repoCommit", &JsContent::repo_commit)
      .field("gitBlob", &JsContent::git_blob)
      .field("responseUrl", &JsContent::response_url);
  value_object<JsTransferStep>("TransferStep")
      .field("action", &JsTransferStep::action)
      .field("hash", &JsTransferStep::hash)
      .field("noStore", &JsTransferStep::no_store)
      .field("range", &JsTransferStep::range)
      .field("resumable", &JsTransferStep::resumable)
      .field("hashKnown", &JsTransferStep::hash_known)
      .field("whole", &JsTransferStep::whole)
      .field("shared", &JsTransferStep::shared)
      .field("writesInFlight", &JsTransferStep::writes_in_flight)
      .field("segmentBytes", &JsTransferStep::segment_bytes)
      .field("bodyLimit", &JsTransferStep::body_limit)
      .field("size", &JsTransferStep::size)
      .field("expected", &JsTransferStep::expected)
      .field("gitBlobFormat", &JsTransferStep::git_blob_format)
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
      .function("gitBlobFormat", &JsTransfer::git_blob_format)
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
