// The HTML report: one self-contained page (inline CSS, inline SVG charts, no script, no URLs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gavel/offline/report.h"
#include "report_svg.h"

namespace gavel::offline {
namespace {

using report::Json;
using report::Reader;

constexpr std::size_t kLongText = 4000;  // answers and rationales, shown collapsed

std::string Esc(const std::string& text) { return report::EscapeHtml(text); }
// Untrusted text: shortened and escaped, or a dash.
std::string Text(const std::optional<std::string>& text, std::size_t max_chars = 120) {
  return text && !text->empty() ? report::EscapeHtml(report::Shorten(*text, max_chars)) : report::kDash;
}
std::string Path(const std::string& array, std::size_t index) { return array + "[" + std::to_string(index) + "]"; }

std::string Td(const std::string& html) { return "<td>" + html + "</td>"; }
std::string Num(const std::string& text) { return "<td class=\"num\">" + text + "</td>"; }
std::string Th(const std::string& html) { return "<th scope=\"col\">" + html + "</th>"; }

std::string Table(const std::vector<std::string>& header, const std::vector<std::string>& rows,
                  const char* extra_class = "") {
  std::string out = "<div class=\"scroll\"><table class=\"" + std::string(extra_class) + "\"><thead><tr>";
  for (const auto& h : header) out += Th(h);
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) out += "<tr>" + row + "</tr>";
  return out + "</tbody></table></div>";
}

std::string Badge(std::optional<bool> passed, const char* yes = "pass", const char* no = "fail") {
  if (!passed) return "<span class=\"badge none\">" + std::string(report::kDash) + "</span>";
  return *passed ? "<span class=\"badge pass\">\u2713 " + std::string(yes) + "</span>"
                 : "<span class=\"badge fail\">\u2717 " + std::string(no) + "</span>";
}

std::string Section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\" aria-labelledby=\"" + id + "-h\"><h2 id=\"" + id + "-h\">" + title + "</h2>" +
         body + "</section>\n";
}

std::string Figure(const std::string& svg, const std::string& caption_html) {
  return "<figure>" + svg + (caption_html.empty() ? "" : "<figcaption>" + caption_html + "</figcaption>") +
         "</figure>";
}

std::string Swatch(std::size_t index) {
  return "<span class=\"swatch\" style=\"background:" + report::SeriesColour(index) + "\" aria-hidden=\"true\"></span>";
}

// A background for a value in [0, 1] (agreement, kappa): red through amber to green.
std::string Heat(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return "";
  const char* colour = *v < 0.2 ? "#ffebe9" : *v < 0.4 ? "#fff1e5" : *v < 0.6 ? "#fff8c5" : *v < 0.8 ? "#dafbe1" : "#aceebb";
  return std::string(" style=\"background:") + colour + "\"";
}

std::string HeatNum(std::optional<double> v, const std::string& text) {
  return "<td class=\"num\"" + Heat(v) + ">" + text + "</td>";
}

