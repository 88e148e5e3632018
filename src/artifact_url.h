// What a model-file URL says about itself: hub repo/revision/path, the LFS pointer URL, whether its
// revision can move, the key it is stored under, and whether it carries credentials.
#pragma once
#include <string>
#include <string_view>

namespace coc {

struct ArtifactUrl {
  std::string href;         // the URL as given, scheme and host lowercased
  std::string storage_key;  // href without its fragment: the key of index and persisted store
  std::string redacted;     // storage_key with userinfo and secret query values replaced by "***"
  bool has_credentials = false;  // userinfo, or a secret query parameter (is_secret_query_name)
  bool has_userinfo = false;
  std::string userinfo;   // as it stands in the URL, "" without
  std::string origin;     // scheme://host[:port], lowercased, no userinfo
  // What to hand to fetch(): storage_key without its userinfo (fetch refuses URLs with one, and
  // its error would quote it whole).
  std::string fetch_url;
  // The Content-Type to serve the file with, from the extension of the last segment of the
  // percent-decoded path (hub or not): see media_type_for_path.
  std::string media_type;

  // Hugging Face-style {endpoint}/[datasets/|spaces/]{repo}/resolve/{revision}/{path}
  bool is_hub = false;
  std::string endpoint;      // scheme://host[:port][/prefix], no trailing slash
  std::string repo_type;     // "model" | "dataset" | "space" ("" when !is_hub)
  std::string repo_id;       // "org/name" (or "name")
  std::string revision;      // percent-decoded, e.g. "refs/pr/1"
  std::string revision_raw;  // as it stands in the URL, e.g. "refs%2Fpr%2F1"
  std::string path;          // percent-decoded file path inside the repo
  std::string path_raw;      // as it stands in the URL
  std::string pointer_url;   // the same file under /raw/, query kept, fragment dropped
  bool immutable = false;    // revision is a 40-hex commit
};

// Throws std::invalid_argument for anything that is not an absolute http(s) URL; the message shows
// the URL redacted (userinfo and secret query values hidden, fragment dropped).
ArtifactUrl parse_artifact_url(std::string_view url);

// Whether a query parameter or header name (percent-decoded) names a secret, case-insensitively:
// it contains token, key, secret, password, credential or signature, starts with auth, or is one
// of sig, policy, googleaccessid and the Azure SAS fields (se, sp, sv, st, ...). The full list and
// why each name is on it are in artifact_url.cpp.
bool is_secret_query_name(std::string_view name);

// Text that may hold a URL with credentials, made fit for a message: anything before the last '@'
// ahead of the query is hidden as userinfo, secret query values are hidden, the fragment is
// dropped. It errs on the side of hiding and never throws.
std::string redact_url_loosely(std::string_view text);

// The media type for a file path, from the extension of its last '/'-separated segment (compared
// case-insensitively): .json application/json, .wasm application/wasm, .txt and .md
// text/plain; charset=utf-8, anything else (.bin, .safetensors, .onnx, .gguf, ...), no extension
// or a name whose only dot leads it (".json") application/octet-stream.
std::string_view media_type_for_path(std::string_view path);

// The Content-Type to serve stored bytes with: the type they were stored with, unless it is empty
// or generic (GitHub raw serves .wasm as octet-stream), in which case the URL's media type.
std::string served_media_type(std::string_view stored_type, std::string_view url_media_type);

// Decodes %XX escapes; invalid or truncated escapes are kept as they are. '+' is not a space.
std::string percent_decode(std::string_view text);

}  // namespace coc
