// Drives the Resolver's batch desk through Resolutions, in any order: creations in and out of
// cohorts and partitions, store reads, deletions (aborts), takes, answers of any status. Checks
// what the shim relies on: take_batches() names only live resolutions waiting for a batch, each
// once per arrival, with one partition per request and one request per revision on its way; a
// named resolution may always be answered; and nobody waits for ever once cohorts are closed and
// every request is answered.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "resolution.h"
#include "resolver.h"

namespace {

using fuzz::Input;

const std::string kUrls[] = {
    "https://hub.test/org/a/resolve/main/x.bin", "https://hub.test/org/a/resolve/main/y.bin",
    "https://hub.test/org/a/resolve/main/dir/z.bin", "https://hub.test/org/b/resolve/main/x.bin",
    "https://hub.test/org/b/resolve/v1/x.bin", "https://cdn.test/lib/model.wasm",
};
const std::string kPartitions[] = {"", "token-a", "token-b"};

struct Live {
  std::unique_ptr<coc::Resolution> resolution;
  std::string partition;
};

// An answer for the request's paths: each in LFS, or plain, as the input says.
std::string answer_for(const coc::BatchRequest& request, Input& in) {
  std::string body = "[";
  for (std::size_t i = 0; i < request.paths.size(); ++i) {
    if (i > 0) body += ",";
    const bool lfs = in.byte() & 1;
    body += R"({"type":"file","path":")" + request.paths[i] + R"(","size":3,"oid":")" + std::string(40, '1') + "\"";
    if (lfs) body += R"(,"lfs":{"oid":")" + std::string(64, static_cast<char>('a' + i % 6)) + R"(","size":3}})";
    body += "}";
  }
  return body + "]";
}

class Driver {
 public:
  explicit Driver(coc::ResolverOptions options) : resolver_(std::move(options)) {}

  void create(Input& in) {
    const std::string& url = kUrls[in.byte() % 6];
    const std::string& partition = kPartitions[in.byte() % 3];
    const std::uint32_t cohort = (in.byte() & 1) ? open_cohort_ : coc::BatchDesk::kNoCohort;
    auto resolution = std::make_unique<coc::Resolution>(resolver_, url, coc::Resolver::Lookup::resolve, now_,
                                                        cohort, partition);
    const std::uint64_t ticket = resolution->ticket();
    FUZZ_CHECK(live_.count(ticket) == 0, "a ticket was given twice");
    live_[ticket] = Live{std::move(resolution), partition};
  }

  void take() {
    coc::BatchPlan plan = resolver_.take_batches(now_);
    for (coc::PlannedBatch& planned : plan.requests) {
      for (const auto& pending : pending_) {
        FUZZ_CHECK(pending.request.group != planned.request.group, "two requests for one revision on their way");
      }
      FUZZ_CHECK(!planned.tickets.empty() || !planned.request.keys.empty(), "a request for nothing");
      for (std::uint64_t ticket : planned.tickets) {
        name(ticket);
        FUZZ_CHECK(live_.at(ticket).partition == planned.partition, "a request carries another partition's ticket");
      }
      pending_.push_back(std::move(planned));
    }
    for (std::uint64_t ticket : plan.released) {
      name(ticket);
      released_.insert(ticket);
    }
  }

