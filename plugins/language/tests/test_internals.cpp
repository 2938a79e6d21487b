// The pieces under Detect: prose extraction, the script rule, and the CLD2 call.
#include <catch2/catch.hpp>

#include <cstdio>  // before CLD2's header, which uses FILE without including it
#include <random>
#include <string>

#include <cld2/internal/lang_script.h>
#include <cld2/public/compact_lang_det.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>

#include "cld2_call.h"
#include "codes_internal.h"
#include "prose.h"
#include "script.h"
#include "unicode_data.h"

namespace gavel::language::detail {
namespace {

std::string Extract(std::string_view input, bool strip_markup = true,
                    std::size_t max_bytes = 1 << 20) {
  return ExtractProse(input, strip_markup, max_bytes).text;
}

}  // namespace

TEST_CASE("prose: control characters become spaces", "[internals][prose]") {
  CHECK(Extract("abc\x01" "def\tghi\r\njkl\x7f") == "abc def ghi jkl");
  CHECK(Extract(std::string_view("one\0two", 7)) == "one two");
  CHECK(Extract("c1\xc2\x85" "control") == "c1 control");              // U+0085
  CHECK(Extract("non\xef\xbf\xbe" "char\xef\xb7\x90" "s") == "non char s");  // U+FFFE, U+FDD0
  // Tab, newline and the rest collapse to one space and none is left at either end.
  CHECK(Extract("\n\n  word \t\n") == "word");
  CHECK(Extract("\x01\x02\x03") == "");
}

TEST_CASE("prose: ill-formed UTF-8 becomes spaces and is reported", "[internals][prose]") {
  const Prose bad = ExtractProse("ab\xff\xfe" "cd", true, 100);
  CHECK(bad.text == "ab cd");
  CHECK(bad.invalid_utf8);
  CHECK(Extract("truncated \xe3\x81") == "truncated");                // cut multi-byte sequence
  CHECK(Extract("surrogate\xed\xa0\x80!") == "surrogate !");           // UTF-8 of U+D800
  CHECK(Extract("overlong\xc0\x80!") == "overlong !");                 // U+0000 in two bytes
  CHECK(Extract("too big\xf4\x90\x80\x80!") == "too big !");          // above U+10FFFF
  const Prose good = ExtractProse("naïve 日本語 ελληνικά 😀", true, 100);
  CHECK(good.text == "naïve 日本語 ελληνικά 😀");
  CHECK_FALSE(good.invalid_utf8);
}

TEST_CASE("prose: fenced code blocks are left out", "[internals][prose]") {
  CHECK(Extract("Intro\n```python\nprint('hello world')\n```\nOutro") == "Intro Outro");
  CHECK(Extract("Intro\n~~~\ncode here\n~~~\nOutro") == "Intro Outro");
  CHECK(Extract("Intro\n   ```\nindented three\n   ```\nOutro") == "Intro Outro");
  // Four spaces of indentation is not a fence (it is an indented code block, kept as text).
  CHECK(Extract("Intro\n    ```\nkept\n    ```\nOutro") == "Intro kept Outro");
  // A closing fence needs the same character, at least as many, and nothing after it.
  CHECK(Extract("A\n````\ncode\n```\nstill code\n~~~~\nand\n```` trailing\nmore\n````\nB") ==
        "A B");
  // An unclosed fence runs to the end of the text.
  CHECK(Extract("Before\n```\nnever closed\nat all") == "Before");
  // Backticks after a backtick fence's opening make it inline code, not a fence.
  CHECK(Extract("```inline```\ntext") == "text");
  CHECK(Extract("x\n```\nA\n```\ny", /*strip_markup=*/false) == "x ``` A ``` y");
}

TEST_CASE("prose: inline code spans and URLs are left out", "[internals][prose]") {
  CHECK(Extract("use `std::vector<int>` here") == "use here");
  CHECK(Extract("double ``a ` b`` ticks") == "double ticks");
  CHECK(Extract("unclosed `span here") == "unclosed span here");
  // A span closes on its own line only.
  CHECK(Extract("open `one\nclose` two") == "open one close two");
  CHECK(Extract("see https://example.com/a?b=c&d=e for more") == "see for more");
  CHECK(Extract("visit www.Example.org/x, or HTTP://EXAMPLE.COM now") == "visit or now");
  CHECK(Extract("link (http://x.y/z) end") == "link ( end");
  CHECK(Extract("https://example.com/を参照") == "を参照");  // a URL ends at non-ASCII
  CHECK(Extract("xhttp://not.a.url") == "xhttp://not.a.url");  // not at a word start
  CHECK(Extract("see `x` and https://a.b", /*strip_markup=*/false) == "see `x` and https://a.b");
}

TEST_CASE("prose: max_bytes cuts at a code point boundary", "[internals][prose]") {
  const Prose cut = ExtractProse("héllo world", true, 2);
  CHECK(cut.text == "h");  // 'é' takes two bytes and would pass the limit
  CHECK(cut.truncated);
  const Prose whole = ExtractProse("héllo", true, 6);
  CHECK(whole.text == "héllo");
  CHECK_FALSE(whole.truncated);
  const Prose lines = ExtractProse("first line\nsecond line", true, 12);
  CHECK(lines.text == "first line s");
  CHECK(lines.truncated);
}

TEST_CASE("prose: text is normalised to NFC", "[internals][prose]") {
  CHECK(Extract("cafe\xcc\x81 na\xc3\xafve") == "caf\xc3\xa9 na\xc3\xafve");  // e + U+0301 -> é
  std::string nfc = "already \xc3\xa9";
  NormalizeToNfc(nfc);
  CHECK(nfc == "already \xc3\xa9");
}

TEST_CASE("prose: whatever the bytes, CLD2 accepts the result", "[internals][prose]") {
  // Random byte strings weighted towards the troublesome ranges (controls, lead and trail
  // bytes, invalid bytes); CLD2's checking call must accept every extracted text in full.
  std::mt19937 random(12345);
  std::uniform_int_distribution<int> length(0, 80);
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_int_distribution<int> any_byte(0, 255);
  std::uniform_int_distribution<int> control(0, 0x1f);
  std::uniform_int_distribution<int> high(0x80, 0xff);
  const std::string samples[] = {"a", "é", "日", "😀", "\xef\xbf\xbe", "\xc2\x85", "\xed\xa0\x80"};
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const int n = length(random);
    for (int i = 0; i < n; ++i) {
      const int kind = pick(random);
      if (kind < 3) {
        input.push_back(static_cast<char>(any_byte(random)));
      } else if (kind < 5) {
        input.push_back(static_cast<char>(control(random)));
      } else if (kind < 7) {
        input.push_back(static_cast<char>(high(random)));
      } else {
        input += samples[static_cast<std::size_t>(any_byte(random)) % std::size(samples)];
      }
    }
    const Prose prose = ExtractProse(input, true, 1 << 20);
    INFO("round " << round);
    CHECK(RunCld2(prose.text).valid_utf8);
  }
}

