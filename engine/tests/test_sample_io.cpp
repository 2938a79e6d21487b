// Tests of the sample data model, the event and JSONL readers, and the score writers.
#include <chrono>
#include <ios>
#include <limits>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/sample.h"
#include "gavel/sample_io.h"
#include "gavel/score.h"

namespace gavel {
namespace {

using namespace std::string_literals;

// A minimal valid sample with the given id (as JSON text) and extra top-level members.
std::string SampleText(const std::string& id_json, const std::string& extra = "") {
  return R"({"id":)" + id_json +
         R"(,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}])" + extra + "}";
}

// A sample whose messages array is the given JSON text.
std::string MessagesText(const std::string& messages_json) {
  return R"({"id":"m","messages":)" + messages_json + "}";
}

std::string ErrorOf(const ParsedSample& parsed) {
  REQUIRE_FALSE(parsed.sample.ok());
  CHECK(parsed.sample.error().kind() == ErrorKind::kBadSample);
  return parsed.sample.error().message();
}

// A copy, so that it may be called on a temporary.
Sample SampleOf(const ParsedSample& parsed) {
  INFO((parsed.sample.ok() ? "" : parsed.sample.error().ToString()));
  REQUIRE(parsed.sample.ok());
  return parsed.sample.value();
}

std::vector<ParsedSample> ReadJsonl(const std::string& text, ReadLimits limits = {}) {
  std::istringstream in(text);
  JsonlReader reader(in, limits);
  std::vector<ParsedSample> samples;
  ParsedSample parsed;
  while (reader.Next(parsed)) samples.push_back(std::move(parsed));
  if (reader.error()) FAIL(reader.error()->ToString());
  return samples;
}

std::string Nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A stream buffer that serves `data` and then fails as a broken disk or pipe would.
class FailingBuffer : public std::streambuf {
 public:
  explicit FailingBuffer(std::string data) : data_(std::move(data)) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 protected:
  int_type underflow() override { throw std::ios_base::failure("device unreadable"); }

 private:
  std::string data_;
};

// Valid JSON per the strict (throwing) serialiser, i.e. well-formed UTF-8.
bool IsValidUtf8(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Sample and Score

TEST_CASE("Sample finds the answer's prompt and the first system message", "[sample]") {
  Sample sample;
  sample.messages = {{"system", "sys1"}, {"user", "q1"}, {"assistant", "a1"}, {"system", "sys2"},
                     {"user", "q2"},     {"tool", "t"},  {"assistant", "a2"}, {"user", "later"}};
  sample.answer_index = 6;
  CHECK(sample.answer() == "a2");
  CHECK(sample.prompt() == "q2");
  CHECK(sample.system() == "sys1");

  sample.answer_index = 2;
  CHECK(sample.prompt() == "q1");
}

TEST_CASE("Sample prompt and system are empty when absent", "[sample]") {
  Sample sample;
  sample.messages = {{"assistant", "a"}, {"user", "after the answer"}};
  CHECK(sample.prompt().empty());
  CHECK(sample.system().empty());
  sample.answer_index = 99;  // out of range must not read past the end
  CHECK(sample.prompt() == "after the answer");
}

TEST_CASE("Score::Failed gives the neutral reward, an error metric and the error", "[score]") {
  const Score score = Score::Failed(Json("s7"), 0.5, ErrorKind::kLimit, "instruction limit hit");
  CHECK(score.id == "s7");
  CHECK(score.reward == 0.5);
  CHECK(score.neutral);
  REQUIRE(score.metrics.size() == 1);
  CHECK(score.metrics[0].name == "error.limit");
  CHECK(score.metrics[0].value == 1.0);
  CHECK(score.metrics[0].type == MetricType::kMetric);
  REQUIRE(score.errors.size() == 1);
  CHECK(score.errors[0].kind == ErrorKind::kLimit);
  CHECK(score.errors[0].message == "instruction limit hit");
  CHECK(score.details == Json::object());
}

// ---------------------------------------------------------------------------------------------
// ParseSampleText: valid input

TEST_CASE("A sample with string content is read", "[sample_io]") {
  const ParsedSample parsed = ParseSampleText(
      R"({"id":"s1","messages":[{"role":"system","content":"Be brief."},)"
      R"({"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}],"reference_answer":"4"})",
      5);
  const Sample& sample = SampleOf(parsed);
  CHECK(parsed.index == 5);
  CHECK(parsed.line == 0);
  CHECK(parsed.id == "s1");
  CHECK(sample.id == "s1");
  REQUIRE(sample.messages.size() == 3);
  CHECK(sample.messages[1].role == "user");
  CHECK(sample.answer_index == 2);
  CHECK(sample.answer() == "4");
  CHECK(sample.prompt() == "2+2?");
  CHECK(sample.system() == "Be brief.");
  CHECK(sample.reference == "4");
  CHECK(sample.metadata == Json::object());
}

