#include "unicode_data.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>

namespace gavel::language::detail {

int UnicodeData::LetterScriptFromIcu(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  // USCRIPT_INVALID_CODE (-1, on failure), Common (0) and Inherited (1) are not letters.
  if (script <= USCRIPT_INHERITED || script == USCRIPT_UNKNOWN || script >= kNotALetter) {
    return -1;
  }
  return script;
}

bool UnicodeData::MaybeNotNfcFromIcu(UChar32 c) {
  return u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES;
}

UnicodeData::UnicodeData() {
  static_assert(kLatin == USCRIPT_LATIN);
  for (UChar32 c = 0; c < 0x10000; ++c) {
    const int script = LetterScriptFromIcu(c);
    script_[static_cast<std::size_t>(c)] =
        script < 0 ? kNotALetter : static_cast<std::uint8_t>(script);
    maybe_not_nfc_[static_cast<std::size_t>(c)] = MaybeNotNfcFromIcu(c);
  }
}

const UnicodeData& UnicodeData::Get() {
  static const UnicodeData data;
  return data;
}

}  // namespace gavel::language::detail
