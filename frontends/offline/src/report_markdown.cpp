// The Markdown report: GitHub-flavoured, for pasting into a pull request.
#include <algorithm>
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

// Untrusted text for a table cell or a line: cleaned, shortened, escaped.
std::string Md(const std::string& text, std::size_t max_chars = 80) {
  return report::EscapeMarkdown(report::Shorten(text, max_chars));
}
std::string Md(const std::optional<std::string>& text, std::size_t max_chars = 80) {
  return text && !text->empty() ? Md(*text, max_chars) : report::kDash;
}

std::string Path(const std::string& array, std::size_t index) { return array + "[" + std::to_string(index) + "]"; }

class Table {
 public:
  // `numeric`: one letter per column, 'r' for a right-aligned (numeric) column, anything else left.
  Table(std::vector<std::string> header, std::string numeric) : header_(std::move(header)), numeric_(std::move(numeric)) {}
  void Row(std::vector<std::string> cells) {
    cells.resize(header_.size());
    for (auto& cell : cells) {
      if (cell.empty()) cell = report::kDash;
    }
    rows_.push_back(std::move(cells));
  }
  bool empty() const { return rows_.empty(); }
  std::string Render() const {
    std::string out = Line(header_);
    out += "|";
    for (std::size_t i = 0; i < header_.size(); ++i) out += i < numeric_.size() && numeric_[i] == 'r' ? " ---: |" : " --- |";
    out += "\n";
    for (const auto& row : rows_) out += Line(row);
    return out;
  }

 private:
  static std::string Line(const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& cell : cells) out += " " + cell + " |";
    return out + "\n";
  }
  std::vector<std::string> header_;
  std::string numeric_;
  std::vector<std::vector<std::string>> rows_;
};

std::string PassFail(std::optional<bool> passed) {
  if (!passed) return report::kDash;
  return *passed ? "✅ pass" : "❌ fail";
}

std::string Headline(const char* tool, std::optional<bool> passed) {
  std::string verdict = !passed ? "⚪ **no verdict**" : *passed ? "✅ **PASSED**" : "❌ **FAILED**";
  return verdict + " · gavel " + tool;
}

// "gavel 0.1.0 · 2026-11-23T21:30:00Z · rubric contract-review (rubrics/x.lua)"
std::string Provenance(Reader& r, const Json& summary) {
  std::vector<std::string> parts;
  if (auto v = r.String(summary, "gavel_version", "")) parts.push_back("gavel " + Md(*v, 40));
  if (auto v = r.String(summary, "created", "")) parts.push_back(Md(*v, 40));
  if (const Json* rubric = r.Object(summary, "rubric", "")) {
    std::string text = "rubric " + Md(r.String(*rubric, "name", "rubric"), 60);
    if (auto file = r.String(*rubric, "file", "rubric")) text += " (" + Md(*file, 80) + ")";
    parts.push_back(text);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " · ") + p;
  return out;
}

std::string Gates(Reader& r, const Json& summary, bool with_checkpoint) {
  const Json* gates = r.Array(summary, "gates", "");
  if (!gates || gates->empty()) return "";
  Table table(with_checkpoint ? std::vector<std::string>{"Gate", "Checkpoint", "Result", "Message"}
                              : std::vector<std::string>{"Gate", "Result", "Message"},
              "");
  for (std::size_t i = 0; i < gates->size(); ++i) {
    const std::string path = Path("gates", i);
    const Json* gate = r.ObjectAt(*gates, i, "gates");
    if (!gate) continue;
    std::vector<std::string> row{Md(r.String(*gate, "check", path))};
    if (with_checkpoint) row.push_back(Md(r.String(*gate, "checkpoint", path), 40));
    row.push_back(PassFail(r.Bool(*gate, "passed", path)));
    row.push_back(Md(r.String(*gate, "message", path), 160));
    table.Row(std::move(row));
  }
  return "\n### Gates\n\n" + table.Render();
}

