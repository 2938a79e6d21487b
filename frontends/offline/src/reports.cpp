#include <ctime>
#include <fstream>

#include "gavel/offline/report.h"
#include "gavel/offline/summary.h"

namespace gavel::offline {

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

Status WriteReports(const Json& summary, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorKind::kIo, "cannot create " + dir.string() + ": " + ec.message());
  const std::pair<const char*, std::string> files[] = {
      {"summary.json", summary.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"},
      {"summary.md", RenderMarkdown(summary)},
      {"report.html", RenderHtml(summary)},
  };
  for (const auto& [name, text] : files) {
    const std::filesystem::path file = dir / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Error(ErrorKind::kIo, "cannot write " + file.string());
  }
  return Status();
}

}  // namespace gavel::offline
