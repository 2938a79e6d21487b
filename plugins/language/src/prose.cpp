#include "prose.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/utf.h>
#include <unicode/utf8.h>

#include <cstdint>

#include "unicode_data.h"

namespace gavel::language::detail {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoringCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (AsciiLower(s[i]) != lower_prefix[i]) return false;
  }
  return true;
}

// A URL ends at ASCII whitespace or a control character. It also ends at the first non-ASCII
// byte: model answers rarely contain internationalised URLs, and CJK text often follows a URL
// without a space.
bool EndsUrl(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b <= 0x20 || b >= 0x7f;
}

std::size_t RunLength(std::string_view s, std::size_t pos, char c) {
  std::size_t n = 0;
  while (pos + n < s.size() && s[pos + n] == c) ++n;
  return n;
}

// Position of the next run of exactly `length` backticks at or after `from`, or npos.
std::size_t FindClosingBackticks(std::string_view line, std::size_t from, std::size_t length) {
  std::size_t pos = line.find('`', from);
  while (pos != std::string_view::npos) {
    const std::size_t run = RunLength(line, pos, '`');
    if (run == length) return pos;
    pos = line.find('`', pos + run);
  }
  return std::string_view::npos;
}

// A Markdown code fence: up to three spaces, then three or more '`' or '~'.
struct Fence {
  char ch = 0;             // 0 when the line is not a fence
  std::size_t length = 0;  // number of fence characters
  std::size_t end = 0;     // position after them
};

Fence FenceAt(std::string_view line) {
  std::size_t i = 0;
  while (i < 3 && i < line.size() && line[i] == ' ') ++i;
  if (i == line.size() || (line[i] != '`' && line[i] != '~')) return {};
  const char ch = line[i];
  const std::size_t length = RunLength(line, i, ch);
  if (length < 3) return {};
  // CommonMark: the info string of a backtick fence contains no backtick ("```x```" is code).
  if (ch == '`' && line.find('`', i + length) != std::string_view::npos) return {};
  return {ch, length, i + length};
}

bool OnlyBlankFrom(std::string_view line, std::size_t pos) {
  for (; pos < line.size(); ++pos) {
    if (line[pos] != ' ' && line[pos] != '\t' && line[pos] != '\r') return false;
  }
  return true;
}

// Appends to Prose::text without passing max_bytes.
class Writer {
 public:
  Writer(Prose& prose, std::size_t max_bytes) : prose_(prose), max_bytes_(max_bytes) {}

  bool full() const { return prose_.truncated; }
  // A space here would be leading or doubled.
  bool SpaceUnwanted() const { return prose_.text.empty() || prose_.text.back() == ' '; }

  // One space in place of removed material; never leading, never doubled.
  void Space() {
    std::string& out = prose_.text;
    if (!out.empty() && out.back() != ' ' && out.size() < max_bytes_) out.push_back(' ');
  }

  // Appends whole code points of valid UTF-8. When they do not all fit, appends those that do,
  // marks the prose truncated and returns false.
  bool Append(std::string_view bytes) {
    std::string& out = prose_.text;
    if (out.size() + bytes.size() <= max_bytes_) {
      out.append(bytes);
      return true;
    }
    std::size_t fits = max_bytes_ - out.size();
    while (fits > 0 && (static_cast<unsigned char>(bytes[fits]) & 0xc0) == 0x80) --fits;
    out.append(bytes.substr(0, fits));
    prose_.truncated = true;
    return false;
  }

 private:
  Prose& prose_;
  std::size_t max_bytes_;
};

bool IsRemovedCodePoint(UChar32 c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || U_IS_UNICODE_NONCHAR(c);
}