std::string Problems(const Reader& r) {
  if (r.notes().empty()) return "";
  std::string out = "\n### Summary problems\n\nThese parts of the summary could not be read and are shown as "
                    "\u2013 or left out:\n\n";
  constexpr std::size_t kMax = 20;
  for (std::size_t i = 0; i < r.notes().size() && i < kMax; ++i) out += "- " + Md(r.notes()[i], 200) + "\n";
  if (r.notes().size() > kMax) out += "- and " + std::to_string(r.notes().size() - kMax) + " more\n";
  return out;
}

// ---- bench ---------------------------------------------------------------------------------

struct Checkpoint {
  const Json* json;
  std::string path;
  std::string name;  // escaped
};

std::string RenderBench(Reader& r, const Json& summary) {
  std::string out = Headline("bench", r.Bool(summary, "passed", ""));
  const auto confidence = r.Number(summary, "confidence", "");
  const std::string ci = report::Percent(confidence.value_or(0.95), 0) + " CI";

  std::vector<Checkpoint> checkpoints;
  if (const Json* list = r.Array(summary, "checkpoints", "")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (const Json* c = r.ObjectAt(*list, i, "checkpoints")) {
        const std::string path = Path("checkpoints", i);
        checkpoints.push_back({c, path, Md(r.String(*c, "name", path), 40)});
      }
    }
  } else {
    r.Note("the summary has no checkpoints");
  }
  out += " · " + std::to_string(checkpoints.size()) + " checkpoint" + (checkpoints.size() == 1 ? "" : "s");
  if (confidence) out += " · " + report::Percent(confidence, 0) + " intervals";
  if (auto resamples = r.Number(summary, "resamples", "")) out += " from " + report::Count(resamples) + " resamples";
  out += "\n\n";
  if (const std::string p = Provenance(r, summary); !p.empty()) out += "<sub>" + p + "</sub>\n";
  out += Gates(r, summary, true);

  if (!checkpoints.empty()) {
    Table table({"Checkpoint", "Samples", "Ids × k", "Mean reward [" + ci + "]", "SD", "Median", "Best of k",
                 "Mean of k", "pass@k", "Judge tokens in / out", "Judge cost", "Seconds"},
                "lrrrrrrrlrrr");
    for (const auto& c : checkpoints) {
      const Json& j = *c.json;
      std::string pass;
      if (const Json* list = r.Array(j, "pass_at_k", c.path)) {
        for (std::size_t i = 0; i < list->size(); ++i) {
          const Json* p = r.ObjectAt(*list, i, c.path + ".pass_at_k");
          if (!p) continue;
          const std::string at = Path(c.path + ".pass_at_k", i);
          pass += (pass.empty() ? "" : " · ") + std::string("@") + report::Count(r.Number(*p, "k", at)) + " " +
                  report::Percent(r.Number(*p, "value", at));
        }
      }
      std::string tokens, cost;
      if (const Json* usage = r.Object(j, "usage", c.path)) {
        const auto in = r.Number(*usage, "judge.input_tokens", c.path + ".usage");
        const auto out_tokens = r.Number(*usage, "judge.output_tokens", c.path + ".usage");
        if (in || out_tokens) tokens = report::Count(in) + " / " + report::Count(out_tokens);
        cost = report::Usd(r.Number(*usage, "judge.cost_usd", c.path + ".usage"));
      }
      table.Row({c.name, report::Count(r.Number(j, "samples", c.path)),
                 report::Count(r.Number(j, "ids", c.path)) + " × " + report::Count(r.Number(j, "k", c.path)),
                 report::FormatInterval(r.IntervalOf(j, "reward", c.path), false),
                 report::Fixed(r.Number(j, "reward_sd", c.path), 3), report::Fixed(r.Number(j, "reward_median", c.path), 3),
                 report::FormatInterval(r.IntervalOf(j, "best_of_k", c.path), false),
                 report::FormatInterval(r.IntervalOf(j, "mean_of_k", c.path), false), pass, tokens, cost,
                 report::Fixed(r.Number(j, "seconds", c.path), 2)});
    }
    out += "\n### Checkpoints\n\n" + table.Render();

    // Rates: the known ones in order, then any other the summary has.
    std::vector<std::pair<const Json*, std::string>> sources;
    for (const auto& c : checkpoints) sources.emplace_back(c.json, c.path);
    const report::RateKeys rate_keys = report::CollectRateKeys(r, sources);
    const std::vector<std::string>& keys = rate_keys.keys;
    const std::set<std::string>& have = rate_keys.present;
    if (!have.empty()) {
      std::vector<std::string> header{"Checkpoint"};
      std::vector<std::string> shown;
      for (const auto& key : keys) {
        if (!have.count(key)) continue;
        shown.push_back(key);
        std::string title = key;
        std::replace(title.begin(), title.end(), '_', ' ');
        header.push_back(Md(title, 30));
      }
      Table rates(header, "l" + std::string(shown.size(), 'r'));
      for (const auto& c : checkpoints) {
        std::vector<std::string> row{c.name};
        const Json* object = r.Object(*c.json, "rates", c.path);
        for (const auto& key : shown) {
          row.push_back(object ? report::FormatInterval(r.IntervalOf(*object, key, c.path + ".rates"), true)
                               : report::kDash);
        }
        rates.Row(std::move(row));
      }
      out += "\n### Rates [" + ci + "]\n\n" + rates.Render();
    }

    // Metrics and judge dimensions: one row each, one column per checkpoint.
    for (const char* section : {"metrics", "dimensions"}) {
      const bool dims = std::string(section) == "dimensions";
      std::vector<std::string> header{dims ? "Dimension" : "Metric", dims ? "Kind" : "Type"};
      for (const auto& c : checkpoints) header.push_back(c.name);
      std::vector<std::string> order;
      std::map<std::string, std::vector<std::string>> rows;
      for (std::size_t ci_index = 0; ci_index < checkpoints.size(); ++ci_index) {
        const auto& c = checkpoints[ci_index];
        const Json* list = r.Array(*c.json, section, c.path);
        if (!list) continue;
        for (std::size_t i = 0; i < list->size(); ++i) {
          const Json* m = r.ObjectAt(*list, i, c.path + "." + section);
          if (!m) continue;
          const std::string at = Path(c.path + "." + section, i);
          const std::string name = r.String(*m, "name", at).value_or("?");
          const std::string judge = dims ? r.String(*m, "judge", at).value_or("") : "";
          const std::string key = judge + "\n" + name;
          if (!rows.count(key)) {
            order.push_back(key);
            std::string type = r.String(*m, "type", at).value_or("");
            if (dims) {
              const std::string kind = r.String(*m, "kind", at).value_or("");
              type = kind == "scale" ? "scale " + report::Number(r.Number(*m, "min", at)) + "\u2013" +
                                           report::Number(r.Number(*m, "max", at))
                                     : kind;
            }
            rows[key] = {Md((judge.empty() ? "" : judge + " · ") + name, 60), Md(type, 30)};
            rows[key].resize(2 + checkpoints.size());
          }
          const bool binary = dims && r.String(*m, "kind", at).value_or("") == "binary";
          rows[key][2 + ci_index] = report::FormatInterval(r.IntervalOf(*m, "", at), binary);
        }
      }
      if (order.empty()) continue;
      Table values(header, "ll" + std::string(checkpoints.size(), 'r'));
      for (const auto& key : order) values.Row(rows[key]);
      out += std::string("\n### ") + (dims ? "Judge dimensions" : "Metrics") + " [" + ci + "]\n\n" + values.Render();
    }

    // Errors by metric, when there are any.
    std::vector<std::string> error_keys;
    for (const auto& c : checkpoints) {
      if (const Json* errors = r.Object(*c.json, "errors", c.path)) {
        for (const auto& [key, value] : errors->items()) {
          if (value.is_number() && value.get<double>() != 0 &&
              std::find(error_keys.begin(), error_keys.end(), key) == error_keys.end())
            error_keys.push_back(key);
        }
      }
    }
    if (!error_keys.empty()) {
      std::vector<std::string> eh{"Checkpoint"};
      for (const auto& key : error_keys) eh.push_back(Md(key, 40));
      Table errors(eh, "l" + std::string(error_keys.size(), 'r'));
      for (const auto& c : checkpoints) {
        std::vector<std::string> row{c.name};
        const Json* object = r.Object(*c.json, "errors", c.path);
        for (const auto& key : error_keys) {
          row.push_back(object ? report::Count(r.Number(*object, key, c.path + ".errors").value_or(0)) : report::kDash);
        }
        errors.Row(std::move(row));
      }
      out += "\n### Errors\n\n" + errors.Render();
    }
  }

  if (const Json* list = r.Array(summary, "comparisons", ""); list && !list->empty()) {
    Table table({"Candidate", "Baseline", "Pairs", "Difference [" + ci + "]", "W / T / L", "Verdict"}, "llrrrl");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json* c = r.ObjectAt(*list, i, "comparisons");
      if (!c) continue;
      const std::string at = Path("comparisons", i);
      const auto diff = r.IntervalOf(*c, "diff", at);
      table.Row({Md(r.String(*c, "candidate", at), 40), Md(r.String(*c, "baseline", at), 40),
                 report::Count(r.Number(*c, "pairs", at)), report::FormatDiff(diff),
                 report::Count(r.Number(*c, "wins", at)) + " / " + report::Count(r.Number(*c, "ties", at)) + " / " +
                     report::Count(r.Number(*c, "losses", at)),
                 report::Verdict(diff)});
    }
    out += "\n### Comparisons (candidate minus baseline, per id)\n\n" + table.Render();
  }

  Table worst({"Checkpoint", "Id", "Output", "Reward", "Reason", "Errors", "Judge rationale", "Answer"}, "llrr");
  for (const auto& c : checkpoints) {
    const Json* list = r.Array(*c.json, "worst", c.path);
    if (!list) continue;
    for (std::size_t i = 0; i < list->size() && i < 5; ++i) {
      const Json* w = r.ObjectAt(*list, i, c.path + ".worst");
      if (!w) continue;
      const std::string at = Path(c.path + ".worst", i);
      std::string rationale, errors;
      if (const Json* rationales = r.Array(*w, "rationales", at); rationales && !rationales->empty()) {
        rationale = Md(r.StringValue((*rationales)[0], at + ".rationales[0]"), 160);
        if (rationales->size() > 1) rationale += " (+" + std::to_string(rationales->size() - 1) + " more)";
      }
      if (const Json* list_errors = r.Array(*w, "errors", at)) {
        for (std::size_t e = 0; e < list_errors->size() && e < 3; ++e) {
          errors += (errors.empty() ? "" : "<br>") + Md(r.StringValue((*list_errors)[e], at + ".errors"), 100);
        }
      }
      worst.Row({c.name, Md(r.String(*w, "id", at), 40), report::Count(r.Number(*w, "output", at)),
                 report::Fixed(r.Number(*w, "reward", at), 3), Md(r.String(*w, "reason", at), 160), errors, rationale,
                 Md(r.String(*w, "answer", at), 120)});
    }
  }
  if (!worst.empty()) {
    out += "\n<details><summary>Worst samples (lowest reward first, up to 5 per checkpoint)</summary>\n\n" +
           worst.Render() + "\n</details>\n";
  }
  return out;
}

