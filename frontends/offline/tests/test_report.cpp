// The Markdown and HTML reports of `gavel bench` and `gavel judge-eval` summaries: both fixtures,
// hostile strings, self-containment, sections present or absent, malformed summaries, numbers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gavel/offline/report.h"

#ifndef GAVEL_SOURCE_DIR
#define GAVEL_SOURCE_DIR "."  // standalone builds run from the repository root
#endif

namespace {

using nlohmann::json;
using gavel::offline::RenderHtml;
using gavel::offline::RenderMarkdown;

const std::string kDash = "\u2013";

json Fixture(const std::string& name) {
  const std::string path = std::string(GAVEL_SOURCE_DIR) + "/frontends/offline/tests/fixtures/" + name;
  std::ifstream in(path);
  INFO(path);
  REQUIRE(in.good());
  return json::parse(in);
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t CountOf(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The cell separators of a GitHub table row: '|' not escaped by a backslash (which escapes the
// character after it, a backslash included).
std::size_t Separators(const std::string& row) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
    } else if (row[i] == '|') {
      ++n;
    }
  }
  return n;
}

// Checks every table (a run of lines starting with '|'): each row has its header's column count
// and the delimiter row follows the header. Returns the number of tables.
std::size_t CheckTables(const std::string& markdown) {
  const auto lines = Lines(markdown);
  std::size_t tables = 0;
  for (std::size_t i = 0; i < lines.size();) {
    if (lines[i].empty() || lines[i][0] != '|') {
      ++i;
      continue;
    }
    ++tables;
    const std::size_t columns = Separators(lines[i]);
    INFO("table header: " << lines[i]);
    REQUIRE(i + 1 < lines.size());
    CHECK(lines[i + 1].rfind("| ---", 0) == 0);
    for (; i < lines.size() && !lines[i].empty() && lines[i][0] == '|'; ++i) {
      INFO("row: " << lines[i]);
      CHECK(Separators(lines[i]) == columns);
      CHECK(lines[i].back() == '|');
    }
  }
  return tables;
}

// The tags of an HTML document, lower-cased: every '<' to the next '>'. Escaped text has no '<'.
std::vector<std::string> Tags(const std::string& html) {
  std::vector<std::string> tags;
  for (auto at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    const auto end = html.find('>', at);
    std::string tag = html.substr(at, end == std::string::npos ? std::string::npos : end - at + 1);
    std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
    tags.push_back(tag);
  }
  return tags;
}

std::string TagName(const std::string& tag) {
  std::size_t i = 1;
  if (i < tag.size() && (tag[i] == '/' || tag[i] == '!')) ++i;
  std::string name;
  while (i < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[i])) || tag[i] == '-')) name += tag[i++];
  return name;
}

// Everything in the markup (tags and the style sheet) that could load something from outside.
std::vector<std::string> ExternalReferences(const std::string& html) {
  std::vector<std::string> found;
  for (const auto& tag : Tags(html)) {
    for (const char* bad : {"http:", "https:", "//", "src=", "srcset", "url(", "xlink:href", "action=", "@import"}) {
      if (Has(tag, bad)) found.push_back(tag);
    }
    for (auto at = tag.find("href="); at != std::string::npos; at = tag.find("href=", at + 1)) {
      if (tag.compare(at, 7, "href=\"#") != 0) found.push_back(tag);
    }
  }
  const auto style = html.find("<style>");
  const auto style_end = html.find("</style>");
  if (style != std::string::npos && style_end != std::string::npos) {
    const std::string css = html.substr(style, style_end - style);
    for (auto at = css.find("url("); at != std::string::npos; at = css.find("url(", at + 1)) {
      if (css.compare(at, 9, "url(data:") != 0) found.push_back(css.substr(at, 40));
    }
    for (const char* bad : {"@import", "http:", "https:", "//"}) {
      if (Has(css, bad)) found.push_back(std::string("style: ") + bad);
    }
  }
  return found;
}

