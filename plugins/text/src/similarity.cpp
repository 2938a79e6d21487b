#include "gavel/text/similarity.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

#include "internal.h"

namespace gavel::text {
namespace {

// ASCII punctuation as in Python's string.punctuation (includes the symbols $+<=>^`|~).
bool IsAsciiPunct(char32_t cp) {
  return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
         (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
}

bool IsMark(UChar32 u) { return (U_GET_GC_MASK(u) & U_GC_M_MASK) != 0; }
bool IsSymbol(UChar32 u) { return (U_GET_GC_MASK(u) & U_GC_S_MASK) != 0; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char32_t Fold(char32_t cp) {
  return static_cast<char32_t>(u_foldCase(static_cast<UChar32>(cp), U_FOLD_CASE_DEFAULT));
}

std::vector<std::string> TokenizeImpl(std::string_view raw, TokenStyle style, bool fold_case) {
  const internal::ValidUtf8 valid(raw);
  const std::string_view text = valid.view();
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  auto single = [&](char32_t cp) {
    flush();
    AppendUtf8(current, cp);
    flush();
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      // ASCII fast path, with the same outcome as the general path below.
      char c = text[pos++];
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        flush();
        continue;
      }
      if (fold_case && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      const bool punct = IsAsciiPunct(static_cast<char32_t>(c));
      if (style == TokenStyle::kSquad && punct) continue;
      if (style == TokenStyle::kRouge && !IsAsciiAlnum(c)) {
        flush();
        continue;
      }
      if (style == TokenStyle::kBleu && punct) {
        const bool in_number = (c == '.' || c == ',') && !current.empty() &&
                               IsAsciiDigit(current.back()) && pos < text.size() &&
                               IsAsciiDigit(text[pos]);
        if (!in_number) {
          single(static_cast<char32_t>(c));
          continue;
        }
      }
      current.push_back(c);
      continue;
    }
    char32_t cp = DecodeUtf8(text, pos);
    const auto u = static_cast<UChar32>(cp);
    if (u_isUWhiteSpace(u)) {
      flush();
      continue;
    }
    if (fold_case) cp = Fold(cp);
    if (internal::IsCjk(cp)) {
      single(cp);
      continue;
    }
    switch (style) {
      case TokenStyle::kSquad:
        if (u_ispunct(u) || IsAsciiPunct(cp)) continue;  // deleted, not a separator
        break;
      case TokenStyle::kRouge:
        if (!u_isalnum(u) && !IsMark(u)) {
          flush();
          continue;
        }
        break;
      case TokenStyle::kBleu:
        if (u_ispunct(u) || IsSymbol(u)) {
          const bool in_number = (cp == U'.' || cp == U',') && !current.empty() &&
                                 IsAsciiDigit(current.back()) && pos < text.size() &&
                                 IsAsciiDigit(text[pos]);
          if (!in_number) {
            single(cp);
            continue;
          }
        }
        break;
    }
    AppendUtf8(current, cp);
  }
  flush();
  if (style == TokenStyle::kSquad) {
    std::erase_if(tokens, [](const std::string& t) { return t == "a" || t == "an" || t == "the"; });
  }
  return tokens;
}

// Maps the tokens of both sides to small integers, so n-grams and LCS compare integers.
struct Interned {
  std::u32string a;
  std::u32string b;
};

Interned Intern(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::unordered_map<std::string_view, char32_t> ids;
  auto encode = [&ids](const std::vector<std::string>& tokens) {
    std::u32string out;
    out.reserve(tokens.size());
    for (const std::string& t : tokens) {
      auto [it, inserted] = ids.try_emplace(t, static_cast<char32_t>(ids.size()));
      out.push_back(it->second);
    }
    return out;
  };
  Interned r;
  r.a = encode(a);
  r.b = encode(b);
  return r;
}

std::u32string DecodeAll(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) out.push_back(DecodeUtf8(text, pos));
  return out;
}

// Strips the common prefix and suffix of a and b.
void TrimCommon(std::u32string_view& a, std::u32string_view& b) {
  std::size_t p = 0;
  while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
  a.remove_prefix(p);
  b.remove_prefix(p);
  std::size_t s = 0;
  while (s < a.size() && s < b.size() && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  a.remove_suffix(s);
  b.remove_suffix(s);
}

std::optional<Error> CheckCells(std::size_t n, std::size_t m, std::size_t max_cells,
                                std::string_view what, std::string_view unit) {
  const bool over = n != 0 && m > max_cells / n;
  const bool too_long = std::max(n, m) >= std::numeric_limits<std::uint32_t>::max();
  if (!over && !too_long) return std::nullopt;
  return Error(ErrorKind::kLimit, std::string(what) + ": " + std::to_string(n) + " x " +
                                      std::to_string(m) + " " + std::string(unit) +
                                      " exceeds the budget of " + std::to_string(max_cells) +
                                      " cells");
}

// Length of the longest common subsequence; columns over the shorter side.
std::size_t Lcs(std::u32string_view a, std::u32string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<std::uint32_t> row(b.size() + 1, 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::uint32_t diag = 0;  // row[j - 1] of the previous row
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::uint32_t up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diag + 1 : std::max(row[j], row[j - 1]);
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> Tokenize(std::string_view text, TokenStyle style) {
  return TokenizeImpl(text, style, style != TokenStyle::kBleu);
}

Result<EditDistanceResult> EditDistance(std::string_view a_text, std::string_view b_text,
                                        std::size_t max_cells) {
  const std::u32string a_cps = DecodeAll(a_text);
  const std::u32string b_cps = DecodeAll(b_text);
  EditDistanceResult r;
  r.length_a = a_cps.size();
  r.length_b = b_cps.size();
  std::u32string_view a = a_cps;
  std::u32string_view b = b_cps;
  TrimCommon(a, b);
  if (a.size() < b.size()) std::swap(a, b);  // columns over the shorter side
  if (b.empty()) {
    r.distance = a.size();
  } else {
    if (auto err = CheckCells(a.size(), b.size(), max_cells, "edit distance", "code points")) {
      return *err;
    }
    std::vector<std::uint32_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<std::uint32_t>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::uint32_t diag = row[0];  // D[i-1][j-1]
      row[0] = static_cast<std::uint32_t>(i);
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::uint32_t up = row[j];  // D[i-1][j]
        const std::uint32_t substitute = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
        row[j] = std::min({up + 1, row[j - 1] + 1, substitute});
        diag = up;
      }
    }
    r.distance = row[b.size()];
  }
  const std::size_t longest = std::max(r.length_a, r.length_b);
  r.normalized =
      longest == 0 ? 0.0 : static_cast<double>(r.distance) / static_cast<double>(longest);
  r.similarity = 1.0 - r.normalized;
  return r;
}

F1Result TokenF1(std::string_view prediction, std::string_view reference) {
  const std::vector<std::string> pred = Tokenize(prediction, TokenStyle::kSquad);
  const std::vector<std::string> ref = Tokenize(reference, TokenStyle::kSquad);
  F1Result r;
  r.prediction_tokens = pred.size();
  r.reference_tokens = ref.size();
  if (pred.empty() || ref.empty()) {
    const double v = pred.empty() && ref.empty() ? 1.0 : 0.0;
    r.precision = r.recall = r.f1 = v;
    return r;
  }
  std::unordered_map<std::string_view, std::size_t> ref_counts;
  for (const std::string& t : ref) ++ref_counts[t];
  for (const std::string& t : pred) {
    auto it = ref_counts.find(t);
    if (it != ref_counts.end() && it->second > 0) {
      --it->second;
      ++r.common;
    }
  }
  if (r.common == 0) return r;
  r.precision = static_cast<double>(r.common) / static_cast<double>(pred.size());
  r.recall = static_cast<double>(r.common) / static_cast<double>(ref.size());
  r.f1 = 2 * r.precision * r.recall / (r.precision + r.recall);
  return r;
}

BleuResult SentenceBleu(std::string_view hypothesis, std::string_view reference,
                        const BleuOptions& options) {
  const Interned t = Intern(TokenizeImpl(hypothesis, TokenStyle::kBleu, options.lowercase),
                            TokenizeImpl(reference, TokenStyle::kBleu, options.lowercase));
  const std::u32string_view hyp = t.a;
  const std::u32string_view ref = t.b;
  BleuResult r;
  r.hypothesis_length = hyp.size();
  r.reference_length = ref.size();
  if (hyp.empty() || ref.empty()) return r;
  r.order = static_cast<int>(std::min<std::size_t>(4, hyp.size()));
  double smoothing = 1;  // 2^k for the k-th order without a match
  double log_sum = 0;
  std::unordered_map<std::u32string_view, std::size_t> counts;
  for (int n = 1; n <= r.order; ++n) {
    const auto len = static_cast<std::size_t>(n);
    counts.clear();
    // Reference counts are positive, hypothesis counts are subtracted: a match is clipped at the
    // reference count by only counting while the remaining count is positive.
    for (std::size_t i = 0; i + len <= ref.size(); ++i) ++counts[ref.substr(i, len)];
    std::size_t matches = 0;
    for (std::size_t i = 0; i + len <= hyp.size(); ++i) {
      auto it = counts.find(hyp.substr(i, len));
      if (it != counts.end() && it->second > 0) {
        --it->second;
        ++matches;
      }
    }
    const std::size_t total = hyp.size() - len + 1;
    double p = 0;
    if (matches == 0) {
      smoothing *= 2;
      p = 1.0 / (smoothing * static_cast<double>(total));
    } else {
      p = static_cast<double>(matches) / static_cast<double>(total);
    }
    r.matches[len - 1] = matches;
    r.totals[len - 1] = total;
    r.precisions[len - 1] = p;
    log_sum += std::log(p);
  }
  const auto c = static_cast<double>(hyp.size());
  const auto rl = static_cast<double>(ref.size());
  r.brevity_penalty = c > rl ? 1.0 : std::exp(1.0 - rl / c);
  r.bleu = r.brevity_penalty * std::exp(log_sum / r.order);
  return r;
}

Result<RougeResult> RougeL(std::string_view candidate, std::string_view reference,
                           const RougeOptions& options) {
  if (!std::isfinite(options.beta) || options.beta <= 0) {
    return Error(ErrorKind::kBadRubric,
                 "ROUGE-L: beta must be finite and > 0, got " + std::to_string(options.beta));
  }
  const Interned t =
      Intern(Tokenize(candidate, TokenStyle::kRouge), Tokenize(reference, TokenStyle::kRouge));
  RougeResult r;
  r.candidate_tokens = t.a.size();
  r.reference_tokens = t.b.size();
  if (t.a.empty() || t.b.empty()) return r;
  if (auto err = CheckCells(t.a.size(), t.b.size(), options.max_cells, "ROUGE-L", "tokens")) {
    return *err;
  }
  r.lcs = Lcs(t.a, t.b);
  if (r.lcs == 0) return r;
  r.precision = static_cast<double>(r.lcs) / static_cast<double>(t.a.size());
  r.recall = static_cast<double>(r.lcs) / static_cast<double>(t.b.size());
  const double b2 = options.beta * options.beta;
  r.f_measure = (1 + b2) * r.precision * r.recall / (r.recall + b2 * r.precision);
  return r;
}

}  // namespace gavel::text
