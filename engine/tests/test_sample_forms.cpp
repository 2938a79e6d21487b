// Tests of the sample forms trainers send beyond plain text turns: OpenAI tool calls and tool
// turns, Bedrock Converse content blocks, what a rubric sees of them, what an id may be, and the
// id echoed on samples whose text cannot be read.
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/sample.h"
#include "gavel/sample_io.h"
#include "test_support.h"

namespace gavel {
namespace {

using namespace std::string_literals;

std::string WithMessages(const std::string& messages_json, const std::string& id_json = R"("t")") {
  return R"({"id":)" + id_json + R"(,"messages":)" + messages_json + "}";
}

Sample Read(const std::string& text) {
  const ParsedSample parsed = ParseSampleText(text, 0);
  INFO(text);
  INFO((parsed.sample.ok() ? "" : parsed.sample.error().ToString()));
  REQUIRE(parsed.sample.ok());
  return parsed.sample.value();
}

std::string ErrorOf(const std::string& text) {
  const ParsedSample parsed = ParseSampleText(text, 4);
  INFO(text);
  REQUIRE_FALSE(parsed.sample.ok());
  CHECK(parsed.sample.error().kind() == ErrorKind::kBadSample);
  return parsed.sample.error().message();
}

// An OpenAI agent trace: the model calls two tools, gets their results, then answers.
const std::string kOpenAiTrace = WithMessages(R"([
  {"role":"system","content":"Use the tools."},
  {"role":"user","content":"Weather in Paris and Oslo?"},
  {"role":"assistant","content":null,"tool_calls":[
    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
    {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\""}}]},
  {"role":"tool","tool_call_id":"call_1","content":"18 C"},
  {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"4 C"}]},
  {"role":"assistant","content":"Paris 18 C, Oslo 4 C."}])");

// ---------------------------------------------------------------------------------------------
// OpenAI tool calls

TEST_CASE("An OpenAI assistant turn with null content and tool_calls is read", "[sample_io][tools]") {
  const Sample sample = Read(kOpenAiTrace);
  REQUIRE(sample.messages.size() == 6);
  const Message& calls = sample.messages[2];
  CHECK(calls.content.empty());
  REQUIRE(calls.tool_calls.size() == 2);
  CHECK(calls.tool_calls[0].id == "call_1");
  CHECK(calls.tool_calls[0].name == "get_weather");
  CHECK(calls.tool_calls[0].arguments == R"({"city":"Paris"})");
  REQUIRE(calls.tool_calls[0].input.has_value());
  CHECK(*calls.tool_calls[0].input == Json{{"city", "Paris"}});
  // Arguments that are not JSON are the model's mistake to score, not the sample's: kept as text.
  CHECK(calls.tool_calls[1].arguments == R"({"city":"Oslo")");
  CHECK_FALSE(calls.tool_calls[1].input.has_value());

  CHECK(sample.messages[3].role == "tool");
  CHECK(sample.messages[3].tool_call_id == "call_1");
  CHECK(sample.messages[3].content == "18 C");
  CHECK(sample.messages[4].tool_call_id == "call_2");
  CHECK(sample.messages[4].content == "4 C");

  CHECK(sample.answer_index == 5);
  CHECK(sample.answer() == "Paris 18 C, Oslo 4 C.");
  CHECK(sample.tool_calls().empty());
  CHECK(sample.prompt() == "Weather in Paris and Oslo?");
  CHECK(sample.system() == "Use the tools.");
}

TEST_CASE("An answer that only calls a tool has empty text and the calls", "[sample_io][tools]") {
  for (const std::string content : {R"("content":null,)", "", R"("content":"",)"}) {
    INFO(content);
    const Sample sample = Read(WithMessages(
        R"([{"role":"user","content":"q"},{"role":"assistant",)" + content +
        R"("tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}])"));
    CHECK(sample.answer().empty());
    REQUIRE(sample.tool_calls().size() == 1);
    CHECK(sample.tool_calls()[0].name == "f");
    CHECK(*sample.tool_calls()[0].input == Json::object());
  }
}

