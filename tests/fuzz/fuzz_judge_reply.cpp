// Fuzzes what the judge module does with a judge's reply body: ParseReply for an OpenAI chat
// completion and for a Bedrock Converse reply, then the verdict extraction (ExtractJson with
// the module's depth limit) and validation against fixed verdict schemas (the shipped
// contract verdict and a preference verdict), as the module's ReadVerdict does. The input
// bytes are also read directly as a verdict text, so the extractor sees arbitrary answers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "gavel/judge/provider.h"
#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"

namespace {

using gavel::fuzz::Check;

// The judge module's limit on a verdict's nesting (plugins/judge/src/module.cpp).
constexpr std::size_t kMaxVerdictDepth = 64;

struct Schemas {
  std::shared_ptr<const gavel::schema::Schema> scale;       // schemas/contract_verdict.json
  std::shared_ptr<const gavel::schema::Schema> preference;  // {"winner": "A"|"B"|"tie", ...}
};

const Schemas& VerdictSchemas() {
  static const Schemas schemas = [] {
    Schemas s;
    auto scale = gavel::schema::Schema::LoadFile(gavel::fuzz::SourcePath("schemas/contract_verdict.json"),
                                                 gavel::fuzz::SourcePath("schemas"));
    if (!scale) gavel::fuzz::Fail("cannot load the verdict schema", scale.error().message());
    s.scale = *scale;
    const gavel::Json preference = gavel::Json::parse(R"({
      "type": "object",
      "required": ["winner", "rationale"],
      "properties": {
        "winner": {"enum": ["A", "B", "tie"]},
        "rationale": {"type": "string", "minLength": 1, "maxLength": 2000},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1}
      },
      "additionalProperties": false
    })");
    auto pref = gavel::schema::Schema::FromJson(preference, "preference");
    if (!pref) gavel::fuzz::Fail("cannot compile the preference schema", pref.error().message());
    s.preference = *pref;
    return s;
  }();
  return schemas;
}

void ReadVerdict(std::string_view text) {
  const gavel::schema::Extracted e =
      gavel::schema::ExtractJson(text, gavel::schema::ExtractOptions{.max_depth = kMaxVerdictDepth});
  Check(e.offset <= text.size() && e.length <= text.size() - e.offset, "extracted range outside the text");
  Check(gavel::fuzz::IsValidUtf8(e.error), "extraction error is not UTF-8", e.error);
  if (!e.ok()) {
    Check(e.value.is_null(), "a failed extraction holds a value");
    Check(!e.error.empty(), "a failed extraction gives no reason");
    return;
  }
  for (const auto* schema : {VerdictSchemas().scale.get(), VerdictSchemas().preference.get()}) {
    const bool valid = schema->IsValid(e.value);
    const gavel::schema::ValidationResult r = schema->Validate(e.value, 1);
    Check(valid == r.valid, "IsValid and Validate disagree");
    Check(r.valid == r.violations.empty(), "validity and violations disagree");
    for (const auto& v : r.violations) (void)v.ToString();
  }
  if (e.value.is_object()) {
    const auto w = e.value.find("winner");
    if (w != e.value.end() && (*w == "A" || *w == "B" || *w == "tie")) (void)w->get<std::string>();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)VerdictSchemas();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (auto kind : {gavel::judge::ProviderKind::kOpenAI, gavel::judge::ProviderKind::kBedrock}) {
    gavel::Result<gavel::judge::JudgeReply> reply = gavel::judge::ParseReply(kind, body);
    if (!reply) {
      Check(reply.error().kind() == gavel::ErrorKind::kJudgeUnavailable, "a bad reply has the wrong error kind");
      continue;
    }
    ReadVerdict(reply->text);
  }
  ReadVerdict(body);
  return 0;
}
