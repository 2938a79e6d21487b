#include "client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

namespace standin_test {
namespace {

void GlobalInit() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Everything one transfer owns while it runs.
struct Transfer {
  HttpCall call;
  HttpResult result;
  curl_slist* headers = nullptr;
  bool finished = false;

  ~Transfer() { curl_slist_free_all(headers); }
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->result.body.append(data, size * count);
  if (t->call.on_body && !t->call.on_body(t->result.body)) return 0;
  return size * count;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->result.status_lines.push_back(line);
    t->result.headers.clear();  // keep the final response's headers only
  } else if (const std::size_t colon = line.find(':'); colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    t->result.headers[Lower(line.substr(0, colon))] = value;
  }
  return size * count;
}

void Configure(CURL* h, Transfer& t) {
  const HttpCall& call = t.call;
  curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never an environment proxy
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, call.timeout_ms);
  if (call.expect_100_timeout_ms > 0) {
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, call.expect_100_timeout_ms);
  }
  if (call.max_file_size > 0) curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, call.max_file_size);
  if (call.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    if (call.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  for (const std::string& header : call.headers) {
    t.headers = curl_slist_append(t.headers, header.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_PRIVATE, &t);
}

void Collect(CURL* h, CURLcode code, Transfer& t) {
  t.result.code = code;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.result.status);
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &t.result.connects);
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &t.result.seconds);
  t.finished = true;
}

}  // namespace

HttpCall Get(std::string url) {
  HttpCall call;
  call.method = "GET";
  call.url = std::move(url);
  return call;
}

HttpCall Post(std::string url, std::string body) {
  HttpCall call;
  call.url = std::move(url);
  call.body = std::move(body);
  return call;
}

Json HttpResult::json() const { return Json::parse(body); }

std::string HttpResult::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpResult Perform(const HttpCall& call, CURL* reuse) {
  GlobalInit();
  CURL* h = reuse != nullptr ? reuse : curl_easy_init();
  REQUIRE(h != nullptr);
  Transfer t;
  t.call = call;
  Configure(h, t);
  Collect(h, curl_easy_perform(h), t);
  // The handle may be reused: leave no pointer into this call's transfer behind.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
  if (reuse == nullptr) curl_easy_cleanup(h);
  return t.result;
}

struct MultiDriver::State {
  CURLM* multi = nullptr;
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<CURL*> handles;
  std::vector<HttpResult> results;
  int running = 0;
};

MultiDriver::MultiDriver() : state_(std::make_unique<State>()) {
  GlobalInit();
  state_->multi = curl_multi_init();
  REQUIRE(state_->multi != nullptr);
}

MultiDriver::~MultiDriver() {
  for (CURL* h : state_->handles) {
    curl_multi_remove_handle(state_->multi, h);
    curl_easy_cleanup(h);
  }
  curl_multi_cleanup(state_->multi);
}

void MultiDriver::Add(const HttpCall& call) {
  auto t = std::make_unique<Transfer>();
  t->call = call;
  CURL* h = curl_easy_init();
  REQUIRE(h != nullptr);
  Configure(h, *t);
  REQUIRE(curl_multi_add_handle(state_->multi, h) == CURLM_OK);
  state_->handles.push_back(h);
  state_->transfers.push_back(std::move(t));
  ++state_->running;
}

bool MultiDriver::AllFinished() const {
  return std::all_of(state_->transfers.begin(), state_->transfers.end(),
                     [](const auto& t) { return t->finished; });
}

bool MultiDriver::RunUntil(const std::function<bool()>& done, long wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    int running = 0;
    REQUIRE(curl_multi_perform(state_->multi, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(state_->multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      Collect(msg->easy_handle, msg->data.result, *t);
    }
    if (done() || AllFinished() || std::chrono::steady_clock::now() >= deadline) return done();
    // Waits for socket activity (or 20 ms, to look at `done` again).
    REQUIRE(curl_multi_poll(state_->multi, nullptr, 0, 20, nullptr) == CURLM_OK);
  }
}

const std::vector<HttpResult>& MultiDriver::results() const {
  state_->results.clear();
  for (const auto& t : state_->transfers) state_->results.push_back(t->result);
  return state_->results;
}

std::vector<HttpResult> PerformAll(const std::vector<HttpCall>& calls) {
  MultiDriver driver;
  for (const HttpCall& call : calls) driver.Add(call);
  long longest = 0;
  for (const HttpCall& call : calls) longest = std::max(longest, call.timeout_ms);
  driver.RunUntil([&] { return driver.AllFinished(); }, longest + 5000);
  REQUIRE(driver.AllFinished());
  return driver.results();
}

std::string OpenAIBody(const std::string& user_text, const std::optional<Json>& schema,
                       const std::string& system_text) {
  Json body = {{"model", "standin-test-model"},
               {"messages", Json::array({{{"role", "system"}, {"content", system_text}},
                                         {{"role", "user"}, {"content", user_text}}})},
               {"temperature", 0},
               {"max_tokens", 512},
               {"seed", 7}};
  if (schema) {
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema", {{"name", "verdict"}, {"schema", *schema}, {"strict", true}}}};
  }
  return body.dump();
}

std::string BedrockBody(const std::string& user_text, const std::optional<Json>& schema,
                        const std::string& system_text) {
  Json body = {
      {"system", Json::array({{{"text", system_text}}})},
      {"messages",
       Json::array({{{"role", "user"}, {"content", Json::array({{{"text", user_text}}})}}})},
      {"inferenceConfig", {{"maxTokens", 512}, {"temperature", 0}}}};
  if (schema) {
    body["outputConfig"] = {
        {"textFormat",
         {{"type", "json_schema"},
          {"structure",
           {{"jsonSchema",
             {{"schema", schema->dump()}, {"name", "verdict"}, {"description", "a verdict"}}}}}}}};
  }
  return body.dump();
}

std::string AssistantText(const HttpResult& result) {
  const Json j = result.json();
  if (j.contains("choices")) return j.at("choices").at(0).at("message").at("content");
  return j.at("output").at("message").at("content").at(0).at("text");
}

RawConnection::RawConnection(std::uint16_t port, int receive_timeout_ms) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  timeval tv{receive_timeout_ms / 1000, (receive_timeout_ms % 1000) * 1000};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawConnection::Fill() {
  if (closed_) return false;
  char chunk[64 << 10];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n > 0) {
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  if (n == 0) closed_ = true;
  return false;
}

std::optional<RawConnection::Response> RawConnection::ReadResponse() {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return std::nullopt;
  }
  Response r;
  r.head = buffer_.substr(0, end + 4);
  if (r.head.rfind("HTTP/1.1 ", 0) != 0 || r.head.size() < 12) return std::nullopt;
  r.status = std::stoi(r.head.substr(9, 3));
  std::size_t length = 0;
  const std::string lower = Lower(r.head);
  if (const std::size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
    length = std::stoul(lower.substr(at + 17));
  }
  while (buffer_.size() < end + 4 + length) {
    if (!Fill()) return std::nullopt;
  }
  r.body = buffer_.substr(end + 4, length);
  buffer_.erase(0, end + 4 + length);
  return r;
}

bool RawConnection::ReadUntilClosed() {
  while (Fill()) {
  }
  return closed_;
}

std::unique_ptr<gavel::standin::Server> StartServer(gavel::standin::Options options) {
  auto started = gavel::standin::Server::Start(std::move(options));
  INFO((started ? std::string() : started.error().ToString()));
  REQUIRE(started.ok());
  return std::move(started).value();
}

}  // namespace standin_test
