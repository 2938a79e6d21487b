// The stand-in judge's HTTP layer over real loopback sockets: keep-alive, 100-continue, size
// limits, garbage, pipelining, requests that arrive in pieces, routes and methods.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "client.h"

namespace {

using namespace standin_test;

std::string PostHead(std::uint16_t port, const std::string& path, std::size_t length,
                     const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) +
         "\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("GET /health and GET /stats", "[http]") {
  auto server = StartServer();
  const HttpResult health = Perform(Get(server->base_url() + "/health"));
  REQUIRE(health.code == CURLE_OK);
  CHECK(health.status == 200);
  CHECK(health.json().at("status") == "ok");

  REQUIRE(Perform(Post(server->base_url() + "/v1/chat/completions", OpenAIBody("x"))).status ==
          200);
  const HttpResult stats = Perform(Get(server->base_url() + "/stats"));
  REQUIRE(stats.status == 200);
  const Json j = stats.json();
  CHECK(j.at("requests") == 1);  // /health and /stats are not counted
  CHECK(j.at("openai") == 1);
  CHECK(j.at("by_status").at("200") == 1);
  CHECK(j.at("peak_in_flight") == 1);
  CHECK(server->stats().requests == 1);
  CHECK(server->base_url() == "http://127.0.0.1:" + std::to_string(server->port()));
}

TEST_CASE("keep-alive: one connection serves successive requests", "[http]") {
  auto server = StartServer();
  CURL* handle = curl_easy_init();
  long connects = 0;
  for (int i = 0; i < 4; ++i) {
    std::string question = "q";  // appended: GCC 12 warns falsely (-Wrestrict) on "q" + ... at -O3
    question += std::to_string(i);
    const HttpResult r = Perform(Post(server->base_url() + "/v1/chat/completions", OpenAIBody(question)), handle);
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 200);
    connects += r.connects;
  }
  curl_easy_cleanup(handle);
  CHECK(connects == 1);
  CHECK(server->stats().connections_accepted == 1);
}

TEST_CASE("Expect: 100-continue is answered before the body is sent", "[http]") {
  auto server = StartServer();
  HttpCall call = Post(server->base_url() + "/v1/chat/completions", OpenAIBody("continue me"));
  call.headers = {"Expect: 100-continue", "Content-Type: application/json"};
  // Without a 100 curl would wait 60 s before sending the body and hit the 20 s timeout.
  call.expect_100_timeout_ms = 60000;
  const HttpResult r = Perform(call);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 200);
  REQUIRE(r.status_lines.size() == 2);
  CHECK(r.status_lines[0].find(" 100") != std::string::npos);
}

TEST_CASE("a body over max_request_bytes gets 413", "[http]") {
  gavel::standin::Options options;
  options.max_request_bytes = 1024;
  auto server = StartServer(options);
  const std::string body = OpenAIBody(std::string(4000, 'a'));

  SECTION("sent at once") {
    HttpCall call = Post(server->base_url() + "/v1/chat/completions", body);
    call.headers = {"Expect:"};
    const HttpResult r = Perform(call);
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 413);
    CHECK(r.header("connection") == "close");
  }
  SECTION("with Expect: 100-continue the body is never asked for") {
    HttpCall call = Post(server->base_url() + "/v1/chat/completions", body);
    call.headers = {"Expect: 100-continue"};
    call.expect_100_timeout_ms = 60000;
    const HttpResult r = Perform(call);
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 413);
    CHECK(r.status_lines.size() == 1);
  }
  SECTION("a body at the limit is read") {
    const std::string fits = OpenAIBody(std::string(1024 - OpenAIBody("").size(), 'b'));
    REQUIRE(fits.size() == 1024);
    const HttpResult r = Perform(Post(server->base_url() + "/v1/chat/completions", fits));
    CHECK(r.status == 200);
  }
  CHECK(server->stats().in_flight == 0);
}

TEST_CASE("garbage gets a clean 400 and the connection closes", "[http]") {
  auto server = StartServer();
  for (const std::string& garbage :
       {std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11),
        std::string("hello?\r\n\r\n"), std::string("GET / HTTP/1.1\r\nno colon here\r\n\r\n"),
        std::string("GET / SPDY/3\r\n\r\n")}) {
    RawConnection conn(server->port());
    REQUIRE(conn.Send(garbage));
    const auto r = conn.ReadResponse();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(Json::parse(r->body).at("error").contains("message"));
    CHECK(conn.ReadUntilClosed());
  }
  CHECK(server->stats().by_status.at(400) == 4);
}

