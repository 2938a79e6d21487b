// Helpers for the schema tests: temporary folders of schema files, and loading from JSON text.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "gavel/schema/schema.h"

namespace gavel::schema::testing {

// A temporary folder, removed with its contents when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gavel-schema-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path Write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

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
