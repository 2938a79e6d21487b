// Internal: the two Unicode properties detection looks up for every code point, with the
// Basic Multilingual Plane cached in tables built once from ICU (a lookup is then an index,
// not a call into ICU); other planes ask ICU directly. Fetch the tables once per text:
//   const UnicodeData& data = UnicodeData::Get();  ... data.LetterScript(c) ...
#pragma once

#include <unicode/umachine.h>

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>

namespace gavel::language::detail {

class UnicodeData {
 public:
  // Built on first use (about 65,000 ICU look-ups, a few milliseconds); 72 KB.
  static const UnicodeData& Get();

  // The UScriptCode of a letter, or -1 for code points that are not letters: those whose
  // script is Common, Inherited or Unknown (digits, punctuation, symbols, emoji, shared
  // combining marks). Scripts numbered 255 or above (none in ICU 72) count as Common.
  int LetterScript(UChar32 c) const {
    if (c < 0x80) return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? kLatin : -1;
    if (c < 0x10000) {
      const std::uint8_t script = script_[static_cast<std::size_t>(c)];
      return script == kNotALetter ? -1 : script;
    }
    return LetterScriptFromIcu(c);
  }

  // True unless the code point's NFC_Quick_Check is Yes, i.e. text containing it may not be
  // in NFC. Never true for ASCII.
  bool MaybeNotNfc(UChar32 c) const {
    if (c < 0x80) return false;
    if (c < 0x10000) return maybe_not_nfc_[static_cast<std::size_t>(c)];
    return MaybeNotNfcFromIcu(c);
  }

  static int LetterScriptFromIcu(UChar32 c);
  static bool MaybeNotNfcFromIcu(UChar32 c);

 private:
  UnicodeData();

  static constexpr std::uint8_t kNotALetter = 0xff;
  static constexpr int kLatin = 25;  // USCRIPT_LATIN, checked in the .cpp
  std::array<std::uint8_t, 0x10000> script_{};
  std::bitset<0x10000> maybe_not_nfc_;
};

}  // namespace gavel::language::detail
