// Validation must not allocate when there is nothing to report. This test binary replaces the
// global operator new with a counting one (per thread), and measures the validator with it.
#include <cstdlib>
#include <filesystem>
#include <new>

#include <catch2/catch.hpp>

#include "gavel/schema/schema.h"

namespace {
thread_local std::size_t g_allocations = 0;

void* Allocate(std::size_t size) {
  ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// GCC sees free() on memory from operator new and warns; here that pairing is the replacement.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (void* p = Allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = Allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return Allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return Allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

TEST_CASE("validate: no allocation unless a violation is recorded", "[validate][alloc]") {
  const std::filesystem::path data = GAVEL_SCHEMA_TEST_DATA;
  const auto schema = gavel::schema::Schema::LoadFile(data / "root" / "review.json", data / "root");
  REQUIRE(schema.ok());
  const gavel::Json good = gavel::Json::parse(R"({"summary": "Two small issues.", "verdict": "comment",
    "comments": [{"file": "src/a.cc", "line": 4, "end_line": 6, "severity": "low", "category": "x-naming",
                  "message": "Rename tmp to something meaningful.", "tags": ["naming", "style"], "suggestion": null},
                 {"file": "src/b.cc", "line": 9, "severity": "high", "category": "bug",
                  "message": "This loop never terminates on empty input."}]})");
  gavel::Json bad = good;
  bad["comments"][1]["severity"] = "urgent";

  // RE2 fills its DFA cache on first use; measure after the first runs.
  REQUIRE((*schema)->IsValid(good));
  REQUIRE(!(*schema)->IsValid(bad));
  REQUIRE((*schema)->Validate(good).valid);

  const std::size_t before = g_allocations;
  for (int i = 0; i < 10; ++i) {
    CHECK((*schema)->IsValid(good));
    CHECK(!(*schema)->IsValid(bad));
    CHECK((*schema)->Validate(good).valid);
  }
  const std::size_t during = g_allocations - before;
  CHECK(during == 0);

  // The counter works: recording a violation allocates.
  const std::size_t before_report = g_allocations;
  CHECK((*schema)->Validate(bad).violations.size() == 1);
  CHECK(g_allocations > before_report);
}
