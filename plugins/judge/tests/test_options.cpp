// The judge's typed configuration from its text forms (what the apps read from flags and
// variables), and the secrets a log scrubber learns from a judge URL.
#include <map>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "gavel/judge/options.h"
#include "gavel/judge/provider.h"

namespace {

using gavel::judge::OptionsFromVariables;
using gavel::judge::ParsePrices;
using gavel::judge::ParseWindow;

gavel::judge::VariableLookup Vars(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("judge options: the window is an integer from 1 to 100000") {
  CHECK(*ParseWindow("1", "W") == 1);
  CHECK(*ParseWindow("100000", "W") == 100000);
  for (const char* bad : {"", "0", "100001", "-3", "lots", "4x", "18446744073709551616"}) {
    INFO(bad);
    auto window = ParseWindow(bad, "GAVEL_JUDGE_WINDOW");
    REQUIRE_FALSE(window);
    CHECK(window.error().kind() == gavel::ErrorKind::kUsage);
    CHECK(window.error().message() ==
          std::string("GAVEL_JUDGE_WINDOW must be an integer from 1 to 100000 (got '") + bad + "')");
  }
  CHECK(ParseWindow("a\nb", "W").error().message() == "W must be an integer from 1 to 100000 (got 'a b')");
}

TEST_CASE("judge options: prices are input=X,output=Y in US dollars per million tokens") {
  auto both = ParsePrices("input=0.8,output=3.2", "P");
  REQUIRE(both);
  CHECK(both->input == 0.8);
  CHECK(both->output == 3.2);
  auto one = ParsePrices("output=2", "P");
  REQUIRE(one);
  CHECK(one->input == 0);
  CHECK(one->output == 2);
  const std::string head = "GAVEL_JUDGE_PRICES must look like 'input=0.8,output=3.2' (US dollars per million tokens): ";
  const std::map<std::string, std::string> bad = {
      {"input=cheap", "'cheap' is not a price"},
      {"input=-1", "'-1' is not a price"},
      {"input=", "'' is not a price"},
      {"input=inf", "'inf' is not a price"},
      {"output", "'output' has no '='"},
      {"inputs=1", "unknown price 'inputs'"},
      {"", "it is empty"},
  };
  for (const auto& [text, why] : bad) {
    INFO(text);
    auto prices = ParsePrices(text, "GAVEL_JUDGE_PRICES");
    REQUIRE_FALSE(prices);
    CHECK(prices.error().kind() == gavel::ErrorKind::kUsage);
    CHECK(prices.error().message() == head + why);
  }
}

TEST_CASE("judge options: from GAVEL_JUDGE_URL, GAVEL_JUDGE_WINDOW and GAVEL_JUDGE_PRICES") {
  auto none = OptionsFromVariables(Vars({{"GAVEL_JUDGE_URL", ""}, {"GAVEL_JUDGE_WINDOW", ""}}));
  REQUIRE(none);
  CHECK(none->default_url.empty());
  CHECK(none->window == 0);
  CHECK_FALSE(none->default_prices);
  auto all = OptionsFromVariables(Vars({{"GAVEL_JUDGE_URL", "http://h/v1?model=m"},
                                        {"GAVEL_JUDGE_WINDOW", "8"},
                                        {"GAVEL_JUDGE_PRICES", "input=1"}}));
  REQUIRE(all);
  CHECK(all->default_url == "http://h/v1?model=m");
  CHECK(all->window == 8);
  REQUIRE(all->default_prices);
  CHECK(all->default_prices->input == 1);
  CHECK(OptionsFromVariables(Vars({{"GAVEL_JUDGE_WINDOW", "lots"}})).error().message() ==
        "GAVEL_JUDGE_WINDOW must be an integer from 1 to 100000 (got 'lots')");
  CHECK(OptionsFromVariables(Vars({{"GAVEL_JUDGE_PRICES", "x=1"}})).error().message().starts_with(
      "GAVEL_JUDGE_PRICES must look like"));
}

TEST_CASE("judge URL secrets: the password, decoded too, and every key_env variable") {
  using gavel::judge::SecretsOf;
  auto s = SecretsOf("openai+https://user:p%40ss@judge.example/v1?model=m&key_env=MY_KEY");
  CHECK(s.passwords == std::vector<std::string>{"p%40ss", "p@ss"});
  CHECK(s.key_variables == std::vector<std::string>{"MY_KEY"});
  // A URL the parser refuses still gives its secrets away to the scrubber.
  auto ftp = SecretsOf("ftp://gavel:secret-1@example.com/judge?key_env=A&key_env=B");
  CHECK(ftp.passwords == std::vector<std::string>{"secret-1"});
  CHECK(ftp.key_variables == std::vector<std::string>{"A", "B"});
  // An '@' after the host is not user information; a user without a password has none.
  CHECK(SecretsOf("http://host/v1?model=a@b").passwords.empty());
  CHECK(SecretsOf("http://user@host/v1").passwords.empty());
  CHECK(SecretsOf("http://u:bad%zz@host/v1").passwords == std::vector<std::string>{"bad%zz"});
  CHECK(SecretsOf("").key_variables.empty());
}
