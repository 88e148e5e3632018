#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "error_kinds.h"
#include "storage_ledger.h"

using coc::HoldingCheck;
using coc::StorageAnswer;
using coc::StorageKind;
using coc::StorageLedger;

namespace {
const std::string kA(64, 'a');
const std::string kB(64, 'b');
}  // namespace

TEST_CASE("hashes seen held cost no question: the others are asked about once each", "[storage_ledger]") {
  StorageLedger ledger;
  ledger.held(kA);
  HoldingCheck check = ledger.check(StorageKind::cross_origin, {kA, kB, kB});
  CHECK(check.verdict == HoldingCheck::Verdict::ask);
  CHECK(check.ask == std::vector<std::string>{kB});
  CHECK(ledger.answered(check.ask, StorageAnswer::hit).all_held);
  CHECK(ledger.check(StorageKind::cross_origin, {kA, kB}).verdict == HoldingCheck::Verdict::all_held);
  // Seen missing since: asked again.
  ledger.missing(kA);
  CHECK(ledger.check(StorageKind::cross_origin, {kA, kB}).ask == std::vector<std::string>{kA});
}

TEST_CASE("the fallback store is always asked: another tab of the site may have deleted from it", "[storage_ledger]") {
  StorageLedger ledger;
  ledger.held(kA);
  ledger.held(kB);
  const HoldingCheck check = ledger.check(StorageKind::fallback, {kA, kB, kA});
  CHECK(check.verdict == HoldingCheck::Verdict::ask);
  CHECK(check.ask == std::vector<std::string>{kA, kB});
}

TEST_CASE("no storage, or a URL without a hash, is not all held, with nothing asked", "[storage_ledger]") {
  StorageLedger ledger;
  ledger.held(kA);
  CHECK(ledger.check(StorageKind::none, {kA}).verdict == HoldingCheck::Verdict::not_all);
  HoldingCheck check = ledger.check(StorageKind::cross_origin, {kB, ""});
  CHECK(check.verdict == HoldingCheck::Verdict::not_all);
  CHECK(check.ask.empty());
}

TEST_CASE("a miss or a refusal is not all held: only an error is reported", "[storage_ledger]") {
  StorageLedger ledger;
  CHECK_FALSE(ledger.answered({kA}, StorageAnswer::miss).all_held);
  CHECK(ledger.answered({kA}, StorageAnswer::miss).error_kind.empty());
  CHECK(ledger.answered({kA}, StorageAnswer::not_allowed).error_kind.empty());
  CHECK(ledger.answered({kA}, StorageAnswer::error).error_kind == coc::error_kind::cos_failed);
  CHECK_FALSE(ledger.holds(kA));
}
