// parse_artifact_url on arbitrary text; std::invalid_argument is the only way to refuse.
// Properties: href is the input with scheme and host lowercased; storage_key is href cut at its
// first '#'; no secret query value or userinfo password shows in redacted (nor in the error
// message of a refused URL, nor in a message quoting the URL once redact_text has run on it); credentials are flagged; for hub URLs the pointer URL parses, sits
// under the same endpoint, and naming the file again under /resolve/ gives back the same
// endpoint, repo, revision and path; immutable means a 40-lowercase-hex revision.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "artifact_url.h"
#include "fuzz_common.h"
#include "request_secrets.h"

namespace {

// Secret values (query values of surely-secret names, the userinfo's password) that can be
// tracked in output text: see fuzz::trackable_secret.
template <typename Visit>
void for_each_trackable_secret(std::string_view input, Visit visit) {
  std::string_view query;
  if (fuzz::query_of(input, query)) {
    fuzz::for_each_param(query, [&](std::string_view name, std::string_view value, bool has_value) {
      if (has_value && fuzz::surely_secret_name(name) && fuzz::trackable_secret(input, value)) visit(value);
    });
  }
  std::string_view userinfo;
  if (fuzz::userinfo_of(input, userinfo)) {
    const std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view password = userinfo.substr(colon + 1);
      if (fuzz::trackable_secret(input, password)) visit(password);
    }
  }
}

void check_hides_secrets(std::string_view input, std::string_view output, const char* what) {
  const std::string lowered = fuzz::lowercase(output);
  for_each_trackable_secret(input, [&](std::string_view secret) {
    FUZZ_CHECK(lowered.find(fuzz::lowercase(secret)) == std::string::npos,
               std::string(what) + " shows the secret " + fuzz::show(secret) + ": " + fuzz::show(output) +
                   " for input " + fuzz::show(input));
  });
}

void check_refusal(std::string_view input, const std::invalid_argument& error) {
  const std::string message = error.what();
  FUZZ_CHECK(!message.empty(), "empty error message");
  FUZZ_CHECK(fuzz::printable_ascii(message), "error message is not printable ASCII: " + fuzz::show(message));
  FUZZ_CHECK(message.size() < 2000, "error message of " + std::to_string(message.size()) + " bytes");
  // The URL as echoed: between "invalid artifact URL '" and the last "': ". Escapes (\xNN) could
  // spell a secret by accident, so only printable inputs are looked at.
  const std::string prefix = "invalid artifact URL '";
  if (!fuzz::printable_ascii(input) || message.compare(0, prefix.size(), prefix) != 0) return;
  const std::size_t end = message.rfind("': ");
  if (end == std::string::npos || end < prefix.size()) return;
  check_hides_secrets(input, message.substr(prefix.size(), end - prefix.size()), "error message");
}

