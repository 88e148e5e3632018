// embind bindings of how fast recent bodies arrived (coc::BodyRateMeter), fed by the transfer shim.
#include <emscripten/bind.h>

#include "body_rate.h"

#include "conversions.h"
#include "live_counted.h"

namespace {

class JsBodyRateMeter : coc_bindings::LiveCounted {
 public:
  void body_read(double bytes, double milliseconds) { meter_.body_read(coc_bindings::int64_from_js(bytes), milliseconds); }
  double bytes_per_second() const { return meter_.bytes_per_second(); }

 private:
  coc::BodyRateMeter meter_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_body_rate) {
  using namespace emscripten;
  class_<JsBodyRateMeter>("BodyRateMeter")
      .constructor<>()
      .function("bodyRead", &JsBodyRateMeter::body_read)
      .function("bytesPerSecond", &JsBodyRateMeter::bytes_per_second);
}
