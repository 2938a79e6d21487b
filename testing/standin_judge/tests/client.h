// Test clients for the stand-in judge: libcurl (easy and multi) for well-formed HTTP, a raw
// socket for what curl will not send (garbage, pipelining, requests cut into pieces), and
// request bodies for both protocols.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gavel/standin/server.h"

namespace standin_test {

using Json = nlohmann::json;

struct HttpCall {
  std::string method = "POST";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"; "Name:" removes a header curl would add
  long timeout_ms = 20000;
  long expect_100_timeout_ms = 0;  // 0: curl's default
  curl_off_t max_file_size = 0;    // 0: no limit
  // Called with each piece of the body; return false to abort the transfer.
  std::function<bool(const std::string& body_so_far)> on_body;
};

HttpCall Get(std::string url);
HttpCall Post(std::string url, std::string body);

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, the last value of each
  std::vector<std::string> status_lines;       // every status line, interim 100s included
  long connects = 0;                           // new connections this transfer made
  double seconds = 0;

  Json json() const;  // the body parsed; throws if it is not JSON
  std::string header(const std::string& lower_name) const;  // "" when absent
};

// One transfer; with `reuse`, on that easy handle (its connection cache).
HttpResult Perform(const HttpCall& call, CURL* reuse = nullptr);

// Every call at once through one curl multi handle; results in call order.
std::vector<HttpResult> PerformAll(const std::vector<HttpCall>& calls);

// A multi handle driven step by step, for tests that act while transfers are in flight.
class MultiDriver {
 public:
  MultiDriver();
  ~MultiDriver();
  MultiDriver(const MultiDriver&) = delete;
  MultiDriver& operator=(const MultiDriver&) = delete;

  void Add(const HttpCall& call);
  // Runs transfers until `done()` is true, every transfer finished, or `wait_ms` passed.
  // Returns done().
  bool RunUntil(const std::function<bool()>& done, long wait_ms);
  bool AllFinished() const;
  const std::vector<HttpResult>& results() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string OpenAIBody(const std::string& user_text,
                       const std::optional<Json>& schema = std::nullopt,
                       const std::string& system_text = "You are a strict grader.");
std::string BedrockBody(const std::string& user_text,
                        const std::optional<Json>& schema = std::nullopt,
                        const std::string& system_text = "You are a strict grader.");

// The assistant text of a 200 reply, for either protocol.
std::string AssistantText(const HttpResult& result);

// A blocking TCP connection with a receive timeout (a failed test, not a hung one).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port, int receive_timeout_ms = 10000);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Send(const std::string& bytes);
  // Reads one response (head and Content-Length body). nullopt on close or timeout.
  struct Response {
    int status = 0;
    std::string head;
    std::string body;
  };
  std::optional<Response> ReadResponse();
  // Reads until the server closes the connection; false on timeout.
  bool ReadUntilClosed();

 private:
  bool Fill();
  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

// Starts a server or fails the test.
std::unique_ptr<gavel::standin::Server> StartServer(gavel::standin::Options options = {});

}  // namespace standin_test
