// A cache of judge replies in SQLite, so that an offline run judged once is not paid for again
// (a rerun, a resumed run, a second report over the same outputs).
//
//   auto cache = ReplyCache::Open("judge-cache.sqlite");
//   const std::string key = cache->KeyFor("openai", "qwen", request);   // the next repeat
//   if (auto reply = cache->Find(key)) { ... } else { ...; cache->Put(key, "openai", "qwen", body); }
//
// A key is the SHA-256 of the provider, the model, the request's method, URL and body (headers,
// which carry credentials, are left out) and a repeat index: the n-th identical request of a
// process gets index n, so judging the same answer five times (a consistency check, or
// repeated sampling at a temperature above 0) keeps five replies instead of collapsing them
// into one, and a rerun finds all five again.
//
// Only replies that gave a usable verdict should be stored. Thread-safe. A read or write that
// fails (a locked or broken file) counts as an error and a miss; it never fails a judge call.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "gavel/judge/http_client.h"
#include "gavel/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gavel::judge {

struct CacheStats {
  std::uint64_t hits = 0, misses = 0, stores = 0, errors = 0;
};

class ReplyCache {
 public:
  // Opens (creating it and its folder if needed) the cache file. Errors (kIo) name the file.
  static Result<std::unique_ptr<ReplyCache>> Open(const std::filesystem::path& file);
  ~ReplyCache();
  ReplyCache(const ReplyCache&) = delete;
  ReplyCache& operator=(const ReplyCache&) = delete;

  // The key of the next occurrence of this request in this process (see above).
  std::string KeyFor(std::string_view provider, std::string_view model, const HttpRequest& request);
  // The stored reply body for `key`, if any.
  std::optional<std::string> Find(const std::string& key);
  // Stores (or replaces) the reply body for `key`.
  void Put(const std::string& key, std::string_view provider, std::string_view model, std::string_view reply);

  CacheStats stats() const;
  const std::filesystem::path& file() const { return file_; }
  // The number of stored replies (for tests and reports); -1 when it cannot be read.
  std::int64_t size();

 private:
  ReplyCache() = default;

  mutable std::mutex mutex_;
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* find_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  std::map<std::string, std::uint64_t> repeats_;  // request digest -> occurrences so far
  CacheStats stats_;
};

}  // namespace gavel::judge