// ---- judge-eval ----------------------------------------------------------------------------

// Values of a unit: a list ("4, 2, 4"), or by judge ("a: 4 · b: 1", in the order of `judges`).
std::string Values(Reader& r, const Json* values, const std::string& path, const std::vector<std::string>& judges = {}) {
  if (!values) return report::kDash;
  std::string out;
  const auto text = [&](const Json& v) {
    if (v.is_boolean()) return std::string(v.get<bool>() ? "yes" : "no");
    return Md(r.StringValue(v, path), 20);
  };
  if (values->is_array()) {
    for (const auto& v : *values) out += (out.empty() ? "" : ", ") + text(v);
  } else if (values->is_object()) {
    std::vector<std::string> order;
    for (const auto& judge : judges) {
      if (values->contains(judge)) order.push_back(judge);
    }
    for (const auto& item : values->items()) {
      if (std::find(order.begin(), order.end(), item.key()) == order.end()) order.push_back(item.key());
    }
    for (const auto& judge : order) out += (out.empty() ? "" : " · ") + Md(judge, 30) + ": " + text(values->at(judge));
  }
  return out;
}

std::string RenderJudgeEval(Reader& r, const Json& summary) {
  std::string out = Headline("judge-eval", r.Bool(summary, "passed", ""));
  if (auto samples = r.Number(summary, "samples", "")) out += " · " + report::Count(samples) + " samples";
  std::vector<std::string> judges;
  if (const Json* list = r.Array(summary, "judges", "")) {
    for (std::size_t i = 0; i < list->size(); ++i) judges.push_back(r.StringValue((*list)[i], Path("judges", i)).value_or("?"));
  }
  if (!judges.empty()) {
    std::string names;
    for (std::size_t i = 0; i < judges.size(); ++i) names += (i ? ", " : "") + Md(judges[i], 40);
    out += " · judges " + names + " (the first is the reference)";
  }
  out += "\n\n";
  if (const std::string p = Provenance(r, summary); !p.empty()) out += "<sub>" + p + "</sub>\n";
  out += Gates(r, summary, false);

  if (const Json* c = r.Object(summary, "consistency", "")) {
    out += "\n### Consistency (" + report::Count(r.Number(*c, "repeats", "consistency")) + " repeats, " +
           report::Count(r.Number(*c, "units", "consistency")) + " units)\n\n";
    Table table({"Dimension", "Kind", "Units", "Mean SD", "Max SD", "Flip rate", "Unstable"}, "llrrrrr");
    if (const Json* dims = r.Array(*c, "dimensions", "consistency")) {
      for (std::size_t i = 0; i < dims->size(); ++i) {
        const Json* d = r.ObjectAt(*dims, i, "consistency.dimensions");
        if (!d) continue;
        const std::string at = Path("consistency.dimensions", i);
        table.Row({Md(r.String(*d, "name", at), 40), Md(r.String(*d, "kind", at), 20),
                   report::Count(r.Number(*d, "units", at)), report::Fixed(r.Number(*d, "mean_sd", at), 3),
                   report::Fixed(r.Number(*d, "max_sd", at), 3), report::Percent(r.Number(*d, "flip_rate", at)),
                   report::Count(r.Number(*d, "unstable", at))});
      }
    }
    if (!table.empty()) out += table.Render();
    if (const Json* units = r.Array(*c, "unstable", "consistency"); units && !units->empty()) {
      Table t({"Id", "Item", "Dimension", "Values across repeats"}, "lr");
      for (std::size_t i = 0; i < units->size(); ++i) {
        const Json* u = r.ObjectAt(*units, i, "consistency.unstable");
        if (!u) continue;
        const std::string at = Path("consistency.unstable", i);
        t.Row({Md(r.String(*u, "id", at), 40), report::Count(r.Number(*u, "item", at)),
               Md(r.String(*u, "dimension", at), 40), Values(r, r.Array(*u, "values", at), at + ".values")});
      }
      out += "\n<details><summary>Least stable units (widest spread first)</summary>\n\n" + t.Render() + "\n</details>\n";
    }
  }

  if (const Json* a = r.Object(summary, "agreement", "")) {
    out += "\n### Agreement between judges\n\n";
    Table table({"Judge A", "Judge B", "Dimension", "Kind", "n", "Exact", "κ", "Weighted κ", "Spearman"}, "llllrrrrr");
    if (const Json* pairs = r.Array(*a, "pairs", "agreement")) {
      for (std::size_t i = 0; i < pairs->size(); ++i) {
        const Json* p = r.ObjectAt(*pairs, i, "agreement.pairs");
        if (!p) continue;
        const std::string at = Path("agreement.pairs", i);
        table.Row({Md(r.String(*p, "a", at), 40), Md(r.String(*p, "b", at), 40), Md(r.String(*p, "dimension", at), 40),
                   Md(r.String(*p, "kind", at), 20), report::Count(r.Number(*p, "n", at)),
                   report::Percent(r.Number(*p, "exact", at)), report::Fixed(r.Number(*p, "kappa", at), 2),
                   report::Fixed(r.Number(*p, "weighted_kappa", at), 2), report::Fixed(r.Number(*p, "spearman", at), 2)});
      }
    }
    if (!table.empty()) out += table.Render();
    if (const Json* list = r.Array(*a, "disagreements", "agreement"); list && !list->empty()) {
      Table t({"Id", "Item", "Dimension", "Values"}, "lr");
      for (std::size_t i = 0; i < list->size(); ++i) {
        const Json* d = r.ObjectAt(*list, i, "agreement.disagreements");
        if (!d) continue;
        const std::string at = Path("agreement.disagreements", i);
        t.Row({Md(r.String(*d, "id", at), 40), report::Count(r.Number(*d, "item", at)),
               Md(r.String(*d, "dimension", at), 40), Values(r, r.Object(*d, "values", at), at + ".values", judges)});
      }
      out += "\n<details><summary>Largest disagreements</summary>\n\n" + t.Render() + "\n</details>\n";
    }
  }

  if (const Json* cal = r.Object(summary, "calibration", "")) {
    out += "\n### Calibration against human labels (" + report::Count(r.Number(*cal, "labels", "calibration")) +
           " labels, " + report::Count(r.Number(*cal, "unmatched", "calibration")) + " unmatched)\n\n";
    Table table({"Dimension", "Kind", "n", "Exact", "κ", "Weighted κ", "Spearman", "Bias (judge − human)"}, "llrrrrrr");
    std::string matrices;
    if (const Json* dims = r.Array(*cal, "dimensions", "calibration")) {
      for (std::size_t i = 0; i < dims->size(); ++i) {
        const Json* d = r.ObjectAt(*dims, i, "calibration.dimensions");
        if (!d) continue;
        const std::string at = Path("calibration.dimensions", i);
        const std::string name = Md(r.String(*d, "name", at), 40);
        const auto bias = r.Number(*d, "bias", at);
        table.Row({name, Md(r.String(*d, "kind", at), 20), report::Count(r.Number(*d, "n", at)),
                   report::Percent(r.Number(*d, "exact", at)), report::Fixed(r.Number(*d, "kappa", at), 2),
                   report::Fixed(r.Number(*d, "weighted_kappa", at), 2), report::Fixed(r.Number(*d, "spearman", at), 2),
                   report::FormatDiff({true, bias, std::nullopt, std::nullopt, std::nullopt}, 2)});
        const Json* confusion = r.Object(*d, "confusion", at);
        if (!confusion) continue;
        const Json* categories = r.Array(*confusion, "categories", at + ".confusion");
        const Json* counts = r.Array(*confusion, "counts", at + ".confusion");
        if (!categories || !counts) continue;
        std::vector<std::string> labels;
        for (const auto& cat : *categories) {
          labels.push_back(cat.is_boolean() ? (cat.get<bool>() ? "yes" : "no")
                                            : Md(r.StringValue(cat, at + ".confusion.categories"), 12));
        }
        std::vector<std::string> header{"judge ↓ / human →"};
        header.insert(header.end(), labels.begin(), labels.end());
        Table m(header, "l" + std::string(labels.size(), 'r'));
        for (std::size_t row = 0; row < labels.size(); ++row) {
          std::vector<std::string> cells{labels[row]};
          const Json* line = row < counts->size() && (*counts)[row].is_array() ? &(*counts)[row] : nullptr;
          for (std::size_t col = 0; col < labels.size(); ++col) {
            std::optional<double> v;
            if (line && col < line->size()) v = r.NumberValue((*line)[col], at + ".confusion.counts");
            std::string cell = report::Count(v);
            if (row == col) cell = "**" + cell + "**";
            cells.push_back(cell);
          }
          m.Row(std::move(cells));
        }
        matrices += "\n" + name + "\n\n" + m.Render();
      }
    }
    if (!table.empty()) out += table.Render();
    if (!matrices.empty()) {
      out += "\n<details><summary>Confusion matrices (rows: judge, columns: human; diagonal in bold)</summary>\n" +
             matrices + "\n</details>\n";
    }
  }

  if (const Json* reg = r.Object(summary, "regression", "")) {
    const auto failed = r.Number(*reg, "failed", "regression");
    out += "\n### Regression suite (" + report::Count(r.Number(*reg, "cases", "regression")) + " cases, " +
           report::Count(failed) + " failed)\n\n";
    Table table({"Case", "Result", "Expected", "Got", "Reason"}, "");
    if (const Json* results = r.Array(*reg, "results", "regression")) {
      for (std::size_t i = 0; i < results->size(); ++i) {
        const Json* c = r.ObjectAt(*results, i, "regression.results");
        if (!c) continue;
        const std::string at = Path("regression.results", i);
        table.Row({Md(r.String(*c, "id", at), 40), PassFail(r.Bool(*c, "passed", at)), Md(r.String(*c, "expected", at), 60),
                   Md(r.String(*c, "got", at), 60), Md(r.String(*c, "reason", at), 160)});
      }
    }
    if (!table.empty()) out += table.Render();
  }

  if (const Json* h = r.Object(summary, "hacking", "")) {
    out += "\n### Reward hacking signals\n\nReward vs answer length: Spearman " +
           report::Fixed(r.Number(*h, "length_spearman", "hacking"), 2) + ", Pearson " +
           report::Fixed(r.Number(*h, "length_pearson", "hacking"), 2) + " over " +
           report::Count(r.Number(*h, "samples", "hacking")) + " samples.\n\n";
    if (const Json* bins = r.Array(*h, "length_bins", "hacking"); bins && !bins->empty()) {
      Table table({"Length (bytes)", "n", "Mean reward"}, "lrr");
      for (std::size_t i = 0; i < bins->size(); ++i) {
        const Json* b = r.ObjectAt(*bins, i, "hacking.length_bins");
        if (!b) continue;
        const std::string at = Path("hacking.length_bins", i);
        table.Row({report::Count(r.Number(*b, "lo_bytes", at)) + "\u2013" + report::Count(r.Number(*b, "hi_bytes", at)),
                   report::Count(r.Number(*b, "n", at)), report::Fixed(r.Number(*b, "mean_reward", at), 3)});
      }
      out += table.Render();
    }
    if (const Json* flags = r.Array(*h, "flags", "hacking"); flags && !flags->empty()) {
      Table table({"Id", "Reward", "Flag", "Detail"}, "lr");
      for (std::size_t i = 0; i < flags->size(); ++i) {
        const Json* f = r.ObjectAt(*flags, i, "hacking.flags");
        if (!f) continue;
        const std::string at = Path("hacking.flags", i);
        table.Row({Md(r.String(*f, "id", at), 40), report::Fixed(r.Number(*f, "reward", at), 3),
                   Md(r.String(*f, "kind", at), 30), Md(r.String(*f, "detail", at), 160)});
      }
      out += "\nFlagged samples (high reward that fails a check, or text aimed at the judge):\n\n" + table.Render();
    }
  }
  return out;
}

}  // namespace

std::string RenderMarkdown(const nlohmann::json& summary) {
  Reader r;
  std::string problem;
  const std::string kind = report::KindOf(summary, problem);
  std::string out;
  if (kind == "bench") {
    out = RenderBench(r, summary);
  } else if (kind == "judge-eval") {
    out = RenderJudgeEval(r, summary);
  } else {
    out = "⚠️ **gavel report: cannot read this summary** \u2014 " + Md(problem, 200) + "\n";
  }
  return out + Problems(r);
}

}  // namespace gavel::offline
