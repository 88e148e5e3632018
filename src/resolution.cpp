#include "resolution.h"

#include <stdexcept>
#include <utility>

namespace coc {

Resolution::Resolution(Resolver& resolver, std::string url, Resolver::Lookup lookup, double now_ms,
                       std::uint32_t cohort, std::string partition)
    : resolver_(resolver),
      url_(std::move(url)),
      lookup_(lookup),
      cohort_(cohort),
      partition_(std::move(partition)),
      ticket_(resolver.new_ticket()),
      settled_(cohort == BatchDesk::kNoCohort) {
  Step first = resolver_.begin(url_, now_ms, lookup_);  // throws for a URL it refuses: no member then
  resolver_.desk().join_cohort(cohort_);
  try {
    take(std::move(first));
  } catch (...) {
    // No destructor runs for it: its cohort must not wait for it.
    resolver_.desk().withdraw(ticket_);
    if (!settled_) resolver_.desk().settle(cohort_);
    throw;
  }
}

Resolution::~Resolution() {
  resolver_.desk().withdraw(ticket_);
  if (!settled_) resolver_.desk().settle(cohort_);
}

const Step& Resolution::take(Step step) {
  step_ = std::move(step);
  if (step_.action == StepAction::fetch_batch) {
    BatchArrival arrival;
    arrival.ticket = ticket_;
    arrival.partition = partition_;
    arrival.url = url_;
    arrival.key = step_.key;
    arrival.group = step_.group;
    resolver_.desk().arrive(std::move(arrival), cohort_, !settled_);
    settled_ = true;
  } else if ((step_.action == StepAction::done || step_.action == StepAction::fetch_pointer) && !settled_) {
    // Past the batch stage: its cohort need not wait for its pointer.
    resolver_.desk().settle(cohort_);
    settled_ = true;
  }
  return step_;
}

// A result fed for another action than the one asked for is the shim's bug: refused, nothing moves.
void Resolution::expect(StepAction action, const char* feed) const {
  if (step_.action != action) {
    throw std::logic_error(std::string("resolution: ") + feed + " after " + step_action_name(step_.action));
  }
}

const Step& Resolution::persisted_read(bool found, const std::string& body, double now_ms) {
  expect(StepAction::read_persisted, "persisted_read");
  return take(resolver_.after_persisted(url_, found, body, now_ms, lookup_));
}

const Step& Resolution::legacy_read(bool found, const std::string& body, double now_ms) {
  expect(StepAction::read_legacy, "legacy_read");
  return take(resolver_.after_legacy(url_, step_.store, found, body, now_ms));
}

const Step& Resolution::batch_answered(double now_ms) {
  expect(StepAction::fetch_batch, "batch_answered");
  if (resolver_.desk().holds(ticket_)) {
    throw std::logic_error("resolution: batch_answered before take_batches() let its ticket go");
  }
  return take(resolver_.after_batch(url_, now_ms));
}

const Step& Resolution::pointer_fetched(int status, const std::string& text, const std::string& repo_commit,
                                        double now_ms, bool timed_out, const std::string& etag,
                                        std::int64_t file_size) {
  expect(StepAction::fetch_pointer, "pointer_fetched");
  return take(resolver_.after_pointer(url_, status, text, repo_commit, now_ms, timed_out, etag, file_size));
}

const Step& Resolution::snapshot_read(double now_ms) {
  expect(StepAction::read_snapshot, "snapshot_read");
  return take(resolver_.begin(url_, now_ms, lookup_));
}

}  // namespace coc