TEST_CASE("Tool call arguments: an object is taken as it stands, deep or NUL-bearing text is not decoded",
          "[sample_io][tools]") {
  const auto call_with = [](const std::string& arguments) {
    return Read(WithMessages(R"([{"role":"assistant","content":null,"tool_calls":[)"
                             R"({"function":{"name":"f","arguments":)" +
                             arguments + "}}]}]"))
        .tool_calls()
        .at(0);
  };
  const ToolCall object = call_with(R"({"n":[1,2]})");
  CHECK(object.arguments == R"({"n":[1,2]})");
  CHECK(*object.input == Json{{"n", {1, 2}}});
  CHECK(object.id.empty());  // no id: several open formats leave it out

  const ToolCall deep = call_with("\"" + std::string(100, '[') + std::string(100, ']') + "\"");
  CHECK(deep.arguments.size() == 200);
  CHECK_FALSE(deep.input.has_value());

  // nlohmann would stop at the NUL and accept "1".
  CHECK_FALSE(call_with(R"("1\u0000x")").input.has_value());
  CHECK(*call_with(R"("1")").input == 1);
}

TEST_CASE("Content may be null or absent only beside tool calls", "[sample_io][tools]") {
  CHECK(ErrorOf(WithMessages(R"([{"role":"assistant","content":null}])")) ==
        R"(sample 5: "messages"[0].content must be a string or a list of content parts, not null )"
        R"((only a turn with tool_calls may omit it))");
  CHECK(ErrorOf(WithMessages(R"([{"role":"assistant","content":null,"tool_calls":[]}])")) ==
        R"(sample 5: "messages"[0].content must be a string or a list of content parts, not null )"
        R"((only a turn with tool_calls may omit it))");
  CHECK(ErrorOf(WithMessages(R"([{"role":"assistant","tool_calls":null}])")) ==
        R"(sample 5: "messages"[0] has no "content")");
}

TEST_CASE("Malformed tool calls and tool turns are precise errors", "[sample_io][tools]") {
  const auto turn = [](const std::string& members) {
    return WithMessages(R"([{"role":"assistant","content":null,)" + members + "}]");
  };
  const std::string path = R"("messages"[0].tool_calls[0])";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {turn(R"("tool_calls":{})"), R"("messages"[0].tool_calls must be an array, not an object)"},
      {turn(R"("tool_calls":["f"])"), path + " must be an object, not a string"},
      {turn(R"("tool_calls":[{"type":"custom","function":{"name":"f","arguments":"{}"}}])"),
       path + R"(.type must be "function", not "custom")"},
      {turn(R"("tool_calls":[{"type":1,"function":{"name":"f","arguments":"{}"}}])"),
       path + R"(.type must be "function", not a number)"},
      {turn(R"("tool_calls":[{"id":7,"function":{"name":"f","arguments":"{}"}}])"),
       path + ".id must be a string, not a number"},
      {turn(R"("tool_calls":[{"id":"c"}])"), path + R"( has no "function")"},
      {turn(R"("tool_calls":[{"function":"f"}])"), path + ".function must be an object, not a string"},
      {turn(R"("tool_calls":[{"function":{"arguments":"{}"}}])"), path + R"(.function has no "name")"},
      {turn(R"("tool_calls":[{"function":{"name":"f"}}])"), path + R"(.function has no "arguments")"},
      {turn(R"("tool_calls":[{"function":{"name":"f","arguments":[1]}}])"),
       path + ".function.arguments must be a string of JSON or an object, not an array"},
      {WithMessages(R"([{"role":"tool","tool_call_id":5,"content":"x"},{"role":"assistant","content":"a"}])"),
       R"("messages"[0].tool_call_id must be a string, not a number)"},
  };
  for (const auto& [text, message] : cases) {
    CHECK(ErrorOf(text) == "sample 5: " + message);
  }
}

// ---------------------------------------------------------------------------------------------
// Content parts: OpenAI typed parts and Converse content blocks

