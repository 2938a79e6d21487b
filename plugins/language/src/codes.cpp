#include "gavel/language/codes.h"

#include <cstdio>  // before CLD2's header, which uses FILE without including it
#include <unordered_set>

#include <cld2/public/compact_lang_det.h>

#include "codes_internal.h"
#include "script.h"

namespace gavel::language {
namespace {

struct Alias {
  std::string_view from;
  std::string_view to;
};

// Codes that name a language Detect reports under another code. Two-letter entries are
// deprecated or alternative ISO 639-1 codes; three-letter entries are ISO 639-2 (B and T) and
// ISO 639-3 codes of languages that have a two-letter code.
constexpr Alias kAliases[] = {
    {"iw", "he"},  {"in", "id"},  {"ji", "yi"},  {"jw", "jv"},  {"mo", "ro"},  {"nb", "no"},
    {"sh", "hr"},  {"fil", "tl"}, {"tgl", "tl"}, {"afr", "af"}, {"sqi", "sq"}, {"alb", "sq"},
    {"amh", "am"}, {"ara", "ar"}, {"arb", "ar"}, {"hye", "hy"}, {"arm", "hy"}, {"asm", "as"},
    {"aze", "az"}, {"azj", "az"}, {"eus", "eu"}, {"baq", "eu"}, {"bel", "be"}, {"ben", "bn"},
    {"bos", "bs"}, {"bre", "br"}, {"bul", "bg"}, {"mya", "my"}, {"bur", "my"}, {"cat", "ca"},
    {"zho", "zh"}, {"chi", "zh"}, {"cmn", "zh"}, {"hrv", "hr"}, {"ces", "cs"}, {"cze", "cs"},
    {"dan", "da"}, {"nld", "nl"}, {"dut", "nl"}, {"eng", "en"}, {"epo", "eo"}, {"est", "et"},
    {"ekk", "et"}, {"fao", "fo"}, {"fin", "fi"}, {"fra", "fr"}, {"fre", "fr"}, {"glg", "gl"},
    {"kat", "ka"}, {"geo", "ka"}, {"deu", "de"}, {"ger", "de"}, {"ell", "el"}, {"gre", "el"},
    {"guj", "gu"}, {"hat", "ht"}, {"hau", "ha"}, {"heb", "he"}, {"hin", "hi"}, {"hun", "hu"},
    {"isl", "is"}, {"ice", "is"}, {"ibo", "ig"}, {"ind", "id"}, {"gle", "ga"}, {"ita", "it"},
    {"jpn", "ja"}, {"jav", "jv"}, {"kan", "kn"}, {"kaz", "kk"}, {"khm", "km"}, {"kin", "rw"},
    {"kor", "ko"}, {"kur", "ku"}, {"kir", "ky"}, {"lao", "lo"}, {"lat", "la"}, {"lav", "lv"},
    {"lvs", "lv"}, {"lit", "lt"}, {"ltz", "lb"}, {"mkd", "mk"}, {"mac", "mk"}, {"mlg", "mg"},
    {"msa", "ms"}, {"may", "ms"}, {"zsm", "ms"}, {"mal", "ml"}, {"mlt", "mt"}, {"mri", "mi"},
    {"mao", "mi"}, {"mar", "mr"}, {"mon", "mn"}, {"khk", "mn"}, {"nep", "ne"}, {"npi", "ne"},
    {"nor", "no"}, {"nob", "no"}, {"nno", "nn"}, {"oci", "oc"}, {"ori", "or"}, {"ory", "or"},
    {"pus", "ps"}, {"pbt", "ps"}, {"fas", "fa"}, {"per", "fa"}, {"pes", "fa"}, {"prs", "fa"},
    {"pol", "pl"}, {"por", "pt"}, {"pan", "pa"}, {"ron", "ro"}, {"rum", "ro"}, {"rus", "ru"},
    {"smo", "sm"}, {"gla", "gd"}, {"srp", "sr"}, {"sna", "sn"}, {"snd", "sd"}, {"sin", "si"},
    {"slk", "sk"}, {"slo", "sk"}, {"slv", "sl"}, {"som", "so"}, {"sot", "st"}, {"spa", "es"},
    {"sun", "su"}, {"swa", "sw"}, {"swh", "sw"}, {"swe", "sv"}, {"tgk", "tg"}, {"tam", "ta"},
    {"tat", "tt"}, {"tel", "te"}, {"tha", "th"}, {"bod", "bo"}, {"tib", "bo"}, {"tir", "ti"},
    {"ton", "to"}, {"tur", "tr"}, {"tuk", "tk"}, {"uig", "ug"}, {"ukr", "uk"}, {"urd", "ur"},
    {"uzb", "uz"}, {"uzn", "uz"}, {"vie", "vi"}, {"cym", "cy"}, {"wel", "cy"}, {"fry", "fy"},
    {"xho", "xh"}, {"yid", "yi"}, {"yor", "yo"}, {"zul", "zu"}, {"div", "dv"}, {"que", "qu"},
    {"grn", "gn"}, {"aym", "ay"}, {"bak", "ba"}, {"tso", "ts"}, {"tsn", "tn"}, {"wol", "wo"},
    {"lin", "ln"}, {"orm", "om"}, {"kal", "kl"},
};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The primary subtag, lower-cased, with aliases applied; "" when it is not 2 or 3 letters.
std::string PrimaryCode(std::string_view tag) {
  const std::size_t end = tag.find_first_of("-_");
  const std::string_view primary = tag.substr(0, end);
  if (primary.size() < 2 || primary.size() > 3) return {};
  std::string code;
  for (const char c : primary) {
    if (!IsAsciiLetter(c)) return {};
    code.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  for (const Alias& alias : kAliases) {
    if (alias.from == code) return std::string(alias.to);
  }
  return code;
}

// Every canonical code Detect can report: CLD2's real languages and the script rule's.
const std::unordered_set<std::string>& ReportableCodes() {
  static const std::unordered_set<std::string> codes = [] {
    std::unordered_set<std::string> set;
    // Below X_BORK_BORK_BORK are the real languages; from there on CLD2 numbers its joke
    // languages and the per-script placeholders ("xx-Latn").
    for (int i = 0; i < CLD2::X_BORK_BORK_BORK; ++i) {
      const std::string_view cld2_code = CLD2::LanguageCode(static_cast<CLD2::Language>(i));
      if (cld2_code.empty() || cld2_code == "un" || cld2_code == "xxx") continue;
      const std::string code = PrimaryCode(cld2_code);
      if (!code.empty()) set.insert(code);
    }
    for (const detail::ScriptLanguage& entry : detail::SingleLanguageScripts()) {
      set.insert(std::string(entry.language));
    }
    set.insert("ja");
    set.insert("zh");
    set.insert("ko");
    return set;
  }();
  return codes;
}

std::string_view TrimAsciiSpace(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::string> CanonicalLanguage(std::string_view tag) {
  const std::string_view trimmed = TrimAsciiSpace(tag);
  std::string code = PrimaryCode(trimmed);
  if (code.empty() || ReportableCodes().count(code) == 0) {
    // Built by appending: GCC 12 at -O3 reports a false -Wrestrict on "'" + std::string.
    std::string message = "'";
    message.append(tag).append("' is not a language tag gavel.language can detect");
    return Error(ErrorKind::kBadSample, std::move(message));
  }
  return code;
}

bool SameLanguage(std::string_view a, std::string_view b) {
  const Result<std::string> ca = CanonicalLanguage(a);
  const Result<std::string> cb = CanonicalLanguage(b);
  return ca.ok() && cb.ok() && detail::MatchKey(*ca) == detail::MatchKey(*cb);
}

namespace detail {

std::string CanonicalFromCld2(std::string_view cld2_code) {
  if (cld2_code.empty() || cld2_code == "un" || cld2_code == "xxx") return {};
  Result<std::string> code = CanonicalLanguage(cld2_code);
  return code.ok() ? std::move(code).value() : std::string();
}

std::string_view MatchKey(std::string_view canonical) {
  if (canonical == "nn") return "no";
  if (canonical == "id") return "ms";
  if (canonical == "bs" || canonical == "sr") return "hr";
  return canonical;
}

}  // namespace detail
}  // namespace gavel::language
