#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gavel/lambda/standin_runtime_api.h"
#include "http.h"

namespace gavel::lambda {
namespace {

namespace http = gavel::standin::internal;

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

http::HttpResponse Json(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

}  // namespace

std::optional<std::string> StandinPost::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (http::EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

struct StandinRuntimeApi::Impl {
  StandinRuntimeApiOptions options;
  int listen_fd = -1;
  std::uint16_t port = 0;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;  // events queued, posts recorded, /next arrived, stop
  std::deque<Event> queue;
  std::vector<StandinPost> posts;
  std::size_t next_requests = 0;
  std::optional<std::chrono::steady_clock::time_point> first_next;
  std::map<std::string, std::int64_t> deadlines;
  std::uint64_t generated = 0;
  bool stopping = false;
  std::set<int> open_fds;
  std::vector<std::thread> threads;
  std::thread acceptor;

  void AcceptLoop() {
    for (;;) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // the listener was shut down
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) {
        ::close(fd);
        return;
      }
      open_fds.insert(fd);
      threads.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void CloseConnection(int fd) {
    std::lock_guard<std::mutex> lock(mutex);
    open_fds.erase(fd);
    ::close(fd);
  }

  // One connection: requests one after another (keep-alive) until the peer closes or Stop.
  void Serve(int fd) {
    http::HeadLimits limits;
    limits.max_body_bytes = std::uint64_t{64} << 20;
    std::string in;
    char buffer[16384];
    auto fill = [&]() {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      in.append(buffer, static_cast<std::size_t>(n));
      return true;
    };
    for (;;) {
      in.erase(0, http::LeadingLineBreaks(in));
      std::size_t end;
      while ((end = http::FindHeadEnd(in, 0)) == std::string::npos) {
        if (http::CheckPartialHead(in, limits).state == http::HeadParse::State::kError || !fill()) {
          CloseConnection(fd);
          return;
        }
      }
      http::HeadParse parsed = http::ParseHead(std::string_view(in).substr(0, end), limits);
      if (parsed.state != http::HeadParse::State::kDone) {
        SendAll(fd, http::SerializeResponse(Json(parsed.status, "{}"), true));
        CloseConnection(fd);
        return;
      }
      in.erase(0, end);
      if (parsed.head.expect_continue) SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      const auto length = static_cast<std::size_t>(parsed.head.content_length);
      while (in.size() < length) {
        if (!fill()) {
          CloseConnection(fd);
          return;
        }
      }
      http::HttpRequest request{std::move(parsed.head), in.substr(0, length)};
      in.erase(0, length);
      std::optional<http::HttpResponse> response = Handle(request);
      if (!response || !SendAll(fd, http::SerializeResponse(*response, !request.head.keep_alive)) ||
          !request.head.keep_alive) {
        CloseConnection(fd);
        return;
      }
    }
  }

  // nullopt: close the connection without an answer (the server is stopping).
  std::optional<http::HttpResponse> Handle(const http::HttpRequest& request) {
    const std::string& path = request.head.path;
    if (request.head.method == "GET" && path == std::string(kPrefix) + "invocation/next") return Next();
    if (request.head.method != "POST" || path.compare(0, kPrefix.size(), kPrefix) != 0) {
      Record(request, StandinPost::Kind::kOther, "", 404);
      return Json(404, R"({"errorMessage":"no such route","errorType":"NotFound"})");
    }
    const std::string rest = path.substr(kPrefix.size());
    if (rest == "init/error") {
      Record(request, StandinPost::Kind::kInitError, "", 202);
      return Json(202, R"({"status":"OK"})");
    }
    constexpr std::string_view kInvocation = "invocation/";
    const std::size_t slash = rest.rfind('/');
    if (rest.compare(0, kInvocation.size(), kInvocation) == 0 && slash != std::string::npos &&
        slash > kInvocation.size()) {
      const std::string id = rest.substr(kInvocation.size(), slash - kInvocation.size());
      const std::string what = rest.substr(slash + 1);
      bool known;
      {
        std::lock_guard<std::mutex> lock(mutex);
        known = deadlines.count(id) == 1;
      }
      if (what == "response" || what == "error") {
        const auto kind = what == "response" ? StandinPost::Kind::kResponse : StandinPost::Kind::kError;
        if (!known) {
          Record(request, kind, id, 400);
          return Json(400, R"({"errorMessage":"unknown request id","errorType":"InvalidRequestID"})");
        }
        if (kind == StandinPost::Kind::kResponse && request.body.size() > options.max_response_bytes) {
          Record(request, kind, id, 413);
          return Json(413, R"({"errorMessage":"response payload too large","errorType":"RequestEntityTooLarge"})");
        }
        Record(request, kind, id, 202);
        return Json(202, R"({"status":"OK"})");
      }
    }
    Record(request, StandinPost::Kind::kOther, "", 404);
    return Json(404, R"({"errorMessage":"no such route","errorType":"NotFound"})");
  }

  std::optional<http::HttpResponse> Next() {
    std::unique_lock<std::mutex> lock(mutex);
    ++next_requests;
    if (!first_next) first_next = std::chrono::steady_clock::now();
    changed.notify_all();
    changed.wait(lock, [&] { return stopping || !queue.empty(); });
    if (stopping) return std::nullopt;
    Event event = std::move(queue.front());
    queue.pop_front();
    const auto deadline = std::chrono::system_clock::now() + event.deadline.value_or(options.default_deadline);
    const std::int64_t deadline_ms = EpochMs(deadline);
    deadlines[event.request_id] = deadline_ms;
    http::HttpResponse r = Json(200, std::move(event.body));
    r.headers.emplace_back("Lambda-Runtime-Aws-Request-Id", event.request_id);
    r.headers.emplace_back("Lambda-Runtime-Deadline-Ms", std::to_string(deadline_ms));
    r.headers.emplace_back("Lambda-Runtime-Invoked-Function-Arn", options.function_arn);
    r.headers.emplace_back("Lambda-Runtime-Trace-Id", event.trace_id);
    return r;
  }

  void Record(const http::HttpRequest& request, StandinPost::Kind kind, std::string id, int status) {
    StandinPost post;
    post.kind = kind;
    post.method = request.head.method;
    post.path = request.head.path;
    post.request_id = std::move(id);
    post.headers = request.head.headers;
    post.body = request.body;
    post.status = status;
    post.received = std::chrono::system_clock::now();
    std::lock_guard<std::mutex> lock(mutex);
    posts.push_back(std::move(post));
    changed.notify_all();
  }
};

Result<std::unique_ptr<StandinRuntimeApi>> StandinRuntimeApi::Start(StandinRuntimeApiOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(ErrorKind::kIo, std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(impl->options.port);
  if (::inet_pton(AF_INET, impl->options.host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return Error(ErrorKind::kUsage, "host must be an IPv4 address");
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Error(ErrorKind::kIo, "bind/listen: " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  impl->listen_fd = fd;
  impl->port = ntohs(addr.sin_port);
  Impl* raw = impl.get();
  impl->acceptor = std::thread([raw] { raw->AcceptLoop(); });
  return std::unique_ptr<StandinRuntimeApi>(new StandinRuntimeApi(std::move(impl)));
}

StandinRuntimeApi::StandinRuntimeApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StandinRuntimeApi::~StandinRuntimeApi() { Stop(); }

std::uint16_t StandinRuntimeApi::port() const { return impl_->port; }

std::string StandinRuntimeApi::address() const {
  return impl_->options.host + ":" + std::to_string(impl_->port);
}

std::string StandinRuntimeApi::Enqueue(Event event) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::uint64_t n = ++impl_->generated;
  char text[64];
  if (event.request_id.empty()) {
    std::snprintf(text, sizeof text, "8f5f1a4e-0000-4000-8000-%012llu", static_cast<unsigned long long>(n));
    event.request_id = text;
  }
  if (event.trace_id.empty()) {
    std::snprintf(text, sizeof text, "Root=1-00000000-%024llu;Sampled=0", static_cast<unsigned long long>(n));
    event.trace_id = text;
  }
  std::string id = event.request_id;
  impl_->queue.push_back(std::move(event));
  impl_->changed.notify_all();
  return id;
}

std::vector<StandinPost> StandinRuntimeApi::posts() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->posts;
}

std::vector<StandinPost> StandinRuntimeApi::WaitForPosts(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->changed.wait_for(lock, timeout, [&] { return impl_->posts.size() >= count; });
  return impl_->posts;
}

std::vector<StandinPost> StandinRuntimeApi::PostsFrom(std::size_t first, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->changed.wait_for(lock, timeout, [&] { return impl_->posts.size() > first; });
  if (impl_->posts.size() <= first) return {};
  return std::vector<StandinPost>(impl_->posts.begin() + static_cast<std::ptrdiff_t>(first), impl_->posts.end());
}

std::size_t StandinRuntimeApi::next_requests() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->next_requests;
}

std::size_t StandinRuntimeApi::WaitForNextRequests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->changed.wait_for(lock, timeout, [&] { return impl_->next_requests >= count; });
  return impl_->next_requests;
}

std::optional<std::chrono::steady_clock::time_point> StandinRuntimeApi::first_next() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->first_next;
}

std::optional<std::int64_t> StandinRuntimeApi::DeadlineOf(const std::string& request_id) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->deadlines.find(request_id);
  if (it == impl_->deadlines.end()) return std::nullopt;
  return it->second;
}

void StandinRuntimeApi::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->listen_fd < 0) return;
    impl_->stopping = true;
    ::shutdown(impl_->listen_fd, SHUT_RDWR);
    for (const int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->changed.notify_all();
  impl_->acceptor.join();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    threads.swap(impl_->threads);
  }
  for (std::thread& t : threads) t.join();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  ::close(impl_->listen_fd);
  impl_->listen_fd = -1;
}

}  // namespace gavel::lambda
