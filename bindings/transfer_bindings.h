// The transfer binding as the resolver binding makes it: Resolver.transfer() returns a JsTransfer
// that judges bytes through that resolver.
#pragma once
#include <memory>
#include <string>

#include "resolver.h"
#include "transfer.h"

#include "live_counted.h"

namespace coc_bindings {

// What the shim knows of downloaded bytes (coc::Content, with the size as a JS number).
struct JsContent {
  std::string sha256;
  double size = -1;
  std::string expected, etag, repo_commit, git_blob, response_url;
};

coc::Content from_js(const JsContent& content);

struct JsTransferStep;

// One load's transfer (coc::Transfer), each step with its sizes as JS numbers.
class JsTransfer : LiveCounted {
 public:
  // Shares the resolver: a transfer still in flight when the cache is disposed keeps it alive.
  JsTransfer(std::shared_ptr<coc::Resolver> resolver, std::string url, coc::Transfer transfer);

  JsTransferStep next() const;
  JsTransferStep resolved(bool found, const std::string& hash, double size);
  JsTransferStep storage_answered(coc::StorageAnswer answer, double file_size, const std::string& git_blob);
  JsTransferStep downloaded(double content_length, int status, const std::string& content_range,
                            const std::string& content_encoding);
  JsTransferStep room_answered(bool fits, double quota, double usage);
  // Resolver::git_blob_format() for this load's URL: the blob id streamed() needs, if any.
  std::string git_blob_format(const JsContent& content, double now);
  JsTransferStep streamed(const JsContent& content, double now);
  JsTransferStep stream_failed(bool digest_mismatch);
  JsTransferStep closed();
  JsTransferStep write_failed(const std::string& error_name, const std::string& storage_step);
  JsTransferStep abandoned();
  JsTransferStep kept(bool found);
  JsTransferStep persisted();
  JsTransferStep dropped();
  JsTransferStep need_bytes();

 private:
  std::shared_ptr<coc::Resolver> resolver_;
  std::string url_;
  coc::Transfer transfer_;
};

}  // namespace coc_bindings
