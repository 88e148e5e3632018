// One URL's resolution, sans-IO: the Resolver's steps for that URL with its own cursor. The shim
// creates one, performs the action next() names and feeds back the typed result; it never hands
// the URL, the store or the lookup mode back (h11's Connection is the model). A local lookup
// (what delete must remove) is a mode: it reads memory and our persisted store, nothing else.
// A resolution that needs a batch request takes its place at the Resolver's desk (batch_desk.h)
// under its ticket; it leaves its place, and settles its cohort, when it ends however it ends.
#pragma once
#include <cstdint>
#include <string>

#include "resolver.h"

namespace coc {

class Resolution {
 public:
  // The resolver must outlive the resolution. cohort: from Resolver::open_cohort(), or none;
  // partition: whose credentials its requests carry (only equal ones share a batch request).
  Resolution(Resolver& resolver, std::string url, Resolver::Lookup lookup, double now_ms,
             std::uint32_t cohort = BatchDesk::kNoCohort, std::string partition = "");
  ~Resolution();
  Resolution(const Resolution&) = delete;
  Resolution& operator=(const Resolution&) = delete;

  const Step& next() const { return step_; }
  const std::string& url() const { return url_; }
  // Names this resolution in Resolver::take_batches().
  std::uint64_t ticket() const { return ticket_; }

  // read_persisted: what our persisted store holds under next().key.
  const Step& persisted_read(bool found, const std::string& body, double now_ms);
  // read_legacy: what the legacy store next().store holds under next().key.
  const Step& legacy_read(bool found, const std::string& body, double now_ms);
  // fetch_batch: the request take_batches() named for this ticket was applied
  // (Resolver::apply_batch), or take_batches() let the ticket go without one.
  const Step& batch_answered(double now_ms);
  // fetch_pointer: the answer to next().pointer_url (timed_out: none came in time; status 0), with
  // its X-Repo-Commit and ETag, and the file's size as its headers give it (answered_file_size()).
  const Step& pointer_fetched(int status, const std::string& text, const std::string& repo_commit, double now_ms,
                              bool timed_out, const std::string& etag = "", std::int64_t file_size = -1);
  // read_snapshot: the snapshot was read (Resolver::load_snapshot or snapshot_unavailable); memory
  // may answer now, so it begins again.
  const Step& snapshot_read(double now_ms);

 private:
  void expect(StepAction action, const char* feed) const;
  const Step& take(Step step);  // the next step, and the desk told of it

  Resolver& resolver_;
  std::string url_;
  Resolver::Lookup lookup_;
  std::uint32_t cohort_;
  std::string partition_;
  std::uint64_t ticket_;
  bool settled_;  // its cohort counts it (it reached a batch, or went past that stage without one)
  Step step_;
};

}  // namespace coc
