// The Resolver driven through a sequence of operations on a small set of URLs, as a shim that
// misbehaves in every way the input can describe would drive it.
//
// Input: one options byte, then records separated by 0x1E. A record is
//   <op> <arg1> <arg2> <payload...>   (missing bytes read as '0')
// where an argument counts from '0' ('0' is 0, '1' is 1, ..., wrapping modulo 256).
// ops: b begin · p after_persisted (found = arg2 odd) · l after_legacy (found = arg2 odd, store by
//   arg2/2) · a after_batch · r after_pointer (status by arg2, timed out by bit 5, an ETag naming a blob by bit 6) · P plan_batch (raw arg1 bits: URLs
//   0-7, arg2 odd: URL 8 too) · A apply_batch (request arg1 of the last plan; a raw 0xff: a group
//   never planned; status by arg2, a next-page Link header by arg2's bit 4, timed out by arg2's
//   bit 5; after_pointer too) · c record_content (hash = payload, or a known hash by arg2 when
//   empty; arg1's bit 4: the download started with known hash arg1/32, bit 5: an ETag naming a
//   blob id, bits 6 and 7: the bytes' git blob id, that one or another) · h add_hint (the same) · L begin, local lookup · q after_persisted, local lookup
//   (found = arg2 odd) · f forget · t advance the clock by arg2 · u set URL 8 to the
//   payload · m merge_snapshot (stored = the payload, or the last merged body when the payload is
//   empty; found = arg2 odd) · w snapshot_written (the last merge's generation).
// The URL is kUrls[arg1 % 9] (8: the settable one). Bodies and texts are the payload.
// std::invalid_argument is the only exception the Resolver may throw.
//
// Properties: a "done" step with found has a 64-lowercase-hex record.value; persist_body, when
// set, decodes with decode_record to the same value (and persist_key is the step's key); a URL
// with credentials never gets a persist_key; steps name the URL's key and the right targets;
// nothing shows a known secret it was not given; the index stays within capacity; a hash just
// reported found is what memory answers next (or, for bytes whose download started with a hash,
// that hash, a newer record staying in memory); bytes unlike the hash their download started with
// are refused or asked for again, and learn nothing; a local lookup never asks the network; a merged snapshot decodes cleanly, holds no hint,
// no credentials and no key forgotten since (and not learned again) unless a write settled it or
// the forgets outnumbered the capacity (the Resolver's bound on tombstones).
//
// FUZZ_RESOLVER_TRACE=1 <binary> <input> prints every step (to check what a seed exercises).
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "artifact_url.h"
#include "fuzz_common.h"
#include "hash_record.h"
#include "record_snapshot.h"
#include "resolver.h"

namespace {

constexpr char kSeparator = '\x1e';
constexpr std::size_t kFixedUrls = 8;

const char* const kUrls[kFixedUrls] = {
    "https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC/resolve/main/params_shard_0.bin",
    "https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC/resolve/main/mlc-chat-config.json",
    "https://huggingface.co/Xenova/gpt2/resolve/0123456789abcdef0123456789abcdef01234567/onnx/model.onnx",
    "https://huggingface.co/datasets/HuggingFaceFW/fineweb/resolve/refs%2Fpr%2F1/data/train-00000.parquet?download=true",
    "https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC/resolve/main/params_shard_0.bin?token=hf_SeCrEtToKeN123",
    "https://user:s3cretpass@hub.example.org/mirror/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC/resolve/main/params_shard_0.bin",
    "https://cdn.example.com/models/gpt2/model.onnx",
    "https://huggingface.co/spaces/org/demo/resolve/main/weights/model.bin#section",
};
const char* const kSecrets[] = {"hf_SeCrEtToKeN123", "s3cretpass"};
const char* const kDefaultSlot =
    "https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC/resolve/main/params_shard_0.bin#frag";

const char* const kHashes[] = {
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
    "D7A8FBB307D7809469CA9ABCB0082E4F8D5651E46D3CDB762D02D0BF37C9E592",  // uppercase: normalised
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};
const int kStatuses[] = {200, 404, 500, 0, 206, 199, 300, 401, 299, 200, 405, 501, -1, 304, 429, 1000};
const double kDeltas[] = {0, 1, 1000, 3600000, 3600001, 86400000, -1000, 1e15};
const char* const kStores[] = {"tvmjs-cos-hash-meta", "transformers-cache-hashes", "not-configured"};
const char* const kCommit = "89abcdef0123456789abcdef0123456789abcdef";

struct Driver {
  coc::ResolverOptions options;
  coc::Resolver resolver;
  std::string slot = kDefaultSlot;
  std::vector<coc::BatchRequest> last_plan;
  double now = 1732600000000.0;
  std::string_view payload;  // of the operation being run
  std::string trace;         // the operations so far, for failure messages
  std::string merged;        // the last merged snapshot body
  std::uint64_t merged_generation = 0;
  std::size_t operation = 0;
  std::size_t merged_at = 0;                     // operation of the last merge
  std::map<std::string, std::size_t> forgotten;  // storage key -> operation that forgot it
  std::size_t forgets = 0;                        // forget operations so far

