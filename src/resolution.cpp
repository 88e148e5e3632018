#include "resolution.h"

#include <stdexcept>
#include <utility>

namespace coc {

Resolution::Resolution(Resolver& resolver, std::string url, Resolver::Lookup lookup, double now_ms)
    : resolver_(resolver), url_(std::move(url)), lookup_(lookup) {
  step_ = resolver_.begin(url_, now_ms, lookup_);
}

// A result fed for another action than the one asked for is the shim's bug: refused, nothing moves.
void Resolution::expect(StepAction action, const char* feed) const {
  if (step_.action != action) {
    throw std::logic_error(std::string("resolution: ") + feed + " after " + step_action_name(step_.action));
  }
}

const Step& Resolution::persisted_read(bool found, const std::string& body, double now_ms) {
  expect(StepAction::read_persisted, "persisted_read");
  step_ = resolver_.after_persisted(url_, found, body, now_ms, lookup_);
  return step_;
}

const Step& Resolution::legacy_read(bool found, const std::string& body, double now_ms) {
  expect(StepAction::read_legacy, "legacy_read");
  step_ = resolver_.after_legacy(url_, step_.store, found, body, now_ms);
  return step_;
}

const Step& Resolution::batch_answered(double now_ms) {
  expect(StepAction::fetch_batch, "batch_answered");
  step_ = resolver_.after_batch(url_, now_ms);
  return step_;
}

const Step& Resolution::pointer_fetched(int status, const std::string& text, const std::string& repo_commit,
                                        double now_ms, bool timed_out) {
  expect(StepAction::fetch_pointer, "pointer_fetched");
  step_ = resolver_.after_pointer(url_, status, text, repo_commit, now_ms, timed_out);
  return step_;
}

const Step& Resolution::restart(double now_ms) {
  expect(StepAction::read_persisted, "restart");
  step_ = resolver_.begin(url_, now_ms, lookup_);
  return step_;
}

}  // namespace coc
