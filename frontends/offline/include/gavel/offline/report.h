// Reports from the summary JSON that `gavel bench` and `gavel judge-eval` write: Markdown for a
// pull request, and one self-contained HTML page with inline CSS and inline SVG charts (no
// scripts, fonts, images or URLs).
//
//   const auto summary = nlohmann::json::parse(file);
//   std::ofstream("report.md") << gavel::offline::RenderMarkdown(summary);
//   std::ofstream("report.html") << gavel::offline::RenderHtml(summary);
//
// Both dispatch on summary["kind"] ("bench" or "judge-eval"). Missing or null sections are
// skipped; a value of the wrong type is shown as "–" and listed in a "Summary problems" section;
// a summary without a known kind gives a short report that says so. Neither throws on any JSON
// value. Every string from the summary is treated as untrusted: escaped for Markdown tables or
// HTML, cleaned of invalid UTF-8 and control characters, and shortened with an ellipsis where long.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace gavel::offline {

// GitHub-flavoured Markdown: a headline with pass/fail, then a table per section.
std::string RenderMarkdown(const nlohmann::json& summary);

// One self-contained HTML document (UTF-8).
std::string RenderHtml(const nlohmann::json& summary);

}  // namespace gavel::offline
