#include "report_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "gavel/utf8.h"

namespace gavel::offline::report {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool Unwanted(std::uint32_t cp) {
  if (cp == '\n' || cp == '\t') return false;
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;      // C0, DEL, C1 controls
  if (cp >= 0x202A && cp <= 0x202E) return true;                 // bidi embeddings, overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true;                 // bidi isolates
  return false;
}

std::string Format(const char* format, int decimals, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, decimals, value);
  std::string text = buffer;
  // "-0.000" is zero.
  if (text.size() > 1 && text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

std::string Group(std::string digits) {
  std::string sign;
  if (!digits.empty() && digits[0] == '-') sign = "-", digits.erase(0, 1);
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[i];
    if (i + 1 < n && (n - i - 1) % 3 == 0) out += ',';
  }
  return sign + out;
}

bool Finite(const std::optional<double>& v) { return v && std::isfinite(*v); }

}  // namespace

// ---- Untrusted text ------------------------------------------------------------------------

std::string CleanText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Step step = DecodeUtf8At(text, i);
    if (!step.valid) {  // replaced byte by byte
      out += kReplacement;
      ++i;
      continue;
    }
    const std::uint32_t cp = step.code_point;
    const std::size_t length = step.length;
    if (cp == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (cp == 0x2028 || cp == 0x2029) {
      out += '\n';
    } else if (Unwanted(cp)) {
      out += kReplacement;
    } else {
      AppendUtf8(out, cp);
    }
    i += length;
  }
  return out;
}

