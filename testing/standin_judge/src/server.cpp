// The stand-in judge's event loop: one thread, epoll over non-blocking sockets, and a heap of
// timers for delayed replies, stream ticks and lingering closes. A connection is a small state
// machine (Phase); the JudgeService decides every reply.
#include "gavel/standin/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http.h"
#include "judge_service.h"

namespace gavel::standin {

using internal::HeadLimits;
using internal::HeadParse;
using internal::HttpHead;
using internal::HttpRequest;
using internal::JudgeService;
using internal::Reply;
using internal::StatsBook;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kListenerId = 1;
constexpr std::uint64_t kWakeId = 2;
constexpr std::uint64_t kAcceptTimerId = 3;
constexpr std::uint64_t kFirstConnectionId = 16;

constexpr std::size_t kReadChunk = 64 << 10;
// Output beyond this stops the processing of pipelined requests and new stream chunks until
// the client reads.
constexpr std::size_t kMaxPendingOutput = 256 << 10;
constexpr auto kStreamInterval = std::chrono::milliseconds(5);
// After a close the server decides, unread input is drained this long, so that the client
// reads the error reply instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kAcceptRetry = std::chrono::milliseconds(50);
constexpr int kMaxEvents = 256;

enum class Phase {
  kReading,    // reading (or processing) requests
  kWaiting,    // a reply is due when the connection's timer fires
  kHung,       // a request that is never answered
  kStreaming,  // an endless chunked reply, a chunk per timer tick
  kClosing,    // the last reply is being written; then linger
  kLingering,  // write side shut; draining input until EOF or the timer
};

struct Connection {
  int fd = -1;
  std::uint64_t id = 0;
  Phase phase = Phase::kReading;
  std::string in;
  std::size_t in_off = 0;
  std::size_t scan_from = 0;  // where FindHeadEnd resumes, relative to in_off
  std::optional<HttpHead> head;
  std::size_t head_bytes = 0;
  bool continue_sent = false;
  std::string out;
  std::size_t out_off = 0;
  std::uint64_t huge_size = 0;  // a huge reply's body: total size and bytes queued so far
  std::uint64_t huge_sent = 0;
  bool keep_alive = true;
  bool peer_eof = false;
  bool in_flight = false;
  bool dead = false;
  bool advancing = false;  // Advance is on the stack: replies it sends must not re-enter it
  Reply pending;
  std::uint64_t timer_generation = 0;
  std::uint64_t stream_sequence = 0;
  std::uint32_t events = 0;

  std::size_t Buffered() const { return in.size() - in_off; }
  std::size_t PendingOutput() const { return out.size() - out_off; }
};

struct Timer {
  Clock::time_point at;
  std::uint64_t id;
  std::uint64_t generation;
  bool operator>(const Timer& other) const { return at > other.at; }
};

Error IoError(const std::string& what) {
  return Error(ErrorKind::kIo, "stand-in judge: " + what + ": " + std::strerror(errno));
}

Status ValidateOptions(const Options& o) {
  const Faults& f = o.faults;
  for (const double rate :
       {f.rate_429, f.rate_503, f.rate_hang, f.rate_malformed, f.rate_off_schema}) {
    if (!(rate >= 0 && rate <= 1)) {
      return Error(ErrorKind::kUsage, "stand-in judge: fault rates must be in [0, 1]");
    }
  }
  if (f.rate_429 + f.rate_503 + f.rate_hang + f.rate_malformed + f.rate_off_schema > 1 + 1e-9) {
    return Error(ErrorKind::kUsage, "stand-in judge: the fault rates add up to more than 1");
  }
  if (!(f.noise >= 0 && f.noise <= 1)) {
    return Error(ErrorKind::kUsage, "stand-in judge: noise must be in [0, 1]");
  }
  if (f.retry_after_s < 0) {
    return Error(ErrorKind::kUsage, "stand-in judge: retry_after_s must not be negative");
  }
  if (o.latency.count() < 0 || o.jitter.count() < 0) {
    return Error(ErrorKind::kUsage, "stand-in judge: latency and jitter must not be negative");
  }
  if (o.max_connections == 0 || o.max_request_bytes == 0) {
    return Error(ErrorKind::kUsage,
                 "stand-in judge: max_connections and max_request_bytes must be positive");
  }
  if (o.aws && (o.aws->access_key_id.empty() || o.aws->secret_access_key.empty())) {
    return Error(ErrorKind::kUsage, "stand-in judge: AWS credentials need a key id and a secret");
  }
  if (o.region.empty()) return Error(ErrorKind::kUsage, "stand-in judge: the region is empty");
  return Status::Ok();
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(Options options)
      : options_(std::move(options)),
        service_(options_, stats_),
        limits_{64 << 10, 128, options_.max_request_bytes} {}

  ~Impl() {
    for (const int fd : {listen_fd_, epoll_fd_, wake_fd_}) {
      if (fd >= 0) ::close(fd);
    }
  }

  Status Listen();
  void StartThread() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop();

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return base_url_; }
  Stats stats() const { return stats_.Snapshot(); }

