// The stand-in judge's verdicts come from the judge plugin's generator (verdict_generator.h),
// shared with the plugin's canned verdicts; the stand-in's code names them from here.
#pragma once

#include "gavel/judge/verdict_generator.h"

namespace gavel::standin::internal {

using judge::DefaultVerdictSchema;
using judge::Fnv1a;
using judge::GenerateVerdict;
using judge::kFnvOffset;
using judge::Mix;
using judge::OffSchemaCandidates;
using Json = nlohmann::json;

}  // namespace gavel::standin::internal