// Copies one line (without its '\n'); false once the writer is full. Bytes that stay as they
// are go in runs; anything removed or collapsed ends the run.
bool AppendLine(std::string_view line, bool strip_markup, Writer& writer, Prose& prose,
                bool& maybe_not_nfc) {
  const UnicodeData& data = UnicodeData::Get();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(line.data());
  const std::size_t n = line.size();
  std::size_t run = 0;  // start of the current run
  std::size_t i = 0;
  // Ends the run before `end`; the next one starts at `next`.
  const auto flush = [&](std::size_t end, std::size_t next) {
    const bool ok = writer.Append(line.substr(run, end - run));
    run = next;
    return ok;
  };
  while (i < n) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (b >= 0x80) {
      const std::size_t start = i;
      UChar32 cp = 0;
      U8_NEXT(bytes, i, n, cp);
      if (cp < 0 || IsRemovedCodePoint(cp)) {
        if (cp < 0) prose.invalid_utf8 = true;
        if (!flush(start, i)) return false;
        writer.Space();
      } else if (data.MaybeNotNfc(cp)) {
        maybe_not_nfc = true;
      }
      continue;
    }
    if (b == ' ') {
      // Spaces collapse, also with the ones standing in for removed material.
      const bool unwanted = i > run ? line[i - 1] == ' ' : writer.SpaceUnwanted();
      if (unwanted && !flush(i, i + 1)) return false;
      ++i;
      continue;
    }
    if (b < 0x20 || b == 0x7f) {
      if (!flush(i, i + 1)) return false;
      writer.Space();
      ++i;
      continue;
    }
    if (strip_markup && b == '`') {
      if (!flush(i, i)) return false;
      const std::size_t ticks = RunLength(line, i, '`');
      const std::size_t close = FindClosingBackticks(line, i + ticks, ticks);
      // A span without its closing run is literal backticks, which are punctuation anyway.
      i = (close == std::string_view::npos) ? i + ticks : close + ticks;
      run = i;
      writer.Space();
      continue;
    }
    if (strip_markup && (b == 'h' || b == 'H' || b == 'w' || b == 'W') &&
        (i == 0 || !IsAsciiAlnum(line[i - 1])) && StartsWithUrl(line.substr(i))) {
      if (!flush(i, i)) return false;
      while (i < n && !EndsUrl(line[i])) ++i;
      run = i;
      writer.Space();
      continue;
    }
    ++i;
  }
  return flush(n, n);
}

}  // namespace

bool StartsWithUrl(std::string_view s) {
  return StartsWithIgnoringCase(s, "http://") || StartsWithIgnoringCase(s, "https://") ||
         StartsWithIgnoringCase(s, "www.");
}

Prose ExtractProse(std::string_view input, bool strip_markup, std::size_t max_bytes) {
  Prose prose;
  prose.text.reserve(input.size() < max_bytes ? input.size() : max_bytes);
  Writer writer(prose, max_bytes);
  Fence open;  // the fence we are inside, ch == 0 when outside
  bool maybe_not_nfc = false;
  std::size_t pos = 0;
  while (pos < input.size() && !writer.full()) {
    std::size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(pos, end - pos);
    pos = end + 1;
    if (strip_markup) {
      const Fence fence = FenceAt(line);
      if (open.ch == 0 && fence.ch != 0) {
        open = fence;
        writer.Space();
        continue;
      }
      if (open.ch != 0) {
        if (fence.ch == open.ch && fence.length >= open.length && OnlyBlankFrom(line, fence.end)) {
          open = Fence{};
        }
        continue;
      }
    }
    if (!AppendLine(line, strip_markup, writer, prose, maybe_not_nfc)) break;
    writer.Space();
  }
  if (!prose.text.empty() && prose.text.back() == ' ') prose.text.pop_back();
  if (maybe_not_nfc) NormalizeToNfc(prose.text);
  return prose;
}

void NormalizeToNfc(std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || nfc->isNormalizedUTF8(text, status) || U_FAILURE(status)) return;
  std::string normalized;
  normalized.reserve(text.size());
  icu::StringByteSink<std::string> sink(&normalized);
  nfc->normalizeUTF8(0, text, sink, nullptr, status);
  if (U_SUCCESS(status)) text = std::move(normalized);
}

}  // namespace gavel::language::detail