TEST_CASE("Content given as parts joins the text parts and keeps the others apart", "[sample_io]") {
  const ParsedSample parsed = ParseSampleText(
      MessagesText(
          R"([{"role":"user","content":[{"type":"text","text":"Look "},)"
          R"({"type":"image","image":{"format":"png","source":{"bytes":"AAAA"}}},{"type":"text","text":"here"}]},)"
          R"({"role":"assistant","content":[{"type":"text","text":"A "},{"type":"text","text":"cat"}]},)"
          R"({"role":"user","content":[]}])"),
      0);
  const Sample& sample = SampleOf(parsed);
  CHECK(sample.prompt() == "Look here");
  CHECK(sample.answer() == "A cat");
  CHECK(sample.messages[2].content.empty());
  // The other parts are kept, for rubrics that look at them.
  CHECK(sample.messages[0].parts ==
        std::vector<Json>{Json::parse(R"({"type":"image","image":{"format":"png","source":{"bytes":"AAAA"}}})")});
  CHECK(sample.messages[1].parts.empty());
}

TEST_CASE("The answer is the last assistant or nova_assistant message", "[sample_io]") {
  const ParsedSample parsed = ParseSampleText(
      MessagesText(R"([{"role":"user","content":"q1"},{"role":"assistant","content":"draft"},)"
                   R"({"role":"user","content":"q2"},{"role":"nova_assistant","content":"final"},)"
                   R"({"role":"user","content":"thanks"}])"),
      0);
  const Sample& sample = SampleOf(parsed);
  CHECK(sample.answer_index == 3);
  CHECK(sample.answer() == "final");
  CHECK(sample.prompt() == "q2");
}

TEST_CASE("The reference answer may sit under metadata", "[sample_io]") {
  SECTION("only under metadata: read, and kept in the metadata") {
    const Sample& sample = SampleOf(ParseSampleText(
        SampleText("1", R"(,"metadata":{"reference_answer":{"x":[1,2]},"split":"test"})"), 0));
    CHECK(sample.reference == Json{{"x", {1, 2}}});
    CHECK(sample.metadata == Json{{"reference_answer", {{"x", {1, 2}}}}, {"split", "test"}});
  }
  SECTION("the top level wins over metadata") {
    const Sample& sample = SampleOf(
        ParseSampleText(SampleText("1", R"(,"reference_answer":7,"metadata":{"reference_answer":8})"), 0));
    CHECK(sample.reference == 7);
  }
  SECTION("a null top-level reference falls back to metadata") {
    const Sample& sample = SampleOf(
        ParseSampleText(SampleText("1", R"(,"reference_answer":null,"metadata":{"reference_answer":8})"), 0));
    CHECK(sample.reference == 8);
  }
  SECTION("absent everywhere: null") {
    const Sample& sample = SampleOf(ParseSampleText(SampleText("1"), 0));
    CHECK(sample.reference.is_null());
  }
}

TEST_CASE("Extra top-level keys become metadata, and metadata keys win on a clash", "[sample_io]") {
  const Sample& sample = SampleOf(ParseSampleText(
      SampleText("1", R"(,"task":"math","split":"train","metadata":{"split":"test","difficulty":3})"), 0));
  CHECK(sample.metadata == Json{{"task", "math"}, {"split", "test"}, {"difficulty", 3}});
}

TEST_CASE("A null metadata is read as absent", "[sample_io]") {
  const Sample& sample = SampleOf(ParseSampleText(SampleText("1", R"(,"metadata":null)"), 0));
  CHECK(sample.metadata == Json::object());
}

TEST_CASE("Integer ids stay integers", "[sample_io]") {
  for (const std::string id : {"42", "-3", "18446744073709551615"}) {
    const ParsedSample parsed = ParseSampleText(SampleText(id), 0);
    const Sample& sample = SampleOf(parsed);
    CHECK(sample.id.is_number_integer());
    CHECK(parsed.id == sample.id);
    CHECK(sample.id.dump() == id);
  }
}

TEST_CASE("Escaped NUL characters are valid JSON and kept", "[sample_io]") {
  const Sample& sample =
      SampleOf(ParseSampleText(MessagesText(R"([{"role":"assistant","content":"a\u0000b"}])"), 0));
  CHECK(sample.answer() == "a\0b"s);
}

// ---------------------------------------------------------------------------------------------
// ParseSampleText: malformed input