// The elements the report is made of; a hostile string that got through unescaped would add
// another (script, img, b, i, iframe, ...).
void CheckOnlyOwnMarkup(const std::string& html) {
  static const std::set<std::string> kOwn = {
      "doctype", "html", "head", "meta", "title", "style", "body", "main", "header", "nav", "a", "section",
      "h1", "h2", "h3", "p", "span", "strong", "br", "div", "ul", "li", "table", "caption", "thead", "tbody",
      "tr", "th", "td", "figure", "figcaption", "details", "summary", "pre", "svg", "desc", "g", "rect",
      "line", "text"};
  for (const auto& tag : Tags(html)) {
    INFO("tag: " << tag);
    CHECK(kOwn.count(TagName(tag)) == 1);
    CHECK_FALSE(Has(tag, " on"));  // no event-handler attributes (onerror=, onload=, ...)
  }
}

// Every <svg> is an image with a title, and none is cut short by a stray </svg>.
void CheckCharts(const std::string& html, std::size_t at_least) {
  const std::size_t charts = CountOf(html, "<svg ");
  CHECK(charts >= at_least);
  CHECK(CountOf(html, "</svg>") == charts);
  CHECK(CountOf(html, "<svg class=\"chart\" role=\"img\"") == charts);
  for (auto at = html.find("<svg "); at != std::string::npos; at = html.find("<svg ", at + 1)) {
    const auto open_end = html.find('>', at);
    CHECK(html.compare(open_end + 1, 7, "<title>") == 0);
  }
}

void CheckPage(const std::string& html) {
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  CHECK(Has(html, "<meta charset=\"utf-8\">"));
  CHECK(CountOf(html, "<title>") >= 1);
  CHECK(Has(html, "</html>"));
  CHECK(ExternalReferences(html).empty());
  CheckOnlyOwnMarkup(html);
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// The Markdown form of a plain note: brackets and underscores escaped.
std::string MdEscaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == '_') out += '\\';
    out += c;
  }
  return out;
}

