// embind bindings of what the core says about URLs and requests: artifact URLs, request plans and
// redaction, LFS pointers, the tensor-cache and chat-config helpers, and resuming a download.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstddef>
#include <string>

#include "artifact_url.h"
#include "download_resume.h"
#include "lfs_pointer.h"
#include "request_secrets.h"
#include "tensor_cache.h"

#include "conversions.h"
#include "guarded.h"

using emscripten::val;

namespace {

using coc_bindings::guarded;
using coc_bindings::js_number;
using coc_bindings::to_array;

// Results are plain objects, not value_objects: the module is smaller so (conversions.h).
val to_js(const coc::ArtifactUrl& url) {
  val result = val::object();
  result.set("href", url.href);
  result.set("storageKey", url.storage_key);
  result.set("redacted", url.redacted);
  result.set("hasCredentials", url.has_credentials);
  result.set("isHub", url.is_hub);
  result.set("endpoint", url.endpoint);
  result.set("repoType", url.repo_type);
  result.set("repoId", url.repo_id);
  result.set("revision", url.revision);
  result.set("path", url.path);
  result.set("pointerUrl", url.pointer_url);
  result.set("immutable", url.immutable);
  result.set("mediaType", url.media_type);
  return result;
}

val parse_artifact_url(const std::string& url) {
  return guarded([&] { return to_js(coc::parse_artifact_url(url)); });
}

// std::string_view parameters do not cross embind; these take std::string.
std::string served_media_type(const std::string& stored, const std::string& url_media_type) {
  return coc::served_media_type(stored, url_media_type);
}

bool forwards_credentials(const std::string& file_url, const std::string& target_url) {
  return coc::forwards_credentials(file_url, target_url);
}

bool is_tensor_cache_url(const std::string& url) { return coc::is_tensor_cache_url(url); }

// coc::LfsPointerParse, flat, with the size as a JS number.
val parse_lfs_pointer(const std::string& text) {
  const coc::LfsPointerParse parsed = coc::parse_lfs_pointer(text);
  val result = val::object();
  result.set("ok", parsed.ok);
  result.set("oid", parsed.pointer.oid);
  result.set("size", js_number(parsed.pointer.size));
  result.set("reason", parsed.reason);
  return result;
}

val tensor_cache_shard_urls(const std::string& cache_url, const std::string& json) {
  return guarded([&] { return to_array(coc::tensor_cache_shard_urls(cache_url, json)); });
}

val chat_config_tokenizer_urls(const std::string& model_url, const std::string& json) {
  return guarded([&] { return to_array(coc::chat_config_tokenizer_urls(model_url, json)); });
}

// A plain object, not a value_object: the module is smaller so (conversions.h has the numbers).
val to_js(const coc::RequestPlan& plan) {
  val result = val::object();
  result.set("isPrivate", plan.is_private);
  result.set("partition", plan.partition);
  result.set("fetchUrl", plan.fetch_url);
  result.set("authorization", plan.authorization);
  result.set("secrets", to_array(plan.secrets));
  result.set("followsRedirects", plan.follows_redirects);
  return result;
}

// The facts of a caller's request: its URL, header names and values (parallel arrays) and
// credentials mode.
val plan_request(const std::string& url, val header_names, val header_values, const std::string& credentials) {
  return guarded([&] {
    coc::RequestFacts facts{url, {}, credentials};
    const auto names = emscripten::vecFromJSArray<std::string>(header_names);
    const auto values = emscripten::vecFromJSArray<std::string>(header_values);
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) facts.headers.push_back({names[i], values[i]});
    return to_js(coc::plan_request(facts));
  });
}

std::string redact_text(const std::string& text, val secrets) {
  return coc::redact_text(text, emscripten::vecFromJSArray<std::string>(secrets));
}

bool text_carries_secret(const std::string& text) { return coc::text_carries_secret(text); }

// The first response's headers as they came ("" when absent); JS builds this one, so it keeps
// the headers' text and the core parses the length. segment_bytes: the transfer step's.
struct JsDownloadStart {
  bool hash_known = false;
  std::string content_length, content_range, etag, accept_ranges, content_encoding;
  double segment_bytes = 0;
};

coc::DownloadStart from_js(const JsDownloadStart& start) {
  return {start.hash_known, coc::complete_length(start.content_length, start.content_range), start.etag,
          start.accept_ranges, start.content_encoding, coc_bindings::int64_from_js(start.segment_bytes)};
}

// Plain objects, not value_objects: the module is smaller so (conversions.h has the numbers).
val to_js(const coc::ResumePlan& plan) {
  val result = val::object();
  result.set("resume", plan.resume);
  result.set("range", plan.range);
  result.set("reason", plan.reason);
  result.set("shortBody", plan.short_body);
  return result;
}

val plan_resume(const JsDownloadStart& start, double loaded, int attempts, int max_attempts) {
  return to_js(coc::plan_resume(from_js(start), coc_bindings::int64_from_js(loaded), attempts, max_attempts));
}

val plan_next_segment(const JsDownloadStart& start, double asked_from, double loaded) {
  return to_js(coc::plan_next_segment(from_js(start), coc_bindings::int64_from_js(asked_from),
                                      coc_bindings::int64_from_js(loaded)));
}

bool paces_downloads(const std::string& option, bool bodies_lack_backpressure) {
  return coc::paces_downloads(option, bodies_lack_backpressure);
}

val check_resume(const JsDownloadStart& start, double loaded, int status, const std::string& content_range,
                 const std::string& etag) {
  const coc::ResumeCheck check =
      coc::check_resume(from_js(start), coc_bindings::int64_from_js(loaded), status, content_range, etag);
  val result = val::object();
  result.set("ok", check.ok);
  result.set("reason", check.reason);
  return result;
}

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_urls) {
  using namespace emscripten;

  function("parseArtifactUrl", &parse_artifact_url);
  function("servedMediaType", &served_media_type);

  function("planRequest", &plan_request);
  function("redactText", &redact_text);
  function("textCarriesSecret", &text_carries_secret);
  function("forwardsCredentials", &forwards_credentials);
  constant("maxKnownSecrets", js_number(coc::kMaxKnownSecrets));

  function("parseLfsPointer", &parse_lfs_pointer);
  // Bodies are cut at this size before they reach the core (JS reads one byte more, so the core
  // sees that a body was over and says so).
  constant("maxLfsPointerBytes", js_number(coc::kMaxLfsPointerBytes));

  function("isTensorCacheUrl", &is_tensor_cache_url);
  function("tensorCacheShardUrls", &tensor_cache_shard_urls);
  function("chatConfigTokenizerUrls", &chat_config_tokenizer_urls);

  value_object<JsDownloadStart>("DownloadStart")
      .field("hashKnown", &JsDownloadStart::hash_known)
      .field("contentLength", &JsDownloadStart::content_length)
      .field("contentRange", &JsDownloadStart::content_range)
      .field("etag", &JsDownloadStart::etag)
      .field("acceptRanges", &JsDownloadStart::accept_ranges)
      .field("contentEncoding", &JsDownloadStart::content_encoding)
      .field("segmentBytes", &JsDownloadStart::segment_bytes);
  function("planResume", &plan_resume);
  function("planNextSegment", &plan_next_segment);
  function("pacesDownloads", &paces_downloads);
  function("checkResume", &check_resume);
  constant("pacedSegmentBytes", js_number(coc::kPacedSegmentBytes));
}