TEST_CASE("RunCld2 reports bytes it does not accept instead of answering", "[internals][cld2]") {
  const Cld2Answer invalid = RunCld2("Das ist ein ganz normaler deutscher Satz\xff mit Fehler.");
  CHECK_FALSE(invalid.valid_utf8);
  CHECK(invalid.language.empty());
  CHECK_FALSE(invalid.reliable);
  CHECK(invalid.share == 0.0);
  // A control character stops CLD2 just the same: the reason ExtractProse replaces them.
  const Cld2Answer control = RunCld2("Das ist ein ganz normaler deutscher Satz\x01 ohne Fehler.");
  CHECK_FALSE(control.valid_utf8);
  const Cld2Answer valid = RunCld2("Das ist ein ganz normaler deutscher Satz ohne jeden Fehler.");
  CHECK(valid.valid_utf8);
  CHECK(valid.language == "de");
  CHECK(valid.reliable);
  CHECK(valid.share > 0.9);
}

TEST_CASE("RunCld2 maps CLD2's codes to canonical ones", "[internals][cld2]") {
  CHECK(RunCld2("השגיאה בקוד שלך נובעת מכך שהלולאה מתחילה מאחת במקום מאפס.").language == "he");
  CHECK(RunCld2("").language.empty());
  CHECK(CanonicalFromCld2("iw") == "he");
  CHECK(CanonicalFromCld2("zh-Hant") == "zh");
  CHECK(CanonicalFromCld2("jw") == "jv");
  CHECK(CanonicalFromCld2("sr-ME") == "sr");
  CHECK(CanonicalFromCld2("un").empty());
  CHECK(CanonicalFromCld2("xxx").empty());
  CHECK(CanonicalFromCld2("xx-Latn").empty());
  CHECK(CanonicalFromCld2("zzp").empty());  // CLD2's joke languages are not languages here
  CHECK(CanonicalFromCld2("tlh").empty());
}

