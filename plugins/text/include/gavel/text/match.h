// Text matching for rubric checks: exact, contains, starts-with, ends-with and RE2 regex, with
// optional Unicode normalisation, case folding and whitespace folding.  Compile a Matcher once
// (a bad regex is an error then), then call Matches from any thread; Matchers are immutable.
//
//   auto m = Matcher::Compile(MatchKind::kContains, "Final Answer", {.case_fold = true});
//   if (m) { Result<bool> hit = m->Matches(answer); }
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/status.h"

namespace re2 {
class RE2;
}

namespace gavel::text {

enum class Normalization { kNone, kNfc, kNfkc };

// Folding applied to text before comparison, in this order: invalid UTF-8 -> U+FFFD, then
// normalisation, then full Unicode case folding (ICU, default mappings: "Straße" -> "strasse"),
// then whitespace folding (each run of White_Space characters becomes one U+0020, and the ends
// are trimmed).
struct FoldOptions {
  bool case_fold = false;
  bool whitespace = false;
  Normalization normalization = Normalization::kNone;
};

// text folded as described above.  Errors: kLimit if text exceeds kMaxTextBytes (only when a
// normalisation or case folding is asked for); kInternal if ICU fails.
Result<std::string> FoldText(std::string_view text, const FoldOptions& options);

enum class MatchKind { kExact, kContains, kStartsWith, kEndsWith, kRegex };

std::string_view MatchKindName(MatchKind kind);  // "exact", "contains", ... "regex"

class Matcher {
 public:
  // Literal kinds fold the pattern and, at match time, the text with the same options, then
  // compare bytes; an empty pattern is contained in, starts and ends every text.
  //
  // kRegex is an unanchored RE2 search (use ^ and $ to anchor; RE2 syntax, UTF-8, linear time).
  // The text is normalised and whitespace-folded as asked, but the pattern is used as written;
  // case_fold compiles the regex case-insensitively (RE2's simple Unicode case folding, so
  // "(?i)strasse" does not match "Straße") instead of folding the text with ICU.
  //
  // Errors: kBadRubric for a regex RE2 rejects (the message has RE2's reason) or a pattern longer
  // than kMaxTextBytes; kInternal if ICU fails folding the pattern.
  static Result<Matcher> Compile(MatchKind kind, std::string_view pattern,
                                 const FoldOptions& options = {});

  // Whether text matches.  Contains-matching is linear in the text for any pattern (KMP for
  // long patterns).  Errors: kLimit if text exceeds kMaxTextBytes and needs ICU folding.
  Result<bool> Matches(std::string_view text) const;

  MatchKind kind() const { return kind_; }
  const FoldOptions& options() const { return options_; }
  const std::string& pattern() const { return pattern_; }  // as given (UTF-8 sanitized)

 private:
  Matcher() = default;

  MatchKind kind_ = MatchKind::kExact;
  FoldOptions options_;
  std::string pattern_;
  std::string folded_;                     // literal kinds: the folded pattern
  std::vector<std::size_t> failure_;       // kContains with a long pattern: KMP failure table
  std::shared_ptr<const re2::RE2> regex_;  // kRegex
};

}  // namespace gavel::text
