#include "gavel/sample_io.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <ios>
#include <limits>
#include <optional>
#include <utility>

#include "gavel/json_scan.h"
#include "gavel/score_sink.h"
#include "gavel/text_codec.h"
#include "gavel/utf8.h"
#include "sample_fields.h"
#include "sample_id.h"
#include "sample_messages.h"

namespace gavel {
namespace {

using detail::BadSample;
using detail::Described;

// ---------------------------------------------------------------------------------------------
// Error text

// Samples are numbered from 1, like lines: the first sample of a file or an event is sample 1.
std::string SamplePrefix(std::size_t index, std::size_t line) {
  std::string prefix = "sample " + std::to_string(index + 1);
  if (line != 0) prefix += " (line " + std::to_string(line) + ")";
  return prefix + ": ";
}

Error WithPrefix(const Error& error, std::size_t index, std::size_t line) {
  return Error(error.kind(), SamplePrefix(index, line) + error.message());
}

std::string HexByte(char c) {
  std::string hex;
  AppendHexByte(hex, static_cast<unsigned char>(c));
  return hex;
}

// A byte of input quoted when printable, else in hex, so that messages never carry raw bytes.
std::string DescribeByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte > 0x20 && byte < 0x7F) return std::string("'") + c + "'";
  return "byte 0x" + HexByte(c);
}

// nlohmann quotes the input it stopped at, which may be ill-formed UTF-8; error messages must
// stay printable and serialisable, so such bytes are spelled \xNN.
std::string EscapeIllFormedUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out += "\\x" + HexByte(text[i]);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

