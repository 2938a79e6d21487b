// Detect: thresholds, mixed scripts, hostile bytes, markup, options, threads.
#include <catch2/catch.hpp>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gavel/language/detect.h"
#include "sentences.h"

namespace gavel::language {
namespace {

constexpr std::string_view kGerman =
    "Der Fehler in deinem Code liegt daran, dass die Schleife bei eins statt bei null beginnt.";

Detector Make(const DetectorOptions& options) {
  Result<Detector> detector = Detector::Create(options);
  REQUIRE(detector.ok());
  return std::move(detector).value();
}

void CheckUndecided(const Detection& d) {
  CHECK(d.language == "und");
  CHECK_FALSE(d.reliable);
  CHECK(d.confidence == 0.0);
}

}  // namespace

TEST_CASE("empty and letterless texts are undecided with method none", "[detect]") {
  for (const std::string_view text : {std::string_view(""), std::string_view("   \n\t "),
                                      std::string_view("42 + 7 = 49?! 😀 🎉 -> ***")}) {
    INFO("text: " << text);
    const Detection d = Detect(text);
    CheckUndecided(d);
    CHECK(d.method == "none");
    CHECK(d.letters == 0);
    CHECK(d.guess.empty());
    CHECK_FALSE(d.invalid_utf8);
  }
}

TEST_CASE("a long enough sentence is decided with its confidence", "[detect]") {
  const Detection d = Detect(kGerman);
  CHECK(d.language == "de");
  CHECK(d.reliable);
  CHECK(d.method == "cld2");
  CHECK(d.guess == "de");
  CHECK(d.confidence > 0.9);
  CHECK(d.confidence <= 1.0);
  CHECK(d.letters == 72);
}

TEST_CASE("short text is unreliable, with the best effort kept as a guess", "[detect]") {
  const Detection hello = Detect("Hello there, how are you?");  // 19 letters
  CheckUndecided(hello);
  CHECK(hello.method == "cld2");
  CHECK(hello.letters == 19);
  CHECK(hello.guess == "en");

  // The threshold is on letters: 26 letters are enough with min_letters 26, not with 27.
  constexpr std::string_view kShort = "Ich habe heute leider keine Zeit";  // 27 letters
  DetectorOptions options;
  options.min_letters = 27;
  CHECK(Make(options).Detect(kShort).language == "de");
  options.min_letters = 28;
  const Detection below = Make(options).Detect(kShort);
  CheckUndecided(below);
  CHECK(below.letters == 27);
  CHECK(below.guess == "de");
}

TEST_CASE("script-decided text needs fewer letters", "[detect]") {
  const Detection greek = Detect("Ευχαριστώ πολύ");  // 13 letters
  CHECK(greek.language == "el");
  CHECK(greek.method == "script");
  CHECK(greek.confidence == 1.0);
  const Detection thanks = Detect("ありがとう");  // 5 letters, one under the default 6
  CheckUndecided(thanks);
  CHECK(thanks.method == "script");
  CHECK(thanks.guess == "ja");
  CHECK(Detect("ありがとうございます").language == "ja");
  CHECK(Detect("谢谢你的帮助").language == "zh");
  CHECK(Detect("감사합니다 여러분").language == "ko");
  CheckUndecided(Detect("Γεια"));
}

TEST_CASE("mixed scripts: the dominant script decides, a balanced mix is undecided", "[detect]") {
  // A Japanese answer with English identifiers outside code spans.
  const Detection ja = Detect("Pythonでは、list.append()を使ってリストの末尾に要素を追加できます。");
  CHECK(ja.language == "ja");
  CHECK(ja.method == "script");
  CHECK(ja.confidence < 1.0);
  CHECK(ja.confidence > 0.6);
  // An English answer quoting a Russian word.
  const Detection en =
      Detect("The Russian word for thank you is спасибо, and people say it very often.");
  CHECK(en.language == "en");
  // Half Greek, half English: too mixed for either.
  const Detection half = Detect(
      "Καλημέρα σας, τι κάνετε σήμερα; Good morning everyone, how are you doing today?");
  CheckUndecided(half);
  CHECK(half.letters > 50);
  CHECK_FALSE(half.guess.empty());
  // Half Russian, half English goes to CLD2 and is just as undecided.
  const Detection ru_en = Detect(
      "Доброе утро всем, как у вас сегодня дела? Good morning everyone, how are you today?");
  CheckUndecided(ru_en);
  CHECK(ru_en.method == "cld2");
}

TEST_CASE("Han text with a trace of kana goes to CLD2", "[detect]") {
  // 65 Han characters and one hiragana: too little kana to call it Japanese by script.
  const Detection d = Detect(
      "你的代码出错是因为循环从一开始，而不是从零开始。我建议你多喝水，并且每晚至少睡七个小时。"
      "解这个方程有好几种方法，但最简单的是先把左边因式分解の。");
  CHECK(d.method == "cld2");
  CHECK(d.language == "zh");
  CHECK(d.reliable);
}

TEST_CASE("control characters in the middle do not stop detection", "[detect]") {
  // Controls at the start, after byte 10, after byte 30 and at the end (a C1 control). Built by
  // appending: at -O3, GCC 12 warns falsely (-Wrestrict) on std::string::insert here.
  std::string text = "\x02";
  text.append(kGerman.substr(0, 10));
  text.push_back('\0');
  text.append(kGerman.substr(10, 20));
  text.append("\x01\x1b[0m\x7f");
  text.append(kGerman.substr(30));
  text.append("\xc2\x85");
  const Detection d = Detect(text);
  CHECK(d.language == "de");
  CHECK(d.reliable);
  CHECK_FALSE(d.invalid_utf8);
}

TEST_CASE("invalid UTF-8 is read as spaces and reported", "[detect]") {
  std::string text(kGerman);
  text.insert(20, "\xff\xfe");
  text += "\xe3\x81";  // a multi-byte sequence cut short, as truncated model output can end
  const Detection d = Detect(text);
  CHECK(d.language == "de");
  CHECK(d.reliable);
  CHECK(d.invalid_utf8);

  const Detection garbage = Detect("\xff\xfe\xfd\xc0\x80\xed\xa0\x80\xf8\x88\x80\x80\x80");
  CheckUndecided(garbage);
  CHECK(garbage.method == "none");
  CHECK(garbage.invalid_utf8);
}

TEST_CASE("decomposed accents are detected like composed ones", "[detect]") {
  // This sentence is Nynorsk to CLD2 when its accents are decomposed (NFD) and not normalised.
  const std::string nfc =
      "Det finns flera sätt att lösa den här ekvationen, men det enklaste är att först "
      "faktorisera vänsterledet.";
  UErrorCode status = U_ZERO_ERROR;
  std::string nfd;
  icu::StringByteSink<std::string> sink(&nfd);
  icu::Normalizer2::getNFDInstance(status)->normalizeUTF8(0, nfc, sink, nullptr, status);
  REQUIRE(U_SUCCESS(status));
  REQUIRE(nfd != nfc);
  CHECK(Detect(nfc).language == "sv");
  CHECK(Detect(nfd).language == "sv");
}

TEST_CASE("code blocks, inline code and URLs do not count", "[detect]") {
  const std::string answer = std::string(kGerman) +
                             "\n\n```python\n"
                             "# Iterate over every item in the list and print the running total\n"
                             "for index in range(len(items)):\n"
                             "    total = total + items[index]\n"
                             "    print(f\"The running total after this item is {total}\")\n"
                             "```\n"
                             "Verwende `for index in range(1, len(items) + 1)` nicht. Mehr dazu "
                             "unter https://docs.python.org/3/tutorial/controlflow.html.";
  const Detection stripped = Detect(answer);
  CHECK(stripped.language == "de");
  CHECK(stripped.confidence > 0.9);
  DetectorOptions keep;
  keep.strip_markup = false;
  const Detection kept = Make(keep).Detect(answer);
  CHECK(kept.letters > stripped.letters + 150);
  CHECK((kept.language != "de" || kept.confidence < stripped.confidence - 0.2));
}

TEST_CASE("only the first max_bytes of prose are examined", "[detect]") {
  const std::string text =
      std::string(kGerman) + " " +
      "In short, a black hole is a region of space where gravity is so strong that not even "
      "light can escape, and here are three tips that will help you write clearer emails.";
  DetectorOptions options;
  options.max_bytes = kGerman.size();
  const Detection head = Make(options).Detect(text);
  CHECK(head.language == "de");
  CHECK(head.confidence > 0.9);
  const Detection whole = Detect(text);
  CHECK((whole.language != "de" || whole.confidence < 0.6));
}

TEST_CASE("Detector::Create rejects out-of-range options", "[detect]") {
  const auto rejects = [](auto change, std::string_view what) {
    DetectorOptions options;
    change(options);
    const Result<Detector> detector = Detector::Create(options);
    REQUIRE_FALSE(detector.ok());
    CHECK(detector.error().kind() == ErrorKind::kUsage);
    CHECK_THAT(detector.error().message(), Catch::Contains(std::string(what)));
  };
  rejects([](DetectorOptions& o) { o.min_letters = 0; }, "min_letters");
  rejects([](DetectorOptions& o) { o.min_script_letters = -1; }, "min_script_letters");
  rejects([](DetectorOptions& o) { o.min_share = 0.0; }, "min_share");
  rejects([](DetectorOptions& o) { o.min_share = 1.5; }, "min_share");
  rejects([](DetectorOptions& o) { o.min_share = std::numeric_limits<double>::quiet_NaN(); },
          "min_share");
  rejects([](DetectorOptions& o) { o.max_bytes = 0; }, "max_bytes");
  rejects([](DetectorOptions& o) { o.max_bytes = std::size_t{1} << 30; }, "max_bytes");

  DetectorOptions edge;
  edge.min_letters = 1;
  edge.min_script_letters = 1;
  edge.min_share = 1.0;
  edge.max_bytes = std::size_t{16} << 20;
  const Result<Detector> detector = Detector::Create(edge);
  REQUIRE(detector.ok());
  CHECK(detector->options().min_share == 1.0);
  // min_share 1.0 refuses any mixture: one Latin letter in Greek text is enough.
  CHECK(detector->Detect("Ευχαριστώ πολύ").language == "el");
  CHECK(detector->Detect("Ευχαριστώ πολύ x").language == "und");
}

TEST_CASE("many threads detect at once with the same results", "[detect][threads]") {
  const std::vector<testing::Sentence> sentences = testing::LoadSentences();
  std::vector<Detection> expected;
  for (const testing::Sentence& s : sentences) expected.push_back(Detect(s.text));

  constexpr int kThreads = 4;
  std::vector<std::vector<Detection>> results(kThreads,
                                              std::vector<Detection>(sentences.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the sentences from a different starting point.
      for (std::size_t k = 0; k < sentences.size(); ++k) {
        const std::size_t i = (k + static_cast<std::size_t>(t) * 97) % sentences.size();
        results[static_cast<std::size_t>(t)][i] = Detect(sentences[i].text);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      const Detection& got = results[static_cast<std::size_t>(t)][i];
      INFO("thread " << t << ", sentence " << i);
      CHECK(got.language == expected[i].language);
      CHECK(got.confidence == expected[i].confidence);
    }
  }
}

TEST_CASE("CLD2's full tables are linked in", "[detect][cld2]") {
  CHECK(Cld2FullTablesInUse());
  // Languages only the full tables answer.
  CHECK(Detect("Puella in horto sedet et epistulam longam ad amicum suum scribit.").language ==
        "la");
  CHECK(Detect("Eg tilrår deg å drikka meir vatn og sova minst sju timar kvar natt.").language ==
        "nn");
}

TEST_CASE("the allocator tuning is accepted by glibc's malloc", "[detect][allocator]") {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's allocator replaces glibc's and refuses mallopt.
  CHECK_FALSE(TuneAllocatorForLanguageDetection());
#else
  CHECK(TuneAllocatorForLanguageDetection());
#endif
  CHECK(Detect(kGerman).language == "de");
}

TEST_CASE("an undecided text says why; a decided one has no reason", "[detect]") {
  CHECK(Detect(kGerman).reason.empty());
  CHECK(Detect("42 + 7 = 49?!").reason == "no letters");
  CHECK(Detect("Hello there, how are you?").reason == "too short: 19 letters, 30 needed");
  CHECK(Detect("ありがとう").reason == "too short: 5 letters, 6 needed");
  const Detection half = Detect(
      "Καλημέρα σας, τι κάνετε σήμερα; Good morning everyone, how are you doing today?");
  CHECK(half.reason.starts_with("too mixed: '" + half.guess + "' covers "));
  CHECK(half.reason.ends_with("% of the letters, 60% needed"));
  const Detection ru_en = Detect(
      "Доброе утро всем, как у вас сегодня дела? Good morning everyone, how are you today?");
  CHECK(ru_en.reason.starts_with("too mixed: '"));
  // Consonant soup: long enough, but CLD2 names no language for it.
  const Detection soup = Detect("xkcd qwrtp zvbnm lkjhg fdsap mnbvc xzqwv");
  CHECK(soup.language == "und");
  CHECK(soup.reason == "CLD2 could not decide");
  // Plain text says nothing about JSON.
  CHECK(Detect("Danke schön").reason == "too short: 10 letters, 30 needed");
  CHECK(Detect("Danke schön").form == "text");
}

}  // namespace gavel::language