TEST_CASE("Converse content blocks: text joined, the others kept with a type, toolUse also a call",
          "[sample_io][converse]") {
  const Sample sample = Read(WithMessages(R"([
    {"role":"user","content":[{"text":"What is on "},{"image":{"format":"png","source":{"bytes":"iVBO"}}},
                              {"text":"this page?"},{"document":{"format":"pdf","name":"p","source":{"bytes":"JVBE"}}}]},
    {"role":"assistant","content":[{"text":"Let me look."},
                                   {"toolUse":{"toolUseId":"tu1","name":"ocr","input":{"page":1}}}]},
    {"role":"user","content":[{"toolResult":{"toolUseId":"tu1","content":[{"text":"Invoice 42"}],"status":"success"}}]},
    {"role":"assistant","content":[{"text":"An invoice."},{"futureBlock":{"x":1}}]}])"));
  const Message& user = sample.messages[0];
  CHECK(user.content == "What is on this page?");
  REQUIRE(user.parts.size() == 2);
  CHECK(user.parts[0] == Json::parse(R"({"type":"image","image":{"format":"png","source":{"bytes":"iVBO"}}})"));
  CHECK(user.parts[1]["type"] == "document");

  const Message& call = sample.messages[1];
  CHECK(call.content == "Let me look.");
  REQUIRE(call.tool_calls.size() == 1);
  CHECK(call.tool_calls[0].id == "tu1");
  CHECK(call.tool_calls[0].name == "ocr");
  CHECK(call.tool_calls[0].arguments == R"({"page":1})");
  CHECK(*call.tool_calls[0].input == Json{{"page", 1}});
  REQUIRE(call.parts.size() == 1);
  CHECK(call.parts[0]["type"] == "toolUse");
  CHECK(call.parts[0]["toolUse"]["input"] == Json{{"page", 1}});

  CHECK(sample.messages[2].content.empty());
  CHECK(sample.messages[2].parts.at(0)["toolResult"]["toolUseId"] == "tu1");

  // An unknown block is kept for the rubric, not refused: Converse adds block kinds over time.
  CHECK(sample.answer() == "An invoice.");
  CHECK(sample.messages[3].parts == std::vector<Json>{Json::parse(R"({"type":"futureBlock","futureBlock":{"x":1}})")});
  // The user turn that only returns tool results is not the prompt.
  CHECK(sample.prompt() == "What is on this page?");
}

TEST_CASE("OpenAI non-text parts are kept as sent", "[sample_io][converse]") {
  const Sample sample = Read(WithMessages(
      R"([{"role":"user","content":[{"type":"text","text":"Describe "},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}},{"type":"text","text":"this"}]},)"
      R"({"role":"assistant","content":[{"type":"refusal","refusal":"No."}]}])"));
  CHECK(sample.prompt() == "Describe this");
  REQUIRE(sample.messages[0].parts.size() == 1);
  CHECK(sample.messages[0].parts[0]["image_url"]["url"] == "data:image/png;base64,iVBO");
  CHECK(sample.answer().empty());
  CHECK(sample.messages[1].parts.at(0) == Json{{"type", "refusal"}, {"refusal", "No."}});
}

TEST_CASE("A user turn with text beside its tool results is still the prompt", "[sample_io][converse]") {
  const Sample sample = Read(WithMessages(
      R"([{"role":"user","content":"first"},)"
      R"({"role":"user","content":[{"toolResult":{"toolUseId":"a","content":[]}},{"text":"and now?"}]},)"
      R"({"role":"assistant","content":"done"}])"));
  CHECK(sample.prompt() == "and now?");
}

TEST_CASE("Malformed content blocks are precise errors", "[sample_io][converse]") {
  const auto part = [](const std::string& json) {
    return WithMessages(R"([{"role":"assistant","content":[)" + json + "]}]");
  };
  const std::string path = R"("messages"[0].content[0])";
  const std::string not_a_block =
      path + R"( has no "type" and is not a Converse content block (one member such as "text", "image" or )"
             R"("toolUse"), but an object of )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {part("{}"), not_a_block + "0 members"},
      {part(R"({"text":"a","image":{}})"), not_a_block + "2 members"},
      {part(R"({"text":3})"), path + ".text must be a string, not a number"},
      {part(R"({"type":null,"text":"a"})"), path + ".type must be a string, not null"},
      {part(R"({"toolUse":"f"})"), path + ".toolUse must be an object, not a string"},
      {part(R"({"toolUse":{"name":"f","input":{}}})"), path + R"(.toolUse has no "toolUseId")"},
      {part(R"({"toolUse":{"toolUseId":"u","name":2,"input":{}}})"), path + ".toolUse.name must be a string, not a number"},
      {part(R"({"toolUse":{"toolUseId":"u","name":"f"}})"), path + R"(.toolUse has no "input")"},
  };
  for (const auto& [text, message] : cases) {
    CHECK(ErrorOf(text) == "sample 5: " + message);
  }
}