TEST_CASE("A missing or unusable id is an error and leaves the id null", "[sample_io]") {
  const ParsedSample missing = ParseSampleText(R"({"messages":[{"role":"assistant","content":"a"}]})", 2);
  CHECK(ErrorOf(missing) == R"(sample 3: missing "id")");
  CHECK(missing.id.is_null());

  const std::vector<std::pair<std::string, std::string>> cases = {{"true", "a boolean"},
                                                                   {"1.5", "1.5, a number with a fraction"},
                                                                   {"null", "null"},
                                                                   {"[1]", "an array"},
                                                                   {"{}", "an object"}};
  for (const auto& [id, described] : cases) {
    const ParsedSample parsed = ParseSampleText(SampleText(id), 0);
    CHECK(ErrorOf(parsed) == R"(sample 1: "id" must be a string or an integer from -2^63 to 2^64-1, not )" + described);
    CHECK(parsed.id.is_null());
  }
}

TEST_CASE("A readable id is kept when the rest of the sample is bad", "[sample_io]") {
  const ParsedSample parsed = ParseSampleText(R"({"id":"keep-me","messages":[]})", 0);
  CHECK(ErrorOf(parsed) == R"(sample 1: "messages" must be a non-empty array, not an empty array)");
  CHECK(parsed.id == "keep-me");
}

TEST_CASE("Malformed messages are precise errors", "[sample_io]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"id":"m"})", R"(missing "messages")"},
      {MessagesText(R"("hello")"), R"("messages" must be a non-empty array, not a string)"},
      {MessagesText(R"(["hello"])"), R"("messages"[0] must be an object, not a string)"},
      {MessagesText(R"([{"content":"a"}])"), R"("messages"[0] has no "role")"},
      {MessagesText(R"([{"role":1,"content":"a"}])"), R"("messages"[0].role must be a string, not a number)"},
      {MessagesText(R"([{"role":"user","content":"q"},{"role":"assistant"}])"),
       R"("messages"[1] has no "content")"},
      {MessagesText(R"([{"role":"user","content":"q"},{"role":"assistant","content":5}])"),
       R"("messages"[1].content must be a string or a list of content parts, not a number)"},
      {MessagesText(R"([{"role":"assistant","content":null}])"),
       R"("messages"[0].content must be a string or a list of content parts, not null )"
       R"((only a turn with tool_calls may omit it))"},
      {MessagesText(R"([{"role":"assistant","content":["a"]}])"),
       R"("messages"[0].content[0] must be an object, not a string)"},
      {MessagesText(R"([{"role":"assistant","content":[{"type":7,"text":"a"}]}])"),
       R"("messages"[0].content[0].type must be a string, not a number)"},
      {MessagesText(
           R"([{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":3}]}])"),
       R"("messages"[0].content[1].text must be a string, not a number)"},
      {MessagesText(R"([{"role":"assistant","content":[{"type":"text"}]}])"),
       R"("messages"[0].content[0] has no "text")"},
      {MessagesText(R"([{"role":"system","content":"s"},{"role":"user","content":"q"}])"),
       "no assistant or nova_assistant message"},
      {SampleText("1", R"(,"metadata":["x"])"), R"("metadata" must be an object, not an array)"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    CHECK(ErrorOf(ParseSampleText(text, 3)) == "sample 4: " + message);
  }
}

TEST_CASE("A value that is not an object is an error", "[sample_io]") {
  CHECK(ErrorOf(ParseSampleText("[1,2]", 0)) == "sample 1: must be a JSON object, not an array");
  CHECK(ErrorOf(ParseSampleText(R"("text")", 0)) == "sample 1: must be a JSON object, not a string");
}

TEST_CASE("Invalid JSON is an error naming the position", "[sample_io]") {
  const std::string truncated = ErrorOf(ParseSampleText(R"({"id":1,)", 0));
  CHECK_THAT(truncated, Catch::StartsWith("sample 1: invalid JSON at byte 8: "));
  CHECK_THAT(truncated, !Catch::Contains("json.exception"));

  CHECK_THAT(ErrorOf(ParseSampleText(SampleText("1") + " x", 0)),
             Catch::StartsWith("sample 1: invalid JSON at byte"));
  CHECK_THAT(ErrorOf(ParseSampleText(SampleText("1", R"(,"big":1e999)"), 0)),
             Catch::StartsWith("sample 1: invalid JSON"));
}

TEST_CASE("Empty text is an error", "[sample_io]") {
  CHECK(ErrorOf(ParseSampleText("", 0)) == "sample 1: empty: there is no JSON value");
  CHECK(ErrorOf(ParseSampleText(" \t\r\n", 0)) == "sample 1: empty: there is no JSON value");
}

