// The stand-in Runtime API and the bootstrap's Runtime API client against each other over
// loopback: headers, long poll, every post recorded, and a Runtime API that goes away.
#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <future>
#include <thread>

#include "gavel/lambda/runtime_client.h"
#include "gavel/lambda/standin_runtime_api.h"

namespace {

using namespace gavel::lambda;
constexpr auto kPatience = std::chrono::seconds(60);

}  // namespace

TEST_CASE("runtime api: an event through /next with its headers, and the three kinds of post", "[standin]") {
  auto api = StandinRuntimeApi::Start({});
  REQUIRE(api);
  auto client = RuntimeClient::Create((*api)->address());
  REQUIRE(client);
  const std::string id = (*api)->Enqueue({R"([{"id": 1}])", std::chrono::milliseconds(5000), "req-7", "Root=1-abc"});
  CHECK(id == "req-7");
  const auto before = std::chrono::steady_clock::now();
  auto invocation = (*client)->Next();
  REQUIRE(invocation);
  CHECK(invocation->request_id == "req-7");
  CHECK(invocation->body == R"([{"id": 1}])");
  CHECK(invocation->trace_id == "Root=1-abc");
  CHECK(invocation->function_arn == "arn:aws:lambda:us-east-1:123456789012:function:gavel-standin");
  REQUIRE(invocation->deadline_epoch_ms);
  CHECK(invocation->deadline_epoch_ms == (*api)->DeadlineOf("req-7"));
  REQUIRE(invocation->deadline);
  // About five seconds from now on the steady clock (generous bounds: clocks and scheduling).
  CHECK(*invocation->deadline > before + std::chrono::milliseconds(3000));
  CHECK(*invocation->deadline < std::chrono::steady_clock::now() + std::chrono::milliseconds(5001));

  REQUIRE((*client)->PostResponse("req-7", R"([{"id":1,"aggregate_reward_score":1,"metrics_list":[]}])"));
  REQUIRE((*client)->PostError("req-7", "Gavel.InvalidEvent", R"({"errorMessage":"m","errorType":"Gavel.InvalidEvent"})"));
  REQUIRE((*client)->PostInitError("Gavel.InitError", R"({"errorMessage":"i","errorType":"Gavel.InitError"})"));
  // An id the Runtime API never gave out is refused, and the client reports the status.
  gavel::Status unknown = (*client)->PostResponse("req-8", "[]");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message(), Catch::Contains("/runtime/invocation/req-8/response with status 400"));
  // A request id that could change the path is never sent.
  CHECK_FALSE((*client)->PostResponse("../init/error", "[]"));

  std::vector<StandinPost> posts = (*api)->posts();
  REQUIRE(posts.size() == 4);
  CHECK(posts[0].kind == StandinPost::Kind::kResponse);
  CHECK(posts[0].path == "/2018-06-01/runtime/invocation/req-7/response");
  CHECK(posts[0].body == R"([{"id":1,"aggregate_reward_score":1,"metrics_list":[]}])");
  CHECK(posts[0].Header("content-type") == "application/json");
  CHECK_FALSE(posts[0].Header("Lambda-Runtime-Function-Error-Type"));
  CHECK(posts[1].kind == StandinPost::Kind::kError);
  CHECK(posts[1].path == "/2018-06-01/runtime/invocation/req-7/error");
  CHECK(posts[1].Header("Lambda-Runtime-Function-Error-Type") == "Gavel.InvalidEvent");
  CHECK(posts[1].body == R"({"errorMessage":"m","errorType":"Gavel.InvalidEvent"})");
  CHECK(posts[2].kind == StandinPost::Kind::kInitError);
  CHECK(posts[2].path == "/2018-06-01/runtime/init/error");
  CHECK(posts[2].request_id.empty());
  CHECK(posts[2].Header("Lambda-Runtime-Function-Error-Type") == "Gavel.InitError");
  CHECK(posts[3].status == 400);
  CHECK((*api)->next_requests() == 1);
}