// ---------------------------------------------------------------------------------------------
// What a rubric sees

TEST_CASE("A rubric reads tool calls, tool turns and non-text parts", "[sample_io][tools][dsl]") {
  testing::Scorer scorer(R"(
    return rubric {
      checks = { check { name = "seen", fn = function(s)
        local seen = { answer_calls = #s.tool_calls, turns = {} }
        for i, m in ipairs(s.messages) do
          local turn = { role = m.role, content = m.content, tool_call_id = m.tool_call_id, parts = m.parts }
          if m.tool_calls then
            turn.calls = {}
            for _, c in ipairs(m.tool_calls) do
              turn.calls[#turn.calls + 1] = { id = c.id, name = c.name, arguments = c.arguments,
                                              city = c.input and c.input.city or "no input" }
            end
          end
          seen.turns[i] = turn
        end
        return 1, seen
      end } },
    })");
  REQUIRE(scorer.ok());
  SECTION("an OpenAI trace") {
    const Score score = scorer.One(ParseSampleText(kOpenAiTrace, 0));
    INFO(testing::ErrorText(score));
    REQUIRE_FALSE(score.neutral);
    const Json& seen = score.details["seen"];
    CHECK(seen["answer_calls"] == 0);
    CHECK(seen["turns"][2] == Json::parse(R"({"role":"assistant","content":"","calls":[
        {"id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","city":"Paris"},
        {"id":"call_2","name":"get_weather","arguments":"{\"city\":\"Oslo\"","city":"no input"}]})"));
    CHECK(seen["turns"][3] == Json{{"role", "tool"}, {"content", "18 C"}, {"tool_call_id", "call_1"}});
    CHECK(seen["turns"][0] == Json{{"role", "system"}, {"content", "Use the tools."}});
  }
  SECTION("a Converse answer that calls a tool") {
    const Score score = scorer.One(ParseSampleText(
        WithMessages(R"([{"role":"user","content":[{"text":"Oslo?"}]},)"
                     R"({"role":"assistant","content":[{"toolUse":{"toolUseId":"u","name":"w","input":{"city":"Oslo"}}}]}])"),
        0));
    INFO(testing::ErrorText(score));
    REQUIRE_FALSE(score.neutral);
    const Json& seen = score.details["seen"];
    CHECK(seen["answer_calls"] == 1);
    CHECK(seen["turns"][1]["calls"] ==
          Json::parse(R"([{"id":"u","name":"w","arguments":"{\"city\":\"Oslo\"}","city":"Oslo"}])"));
    CHECK(seen["turns"][1]["parts"] ==
          Json::parse(R"([{"type":"toolUse","toolUse":{"toolUseId":"u","name":"w","input":{"city":"Oslo"}}}])"));
  }
}

TEST_CASE("The tool-call example of docs/rubrics.md scores as described", "[sample_io][tools][dsl]") {
  testing::Scorer scorer(R"(
    return rubric { checks = {
      check { name = "right_call", weight = 1, fn = function(s)
        local call = s.tool_calls[1]
        if not call then return 0, "no tool call" end
        if call.name ~= s.reference.tool then return 0, "called " .. call.name end
        if not call.input then return 0.2, "arguments are not JSON: " .. call.arguments end
        return call.input.city == s.reference.city and 1 or 0.5
      end } } })");
  REQUIRE(scorer.ok());
  const auto sample = [](const std::string& name, const std::string& arguments) {
    return ParseSampleText(
        R"({"id": "wx-1", "reference_answer": {"tool": "get_weather", "city": "Paris"},
            "messages": [{"role": "user", "content": "Is it raining in Paris?"},
                         {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                          "function": {"name": ")" + name + R"(", "arguments": ")" + arguments + R"("}}]}]})",
        0);
  };
  // `arguments` is a JSON string inside the sample's JSON, hence the escaped quotes.
  const Score right = scorer.One(sample("get_weather", R"({\"city\": \"Paris\"})"));
  INFO(testing::ErrorText(right));
  CHECK(right.reward == 1);
  CHECK(scorer.One(sample("get_weather", R"({\"city\": \"Oslo\"})")).reward == 0.5);
  const Score broken = scorer.One(sample("get_weather", R"({\"city\": )"));
  CHECK(broken.reward == Approx(0.2));
  CHECK(broken.details.value("right_call", "") == R"(arguments are not JSON: {"city": )");
  CHECK(scorer.One(sample("search", "{}")).details.value("right_call", "") == "called search");
}

