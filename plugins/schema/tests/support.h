// Helpers for the schema tests: temporary folders of schema files, and loading from JSON text.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "gavel/schema/schema.h"
#include "temp_dir.h"

namespace gavel::schema::testing {

using TempDir = gavel::testing::TempDir;

// Compiles schema text that must load.
inline std::shared_ptr<const Schema> MustLoad(const std::string& text, LoadOptions options = {}) {
  auto schema = Schema::FromJson(Json::parse(text), "test.json", std::move(options));
  INFO(text);
  if (!schema) FAIL(schema.error().ToString());
  return schema.value();
}

// The error message of schema text that must fail to load.
inline std::string LoadError(const std::string& text, LoadOptions options = {}) {
  auto schema = Schema::FromJson(Json::parse(text), "s.json", std::move(options));
  INFO(text);
  REQUIRE(!schema);
  return schema.error().message();
}

}  // namespace gavel::schema::testing