 private:
  void Run();
  void Accept();
  void PauseAccept();
  void ResumeAccept();
  void OnEvent(Connection& c, std::uint32_t events);
  void OnTimer(Connection& c);
  void Read(Connection& c);
  void OnPeerEof(Connection& c);
  void Advance(Connection& c);
  void Dispatch(Connection& c, HttpRequest request);
  void Deliver(Connection& c, Reply reply);
  void LocalError(Connection& c, int status, const std::string& reason);
  void Append(Connection& c, std::string_view bytes);
  void Flush(Connection& c);
  void Linger(Connection& c);
  void Close(Connection& c);
  void FinishInFlight(Connection& c);
  void UpdateInterest(Connection& c);
  void ArmTimer(Connection& c, Clock::duration after);
  int NextTimeoutMs() const;
  void RunDueTimers();
  void CountStatus(int status) {
    stats_.Update([status](Stats& s) { ++s.by_status[status]; });
  }

  Options options_;
  StatsBook stats_;
  JudgeService service_;
  HeadLimits limits_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string base_url_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  bool stopped_ = false;

  // Loop thread only.
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;  // freed after each round of events
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::uint64_t next_id_ = kFirstConnectionId;
  bool accept_paused_ = false;
  std::vector<char> read_buffer_ = std::vector<char>(kReadChunk);
};

Status Server::Impl::Listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(options_.port);
  if (const int rc = ::getaddrinfo(options_.host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return Error(ErrorKind::kUsage, "stand-in judge: cannot resolve host '" + options_.host +
                                        "': " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, &::freeaddrinfo);
  listen_fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return IoError("socket");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, found->ai_addr, found->ai_addrlen) != 0) {
    return IoError("bind " + options_.host + ":" + service);
  }
  if (::listen(listen_fd_, SOMAXCONN) != 0) return IoError("listen");
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return IoError("getsockname");
  }
  const bool v6 = bound.ss_family == AF_INET6;
  port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  std::string host = options_.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  base_url_ = "http://" + host + ":" + std::to_string(port_);

  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return IoError("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return IoError("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerId;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) return IoError("epoll_ctl");
  ev.data.u64 = kWakeId;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) return IoError("epoll_ctl");
  return Status::Ok();
}

void Server::Impl::Stop() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  const std::uint64_t one = 1;
  // The loop also checks stopping_ after every wait, so a failed write cannot leave it running
  // for long: only a wait without timers could block, and this write is what ends that wait.
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void Server::Impl::Run() {
  std::vector<epoll_event> events(kMaxEvents);
  while (!stopping_.load()) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, NextTimeoutMs());
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n && !stopping_.load(); ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == kListenerId) {
        Accept();
      } else if (id == kWakeId) {
        std::uint64_t value = 0;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &value, sizeof value);
      } else if (const auto it = connections_.find(id); it != connections_.end()) {
        OnEvent(*it->second, events[i].events);
      }
    }
    RunDueTimers();
    closed_.clear();
  }
  // Stop(): every connection goes, hung ones included.
  std::vector<std::uint64_t> ids;
  ids.reserve(connections_.size());
  for (const auto& entry : connections_) ids.push_back(entry.first);
  for (const std::uint64_t id : ids) Close(*connections_.at(id));
  closed_.clear();
  if (!accept_paused_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  ::close(listen_fd_);
  listen_fd_ = -1;
}

