#include "batch_desk.h"

#include <algorithm>
#include <utility>

namespace coc {

std::uint32_t BatchDesk::open_cohort() {
  std::uint32_t cohort = next_cohort_++;
  if (next_cohort_ == kNoCohort) next_cohort_ = 1;
  cohorts_.push_back(OpenCohort{cohort, Cohort{}});
  return cohort;
}

BatchDesk::Cohort* BatchDesk::find(std::uint32_t cohort) {
  for (OpenCohort& open : cohorts_) {
    if (open.id == cohort) return &open.counts;
  }
  return nullptr;
}

const BatchDesk::Cohort* BatchDesk::find(std::uint32_t cohort) const {
  return const_cast<BatchDesk*>(this)->find(cohort);
}

void BatchDesk::join_cohort(std::uint32_t cohort) {
  Cohort* found = find(cohort);
  if (found != nullptr && !found->closed) ++found->members;
}

void BatchDesk::close_cohort(std::uint32_t cohort) {
  Cohort* found = find(cohort);
  if (found == nullptr) return;
  found->closed = true;
  forget_if_done(cohort);
}

void BatchDesk::settle(std::uint32_t cohort) {
  Cohort* found = find(cohort);
  if (found == nullptr) return;
  ++found->settled;
  forget_if_done(cohort);
}

// A complete cohort holds nothing back any more: it is forgotten (an unknown cohort is complete).
void BatchDesk::forget_if_done(std::uint32_t cohort) {
  for (auto it = cohorts_.begin(); it != cohorts_.end(); ++it) {
    if (it->id != cohort) continue;
    if (it->counts.closed && it->counts.settled >= it->counts.members) cohorts_.erase(it);
    return;
  }
}

void BatchDesk::arrive(BatchArrival arrival, std::uint32_t cohort, bool settles) {
  withdraw(arrival.ticket);
  waiting_.push_back(Waiting{std::move(arrival), cohort});
  if (settles) settle(cohort);
}

void BatchDesk::withdraw(std::uint64_t ticket) {
  waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                [&](const Waiting& waiting) { return waiting.arrival.ticket == ticket; }),
                 waiting_.end());
}

bool BatchDesk::holds(std::uint64_t ticket) const {
  return std::any_of(waiting_.begin(), waiting_.end(),
                     [&](const Waiting& waiting) { return waiting.arrival.ticket == ticket; });
}

}  // namespace coc
