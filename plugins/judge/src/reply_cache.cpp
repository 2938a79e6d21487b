#include "gavel/judge/reply_cache.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <system_error>
#include <utility>

#include "gavel/judge/sigv4.h"

namespace gavel::judge {
namespace {

constexpr const char* kSchema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS replies ("
    "  key TEXT PRIMARY KEY,"
    "  provider TEXT NOT NULL,"
    "  model TEXT NOT NULL,"
    "  reply BLOB NOT NULL,"
    "  created INTEGER NOT NULL"
    ");";

// Appends a length-prefixed field, so that no two different inputs hash the same text.
void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += '\n';
}

}  // namespace

Result<std::unique_ptr<ReplyCache>> ReplyCache::Open(const std::filesystem::path& file) {
  auto fail = [&](const std::string& why) {
    return Error(ErrorKind::kIo, "judge cache " + file.string() + ": " + why);
  };
  std::error_code ec;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return fail("cannot create its folder: " + ec.message());
  }
  // The replies quote what was judged: the file is the user's alone (SQLite gives its journal
  // files the same permissions).
  if (const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  std::unique_ptr<ReplyCache> cache(new ReplyCache());
  cache->file_ = file;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(file.c_str(), &cache->db_, flags, nullptr) != SQLITE_OK) {
    return fail(cache->db_ != nullptr ? sqlite3_errmsg(cache->db_) : "cannot open");
  }
  sqlite3_busy_timeout(cache->db_, 5000);
  char* message = nullptr;
  if (sqlite3_exec(cache->db_, kSchema, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errmsg(cache->db_);
    sqlite3_free(message);
    return fail(why);
  }
  if (sqlite3_prepare_v2(cache->db_, "SELECT reply FROM replies WHERE key = ?1", -1, &cache->find_, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(cache->db_,
                         "INSERT OR REPLACE INTO replies (key, provider, model, reply, created) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, &cache->put_, nullptr) != SQLITE_OK) {
    return fail(sqlite3_errmsg(cache->db_));
  }
  return cache;
}

ReplyCache::~ReplyCache() {
  sqlite3_finalize(find_);
  sqlite3_finalize(put_);
  sqlite3_close_v2(db_);
}

std::string ReplyCache::KeyFor(std::string_view provider, std::string_view model, const HttpRequest& request) {
  std::string text;
  text.reserve(request.body.size() + request.url.size() + 64);
  AppendField(text, provider);
  AppendField(text, model);
  AppendField(text, request.method);
  AppendField(text, request.url);
  AppendField(text, request.body);
  Result<std::string> digest = Sha256Hex(text);
  // Without a digest there is no key: a key no lookup can hit keeps the call uncached.
  if (!digest) return {};
  std::uint64_t repeat = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    repeat = repeats_[*digest]++;
  }
  return *digest + "/" + std::to_string(repeat);
}

std::optional<std::string> ReplyCache::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (key.empty()) {
    ++stats_.misses;
    return std::nullopt;
  }
  sqlite3_reset(find_);
  sqlite3_bind_text(find_, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  const int rc = sqlite3_step(find_);
  std::optional<std::string> reply;
  if (rc == SQLITE_ROW) {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(find_, 0));
    const int size = sqlite3_column_bytes(find_, 0);
    reply.emplace(data != nullptr ? std::string(data, static_cast<std::size_t>(size)) : std::string());
    ++stats_.hits;
  } else {
    ++(rc == SQLITE_DONE ? stats_.misses : stats_.errors);
  }
  sqlite3_reset(find_);
  sqlite3_clear_bindings(find_);
  return reply;
}

void ReplyCache::Put(const std::string& key, std::string_view provider, std::string_view model,
                     std::string_view reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (key.empty()) return;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  sqlite3_reset(put_);
  sqlite3_bind_text(put_, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(put_, 2, provider.data(), static_cast<int>(provider.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(put_, 3, model.data(), static_cast<int>(model.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob64(put_, 4, reply.data(), reply.size(), SQLITE_TRANSIENT);
  sqlite3_bind_int64(put_, 5, static_cast<sqlite3_int64>(now));
  ++(sqlite3_step(put_) == SQLITE_DONE ? stats_.stores : stats_.errors);
  sqlite3_reset(put_);
  sqlite3_clear_bindings(put_);
}

CacheStats ReplyCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

std::int64_t ReplyCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite3_stmt* count = nullptr;
  std::int64_t n = -1;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM replies", -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW) {
    n = sqlite3_column_int64(count, 0);
  }
  sqlite3_finalize(count);
  return n;
}

}  // namespace gavel::judge