void Server::Impl::Accept() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        PauseAccept();
      }
      return;  // EAGAIN: all accepted
    }
    if (connections_.size() >= options_.max_connections) {
      // Counted before the client can see the close, so that a test may read it at once.
      stats_.Update([](Stats& s) { ++s.connections_refused; });
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->id = next_id_++;
    c->events = EPOLLIN | EPOLLRDHUP;
    epoll_event ev{};
    ev.events = c->events;
    ev.data.u64 = c->id;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      continue;
    }
    connections_.emplace(c->id, std::move(c));
    stats_.Update([this](Stats& s) {
      ++s.connections_accepted;
      s.connections_open = connections_.size();
      s.peak_connections = std::max<std::uint64_t>(s.peak_connections, s.connections_open);
    });
  }
}

// Out of descriptors: stop polling the listener (it would report readiness forever) and try
// again when a connection closes or after a short timer.
void Server::Impl::PauseAccept() {
  if (accept_paused_) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  accept_paused_ = true;
  timers_.push({Clock::now() + kAcceptRetry, kAcceptTimerId, 0});
}

void Server::Impl::ResumeAccept() {
  if (!accept_paused_) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerId;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) == 0) accept_paused_ = false;
}

void Server::Impl::OnEvent(Connection& c, std::uint32_t events) {
  // An error, or both directions shut: nothing more can be written.
  if (events & (EPOLLERR | EPOLLHUP)) {
    Close(c);
    return;
  }
  if (events & EPOLLOUT) Flush(c);
  if (!c.dead && (events & (EPOLLIN | EPOLLRDHUP))) Read(c);
}

void Server::Impl::Read(Connection& c) {
  const std::size_t cap = limits_.max_head_bytes + options_.max_request_bytes + kReadChunk;
  bool eof = false;
  while (!c.dead) {
    if (c.phase == Phase::kLingering) {
      const ssize_t n = ::recv(c.fd, read_buffer_.data(), read_buffer_.size(), 0);
      if (n > 0) continue;  // drained and dropped
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) Close(c);
      return;
    }
    if (c.Buffered() >= cap) break;
    if (c.in_off > 0 && c.in_off * 2 >= c.in.size()) {
      c.in.erase(0, c.in_off);
      c.in_off = 0;
    }
    // Into a shared buffer first: growing each connection's string by a whole chunk would
    // zero-fill (and fault in) 64 KiB per read.
    const ssize_t n = ::recv(c.fd, read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      c.in.append(read_buffer_.data(), static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      eof = true;
    } else if (errno == EINTR) {
      continue;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      Close(c);
      return;
    }
    break;
  }
  if (c.dead) return;
  if (c.phase == Phase::kReading) Advance(c);
  if (eof && !c.dead) OnPeerEof(c);
  if (!c.dead) UpdateInterest(c);
}

// The client sent FIN. A reply still owed (delayed, or queued) is written before closing, for
// clients that half-close after their request; a hung or streaming reply ends here.
void Server::Impl::OnPeerEof(Connection& c) {
  c.peer_eof = true;
  c.keep_alive = false;
  switch (c.phase) {
    case Phase::kWaiting:
      return;
    case Phase::kReading:
      if (c.PendingOutput() > 0) {
        c.phase = Phase::kClosing;
        return;
      }
      Close(c);
      return;
    case Phase::kClosing:
      return;
    case Phase::kHung:
    case Phase::kStreaming:
    case Phase::kLingering:
      Close(c);
      return;
  }
}

