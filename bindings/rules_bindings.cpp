// embind bindings of the core's rules about responses, options and the fallback store. No logic:
// JS values in, the core's answer out (64-bit sizes cross as JS numbers).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <string>

#include "cache_options.h"
#include "conversions.h"
#include "fallback_seal.h"
#include "response_rules.h"
#include "store_plan.h"
#include "storage_space.h"

using emscripten::val;

namespace {

std::string download_refusal(int status, bool has_body, bool range_asked, bool opaque_redirect) {
  return coc::download_refusal(status, has_body, range_asked, opaque_redirect);
}

std::string put_refusal(const std::string& method, int status, const std::string& vary, bool has_body,
                        bool body_used) {
  return coc::put_refusal(method, status, vary, has_body, body_used);
}

bool is_cacheable_method(const std::string& method) { return coc::is_cacheable_method(method); }

std::string load_refusal(const std::string& method) { return coc::load_refusal(method); }

// items: a JS array (the option's items) or undefined.
std::string option_error(const std::string& name, const std::string& type, double number,
                         const std::string& shown, val items, bool items_are_strings) {
  coc::OptionValue option;
  option.name = name;
  option.type = type;
  option.number = number;
  option.shown = shown;
  if (items.isArray()) option.items = emscripten::vecFromJSArray<std::string>(items);
  option.items_are_strings = items_are_strings;
  return coc::option_error(option);
}

std::string encode_fallback_seal(const std::string& write_id, double size) {
  return coc::encode_fallback_seal(write_id, static_cast<std::int64_t>(size));
}

bool fallback_seal_vouches(const std::string& seal, const std::string& write_id, double size) {
  return coc::fallback_seal_vouches(seal, write_id, static_cast<std::int64_t>(size));
}

// {ownStore, fallbackStore, legacyStores, snapshot}: a plain object (a list inside).
val plan_stores(const std::string& scope, bool import_legacy) {
  const coc::StorePlan plan = coc::plan_stores(scope, import_legacy);
  val result = val::object();
  result.set("ownStore", plan.own_store);
  result.set("fallbackStore", plan.fallback_store);
  result.set("legacyStores", coc_bindings::to_array(plan.legacy_stores));
  result.set("snapshot", plan.snapshot);
  return result;
}

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_rules) {
  using namespace emscripten;
  function("downloadRefusal", &download_refusal);
  function("putRefusal", &put_refusal);
  function("isCacheableMethod", &is_cacheable_method);
  function("loadRefusal", &load_refusal);
  function("optionError", &option_error);
  function("encodeFallbackSeal", &encode_fallback_seal);
  function("fallbackSealVouches", &fallback_seal_vouches);
  constant("maxSealBytes", coc_bindings::js_number(coc::kMaxSealBytes));
  function("fitsStorageEstimate", &coc::fits_storage_estimate);
  function("planStores", &plan_stores);
}
