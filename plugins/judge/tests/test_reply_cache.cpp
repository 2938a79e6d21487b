// The judge reply cache: keys, repeat indices, persistence and failures, on real SQLite files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "gavel/judge/reply_cache.h"
#include "temp_dir.h"

namespace {

using gavel::judge::HttpRequest;
using gavel::judge::ReplyCache;
using gavel::testing::TempDir;

HttpRequest Request(const std::string& body, const std::string& url = "http://127.0.0.1:9/v1/chat/completions") {
  HttpRequest r;
  r.url = url;
  r.body = body;
  return r;
}

std::unique_ptr<ReplyCache> OpenCache(const std::filesystem::path& file) {
  auto cache = ReplyCache::Open(file);
  INFO((cache ? "" : cache.error().message()));
  REQUIRE(cache);
  return std::move(*cache);
}

}  // namespace

TEST_CASE("the n-th identical request of a process gets repeat index n", "[cache]") {
  TempDir dir;
  auto cache = OpenCache(dir.path() / "c.sqlite");
  const std::string k0 = cache->KeyFor("openai", "m", Request("{}"));
  const std::string k1 = cache->KeyFor("openai", "m", Request("{}"));
  const std::string k2 = cache->KeyFor("openai", "m", Request("{}"));
  CHECK(k0.size() == 64 + 2);
  CHECK(k0.ends_with("/0"));
  CHECK(k1.ends_with("/1"));
  CHECK(k2.ends_with("/2"));
  CHECK(k0.substr(0, 64) == k1.substr(0, 64));
  // A request seen for the first time starts again at 0.
  CHECK(cache->KeyFor("openai", "m", Request("{\"x\":1}")).ends_with("/0"));
}

TEST_CASE("a key depends on provider, model, method, URL and body, not on headers", "[cache]") {
  TempDir dir;
  auto cache = OpenCache(dir.path() / "c.sqlite");
  std::set<std::string> digests;
  auto digest = [&](const std::string& provider, const std::string& model, const HttpRequest& r) {
    return cache->KeyFor(provider, model, r).substr(0, 64);
  };
  digests.insert(digest("openai", "m", Request("{}")));
  digests.insert(digest("bedrock", "m", Request("{}")));
  digests.insert(digest("openai", "n", Request("{}")));
  digests.insert(digest("openai", "m", Request("{} ")));
  digests.insert(digest("openai", "m", Request("{}", "http://127.0.0.1:9/other")));
  HttpRequest get = Request("{}");
  get.method = "GET";
  digests.insert(digest("openai", "m", get));
  // Fields are length-prefixed: moving a character from the model into the provider changes the key.
  digests.insert(digest("openaim", "", Request("{}")));
  CHECK(digests.size() == 7);

  HttpRequest with_key = Request("{}");
  with_key.headers.emplace_back("Authorization", "Bearer secret");
  CHECK(digest("openai", "m", with_key) == digest("openai", "m", Request("{}")));
}

TEST_CASE("stored replies survive reopening the file, byte for byte", "[cache]") {
  TempDir dir;
  const auto file = dir.path() / "sub" / "folder" / "c.sqlite";  // folders are created
  const std::string reply("{\"text\":\"caf\xc3\xa9\"}\0tail", 22);
  std::string key;
  {
    auto cache = OpenCache(file);
    key = cache->KeyFor("openai", "m", Request("{}"));
    CHECK_FALSE(cache->Find(key).has_value());
    cache->Put(key, "openai", "m", reply);
    REQUIRE(cache->Find(key).has_value());
    CHECK(*cache->Find(key) == reply);
    CHECK(cache->size() == 1);
    const auto stats = cache->stats();
    CHECK(stats.misses == 1);
    CHECK(stats.hits == 2);
    CHECK(stats.stores == 1);
    CHECK(stats.errors == 0);
  }
  // Only its owner may read it: the replies quote what was judged.
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto again = OpenCache(file);
  CHECK(again->size() == 1);
  const std::string same = again->KeyFor("openai", "m", Request("{}"));
  CHECK(same == key);
  REQUIRE(again->Find(same).has_value());
  CHECK(*again->Find(same) == reply);
  // The second occurrence was never stored.
  CHECK_FALSE(again->Find(again->KeyFor("openai", "m", Request("{}"))).has_value());
}

TEST_CASE("a cache file that cannot be opened is an error naming it", "[cache]") {
  TempDir dir;
  SECTION("a folder") {
    auto cache = ReplyCache::Open(dir.path());
    REQUIRE_FALSE(cache);
    CHECK(cache.error().kind() == gavel::ErrorKind::kIo);
    CHECK(cache.error().message().find("judge cache " + dir.path().string()) != std::string::npos);
  }
  SECTION("a file that is not a database") {
    const auto file = dir.Write("c.sqlite", std::string(4096, 'x'));
    auto cache = ReplyCache::Open(file);
    REQUIRE_FALSE(cache);
    CHECK(cache.error().message().find("judge cache " + file.string() + ": ") != std::string::npos);
  }
  SECTION("a folder that cannot be created") {
    const auto blocker = dir.Write("file", "x");
    auto cache = ReplyCache::Open(blocker / "c.sqlite");
    REQUIRE_FALSE(cache);
    CHECK(cache.error().message().find("cannot create its folder") != std::string::npos);
  }
}