TEST_CASE("Invalid UTF-8 is an error whose message stays valid UTF-8", "[sample_io]") {
  const std::string message = ErrorOf(ParseSampleText(SampleText("\"a\xFF\xFE\""), 0));
  CHECK_THAT(message, Catch::StartsWith("sample 1: invalid JSON at byte"));
  CHECK_THAT(message, Catch::Contains("UTF-8"));
  CHECK_THAT(message, Catch::Contains("\\xFF"));
  CHECK(IsValidUtf8(message));

  // Overlong forms, surrogates, code points above U+10FFFF and truncated sequences.
  for (const std::string bad :
       {"\xC0\xAF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF0\x9F", "\x80"}) {
    INFO(bad);
    CHECK(IsValidUtf8(ErrorOf(ParseSampleText(SampleText("\"ok \xC3\xA9 " + bad + "\""), 0))));
  }
}

TEST_CASE("Raw NUL bytes are errors, even after a complete value", "[sample_io]") {
  CHECK(ErrorOf(ParseSampleText(SampleText("\"a\0b\""s), 0)) ==
        "sample 1: raw NUL byte at byte 9 inside a string (escape it as \\u0000)");
  // nlohmann's lexer stops at NUL, so without a check this would parse as the valid prefix.
  CHECK(ErrorOf(ParseSampleText(SampleText("1") + "\0garbage"s, 0)) ==
        "sample 1: raw NUL byte at byte " + std::to_string(SampleText("1").size() + 1));
}