// The reason from nlohmann's what(), without the "[json.exception.parse_error.101] " tag and the
// "parse error at line 1, column 9: " position, which counts within the sample, not the input.
std::string JsonErrorReason(const Json::exception& e) {
  std::string_view what = e.what();
  if (const auto tag_end = what.find("] "); tag_end != std::string_view::npos) {
    what.remove_prefix(tag_end + 2);
  }
  if (what.starts_with("parse error")) {
    if (const auto colon = what.find(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return EscapeIllFormedUtf8(what);
}

// ---------------------------------------------------------------------------------------------
// Byte-level scanning, done before nlohmann sees the text

// Rejects what must not reach nlohmann: raw NUL bytes (its lexer takes NUL for the end of the
// input, so `{...}<NUL>junk` would be accepted) and nesting deeper than the limit (nlohmann
// recurses when dumping and comparing values, so depth must be bounded before parsing).
std::optional<std::string> StructureProblem(std::string_view text, std::size_t max_depth) {
  JsonNestingScanner scanner;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\0') {
      return "raw NUL byte at byte " + std::to_string(i + 1) +
             (scanner.in_string ? " inside a string (escape it as \\u0000)" : "");
    }
    scanner.Feed(text[i]);
    if (scanner.depth > max_depth) {
      return "nested deeper than " + std::to_string(max_depth) + " levels of arrays and objects";
    }
  }
  return std::nullopt;
}

// Parses one sample's text after checking its size, bytes and depth.
Result<Json> ParseBoundedJson(std::string_view text, const ReadLimits& limits) {
  if (text.size() > limits.max_sample_bytes) {
    return BadSample("the sample is " + std::to_string(text.size()) + " bytes, over the limit of " +
                     std::to_string(limits.max_sample_bytes) + " bytes");
  }
  if (TrimJsonSpace(text).empty()) return BadSample("empty: there is no JSON value");
  if (auto problem = StructureProblem(text, limits.max_depth)) return BadSample(std::move(*problem));
  try {
    return Json::parse(text.data(), text.data() + text.size());
  } catch (const Json::parse_error& e) {
    // nlohmann counts the end of the input as a byte read; name the last real byte instead.
    const std::size_t byte = std::min<std::size_t>(e.byte, text.size());
    return BadSample("invalid JSON at byte " + std::to_string(byte) + ": " + JsonErrorReason(e));
  } catch (const Json::exception& e) {
    return BadSample("invalid JSON: " + JsonErrorReason(e));
  }
}

// ---------------------------------------------------------------------------------------------
// Sample construction. The builders take the parsed value by reference and move strings and
// values out of it: a parsed sample is used once, and copying every message would double the work.

bool IsAnswerRole(std::string_view role) { return role == "assistant" || role == "nova_assistant"; }

bool IsSampleKey(std::string_view key) {
  return key == "id" || key == "messages" || key == "reference_answer" || key == "metadata";
}

Status ReadId(const Json& object, Json& id) {
  const auto it = object.find("id");
  if (it == object.end()) return BadSample("missing \"id\"");
  if (auto problem = detail::IdProblem(*it)) return BadSample(std::move(*problem));
  id = *it;
  return Status::Ok();
}

Status ReadMessages(Json& object, std::size_t max_depth, Sample& sample) {
  const auto it = object.find("messages");
  if (it == object.end()) return BadSample("missing \"messages\"");
  if (!it->is_array() || it->empty()) {
    return BadSample("\"messages\" must be a non-empty array, not " + Described(*it));
  }
  sample.messages.reserve(it->size());
  bool has_answer = false;
  for (std::size_t i = 0; i < it->size(); ++i) {
    Result<Message> message = detail::ReadMessage((*it)[i], i, max_depth);
    if (!message) return message.error();
    if (IsAnswerRole(message->role)) {
      sample.answer_index = i;
      has_answer = true;
    }
    sample.messages.push_back(std::move(message).value());
  }
  if (!has_answer) return BadSample("no assistant or nova_assistant message");
  return Status::Ok();
}

// An explicit null `metadata` or `reference_answer` is read as absent: serialisers commonly
// write unset optional fields that way.
Status ReadReferenceAndMetadata(Json& object, Sample& sample) {
  Json metadata = Json::object();
  if (const auto it = object.find("metadata"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) return BadSample("\"metadata\" must be an object, not " + Described(*it));
    metadata = std::move(*it);
  }
  if (const auto it = object.find("reference_answer"); it != object.end() && !it->is_null()) {
    sample.reference = std::move(*it);
  } else if (const auto inner = metadata.find("reference_answer"); inner != metadata.end()) {
    sample.reference = *inner;  // copied: it also stays visible in the metadata
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    // emplace keeps an existing key, so a `metadata` key wins over a top-level one.
    if (!IsSampleKey(it.key())) metadata.emplace(it.key(), std::move(it.value()));
  }
  sample.metadata = std::move(metadata);
  return Status::Ok();
}

Result<Sample> BuildSample(Json& value, std::size_t max_depth) {
  if (!value.is_object()) return BadSample("must be a JSON object, not " + Described(value));
  Sample sample;
  if (Status id = ReadId(value, sample.id); !id) return id.error();
  if (Status messages = ReadMessages(value, max_depth, sample); !messages) return messages.error();
  if (Status rest = ReadReferenceAndMetadata(value, sample); !rest) return rest.error();
  return sample;
}

// ParseSampleText with a line number for the error prefix (0 for event elements).
ParsedSample ParseSampleAt(std::string_view text, std::size_t index, std::size_t line,
                           const ReadLimits& limits) {
  ParsedSample out;
  out.index = index;
  out.line = line;
  try {
    Result<Json> value = ParseBoundedJson(text, limits);
    if (!value) {
      // The sample cannot be scored, but a trainer can still place the error if the id is readable.
      out.id = detail::RecoverId(text);
      out.sample = WithPrefix(value.error(), index, line);
      return out;
    }
    // Read before building, which moves values out of the parsed object.
    if (value->is_object()) {
      if (const auto id = value->find("id"); id != value->end() && detail::IsUsableId(*id)) out.id = *id;
    }
    Result<Sample> sample = BuildSample(*value, limits.max_depth);
    out.sample = sample ? std::move(sample) : WithPrefix(sample.error(), index, line);
  } catch (const std::exception& e) {
    out.sample = Error(ErrorKind::kInternal, SamplePrefix(index, line) + "reading failed: " + e.what());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Event splitting

Error NotAnArray(const std::string& why) { return BadSample("event is not a JSON array of samples: " + why); }

// Splits the event's top-level array into element texts without parsing them, so that a
// malformed or too-deep element fails alone while its neighbours are still read.
Result<std::vector<std::string_view>> SplitEventArray(std::string_view body) {
  std::size_t pos = SkipJsonSpace(body, 0);
  if (pos == body.size()) return NotAnArray("the body is empty");
  if (body[pos] != '[') return NotAnArray("it starts with " + DescribeByte(body[pos]));
  std::vector<std::string_view> elements;
  pos = SkipJsonSpace(body, pos + 1);
  const bool empty_array = pos < body.size() && body[pos] == ']';
  while (!empty_array) {
    const std::size_t end = FindValueEnd(body, pos, ']');
    if (end == std::string_view::npos) {
      return NotAnArray("the array is not closed (a ']' is missing or a string is not terminated)");
    }
    elements.push_back(TrimJsonSpace(body.substr(pos, end - pos)));
    pos = end;
    if (body[pos] == ']') break;
    ++pos;
  }
  if (const std::size_t rest = SkipJsonSpace(body, pos + 1); rest < body.size()) {
    return NotAnArray("unexpected " + DescribeByte(body[rest]) + " at byte " + std::to_string(rest + 1) +
                      ", after the array's closing ']'");
  }
  return elements;
}

// ---------------------------------------------------------------------------------------------
// JSONL lines

enum class LineRead { kLine, kTooLong, kEnd, kFailed };

// Reads one line into `line` without its "\n" or "\r\n". Goes through istream::getline in
// chunks, which scans the stream's buffer in bulk where a byte-at-a-time loop is markedly slower.
// At most max_bytes + 1 bytes are stored (the byte of slack lets the '\r' of a CRLF ending through);
// the rest of a longer line is skipped unstored, so memory stays bounded whatever the input.
LineRead ReadLine(std::istream& in, std::string& line, std::size_t max_bytes) {
  constexpr std::size_t kChunk = 16 * 1024;
  char chunk[kChunk + 1];  // getline also writes a terminating NUL
  const std::size_t capacity = max_bytes + 1;
  line.clear();
  for (;;) {
    const std::size_t room = std::min(kChunk, capacity - line.size());
    in.getline(chunk, static_cast<std::streamsize>(room + 1));
    const auto extracted = static_cast<std::size_t>(in.gcount());
    if (in.bad()) return LineRead::kFailed;
    if (in.eof()) {  // the input ended: nothing more, or a last line without a newline
      line.append(chunk, extracted);
      if (line.empty()) return LineRead::kEnd;
      break;
    }
    if (!in.fail()) {  // stopped at the '\n', which gcount includes
      line.append(chunk, extracted - 1);
      break;
    }
    // failbit alone: the chunk filled before the line ended.
    in.clear(in.rdstate() & ~std::ios::failbit);
    line.append(chunk, extracted);
    if (line.size() >= capacity) {
      in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
      line.clear();
      return in.bad() ? LineRead::kFailed : LineRead::kTooLong;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line.size() > max_bytes ? LineRead::kTooLong : LineRead::kLine;
}

// ---------------------------------------------------------------------------------------------
// Output

constexpr const char* MetricTypeName(MetricType type) {
  return type == MetricType::kReward ? "Reward" : "Metric";
}

// Non-finite numbers have no JSON spelling; null keeps the output parseable.
Json NumberOrNull(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json MetricsJson(const std::vector<Metric>& metrics) {
  Json list = Json::array();
  for (const Metric& metric : metrics) {
    list.push_back({{"name", metric.name},
                    {"value", NumberOrNull(metric.value)},
                    {"type", MetricTypeName(metric.type)}});
  }
  return list;
}

Json ErrorsJson(const std::vector<ScoreError>& errors) {
  Json list = Json::array();
  for (const ScoreError& error : errors) {
    list.push_back({{"kind", std::string(ErrorKindName(error.kind))}, {"message", error.message}});
  }
  return list;
}

// The details as written: always an object (a non-object value is kept under "value"), with the
// score's errors under "errors", what it used under "usage" and, when asked, what its judges
// said under "judgements".
Json DetailsJson(const Score& score, const WriteOptions& options) {
  Json details = score.details.is_object() ? score.details
                 : score.details.is_null() ? Json::object()
                                           : Json{{"value", score.details}};
  if (!score.errors.empty()) details["errors"] = ErrorsJson(score.errors);
  if (!score.usage.empty()) {
    Json usage = Json::object();
    for (const auto& [name, value] : score.usage) {
      // Counts (calls, tokens) as integers, amounts (cost) as they are.
      const bool whole = std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15;
      usage[name] = whole ? Json(static_cast<std::int64_t>(value)) : NumberOrNull(value);
    }
    details["usage"] = std::move(usage);
  }
  if (options.judgements && !score.judgements.empty()) details["judgements"] = score.judgements;
  return details;
}

void AppendDump(std::string& out, const Json& value) {
  out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Writes the item with "id" first, which Json (a sorted map) cannot, so that lines are easy to
// scan by eye; the details are dumped in place rather than copied when nothing is added to them.
void AppendItem(std::string& out, const Score& score, const WriteOptions& options) {
  out += "{\"id\":";
  AppendDump(out, score.id);
  out += ",\"aggregate_reward_score\":";
  AppendDump(out, NumberOrNull(score.reward));
  out += ",\"metrics_list\":";
  AppendDump(out, MetricsJson(score.metrics));
  if (options.details) {
    out += ",\"details\":";
    const bool judgements = options.judgements && !score.judgements.empty();
    if (score.errors.empty() && score.usage.empty() && !judgements && score.details.is_object()) {
      AppendDump(out, score.details);
    } else {
      AppendDump(out, DetailsJson(score, options));
    }
  }
  out += '}';
}

}  // namespace

ParsedSample ParseSampleText(std::string_view text, std::size_t index, const ReadLimits& limits) {
  return ParseSampleAt(text, index, 0, limits);
}

Result<Sample> SampleFromJson(const Json& value) {
  try {
    Json copy = value;
    return BuildSample(copy, ReadLimits{}.max_depth);
  } catch (const std::exception& e) {
    return Error(ErrorKind::kInternal, std::string("reading the sample failed: ") + e.what());
  }
}

Result<std::vector<ParsedSample>> ParseNovaEvent(std::string_view body, const ReadLimits& limits) {
  try {
    Result<std::vector<std::string_view>> elements = SplitEventArray(body);
    if (!elements) return elements.error();
    std::vector<ParsedSample> samples;
    samples.reserve(elements->size());
    for (std::size_t i = 0; i < elements->size(); ++i) {
      samples.push_back(ParseSampleAt((*elements)[i], i, 0, limits));
    }
    return samples;
  } catch (const std::exception& e) {
    return Error(ErrorKind::kInternal, std::string("reading the event failed: ") + e.what());
  }
}

JsonlReader::JsonlReader(std::istream& in, ReadLimits limits) : in_(in), limits_(limits) {
  // Failures are reported by error(); a mask would also turn a full read chunk into a throw.
  in_.exceptions(std::ios::goodbit);
}

bool JsonlReader::Next(ParsedSample& out) {
  if (error_) return false;
  // eof (with or without fail, as std::getline leaves it) is a normal end; anything else is not.
  if (!in_.good() && !(in_.eof() && !in_.bad())) {
    error_ = Error(ErrorKind::kIo, "the input stream has failed after line " + std::to_string(line_));
    return false;
  }
  try {
    for (;;) {
      const LineRead read = ReadLine(in_, buffer_, limits_.max_sample_bytes);
      if (read == LineRead::kEnd) return false;
      if (read == LineRead::kFailed) {
        error_ = Error(ErrorKind::kIo,
                       "reading line " + std::to_string(line_ + 1) + " failed: the stream reported an error");
        return false;
      }
      ++line_;
      if (read == LineRead::kTooLong) {
        out = ParsedSample{index_, line_, Json(),
                           WithPrefix(BadSample("the line is longer than " +
                                                std::to_string(limits_.max_sample_bytes) + " bytes"),
                                      index_, line_)};
        ++index_;
        return true;
      }
      if (TrimJsonSpace(buffer_).empty()) continue;
      out = ParseSampleAt(buffer_, index_++, line_, limits_);
      return true;
    }
  } catch (const std::exception& e) {
    error_ = Error(ErrorKind::kIo, "reading line " + std::to_string(line_ + 1) + " failed: " + e.what());
    return false;
  }
}

Json ScoreToJson(const Score& score, const WriteOptions& options) {
  Json item = Json::object();
  item["id"] = score.id;
  item["aggregate_reward_score"] = NumberOrNull(score.reward);
  item["metrics_list"] = MetricsJson(score.metrics);
  if (options.details) item["details"] = DetailsJson(score, options);
  return item;
}

std::string ScoreToJsonLine(const Score& score, const WriteOptions& options) {
  std::string line;
  AppendItem(line, score, options);
  return line;
}

std::string ScoresToNovaResponse(const std::vector<Score>& scores, const WriteOptions& options) {
  NovaResponseSink sink(options);
  for (const Score& score : scores) sink.Write(score);
  (void)sink.Finish();  // in memory: nothing to fail
  return sink.TakeBody();
}

}  // namespace gavel
