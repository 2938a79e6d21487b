#include "internal.h"

#include <unicode/locid.h>
#include <unicode/utext.h>

#include <memory>
#include <mutex>

namespace gavel::text::internal {
namespace {

// One never-used iterator of each kind, created on first use.  Threads clone these (under a lock,
// so the prototype is only ever read by one thread at a time) and keep their clone.
struct Prototype {
  std::unique_ptr<icu::BreakIterator> iterator;
  UErrorCode status = U_ZERO_ERROR;
};

Prototype MakePrototype(BreakKind kind) {
  Prototype p;
  if (kind == BreakKind::kWord) {
    p.iterator.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), p.status));
  } else {
    p.iterator.reset(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), p.status));
  }
  if (U_SUCCESS(p.status) && p.iterator == nullptr) p.status = U_MEMORY_ALLOCATION_ERROR;
  return p;
}

std::mutex& CloneMutex() {
  static std::mutex mutex;
  return mutex;
}

Result<icu::BreakIterator*> CloneFor(BreakKind kind, std::unique_ptr<icu::BreakIterator>& slot) {
  if (slot != nullptr) return slot.get();
  std::lock_guard<std::mutex> lock(CloneMutex());
  static const Prototype word = MakePrototype(BreakKind::kWord);
  static const Prototype character = MakePrototype(BreakKind::kCharacter);
  const Prototype& proto = kind == BreakKind::kWord ? word : character;
  if (U_FAILURE(proto.status)) {
    return IcuError(kind == BreakKind::kWord ? "creating the word break iterator"
                                             : "creating the character break iterator",
                    proto.status);
  }
  slot.reset(proto.iterator->clone());
  if (slot == nullptr) return IcuError("cloning a break iterator", U_MEMORY_ALLOCATION_ERROR);
  return slot.get();
}

}  // namespace

std::optional<Error> CheckIcuSize(std::string_view text, std::string_view what) {
  if (text.size() <= kMaxTextBytes) return std::nullopt;
  return Error(ErrorKind::kLimit, std::string(what) + ": the text is " +
                                      std::to_string(text.size()) + " bytes, more than the " +
                                      std::to_string(kMaxTextBytes) + "-byte limit");
}

Error IcuError(std::string_view what, UErrorCode code) {
  return Error(ErrorKind::kInternal, "ICU failed " + std::string(what) + ": " + u_errorName(code));
}

Result<icu::BreakIterator*> ThreadBreakIterator(BreakKind kind, std::string_view text) {
  thread_local std::unique_ptr<icu::BreakIterator> word;
  thread_local std::unique_ptr<icu::BreakIterator> character;
  Result<icu::BreakIterator*> it = CloneFor(kind, kind == BreakKind::kWord ? word : character);
  if (!it) return it;
  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_SUCCESS(status)) (*it)->setText(&ut, status);  // keeps a shallow clone of ut
  utext_close(&ut);
  if (U_FAILURE(status)) return IcuError("setting the break iterator's text", status);
  return it;
}

bool IsCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF)     // CJK Unified Ideographs
         || (cp >= 0x3400 && cp <= 0x4DBF)  // Extension A
         || (cp >= 0xF900 && cp <= 0xFAFF)  // Compatibility Ideographs
         || (cp >= 0x20000 && cp <= 0x323AF)  // Extensions B-H, Compatibility Supplement
         || (cp >= 0x3040 && cp <= 0x30FF)  // Hiragana, Katakana
         || (cp >= 0x31F0 && cp <= 0x31FF)  // Katakana Phonetic Extensions
         || (cp >= 0xFF66 && cp <= 0xFF9D)  // halfwidth Katakana
         || (cp >= 0xAC00 && cp <= 0xD7AF);  // Hangul Syllables
}

}  // namespace gavel::text::internal