  explicit Driver(coc::ResolverOptions o) : options(o), resolver(std::move(o)) {}

  std::string url(unsigned arg) const {
    const std::size_t index = arg % (kFixedUrls + 1);
    return index < kFixedUrls ? kUrls[index] : slot;
  }

  std::string where() const { return "\n  operations: " + trace; }

  void check_no_secret(const std::string& text, const char* what) {
    for (const char* secret : kSecrets) {
      if (text.find(secret) != std::string::npos && payload.find(secret) == std::string_view::npos &&
          slot.find(secret) == std::string::npos) {
        FUZZ_CHECK(false, std::string(what) + " shows the secret " + secret + ": " + fuzz::show(text) + where());
      }
    }
  }

  void check_persisted(const std::string& key, const std::string& body, const std::string* value) {
    FUZZ_CHECK(options.persist, "persisting without a persisted store" + where());
    FUZZ_CHECK(!coc::parse_artifact_url(key).has_credentials && !fuzz::surely_has_credentials(key),
               "persist_key " + fuzz::show(key) + " carries credentials" + where());
    const coc::RecordDecode decoded = coc::decode_record(body);
    FUZZ_CHECK(decoded.ok, "persist_body does not decode: " + decoded.reason + " " + fuzz::show(body) + where());
    FUZZ_CHECK(fuzz::is_lower_hex(decoded.record.value, 64), "persisted value" + where());
    if (value != nullptr) {
      FUZZ_CHECK(decoded.record.value == *value,
                 "persisted " + decoded.record.value + " but the step says " + *value + where());
    }
  }

  // started_with: the hash a download started with (record_content), "" otherwise.
  void check_step(const coc::Step& step, const std::string& text, const std::string& started_with = "") {
    static const bool trace_steps = std::getenv("FUZZ_RESOLVER_TRACE") != nullptr;
    if (trace_steps) {
      std::fprintf(stderr, "  %s -> %s found=%d hit=%s value=%s persist=%s error=%s %s\n", text.c_str(),
                   coc::step_action_name(step.action), step.found, step.hit.c_str(), step.record.value.c_str(),
                   step.persist_key.empty() ? "-" : "yes", step.error_kind.c_str(), step.error_message.c_str());
    }
    const coc::ArtifactUrl parsed = coc::parse_artifact_url(text);  // parsed fine for the operation
    const std::string what = std::string(" in step ") + coc::step_action_name(step.action) + " for " + fuzz::show(text);
    using Action = coc::StepAction;
    FUZZ_CHECK(step.action == Action::done || step.action == Action::read_persisted || step.action == Action::read_legacy ||
                   step.action == Action::fetch_batch || step.action == Action::fetch_pointer,
               "action" + what + where());
    FUZZ_CHECK(step.key == parsed.storage_key, "key " + fuzz::show(step.key) + what + where());
    if (step.action == coc::StepAction::done && step.found) {
      FUZZ_CHECK(fuzz::is_lower_hex(step.record.value, 64), "record.value " + fuzz::show(step.record.value) + what + where());
      FUZZ_CHECK(coc::is_known_source(step.record.source), "record.source " + fuzz::show(step.record.source) + what + where());
      FUZZ_CHECK(step.record.size >= -1, "record.size " + std::to_string(step.record.size) + what + where());
      FUZZ_CHECK(!step.hit.empty(), "found without a hit" + what + where());
    }
    if (step.action != coc::StepAction::done) FUZZ_CHECK(!step.found, "found on a non-final step" + what + where());
    if (step.action == coc::StepAction::read_persisted) {
      FUZZ_CHECK(options.persist && !parsed.has_credentials && !fuzz::surely_has_credentials(text),
                 "reads the persisted store" + what + where());
    }
    if (step.action == coc::StepAction::fetch_pointer) {
      FUZZ_CHECK(parsed.is_hub && step.pointer_url == parsed.pointer_url, "pointer_url " + fuzz::show(step.pointer_url) + what + where());
    }
    if (step.action == coc::StepAction::fetch_batch) {
      FUZZ_CHECK(options.batch && parsed.is_hub && !step.group.empty(), "batch step" + what + where());
    }
    FUZZ_CHECK(step.persist_key.empty() == step.persist_body.empty(), "persist key/body" + what + where());
    if (!step.persist_key.empty()) {
      FUZZ_CHECK(step.persist_key == step.key, "persist_key " + fuzz::show(step.persist_key) + what + where());
      FUZZ_CHECK(!fuzz::surely_has_credentials(text), "persists a URL with credentials" + what + where());
      check_persisted(step.persist_key, step.persist_body, step.found ? &step.record.value : nullptr);
    }
    FUZZ_CHECK(step.error_kind.empty() == step.error_message.empty(), "error kind/message" + what + where());
    check_no_secret(step.error_message, "error message");

    // Memory now answers with the hash just reported (unless it is already stale). Bytes that
    // match the hash their download started with are reported as that hash, while a newer record
    // that came in meanwhile (the file changed) stays in memory: the bytes are what was asked for.
    if (!started_with.empty() && step.found) {
      FUZZ_CHECK(step.record.value == fuzz::lowercase(started_with),
                 "reported " + step.record.value + " for bytes whose download started with " + started_with + where());
    }
    if (step.action == coc::StepAction::done && step.found && started_with.empty()) {
      const coc::Step next = resolver.begin(text, now);
      if (next.action == coc::StepAction::done && next.found) {
        FUZZ_CHECK(next.record.value == step.record.value,
                   "memory answers " + next.record.value + " right after " + step.record.value + what + where());
      }
    }
  }

