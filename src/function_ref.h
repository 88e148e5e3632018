// A callable passed down a call and never kept: a pointer to it and one function, where
// std::function would copy it and compile a set of virtual functions for each callable's type
// (room in the wasm core). The callable must outlive the FunctionRef (a lambda argument does).
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

namespace coc {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  FunctionRef(std::nullptr_t) {}  // NOLINT: none, as std::function's nullptr
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& callable)  // NOLINT: implicit, as std::function's
      : callable_(const_cast<void*>(static_cast<const void*>(&callable))),
        call_([](void* target, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(target))(std::forward<Args>(args)...);
        }) {}

  explicit operator bool() const { return call_ != nullptr; }
  R operator()(Args... args) const { return call_(callable_, std::forward<Args>(args)...); }

 private:
  void* callable_ = nullptr;
  R (*call_)(void*, Args...) = nullptr;
};

}  // namespace coc
