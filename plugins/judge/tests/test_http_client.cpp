// The judge's HTTP client: backoff, Retry-After, and calls against real servers on loopback.
#include <catch2/catch.hpp>

#include <chrono>

#include "gavel/judge/http_client.h"

using namespace std::chrono_literals;
using gavel::judge::BackoffDelay;
using gavel::judge::IsRetryableStatus;
using gavel::judge::ParseRetryAfter;
using gavel::judge::RetryPolicy;

TEST_CASE("backoff is full jitter under an exponential ceiling capped at max_delay", "[http]") {
  RetryPolicy policy;
  policy.base_delay = 100ms;
  policy.max_delay = 1000ms;
  CHECK(BackoffDelay(1, policy, 0.0) == 0ms);
  CHECK(BackoffDelay(1, policy, 0.999) == 99ms);
  CHECK(BackoffDelay(2, policy, 0.5) == 100ms);   // ceiling 200
  CHECK(BackoffDelay(3, policy, 0.5) == 200ms);   // ceiling 400
  CHECK(BackoffDelay(5, policy, 0.5) == 500ms);   // ceiling 1600 capped at 1000
  CHECK(BackoffDelay(60, policy, 0.999) == 999ms);  // no overflow on many attempts
  CHECK(BackoffDelay(1, policy, 7.0) == 100ms);     // out-of-range draws are clamped
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[http]") {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
  CHECK(ParseRetryAfter("2", now) == std::optional<std::chrono::milliseconds>(2000ms));
  CHECK(ParseRetryAfter(" 0 ", now) == std::optional<std::chrono::milliseconds>(0ms));
  CHECK(ParseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now) == std::optional<std::chrono::milliseconds>(30000ms));
  CHECK(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now) == std::optional<std::chrono::milliseconds>(0ms));
  CHECK_FALSE(ParseRetryAfter("", now).has_value());
  CHECK_FALSE(ParseRetryAfter("soon", now).has_value());
  CHECK_FALSE(ParseRetryAfter("-1", now).has_value());
  CHECK(ParseRetryAfter("99999999999999", now).value() > 1000000s);  // huge, not wrapped
}

TEST_CASE("only 408, 429 and 5xx are worth another attempt", "[http]") {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) CHECK(IsRetryableStatus(s));
  for (long s : {200L, 400L, 401L, 403L, 404L, 413L, 422L}) CHECK_FALSE(IsRetryableStatus(s));
}