constexpr const char* kStyle = R"css(
:root{color-scheme:light;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--good:#1a7f37;--bad:#cf222e}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",Helvetica,Arial,sans-serif}
main{max-width:1140px;margin:0 auto;padding:20px 20px 48px}
h1{font-size:22px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:18px 0 6px}
p{margin:6px 0}
.meta,.note,figcaption{color:var(--muted)}
.meta{margin:2px 0;overflow-wrap:anywhere}
nav{margin:10px 0 0;font-size:13px}
nav a{color:#0969da;margin-right:12px;text-decoration:none}
nav a:hover{text-decoration:underline}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;border:1px solid;white-space:nowrap;vertical-align:2px}
.badge.pass{color:var(--good);background:#dafbe1;border-color:#4ac26b}
.badge.fail{color:var(--bad);background:#ffebe9;border-color:#ff8182}
.badge.none{color:var(--muted);background:var(--soft);border-color:var(--line)}
h1 .badge{font-size:14px;margin-left:8px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:6px 0 12px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td{overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.wide{min-width:18em;max-width:40em}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:0}
figure{margin:8px 0 14px}
figcaption{font-size:12px;margin-top:2px}
svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
svg.chart text{fill:#24292f}
.multiples{display:flex;flex-wrap:wrap;gap:4px 18px}
.multiples figure{margin:4px 0}
details{margin:4px 0}
summary{cursor:pointer;color:#0969da}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:4px 0;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:22em;overflow:auto}
table.heat td{text-align:center;min-width:3em;font-variant-numeric:tabular-nums}
table.heat td.diag{outline:2px solid #24292f;outline-offset:-2px;font-weight:600}
.matrices{display:flex;flex-wrap:wrap;align-items:flex-start;gap:8px 28px}
.problems{border:1px solid #d4a72c;background:#fff8c5;border-radius:6px;padding:8px 12px;margin:12px 0}
.problems ul{margin:4px 0;padding-left:20px}
@media print{
  main{max-width:none;padding:0}
  nav{display:none}
  section,figure,table{break-inside:avoid}
  pre{max-height:none}
  summary{color:var(--fg)}
}
)css";

std::string Page(const std::string& title, const std::string& header, const std::string& nav, const Reader& r,
                 const std::string& body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" "
      "content=\"light\">\n<meta name=\"generator\" content=\"gavel\">\n<title>" +
      title + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n<header>" + header + nav +
      "</header>\n";
  if (!r.notes().empty()) {
    out += "<div class=\"problems\" role=\"note\"><strong>Summary problems.</strong> These parts of the summary could "
           "not be read and are shown as \u2013 or left out:<ul>";
    constexpr std::size_t kMax = 20;
    for (std::size_t i = 0; i < r.notes().size() && i < kMax; ++i) {
      out += "<li>" + Esc(report::Shorten(r.notes()[i], 200)) + "</li>";
    }
    if (r.notes().size() > kMax) out += "<li>and " + std::to_string(r.notes().size() - kMax) + " more</li>";
    out += "</ul></div>\n";
  }
  return out + body + "</main>\n</body>\n</html>\n";
}

std::string Nav(const std::vector<std::pair<std::string, std::string>>& links) {
  if (links.empty()) return "";
  std::string out = "<nav aria-label=\"Sections\">";
  for (const auto& [id, label] : links) out += "<a href=\"#" + id + "\">" + label + "</a>";
  return out + "</nav>";
}

// "gavel 0.1.0 · 2026-11-23T21:30:00Z · rubric contract-review (rubrics/x.lua)"
std::string Provenance(Reader& r, const Json& summary, std::string& rubric_name) {
  std::vector<std::string> parts;
  if (const Json* rubric = r.Object(summary, "rubric", "")) {
    rubric_name = r.String(*rubric, "name", "rubric").value_or("");
    std::string text = "rubric <strong>" + Text(r.String(*rubric, "name", "rubric"), 100) + "</strong>";
    if (auto file = r.String(*rubric, "file", "rubric")) text += " (" + Text(file, 160) + ")";
    if (auto neutral = r.Number(*rubric, "neutral", "rubric")) text += ", neutral " + report::Number(neutral);
    parts.push_back(text);
  }
  if (auto v = r.String(summary, "gavel_version", "")) parts.push_back("gavel " + Text(v, 40));
  if (auto v = r.String(summary, "created", "")) parts.push_back(Text(v, 40));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " \u00b7 ") + p;
  return out;
}

std::string Header(const char* tool, Reader& r, const Json& summary, const std::string& extra_meta,
                   std::string& rubric_name) {
  const auto passed = r.Bool(summary, "passed", "");
  std::string out = "<h1>gavel " + std::string(tool) + " report " + Badge(passed, "passed", "failed") + "</h1>";
  const std::string provenance = Provenance(r, summary, rubric_name);
  if (!provenance.empty()) out += "<p class=\"meta\">" + provenance + "</p>";
  if (!extra_meta.empty()) out += "<p class=\"meta\">" + extra_meta + "</p>";
  return out;
}

std::string Title(const char* tool, const std::string& rubric_name, std::optional<bool> passed) {
  std::string title = "gavel " + std::string(tool);
  if (!rubric_name.empty()) title += " \u2014 " + Esc(report::Shorten(rubric_name, 80));
  if (passed) title += *passed ? " \u2014 passed" : " \u2014 failed";
  return title;
}

std::string Gates(Reader& r, const Json& summary, bool with_checkpoint) {
  const Json* gates = r.Array(summary, "gates", "");
  if (!gates || gates->empty()) return "";
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < gates->size(); ++i) {
    const Json* gate = r.ObjectAt(*gates, i, "gates");
    if (!gate) continue;
    const std::string at = Path("gates", i);
    std::string row = Td(Badge(r.Bool(*gate, "passed", at))) + Td(Text(r.String(*gate, "check", at)));
    if (with_checkpoint) row += Td(Text(r.String(*gate, "checkpoint", at), 60));
    row += Td(Text(r.String(*gate, "message", at), 400));
    rows.push_back(row);
  }
  std::vector<std::string> header{"Result", "Gate"};
  if (with_checkpoint) header.push_back("Checkpoint");
  header.push_back("Message");
  return Section("gates", "Gates", Table(header, rows));
}

std::string Collapsed(const std::string& label, const std::optional<std::string>& text) {
  if (!text || text->empty()) return "";
  const std::string shown = report::Shorten(*text, kLongText);
  return "<details><summary>" + label + "</summary><pre>" + Esc(shown) + "</pre></details>";
}

// ---- bench ---------------------------------------------------------------------------------

struct Checkpoint {
  const Json* json;
  std::string path;
  std::string name;  // clean, not escaped
};

std::string RenderBench(Reader& r, const Json& summary) {
  std::vector<Checkpoint> checkpoints;
  if (const Json* list = r.Array(summary, "checkpoints", "")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (const Json* c = r.ObjectAt(*list, i, "checkpoints")) {
        const std::string path = Path("checkpoints", i);
        checkpoints.push_back({c, path, r.String(*c, "name", path).value_or("checkpoint " + std::to_string(i + 1))});
      }
    }
  } else {
    r.Note("the summary has no checkpoints");
  }
  const auto confidence = r.Number(summary, "confidence", "");
  const std::string ci = report::Percent(confidence.value_or(0.95), 0) + " interval";
  std::vector<std::string> names;
  for (const auto& c : checkpoints) names.push_back(c.name);
  const auto name_cell = [&](std::size_t i) { return Td(Swatch(i) + Text(checkpoints[i].name, 60)); };

  std::string meta = std::to_string(checkpoints.size()) + " checkpoint" + (checkpoints.size() == 1 ? "" : "s");
  if (confidence) meta += " \u00b7 " + report::Percent(confidence, 0) + " bootstrap intervals";
  if (auto v = r.Number(summary, "resamples", "")) meta += " from " + report::Count(v) + " resamples";
  if (auto v = r.Number(summary, "seed", "")) meta += ", seed " + report::Count(v);
  std::string rubric_name;
  const std::string page_header = Header("bench", r, summary, meta, rubric_name);
  std::optional<double> neutral;
  if (const Json* rubric = r.Object(summary, "rubric", "")) neutral = r.Number(*rubric, "neutral", "rubric");

  std::vector<std::pair<std::string, std::string>> nav;
  std::string body = Gates(r, summary, true);
  if (!body.empty()) nav.push_back({"gates", "Gates"});

  if (!checkpoints.empty()) {
    // Overview table.
    std::vector<std::string> overview;
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      const Json& j = *checkpoints[i].json;
      const std::string& at = checkpoints[i].path;
      std::string pass;
      if (const Json* list = r.Array(j, "pass_at_k", at)) {
        for (std::size_t p = 0; p < list->size(); ++p) {
          const Json* e = r.ObjectAt(*list, p, at + ".pass_at_k");
          if (!e) continue;
          const std::string ep = Path(at + ".pass_at_k", p);
          pass += (pass.empty() ? "" : "<br>") + std::string("@") + report::Count(r.Number(*e, "k", ep)) + "&nbsp;" +
                  report::Percent(r.Number(*e, "value", ep));
        }
      }
      std::string tokens = report::kDash, cost = report::kDash;
      if (const Json* usage = r.Object(j, "usage", at)) {
        const auto in = r.Number(*usage, "judge.input_tokens", at + ".usage");
        const auto out = r.Number(*usage, "judge.output_tokens", at + ".usage");
        if (in || out) tokens = report::Count(in) + "<br>" + report::Count(out);
        cost = report::Usd(r.Number(*usage, "judge.cost_usd", at + ".usage"));
      }
      overview.push_back(name_cell(i) + Num(report::Count(r.Number(j, "samples", at))) +
                     Num(report::Count(r.Number(j, "ids", at)) + " \u00d7 " + report::Count(r.Number(j, "k", at))) +
                     Num(report::FormatInterval(r.IntervalOf(j, "reward", at), false)) +
                     Num(report::Fixed(r.Number(j, "reward_sd", at), 3)) +
                     Num(report::Fixed(r.Number(j, "reward_median", at), 3)) +
                     Num(report::FormatInterval(r.IntervalOf(j, "best_of_k", at), false)) +
                     Num(report::FormatInterval(r.IntervalOf(j, "mean_of_k", at), false)) +
                     Num(pass.empty() ? report::kDash : pass) + Num(tokens) + Num(cost) +
                     Num(report::Fixed(r.Number(j, "seconds", at), 2)));
    }
    body += Section("checkpoints", "Checkpoints",
                    Table({"Checkpoint", "Samples", "Ids \u00d7 k", "Mean reward [" + ci + "]", "SD", "Median",
                           "Best of k", "Mean of k", "pass@k", "Judge tokens in / out", "Judge cost", "Seconds"},
                          overview));
    nav.push_back({"checkpoints", "Checkpoints"});

    // Reward: mean, mean of k and best of k per checkpoint; then the distributions.
    report::BarChart reward;
    reward.title = "Mean reward per checkpoint with " + ci + "s";
    reward.description = "Bars: estimate; whiskers: interval. Groups: mean reward, mean of k, best of k.";
    reward.series = names;
    for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
             {"reward", "mean reward"}, {"mean_of_k", "mean of k"}, {"best_of_k", "best of k"}}) {
      report::ChartGroup group{label, {}};
      bool any = false;
      for (const auto& c : checkpoints) {
        const auto v = r.IntervalOf(*c.json, key, c.path);
        any = any || v.present;
        group.bars.push_back({v.estimate, v.lo, v.hi, "", "", ""});
      }
      if (any) reward.groups.push_back(group);
    }
    std::string reward_body = Figure(report::BarChartSvg(reward), Esc(reward.title) + ". Mean of k and best of k "
                                                                                       "are over ids, for k > 1.");
    double max_share = 0;
    std::vector<std::pair<std::size_t, report::HistogramChart>> histograms;  // by checkpoint index
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      const Json* h = r.Object(*checkpoints[i].json, "histogram", checkpoints[i].path);
      if (!h) continue;
      const std::string at = checkpoints[i].path + ".histogram";
      report::HistogramChart chart;
      chart.title = "Reward distribution of " + report::Shorten(checkpoints[i].name, 80);
      chart.description = "Share of samples per reward bin; solid line: mean reward; dashed line: the rubric's neutral reward.";
      chart.lo = r.Number(*h, "lo", at).value_or(0);
      chart.hi = r.Number(*h, "hi", at).value_or(1);
      double total = 0;
      if (const Json* counts = r.Array(*h, "counts", at)) {
        for (std::size_t b = 0; b < counts->size(); ++b) {
          chart.counts.push_back(r.NumberValue((*counts)[b], Path(at + ".counts", b)));
          total += chart.counts.back().value_or(0);
        }
      }
      for (const auto& c : chart.counts) {
        if (total > 0 && c) max_share = std::max(max_share, *c / total);
      }
      chart.colour = report::SeriesColour(i);
      chart.mean = r.IntervalOf(*checkpoints[i].json, "reward", checkpoints[i].path).estimate;
      chart.neutral = neutral;
      histograms.emplace_back(i, chart);
    }
    if (!histograms.empty()) {
      reward_body += "<h3>Reward distribution</h3><div class=\"multiples\">";
      for (auto& [index, chart] : histograms) {
        chart.max_share = max_share;
        reward_body += Figure(report::HistogramSvg(chart), Swatch(index) + Text(checkpoints[index].name, 60));
      }
      reward_body += "</div><p class=\"note\">Share of samples per bin (same scale in every panel); solid line: mean; "
                     "dashed line: the rubric's neutral reward.</p>";
    }
    body += Section("reward", "Reward", reward_body);
    nav.push_back({"reward", "Reward"});

    // Metrics and judge dimensions.
    std::vector<std::string> metric_order;
    std::map<std::string, std::vector<report::Interval>> metric_values;
    struct Dimension {
      std::string judge, name, kind;
      std::optional<double> min, max;
      std::vector<report::Interval> values;
    };
    std::vector<std::string> dim_order;
    std::map<std::string, Dimension> dims;
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      const auto& c = checkpoints[i];
      if (const Json* list = r.Array(*c.json, "metrics", c.path)) {
        for (std::size_t m = 0; m < list->size(); ++m) {
          const Json* metric = r.ObjectAt(*list, m, c.path + ".metrics");
          if (!metric) continue;
          const std::string at = Path(c.path + ".metrics", m);
          const std::string name = r.String(*metric, "name", at).value_or("?");
          auto& values = metric_values[name];
          if (values.empty()) metric_order.push_back(name), values.resize(checkpoints.size());
          values[i] = r.IntervalOf(*metric, "", at);
        }
      }
      if (const Json* list = r.Array(*c.json, "dimensions", c.path)) {
        for (std::size_t d = 0; d < list->size(); ++d) {
          const Json* dim = r.ObjectAt(*list, d, c.path + ".dimensions");
          if (!dim) continue;
          const std::string at = Path(c.path + ".dimensions", d);
          const std::string judge = r.String(*dim, "judge", at).value_or("");
          const std::string name = r.String(*dim, "name", at).value_or("?");
          const std::string key = judge + "\n" + name;
          auto& entry = dims[key];
          if (entry.values.empty()) {
            dim_order.push_back(key);
            entry = {judge, name, r.String(*dim, "kind", at).value_or(""), r.Number(*dim, "min", at),
                     r.Number(*dim, "max", at), std::vector<report::Interval>(checkpoints.size())};
          }
          entry.values[i] = r.IntervalOf(*dim, "", at);
        }
      }
    }
    if (!metric_order.empty()) {
      report::BarChart chart;
      chart.title = "Rubric metrics per checkpoint with " + ci + "s";
      chart.description = "Mean of each metric of the rubric; bars: estimate, whiskers: interval.";
      chart.series = names;
      std::vector<std::string> rows;
      for (const auto& name : metric_order) {
        report::ChartGroup group{name, {}};
        std::string row = Td(Text(name, 80));
        for (const auto& v : metric_values[name]) {
          group.bars.push_back({v.estimate, v.lo, v.hi, "", "", ""});
          row += Num(report::FormatInterval(v, false));
        }
        chart.groups.push_back(group);
        rows.push_back(row);
      }
      std::vector<std::string> header{"Metric"};
      for (std::size_t i = 0; i < checkpoints.size(); ++i) header.push_back(Swatch(i) + Text(names[i], 40));
      body += Section("metrics", "Metrics",
                      Figure(report::BarChartSvg(chart), Esc(chart.title) + ".") +
                          "<details><summary>Metrics table</summary>" + Table(header, rows) + "</details>");
      nav.push_back({"metrics", "Metrics"});
    }
    if (!dim_order.empty()) {
      std::string figures = "<div class=\"multiples\">";
      std::vector<std::string> rows;
      for (const auto& key : dim_order) {
        const Dimension& d = dims[key];
        const bool binary = d.kind == "binary";
        const std::string label = (d.judge.empty() ? "" : d.judge + " \u00b7 ") + d.name;
        report::BarChart chart;
        chart.title = "Judge dimension " + label + (binary ? " (pass rate)" : " (mean score)") + " per checkpoint";
        chart.description = "Bars: estimate, whiskers: " + ci + ".";
        chart.series = names;
        chart.percent = binary;
        if (binary) {
          chart.axis_lo = 0, chart.axis_hi = 1;
        } else {
          chart.axis_lo = d.min, chart.axis_hi = d.max;
          chart.decimals = 2;
        }
        report::ChartGroup group{d.name, {}};
        std::string row = Td(Text(d.judge, 60)) + Td(Text(d.name, 60)) +
                          Td(binary ? "binary" : Esc(d.kind) + " " + report::Number(d.min) + "\u2013" +
                                                     report::Number(d.max));
        for (const auto& v : d.values) {
          group.bars.push_back({v.estimate, v.lo, v.hi, "", "", ""});
          row += Num(report::FormatInterval(v, binary, 2));
        }
        chart.groups.push_back(group);
        rows.push_back(row);
        figures += Figure(report::BarChartSvg(chart), Text(label, 80) + (binary ? " \u2014 pass rate" : " \u2014 mean score"));
      }
      figures += "</div>";
      std::vector<std::string> header{"Judge", "Dimension", "Kind"};
      for (std::size_t i = 0; i < checkpoints.size(); ++i) header.push_back(Swatch(i) + Text(names[i], 40));
      body += Section("dimensions", "Judge dimensions",
                      figures + "<details><summary>Dimensions table</summary>" + Table(header, rows) + "</details>");
      nav.push_back({"dimensions", "Judge dimensions"});
    }

    // Rates.
    std::vector<std::pair<const Json*, std::string>> sources;
    for (const auto& c : checkpoints) sources.emplace_back(c.json, c.path);
    const report::RateKeys rate_keys = report::CollectRateKeys(r, sources);
    const std::vector<std::string>& keys = rate_keys.keys;
    const std::set<std::string>& have = rate_keys.present;
    if (!have.empty()) {
      report::BarChart chart;
      chart.title = "Rates per checkpoint with " + ci + "s";
      chart.description = "Share of samples: schema-valid, safety violations, language match, and failed (neutral reward).";
      chart.series = names;
      chart.percent = true;
      chart.axis_lo = 0, chart.axis_hi = 1;
      std::vector<std::string> absent;
      for (const auto& key : keys) {
        std::string label = key;
        std::replace(label.begin(), label.end(), '_', ' ');
        if (!have.count(key)) {
          absent.push_back(label);
          continue;
        }
        report::ChartGroup group{label, {}};
        for (const auto& c : checkpoints) {
          const Json* rates = r.Object(*c.json, "rates", c.path);
          const auto v = rates ? r.IntervalOf(*rates, key, c.path + ".rates") : report::Interval{};
          group.bars.push_back({v.estimate, v.lo, v.hi, "", "", ""});
        }
        chart.groups.push_back(group);
      }
      std::string note;
      if (!absent.empty()) {
        note = "<p class=\"note\">Not measured by this rubric: ";
        for (std::size_t i = 0; i < absent.size(); ++i) note += (i ? ", " : "") + Text(absent[i], 40);
        note += ".</p>";
      }
      body += Section("rates", "Rates", Figure(report::BarChartSvg(chart), Esc(chart.title) + ".") + note);
      nav.push_back({"rates", "Rates"});
    }

    // Usage and errors.
    std::vector<std::string> usage_keys, error_keys;
    for (const auto& c : checkpoints) {
      if (const Json* usage = r.Object(*c.json, "usage", c.path)) {
        for (const auto& item : usage->items()) {
          if (std::find(usage_keys.begin(), usage_keys.end(), item.key()) == usage_keys.end())
            usage_keys.push_back(item.key());
        }
      }
      if (const Json* errors = r.Object(*c.json, "errors", c.path)) {
        for (const auto& item : errors->items()) {
          if (std::find(error_keys.begin(), error_keys.end(), item.key()) == error_keys.end())
            error_keys.push_back(item.key());
        }
      }
    }
    std::string usage_body;
    for (const auto& [what, list] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"usage", usage_keys}, {"errors", error_keys}}) {
      if (list.empty()) continue;
      std::vector<std::string> header{"Checkpoint"};
      for (const auto& key : list) header.push_back(Text(key, 40));
      std::vector<std::string> rows;
      for (std::size_t i = 0; i < checkpoints.size(); ++i) {
        std::string row = name_cell(i);
        const Json* object = r.Object(*checkpoints[i].json, what, checkpoints[i].path);
        for (const auto& key : list) {
          const auto v = object ? r.Number(*object, key, checkpoints[i].path + "." + what) : std::nullopt;
          const bool usd = key.size() >= 4 && key.compare(key.size() - 4, 4, "_usd") == 0;
          row += Num(usd ? report::Usd(v) : what == "errors" ? report::Count(v.value_or(0)) : report::Number(v));
        }
        rows.push_back(row);
      }
      usage_body += "<h3>" + std::string(what == "usage" ? "Usage" : "Errors by metric") + "</h3>" + Table(header, rows);
    }
    if (!usage_body.empty()) {
      body += Section("usage", "Usage and errors", usage_body);
      nav.push_back({"usage", "Usage"});
    }
  }

  // Comparisons.
  if (const Json* list = r.Array(summary, "comparisons", ""); list && !list->empty()) {
    report::BarChart chart;
    chart.title = "Reward difference, candidate minus baseline, with " + ci + "s";
    chart.description = "Per id, mean over its outputs. Green: interval above 0; red: below 0; grey: no clear difference.";
    chart.reference = 0;
    chart.series = {"difference"};
    std::vector<std::string> rows;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json* c = r.ObjectAt(*list, i, "comparisons");
      if (!c) continue;
      const std::string at = Path("comparisons", i);
      const auto diff = r.IntervalOf(*c, "diff", at);
      const auto candidate = r.String(*c, "candidate", at), baseline = r.String(*c, "baseline", at);
      const int sign = report::VerdictSign(diff);
      const std::string label = candidate.value_or("?") + " vs " + baseline.value_or("?");
      chart.groups.push_back({label,
                              {{diff.estimate, diff.lo, diff.hi,
                                sign > 0 ? report::kGood : sign < 0 ? report::kBad : report::kNeutral,
                                report::FormatDiff(diff), ""}}});
      const std::string verdict = report::Verdict(diff);
      const char* cls = sign > 0 ? "pass" : sign < 0 ? "fail" : "none";
      rows.push_back(Td(Text(candidate, 60)) + Td(Text(baseline, 60)) + Num(report::Count(r.Number(*c, "pairs", at))) +
                     Num(report::FormatDiff(diff)) +
                     Num(report::Count(r.Number(*c, "wins", at)) + " / " + report::Count(r.Number(*c, "ties", at)) +
                         " / " + report::Count(r.Number(*c, "losses", at))) +
                     Td("<span class=\"badge " + std::string(cls) + "\">" + verdict + "</span>"));
    }
    body += Section("comparisons", "Comparisons",
                    Figure(report::BarChartSvg(chart), Esc(chart.title) + "; dashed line: no difference.") +
                        Table({"Candidate", "Baseline", "Pairs", "Difference [" + ci + "]", "Wins / ties / losses",
                               "Verdict"},
                              rows));
    nav.push_back({"comparisons", "Comparisons"});
  }

  // Worst samples.
  std::string worst_body;
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    const auto& c = checkpoints[i];
    const Json* list = r.Array(*c.json, "worst", c.path);
    if (!list || list->empty()) continue;
    std::vector<std::string> rows;
    for (std::size_t w = 0; w < list->size(); ++w) {
      const Json* sample = r.ObjectAt(*list, w, c.path + ".worst");
      if (!sample) continue;
      const std::string at = Path(c.path + ".worst", w);
      std::string errors;
      if (const Json* e = r.Array(*sample, "errors", at)) {
        for (std::size_t k = 0; k < e->size(); ++k) {
          errors += (errors.empty() ? "" : "<br>") + Text(r.StringValue((*e)[k], Path(at + ".errors", k)), 300);
        }
      }
      std::string details = Collapsed("answer", r.String(*sample, "answer", at));
      if (const Json* rationales = r.Array(*sample, "rationales", at)) {
        for (std::size_t k = 0; k < rationales->size(); ++k) {
          details += Collapsed("rationale " + std::to_string(k + 1),
                               r.StringValue((*rationales)[k], Path(at + ".rationales", k)));
        }
      }
      rows.push_back(Td(Text(r.String(*sample, "id", at), 80)) + Num(report::Count(r.Number(*sample, "output", at))) +
                     Num(report::Fixed(r.Number(*sample, "reward", at), 3)) +
                     "<td class=\"wide\">" + Text(r.String(*sample, "reason", at), 600) + "</td>" +
                     Td(errors.empty() ? report::kDash : errors) +
                     "<td class=\"wide\">" + (details.empty() ? report::kDash : details) + "</td>");
    }
    worst_body += "<details" + std::string(worst_body.empty() ? " open" : "") + "><summary>" + Swatch(i) +
                  Text(c.name, 80) + " \u2014 " + std::to_string(rows.size()) + " lowest-reward samples</summary>" +
                  Table({"Id", "Output", "Reward", "Reason", "Errors", "Answer and judge rationales"}, rows) +
                  "</details>";
  }
  if (!worst_body.empty()) {
    body += Section("worst", "Worst samples", "<p class=\"note\">Lowest reward first. Answers and rationales are "
                                              "model and judge text, shown as plain text.</p>" + worst_body);
    nav.push_back({"worst", "Worst samples"});
  }

  return Page(Title("bench", rubric_name, r.Bool(summary, "passed", "")), page_header, Nav(nav), r, body);
}