std::string HtmlEscaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("bench summary as Markdown", "[report]") {
  const auto md = RenderMarkdown(Fixture("bench_summary.json"));
  CHECK(Has(FirstLine(md), "PASSED"));
  CHECK(Has(FirstLine(md), "gavel bench"));
  for (const char* section : {"### Gates", "### Checkpoints", "### Rates", "### Metrics", "### Judge dimensions",
                              "### Errors", "### Comparisons", "<summary>Worst samples"}) {
    INFO(section);
    CHECK(Has(md, section));
  }
  CHECK_FALSE(Has(md, "### Summary problems"));
  CHECK(CheckTables(md) >= 8);

  // Numbers: mean with interval, rates as percentages, tokens, cost, pass@k; sft has k = 1.
  CHECK(Has(md, "| base | 48 | 12 × 4 | 0.610 [0.550, 0.670] | 0.190 | 0.620 |"));
  CHECK(Has(md, "| sft | 12 | 12 × 1 | 0.580 [0.520, 0.640] | 0.190 | 0.590 | – | – | – |"));
  CHECK(Has(md, "93.0% [90.0, 96.0]"));
  CHECK(Has(md, "90,000 / 4,992 | $0.12 |"));
  CHECK(Has(md, "@1 41.0% · @2 56.0% · @4 71.0%"));
  CHECK(Has(md, "scale 1–5"));
  // Comparisons: diff, W/T/L and a plain verdict.
  CHECK(Has(md, "| +0.100 [+0.030, +0.160] | 7 / 2 / 3 | better (interval above 0) |"));
  CHECK(Has(md, "| -0.030 [-0.110, +0.050] | 4 / 3 / 5 | no clear difference |"));
  CHECK(Has(md, "| +0.200 | 1 / 0 / 0 | no interval |"));
  // language_match is null for every checkpoint: no column for it.
  CHECK_FALSE(Has(md, "language match"));

  // Hostile strings: escaped, on one line, cut short.
  CHECK_FALSE(Has(md, "<script"));
  CHECK_FALSE(Has(md, "</svg>"));
  CHECK_FALSE(Has(md, "<img"));
  CHECK(Has(md, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(Has(md, "length\\_penalty&lt;/svg&gt;&lt;script&gt;"));
  CHECK(Has(md, "rft \"v2\" \\| step=800"));
  CHECK(Has(md, "missing severity \\| pipe in reason<br>second line"));
  CHECK(Has(md, "Vertragsprüfung — 合同"));
  CHECK(Has(md, "\u2026 (+1 more)"));  // the long rationale, shortened
  for (const auto& line : Lines(md)) CHECK(line.size() < 3000);
}

TEST_CASE("judge-eval summary as Markdown", "[report]") {
  const auto md = RenderMarkdown(Fixture("judge_eval_summary.json"));
  CHECK(Has(FirstLine(md), "FAILED"));
  CHECK(Has(FirstLine(md), "gavel judge-eval"));
  for (const char* section : {"### Gates", "### Consistency (3 repeats, 64 units)", "### Agreement between judges",
                              "### Calibration against human labels (30 labels, 2 unmatched)",
                              "### Regression suite (4 cases, 1 failed)", "### Reward hacking signals",
                              "<summary>Confusion matrices", "<summary>Largest disagreements"}) {
    INFO(section);
    CHECK(Has(md, section));
  }
  CHECK(CheckTables(md) >= 10);
  CHECK(Has(md, "| grounding | scale | 40 | 0.310 | 1.530 | – | 6 |"));
  CHECK(Has(md, "| cites\\_clause | binary | 12 | – | – | 8.3% | 1 |"));
  CHECK(Has(md, "| grounding | scale | 40 | 60.0% | – | 0.70 | 0.72 |"));
  CHECK(Has(md, "| grounding | scale | 28 | 50.0% | – | 0.60 | 0.70 | +0.40 |"));
  CHECK(Has(md, "| 1 | **2** | 1 | 0 | 0 | 0 |"));
  CHECK(Has(md, "| bad-2 | ❌ fail | reward &lt;= 0.3 | reward 0.62 |"));
  CHECK(Has(md, "| 5,000–48,000 | 2 | 0.860 |"));
  // Disagreement values follow the judges' order, the reference first.
  CHECK(Has(md, "gpt-4o-mini: 4 · claude \\| haiku &lt;b&gt;: 1"));

  CHECK_FALSE(Has(md, "<script"));
  CHECK_FALSE(Has(md, "<b>"));
  CHECK(Has(md, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(Has(md, "c11 \\| \"quoted\"<br>newline"));
}

TEST_CASE("bench summary as HTML", "[report]") {
  const auto html = RenderHtml(Fixture("bench_summary.json"));
  CheckPage(html);
  CHECK(Has(html, "<title>gavel bench \u2014 contract-review \u2014 Vertragsprüfung \u2014 合同 \u2014 passed</title>"));
  CHECK(Has(html, "<span class=\"badge pass\">\u2713 passed</span>"));
  for (const char* id : {"gates", "checkpoints", "reward", "metrics", "dimensions", "rates", "usage", "comparisons",
                         "worst"}) {
    INFO(id);
    CHECK(Has(html, "<section id=\"" + std::string(id) + "\""));
    CHECK(Has(html, "<a href=\"#" + std::string(id) + "\">"));
  }
  // Charts: reward bars, 3 histograms, metrics, 2 dimensions, rates, comparisons.
  CheckCharts(html, 9);
  CHECK(CountOf(html, "<title>Reward distribution of ") == 3);
  CHECK(Has(html, "<title>Rates per checkpoint with 95% intervals</title>"));
  CHECK(Has(html, "<title>Reward difference, candidate minus baseline, with 95% intervals</title>"));
  CHECK(Has(html, "better (interval above 0)"));
  CHECK(Has(html, "Not measured by this rubric: language match."));

  // Hostile strings are text, in elements and in attributes alike.
  CHECK_FALSE(Has(html, "<script"));
  CHECK_FALSE(Has(html, "alert(1)</"));
  CHECK(Has(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(Has(html, "length_penalty&lt;/svg&gt;&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;"));
  CHECK(Has(html, "&lt;img src=&quot;https://tracker.example/p.png&quot; onerror=&quot;alert(2)&quot;&gt;"));
  CHECK(Has(html, "rft &quot;v2&quot; | step=800"));
  CHECK(Has(html, "Vertragsprüfung \u2014 合同 #7"));
  // The long rationale is there, collapsed, and shortened.
  CHECK(Has(html, "<details><summary>rationale 1</summary><pre>The reviewer flags clause 7.2"));
  CHECK(Has(html, "\u2026</pre>"));
}

TEST_CASE("judge-eval summary as HTML", "[report]") {
  const auto html = RenderHtml(Fixture("judge_eval_summary.json"));
  CheckPage(html);
  CHECK(Has(html, "<title>gavel judge-eval \u2014 contract-review \u2014 failed</title>"));
  CHECK(Has(html, "<span class=\"badge fail\">\u2717 failed</span>"));
  for (const char* id : {"gates", "dimensions", "consistency", "agreement", "calibration", "regression", "hacking"}) {
    INFO(id);
    CHECK(Has(html, "<section id=\"" + std::string(id) + "\""));
  }
  // Charts: sd, flip rate, bias, reward by length.
  CheckCharts(html, 4);
  CHECK(Has(html, "<title>Flip rate across repeats per binary dimension</title>"));
  CHECK(Has(html, "<title>Bias per dimension: mean judge score minus mean human label</title>"));
  CHECK(Has(html, "<title>Mean reward by answer length (quintiles of bytes)</title>"));
  CHECK(CountOf(html, "<table class=\"heat\">") == 2);
  CHECK(CountOf(html, "class=\"diag\"") == 5 + 2);
  CHECK(Has(html, "<th scope=\"col\">claude | haiku &lt;b&gt;</th>"));
  CHECK(CountOf(html, "\u2717 fail</span>") == 2);  // a gate and a regression case

  CHECK_FALSE(Has(html, "<script"));
  CHECK_FALSE(Has(html, "<b>"));
  CHECK(Has(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(Has(html, "c11 | &quot;quoted&quot;\nnewline"));
}

TEST_CASE("the external-reference scan finds what it looks for", "[report]") {
  // The scan the HTML tests rely on, shown to fire on each kind of reference.
  CHECK(ExternalReferences("<p>https://example.com in text</p>").empty());
  CHECK(ExternalReferences("<a href=\"#top\">top</a>").empty());
  CHECK_FALSE(ExternalReferences("<img src=\"x.png\">").empty());
  CHECK_FALSE(ExternalReferences("<a href=\"https://example.com\">x</a>").empty());
  CHECK_FALSE(ExternalReferences("<link rel=stylesheet href=//cdn.example/x.css>").empty());
  CHECK_FALSE(ExternalReferences("<style>body{background:url(x.png)}</style>").empty());
  CHECK_FALSE(ExternalReferences("<style>@import 'x.css';</style>").empty());
  CHECK(ExternalReferences("<style>body{background:url(data:image/png;base64,AAAA)}</style>").empty());
}

TEST_CASE("sections are left out when their data is null", "[report]") {
  SECTION("judge-eval") {
    auto summary = Fixture("judge_eval_summary.json");
    for (const char* key : {"consistency", "agreement", "calibration", "regression", "hacking", "gates"}) {
      summary[key] = nullptr;
    }
    summary.erase("dimensions");
    const auto md = RenderMarkdown(summary);
    const auto html = RenderHtml(summary);
    for (const char* heading : {"### Gates", "### Consistency", "### Agreement", "### Calibration", "### Regression",
                                "### Reward hacking"}) {
      CHECK_FALSE(Has(md, heading));
    }
    for (const char* id : {"gates", "dimensions", "consistency", "agreement", "calibration", "regression", "hacking"}) {
      CHECK_FALSE(Has(html, "<section id=\"" + std::string(id) + "\""));
      CHECK_FALSE(Has(html, "href=\"#" + std::string(id) + "\""));
    }
    CHECK_FALSE(Has(md, "Summary problems"));
    CHECK_FALSE(Has(html, "Summary problems"));
    CHECK(Has(FirstLine(md), "FAILED"));
    CheckPage(html);
  }
  SECTION("bench") {
    auto summary = Fixture("bench_summary.json");
    summary["comparisons"] = nullptr;
    summary.erase("gates");
    for (auto& c : summary["checkpoints"]) {
      c["rates"] = nullptr;
      c["worst"] = json::array();
      c["histogram"] = nullptr;
      c["metrics"] = nullptr;
      c.erase("dimensions");
      c["errors"] = json::object();
      c.erase("usage");
    }
    const auto md = RenderMarkdown(summary);
    const auto html = RenderHtml(summary);
    for (const char* heading : {"### Gates", "### Rates", "### Metrics", "### Judge dimensions", "### Errors",
                                "### Comparisons", "Worst samples"}) {
      INFO(heading);
      CHECK_FALSE(Has(md, heading));
    }
    CHECK(Has(md, "### Checkpoints"));
    for (const char* id : {"gates", "rates", "metrics", "dimensions", "usage", "comparisons", "worst"}) {
      INFO(id);
      CHECK_FALSE(Has(html, "<section id=\"" + std::string(id) + "\""));
    }
    CHECK(Has(html, "<section id=\"checkpoints\""));
    CHECK_FALSE(Has(html, "Reward distribution"));
    CHECK_FALSE(Has(md, "Summary problems"));
    CheckPage(html);
  }
}

TEST_CASE("a summary without a known kind gives a report that says so", "[report]") {
  struct Case {
    json summary;
    std::string says;
  };
  const std::vector<Case> cases = {
      {json::object(), "has no \"kind\""},
      {json{{"kind", nullptr}}, "has no \"kind\""},
      {json{{"kind", 5}}, "\"kind\" is a number"},
      {json{{"kind", "leaderboard<script>x</script>"}}, "kind \"leaderboard"},
      {json::array({1, 2}), "the summary is an array"},
      {json("bench"), "the summary is a string"},
      {json(nullptr), "the summary is null"},
  };
  for (const auto& c : cases) {
    INFO(c.summary.dump());
    std::string md, html;
    REQUIRE_NOTHROW(md = RenderMarkdown(c.summary));
    REQUIRE_NOTHROW(html = RenderHtml(c.summary));
    CHECK(Has(FirstLine(md), "cannot read this summary"));
    CHECK(Has(md, c.says));
    CHECK(Has(html, "<h1>gavel report: cannot read this summary"));
    CHECK(Has(html, HtmlEscaped(c.says)));
    CHECK_FALSE(Has(md, "<script"));
    CHECK_FALSE(Has(html, "<script"));
    CheckPage(html);
  }
}

TEST_CASE("values of the wrong type are listed, not thrown", "[report]") {
  SECTION("bench") {
    json summary = {{"kind", "bench"},
                    {"passed", "yes"},
                    {"checkpoints", json::array({json{{"name", "base"},
                                                      {"reward", "high"},
                                                      {"samples", "48"},
                                                      {"histogram", {{"lo", 0}, {"hi", 1}, {"counts", "many"}}},
                                                      {"metrics", json::array({1, "two"})},
                                                      {"rates", json::array()},
                                                      {"worst", json::array({json{{"id", json::object()}}})}},
                                                 42})},
                    {"comparisons", json::object()},
                    {"gates", json::array({json{{"check", "x"}, {"passed", "no"}}})}};
    std::string md, html;
    REQUIRE_NOTHROW(md = RenderMarkdown(summary));
    REQUIRE_NOTHROW(html = RenderHtml(summary));
    for (const char* note : {"passed is a string, expected true or false", "checkpoints[0].reward is a string, expected an object",
                             "checkpoints[0].samples is a string, expected a number",
                             "checkpoints[0].metrics[0] is a number, expected an object",
                             "checkpoints[0].rates is an array, expected an object",
                             "checkpoints[0].worst[0].id is an object, expected a string",
                             "checkpoints[1] is a number, expected an object",
                             "comparisons is an object, expected an array", "gates[0].passed is a string"}) {
      INFO(note);
      CHECK(Has(md, MdEscaped(note)));
      CHECK(Has(html, note));
    }
    CHECK(Has(md, "### Summary problems"));
    CHECK(Has(FirstLine(md), "no verdict"));
    CheckTables(md);
    CheckPage(html);
  }
  SECTION("judge-eval") {
    json summary = {{"kind", "judge-eval"},
                    {"judges", "a"},
                    {"consistency", json::array()},
                    {"agreement", {{"pairs", json::array({json{{"a", 1}, {"exact", "high"}}})}}},
                    {"calibration", {{"dimensions", json::array({json{{"name", "g"},
                                                                     {"confusion",
                                                                      {{"categories", json::array({1, 2})},
                                                                       {"counts", json::array({1, json::array({"x"})})}}}}})}}},
                    {"hacking", {{"length_bins", json::object()}, {"flags", json::array({nullptr})}}}};
    std::string md, html;
    REQUIRE_NOTHROW(md = RenderMarkdown(summary));
    REQUIRE_NOTHROW(html = RenderHtml(summary));
    for (const char* note : {"judges is a string, expected an array", "consistency is an array, expected an object",
                             "agreement.pairs[0].exact is a string, expected a number",
                             "hacking.length_bins is an object, expected an array", "hacking.flags[0] is null"}) {
      INFO(note);
      CHECK(Has(md, MdEscaped(note)));
      CHECK(Has(html, note));
    }
    CHECK(Has(html, "calibration.dimensions[0].confusion.counts[0] is a number, expected an array"));
    CheckTables(md);
    CheckPage(html);
  }
  SECTION("every value of both fixtures replaced by one of another type") {
    for (const char* name : {"bench_summary.json", "judge_eval_summary.json"}) {
      const json fixture = Fixture(name);
      const json flat = fixture.flatten();
      std::set<std::string> pointers;
      for (const auto& item : flat.items()) {
        // Every leaf and every object or array above it, down to a depth of five.
        std::string pointer = item.key();
        while (!pointer.empty()) {
          if (std::count(pointer.begin(), pointer.end(), '/') <= 5) pointers.insert(pointer);
          pointer.erase(pointer.rfind('/'));
        }
      }
      std::size_t renders = 0;
      for (const auto& pointer : pointers) {
        for (const json& replacement : {json(nullptr), json("x"), json(-1.5), json::object(), json::array({1})}) {
          json summary = fixture;
          summary[json::json_pointer(pointer)] = replacement;
          INFO(name << " " << pointer << " = " << replacement.dump());
          REQUIRE_NOTHROW(RenderMarkdown(summary));
          REQUIRE_NOTHROW(RenderHtml(summary));
          renders += 2;
        }
      }
      CHECK(renders > 1000);
    }
  }
}

TEST_CASE("numbers print with fixed precision and null, NaN and infinity as a dash", "[report]") {
  json summary = {
      {"kind", "bench"},
      {"confidence", 0.9},
      {"passed", false},
      {"checkpoints",
       json::array({json{{"name", "a"},
                         {"samples", 1234567},
                         {"ids", nullptr},
                         {"k", 1},
                         {"seconds", std::nan("")},
                         {"reward", {{"estimate", nullptr}, {"lo", nullptr}, {"hi", nullptr}, {"n", 0}}},
                         {"reward_sd", 0.1234567},
                         {"reward_median", -0.0001},
                         {"best_of_k", {{"estimate", 0.5}, {"lo", nullptr}, {"hi", nullptr}, {"n", 1}}},
                         {"usage", {{"judge.input_tokens", 1234567}, {"judge.output_tokens", nullptr},
                                    {"judge.cost_usd", 0.004}}},
                         {"rates", {{"schema_valid", {{"estimate", 0.98765}, {"lo", 0.9}, {"hi", 1}, {"n", 10}}},
                                    {"error", {{"estimate", std::numeric_limits<double>::infinity()}}}}}}})},
      {"comparisons", json::array({json{{"baseline", "a"}, {"candidate", "b"}, {"pairs", 3},
                                        {"diff", {{"estimate", -0.2}, {"lo", -0.3}, {"hi", -0.1}}},
                                        {"wins", 0}, {"ties", nullptr}, {"losses", 3}}})}};
  const auto md = RenderMarkdown(summary);
  const auto html = RenderHtml(summary);
  CHECK(Has(FirstLine(md), "FAILED"));
  CHECK(Has(md, "Mean reward [90% CI]"));
  // samples, ids × k, reward, sd, median (no "-0.000"), best of k without bounds, ..., tokens, cost, seconds
  CHECK(Has(md, "| a | 1,234,567 | – × 1 | – | 0.123 | 0.000 | 0.500 | – | – | 1,234,567 / – | $0.0040 | – |"));
  CHECK(Has(md, "| a | 98.8% [90.0, 100.0] | – |"));
  CHECK(Has(md, "| -0.200 [-0.300, -0.100] | 0 / – / 3 | worse (interval below 0) |"));
  CheckTables(md);
  CHECK(Has(html, ">$0.0040<"));
  CHECK(Has(html, ">1,234,567<"));
  CHECK(Has(html, ">" + kDash + "<"));
  CHECK(Has(html, "worse (interval below 0)"));
  for (const auto& text : {md, html}) {
    for (const char* bad : {"nan", "NaN", "inf", "null", "-0.000", "e+"}) {
      INFO(bad);
      CHECK_FALSE(Has(text, bad));
    }
  }
  CheckPage(html);
}
