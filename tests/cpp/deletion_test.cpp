#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "deletion.h"
#include "resolver.h"

using coc::Deletion;
using coc::DeletionAction;
using coc::Resolver;
using coc::StorageKind;

namespace {

const std::string kShard = "https://hub.example/org/model/resolve/main/shard_0.bin";
const std::string kCopy = "https://hub.example/org/model/resolve/main/copy.bin";
const std::string kSigned = "https://user:secret@hub.example/org/model/resolve/main/shard_0.bin";
const std::string kHash(64, 'a');

}  // namespace

TEST_CASE("deleting from COS drops the persisted entry and forgets the URL, never the shared bytes", "[deletion]") {
  Resolver resolver;
  resolver.record_content(kShard, kHash, 10, 1000);
  Deletion deletion(resolver, kShard, StorageKind::cross_origin, true);
  CHECK(deletion.next().action == DeletionAction::look_up);
  const auto& step = deletion.looked_up(true, kHash);
  CHECK(step.action == DeletionAction::delete_persisted);
  CHECK(step.key == kShard);
  CHECK(resolver.references(kHash) == 0);  // forgotten in memory
  CHECK(deletion.persisted_deleted().action == DeletionAction::done);
  CHECK(deletion.next().known);
}

TEST_CASE("the fallback store's bytes go once no URL maps to them", "[deletion]") {
  Resolver resolver;
  resolver.record_content(kShard, kHash, 10, 1000);
  Deletion deletion(resolver, kShard, StorageKind::fallback, true);
  deletion.looked_up(true, kHash);
  const auto& scan = deletion.persisted_deleted();
  CHECK(scan.action == DeletionAction::scan_references);
  CHECK(scan.hash == kHash);
  const auto& remove = deletion.references_scanned(false);
  CHECK(remove.action == DeletionAction::remove_entry);
  CHECK(remove.hash == kHash);
  CHECK(deletion.entry_removed().action == DeletionAction::done);

  Deletion referenced(resolver, kShard, StorageKind::fallback, true);
  referenced.looked_up(true, kHash);
  referenced.persisted_deleted();
  CHECK(referenced.references_scanned(true).action == DeletionAction::done);
}

TEST_CASE("bytes another URL in memory maps to stay, with no scan of the store", "[deletion]") {
  Resolver resolver;
  resolver.record_content(kShard, kHash, 10, 1000);
  resolver.record_content(kCopy, kHash, 10, 1000);
  Deletion deletion(resolver, kShard, StorageKind::fallback, false);
  CHECK(deletion.looked_up(true, kHash).action == DeletionAction::done);

  Deletion last(resolver, kCopy, StorageKind::fallback, false);
  CHECK(last.looked_up(true, kHash).action == DeletionAction::remove_entry);  // no persisted store to scan
}

TEST_CASE("a URL with credentials has no persisted entry to delete: an unknown URL removes nothing", "[deletion]") {
  Resolver resolver;
  Deletion signed_url(resolver, kSigned, StorageKind::fallback, true);
  CHECK(signed_url.looked_up(true, kHash).action == DeletionAction::scan_references);

  Deletion unknown(resolver, kShard, StorageKind::fallback, true);
  unknown.looked_up(false, "");
  const auto& step = unknown.persisted_deleted();
  CHECK(step.action == DeletionAction::done);
  CHECK_FALSE(step.known);
}

TEST_CASE("a deletion refuses results out of turn and URLs it cannot parse", "[deletion]") {
  Resolver resolver;
  Deletion deletion(resolver, kShard, StorageKind::cross_origin, true);
  CHECK_THROWS_AS(deletion.entry_removed(), std::logic_error);
  CHECK(deletion.next().action == DeletionAction::look_up);
  CHECK_THROWS(Deletion(resolver, "not a url", StorageKind::none, true));
}
