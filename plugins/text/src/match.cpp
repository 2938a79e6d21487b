#include "gavel/text/match.h"

#include <re2/re2.h>
#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>

#include "internal.h"

namespace gavel::text {
namespace {

// Patterns up to this many bytes are searched with std::string_view::find, whose worst case is
// O(pattern * text), i.e. at most 64 byte comparisons per text byte; longer ones use KMP.
constexpr std::size_t kShortPattern = 64;

icu::StringPiece Piece(std::string_view s) {
  return icu::StringPiece(s.data(), static_cast<int32_t>(s.size()));
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t cp = DecodeUtf8(text, pos);
    if (u_isUWhiteSpace(static_cast<UChar32>(cp))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.append(text.substr(start, pos - start));
  }
  return out;
}

std::vector<std::size_t> KmpFailure(std::string_view pattern) {
  // failure[i] = length of the longest proper border of pattern[0, i].
  std::vector<std::size_t> failure(pattern.size(), 0);
  std::size_t k = 0;
  for (std::size_t i = 1; i < pattern.size(); ++i) {
    while (k > 0 && pattern[i] != pattern[k]) k = failure[k - 1];
    if (pattern[i] == pattern[k]) ++k;
    failure[i] = k;
  }
  return failure;
}

bool KmpContains(std::string_view text, std::string_view pattern,
                 const std::vector<std::size_t>& failure) {
  std::size_t k = 0;
  for (const char c : text) {
    while (k > 0 && c != pattern[k]) k = failure[k - 1];
    if (c == pattern[k]) ++k;
    if (k == pattern.size()) return true;
  }
  return false;
}

}  // namespace

Result<std::string> FoldText(std::string_view raw, const FoldOptions& options) {
  const bool icu = options.case_fold || options.normalization != Normalization::kNone;
  if (icu) {
    if (auto err = internal::CheckIcuSize(raw, "folding text")) return *err;
  }
  std::string text = SanitizeUtf8(raw);
  if (icu) {
    if (auto err = internal::CheckIcuSize(text, "folding text")) return *err;
  }
  UErrorCode status = U_ZERO_ERROR;
  if (options.normalization != Normalization::kNone) {
    const icu::Normalizer2* norm = options.normalization == Normalization::kNfc
                                       ? icu::Normalizer2::getNFCInstance(status)
                                       : icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) return internal::IcuError("loading normalisation data", status);
    if (!norm->isNormalizedUTF8(Piece(text), status)) {
      std::string out;
      out.reserve(text.size());
      icu::StringByteSink<std::string> sink(&out);
      norm->normalizeUTF8(0, Piece(text), sink, nullptr, status);
      text = std::move(out);
    }
    if (U_FAILURE(status)) return internal::IcuError("normalising text", status);
  }
  if (options.case_fold) {
    std::string out;
    out.reserve(text.size());
    icu::StringByteSink<std::string> sink(&out);
    icu::CaseMap::utf8Fold(U_FOLD_CASE_DEFAULT, Piece(text), sink, nullptr, status);
    if (U_FAILURE(status)) return internal::IcuError("case folding text", status);
    text = std::move(out);
  }
  if (options.whitespace) text = CollapseWhitespace(text);
  return text;
}

std::string_view MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kExact: return "exact";
    case MatchKind::kContains: return "contains";
    case MatchKind::kStartsWith: return "starts_with";
    case MatchKind::kEndsWith: return "ends_with";
    case MatchKind::kRegex: return "regex";
  }
  return "unknown";
}

Result<Matcher> Matcher::Compile(MatchKind kind, std::string_view pattern,
                                 const FoldOptions& options) {
  if (pattern.size() > kMaxTextBytes) {
    return Error(ErrorKind::kBadRubric, std::string(MatchKindName(kind)) + " pattern is " +
                                            std::to_string(pattern.size()) +
                                            " bytes, more than the limit of " +
                                            std::to_string(kMaxTextBytes));
  }
  Matcher m;
  m.kind_ = kind;
  m.options_ = options;
  m.pattern_ = SanitizeUtf8(pattern);
  switch (kind) {
    case MatchKind::kExact:
    case MatchKind::kContains:
    case MatchKind::kStartsWith:
    case MatchKind::kEndsWith: {
      Result<std::string> folded = FoldText(m.pattern_, options);
      if (!folded) return folded.error();
      m.folded_ = std::move(*folded);
      if (kind == MatchKind::kContains && m.folded_.size() > kShortPattern) {
        m.failure_ = KmpFailure(m.folded_);
      }
      return m;
    }
    case MatchKind::kRegex: {
      RE2::Options re_options;
      re_options.set_encoding(RE2::Options::EncodingUTF8);
      re_options.set_log_errors(false);
      re_options.set_never_capture(true);
      re_options.set_case_sensitive(!options.case_fold);
      auto re = std::make_shared<const re2::RE2>(m.pattern_, re_options);
      if (!re->ok()) {
        return Error(ErrorKind::kBadRubric,
                     "invalid regex \"" + m.pattern_ + "\": " + re->error());
      }
      m.regex_ = std::move(re);
      return m;
    }
  }
  return Error(ErrorKind::kUsage, "unknown match kind " + std::to_string(static_cast<int>(kind)));
}

Result<bool> Matcher::Matches(std::string_view raw) const {
  FoldOptions text_options = options_;
  if (kind_ == MatchKind::kRegex) text_options.case_fold = false;  // RE2 folds case itself
  const bool fold = text_options.case_fold || text_options.whitespace ||
                    text_options.normalization != Normalization::kNone;
  std::string folded_text;
  std::optional<internal::ValidUtf8> valid;
  std::string_view text;
  if (fold) {
    Result<std::string> f = FoldText(raw, text_options);
    if (!f) return f.error();
    folded_text = std::move(*f);
    text = folded_text;
  } else {
    valid.emplace(raw);
    text = valid->view();
  }
  switch (kind_) {
    case MatchKind::kExact: return text == folded_;
    case MatchKind::kStartsWith: return text.starts_with(folded_);
    case MatchKind::kEndsWith: return text.ends_with(folded_);
    case MatchKind::kContains:
      if (failure_.empty()) return text.find(folded_) != std::string_view::npos;
      return KmpContains(text, folded_, failure_);
    case MatchKind::kRegex: break;  // Compile accepted no other kind
  }
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *regex_);
}

}  // namespace gavel::text
