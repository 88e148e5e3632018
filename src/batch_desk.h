// Which resolutions wait for which batch request (a listing or paths-info), sans-IO. A resolution
// that needs one arrives with a ticket; the desk holds it until it may go into a request:
//  - its cohort is complete: resolutions started together (one many() call) go out together, so
//    one request per revision asks for all of them, however long each took to get there;
//  - no request for its group is on its way: that one may answer for it (a listing answers for
//    the whole revision), and a new request after it asks only for what it left unanswered.
// The Resolver plans the requests for what the desk lets go (Resolver::take_batches).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace coc {

struct BatchArrival {
  std::uint64_t ticket = 0;
  std::string partition;  // whose credentials the request carries: only equal ones share it
  std::string url;
  std::string key;    // the URL's storage key
  std::string group;  // batch_group() of the URL
};

class BatchDesk {
 public:
  static constexpr std::uint32_t kNoCohort = 0;

  // A cohort takes in the resolutions created until close_cohort(); it is complete once it is
  // closed and each member has either arrived here or ended without a batch (settled).
  std::uint32_t open_cohort();
  void close_cohort(std::uint32_t cohort);
  void join_cohort(std::uint32_t cohort);
  void settle(std::uint32_t cohort);

  // A resolution arrives for a batch (its cohort membership settles on its first arrival, which
  // the resolution tracks and passes as `settles`).
  void arrive(BatchArrival arrival, std::uint32_t cohort, bool settles);
  // A resolution that ended while it waited (aborted, failed, disposed) leaves no trace.
  void withdraw(std::uint64_t ticket);
  bool holds(std::uint64_t ticket) const;

  // Takes the arrivals that may go now (in arrival order); `in_flight(group)` tells whether a
  // request for the group is on its way.
  template <typename InFlight>
  std::vector<BatchArrival> take_ready(const InFlight& in_flight) {
    std::vector<BatchArrival> ready;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < waiting_.size(); ++i) {
      if (complete(waiting_[i].cohort) && !in_flight(waiting_[i].arrival.group)) {
        ready.push_back(std::move(waiting_[i].arrival));
      } else {
        if (kept != i) waiting_[kept] = std::move(waiting_[i]);
        ++kept;
      }
    }
    waiting_.resize(kept);
    return ready;
  }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Cohort {
    std::size_t members = 0;
    std::size_t settled = 0;
    bool closed = false;
  };
  struct Waiting {
    BatchArrival arrival;
    std::uint32_t cohort = kNoCohort;
  };
  struct OpenCohort {
    std::uint32_t id = kNoCohort;
    Cohort counts;
  };
  bool complete(std::uint32_t cohort) const { return find(cohort) == nullptr; }
  // Few cohorts are open at once (one per many() call in flight): a list is enough.
  Cohort* find(std::uint32_t cohort);
  const Cohort* find(std::uint32_t cohort) const;
  void forget_if_done(std::uint32_t cohort);

  std::uint32_t next_cohort_ = 1;
  std::vector<OpenCohort> cohorts_;
  std::vector<Waiting> waiting_;
};

}  // namespace coc
