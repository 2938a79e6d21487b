// Internals shared by the Markdown and HTML reports (gavel/offline/report.h): cleaning and
// escaping untrusted text, formatting numbers, reading the summary JSON without trusting its
// shape, and the inline SVG charts of the HTML report.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gavel::offline::report {

using Json = nlohmann::json;

// ---- Untrusted text ------------------------------------------------------------------------

// Valid UTF-8 with "\r\n" and "\r" as "\n"; invalid bytes, control characters other than "\n"
// and "\t", and bidirectional overrides and isolates become U+FFFD.
std::string CleanText(std::string_view text);

// At most `max_chars` code points of (clean) `text`, the last one "…" when it was cut.
std::string Shorten(std::string_view text, std::size_t max_chars);

// For HTML text and double- or single-quoted attribute values: & < > " ' as entities.
std::string EscapeHtml(std::string_view text);

// For GitHub Markdown inline text and table cells: Markdown punctuation is backslash-escaped,
// & < > become entities, a newline becomes <br>, so a cell stays one cell on one line.
std::string EscapeMarkdown(std::string_view text);

// ---- Numbers -------------------------------------------------------------------------------

inline constexpr const char* kDash = "\u2013";  // what an absent, null or non-finite number prints as

std::string Fixed(std::optional<double> value, int decimals);     // "0.612"
std::string Count(std::optional<double> value);                   // "90,000"; a fraction as Fixed(.., 2)
std::string Percent(std::optional<double> value, int decimals = 1);  // 0.923 -> "92.3%"
std::string Usd(std::optional<double> value);                     // "$0.12", "$0.0040"
// A number of unknown scale: whole numbers as Count, others with 3 significant decimals.
std::string Number(std::optional<double> value);

struct Interval {
  bool present = false;  // the object was there (its numbers may still be null)
  std::optional<double> estimate, lo, hi, n;
};

// "0.612 [0.551, 0.670]", as percentages when `percent`; "–" when there is no estimate.
std::string FormatInterval(const Interval& interval, bool percent, int decimals = 3);

// A difference: "+0.100 [+0.030, +0.160]".
std::string FormatDiff(const Interval& interval, int decimals = 3);

// Of a candidate-minus-baseline interval: "better (interval above 0)", "worse (interval below
// 0)", "no clear difference", or "no interval" when a bound is missing.
std::string Verdict(const Interval& diff);
// +1 above zero, -1 below zero, 0 otherwise.
int VerdictSign(const Interval& diff);

// ---- Reading the summary -------------------------------------------------------------------

std::string TypeName(const Json& value);  // "an object", "a string", ...

// Reads fields of the summary, returning nothing for absent and null values and noting values of
// the wrong type (by their path, e.g. "checkpoints[0].reward.lo") so the report can list them.
class Reader {
 public:
  const Json* Object(const Json& parent, std::string_view key, const std::string& path);
  const Json* Array(const Json& parent, std::string_view key, const std::string& path);
  // The element of an array that should be an object.
  const Json* ObjectAt(const Json& array, std::size_t index, const std::string& path);
  std::optional<double> Number(const Json& parent, std::string_view key, const std::string& path);
  std::optional<double> NumberValue(const Json& value, const std::string& path);
  std::optional<bool> Bool(const Json& parent, std::string_view key, const std::string& path);
  // A string (cleaned); a number is accepted too and printed, since ids may be numeric.
  std::optional<std::string> String(const Json& parent, std::string_view key, const std::string& path);
  std::optional<std::string> StringValue(const Json& value, const std::string& path);
  Interval IntervalOf(const Json& parent, std::string_view key, const std::string& path);

  void Note(std::string problem);
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::vector<std::string> notes_;
};

// The rates the checkpoints of a bench summary report: the known ones in their order, then any
// other a checkpoint has; `present` holds those with a value in at least one checkpoint.
struct RateKeys {
  std::vector<std::string> keys;
  std::set<std::string> present;
};
// `checkpoints`: each checkpoint's object and its path in the summary.
RateKeys CollectRateKeys(Reader& r, const std::vector<std::pair<const Json*, std::string>>& checkpoints);

// The summary's kind, or a problem ("the summary has no \"kind\"") in `problem`.
std::string KindOf(const Json& summary, std::string& problem);

// ---- SVG charts ----------------------------------------------------------------------------
// Every chart is an inline <svg role="img"> with a <title> and a <desc>; all text is escaped.

// Colours of the checkpoints (Okabe-Ito, readable for colour-blind readers), cycled.
std::string SeriesColour(std::size_t index);
inline constexpr const char* kGood = "#1a7f37";
inline constexpr const char* kBad = "#cf222e";
inline constexpr const char* kNeutral = "#6e7781";

struct ChartBar {
  std::optional<double> value, lo, hi;  // lo/hi: the whisker, when both are there
  std::string colour;                   // empty: the series' colour
  std::string text;                     // the value printed at the right; empty: the value
  std::string tip;                      // a tooltip (<title>); empty: the group and series
};

struct ChartGroup {
  std::string label;
  std::vector<ChartBar> bars;  // one per series
};

struct BarChart {
  std::string title;
  std::string description;
  std::vector<std::string> series;  // names; a bar's colour is SeriesColour(index) unless set
  std::vector<ChartGroup> groups;
  std::optional<double> axis_lo, axis_hi;  // default: the data's range, and 0
  bool percent = false;                    // values are proportions, printed as %
  int decimals = 3;
  std::optional<double> reference;  // a dashed vertical line (e.g. 0 for differences)
};

// Horizontal bars from the zero line (or the axis start), with interval whiskers.
std::string BarChartSvg(const BarChart& chart);

struct HistogramChart {
  std::string title;
  std::string description;
  std::vector<std::optional<double>> counts;
  double lo = 0, hi = 1;
  double max_share = 0;  // the y axis' top as a share of samples (common across small multiples)
  std::string colour;
  std::optional<double> mean;     // a solid marker line
  std::optional<double> neutral;  // a dashed marker line
};

// Columns of the share of samples per bin.
std::string HistogramSvg(const HistogramChart& chart);

}  // namespace gavel::offline::report
