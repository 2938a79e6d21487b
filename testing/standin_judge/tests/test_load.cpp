// Concurrency: hundreds of requests waiting at once on one server thread. The test counts what
// was in flight together; it never measures time.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "client.h"

namespace {

using namespace standin_test;

}  // namespace

TEST_CASE("500 concurrent requests with a long latency are all in flight at once", "[load]") {
  constexpr int kRequests = 500;
  gavel::standin::Options options;
  // Long enough that every request arrives before the first is answered, even on a loaded
  // machine under the sanitizers: the count is exact whatever the speed.
  options.latency = std::chrono::milliseconds(2000);
  auto server = StartServer(options);

  std::vector<HttpCall> calls;
  for (int i = 0; i < kRequests; ++i) {
    HttpCall call = i % 2 == 0 ? Post(server->base_url() + "/v1/chat/completions",
                                      OpenAIBody("concurrent answer " + std::to_string(i)))
                               : Post(server->base_url() + "/model/m%3A1/converse",
                                      BedrockBody("concurrent answer " + std::to_string(i)));
    call.timeout_ms = 60000;
    calls.push_back(std::move(call));
  }
  const std::vector<HttpResult> results = PerformAll(calls);

  int ok = 0;
  for (const HttpResult& r : results) {
    INFO(curl_easy_strerror(r.code) << " " << r.body);
    CHECK(r.code == CURLE_OK);
    ok += r.status == 200 ? 1 : 0;
  }
  CHECK(ok == kRequests);
  const gavel::standin::Stats stats = server->stats();
  CHECK(stats.requests == kRequests);
  CHECK(stats.by_status.at(200) == kRequests);
  CHECK(stats.in_flight == 0);
  CHECK(stats.peak_in_flight == kRequests);
  CHECK(stats.peak_connections >= kRequests);
}