TEST_CASE("Nesting is bounded before parsing", "[sample_io]") {
  SECTION("100,000 levels are a clean error, fast") {
    const auto start = std::chrono::steady_clock::now();
    CHECK(ErrorOf(ParseSampleText(SampleText("1", R"(,"x":)" + Nested(100000)), 0)) ==
          "sample 1: nested deeper than 64 levels of arrays and objects");
    CHECK(ErrorOf(ParseSampleText(std::string(100000, '{'), 0)) ==
          "sample 1: nested deeper than 64 levels of arrays and objects");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  }
  SECTION("the limit counts the sample object itself and ignores brackets in strings") {
    ReadLimits limits;
    limits.max_depth = 3;
    // object > messages array > message object: 3 levels.
    SampleOf(ParseSampleText(MessagesText(R"([{"role":"assistant","content":"[[[[{{{{"}])"), 0, limits));
    SampleOf(ParseSampleText(SampleText("1", R"(,"x":[[1]])"), 0, limits));
    CHECK(ErrorOf(ParseSampleText(SampleText("1", R"(,"x":[[[1]]])"), 0, limits)) ==
          "sample 1: nested deeper than 3 levels of arrays and objects");
  }
}

TEST_CASE("A sample larger than max_sample_bytes is an error", "[sample_io]") {
  ReadLimits limits;
  limits.max_sample_bytes = 60;
  const std::string text = SampleText("1", R"(,"pad":")" + std::string(100, 'p') + "\"");
  CHECK(ErrorOf(ParseSampleText(text, 0, limits)) ==
        "sample 1: the sample is " + std::to_string(text.size()) + " bytes, over the limit of 60 bytes");
  limits.max_sample_bytes = text.size();
  SampleOf(ParseSampleText(text, 0, limits));
}

// ---------------------------------------------------------------------------------------------
// SampleFromJson

TEST_CASE("SampleFromJson reads a parsed value and leaves it unchanged", "[sample_io]") {
  const Json value = Json::parse(SampleText(R"("j")", R"(,"task":"t")"));
  const Json before = value;
  const Result<Sample> sample = SampleFromJson(value);
  REQUIRE(sample.ok());
  CHECK(sample->id == "j");
  CHECK(sample->answer() == "a");
  CHECK(sample->metadata == Json{{"task", "t"}});
  CHECK(value == before);
}

TEST_CASE("SampleFromJson reports errors without a sample prefix", "[sample_io]") {
  const Result<Sample> not_object = SampleFromJson(Json("text"));
  REQUIRE_FALSE(not_object.ok());
  CHECK(not_object.error().kind() == ErrorKind::kBadSample);
  CHECK(not_object.error().message() == "must be a JSON object, not a string");

  const Result<Sample> no_messages = SampleFromJson(Json{{"id", 1}});
  REQUIRE_FALSE(no_messages.ok());
  CHECK(no_messages.error().message() == R"(missing "messages")");
}

// ---------------------------------------------------------------------------------------------
// ParseNovaEvent

TEST_CASE("An event's samples are read in order with their indices", "[event]") {
  const Result<std::vector<ParsedSample>> event = ParseNovaEvent(
      " \r\n\t[ " + SampleText(R"("a")") + " ,\n" + SampleText("2") + "," + SampleText(R"("c")") + " ]\n");
  REQUIRE(event.ok());
  REQUIRE(event->size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK((*event)[i].index == i);
    CHECK((*event)[i].line == 0);
    SampleOf((*event)[i]);
  }
  CHECK((*event)[0].id == "a");
  CHECK((*event)[1].id == 2);
  CHECK((*event)[2].id == "c");
}

TEST_CASE("An empty event array has no samples", "[event]") {
  for (const std::string body : {"[]", " [ \n ] "}) {
    const Result<std::vector<ParsedSample>> event = ParseNovaEvent(body);
    REQUIRE(event.ok());
    CHECK(event->empty());
  }
}

TEST_CASE("An event that is not a JSON array is an error of the whole event", "[event]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {SampleText("1"), "it starts with '{'"},
      {"", "the body is empty"},
      {" \n ", "the body is empty"},
      {"\x01[]", "it starts with byte 0x01"},
      {"[" + SampleText("1"), "the array is not closed (a ']' is missing or a string is not terminated)"},
      {R"([{"id":"abc]})", "the array is not closed (a ']' is missing or a string is not terminated)"},
      {"[" + SampleText("1") + "] x", "unexpected 'x' at byte " + std::to_string(SampleText("1").size() + 4) +
                                          ", after the array's closing ']'"},
  };
  for (const auto& [body, why] : cases) {
    INFO(body);
    const Result<std::vector<ParsedSample>> event = ParseNovaEvent(body);
    REQUIRE_FALSE(event.ok());
    CHECK(event.error().kind() == ErrorKind::kBadSample);
    CHECK(event.error().message() == "event is not a JSON array of samples: " + why);
  }
}

TEST_CASE("A bad element is a per-sample error and its neighbours are still read", "[event]") {
  const std::string good0 = SampleText("0");
  const std::string good2 = SampleText("2");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"id":1,,})", "sample 2: invalid JSON at byte"},
      {"[" + Nested(100000) + "]", "sample 2: nested deeper than 64 levels"},
      {"7", "sample 2: must be a JSON object, not a number"},
      {"null", "sample 2: must be a JSON object, not null"},
      {SampleText("\"\xC3\x28\""), "sample 2: invalid JSON at byte"},
      {SampleText("\"\0\""s), "sample 2: raw NUL byte"},
      {"", "sample 2: empty"},
  };
  for (const auto& [element, message] : cases) {
    INFO(element.substr(0, 80));
    const Result<std::vector<ParsedSample>> event =
        ParseNovaEvent("[" + good0 + "," + element + "," + good2 + "]");
    REQUIRE(event.ok());
    REQUIRE(event->size() == 3);
    CHECK(SampleOf((*event)[0]).id == 0);
    CHECK_THAT(ErrorOf((*event)[1]), Catch::StartsWith(message));
    CHECK((*event)[1].index == 1);
    CHECK(SampleOf((*event)[2]).id == 2);
  }
}

TEST_CASE("A trailing comma in an event is one more, empty, sample", "[event]") {
  const Result<std::vector<ParsedSample>> event = ParseNovaEvent("[" + SampleText("0") + ", ]");
  REQUIRE(event.ok());
  REQUIRE(event->size() == 2);
  SampleOf((*event)[0]);
  CHECK(ErrorOf((*event)[1]) == "sample 2: empty: there is no JSON value");
}

TEST_CASE("Brackets, commas and escaped quotes inside strings do not split an event", "[event]") {
  const std::string tricky = MessagesText(R"([{"role":"assistant","content":"], [{\"x\", ]} \\"}])");
  const Result<std::vector<ParsedSample>> event =
      ParseNovaEvent("[" + tricky + "," + SampleText(R"("q\"],[")") + "," + SampleText("2") + "]");
  REQUIRE(event.ok());
  REQUIRE(event->size() == 3);
  CHECK(SampleOf((*event)[0]).answer() == R"(], [{"x", ]} \)");
  CHECK(SampleOf((*event)[1]).id == R"(q"],[)");
  CHECK(SampleOf((*event)[2]).id == 2);
}

TEST_CASE("max_sample_bytes applies to each event element", "[event]") {
  ReadLimits limits;
  limits.max_sample_bytes = SampleText("1").size();
  const Result<std::vector<ParsedSample>> event =
      ParseNovaEvent("[" + SampleText("1") + "," + SampleText("10") + "]", limits);
  REQUIRE(event.ok());
  SampleOf((*event)[0]);
  CHECK_THAT(ErrorOf((*event)[1]), Catch::StartsWith("sample 2: the sample is"));
}

// ---------------------------------------------------------------------------------------------
// JsonlReader

TEST_CASE("JSONL lines are read with their line numbers and indices", "[jsonl]") {
  const std::vector<ParsedSample> samples =
      ReadJsonl(SampleText(R"("a")") + "\n" + SampleText("2") + "\n" + SampleText(R"("c")"));
  REQUIRE(samples.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(samples[i].index == i);
    CHECK(samples[i].line == i + 1);
  }
  CHECK(SampleOf(samples[1]).id == 2);
  CHECK(SampleOf(samples[2]).id == "c");
}