  void check_outcome(const coc::BatchOutcome& outcome) {
    static const bool trace_steps = std::getenv("FUZZ_RESOLVER_TRACE") != nullptr;
    if (trace_steps) {
      std::fprintf(stderr, "  batch ok=%d resolved=%zu plain=%zu persisted=%zu error=%s %s\n", outcome.ok,
                   outcome.resolved, outcome.plain, outcome.persist_keys.size(), outcome.error_kind.c_str(),
                   outcome.error_message.c_str());
    }
    FUZZ_CHECK(outcome.persist_keys.size() == outcome.persist_bodies.size(), "persist keys/bodies" + where());
    FUZZ_CHECK(outcome.ok == outcome.error_kind.empty(), "ok vs error_kind " + fuzz::show(outcome.error_kind) + where());
    FUZZ_CHECK(outcome.error_kind.empty() == outcome.error_message.empty(), "batch error kind/message" + where());
    FUZZ_CHECK(outcome.persist_keys.size() <= outcome.resolved, "more persisted than resolved" + where());
    for (std::size_t i = 0; i < outcome.persist_keys.size(); ++i) {
      check_persisted(outcome.persist_keys[i], outcome.persist_bodies[i], nullptr);
    }
    check_no_secret(outcome.error_message, "batch error message");
  }

  void check_merge(const coc::SnapshotMerge& merge) {
    const coc::SnapshotDecode decoded = coc::decode_snapshot(merge.body);
    FUZZ_CHECK(decoded.ok && decoded.skipped == 0, "merged snapshot does not decode cleanly: " + fuzz::show(merge.body) + where());
    FUZZ_CHECK(decoded.records.size() <= options.capacity, "merged snapshot over capacity" + where());
    FUZZ_CHECK(merge.load.error_kind.empty() == merge.load.error_message.empty(), "merge error kind/message" + where());
    check_no_secret(merge.body, "merged snapshot");
    check_no_secret(merge.load.error_message, "merge error message");
    for (const coc::KeyedRecord& entry : decoded.records) {
      FUZZ_CHECK(options.persist, "a snapshot record without a persisted store" + where());
      FUZZ_CHECK(entry.second.source != "hint", "a hint in the snapshot" + where());
      FUZZ_CHECK(!coc::parse_artifact_url(entry.first).has_credentials && !fuzz::surely_has_credentials(entry.first),
                 "snapshot key " + fuzz::show(entry.first) + " carries credentials" + where());
      // The Resolver keeps at most `capacity` tombstones (past that it drops them, and a merge may
      // bring a forgotten key back): the property holds while fewer keys than that were forgotten.
      if (forgets <= options.capacity) {
        FUZZ_CHECK(forgotten.count(entry.first) == 0, "snapshot brings back forgotten " + fuzz::show(entry.first) + where());
      }
    }
  }