void Server::Impl::Advance(Connection& c) {
  if (c.advancing) return;
  c.advancing = true;
  while (!c.dead && c.phase == Phase::kReading && !c.peer_eof) {
    if (c.PendingOutput() > kMaxPendingOutput) break;  // the client is not reading its replies
    if (!c.head) {
      // Stray line breaks between requests are allowed and skipped.
      const std::size_t skip = internal::LeadingLineBreaks(std::string_view(c.in).substr(c.in_off));
      c.in_off += skip;
      c.scan_from = skip > c.scan_from ? 0 : c.scan_from - skip;
      const std::string_view data = std::string_view(c.in).substr(c.in_off);
      if (data.empty()) break;
      const std::size_t end = internal::FindHeadEnd(data, c.scan_from);
      if (end == std::string_view::npos) {
        c.scan_from = data.size() > 2 ? data.size() - 2 : 0;
        const HeadParse partial = internal::CheckPartialHead(data, limits_);
        if (partial.state == HeadParse::State::kError) {
          LocalError(c, partial.status, partial.reason);
        }
        break;
      }
      HeadParse parsed = internal::ParseHead(data.substr(0, end), limits_);
      if (parsed.state == HeadParse::State::kError) {
        LocalError(c, parsed.status, parsed.reason);
        break;
      }
      c.head = std::move(parsed.head);
      c.head_bytes = end;
      c.scan_from = 0;
      c.continue_sent = false;
    }
    const std::size_t need = c.head_bytes + static_cast<std::size_t>(c.head->content_length);
    if (c.Buffered() < need) {
      if (c.head->expect_continue && !c.continue_sent) {
        c.continue_sent = true;
        Append(c, "HTTP/1.1 100 Continue\r\n\r\n");
        Flush(c);
      }
      break;
    }
    HttpRequest request;
    request.head = std::move(*c.head);
    request.body =
        c.in.substr(c.in_off + c.head_bytes, static_cast<std::size_t>(request.head.content_length));
    c.head.reset();
    c.in_off += need;
    Dispatch(c, std::move(request));
  }
  c.advancing = false;
}

void Server::Impl::Dispatch(Connection& c, HttpRequest request) {
  c.keep_alive = request.head.keep_alive;
  Reply reply = service_.Handle(request);
  if (reply.counted) {
    c.in_flight = true;
    stats_.Update([](Stats& s) {
      ++s.in_flight;
      s.peak_in_flight = std::max(s.peak_in_flight, s.in_flight);
    });
  }
  if (reply.kind == Reply::Kind::kHang) {
    c.phase = Phase::kHung;
    return;
  }
  if (reply.delay.count() > 0) {
    c.phase = Phase::kWaiting;
    ArmTimer(c, reply.delay);
    c.pending = std::move(reply);
    return;
  }
  Deliver(c, std::move(reply));
}

void Server::Impl::Deliver(Connection& c, Reply reply) {
  const bool close = reply.close || !c.keep_alive || stopping_.load();
  switch (reply.kind) {
    case Reply::Kind::kRespond:
      if (reply.build) reply.response = reply.build();
      Append(c, internal::SerializeResponse(reply.response, close));
      c.phase = close ? Phase::kClosing : Phase::kReading;
      break;
    case Reply::Kind::kStream:
      Append(c, internal::SerializeHead(reply.response.status, reply.response.headers, false));
      Append(c, JudgeService::StreamChunk(c.stream_sequence++));
      c.phase = Phase::kStreaming;
      ArmTimer(c, kStreamInterval);
      break;
    case Reply::Kind::kHuge:
      Append(c, internal::SerializeHead(reply.response.status, reply.response.headers, true));
      c.huge_size = reply.huge_bytes;
      c.huge_sent = 0;
      c.phase = Phase::kClosing;
      break;
    case Reply::Kind::kHang:
      c.phase = Phase::kHung;
      return;
  }
  if (reply.counted) CountStatus(reply.response.status);
  FinishInFlight(c);
  Flush(c);
}

// A reply the server makes without the service: the request could not be read.
void Server::Impl::LocalError(Connection& c, int status, const std::string& reason) {
  stats_.Update([status](Stats& s) {
    ++s.requests;
    ++s.by_status[status];
  });
  internal::HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = nlohmann::json{
      {"error",
       {{"message", reason},
        {"type", "invalid_request_error"},
        {"param", nullptr},
        {"code", nullptr}}},
      {"message",
       reason}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  c.head.reset();
  Append(c, internal::SerializeResponse(response, true));
  c.phase = Phase::kClosing;
  Flush(c);
}

void Server::Impl::Append(Connection& c, std::string_view bytes) {
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  }
  c.out.append(bytes);
}