TEST_CASE("JSONL handles CRLF line endings", "[jsonl]") {
  const std::vector<ParsedSample> samples = ReadJsonl(SampleText("1") + "\r\n" + SampleText("2") + "\r\n");
  REQUIRE(samples.size() == 2);
  CHECK(SampleOf(samples[0]).answer() == "a");
  CHECK(SampleOf(samples[1]).id == 2);
}

TEST_CASE("JSONL blank lines are counted but take no index", "[jsonl]") {
  const std::vector<ParsedSample> samples =
      ReadJsonl("\n   \n" + SampleText("1") + "\n\t \r\n\r\n " + SampleText("2") + " \n\n");
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].line == 3);
  CHECK(samples[0].index == 0);
  CHECK(samples[1].line == 6);
  CHECK(samples[1].index == 1);
  SampleOf(samples[1]);
}

TEST_CASE("JSONL errors name the sample and the line", "[jsonl]") {
  const std::string bad = MessagesText(R"([{"role":"user","content":"q"},{"role":"assistant","content":5}])");
  const std::vector<ParsedSample> samples =
      ReadJsonl(SampleText("0") + "\n" + SampleText("1") + "\n" + SampleText("2") + "\n" + bad + "\n");
  REQUIRE(samples.size() == 4);
  CHECK(ErrorOf(samples[3]) ==
        R"(sample 4 (line 4): "messages"[1].content must be a string or a list of content parts, not a number)");
  CHECK(samples[3].id == "m");
}

TEST_CASE("Malformed JSONL lines are per-sample errors and reading goes on", "[jsonl]") {
  const std::vector<std::string> bad_lines = {R"({"id":1,)", SampleText("\"\xFF\""), SampleText("\"\0\""s),
                                              "{\"x\":" + Nested(100000) + "}", "[1]"};
  std::string text;
  for (const std::string& line : bad_lines) text += line + "\n";
  text += SampleText("\"last\"");
  const std::vector<ParsedSample> samples = ReadJsonl(text);
  REQUIRE(samples.size() == bad_lines.size() + 1);
  for (std::size_t i = 0; i < bad_lines.size(); ++i) {
    CHECK_THAT(ErrorOf(samples[i]),
               Catch::StartsWith("sample " + std::to_string(i + 1) + " (line " + std::to_string(i + 1) + "): "));
  }
  CHECK(SampleOf(samples.back()).id == "last");
}

TEST_CASE("An over-long JSONL line is skipped as an error without being stored", "[jsonl]") {
  ReadLimits limits;
  limits.max_sample_bytes = 100;
  // Exactly at the limit, padded with spaces, and with a CRLF ending that must not count.
  std::string exact = SampleText("0");
  exact += std::string(100 - exact.size(), ' ');
  const std::string huge = SampleText("1", R"(,"pad":")" + std::string(5'000'000, 'p') + "\"");
  const std::vector<ParsedSample> samples =
      ReadJsonl(exact + "\r\n" + huge + "\n" + SampleText("2") + "\n" + exact + "x", limits);
  REQUIRE(samples.size() == 4);
  SampleOf(samples[0]);
  CHECK(ErrorOf(samples[1]) == "sample 2 (line 2): the line is longer than 100 bytes");
  CHECK(samples[1].id.is_null());
  CHECK(SampleOf(samples[2]).id == 2);
  CHECK(samples[2].line == 3);
  CHECK(ErrorOf(samples[3]) == "sample 4 (line 4): the line is longer than 100 bytes");
}

// A valid sample line of exactly `size` bytes, padded by the "pad" metadata string.
const std::string kUnpadded = SampleText("1", R"(,"pad":"")");

std::string SampleOfSize(std::size_t size) {
  std::string line = kUnpadded;
  line.insert(line.size() - 2, size - line.size(), 'p');
  return line;
}

TEST_CASE("Long JSONL lines are read whole, whatever their length", "[jsonl]") {
  for (const std::size_t size : {16383u, 16384u, 16385u, 32767u, 32768u, 32769u, 100000u}) {
    for (const std::string ending : {"\n", "\r\n"}) {
      INFO(size << " bytes, ending of " << ending.size());
      const std::vector<ParsedSample> samples = ReadJsonl(SampleOfSize(size) + ending + SampleText("2"));
      REQUIRE(samples.size() == 2);
      CHECK(SampleOf(samples[0]).metadata["pad"].get_ref<const std::string&>().size() ==
            size - kUnpadded.size());
      CHECK(SampleOf(samples[1]).id == 2);
    }
    const std::vector<ParsedSample> last = ReadJsonl(SampleOfSize(size));
    REQUIRE(last.size() == 1);
    SampleOf(last[0]);
  }
}

