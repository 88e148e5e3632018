// The wasm-side objects JS creates (hashers, resolvers) derive from LiveCounted. Only the test
// module (COC_TEST_BINDINGS, see test_bindings.cpp) counts them, so tests can assert that JS frees
// what it creates; in the package's module it is empty and costs nothing.
#pragma once

namespace coc_bindings {

#ifdef COC_TEST_BINDINGS
int& live_objects();
struct LiveCounted {
  LiveCounted() { ++live_objects(); }
  LiveCounted(const LiveCounted&) { ++live_objects(); }
  LiveCounted& operator=(const LiveCounted&) = default;
  ~LiveCounted() { --live_objects(); }
};
#else
struct LiveCounted {};
#endif

}  // namespace coc_bindings