// ---------------------------------------------------------------------------------------------
// Ids

TEST_CASE("An id that is not usable gets a message saying what an id may be", "[sample_io][id]") {
  const std::string may_be = R"(sample 5: "id" must be a string or an integer from -2^63 to 2^64-1, not )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1.5", "1.5, a number with a fraction"},
      {"-0.25", "-0.25, a number with a fraction"},
      {"1180591620717411303424", "1.1805916207174113e+21, an integer outside that range (send such ids as strings)"},
      {"18446744073709551616", "1.8446744073709552e+19, an integer outside that range (send such ids as strings)"},
      {"-9223372036854775809", "-9.223372036854776e+18, an integer outside that range (send such ids as strings)"},
      {"1.0", "1.0, a number written with a decimal point or an exponent (write the integer without them)"},
      {"2e3", "2000.0, a number written with a decimal point or an exponent (write the integer without them)"},
      {"{\"n\":1}", "an object"},
      {"[1]", "an array"},
      {"true", "a boolean"},
      {"null", "null"},
  };
  for (const auto& [id, message] : cases) {
    const ParsedSample parsed = ParseSampleText(WithMessages(R"([{"role":"assistant","content":"a"}])", id), 4);
    INFO(id);
    REQUIRE_FALSE(parsed.sample.ok());
    CHECK(parsed.sample.error().message() == may_be + message);
    CHECK(parsed.id.is_null());
  }
  // The ends of the range are ids.
  for (const std::string id : {"-9223372036854775808", "18446744073709551615"}) {
    CHECK(Read(WithMessages(R"([{"role":"assistant","content":"a"}])", id)).id.dump() == id);
  }
}

// ---------------------------------------------------------------------------------------------
// The id of a sample whose text cannot be read

// A sample with `bad` (raw bytes) spliced into its answer, prompt or metadata.
std::string Spliced(const std::string& id_json, const std::string& where, const std::string& bad) {
  const std::string prompt = where == "prompt" ? "q " + bad : "q";
  const std::string answer = where == "answer" ? "a " + bad : "a";
  const std::string metadata = where == "metadata" ? R"(,"metadata":{"note":")" + bad + "\"}" : "";
  return R"({"id":)" + id_json + R"(,"messages":[{"role":"user","content":")" + prompt +
         R"("},{"role":"assistant","content":")" + answer + "\"}]" + metadata + "}";
}

TEST_CASE("Invalid UTF-8 in the answer, prompt or metadata fails the sample and keeps its id", "[sample_io][id]") {
  for (const std::string where : {"answer", "prompt", "metadata"}) {
    for (const std::string bad : {"\xFF", "\xC3\x28", "\xED\xA0\x80", "\xF0\x9F"}) {
      INFO(where);
      const ParsedSample text_id = ParseSampleText(Spliced(R"("s-1")", where, bad), 0);
      REQUIRE_FALSE(text_id.sample.ok());
      CHECK_THAT(text_id.sample.error().message(), Catch::Contains("ill-formed UTF-8 byte"));
      CHECK(text_id.id == "s-1");
      CHECK(ParseSampleText(Spliced("-12", where, bad), 0).id == -12);
    }
  }
}