TEST_CASE("RunCld2 adds up the shares of equivalent codes", "[internals][cld2]") {
  // Simplified and traditional halves: CLD2 splits the text between zh and zh-Hant, which are
  // one language here.
  const std::string text =
      "我建议你多喝水，并且每晚至少睡七个小时。简单来说，黑洞是太空中引力极强的区域，连光都无法逃脱。"
      "調查結果顯示，大多數顧客更重視價格，而不是設計。我來一步一步告訴你如何建立一個新帳戶。";
  CLD2::Language language3[3];
  int percent3[3];
  int text_bytes = 0;
  bool reliable = false;
  CLD2::DetectLanguageSummary(text.data(), static_cast<int>(text.size()), true, language3,
                              percent3, &text_bytes, &reliable);
  INFO("CLD2's own split: " << CLD2::LanguageCode(language3[0]) << " " << percent3[0] << "%, "
                            << CLD2::LanguageCode(language3[1]) << " " << percent3[1] << "%");
  REQUIRE(CanonicalFromCld2(CLD2::LanguageCode(language3[0])) == "zh");
  REQUIRE(CanonicalFromCld2(CLD2::LanguageCode(language3[1])) == "zh");
  REQUIRE(percent3[0] < 90);
  const Cld2Answer answer = RunCld2(text);
  CHECK(answer.language == "zh");
  CHECK(answer.share == Approx((percent3[0] + percent3[1]) / 100.0));
}

TEST_CASE("cached Unicode properties agree with ICU", "[internals][script]") {
  const UnicodeData& data = UnicodeData::Get();
  int letters = 0;
  for (UChar32 c = 0; c <= 0x10ffff; c += (c < 0x10000 ? 1 : 7)) {
    if (U_IS_SURROGATE(c)) continue;
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(c, &status);
    const bool letter = script != USCRIPT_COMMON && script != USCRIPT_INHERITED &&
                        script != USCRIPT_UNKNOWN && script != USCRIPT_INVALID_CODE;
    const int expected = letter ? static_cast<int>(script) : -1;
    if (data.LetterScript(c) != expected) FAIL("data.LetterScript(U+" << std::hex << c << ")");
    const bool maybe = u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES;
    if (data.MaybeNotNfc(c) != maybe) FAIL("data.MaybeNotNfc(U+" << std::hex << c << ")");
    letters += letter ? 1 : 0;
  }
  CHECK(letters > 50000);
  CHECK(data.LetterScript('A') == USCRIPT_LATIN);
  CHECK(data.LetterScript('7') == -1);
  CHECK(data.LetterScript(0x3042) == USCRIPT_HIRAGANA);  // あ
  CHECK(data.LetterScript(0x20000) == USCRIPT_HAN);      // a CJK Extension B ideograph
  CHECK(data.LetterScript(0x1F600) == -1);               // an emoji
  CHECK(data.MaybeNotNfc(0x0301));                       // combining acute accent
  CHECK_FALSE(data.MaybeNotNfc(0x00E9));                 // é
}

TEST_CASE("script tally counts letters of each script", "[internals][script]") {
  const ScriptTally latin = TallyScripts("abc, 123!");
  CHECK(latin.letters == 3);
  CHECK(latin.weighted == 3);
  CHECK(latin.letters_by_script[USCRIPT_LATIN] == 3);
  // Digits, punctuation, emoji and combining marks shared by scripts are not letters.
  const ScriptTally none = TallyScripts("42 + 7 = 49 😀 \xcc\x81 ?!");
  CHECK(none.letters == 0);
  CHECK(none.weighted == 0);
  // Han and kana weigh 3, Latin and Cyrillic 1 each.
  const ScriptTally mixed = TallyScripts("日本語とEnglishと русский");
  CHECK(mixed.letters == 19);
  CHECK(mixed.letters_by_script[USCRIPT_HAN] == 3);
  CHECK(mixed.letters_by_script[USCRIPT_HIRAGANA] == 2);
  CHECK(mixed.letters_by_script[USCRIPT_LATIN] == 7);
  CHECK(mixed.letters_by_script[USCRIPT_CYRILLIC] == 7);
  CHECK(mixed.weighted == 5 * 3 + 7 + 7);
}