// The media type the header documents for a percent-decoded path: by the extension of its last
// segment, case-insensitively; no extension (or only a leading dot) is application/octet-stream.
std::string expected_media_type(std::string_view decoded_path) {
  const std::string_view name = decoded_path.substr(decoded_path.rfind('/') + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
  const std::string extension = fuzz::lowercase(name.substr(dot + 1));
  if (extension == "json") return "application/json";
  if (extension == "wasm") return "application/wasm";
  if (extension == "txt" || extension == "md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

void check_hub(std::string_view input, const coc::ArtifactUrl& url) {
  const std::string where = " for input " + fuzz::show(input);
  FUZZ_CHECK(!url.endpoint.empty() && url.endpoint.back() != '/', "endpoint " + fuzz::show(url.endpoint) + where);
  FUZZ_CHECK(url.repo_type == "model" || url.repo_type == "dataset" || url.repo_type == "space",
             "repo_type " + fuzz::show(url.repo_type) + where);
  FUZZ_CHECK(!url.repo_id.empty() && !url.revision_raw.empty() && !url.path_raw.empty(), "empty hub part" + where);
  FUZZ_CHECK(url.revision == fuzz::decode_percent(url.revision_raw), "revision is not the decoded raw one" + where);
  FUZZ_CHECK(url.path == fuzz::decode_percent(url.path_raw), "path is not the decoded raw one" + where);
  FUZZ_CHECK(url.revision_raw.find('/') == std::string::npos, "raw revision spans segments" + where);
  FUZZ_CHECK(url.immutable == fuzz::is_lower_hex(url.revision, 40),
             "immutable=" + std::to_string(url.immutable) + " for revision " + fuzz::show(url.revision) + where);
  // The endpoint is the input's own origin and prefix (scheme and host lowercased, userinfo left out).
  std::string_view userinfo;
  if (!fuzz::userinfo_of(input, userinfo)) {
    FUZZ_CHECK(url.storage_key.compare(0, url.endpoint.size(), url.endpoint) == 0,
               "endpoint " + fuzz::show(url.endpoint) + " is not a prefix of the key" + where);
  }

  FUZZ_CHECK(url.pointer_url.find('#') == std::string::npos, "pointer_url has a fragment" + where);
  FUZZ_CHECK(url.pointer_url.compare(0, url.endpoint.size() + 1, url.endpoint + "/") == 0,
             "pointer_url " + fuzz::show(url.pointer_url) + " is not under the endpoint" + where);
  coc::ArtifactUrl pointer;
  try {
    pointer = coc::parse_artifact_url(url.pointer_url);
  } catch (const std::invalid_argument& error) {
    FUZZ_CHECK(false, "pointer_url " + fuzz::show(url.pointer_url) + " does not parse: " + error.what() + where);
  }
  FUZZ_CHECK(pointer.storage_key == url.pointer_url, "pointer_url is not its own key" + where);

  // The same file under /resolve/ again: the pointer URL with its "/raw/" put back.
  std::size_t raw_at = url.endpoint.size() + 1 + url.repo_id.size();
  if (url.repo_type != "model") raw_at += (url.repo_type == "dataset" ? 9 : 7);  // "datasets/" or "spaces/"
  FUZZ_CHECK(url.pointer_url.compare(raw_at, 5, "/raw/") == 0,
             "no /raw/ where expected in " + fuzz::show(url.pointer_url) + where);
  const std::string resolve_url = url.pointer_url.substr(0, raw_at) + "/resolve/" + url.pointer_url.substr(raw_at + 5);
  coc::ArtifactUrl again;
  try {
    again = coc::parse_artifact_url(resolve_url);
  } catch (const std::invalid_argument& error) {
    FUZZ_CHECK(false, "resolve URL " + fuzz::show(resolve_url) + " does not parse: " + error.what() + where);
  }
  FUZZ_CHECK(again.is_hub, "resolve URL " + fuzz::show(resolve_url) + " is not a hub URL" + where);
  FUZZ_CHECK(again.endpoint == url.endpoint,
             "endpoint " + fuzz::show(again.endpoint) + " != " + fuzz::show(url.endpoint) + where);
  FUZZ_CHECK(again.repo_type == url.repo_type && again.repo_id == url.repo_id, "repo differs" + where);
  FUZZ_CHECK(again.revision_raw == url.revision_raw && again.path_raw == url.path_raw, "revision/path differ" + where);
  FUZZ_CHECK(again.pointer_url == url.pointer_url, "pointer_url differs" + where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  coc::ArtifactUrl url;
  try {
    url = coc::parse_artifact_url(input);
  } catch (const std::invalid_argument& error) {
    check_refusal(input, error);
    return 0;
  }
  const std::string where = " for input " + fuzz::show(input);

  FUZZ_CHECK(url.href.size() == input.size() && fuzz::lowercase(url.href) == fuzz::lowercase(input),
             "href " + fuzz::show(url.href) + where);
  FUZZ_CHECK(url.href.compare(0, 7, "http://") == 0 || url.href.compare(0, 8, "https://") == 0,
             "scheme of href " + fuzz::show(url.href) + where);
  FUZZ_CHECK(url.storage_key == url.href.substr(0, url.href.find('#')), "storage_key " + fuzz::show(url.storage_key) + where);
  FUZZ_CHECK(url.storage_key.find('#') == std::string::npos, "storage_key has '#'" + where);
  FUZZ_CHECK(url.redacted.find('#') == std::string::npos, "redacted has '#'" + where);

  check_hides_secrets(input, url.redacted, "redacted");
  // The same URL quoted in running text (a platform's error message) is redacted as well; only
  // the part between the text around it is looked at, as that text could spell a short secret.
  const std::string before = "fetch ";
  const std::string after = " failed";
  const std::string message = coc::redact_text(before + std::string(input) + after, {});
  FUZZ_CHECK(message.size() >= before.size() + after.size() && message.compare(0, before.size(), before) == 0 &&
                 message.compare(message.size() - after.size(), after.size(), after) == 0,
             "redact_text changed the text around the URL: " + fuzz::show(message) + where);
  check_hides_secrets(input, message.substr(before.size(), message.size() - before.size() - after.size()), "redact_text");
  if (fuzz::surely_has_credentials(input)) FUZZ_CHECK(url.has_credentials, "credentials not flagged" + where);
  if (!url.has_credentials) FUZZ_CHECK(url.redacted == url.storage_key, "redacted without credentials" + where);

  // Parsing is stable: the key parses to itself.
  const coc::ArtifactUrl keyed = coc::parse_artifact_url(url.storage_key);
  FUZZ_CHECK(keyed.storage_key == url.storage_key && keyed.redacted == url.redacted &&
                 keyed.has_credentials == url.has_credentials && keyed.is_hub == url.is_hub &&
                 keyed.pointer_url == url.pointer_url,
             "the storage key parses differently" + where);

  // The URL's path: after the authority, before any query or fragment.
  const std::size_t authority = input.find("://") + 3;
  const std::size_t path_end = std::min(input.find_first_of("?#", authority), input.size());
  const std::size_t path_start = std::min(input.find('/', authority), path_end);
  const std::string decoded_path =
      url.is_hub ? url.path : fuzz::decode_percent(input.substr(path_start, path_end - path_start));
  FUZZ_CHECK(url.media_type == expected_media_type(decoded_path),
             "media type " + fuzz::show(url.media_type) + " for path " + fuzz::show(decoded_path) + where);

  if (url.is_hub) {
    check_hub(input, url);
  } else {
    FUZZ_CHECK(url.endpoint.empty() && url.repo_type.empty() && url.pointer_url.empty() && !url.immutable,
               "hub fields set on a non-hub URL" + where);
  }
  return 0;
}
