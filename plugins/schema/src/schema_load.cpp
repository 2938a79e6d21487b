// Schema::LoadFile and Schema::FromJson: reading schema files under a root folder and handing
// the documents to the compiler.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "compiler.h"
#include "json_text.h"
#include "json_value.h"
#include "uri.h"

namespace gavel::schema {
namespace detail {
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Files

bool IsInside(const fs::path& path, const fs::path& folder) {
  const fs::path relative = path.lexically_relative(folder);
  return !relative.empty() && !relative.is_absolute() && *relative.begin() != "..";
}

Result<Json> ReadJsonFile(const fs::path& path, const std::string& display, const LoadOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    const bool exists = fs::exists(path, ec);
    return Error(ErrorKind::kIo, "cannot read " + display + ": " +
                                     (exists ? "not a regular file" : "no such file"));
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > options.max_file_bytes) {
    return Error(ErrorKind::kBadRubric, display + ": larger than the " +
                                            std::to_string(options.max_file_bytes) + "-byte limit for schema files");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::kIo, "cannot read " + display + ": " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorKind::kIo, "cannot read " + display + ": " + std::strerror(errno));
  if (NestsDeeperThan(text, options.max_depth)) {
    return Error(ErrorKind::kBadRubric,
                 display + ": nests deeper than " + std::to_string(options.max_depth) + " levels");
  }
  Json json;
  std::string error;
  if (!ParseJsonText(text, json, error)) {
    return Error(ErrorKind::kBadRubric, display + ": invalid JSON: " + error);
  }
  return json;
}

namespace {

Result<std::vector<FolderMapping>> FoldersFromOptions(const LoadOptions& options) {
  std::vector<FolderMapping> folders;
  for (const auto& [prefix, folder] : options.uri_folders) {
    if (!SplitUri(prefix).has_scheme) {
      return Error(ErrorKind::kUsage, "schema folder URI prefix " + Quoted(prefix) + " must be an absolute URI");
    }
    folders.push_back(FolderMapping{prefix, folder, folder});
  }
  return folders;
}

}  // namespace
}  // namespace detail

Result<std::shared_ptr<const Schema>> Schema::FromJson(const Json& document, std::string name, LoadOptions options) {
  if (detail::DeeperThan(document, options.max_depth)) {
    return Error(ErrorKind::kBadRubric, name + ": nests deeper than " + std::to_string(options.max_depth) + " levels");
  }
  Result<std::vector<detail::FolderMapping>> folders = detail::FoldersFromOptions(options);
  if (!folders) return folders.error();
  detail::Compiler compiler(options, std::move(folders).value());
  const std::string uri(detail::WithoutFragment(options.base_uri));
  const detail::Scope scope{options.default_dialect, detail::kVocabAll};
  if (Status s = compiler.AddDocument(uri, name, document, scope); !s) return s.error();
  Result<std::unique_ptr<detail::Compiled>> compiled = compiler.Run(std::move(name));
  if (!compiled) return compiled.error();
  return std::shared_ptr<const Schema>(new Schema(std::move(compiled).value()));
}

Result<std::shared_ptr<const Schema>> Schema::LoadFile(const std::filesystem::path& file,
                                                       const std::filesystem::path& root, LoadOptions options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return Error(ErrorKind::kIo, "schema root " + root.string() + ": " + ec.message());
  if (!fs::is_directory(real_root)) return Error(ErrorKind::kUsage, "schema root " + root.string() + " is not a folder");
  const fs::path real_file = fs::weakly_canonical(file, ec);
  if (ec) return Error(ErrorKind::kIo, "cannot read " + file.string() + ": " + ec.message());
  if (!detail::IsInside(real_file, real_root)) {
    return Error(ErrorKind::kUsage, file.string() + " is outside the schema root " + root.string());
  }
  Result<Json> json = detail::ReadJsonFile(real_file, file.string(), options);
  if (!json) return json.error();

  Result<std::vector<detail::FolderMapping>> folders = detail::FoldersFromOptions(options);
  if (!folders) return folders.error();
  std::string root_prefix = "file://" + detail::PercentEncodePath(real_root.string());
  if (root_prefix.back() != '/') root_prefix += '/';
  // The root goes first: a sibling file is found by its file: URI before any user mapping.
  folders->insert(folders->begin(), detail::FolderMapping{root_prefix, real_root, root});

  detail::Compiler compiler(options, std::move(folders).value());
  const std::string uri = "file://" + detail::PercentEncodePath(real_file.string());
  const detail::Scope scope{options.default_dialect, detail::kVocabAll};
  if (Status s = compiler.AddDocument(uri, file.string(), std::move(json).value(), scope); !s) return s.error();
  Result<std::unique_ptr<detail::Compiled>> compiled = compiler.Run(file.string());
  if (!compiled) return compiled.error();
  return std::shared_ptr<const Schema>(new Schema(std::move(compiled).value()));
}

Schema::Schema(std::unique_ptr<const detail::Compiled> compiled) : compiled_(std::move(compiled)) {}
Schema::~Schema() = default;

const std::string& Schema::name() const { return compiled_->name; }

}  // namespace gavel::schema
