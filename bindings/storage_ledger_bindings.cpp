// embind bindings of what the cache last saw storage hold (coc::StorageLedger), for hasAllKeys.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "storage_ledger.h"

#include "conversions.h"
#include "guarded.h"
#include "live_counted.h"

using emscripten::val;

namespace {

using coc_bindings::guarded;
using coc_bindings::to_array;

class JsStorageLedger : coc_bindings::LiveCounted {
 public:
  void held(const std::string& hash) { ledger_.held(hash); }
  void missing(const std::string& hash) { ledger_.missing(hash); }
  // {verdict: HoldingVerdict, ask: string[]}; hashes: the records' hashes, "" for none.
  val check(coc::StorageKind storage, const val& hashes) const {
    return guarded([&] {
      const coc::HoldingCheck check = ledger_.check(storage, emscripten::vecFromJSArray<std::string>(hashes));
      val result = val::object();
      result.set("verdict", check.verdict);
      result.set("ask", to_array(check.ask));
      return result;
    });
  }
  // {allHeld, errorKind}
  val answered(const val& asked, coc::StorageAnswer answer) {
    return guarded([&] {
      const coc::HoldingAnswer answered = ledger_.answered(emscripten::vecFromJSArray<std::string>(asked), answer);
      val result = val::object();
      result.set("allHeld", answered.all_held);
      result.set("errorKind", answered.error_kind);
      return result;
    });
  }

 private:
  coc::StorageLedger ledger_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_storage_ledger) {
  using namespace emscripten;
  enum_<coc::HoldingCheck::Verdict>("HoldingVerdict")
      .value("allHeld", coc::HoldingCheck::Verdict::all_held)
      .value("notAll", coc::HoldingCheck::Verdict::not_all)
      .value("ask", coc::HoldingCheck::Verdict::ask);
  class_<JsStorageLedger>("StorageLedger")
      .constructor<>()
      .function("held", &JsStorageLedger::held)
      .function("missing", &JsStorageLedger::missing)
      .function("check", &JsStorageLedger::check)
      .function("answered", &JsStorageLedger::answered);
}
