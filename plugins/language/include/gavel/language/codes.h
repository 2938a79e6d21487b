// Language codes as gavel compares them: a tag from a sample or rubric ("pt-BR", "zh_Hant",
// "iw", "deu") becomes the canonical code Detect reports ("pt", "zh", "he", "de").
//   auto code = gavel::language::CanonicalLanguage(sample_lang);  if (!code) report(code.error());
#pragma once

#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel::language {

// The canonical code of a BCP-47-like tag: the primary subtag, lower-cased, with '_' accepted
// for '-'. Script and region subtags are dropped (detection cannot tell pt-BR from pt-PT, nor
// simplified from traditional Chinese). Deprecated and three-letter ISO 639 codes map to the
// two-letter code where one exists (iw->he, in->id, ji->yi, jw->jv, mo->ro, nb->no, fil->tl,
// deu/ger->de, zho/chi/cmn->zh, ...). Fails with ErrorKind::kBadSample when the tag is not a
// language that Detect can ever report ("und", "xx", "english", "tok"), because an expected
// language normally comes from the sample; a caller validating a rubric literal should report
// its own kind.
Result<std::string> CanonicalLanguage(std::string_view tag);

// True when two tags name the same language for consistency checks: equal canonical codes, or
// members of one ISO 639-3 macrolanguage that Detect reports separately:
//   no = nb = nn (Norwegian), ms = id (Malay), hr = sr = bs (Serbo-Croatian).
// False when either tag is not a known language.
bool SameLanguage(std::string_view a, std::string_view b);

}  // namespace gavel::language