TEST_CASE("Transfer-Encoding: chunked or a POST without length gets 411", "[http]") {
  auto server = StartServer();
  HttpCall call = Post(server->base_url() + "/v1/chat/completions", OpenAIBody("x"));
  call.headers = {"Transfer-Encoding: chunked"};
  const HttpResult chunked = Perform(call);
  REQUIRE(chunked.code == CURLE_OK);
  CHECK(chunked.status == 411);

  RawConnection conn(server->port());
  REQUIRE(conn.Send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto r = conn.ReadResponse();
  REQUIRE(r);
  CHECK(r->status == 411);
}

TEST_CASE("pipelined requests are answered in order on one connection", "[http]") {
  auto server = StartServer();
  const std::string a = OpenAIBody("first");
  const std::string b = BedrockBody("second");
  const std::uint16_t port = server->port();
  RawConnection conn(port);
  REQUIRE(conn.Send(PostHead(port, "/v1/chat/completions", a.size()) + a +
                    PostHead(port, "/model/m/converse", b.size()) + b +
                    "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto r1 = conn.ReadResponse();
  const auto r2 = conn.ReadResponse();
  const auto r3 = conn.ReadResponse();
  REQUIRE(r1);
  REQUIRE(r2);
  REQUIRE(r3);
  CHECK(r1->status == 200);
  CHECK(Json::parse(r1->body).at("object") == "chat.completion");
  CHECK(r2->status == 200);
  CHECK(Json::parse(r2->body).at("stopReason") == "end_turn");
  CHECK(Json::parse(r3->body).at("status") == "ok");
  CHECK(server->stats().connections_accepted == 1);
}

TEST_CASE("pipelined requests behind a delayed reply wait their turn", "[http]") {
  gavel::standin::Options options;
  options.latency = std::chrono::milliseconds(30);
  auto server = StartServer(options);
  const std::uint16_t port = server->port();
  std::string wire;
  for (int i = 0; i < 5; ++i) {
    const std::string body = OpenAIBody("req " + std::to_string(i));
    wire += PostHead(port, "/v1/chat/completions", body.size()) + body;
  }
  RawConnection conn(port);
  REQUIRE(conn.Send(wire));
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const auto r = conn.ReadResponse();
    REQUIRE(r);
    CHECK(r->status == 200);
    ids.insert(Json::parse(r->body).at("id").get<std::string>());
  }
  CHECK(ids.size() == 5);
  CHECK(server->stats().peak_in_flight == 1);
}

TEST_CASE("a request that arrives in pieces is read whole, wherever it is cut", "[http]") {
  auto server = StartServer();
  const std::string body = OpenAIBody("sent in pieces");
  const std::string wire = PostHead(server->port(), "/v1/chat/completions", body.size()) + body;
  const std::string health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  RawConnection conn(server->port());
  // The first piece rides behind a complete request, so the server has read it (and answered
  // that request) before the rest is sent.
  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    INFO("cut at " << cut << ": " << wire.substr(0, cut));
    REQUIRE(conn.Send(health + wire.substr(0, cut)));
    const auto first = conn.ReadResponse();
    REQUIRE(first);
    REQUIRE(first->status == 200);
    REQUIRE(conn.Send(wire.substr(cut)));
    const auto r = conn.ReadResponse();
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(Json::parse(r->body).at("object") == "chat.completion");
  }
  CHECK(server->stats().connections_accepted == 1);
}

TEST_CASE("HTTP/1.0 without keep-alive is answered and closed", "[http]") {
  auto server = StartServer();
  RawConnection conn(server->port());
  REQUIRE(conn.Send("GET /health HTTP/1.0\r\n\r\n"));
  const auto r = conn.ReadResponse();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->head.find("Connection: close") != std::string::npos);
  CHECK(conn.ReadUntilClosed());
}

TEST_CASE("unknown routes get 404 and wrong methods 405", "[http]") {
  auto server = StartServer();
  const HttpResult missing = Perform(Post(server->base_url() + "/v1/embeddings", "{}"));
  CHECK(missing.status == 404);
  CHECK(missing.json().at("error").contains("message"));
  const HttpResult get = Perform(Get(server->base_url() + "/v1/chat/completions"));
  CHECK(get.status == 405);
  CHECK(get.header("allow") == "POST");
  const HttpResult bedrock_get = Perform(Get(server->base_url() + "/model/m/converse"));
  CHECK(bedrock_get.status == 405);
  CHECK(bedrock_get.header("x-amzn-errortype") == "ValidationException");
}

TEST_CASE("a head over 64 KiB gets 431", "[http]") {
  auto server = StartServer();
  HttpCall call = Get(server->base_url() + "/health");
  call.headers = {"X-Big: " + std::string(70000, 'a')};
  const HttpResult r = Perform(call);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 431);
}

TEST_CASE("max_connections: connections beyond it are closed at once", "[http]") {
  gavel::standin::Options options;
  options.max_connections = 2;
  auto server = StartServer(options);
  RawConnection a(server->port());
  RawConnection b(server->port());
  REQUIRE(a.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(b.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(a.ReadResponse());
  REQUIRE(b.ReadResponse());  // both are accepted and open now
  RawConnection c(server->port());
  CHECK(c.ReadUntilClosed());
  CHECK(server->stats().connections_refused == 1);
}

TEST_CASE("Start refuses invalid options; Stop is idempotent", "[http]") {
  gavel::standin::Options bad;
  bad.faults.rate_429 = 0.7;
  bad.faults.rate_503 = 0.7;
  auto refused = gavel::standin::Server::Start(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind() == gavel::ErrorKind::kUsage);

  auto server = StartServer();
  gavel::standin::Options same_port;
  same_port.port = server->port();
  auto taken = gavel::standin::Server::Start(same_port);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().kind() == gavel::ErrorKind::kIo);

  const std::string url = server->base_url();
  server->Stop();
  server->Stop();
  const HttpResult after = Perform(Get(url + "/health"));
  CHECK(after.code == CURLE_COULDNT_CONNECT);
}
