#include "batch_desk.h"

#include <algorithm>
#include <utility>

namespace coc {

std::uint32_t BatchDesk::open_cohort() {
  std::uint32_t cohort = next_cohort_++;
  if (next_cohort_ == kNoCohort) next_cohort_ = 1;
  cohorts_[cohort] = Cohort{};
  return cohort;
}

void BatchDesk::join_cohort(std::uint32_t cohort) {
  auto found = cohorts_.find(cohort);
  if (found != cohorts_.end() && !found->second.closed) ++found->second.members;
}

void BatchDesk::close_cohort(std::uint32_t cohort) {
  auto found = cohorts_.find(cohort);
  if (found == cohorts_.end()) return;
  found->second.closed = true;
  forget_if_done(cohort);
}

void BatchDesk::settle(std::uint32_t cohort) {
  auto found = cohorts_.find(cohort);
  if (found == cohorts_.end()) return;
  ++found->second.settled;
  forget_if_done(cohort);
}

// A complete cohort holds nothing back any more: it is forgotten (an unknown cohort is complete).
void BatchDesk::forget_if_done(std::uint32_t cohort) {
  auto found = cohorts_.find(cohort);
  if (found != cohorts_.end() && found->second.closed && found->second.settled >= found->second.members) {
    cohorts_.erase(found);
  }
}

bool BatchDesk::complete(std::uint32_t cohort) const { return cohorts_.count(cohort) == 0; }

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

std::vector<BatchArrival> BatchDesk::take_ready(const std::function<bool(const std::string&)>& in_flight) {
  std::vector<BatchArrival> ready;
  std::vector<Waiting> held;
  for (Waiting& waiting : waiting_) {
    if (complete(waiting.cohort) && !in_flight(waiting.arrival.group)) {
      ready.push_back(std::move(waiting.arrival));
    } else {
      held.push_back(std::move(waiting));
    }
  }
  waiting_ = std::move(held);
  return ready;
}

}  // namespace coc