std::string Shorten(std::string_view text, std::size_t max_chars) {
  const std::string clean = CleanText(text);
  if (max_chars == 0) return "";
  std::size_t chars = 0;
  std::size_t cut = std::string::npos;  // byte offset after max_chars - 1 code points
  for (std::size_t i = 0; i < clean.size(); ++i) {
    if ((static_cast<unsigned char>(clean[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars - 1) cut = i;
    if (++chars > max_chars) return clean.substr(0, cut) + "\u2026";
  }
  return clean;
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
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

std::string EscapeMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n': out += "<br>"; break;
      case '\t': out += ' '; break;
      case '\\': case '|': case '`': case '*': case '_': case '[': case ']': case '~': case '#':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

// ---- Numbers -------------------------------------------------------------------------------

std::string Fixed(std::optional<double> value, int decimals) {
  if (!Finite(value)) return kDash;
  return Format("%.*f", decimals, *value);
}

std::string Count(std::optional<double> value) {
  if (!Finite(value)) return kDash;
  if (std::fabs(*value) < 1e15 && std::floor(*value) == *value) return Group(Format("%.*f", 0, *value));
  return Fixed(value, 2);
}

std::string Percent(std::optional<double> value, int decimals) {
  if (!Finite(value)) return kDash;
  return Format("%.*f", decimals, *value * 100) + "%";
}

std::string Usd(std::optional<double> value) {
  if (!Finite(value)) return kDash;
  const double v = *value;
  return "$" + Format("%.*f", v != 0 && std::fabs(v) < 0.01 ? 4 : 2, v);
}

std::string Number(std::optional<double> value) {
  if (!Finite(value)) return kDash;
  if (std::fabs(*value) < 1e15 && std::floor(*value) == *value) return Count(value);
  return std::fabs(*value) < 100 ? Fixed(value, 3) : Fixed(value, 1);
}

std::string FormatInterval(const Interval& interval, bool percent, int decimals) {
  if (!Finite(interval.estimate)) return kDash;
  const auto number = [&](std::optional<double> v) {
    if (!percent) return Fixed(v, decimals);
    return Finite(v) ? Format("%.*f", 1, *v * 100) : std::string(kDash);
  };
  std::string text = percent ? Percent(interval.estimate) : Fixed(interval.estimate, decimals);
  if (Finite(interval.lo) || Finite(interval.hi)) text += " [" + number(interval.lo) + ", " + number(interval.hi) + "]";
  return text;
}

std::string FormatDiff(const Interval& interval, int decimals) {
  const auto number = [&](std::optional<double> v) {
    std::string text = Fixed(v, decimals);
    if (Finite(v) && text[0] != '-' && text.find_first_not_of("0.") != std::string::npos) text = "+" + text;
    return text;
  };
  if (!Finite(interval.estimate)) return kDash;
  std::string text = number(interval.estimate);
  if (Finite(interval.lo) || Finite(interval.hi)) text += " [" + number(interval.lo) + ", " + number(interval.hi) + "]";
  return text;
}

int VerdictSign(const Interval& diff) {
  if (Finite(diff.lo) && *diff.lo > 0) return 1;
  if (Finite(diff.hi) && *diff.hi < 0) return -1;
  return 0;
}

std::string Verdict(const Interval& diff) {
  if (!Finite(diff.lo) || !Finite(diff.hi)) return "no interval";
  switch (VerdictSign(diff)) {
    case 1: return "better (interval above 0)";
    case -1: return "worse (interval below 0)";
    default: return "no clear difference";
  }
}

// ---- Reading the summary -------------------------------------------------------------------

std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::binary: return "binary data";
    case Json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

namespace {

const Json* Present(const Json& parent, std::string_view key) {
  if (!parent.is_object()) return nullptr;
  const auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

}  // namespace

void Reader::Note(std::string problem) {
  if (std::find(notes_.begin(), notes_.end(), problem) == notes_.end()) notes_.push_back(std::move(problem));
}

const Json* Reader::Object(const Json& parent, std::string_view key, const std::string& path) {
  const Json* value = Present(parent, key);
  if (value && !value->is_object()) {
    Note(Join(path, key) + " is " + TypeName(*value) + ", expected an object");
    return nullptr;
  }
  return value;
}

const Json* Reader::Array(const Json& parent, std::string_view key, const std::string& path) {
  const Json* value = Present(parent, key);
  if (value && !value->is_array()) {
    Note(Join(path, key) + " is " + TypeName(*value) + ", expected an array");
    return nullptr;
  }
  return value;
}

const Json* Reader::ObjectAt(const Json& array, std::size_t index, const std::string& path) {
  if (!array.is_array() || index >= array.size()) return nullptr;
  const Json& value = array[index];
  if (!value.is_object()) {
    Note(path + "[" + std::to_string(index) + "] is " + TypeName(value) + ", expected an object");
    return nullptr;
  }
  return &value;
}

std::optional<double> Reader::NumberValue(const Json& value, const std::string& path) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_number()) {
    Note(path + " is " + TypeName(value) + ", expected a number");
    return std::nullopt;
  }
  return value.get<double>();
}

std::optional<double> Reader::Number(const Json& parent, std::string_view key, const std::string& path) {
  const Json* value = Present(parent, key);
  if (!value) return std::nullopt;
  return NumberValue(*value, Join(path, key));
}

std::optional<bool> Reader::Bool(const Json& parent, std::string_view key, const std::string& path) {
  const Json* value = Present(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) {
    Note(Join(path, key) + " is " + TypeName(*value) + ", expected true or false");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::string> Reader::StringValue(const Json& value, const std::string& path) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return CleanText(value.get_ref<const std::string&>());
  if (value.is_number()) return report::Number(value.get<double>());
  Note(path + " is " + TypeName(value) + ", expected a string");
  return std::nullopt;
}

std::optional<std::string> Reader::String(const Json& parent, std::string_view key, const std::string& path) {
  const Json* value = Present(parent, key);
  if (!value) return std::nullopt;
  return StringValue(*value, Join(path, key));
}

Interval Reader::IntervalOf(const Json& parent, std::string_view key, const std::string& path) {
  Interval interval;
  const std::string at = Join(path, key);
  const Json* object = key.empty() ? (parent.is_object() ? &parent : nullptr) : Object(parent, key, path);
  if (!object) return interval;
  const std::string& base = key.empty() ? path : at;
  interval.present = true;
  interval.estimate = Number(*object, "estimate", base);
  interval.lo = Number(*object, "lo", base);
  interval.hi = Number(*object, "hi", base);
  interval.n = Number(*object, "n", base);
  return interval;
}

std::string KindOf(const Json& summary, std::string& problem) {
  problem.clear();
  if (!summary.is_object()) {
    problem = "the summary is " + TypeName(summary) + ", not an object with a \"kind\" (\"bench\" or \"judge-eval\")";
    return "";
  }
  const auto it = summary.find("kind");
  if (it == summary.end() || it->is_null()) {
    problem = "the summary has no \"kind\" (expected \"bench\" or \"judge-eval\")";
    return "";
  }
  if (!it->is_string()) {
    problem = "the summary's \"kind\" is " + TypeName(*it) + ", expected \"bench\" or \"judge-eval\"";
    return "";
  }
  const std::string& kind = it->get_ref<const std::string&>();
  if (kind != "bench" && kind != "judge-eval") {
    problem = "the summary's kind \"" + Shorten(kind, 60) + "\" is not one this report knows (\"bench\" or \"judge-eval\")";
    return "";
  }
  return kind;
}

// ---- SVG charts ----------------------------------------------------------------------------

std::string SeriesColour(std::size_t index) {
  static const char* const kColours[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#5e3c99"};
  return kColours[index % (sizeof kColours / sizeof kColours[0])];
}

namespace {

std::string Px(double v) { return Format("%.*f", 1, v); }

// Tick step of about `range / 4`: 1, 2, 2.5 or 5 times a power of ten.
double NiceStep(double range) {
  const double raw = range / 4;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

std::string TickLabel(double v, bool percent, double step) {
  if (percent) return Format("%.*f", step * 100 < 1 ? 1 : 0, v * 100) + "%";
  int decimals = 0;  // enough for the step: 0.25 needs 2
  while (decimals < 4 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6) {
    ++decimals;
  }
  std::string text = Format("%.*f", decimals, v);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string SvgOpen(double width, double height, const std::string& title, const std::string& description) {
  std::string out = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " + Px(width) + " " + Px(height) + "\" width=\"" +
                    Px(width) + "\" height=\"" + Px(height) + "\" font-size=\"11\">";
  out += "<title>" + EscapeHtml(title) + "</title>";
  if (!description.empty()) out += "<desc>" + EscapeHtml(description) + "</desc>";
  return out;
}

std::string Text(double x, double y, const std::string& text, const char* anchor, const char* extra = "") {
  return "<text x=\"" + Px(x) + "\" y=\"" + Px(y) + "\" text-anchor=\"" + anchor + "\"" + extra + ">" +
         EscapeHtml(text) + "</text>";
}

std::string Line(double x1, double y1, double x2, double y2, const char* stroke, const char* extra = "") {
  return "<line x1=\"" + Px(x1) + "\" y1=\"" + Px(y1) + "\" x2=\"" + Px(x2) + "\" y2=\"" + Px(y2) + "\" stroke=\"" +
         stroke + "\"" + extra + "/>";
}

std::size_t CodePoints(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string BarChartSvg(const BarChart& chart) {
  constexpr double kWidth = 720, kValueWidth = 150, kTop = 6, kAxisHeight = 22;
  const bool multi = chart.series.size() > 1;
  const double bar_height = multi ? 13 : 16, bar_gap = 3, group_gap = multi ? 10 : 6;

  // Axis range: the data and zero, widened to whole ticks.
  double lo = chart.axis_lo.value_or(0), hi = chart.axis_hi.value_or(0);
  if (!chart.axis_lo) lo = std::min(lo, 0.0);
  if (!chart.axis_hi) hi = std::max(hi, chart.percent ? 1.0 : 0.0);
  bool any = false;
  for (const auto& group : chart.groups) {
    for (const auto& bar : group.bars) {
      for (const auto& v : {bar.value, bar.lo, bar.hi}) {
        if (!Finite(v)) continue;
        any = true;
        lo = std::min(lo, *v);
        hi = std::max(hi, *v);
      }
    }
  }
  if (chart.reference) lo = std::min(lo, *chart.reference), hi = std::max(hi, *chart.reference);
  if (!(hi > lo)) hi = lo + 1;
  const double step = NiceStep(hi - lo);
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;

  // Legend (several series) and label column.
  std::string legend;
  double legend_height = 0;
  if (multi) {
    double x = 0, y = 12;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const std::string name = Shorten(chart.series[s], 28);
      const double w = 18 + 6.4 * static_cast<double>(CodePoints(name)) + 14;
      if (x > 0 && x + w > kWidth) x = 0, y += 16;
      legend += "<rect x=\"" + Px(x) + "\" y=\"" + Px(y - 9) + "\" width=\"11\" height=\"11\" rx=\"2\" fill=\"" +
                SeriesColour(s) + "\"/>" + Text(x + 15, y, name, "start");
      x += w;
    }
    legend_height = y + 10;
  }
  std::size_t longest = 4;
  for (const auto& group : chart.groups) longest = std::max(longest, CodePoints(Shorten(group.label, 30)));
  const double label_width = std::clamp(6.4 * static_cast<double>(longest) + 14, 70.0, 210.0);
  const double x0 = label_width, x1 = kWidth - kValueWidth - 8;
  const auto X = [&](double v) { return x0 + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (x1 - x0); };

  double y = kTop + legend_height;
  const double plot_top = y;
  std::string body;
  for (const auto& group : chart.groups) {
    const double group_top = y;
    for (std::size_t b = 0; b < group.bars.size(); ++b) {
      const ChartBar& bar = group.bars[b];
      const std::string colour = !bar.colour.empty() ? bar.colour : SeriesColour(b);
      const std::string series = b < chart.series.size() ? chart.series[b] : "";
      std::string tip = bar.tip;
      const std::string value_text =
          !bar.text.empty() ? bar.text
                            : FormatInterval({true, bar.value, bar.lo, bar.hi, std::nullopt}, chart.percent, chart.decimals);
      if (tip.empty()) tip = group.label + (multi ? " \u2014 " + series : "") + ": " + value_text;
      body += "<g><title>" + EscapeHtml(Shorten(tip, 300)) + "</title>";
      const double cy = y + bar_height / 2;
      if (Finite(bar.value)) {
        const double base = X(std::clamp(0.0, lo, hi)), end = X(*bar.value);
        const double left = std::min(base, end), width = std::max(std::fabs(end - base), 1.5);
        body += "<rect x=\"" + Px(left) + "\" y=\"" + Px(y) + "\" width=\"" + Px(width) + "\" height=\"" +
                Px(bar_height) + "\" rx=\"2\" fill=\"" + colour + "\" fill-opacity=\"0.82\"/>";
        if (Finite(bar.lo) && Finite(bar.hi)) {
          const double wl = X(*bar.lo), wh = X(*bar.hi);
          body += Line(wl, cy, wh, cy, "#24292f", " stroke-width=\"1.5\"");
          body += Line(wl, cy - 4, wl, cy + 4, "#24292f", " stroke-width=\"1.5\"");
          body += Line(wh, cy - 4, wh, cy + 4, "#24292f", " stroke-width=\"1.5\"");
        }
      }
      body += Text(x1 + 10, cy + 4, Finite(bar.value) ? value_text : "n/a", "start",
                   Finite(bar.value) ? "" : " fill=\"#6e7781\"");
      body += "</g>";
      y += bar_height + bar_gap;
    }
    const double group_mid = (group_top + y - bar_gap) / 2;
    body += "<g><title>" + EscapeHtml(Shorten(group.label, 300)) + "</title>" +
            Text(x0 - 8, group_mid + 4, Shorten(group.label, 30), "end", " fill=\"#24292f\"") + "</g>";
    y += group_gap;
  }
  if (chart.groups.empty() || !any) {
    body += Text((x0 + x1) / 2, y + 14, "no data", "middle", " fill=\"#6e7781\"");
    y += 24;
  }
  const double plot_bottom = y - group_gap + 2;

  std::string grid;
  for (double t = lo; t <= hi + step / 2; t += step) {
    const double x = X(t);
    grid += Line(x, plot_top - 2, x, plot_bottom, "#d0d7de", " stroke-width=\"1\"");
    grid += Text(x, plot_bottom + 14, TickLabel(t, chart.percent, step), "middle", " fill=\"#57606a\"");
  }
  if (chart.reference && *chart.reference >= lo && *chart.reference <= hi) {
    const double x = X(*chart.reference);
    grid += Line(x, plot_top - 4, x, plot_bottom, "#24292f", " stroke-width=\"1.2\" stroke-dasharray=\"4 3\"");
  }

  const double height = plot_bottom + kAxisHeight;
  return SvgOpen(kWidth, height, chart.title, chart.description) + legend + grid + body + "</svg>";
}

std::string HistogramSvg(const HistogramChart& chart) {
  constexpr double kWidth = 330, kHeight = 150, kLeft = 40, kRight = 10, kTop = 18, kBottom = 26;
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kTop, y1 = kHeight - kBottom;
  double total = 0;
  for (const auto& c : chart.counts) total += Finite(c) ? std::max(0.0, *c) : 0;
  const double lo = std::isfinite(chart.lo) ? chart.lo : 0;
  double hi = std::isfinite(chart.hi) ? chart.hi : 1;
  if (!(hi > lo)) hi = lo + 1;
  double top = chart.max_share;
  for (const auto& c : chart.counts) {
    if (Finite(c) && total > 0) top = std::max(top, *c / total);
  }
  if (!(top > 0)) top = 1;
  const auto X = [&](double v) { return x0 + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (x1 - x0); };

  std::string out = SvgOpen(kWidth, kHeight, chart.title, chart.description);
  out += Line(x0, y1, x1, y1, "#8c959f");
  out += Line(x0, y0, x1, y0, "#d0d7de");
  out += Text(x0 - 4, y0 + 4, Percent(top, top < 0.1 ? 1 : 0), "end", " fill=\"#57606a\"");
  out += Text(x0 - 4, y1 + 4, "0%", "end", " fill=\"#57606a\"");
  const std::size_t bins = chart.counts.size();
  for (std::size_t i = 0; i < bins; ++i) {
    const double count = Finite(chart.counts[i]) ? std::max(0.0, *chart.counts[i]) : 0;
    const double share = total > 0 ? count / total : 0;
    const double b_lo = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(bins);
    const double b_hi = lo + (hi - lo) * static_cast<double>(i + 1) / static_cast<double>(bins);
    const double h = share / top * (y1 - y0);
    out += "<g><title>" + EscapeHtml(Number(b_lo) + "\u2013" + Number(b_hi) + ": " + Count(count) + " samples (" +
                                     Percent(share) + ")") +
           "</title><rect x=\"" + Px(X(b_lo) + 0.5) + "\" y=\"" + Px(y1 - h) + "\" width=\"" +
           Px(std::max(X(b_hi) - X(b_lo) - 1, 0.5)) + "\" height=\"" + Px(h) + "\" fill=\"" + chart.colour +
           "\"/></g>";
  }
  for (double v : {lo, (lo + hi) / 2, hi}) {
    out += Text(X(v), y1 + 14, TickLabel(v, false, (hi - lo) / 20), "middle", " fill=\"#57606a\"");
  }
  if (chart.neutral && std::isfinite(*chart.neutral) && *chart.neutral >= lo && *chart.neutral <= hi) {
    out += "<g><title>neutral " + EscapeHtml(Number(*chart.neutral)) + "</title>" +
           Line(X(*chart.neutral), y0, X(*chart.neutral), y1, "#6e7781", " stroke-width=\"1.2\" stroke-dasharray=\"3 3\"") +
           "</g>";
  }
  if (chart.mean && std::isfinite(*chart.mean)) {
    const double x = X(*chart.mean);
    out += Line(x, y0 - 2, x, y1, "#24292f", " stroke-width=\"1.5\"");
    const char* anchor = x > (x0 + x1) / 2 ? "end" : "start";
    out += Text(x + (anchor[0] == 'e' ? -3 : 3), y0 - 6, "mean " + Fixed(*chart.mean, 3), anchor, " fill=\"#24292f\"");
  }
  if (total == 0) out += Text((x0 + x1) / 2, (y0 + y1) / 2, "no samples", "middle", " fill=\"#6e7781\"");
  return out + "</svg>";
}

RateKeys CollectRateKeys(Reader& r, const std::vector<std::pair<const Json*, std::string>>& checkpoints) {
  RateKeys out;
  out.keys = {"schema_valid", "safety_violation", "language_match", "neutral"};
  for (const auto& [json, path] : checkpoints) {
    if (const Json* rates = r.Object(*json, "rates", path)) {
      for (const auto& [key, value] : rates->items()) {
        if (!value.is_null()) out.present.insert(key);
        if (std::find(out.keys.begin(), out.keys.end(), key) == out.keys.end()) out.keys.push_back(key);
      }
    }
  }
  return out;
}

}  // namespace gavel::offline::report
