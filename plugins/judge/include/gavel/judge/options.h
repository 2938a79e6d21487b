// The judge plugin's configuration, typed and handed in by the app that registers the plugin:
// the plugin itself reads no GAVEL_* variable. The apps share one reading of the variables.
//
//   auto options = gavel::judge::OptionsFromVariables(lookup);  // GAVEL_JUDGE_URL, _WINDOW, _PRICES
//   if (!options) { /* a usage error naming the variable */ }
//   options->cache_file = "judge.sqlite";
//   registry.Add(gavel::judge::MakeModule(*options));
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel::judge {

// What the judge charges, in US dollars per million tokens.
struct Prices {
  double input = 0;
  double output = 0;
};

struct Options {
  // The judge URL (provider.h) of a grader whose rubric gives no `url`; empty: such a grader is
  // refused when the rubric loads.
  std::string default_url{};
  // Judge calls in flight at once, over every sample; 0: the HTTP client's default.
  std::size_t window = 0;
  // The prices of a grader whose rubric gives none; without prices no cost is estimated.
  std::optional<Prices> default_prices{};
  // The SQLite file of the judge reply cache (see reply_cache.h), opened when a rubric first
  // creates a grader; empty: no cache.
  std::filesystem::path cache_file{};
  // Answer every judge call here, with a verdict made from the grader's schema and a hash of
  // the request (verdict_generator.h), instead of calling the endpoint; judge.new then ignores
  // the URL and needs no credentials. For dry runs (gavel check): the rubric's steps run, its
  // judges' scores mean nothing.
  bool canned_verdicts = false;
};

// The window's text form, "256": an integer from 1 to 100000. Errors (kUsage) name `what`.
Result<std::size_t> ParseWindow(std::string_view text, std::string_view what);

// The prices' text form, "input=0.8,output=3.2" (either may be left out). Errors (kUsage) name
// `what`.
Result<Prices> ParsePrices(std::string_view text, std::string_view what);

// Looks a variable up; nullopt when it is unset.
using VariableLookup = std::function<std::optional<std::string>(const char* name)>;

// default_url, window and default_prices from GAVEL_JUDGE_URL, GAVEL_JUDGE_WINDOW and
// GAVEL_JUDGE_PRICES as `lookup` finds them (an app passes its process environment); an empty
// value counts as unset. Errors (kUsage) name the variable.
Result<Options> OptionsFromVariables(const VariableLookup& lookup);

}  // namespace gavel::judge