TEST_CASE("runtime api: /next waits until an event is queued, and Stop ends a waiting /next", "[standin]") {
  auto api = StandinRuntimeApi::Start({});
  REQUIRE(api);
  auto client = RuntimeClient::Create((*api)->address(), {0, std::chrono::milliseconds(1)});
  REQUIRE(client);
  auto next = std::async(std::launch::async, [&] { return (*client)->Next(); });
  // The request is waiting in the stand-in before anything is queued.
  REQUIRE((*api)->WaitForNextRequests(1, kPatience) == 1);
  const std::string id = (*api)->Enqueue("[]");
  auto first = next.get();
  REQUIRE(first);
  CHECK(first->request_id == id);
  CHECK(first->body == "[]");

  next = std::async(std::launch::async, [&] { return (*client)->Next(); });
  REQUIRE((*api)->WaitForNextRequests(2, kPatience) == 2);
  (*api)->Stop();
  auto second = next.get();
  REQUIRE_FALSE(second);
  CHECK(second.error().kind() == gavel::ErrorKind::kIo);
  CHECK_THAT(second.error().message(),
             Catch::StartsWith("the Runtime API at " + (*api)->address() + " did not give an event after 1 attempts"));
}

TEST_CASE("runtime client: a Runtime API that is not there, retried then given up", "[standin]") {
  std::string address;
  {
    auto api = StandinRuntimeApi::Start({});
    REQUIRE(api);
    address = (*api)->address();
  }  // stopped: nothing listens on the port now
  auto client = RuntimeClient::Create(address, {2, std::chrono::milliseconds(1)});
  REQUIRE(client);
  auto next = (*client)->Next();
  REQUIRE_FALSE(next);
  CHECK_THAT(next.error().message(), Catch::StartsWith("the Runtime API at " + address +
                                                       " did not give an event after 3 attempts (last: the Runtime "
                                                       "API request /runtime/invocation/next failed: "));
  CHECK_FALSE(RuntimeClient::Create(""));
  CHECK_FALSE(RuntimeClient::Create("host:1/path"));
}

TEST_CASE("runtime api: unknown routes get 404 and are recorded", "[standin]") {
  auto api = StandinRuntimeApi::Start({});
  REQUIRE(api);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  const std::string url = "http://" + (*api)->address() + "/2018-06-01/runtime/elsewhere";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "x");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void*) { return s * n; });
  REQUIRE(curl_easy_perform(curl) == CURLE_OK);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  CHECK(status == 404);
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  std::vector<StandinPost> posts = (*api)->posts();
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].kind == StandinPost::Kind::kOther);
  CHECK(posts[0].path == "/2018-06-01/runtime/elsewhere");
  CHECK(posts[0].body == "x");
}

TEST_CASE("runtime api: PostsFrom gives the posts from a position on, waiting for the first", "[standin]") {
  auto api = StandinRuntimeApi::Start({});
  REQUIRE(api);
  auto client = RuntimeClient::Create((*api)->address());
  REQUIRE(client);
  // Nothing posted yet: empty after the timeout.
  CHECK((*api)->PostsFrom(0, std::chrono::milliseconds(1)).empty());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back((*api)->Enqueue("[]"));
    auto invocation = (*client)->Next();
    REQUIRE(invocation);
    std::string body = "[";  // appended, not "[" + ...: GCC 12 warns falsely (-Wrestrict) at -O3
    body += std::to_string(i);
    body += ']';
    REQUIRE((*client)->PostResponse(invocation->request_id, body));
  }
  std::vector<StandinPost> all = (*api)->PostsFrom(0, kPatience);
  REQUIRE(all.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(all[i].request_id == ids[i]);
    std::string body = "[";
    body += std::to_string(i);
    body += ']';
    CHECK(all[i].body == body);
  }
  std::vector<StandinPost> last = (*api)->PostsFrom(2, kPatience);
  REQUIRE(last.size() == 1);
  CHECK(last[0].request_id == ids[2]);
  CHECK((*api)->PostsFrom(3, std::chrono::milliseconds(1)).empty());
  // A post that arrives while PostsFrom waits ends the wait.
  auto waiting = std::async(std::launch::async, [&] { return (*api)->PostsFrom(3, kPatience); });
  const std::string fourth = (*api)->Enqueue("[]");
  auto invocation = (*client)->Next();
  REQUIRE(invocation);
  REQUIRE((*client)->PostResponse(fourth, "[3]"));
  std::vector<StandinPost> arrived = waiting.get();
  REQUIRE(arrived.size() == 1);
  CHECK(arrived[0].request_id == fourth);
  CHECK(arrived[0].body == "[3]");
}