  void apply(Input& in) {
    if (pending_.empty()) return;
    const std::size_t which = in.byte() % pending_.size();
    coc::PlannedBatch planned = std::move(pending_[which]);
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(which));
    const std::uint8_t how = in.byte() % 5;
    const int status = how == 0 ? 500 : how == 1 ? 404 : 200;
    const std::string body = status == 200 ? (how == 2 ? "[{" : answer_for(planned.request, in)) : "";
    resolver_.apply_batch(planned.request.group, status, body, "", "", now_, how == 3 && (in.byte() & 1));
    for (std::uint64_t ticket : planned.tickets) released_.insert(ticket);
  }

  // Feeds the next result to one live resolution; a named one must take its answer.
  void advance(Input& in) {
    if (live_.empty()) return;
    auto it = pick(in);
    coc::Resolution& resolution = *it->second.resolution;
    const coc::Step step = resolution.next();
    switch (step.action) {
      case coc::StepAction::read_persisted:
        resolution.persisted_read(false, "", now_);
        break;
      case coc::StepAction::read_legacy:
        resolution.legacy_read(false, "", now_);
        break;
      case coc::StepAction::fetch_batch:
        if (released_.count(it->first) != 0) {
          released_.erase(it->first);
          named_.erase(it->first);
          resolution.batch_answered(now_);  // must not throw
        }
        break;
      case coc::StepAction::fetch_pointer:
        resolution.pointer_fetched(404, "", "", now_, false);
        break;
      default:
        break;
    }
  }

  void remove(Input& in) {
    if (live_.empty()) return;
    auto it = pick(in);
    named_.erase(it->first);
    released_.erase(it->first);
    live_.erase(it);
  }

  void open() {
    if (open_cohort_ == coc::BatchDesk::kNoCohort) open_cohort_ = resolver_.open_cohort();
  }
  void close() {
    if (open_cohort_ == coc::BatchDesk::kNoCohort) return;
    resolver_.close_cohort(open_cohort_);
    open_cohort_ = coc::BatchDesk::kNoCohort;
  }

  // Cohorts closed, every request answered, every let-go resolution answered: nobody is left at
  // the desk.
  void drain(Input& in) {
    close();
    for (int round = 0; round < 64; ++round) {
      while (!pending_.empty()) apply(in);
      take();
      for (auto& [ticket, live] : live_) {
        if (live.resolution->next().action == coc::StepAction::fetch_batch && released_.count(ticket) != 0) {
          released_.erase(ticket);
          named_.erase(ticket);
          live.resolution->batch_answered(now_);
        } else if (live.resolution->next().action == coc::StepAction::read_persisted) {
          live.resolution->persisted_read(false, "", now_);
        }
      }
      if (pending_.empty() && resolver_.desk().waiting() == 0) return;
      now_ += 1;
    }
    FUZZ_CHECK(resolver_.desk().waiting() == 0, std::to_string(resolver_.desk().waiting()) + " resolutions wait for ever");
  }

  void tick(Input& in) { now_ += in.byte(); }

 private:
  std::map<std::uint64_t, Live>::iterator pick(Input& in) {
    auto it = live_.begin();
    std::advance(it, in.byte() % live_.size());
    return it;
  }

  void name(std::uint64_t ticket) {
    FUZZ_CHECK(live_.count(ticket) != 0, "a ticket of a resolution that ended was named");
    FUZZ_CHECK(live_.at(ticket).resolution->next().action == coc::StepAction::fetch_batch,
               "a resolution not waiting for a batch was named");
    FUZZ_CHECK(named_.insert(ticket).second, "a ticket was named twice for one arrival");
  }

  coc::Resolver resolver_;
  std::map<std::uint64_t, Live> live_;
  std::vector<coc::PlannedBatch> pending_;
  std::set<std::uint64_t> named_;     // named by a take, not answered yet
  std::set<std::uint64_t> released_;  // may be answered now
  std::uint32_t open_cohort_ = coc::BatchDesk::kNoCohort;
  double now_ = 1000;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const std::uint8_t flags = in.byte();
  coc::ResolverOptions options;
  options.persist = flags & 1;
  options.list_repos = flags & 2;
  options.batch = !(flags & 4);
  options.max_age_ms = 5;
  Driver driver(options);
  for (int ops = 0; in.more() && ops < 200; ++ops) {
    switch (in.byte() % 9) {
      case 0: driver.create(in); break;
      case 1: driver.open(); break;
      case 2: driver.close(); break;
      case 3: driver.take(); break;
      case 4: driver.apply(in); break;
      case 5: driver.advance(in); break;
      case 6: driver.remove(in); break;
      case 7: driver.tick(in); break;
      default: driver.create(in); break;
    }
  }
  driver.drain(in);
  return 0;
}