// ---- judge-eval ----------------------------------------------------------------------------

std::string ValueText(Reader& r, const Json& v, const std::string& path) {
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return Text(r.StringValue(v, path), 20);
}

std::string RenderJudgeEval(Reader& r, const Json& summary) {
  std::vector<std::string> judges;
  if (const Json* list = r.Array(summary, "judges", "")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      judges.push_back(r.StringValue((*list)[i], Path("judges", i)).value_or("?"));
    }
  }
  std::string meta;
  if (auto samples = r.Number(summary, "samples", "")) meta += report::Count(samples) + " samples";
  if (!judges.empty()) {
    meta += std::string(meta.empty() ? "" : " \u00b7 ") + "judges ";
    for (std::size_t i = 0; i < judges.size(); ++i) meta += (i ? ", " : "") + Text(judges[i], 60);
    meta += " (the first is the reference)";
  }
  std::string rubric_name;
  const std::string page_header = Header("judge-eval", r, summary, meta, rubric_name);
  std::vector<std::pair<std::string, std::string>> nav;
  std::string body = Gates(r, summary, false);
  if (!body.empty()) nav.push_back({"gates", "Gates"});

  if (const Json* dims = r.Array(summary, "dimensions", ""); dims && !dims->empty()) {
    std::vector<std::string> rows;
    for (std::size_t i = 0; i < dims->size(); ++i) {
      const Json* d = r.ObjectAt(*dims, i, "dimensions");
      if (!d) continue;
      const std::string at = Path("dimensions", i);
      rows.push_back(Td(Text(r.String(*d, "judge", at), 60)) + Td(Text(r.String(*d, "name", at), 60)) +
                     Td(Text(r.String(*d, "kind", at), 20)) + Num(report::Number(r.Number(*d, "min", at))) +
                     Num(report::Number(r.Number(*d, "max", at))));
    }
    body += Section("dimensions", "Dimensions", Table({"Judge", "Dimension", "Kind", "Min", "Max"}, rows));
    nav.push_back({"dimensions", "Dimensions"});
  }

  if (const Json* c = r.Object(summary, "consistency", "")) {
    std::string section = "<p>Each sample judged " + report::Count(r.Number(*c, "repeats", "consistency")) +
                          " times; " + report::Count(r.Number(*c, "units", "consistency")) +
                          " units (sample, item, dimension).</p>";
    report::BarChart spread;
    spread.title = "Spread of scores across repeats: mean standard deviation per dimension";
    spread.description = "Scale dimensions and the reward; the largest standard deviation is printed next to each bar.";
    spread.series = {"mean sd"};
    report::BarChart flips;
    flips.title = "Flip rate across repeats per binary dimension";
    flips.description = "Share of units whose verdict changed between repeats.";
    flips.series = {"flip rate"};
    flips.percent = true;
    flips.axis_lo = 0, flips.axis_hi = 1;
    std::vector<std::string> rows;
    if (const Json* dims = r.Array(*c, "dimensions", "consistency")) {
      for (std::size_t i = 0; i < dims->size(); ++i) {
        const Json* d = r.ObjectAt(*dims, i, "consistency.dimensions");
        if (!d) continue;
        const std::string at = Path("consistency.dimensions", i);
        const std::string name = r.String(*d, "name", at).value_or("?");
        const auto mean_sd = r.Number(*d, "mean_sd", at), max_sd = r.Number(*d, "max_sd", at);
        const auto flip = r.Number(*d, "flip_rate", at);
        if (mean_sd) {
          spread.groups.push_back({name, {{mean_sd, std::nullopt, std::nullopt, report::SeriesColour(0),
                                           report::Fixed(mean_sd, 3) + " (max " + report::Fixed(max_sd, 2) + ")", ""}}});
        }
        if (flip) flips.groups.push_back({name, {{flip, std::nullopt, std::nullopt, report::SeriesColour(1), "", ""}}});
        rows.push_back(Td(Text(name, 60)) + Td(Text(r.String(*d, "kind", at), 20)) +
                       Num(report::Count(r.Number(*d, "units", at))) + Num(report::Fixed(mean_sd, 3)) +
                       Num(report::Fixed(max_sd, 3)) + Num(report::Percent(flip)) +
                       Num(report::Count(r.Number(*d, "unstable", at))));
      }
    }
    if (!spread.groups.empty()) section += Figure(report::BarChartSvg(spread), Esc(spread.title) + ".");
    if (!flips.groups.empty()) section += Figure(report::BarChartSvg(flips), Esc(flips.title) + ".");
    if (!rows.empty()) {
      section += Table({"Dimension", "Kind", "Units", "Mean SD", "Max SD", "Flip rate", "Unstable units"}, rows);
    }
    if (const Json* units = r.Array(*c, "unstable", "consistency"); units && !units->empty()) {
      std::vector<std::string> unit_rows;
      for (std::size_t i = 0; i < units->size(); ++i) {
        const Json* u = r.ObjectAt(*units, i, "consistency.unstable");
        if (!u) continue;
        const std::string at = Path("consistency.unstable", i);
        std::string values;
        if (const Json* list = r.Array(*u, "values", at)) {
          for (std::size_t k = 0; k < list->size(); ++k) {
            values += (k ? ", " : "") + ValueText(r, (*list)[k], Path(at + ".values", k));
          }
        }
        unit_rows.push_back(Td(Text(r.String(*u, "id", at), 80)) + Num(report::Count(r.Number(*u, "item", at))) +
                            Td(Text(r.String(*u, "dimension", at), 60)) + Td(values.empty() ? report::kDash : values));
      }
      section += "<details><summary>Least stable units (" + std::to_string(unit_rows.size()) +
                 ", widest spread first)</summary>" + Table({"Id", "Item", "Dimension", "Values across repeats"}, unit_rows) +
                 "</details>";
    }
    body += Section("consistency", "Consistency", section);
    nav.push_back({"consistency", "Consistency"});
  }

  if (const Json* a = r.Object(summary, "agreement", "")) {
    std::string section;
    std::vector<std::string> rows;
    if (const Json* pairs = r.Array(*a, "pairs", "agreement")) {
      for (std::size_t i = 0; i < pairs->size(); ++i) {
        const Json* p = r.ObjectAt(*pairs, i, "agreement.pairs");
        if (!p) continue;
        const std::string at = Path("agreement.pairs", i);
        const auto exact = r.Number(*p, "exact", at), kappa = r.Number(*p, "kappa", at);
        const auto weighted = r.Number(*p, "weighted_kappa", at), spearman = r.Number(*p, "spearman", at);
        rows.push_back(Td(Text(r.String(*p, "a", at), 60)) + Td(Text(r.String(*p, "b", at), 60)) +
                       Td(Text(r.String(*p, "dimension", at), 60)) + Td(Text(r.String(*p, "kind", at), 20)) +
                       Num(report::Count(r.Number(*p, "n", at))) + HeatNum(exact, report::Percent(exact)) +
                       HeatNum(kappa, report::Fixed(kappa, 2)) + HeatNum(weighted, report::Fixed(weighted, 2)) +
                       HeatNum(spearman, report::Fixed(spearman, 2)));
      }
    }
    if (!rows.empty()) {
      section += Table({"Judge A", "Judge B", "Dimension", "Kind", "n", "Exact agreement", "\u03ba (binary)",
                        "Weighted \u03ba (scale)", "Spearman"},
                       rows) +
                 "<p class=\"note\">Cells shaded from red (below 0.2) to green (0.8 and above).</p>";
    }
    if (const Json* list = r.Array(*a, "disagreements", "agreement"); list && !list->empty()) {
      // One column per judge: the judges list first, then any other name in the values.
      std::vector<std::string> columns = judges;
      for (const auto& d : *list) {
        if (!d.is_object()) continue;
        const auto it = d.find("values");
        if (it == d.end() || !it->is_object()) continue;
        for (const auto& item : it->items()) {
          if (std::find(columns.begin(), columns.end(), item.key()) == columns.end()) columns.push_back(item.key());
        }
      }
      std::vector<std::string> dis_rows;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const Json* d = r.ObjectAt(*list, i, "agreement.disagreements");
        if (!d) continue;
        const std::string at = Path("agreement.disagreements", i);
        std::string row = Td(Text(r.String(*d, "id", at), 80)) + Num(report::Count(r.Number(*d, "item", at))) +
                          Td(Text(r.String(*d, "dimension", at), 60));
        const Json* values = r.Object(*d, "values", at);
        for (const auto& judge : columns) {
          const auto it = values ? values->find(judge) : Json::const_iterator{};
          row += Num(values && it != values->end() ? ValueText(r, *it, at + ".values") : report::kDash);
        }
        dis_rows.push_back(row);
      }
      std::vector<std::string> dis_header{"Id", "Item", "Dimension"};
      for (const auto& judge : columns) dis_header.push_back(Text(judge, 40));
      section += "<details><summary>Largest disagreements (" + std::to_string(dis_rows.size()) + ")</summary>" +
                 Table(dis_header, dis_rows) + "</details>";
    }
    body += Section("agreement", "Agreement between judges", section);
    nav.push_back({"agreement", "Agreement"});
  }

  if (const Json* cal = r.Object(summary, "calibration", "")) {
    std::string section = "<p>" + report::Count(r.Number(*cal, "labels", "calibration")) + " human labels, " +
                          report::Count(r.Number(*cal, "unmatched", "calibration")) + " without a matching judgement.</p>";
    report::BarChart bias;
    bias.title = "Bias per dimension: mean judge score minus mean human label";
    bias.description = "Right of the dashed line: the judge scores higher than people; left: lower.";
    bias.series = {"bias"};
    bias.reference = 0;
    bias.decimals = 2;
    std::vector<std::string> rows;
    std::string matrices;
    if (const Json* dims = r.Array(*cal, "dimensions", "calibration")) {
      for (std::size_t i = 0; i < dims->size(); ++i) {
        const Json* d = r.ObjectAt(*dims, i, "calibration.dimensions");
        if (!d) continue;
        const std::string at = Path("calibration.dimensions", i);
        const std::string name = r.String(*d, "name", at).value_or("?");
        const auto exact = r.Number(*d, "exact", at), kappa = r.Number(*d, "kappa", at);
        const auto weighted = r.Number(*d, "weighted_kappa", at), spearman = r.Number(*d, "spearman", at);
        const auto b = r.Number(*d, "bias", at);
        const std::string bias_text = report::FormatDiff({true, b, std::nullopt, std::nullopt, std::nullopt}, 2);
        if (b) bias.groups.push_back({name, {{b, std::nullopt, std::nullopt, report::SeriesColour(0), bias_text, ""}}});
        rows.push_back(Td(Text(name, 60)) + Td(Text(r.String(*d, "kind", at), 20)) +
                       Num(report::Count(r.Number(*d, "n", at))) + HeatNum(exact, report::Percent(exact)) +
                       HeatNum(kappa, report::Fixed(kappa, 2)) + HeatNum(weighted, report::Fixed(weighted, 2)) +
                       HeatNum(spearman, report::Fixed(spearman, 2)) + Num(bias_text));

        const Json* confusion = r.Object(*d, "confusion", at);
        if (!confusion) continue;
        const std::string cat_path = at + ".confusion";
        const Json* categories = r.Array(*confusion, "categories", cat_path);
        const Json* counts = r.Array(*confusion, "counts", cat_path);
        if (!categories || !counts) continue;
        std::vector<std::string> labels;
        for (std::size_t k = 0; k < categories->size(); ++k) {
          labels.push_back(ValueText(r, (*categories)[k], Path(cat_path + ".categories", k)));
        }
        std::vector<std::vector<std::optional<double>>> cells(labels.size(),
                                                              std::vector<std::optional<double>>(labels.size()));
        double max = 0;
        for (std::size_t row = 0; row < labels.size() && row < counts->size(); ++row) {
          const Json& line = (*counts)[row];
          if (!line.is_array()) {
            r.Note(Path(cat_path + ".counts", row) + " is " + report::TypeName(line) + ", expected an array");
            continue;
          }
          for (std::size_t col = 0; col < labels.size() && col < line.size(); ++col) {
            cells[row][col] = r.NumberValue(line[col], Path(Path(cat_path + ".counts", row), col));
            if (cells[row][col] && std::isfinite(*cells[row][col])) max = std::max(max, *cells[row][col]);
          }
        }
        const std::string rows_are = r.String(*confusion, "rows", cat_path).value_or("judge");
        const std::string columns_are = r.String(*confusion, "columns", cat_path).value_or("human");
        std::string m = "<table class=\"heat\"><caption>" + Text(name, 60) + "</caption><thead><tr><th scope=\"col\">" +
                        Text(rows_are, 20) + " \u2193 / " + Text(columns_are, 20) + " \u2192</th>";
        for (const auto& label : labels) m += "<th scope=\"col\">" + label + "</th>";
        m += "</tr></thead><tbody>";
        for (std::size_t row = 0; row < labels.size(); ++row) {
          m += "<tr><th scope=\"row\">" + labels[row] + "</th>";
          for (std::size_t col = 0; col < labels.size(); ++col) {
            const auto v = cells[row][col];
            const double alpha = v && max > 0 && std::isfinite(*v) ? std::clamp(*v / max, 0.0, 1.0) * 0.85 : 0;
            char style[96];
            std::snprintf(style, sizeof style, "background:rgba(0,114,178,%.2f);color:%s", alpha,
                          alpha > 0.45 ? "#fff" : "#1f2328");
            m += "<td" + std::string(row == col ? " class=\"diag\"" : "") + " style=\"" + style + "\">" +
                 report::Count(v) + "</td>";
          }
          m += "</tr>";
        }
        matrices += m + "</tbody></table>";
      }
    }
    if (!rows.empty()) {
      section += Table({"Dimension", "Kind", "n", "Exact agreement", "\u03ba (binary)", "Weighted \u03ba (scale)",
                        "Spearman", "Bias"},
                       rows);
    }
    if (!bias.groups.empty()) section += Figure(report::BarChartSvg(bias), Esc(bias.title) + ".");
    if (!matrices.empty()) {
      section += "<h3>Confusion matrices</h3><p class=\"note\">Counts of (judge, human) pairs; darker is more; the "
                 "diagonal (agreement) is outlined.</p><div class=\"matrices\">" + matrices + "</div>";
    }
    body += Section("calibration", "Calibration against human labels", section);
    nav.push_back({"calibration", "Calibration"});
  }

  if (const Json* reg = r.Object(summary, "regression", "")) {
    const auto failed = r.Number(*reg, "failed", "regression");
    std::string section = "<p>" + report::Count(r.Number(*reg, "cases", "regression")) + " cases, " +
                          report::Count(failed) + " failed.</p>";
    std::vector<std::string> rows;
    if (const Json* results = r.Array(*reg, "results", "regression")) {
      for (std::size_t i = 0; i < results->size(); ++i) {
        const Json* c = r.ObjectAt(*results, i, "regression.results");
        if (!c) continue;
        const std::string at = Path("regression.results", i);
        rows.push_back(Td(Badge(r.Bool(*c, "passed", at))) + Td(Text(r.String(*c, "id", at), 80)) +
                       Td(Text(r.String(*c, "expected", at), 120)) + Td(Text(r.String(*c, "got", at), 120)) +
                       "<td class=\"wide\">" + Text(r.String(*c, "reason", at), 600) + "</td>");
      }
    }
    if (!rows.empty()) section += Table({"Result", "Case", "Expected", "Got", "Reason"}, rows);
    body += Section("regression", "Regression suite", section);
    nav.push_back({"regression", "Regression"});
  }

  if (const Json* h = r.Object(summary, "hacking", "")) {
    std::string section = "<p>Reward against answer length: Spearman <strong>" +
                          report::Fixed(r.Number(*h, "length_spearman", "hacking"), 2) + "</strong>, Pearson <strong>" +
                          report::Fixed(r.Number(*h, "length_pearson", "hacking"), 2) + "</strong> over " +
                          report::Count(r.Number(*h, "samples", "hacking")) + " samples.</p>";
    if (const Json* bins = r.Array(*h, "length_bins", "hacking"); bins && !bins->empty()) {
      report::BarChart chart;
      chart.title = "Mean reward by answer length (quintiles of bytes)";
      chart.description = "A rising staircase means longer answers earn more reward.";
      chart.series = {"mean reward"};
      for (std::size_t i = 0; i < bins->size(); ++i) {
        const Json* b = r.ObjectAt(*bins, i, "hacking.length_bins");
        if (!b) continue;
        const std::string at = Path("hacking.length_bins", i);
        const auto mean = r.Number(*b, "mean_reward", at);
        chart.groups.push_back({report::Count(r.Number(*b, "lo_bytes", at)) + "\u2013" +
                                    report::Count(r.Number(*b, "hi_bytes", at)) + " B",
                                {{mean, std::nullopt, std::nullopt, report::SeriesColour(0),
                                  report::Fixed(mean, 3) + " (n=" + report::Count(r.Number(*b, "n", at)) + ")", ""}}});
      }
      section += Figure(report::BarChartSvg(chart), Esc(chart.title) + "; n: samples in the bin.");
    }
    if (const Json* flags = r.Array(*h, "flags", "hacking"); flags && !flags->empty()) {
      std::vector<std::string> rows;
      for (std::size_t i = 0; i < flags->size(); ++i) {
        const Json* f = r.ObjectAt(*flags, i, "hacking.flags");
        if (!f) continue;
        const std::string at = Path("hacking.flags", i);
        rows.push_back(Td(Text(r.String(*f, "id", at), 80)) + Num(report::Fixed(r.Number(*f, "reward", at), 3)) +
                       Td(Text(r.String(*f, "kind", at), 40)) + "<td class=\"wide\">" +
                       Text(r.String(*f, "detail", at), 600) + "</td>");
      }
      section += "<h3>Flagged samples</h3><p class=\"note\">High reward that fails a check, or text aimed at the "
                 "judge.</p>" + Table({"Id", "Reward", "Flag", "Detail"}, rows);
    }
    body += Section("hacking", "Reward hacking signals", section);
    nav.push_back({"hacking", "Hacking"});
  }

  return Page(Title("judge-eval", rubric_name, r.Bool(summary, "passed", "")), page_header, Nav(nav), r, body);
}

}  // namespace

std::string RenderHtml(const nlohmann::json& summary) {
  Reader r;
  std::string problem;
  const std::string kind = report::KindOf(summary, problem);
  if (kind == "bench") return RenderBench(r, summary);
  if (kind == "judge-eval") return RenderJudgeEval(r, summary);
  const std::string header = "<h1>gavel report: cannot read this summary " + Badge(std::nullopt) + "</h1>";
  return Page("gavel report \u2014 unreadable summary", header, "", r,
              "<p role=\"alert\">" + Esc(problem) + ". Nothing else is shown.</p>");
}

}  // namespace gavel::offline
