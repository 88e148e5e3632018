// decode_record and decode_plain_hex_record on arbitrary bodies, and encode_record on records
// built from the same bytes. Properties: an accepted record has a 64-lowercase-hex value and
// fields in their documented domains, and encode_record(record) decodes to an equal record; any
// record with fields in those domains encodes to something that decodes (storedAt that cannot be a
// time reads back as 0). decode_snapshot on the same bodies: accepted records are in the same
// domains and a snapshot of them (and of its tombstones) reads back equal.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_common.h"
#include "hash_record.h"
#include "record_snapshot.h"

namespace {

bool same_time(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string describe(const coc::HashRecord& r) {
  char at[64];
  std::snprintf(at, sizeof at, "%.17g", r.stored_at);
  return "{value " + fuzz::show(r.value) + ", size " + std::to_string(r.size) + ", source " + fuzz::show(r.source) +
         ", commit " + fuzz::show(r.commit) + ", blob " + fuzz::show(r.blob) + ", storedAt " + at + "}";
}

void check_domains(const coc::HashRecord& r, const std::string& where) {
  FUZZ_CHECK(fuzz::is_lower_hex(r.value, 64), "value of " + describe(r) + where);
  FUZZ_CHECK(r.size >= -1, "size of " + describe(r) + where);
  FUZZ_CHECK(coc::is_known_source(r.source), "source of " + describe(r) + where);
  FUZZ_CHECK(r.commit.empty() || fuzz::is_lower_hex(r.commit, 40), "commit of " + describe(r) + where);
  FUZZ_CHECK(r.blob.empty() || fuzz::is_lower_hex(r.blob, 40) || fuzz::is_lower_hex(r.blob, 64), "blob of " + describe(r) + where);
  FUZZ_CHECK(std::isfinite(r.stored_at) && r.stored_at >= 0, "storedAt of " + describe(r) + where);
}

void check_round_trip(const coc::HashRecord& r, const std::string& where) {
  const std::string encoded = coc::encode_record(r);
  FUZZ_CHECK(encoded.size() <= coc::kMaxRecordBytes, "encoding of " + std::to_string(encoded.size()) + " bytes" + where);
  const coc::RecordDecode again = coc::decode_record(encoded);
  FUZZ_CHECK(again.ok, "encode_record output does not decode: " + again.reason + " " + fuzz::show(encoded) + where);
  const coc::HashRecord& a = again.record;
  FUZZ_CHECK(a.value == r.value && a.size == r.size && a.source == r.source && a.commit == r.commit &&
                 a.blob == r.blob && same_time(a.stored_at, r.stored_at),
             describe(r) + " came back as " + describe(a) + " via " + fuzz::show(encoded) + where);
}

void check_decoders(std::string_view body) {
  const std::string where = " for body " + fuzz::show(body);
  const coc::RecordDecode json = coc::decode_record(body);
  if (json.ok) {
    check_domains(json.record, where);
    check_round_trip(json.record, where);
    FUZZ_CHECK(body.size() <= coc::kMaxRecordBytes, "accepted an oversized body" + where);
    // The value is the body's own (its digits in some case, possibly \u-escaped: not checked then).
    if (body.find('\\') == std::string_view::npos) {
      FUZZ_CHECK(fuzz::lowercase(body).find(json.record.value) != std::string::npos, "value not in the body" + where);
    }
  } else {
    FUZZ_CHECK(!json.reason.empty(), "rejected without a reason" + where);
  }

  const coc::RecordDecode plain = coc::decode_plain_hex_record(body);
  if (plain.ok) {
    check_domains(plain.record, where);
    check_round_trip(plain.record, where);
    std::size_t begin = 0;
    std::size_t end = body.size();
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (begin < end && space(body[begin])) ++begin;
    while (end > begin && space(body[end - 1])) --end;
    FUZZ_CHECK(plain.record.value == fuzz::lowercase(body.substr(begin, end - begin)), "plain value" + where);
    FUZZ_CHECK(plain.record.source == "imported" && plain.record.size == -1, "plain record fields" + where);
  } else {
    FUZZ_CHECK(!plain.reason.empty(), "plain record rejected without a reason" + where);
  }
}

// A record with every field in its domain, from the fuzzer's bytes: it must encode to something
// that decodes, to the same record save for what the encoder documents it normalises.
void check_encoder(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider provider(data, size);
  static const char* const kSources[] = {"", "pointer", "content", "batch", "imported", "hint"};
  static const char kHex[] = "0123456789abcdefABCDEF";
  coc::HashRecord r;
  for (int i = 0; i < 64; ++i) r.value += kHex[provider.ConsumeIntegralInRange<int>(0, 21)];
  r.size = provider.ConsumeIntegral<std::int64_t>();
  r.source = kSources[provider.ConsumeIntegralInRange<int>(0, 5)];
  if (provider.ConsumeBool()) {
    for (int i = 0; i < 40; ++i) r.commit += kHex[provider.ConsumeIntegralInRange<int>(0, 15)];
  }
  std::uint64_t bits = provider.ConsumeIntegral<std::uint64_t>();
  std::memcpy(&r.stored_at, &bits, sizeof bits);  // any double: NaN, infinities, negatives, subnormals
  if (provider.ConsumeBool()) {
    const int digits = provider.ConsumeBool() ? 64 : 40;
    for (int i = 0; i < digits; ++i) r.blob += kHex[provider.ConsumeIntegralInRange<int>(0, 15)];
  }

  const std::string encoded = coc::encode_record(r);
  const coc::RecordDecode decoded = coc::decode_record(encoded);
  const std::string where = " for " + describe(r) + " encoded as " + fuzz::show(encoded);
  FUZZ_CHECK(decoded.ok, "does not decode: " + decoded.reason + where);
  const coc::HashRecord& d = decoded.record;
  FUZZ_CHECK(d.value == fuzz::lowercase(r.value), "value" + where);
  FUZZ_CHECK(d.size == (r.size >= 0 ? r.size : -1), "size " + std::to_string(d.size) + where);
  FUZZ_CHECK(d.source == (r.source.empty() ? "imported" : r.source), "source" + where);
  FUZZ_CHECK(d.commit == r.commit, "commit" + where);
  FUZZ_CHECK(d.blob == r.blob, "blob" + where);
  const double expected_at = (std::isfinite(r.stored_at) && r.stored_at >= 0) ? r.stored_at : 0;
  FUZZ_CHECK(d.stored_at == expected_at, "storedAt" + where);
}

}  // namespace

void check_snapshot(std::string_view body) {
  const std::string where = " for snapshot " + fuzz::show(body);
  const coc::SnapshotDecode decoded = coc::decode_snapshot(body);
  if (!decoded.ok) {
    FUZZ_CHECK(!decoded.reason.empty() && decoded.records.empty(), "refused without a reason" + where);
    return;
  }
  FUZZ_CHECK(decoded.skipped == 0 || !decoded.first_skip_reason.empty(), "skipped without a reason" + where);
  for (const coc::KeyedRecord& entry : decoded.records) check_domains(entry.second, where);
  const coc::SnapshotDecode again = coc::decode_snapshot(coc::encode_snapshot(decoded.records, decoded.deleted));
  FUZZ_CHECK(again.ok && again.skipped == 0 && again.records.size() == decoded.records.size(), "re-encoded snapshot" + where);
  FUZZ_CHECK(again.deleted.size() == decoded.deleted.size(), "re-encoded tombstones" + where);
  for (std::size_t i = 0; i < again.deleted.size(); ++i) {
    // Times are written in whole milliseconds.
    FUZZ_CHECK(again.deleted[i].first == decoded.deleted[i].first &&
                   again.deleted[i].second == static_cast<double>(static_cast<long long>(decoded.deleted[i].second)),
               "tombstone " + fuzz::show(decoded.deleted[i].first) + " came back changed" + where);
  }
  for (std::size_t i = 0; i < again.records.size(); ++i) {
    const coc::HashRecord& a = again.records[i].second;
    const coc::HashRecord& r = decoded.records[i].second;
    FUZZ_CHECK(again.records[i].first == decoded.records[i].first && a.value == r.value && a.size == r.size &&
                   a.source == r.source && a.commit == r.commit && same_time(a.stored_at, r.stored_at),
               describe(r) + " came back as " + describe(a) + where);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check_decoders(std::string_view(reinterpret_cast<const char*>(data), size));
  check_snapshot(std::string_view(reinterpret_cast<const char*>(data), size));
  check_encoder(data, size);
  return 0;
}