  void run(std::string_view record) {
    const unsigned char op = record.size() > 0 ? static_cast<unsigned char>(record[0]) : '0';
    const unsigned char raw1 = record.size() > 1 ? static_cast<unsigned char>(record[1]) : '0';
    const unsigned char raw2 = record.size() > 2 ? static_cast<unsigned char>(record[2]) : '0';
    const unsigned arg1 = static_cast<unsigned char>(raw1 - '0');
    const unsigned arg2 = static_cast<unsigned char>(raw2 - '0');
    payload = record.size() > 3 ? record.substr(3) : std::string_view();
    const std::string body(payload);
    const std::string text = url(arg1);
    trace += std::string(1, static_cast<char>(op)) + std::to_string(arg1 % (kFixedUrls + 1)) + ":" +
             std::to_string(arg2) + " ";
    ++operation;
    // Any operation but forget and merge may learn the URL again (or, for batches, others).
    if (op == 'P' || op == 'A') forgotten.clear();
    if (op != 'f' && op != 'm' && op != 'w' && op != 't' && op != 'u') {
      try {
        forgotten.erase(coc::parse_artifact_url(text).storage_key);
      } catch (const std::invalid_argument&) {
      }
    }
    try {
      switch (op) {
        case 'b':
          check_step(resolver.begin(text, now), text);
          break;
        case 'p':
          check_step(resolver.after_persisted(text, arg2 & 1, body, now), text);
          break;
        case 'L':
        case 'q': {
          const coc::Step step = op == 'L' ? resolver.begin(text, now, coc::Resolver::Lookup::local)
                                           : resolver.after_persisted(text, arg2 & 1, body, now, coc::Resolver::Lookup::local);
          check_step(step, text);
          FUZZ_CHECK(step.action == coc::StepAction::done || (op == 'L' && step.action == coc::StepAction::read_persisted),
                     std::string("a local lookup goes on to ") + coc::step_action_name(step.action) + where());
          break;
        }
        case 'l':
          check_step(resolver.after_legacy(text, kStores[(arg2 >> 1) % 3], arg2 & 1, body, now), text);
          break;
        case 'a':
          check_step(resolver.after_batch(text, now), text);
          break;
        case 'r': {
          const std::size_t which = arg2 % (sizeof kStatuses / sizeof kStatuses[0]);
          const bool timed_out = (arg2 >> 5) & 1u;
          // arg2's bit 6: the answer's ETag names a blob (a plain file's /raw/).
          const std::string etag = (arg2 >> 6) & 1u ? "\"" + std::string(40, '2') + "\"" : "";
          check_step(resolver.after_pointer(text, timed_out ? 0 : kStatuses[which], body, which == 9 ? kCommit : "", now, timed_out, etag), text);
          break;
        }
        case 'P': {
          std::vector<std::string> urls;
          for (std::size_t i = 0; i < kFixedUrls; ++i) {
            if (raw1 & (1u << i)) urls.push_back(kUrls[i]);
          }
          if (arg2 & 1) urls.push_back(slot);
          last_plan = resolver.plan_batch(urls, now);
          if (std::getenv("FUZZ_RESOLVER_TRACE") != nullptr) {
            for (const coc::BatchRequest& request : last_plan) {
              std::fprintf(stderr, "  plan %s %s %s\n", request.group.c_str(), request.url.c_str(), request.body.c_str());
            }
          }
          for (const coc::BatchRequest& request : last_plan) {
            FUZZ_CHECK(!request.keys.empty() && request.keys.size() == request.paths.size(), "planned request" + where());
          }
          break;
        }
        case 'A': {
          std::string group = "no such group";
          if (raw1 != 0xff && !last_plan.empty()) group = last_plan[arg1 % last_plan.size()].group;
          const std::size_t which = arg2 % (sizeof kStatuses / sizeof kStatuses[0]);
          // arg2's bit 4: the answer says a next page exists (a listing is then incomplete).
          const std::string link = (arg2 >> 4) & 1u ? "<https://huggingface.co/api/next?cursor=1>; rel=\"next\"" : "";
          // arg2's bit 5: no answer came in time.
          const bool timed_out = (arg2 >> 5) & 1u;
          check_outcome(resolver.apply_batch(group, timed_out ? 0 : kStatuses[which], body, which == 9 ? kCommit : "", link, now, timed_out));
          break;
        }
        case 'c':
        case 'h': {
          const std::string hash = body.empty() ? kHashes[arg2 % 3] : body;
          const std::int64_t size = body.empty() ? static_cast<std::int64_t>(arg2) : -1;
          if (op == 'c') {
            coc::Content content;
            content.sha256 = hash;
            content.size = size;
            if (arg1 & 16u) content.expected = kHashes[(arg1 >> 5) % 3];
            if (arg1 & 32u) content.etag = "W/\"" + std::string(40, '2') + "\"";
            content.repo_commit = kCommit;
            // As the shim does: the bytes' git blob id when the resolver asks for one (bit 6: the
            // blob the ETag names, bit 7: another, none: a shim that failed to give it).
            const std::string format = resolver.git_blob_format(text, content, now);
            FUZZ_CHECK(format.empty() || format == "sha1" || format == "sha256", "git blob format " + format + where());
            if (arg1 & 64u) content.git_blob = std::string(40, '2');
            if (arg1 & 128u) content.git_blob = std::string(40, '3');
            if (!format.empty() && content.git_blob.empty()) {
              // Refused outright, or (a hub answer named the blob) asked for again, learning nothing.
              bool refused_to_judge = false;
              try {
                const coc::Step step = resolver.record_content(text, content, now);
                refused_to_judge = step.recheck && !step.found && step.persist_key.empty();
              } catch (const std::invalid_argument&) {
                refused_to_judge = true;
              }
              FUZZ_CHECK(refused_to_judge, "bytes judged without the git blob id asked for" + where());
              break;
            }
            const coc::Step step = resolver.record_content(text, content, now);
            check_step(step, text, content.expected);
            // The ETag named blob 22..2: once a blob is asked for, other bytes never pass.
            if (!format.empty() && (arg1 & 32u) && content.git_blob != std::string(40, '2')) {
              FUZZ_CHECK((step.refused || step.recheck) && !step.found && step.persist_key.empty(),
                         "bytes unlike the ETag's blob were taken" + where());
            }
            // A blob id is recorded only as computed from the bytes.
            if (step.found && !step.record.blob.empty() && step.hit == "content") {
              FUZZ_CHECK(step.record.blob == content.git_blob, "a record's blob id not computed from its bytes" + where());
            }
            if (!content.expected.empty() && fuzz::lowercase(hash) != fuzz::lowercase(content.expected)) {
              // Refused, or (a cached record, another host's learned from bytes) forgotten and asked
              // for again: never taken.
              FUZZ_CHECK((step.error_kind == "cos-hash-mismatch" || step.recheck) && !step.found && step.persist_key.empty(),
                         "bytes unlike the hash their download started with were taken" + where());
            }
          } else {
            resolver.add_hint(text, hash, size);
          }
          break;
        }
        case 'f':
          resolver.forget(text);
          ++forgets;
          forgotten[coc::parse_artifact_url(text).storage_key] = operation;
          break;
        case 'm': {
          const coc::SnapshotMerge merge = resolver.merge_snapshot(body.empty() ? merged : body, arg2 & 1, now);
          check_merge(merge);
          merged = merge.body;
          merged_generation = merge.generation;
          merged_at = operation;
          break;
        }
        case 'w':
          resolver.snapshot_written(merged_generation);
          for (auto it = forgotten.begin(); it != forgotten.end();) {
            it = it->second < merged_at ? forgotten.erase(it) : std::next(it);
          }
          break;
        case 't':
          now += kDeltas[arg2 % (sizeof kDeltas / sizeof kDeltas[0])];
          break;
        case 'u':
          slot = body;
          break;
        default:
          break;
      }
    } catch (const std::invalid_argument&) {
      // Refused input (a URL, a hash): the only exception the Resolver may throw.
    }
    FUZZ_CHECK(resolver.size() <= options.capacity, "index over capacity" + where());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The options byte reads '0' as the defaults; its bits (xor '0') turn things off or on.
  const unsigned bits = static_cast<unsigned char>(input[0]) ^ 0x30u;
  coc::ResolverOptions options;
  options.persist = (bits & 1u) == 0;
  options.batch = (bits & 2u) == 0;
  if (bits & 4u) options.legacy_stores = {kStores[0], kStores[1]};
  static const std::size_t kCapacities[] = {10000, 1, 2, 3};
  options.capacity = kCapacities[(bits >> 3) & 3u];
  if (bits & 32u) options.max_age_ms = (bits & 64u) ? -1 : 0;
  // Bit 64 alone (it means nothing else without bit 32): paths-info instead of tree listings.
  options.list_repos = !((bits & 64u) != 0 && (bits & 32u) == 0);
  if (bits & 128u) options.max_age_other_hosts_ms = 1000;

  Driver driver(options);
  std::size_t start = 1;
  while (start <= input.size()) {
    std::size_t end = input.find(kSeparator, start);
    if (end == std::string_view::npos) end = input.size();
    if (end > start) driver.run(input.substr(start, end - start));
    start = end + 1;
  }
  return 0;
}
