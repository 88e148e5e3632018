// The in-memory URL→hash index: bounded, least recently used entries leave first.
#pragma once
#include <cstddef>
#include <list>
#include <map>
#include <string>
#include <utility>

#include "hash_record.h"

namespace coc {

class HashIndex {
 public:
  explicit HashIndex(std::size_t capacity = 10000);

  // nullptr when absent; a hit becomes the most recently used entry.
  const HashRecord* find(const std::string& key);
  bool contains(const std::string& key) const;
  void put(const std::string& key, HashRecord record);
  bool erase(const std::string& key);
  void clear();
  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }
  // How many keys map to this hash value (to know when a stored blob is no longer referenced).
  std::size_t count_value(const std::string& value) const;
  // Every entry, most recently used first; the order does not change.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Entry& entry : entries_) visit(entry.first, entry.second);
  }

 private:
  using Entry = std::pair<std::string, HashRecord>;
  std::size_t capacity_;
  std::list<Entry> entries_;  // front = most recently used
  // std::map, as every keyed container of the core: the wasm module then holds one tree, not a
  // hash table per value type (7.8 KB of code).
  std::map<std::string, std::list<Entry>::iterator> by_key_;
};

}  // namespace coc