TEST_CASE("The JSONL line limit holds for limits larger than a read chunk", "[jsonl]") {
  ReadLimits limits;
  limits.max_sample_bytes = 40000;
  const std::vector<ParsedSample> samples =
      ReadJsonl(SampleOfSize(40000) + "\r\n" + SampleOfSize(40001) + "\n" + SampleOfSize(90000) + "\n" +
                    SampleOfSize(40000),
                limits);
  REQUIRE(samples.size() == 4);
  SampleOf(samples[0]);
  CHECK(ErrorOf(samples[1]) == "sample 2 (line 2): the line is longer than 40000 bytes");
  CHECK(ErrorOf(samples[2]) == "sample 3 (line 3): the line is longer than 40000 bytes");
  SampleOf(samples[3]);
}

TEST_CASE("A JSONL stream's exception mask does not make the reader throw", "[jsonl]") {
  std::istringstream in(SampleOfSize(50000) + "\n");
  in.exceptions(std::ios::failbit | std::ios::badbit | std::ios::eofbit);
  JsonlReader reader(in);
  ParsedSample parsed;
  REQUIRE(reader.Next(parsed));
  SampleOf(parsed);
  CHECK_FALSE(reader.Next(parsed));
  CHECK_FALSE(reader.error().has_value());
}

TEST_CASE("JSONL end of input is not an error", "[jsonl]") {
  std::istringstream in("");
  JsonlReader reader(in);
  ParsedSample parsed;
  CHECK_FALSE(reader.Next(parsed));
  CHECK_FALSE(reader.Next(parsed));
  CHECK_FALSE(reader.error().has_value());
  CHECK(in.eof());
}

TEST_CASE("A JSONL stream failure is reported by error()", "[jsonl]") {
  SECTION("a read that fails after a good line") {
    FailingBuffer buffer(SampleText("1") + "\n");
    std::istream in(&buffer);
    JsonlReader reader(in);
    ParsedSample parsed;
    REQUIRE(reader.Next(parsed));
    SampleOf(parsed);
    CHECK_FALSE(reader.Next(parsed));
    REQUIRE(reader.error().has_value());
    CHECK(reader.error()->kind() == ErrorKind::kIo);
    CHECK_THAT(reader.error()->message(), Catch::StartsWith("reading line 2 failed: "));
    CHECK(in.bad());
    CHECK_FALSE(reader.Next(parsed));
  }
  SECTION("a stream that has already failed") {
    std::istringstream in(SampleText("1"));
    in.setstate(std::ios::failbit);
    JsonlReader reader(in);
    ParsedSample parsed;
    CHECK_FALSE(reader.Next(parsed));
    REQUIRE(reader.error().has_value());
    CHECK(reader.error()->kind() == ErrorKind::kIo);
  }
}

// ---------------------------------------------------------------------------------------------
// Writers

Score ExampleScore() {
  Score score;
  score.id = "s1";
  score.reward = 0.75;
  score.metrics = {{"reward", 0.75, MetricType::kReward}, {"length", 12, MetricType::kMetric}};
  score.details = {{"rationale", "fine"}};
  return score;
}

TEST_CASE("ScoreToJson writes the Nova response item", "[write]") {
  const Json expected = {{"id", "s1"},
                         {"aggregate_reward_score", 0.75},
                         {"metrics_list",
                          {{{"name", "reward"}, {"value", 0.75}, {"type", "Reward"}},
                           {{"name", "length"}, {"value", 12.0}, {"type", "Metric"}}}},
                         {"details", {{"rationale", "fine"}}}};
  CHECK(ScoreToJson(ExampleScore()) == expected);
  CHECK(Json::parse(ScoreToJsonLine(ExampleScore())) == expected);
}

