// Bindings only the test module has (build/wasm/core-test.*, never dist/): a count of live
// wasm-side objects and the hash descriptor check tested on its own.
#include <emscripten/bind.h>

#include <string>

#include "guarded.h"
#include "hash_descriptor.h"
#include "live_counted.h"

namespace coc_bindings {

int& live_objects() {
  static int count = 0;
  return count;
}

}  // namespace coc_bindings

namespace {

int live_object_count() { return coc_bindings::live_objects(); }

coc::HashDescriptor make_hash_descriptor(const std::string& algorithm, const std::string& value) {
  return coc_bindings::guarded([&] { return coc::make_hash_descriptor(algorithm, value); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(cross_origin_cache_test) {
  using namespace emscripten;
  function("liveObjectCount", &live_object_count);
  value_object<coc::HashDescriptor>("HashDescriptor")
      .field("algorithm", &coc::HashDescriptor::algorithm)
      .field("value", &coc::HashDescriptor::value);
  function("makeHashDescriptor", &make_hash_descriptor);
}