TEST_CASE("script rule decides by the dominant script", "[internals][script]") {
  auto decide = [](std::string_view text) { return DecideByScript(TallyScripts(text)); };
  CHECK(decide("ありがとうございます").language == "ja");
  CHECK(decide("谢谢你的帮助").language == "zh");
  CHECK(decide("謝謝你的幫助").language == "zh");
  CHECK(decide("감사합니다").language == "ko");
  CHECK(decide("Ευχαριστώ πολύ").language == "el");
  CHECK(decide("ขอบคุณมาก").language == "th");
  // Latin, Cyrillic, Arabic and Devanagari are for CLD2.
  const ScriptVerdict english = decide("Thank you very much");
  CHECK(english.language.empty());
  CHECK(english.script == USCRIPT_LATIN);
  CHECK(english.letters == 16);
  CHECK(english.share == 1.0);
  CHECK(decide("Большое спасибо").language.empty());
  CHECK(decide("شكرا جزيلا").language.empty());
  CHECK(decide("बहुत धन्यवाद").language.empty());
  const ScriptVerdict nothing = decide("42");
  CHECK(nothing.language.empty());
  CHECK(nothing.script == -1);
  CHECK(nothing.share == 0.0);
  // Shares are by letters: 4 Greek letters against 12 Latin ones.
  const ScriptVerdict greek_minority = decide("αβγδ abcdefghijkl");
  CHECK(greek_minority.language.empty());
  CHECK(greek_minority.script == USCRIPT_LATIN);
  CHECK(greek_minority.share == Approx(12.0 / 16.0));
  const ScriptVerdict greek_majority = decide("αβγδεζηθ abcd");
  CHECK(greek_majority.language == "el");
  CHECK(greek_majority.letters == 8);
  CHECK(greek_majority.share == Approx(8.0 / 12.0));
  // 4 Han characters weigh 12, more than 10 Latin letters.
  const ScriptVerdict han = decide("中文汉字 abcdefghij");
  CHECK(han.language == "zh");
  CHECK(han.share == Approx(12.0 / 22.0));
}

TEST_CASE("only the dominant script's letters reach CLD2", "[internals][script]") {
  const std::string_view text = "The word спасибо means thank you, 日本語 too.";
  const ScriptVerdict verdict = DecideByScript(TallyScripts(text));
  REQUIRE(verdict.script == USCRIPT_LATIN);
  CHECK(KeepDominantScript(text, verdict) == "The word means thank you, too.");
  const std::string_view japanese = "これはPythonの関数です";
  const ScriptVerdict ja = DecideByScript(TallyScripts(japanese));
  REQUIRE(ja.script == USCRIPT_HAN);
  CHECK(KeepDominantScript(japanese, ja) == "これは の関数です");
}

TEST_CASE("script rule: kana decides Japanese, a trace of kana decides nothing",
          "[internals][script]") {
  // 40 Han characters and one hiragana: kana are 1/41 of the group, under 5%.
  std::string han;
  for (int i = 0; i < 10; ++i) han += "中国人民";
  const ScriptVerdict trace = DecideByScript(TallyScripts(han + "の"));
  CHECK(trace.language.empty());
  CHECK(trace.cjk);
  // 18 Han and one kana is just over 5%.
  std::string short_han;
  for (int i = 0; i < 6; ++i) short_han += "中国人";
  CHECK(DecideByScript(TallyScripts(short_han + "の")).language == "ja");
  CHECK(DecideByScript(TallyScripts(han)).language == "zh");
  // Hangul outweighs the Han it is mixed with.
  const ScriptVerdict korean = DecideByScript(TallyScripts("大韓民國 헌법 제일조 대한민국은 민주공화국이다"));
  CHECK(korean.language == "ko");
  CHECK(korean.cjk);
}

TEST_CASE("script rule's table agrees with CLD2's own script data", "[internals][script]") {
  // CLD2 recognises each of these scripts as one language (RTypeOne) and names the same
  // language, except Hebrew, which CLD2 scores as Hebrew or Yiddish (see docs).
  for (const ScriptLanguage& entry : SingleLanguageScripts()) {
    const char* iso = uscript_getShortName(static_cast<UScriptCode>(entry.script));
    const CLD2::ULScript ulscript = CLD2::GetULScriptFromName(iso);
    INFO("script " << iso);
    CHECK(CanonicalFromCld2(CLD2::LanguageCode(CLD2::DefaultLanguage(ulscript))) ==
          entry.language);
    if (entry.language != "he") CHECK(CLD2::ULScriptRecognitionType(ulscript) == CLD2::RTypeOne);
  }
}

}  // namespace gavel::language::detail
