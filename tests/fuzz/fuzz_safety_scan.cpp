// Fuzzes the safety scanner: the shipped rule packs (rubrics/rules/*.json) are compiled once,
// with NFC and with NFKC normalisation, and every input is scanned by both. NormalizeForScan
// is checked on its own: its output is valid UTF-8 without the invisible characters it removes,
// and normalising it again changes nothing. Hits must lie inside the normalised text.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "gavel/safety/normalize.h"
#include "gavel/safety/rule_pack.h"

namespace {

using gavel::fuzz::Check;
using gavel::safety::Normalization;
using PackPtr = std::shared_ptr<const gavel::safety::RulePack>;

PackPtr LoadPacks(Normalization form) {
  std::vector<std::filesystem::path> files;
  for (const char* name : {"pii", "secrets", "injection", "unsafe"}) {
    files.emplace_back(gavel::fuzz::SourcePath(std::string("rubrics/rules/") + name + ".json"));
  }
  gavel::safety::PackOptions options;
  options.normalization = form;
  options.max_spans_per_hit = 4;
  options.max_span_text = 16;  // small, so cutting at a UTF-8 boundary is exercised
  auto pack = gavel::safety::RulePack::LoadFiles(files, options);
  if (!pack) gavel::fuzz::Fail("cannot load the rule packs", pack.error().message());
  return *pack;
}

const PackPtr& NfcPack() {
  static const PackPtr pack = LoadPacks(Normalization::kNFC);
  return pack;
}

const PackPtr& NfkcPack() {
  static const PackPtr pack = LoadPacks(Normalization::kNFKC);
  return pack;
}

// Every invisible character the normaliser promises to remove, and every non-ASCII space it
// promises to replace, is absent from its output.
void CheckNormalized(std::string_view out) {
  Check(gavel::fuzz::IsValidUtf8(out), "normalised text is not UTF-8");
  // Decode and look at each code point.
  std::size_t i = 0;
  while (i < out.size()) {
    const auto c0 = static_cast<unsigned char>(out[i]);
    char32_t cp = c0;
    std::size_t n = 1;
    if (c0 >= 0xF0) {
      cp = c0 & 0x07u, n = 4;
    } else if (c0 >= 0xE0) {
      cp = c0 & 0x0Fu, n = 3;
    } else if (c0 >= 0xC0) {
      cp = c0 & 0x1Fu, n = 2;
    }
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(out[i + k]) & 0x3Fu);
    Check(!gavel::safety::IsInvisibleFormatChar(cp), "an invisible character survived normalisation");
    Check(cp != 0x00A0 && cp != 0x3000 && !(cp >= 0x2000 && cp <= 0x200A) && cp != 0x2028 && cp != 0x2029,
          "an unusual space survived normalisation");
    i += n;
  }
}

void Normalize(std::string_view text, Normalization form) {
  gavel::Result<std::string> once = gavel::safety::NormalizeForScan(text, form);
  if (!once) gavel::fuzz::Fail("NormalizeForScan failed", once.error().message());
  CheckNormalized(*once);
  gavel::Result<std::string> twice = gavel::safety::NormalizeForScan(*once, form);
  if (!twice) gavel::fuzz::Fail("NormalizeForScan failed on its own output", twice.error().message());
  Check(*twice == *once, "NormalizeForScan is not idempotent");
}

void Scan(const gavel::safety::RulePack& pack, std::string_view text) {
  gavel::Result<gavel::safety::ScanResult> result = pack.Scan(text);
  if (!result) gavel::fuzz::Fail("Scan failed", result.error().message());
  const gavel::safety::ScanResult& r = *result;
  gavel::Result<std::string> normalized = gavel::safety::NormalizeForScan(text, pack.options().normalization);
  Check(normalized.ok() && normalized->size() == r.normalized_size, "normalized_size differs from NormalizeForScan");
  std::size_t matches = 0;
  for (const gavel::safety::Hit& hit : r.hits) {
    Check(hit.count >= 1 && hit.count >= hit.spans.size(), "a hit counts fewer matches than it lists");
    Check(hit.spans.size() <= pack.options().max_spans_per_hit, "more spans than max_spans_per_hit");
    Check(r.Find(hit.rule) != nullptr, "Find does not find a hit");
    for (const gavel::safety::Span& span : hit.spans) {
      Check(span.offset <= r.normalized_size && span.length <= r.normalized_size - span.offset,
            "a span lies outside the normalised text");
      Check(span.text.size() <= pack.options().max_span_text, "span text over max_span_text");
      Check(gavel::fuzz::IsValidUtf8(span.text), "span text is not UTF-8");
      Check(span.truncated == (span.text.size() < span.length), "span truncation flag is wrong");
      Check(std::string_view(*normalized).substr(span.offset, span.text.size()) == span.text,
            "span text is not the normalised text at its offset");
    }
    matches += hit.count;
  }
  std::size_t category_matches = 0;
  for (const auto& [category, count] : r.category_matches) category_matches += count;
  Check(category_matches == matches, "category match counts do not add up");
  Check(r.clean() == !r.MaxSeverity().has_value(), "clean() and MaxSeverity disagree");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)NfcPack();
  (void)NfkcPack();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Normalize(text, Normalization::kNFC);
  Normalize(text, Normalization::kNFKC);
  Scan(*NfcPack(), text);
  Scan(*NfkcPack(), text);
  return 0;
}