TEST_CASE("JSONL lines and Nova event elements with invalid UTF-8 keep their ids", "[sample_io][id][jsonl][event]") {
  const std::string good = Spliced(R"("good")", "", "");
  const std::string bad = Spliced(R"("bad-7")", "answer", "\xFF\xFE");
  std::istringstream in(good + "\n" + bad + "\n" + good + "\n");
  JsonlReader reader(in);
  std::vector<ParsedSample> lines;
  for (ParsedSample parsed; reader.Next(parsed);) lines.push_back(std::move(parsed));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].sample.ok());
  CHECK_FALSE(lines[1].sample.ok());
  CHECK(lines[1].id == "bad-7");
  CHECK(lines[2].sample.ok());

  const Result<std::vector<ParsedSample>> event = ParseNovaEvent("[" + good + "," + bad + "," + good + "]");
  REQUIRE(event.ok());
  REQUIRE(event->size() == 3);
  CHECK_FALSE((*event)[1].sample.ok());
  CHECK((*event)[1].id == "bad-7");

  // And the scored result carries it.
  testing::Scorer scorer("return rubric { checks = { check { name = 'c', fn = function(s) return 1 end } } }");
  REQUIRE(scorer.ok());
  const Score score = scorer.One(ParseSampleText(bad, 0));
  CHECK(score.id == "bad-7");
  CHECK(score.metrics.at(0).name == "error.sample");
}

TEST_CASE("The id of unreadable text is echoed only when it is itself readable", "[sample_io][id]") {
  const std::string bad_answer = R"("messages":[{"role":"assistant","content":"a )"s + "\xFF" + R"("}])";
  const std::vector<std::pair<std::string, Json>> cases = {
      // After the bad byte, with spaces, in a later member, and spelled with an escape.
      {"{" + bad_answer + R"(, "id" : "late" })", "late"},
      {R"({"\u0069d":"escaped",)" + bad_answer + "}", "escaped"},
      // The last "id" wins, as it does for the parser.
      {R"({"id":"first","id":"second",)" + bad_answer + "}", "second"},
      {R"({"id":"first",)" + bad_answer + R"(,"id":1.5})", nullptr},
      // An id that holds the bad byte, or is not a usable id, or is cut short, is not readable.
      {"{\"id\":\"x\xFF\"," + bad_answer + "}", nullptr},
      {R"({"id":{"n":1},)" + bad_answer + "}", nullptr},
      {R"({"id":true,)" + bad_answer + "}", nullptr},
      {R"({"id":12)", nullptr},
      {R"({"id":"x)", nullptr},
      {"{\"id\":1\0,"s + bad_answer + "}", nullptr},
      // Only the sample's own id: one inside another member does not count.
      {R"({"metadata":{"id":"inner"},)" + bad_answer + "}", nullptr},
      {"[" + bad_answer + "]", nullptr},
      // Syntax errors after a complete id: the id is still readable.
      {R"({"id":"cut","messages":[{"role":"assistant","content":"a"})", "cut"},
      {R"({"id":7,,})", 7},
  };
  for (const auto& [text, id] : cases) {
    INFO(text);
    const ParsedSample parsed = ParseSampleText(text, 0);
    REQUIRE_FALSE(parsed.sample.ok());
    CHECK(parsed.id == id);
  }
}

TEST_CASE("Samples refused before parsing keep their ids too", "[sample_io][id]") {
  SECTION("a raw NUL byte") {
    const ParsedSample parsed = ParseSampleText(Spliced(R"("nul")", "answer", "\0"s), 0);
    CHECK_THAT(parsed.sample.error().message(), Catch::Contains("raw NUL byte"));
    CHECK(parsed.id == "nul");
  }
  SECTION("too deep") {
    const ParsedSample parsed = ParseSampleText(
        R"({"id":"deep","x":)" + std::string(100, '[') + std::string(100, ']') + "}", 0);
    CHECK_THAT(parsed.sample.error().message(), Catch::Contains("nested deeper than"));
    CHECK(parsed.id == "deep");
  }
  SECTION("an event element over the size limit") {
    ReadLimits limits;
    limits.max_sample_bytes = 80;
    std::string text = "[";  // appended: GCC 12 warns falsely (-Wrestrict) on "[" + ... at -O3
    text += Spliced(R"("big")", "answer", std::string(100, 'x'));
    text += ']';
    const Result<std::vector<ParsedSample>> event = ParseNovaEvent(text, limits);
    REQUIRE(event.ok());
    CHECK_THAT((*event)[0].sample.error().message(), Catch::Contains("over the limit"));
    CHECK((*event)[0].id == "big");
  }
}

}  // namespace
}  // namespace gavel