void Server::Impl::Flush(Connection& c) {
  while (!c.dead) {
    if (c.PendingOutput() == 0 && c.huge_sent < c.huge_size) {
      const std::string piece = JudgeService::HugeBodyPiece(c.huge_size, c.huge_sent, kReadChunk);
      c.huge_sent += piece.size();
      Append(c, piece);
    }
    if (c.PendingOutput() == 0) break;
    const ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.PendingOutput(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Close(c);  // EPIPE, ECONNRESET: the client is gone
    return;
  }
  if (c.dead) return;
  if (c.PendingOutput() == 0) {
    c.out.clear();
    c.out_off = 0;
    if (c.phase == Phase::kClosing && c.huge_sent >= c.huge_size) {
      Linger(c);
      return;
    }
    // Replies drained: pipelined requests held back by kMaxPendingOutput may go on.
    if (c.phase == Phase::kReading && c.Buffered() > 0) {
      Advance(c);
      if (c.dead) return;
    }
  }
  UpdateInterest(c);
}

void Server::Impl::Linger(Connection& c) {
  if (c.peer_eof) {
    Close(c);
    return;
  }
  ::shutdown(c.fd, SHUT_WR);
  c.phase = Phase::kLingering;
  ArmTimer(c, kLingerTime);
  UpdateInterest(c);
}

void Server::Impl::Close(Connection& c) {
  if (c.dead) return;
  c.dead = true;
  FinishInFlight(c);
  const auto it = connections_.find(c.id);
  closed_.push_back(std::move(it->second));
  connections_.erase(it);
  // Counted before the client can see the close.
  stats_.Update([this](Stats& s) { s.connections_open = connections_.size(); });
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  ResumeAccept();
}

void Server::Impl::FinishInFlight(Connection& c) {
  if (!c.in_flight) return;
  c.in_flight = false;
  stats_.Update([](Stats& s) { --s.in_flight; });
}

void Server::Impl::UpdateInterest(Connection& c) {
  if (c.dead) return;
  std::uint32_t events = 0;
  const std::size_t cap = limits_.max_head_bytes + options_.max_request_bytes + kReadChunk;
  if (!c.peer_eof) {
    events |= EPOLLRDHUP;
    if (c.Buffered() < cap || c.phase == Phase::kLingering) events |= EPOLLIN;
  }
  if (c.PendingOutput() > 0 || c.huge_sent < c.huge_size) events |= EPOLLOUT;
  if (events == c.events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = c.id;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev) == 0) c.events = events;
}

void Server::Impl::ArmTimer(Connection& c, Clock::duration after) {
  timers_.push({Clock::now() + after, c.id, ++c.timer_generation});
}

int Server::Impl::NextTimeoutMs() const {
  if (timers_.empty()) return -1;
  const auto left = timers_.top().at - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  // Rounded up, so that the loop never wakes just before a timer and spins.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<std::int64_t>(ms, 60'000));
}

void Server::Impl::RunDueTimers() {
  const Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.top().at <= now && !stopping_.load()) {
    const Timer timer = timers_.top();
    timers_.pop();
    if (timer.id == kAcceptTimerId) {
      ResumeAccept();
      if (accept_paused_) timers_.push({now + kAcceptRetry, kAcceptTimerId, 0});
      continue;
    }
    const auto it = connections_.find(timer.id);
    if (it == connections_.end() || it->second->timer_generation != timer.generation) continue;
    OnTimer(*it->second);
  }
}

void Server::Impl::OnTimer(Connection& c) {
  switch (c.phase) {
    case Phase::kWaiting: {
      Reply reply = std::move(c.pending);
      c.pending = Reply();
      Deliver(c, std::move(reply));
      if (!c.dead && c.phase == Phase::kReading) Advance(c);
      if (!c.dead) UpdateInterest(c);
      return;
    }
    case Phase::kStreaming:
      if (c.PendingOutput() < kMaxPendingOutput) {
        Append(c, JudgeService::StreamChunk(c.stream_sequence++));
        Flush(c);
      }
      if (!c.dead) ArmTimer(c, kStreamInterval);
      return;
    case Phase::kLingering:
      Close(c);
      return;
    default:
      return;
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(Options options) {
  if (Status s = ValidateOptions(options); !s) return s.error();
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->Listen(); !s) return s.error();
  impl->StartThread();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const { return impl_->port(); }
std::string Server::base_url() const { return impl_->base_url(); }
Stats Server::stats() const { return impl_->stats(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace gavel::standin
