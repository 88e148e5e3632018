#include "hash_index.h"

#include <stdexcept>
#include <utility>

namespace coc {

HashIndex::HashIndex(std::size_t capacity) : capacity_(capacity) {
  // A zero-capacity index would drop every entry as it is put: surely a caller's mistake.
  if (capacity == 0) throw std::invalid_argument("HashIndex capacity must be at least 1");
}

const HashRecord* HashIndex::find(const std::string& key) {
  const auto it = by_key_.find(key);
  if (it == by_key_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);  // iterators stay valid
  return &it->second->second;
}

bool HashIndex::contains(const std::string& key) const { return by_key_.count(key) != 0; }

void HashIndex::put(const std::string& key, HashRecord record) {
  const auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    it->second->second = std::move(record);
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.emplace_front(key, std::move(record));
  try {
    by_key_.emplace(key, entries_.begin());
  } catch (...) {
    entries_.pop_front();  // keep list and map in step if the map cannot grow
    throw;
  }
  if (entries_.size() > capacity_) {
    by_key_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

bool HashIndex::erase(const std::string& key) {
  const auto it = by_key_.find(key);
  if (it == by_key_.end()) return false;
  entries_.erase(it->second);
  by_key_.erase(it);
  return true;
}

void HashIndex::clear() {
  by_key_.clear();
  entries_.clear();
}

std::size_t HashIndex::count_value(const std::string& value) const {
  std::size_t count = 0;
  for (const Entry& entry : entries_) {
    if (entry.second.value == value) ++count;
  }
  return count;
}

}  // namespace coc