TEST_CASE("A JSON line starts with the id and has no newline", "[write]") {
  const std::string line = ScoreToJsonLine(ExampleScore());
  CHECK_THAT(line, Catch::StartsWith(R"({"id":"s1","aggregate_reward_score":0.75,)"));
  CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("Integer ids are written as integers", "[write]") {
  Score score = ExampleScore();
  score.id = 42;
  CHECK(ScoreToJson(score)["id"].is_number_integer());
  CHECK_THAT(ScoreToJsonLine(score), Catch::StartsWith(R"({"id":42,)"));
}

TEST_CASE("Details can be left out", "[write]") {
  const Score failed = Score::Failed(Json("x"), 0.0, ErrorKind::kBadSample, "bad");
  const WriteOptions no_details{false};
  CHECK_FALSE(ScoreToJson(failed, no_details).contains("details"));
  CHECK_FALSE(Json::parse(ScoreToJsonLine(failed, no_details)).contains("details"));
  CHECK(ScoreToJsonLine(failed, no_details).find("bad") == std::string::npos);
}

TEST_CASE("Errors are listed in the details with the error metric", "[write]") {
  Score failed = Score::Failed(nullptr, 0.5, ErrorKind::kBadSample, R"(sample 1: missing "id")");
  failed.details = {{"gate", "skipped"}};
  const Json expected = {
      {"id", nullptr},
      {"aggregate_reward_score", 0.5},
      {"metrics_list", {{{"name", "error.sample"}, {"value", 1.0}, {"type", "Metric"}}}},
      {"details",
       {{"gate", "skipped"}, {"errors", {{{"kind", "sample"}, {"message", R"(sample 1: missing "id")"}}}}}}};
  CHECK(ScoreToJson(failed) == expected);
  CHECK(Json::parse(ScoreToJsonLine(failed)) == expected);
}

TEST_CASE("Details that are not an object are still written as an object", "[write]") {
  Score score = ExampleScore();
  score.details = nullptr;
  CHECK(ScoreToJson(score)["details"] == Json::object());
  score.details = "just text";
  CHECK(ScoreToJson(score)["details"] == Json{{"value", "just text"}});
  score.errors.push_back({ErrorKind::kPlugin, "p"});
  CHECK(Json::parse(ScoreToJsonLine(score))["details"]["value"] == "just text");
}

TEST_CASE("Non-finite numbers are written as null", "[write]") {
  Score score = ExampleScore();
  score.reward = std::numeric_limits<double>::quiet_NaN();
  score.metrics[1].value = std::numeric_limits<double>::infinity();
  score.details = {{"x", -std::numeric_limits<double>::infinity()}};
  CHECK(ScoreToJson(score)["aggregate_reward_score"].is_null());
  const Json line = Json::parse(ScoreToJsonLine(score));
  CHECK(line["aggregate_reward_score"].is_null());
  CHECK(line["metrics_list"][1]["value"].is_null());
  CHECK(line["details"]["x"].is_null());
}

TEST_CASE("Invalid UTF-8 in any output string is replaced", "[write]") {
  Score score = ExampleScore();
  score.id = "id\xFF";
  score.metrics[0].name = "bad\xC3";
  score.details = {{"note", "\xE2\x82"}};
  score.errors.push_back({ErrorKind::kPlugin, "msg\xFE"});
  std::string line;
  REQUIRE_NOTHROW(line = ScoreToJsonLine(score));
  const Json parsed = Json::parse(line);
  CHECK(parsed["id"] == "id\xEF\xBF\xBD");
  CHECK(parsed["metrics_list"][0]["name"] == "bad\xEF\xBF\xBD");
  CHECK(parsed["details"]["note"] == "\xEF\xBF\xBD");
  CHECK(parsed["details"]["errors"][0]["message"] == "msg\xEF\xBF\xBD");
  CHECK(Json::parse(ScoresToNovaResponse({score}))[0] == parsed);
}

TEST_CASE("The Nova response is the array of items in order", "[write]") {
  Score second = Score::Failed(7, 0.0, ErrorKind::kDeadline, "late");
  const std::vector<Score> scores = {ExampleScore(), second};
  CHECK(Json::parse(ScoresToNovaResponse(scores)) ==
        Json::array({ScoreToJson(scores[0]), ScoreToJson(scores[1])}));
  const WriteOptions no_details{false};
  CHECK(Json::parse(ScoresToNovaResponse(scores, no_details)) ==
        Json::array({ScoreToJson(scores[0], no_details), ScoreToJson(scores[1], no_details)}));
  CHECK(ScoresToNovaResponse({}) == "[]");
}

TEST_CASE("Every event element gets exactly one response item", "[write][event]") {
  const Result<std::vector<ParsedSample>> event = ParseNovaEvent("[" + SampleText("1") + ",{\"id\":2},3]");
  REQUIRE(event.ok());
  std::vector<Score> scores;
  for (const ParsedSample& parsed : *event) {
    if (parsed.sample.ok()) {
      Score score;
      score.id = parsed.id;
      score.reward = 1.0;
      scores.push_back(std::move(score));
    } else {
      scores.push_back(
          Score::Failed(parsed.id, 0.0, parsed.sample.error().kind(), parsed.sample.error().message()));
    }
  }
  const Json response = Json::parse(ScoresToNovaResponse(scores));
  REQUIRE(response.size() == 3);
  CHECK(response[0]["aggregate_reward_score"] == 1.0);
  CHECK(response[1]["id"] == 2);
  CHECK(response[1]["details"]["errors"][0]["message"] == R"(sample 2: missing "messages")");
  CHECK(response[2]["id"].is_null());
}

}  // namespace
}  // namespace gavel
