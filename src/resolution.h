// One URL's resolution, sans-IO: the Resolver's steps for that URL with its own cursor. The shim
// creates one, performs the action next() names and feeds back the typed result; it never hands
// the URL, the store or the lookup mode back (h11's Connection is the model). A local lookup
// (what delete must remove) is a mode: it reads memory and our persisted store, nothing else.
#pragma once
#include <string>

#include "resolver.h"

namespace coc {

class Resolution {
 public:
  // The resolver must outlive the resolution.
  Resolution(Resolver& resolver, std::string url, Resolver::Lookup lookup, double now_ms);

  const Step& next() const { return step_; }
  const std::string& url() const { return url_; }

  // read_persisted: what our persisted store holds under next().key.
  const Step& persisted_read(bool found, const std::string& body, double now_ms);
  // read_legacy: what the legacy store next().store holds under next().key.
  const Step& legacy_read(bool found, const std::string& body, double now_ms);
  // fetch_batch: the batch request of next().group was applied (Resolver::apply_batch).
  const Step& batch_answered(double now_ms);
  // fetch_pointer: the answer to next().pointer_url (timed_out: none came in time; status 0).
  const Step& pointer_fetched(int status, const std::string& text, const std::string& repo_commit, double now_ms,
                              bool timed_out);
  // The persisted snapshot was loaded while this resolution waited to read its store: memory may
  // answer now, so it begins again.
  const Step& restart(double now_ms);

 private:
  void expect(StepAction action, const char* feed) const;

  Resolver& resolver_;
  std::string url_;
  Resolver::Lookup lookup_;
  Step step_;
};

}  // namespace coc
