#include "gavel/judge/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace gavel::judge {

std::string_view CallFailureName(CallFailure failure) {
  switch (failure) {
    case CallFailure::kNone: return "none";
    case CallFailure::kHttpStatus: return "http_status";
    case CallFailure::kTransport: return "transport";
    case CallFailure::kDeadline: return "deadline";
    case CallFailure::kTooLarge: return "too_large";
    case CallFailure::kCancelled: return "cancelled";
    case CallFailure::kStopped: return "stopped";
    case CallFailure::kPrepare: return "prepare";
  }
  return "unknown";
}

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string FindCaBundle(const std::function<const char*(const char*)>& getenv_fn,
                         const std::function<bool(const std::string&)>& exists) {
  for (const char* name : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    const char* value = getenv_fn(name);
    if (value != nullptr && *value != '\0') return value;
  }
  for (const char* file : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                           "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}) {
    if (exists(file)) return file;
  }
  return {};
}

bool IsRetryableStatus(long status) { return status == 408 || status == 429 || (status >= 500 && status <= 599); }

std::chrono::milliseconds BackoffDelay(int attempt, const RetryPolicy& policy, double unit) {
  const double base = static_cast<double>(policy.base_delay.count());
  const double cap = static_cast<double>(policy.max_delay.count());
  const double ceiling = std::min(cap, base * std::ldexp(1.0, std::clamp(attempt - 1, 0, 30)));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(unit, 0.0, 1.0) * ceiling));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::milliseconds(std::int64_t{999999999} * 1000);
    std::int64_t seconds = 0;
    for (char c : value) seconds = seconds * 10 + (c - '0');
    return std::chrono::milliseconds(seconds * 1000);
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(when);
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

namespace {

std::chrono::milliseconds Until(Clock::time_point when, Clock::time_point now) {
  if (when <= now) return std::chrono::milliseconds(0);
  if (when == Clock::time_point::max()) return std::chrono::milliseconds(std::numeric_limits<int>::max());
  return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
}

// A token bucket; rate per second, capacity one second's worth (at least one unit).
class Bucket {
 public:
  Bucket() = default;
  Bucket(double per_minute, Clock::time_point now)
      : rate_(per_minute / 60.0), capacity_(std::max(1.0, per_minute / 60.0)), level_(capacity_), at_(now) {}
  bool enabled() const { return rate_ > 0; }
  void Refill(Clock::time_point now) {
    const double seconds = std::chrono::duration<double>(now - at_).count();
    level_ = std::min(capacity_, level_ + seconds * rate_);
    at_ = now;
  }
  // A cost above the capacity is allowed once the bucket is full, so it cannot wait forever.
  bool CanTake(double cost) const { return level_ >= std::min(cost, capacity_); }
  void Take(double cost) { level_ -= cost; }
  Clock::time_point ReadyAt(double cost, Clock::time_point now) const {
    const double missing = std::min(cost, capacity_) - level_;
    if (missing <= 0) return now;
    return now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(missing / rate_));
  }

 private:
  double rate_ = 0;
  double capacity_ = 0;
  double level_ = 0;
  Clock::time_point at_;
};

}  // namespace

struct HttpClient::Impl {
  struct Pending {
    Call call;
    HttpResponse response;
    Clock::time_point started;
    Clock::time_point not_before;  // when the next attempt may start
    std::uint64_t generation = 0;  // the window generation the attempt started in
    // The attempt in flight.
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    HttpRequest prepared;
    std::string body;
    Headers headers;
    std::size_t max_body = 0;
    bool too_large = false;
  };

  explicit Impl(ClientOptions o) : options(std::move(o)) {}

  ClientOptions options;
  CURLM* multi = nullptr;
  std::thread thread;

  mutable std::mutex mutex;
  std::vector<Call> submitted;  // guarded by mutex
  bool stop = false;            // guarded by mutex
  ClientStats stats;            // guarded by mutex

  // Client thread only.
  std::deque<std::unique_ptr<Pending>> waiting;  // arrival order; some wait for a retry time
  std::map<CURL*, std::unique_ptr<Pending>> running;
  std::vector<CURL*> idle_handles;
  double window = 0;
  std::uint64_t generation = 0;  // bumped on every decrease
  // Replies (2xx or 429) to attempts of the current generation in the current measurement, and
  // how many of them were 429.
  std::size_t period_replies = 0, period_throttled = 0;
  Bucket requests_bucket, tokens_bucket;
  std::mt19937_64 rng;

  static std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* p = static_cast<Pending*>(user);
    const std::size_t n = size * count;
    if (p->body.size() + n > p->max_body) {
      p->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    p->body.append(data, n);
    return n;
  }

  static std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* p = static_cast<Pending*>(user);
    const std::size_t n = size * count;
    std::string_view line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
      p->headers.clear();  // a new response (after 100 Continue or a redirect)
      return n;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || p->headers.size() >= 256) return n;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    p->headers.emplace_back(std::move(name), std::string(value));
    return n;
  }

  void Loop();
  bool TakeSubmitted(Clock::time_point now);
  void ExpireWaiting(Clock::time_point now);
  void CancelRunning(Clock::time_point now);
  void StartReady(Clock::time_point now);
  void Start(std::unique_ptr<Pending> p, Clock::time_point now);
  void OnDone(CURL* easy, CURLcode code, Clock::time_point now);
  void Finish(std::unique_ptr<Pending> p, CallFailure failure, std::string error, Clock::time_point now);
  // Counts a 2xx or 429 reply and shrinks the window when a measurement is mostly 429s.
  void CountReply(const Pending& p, bool throttled);
  void RetryOrFinish(std::unique_ptr<Pending> p, CallFailure failure, std::string error,
                     std::chrono::milliseconds at_least, Clock::time_point now);
  void Detach(Pending& p);
  Clock::time_point NextWake(Clock::time_point now) const;
  void StopAll(Clock::time_point now);
  double Unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }
};

Result<std::unique_ptr<HttpClient>> HttpClient::Create(ClientOptions options) {
  if (options.concurrency.max_in_flight == 0) return Error(ErrorKind::kUsage, "judge client: max_in_flight must be at least 1");
  if (options.concurrency.min_in_flight == 0) options.concurrency.min_in_flight = 1;
  options.concurrency.min_in_flight = std::min(options.concurrency.min_in_flight, options.concurrency.max_in_flight);
  if (!(options.concurrency.decrease > 0 && options.concurrency.decrease < 1)) {
    return Error(ErrorKind::kUsage, "judge client: decrease must be between 0 and 1");
  }
  if (!(options.concurrency.throttle_share >= 0 && options.concurrency.throttle_share < 1)) {
    return Error(ErrorKind::kUsage, "judge client: throttle_share must be in [0, 1)");
  }
  if (options.retry.max_attempts < 1) return Error(ErrorKind::kUsage, "judge client: max_attempts must be at least 1");
  // Process-wide libcurl set-up; thread-safe in libcurl 7.84 and later, counted by libcurl.
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) return Error(ErrorKind::kInternal, std::string("libcurl: ") + curl_easy_strerror(global));
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->multi = curl_multi_init();
  if (impl->multi == nullptr) return Error(ErrorKind::kInternal, "libcurl: curl_multi_init failed");
  // Connections are reused across calls; HTTP/2 multiplexing where the server offers it.
  curl_multi_setopt(impl->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(impl->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(impl->options.concurrency.max_in_flight));
  const auto now = Clock::now();
  if (impl->options.ca_file.empty()) {
    impl->options.ca_file = FindCaBundle([](const char* name) { return std::getenv(name); },
                                         [](const std::string& file) {
                                           std::error_code ec;
                                           return std::filesystem::is_regular_file(file, ec);
                                         });
  }
  impl->window = static_cast<double>(impl->options.concurrency.max_in_flight);
  impl->stats.window = impl->window;
  impl->stats.min_window_seen = impl->window;
  if (impl->options.concurrency.requests_per_minute > 0) impl->requests_bucket = Bucket(impl->options.concurrency.requests_per_minute, now);
  if (impl->options.concurrency.tokens_per_minute > 0) impl->tokens_bucket = Bucket(impl->options.concurrency.tokens_per_minute, now);
  impl->rng.seed(impl->options.seed != 0 ? impl->options.seed : std::random_device{}());
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->Loop(); });
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stop = true;
  }
  curl_multi_wakeup(impl_->multi);
  impl_->thread.join();
  for (CURL* easy : impl_->idle_handles) curl_easy_cleanup(easy);
  curl_multi_cleanup(impl_->multi);
}

void HttpClient::Submit(Call call) {
  if (!call.done) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (!impl_->stop) {
      impl_->submitted.push_back(std::move(call));
      ++impl_->stats.calls;
      ++impl_->stats.queued;
      call.done = nullptr;
    }
  }
  if (call.done) {  // the client is stopping: the call ends at once
    HttpResponse r;
    r.failure = CallFailure::kStopped;
    r.error = "the judge client has stopped";
    call.done(std::move(r));
    return;
  }
  curl_multi_wakeup(impl_->multi);
}

ClientStats HttpClient::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

const ClientOptions& HttpClient::options() const { return impl_->options; }

void HttpClient::Impl::Loop() {
  for (;;) {
    auto now = Clock::now();
    if (!TakeSubmitted(now)) {
      StopAll(now);
      return;
    }
    ExpireWaiting(now);
    CancelRunning(now);
    StartReady(now);
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    now = Clock::now();
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg == CURLMSG_DONE) OnDone(msg->easy_handle, msg->data.result, now);
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      stats.in_flight = running.size();
      stats.queued = waiting.size() + submitted.size();
      stats.window = window;
    }
    // Started attempts may be due already (a retry whose delay is over): loop without waiting.
    const auto wake = NextWake(Clock::now());
    const auto wait = Until(wake, Clock::now());
    if (wait.count() > 0) {
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::min<std::int64_t>(wait.count(), 1000)), nullptr);
    }
  }
}

bool HttpClient::Impl::TakeSubmitted(Clock::time_point now) {
  std::vector<Call> fresh;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (stop) return false;
    fresh.swap(submitted);
  }
  for (Call& call : fresh) {
    auto p = std::make_unique<Pending>();
    p->call = std::move(call);
    p->started = now;
    p->not_before = now;
    waiting.push_back(std::move(p));
  }
  return true;
}

void HttpClient::Impl::ExpireWaiting(Clock::time_point now) {
  for (auto it = waiting.begin(); it != waiting.end();) {
    Pending& p = **it;
    CallFailure failure = CallFailure::kNone;
    std::string error;
    if (p.call.cancelled && p.call.cancelled()) {
      failure = CallFailure::kCancelled;
      error = "the call was cancelled";
    } else if (p.call.deadline <= now) {
      failure = CallFailure::kDeadline;
      error = p.response.attempts == 0 ? "the deadline passed before the call could start"
                                       : "the deadline passed while waiting to retry (" + p.response.error + ")";
    }
    if (failure == CallFailure::kNone) {
      ++it;
      continue;
    }
    std::unique_ptr<Pending> done = std::move(*it);
    it = waiting.erase(it);
    Finish(std::move(done), failure, std::move(error), now);
  }
}

void HttpClient::Impl::CancelRunning(Clock::time_point now) {
  std::vector<CURL*> cancelled;
  for (auto& [easy, p] : running) {
    if (p->call.cancelled && p->call.cancelled()) cancelled.push_back(easy);
  }
  for (CURL* easy : cancelled) {
    auto node = running.extract(easy);
    Detach(*node.mapped());
    Finish(std::move(node.mapped()), CallFailure::kCancelled, "the call was cancelled", now);
  }
}

void HttpClient::Impl::StartReady(Clock::time_point now) {
  if (requests_bucket.enabled()) requests_bucket.Refill(now);
  if (tokens_bucket.enabled()) tokens_bucket.Refill(now);
  const auto limit = static_cast<std::size_t>(std::max(1.0, std::floor(window)));
  for (auto it = waiting.begin(); it != waiting.end() && running.size() < limit;) {
    Pending& p = **it;
    if (p.not_before > now) {
      ++it;
      continue;
    }
    const double tokens = static_cast<double>(p.call.estimated_tokens);
    if ((requests_bucket.enabled() && !requests_bucket.CanTake(1)) ||
        (tokens_bucket.enabled() && !tokens_bucket.CanTake(tokens))) {
      break;  // paced: keep arrival order
    }
    if (requests_bucket.enabled()) requests_bucket.Take(1);
    if (tokens_bucket.enabled()) tokens_bucket.Take(tokens);
    std::unique_ptr<Pending> ready = std::move(*it);
    it = waiting.erase(it);
    Start(std::move(ready), now);
  }
}

void HttpClient::Impl::Start(std::unique_ptr<Pending> p, Clock::time_point now) {
  p->prepared = p->call.request;
  if (p->call.prepare) {
    Status st = p->call.prepare(p->prepared);
    if (!st) {
      Finish(std::move(p), CallFailure::kPrepare, st.error().message(), now);
      return;
    }
  }
  CURL* easy = nullptr;
  if (!idle_handles.empty()) {
    easy = idle_handles.back();
    idle_handles.pop_back();
    curl_easy_reset(easy);
  } else {
    easy = curl_easy_init();
  }
  if (easy == nullptr) {
    Finish(std::move(p), CallFailure::kTransport, "libcurl could not create a transfer", now);
    return;
  }
  p->easy = easy;
  p->body.clear();
  p->headers.clear();
  p->too_large = false;
  p->max_body = options.max_response_bytes;
  p->generation = generation;
  ++p->response.attempts;

  for (const auto& [name, value] : p->prepared.headers) {
    const std::string line = name + ": " + value;
    curl_slist* next = curl_slist_append(p->header_list, line.c_str());
    if (next != nullptr) p->header_list = next;
  }
  // No "Expect: 100-continue" round trip for large bodies.
  if (curl_slist* next = curl_slist_append(p->header_list, "Expect:")) p->header_list = next;

  const auto remaining = Until(p->call.deadline, now);
  const std::chrono::milliseconds attempt_timeout =
      p->call.attempt_timeout.count() > 0 ? p->call.attempt_timeout : options.attempt_timeout;
  const auto timeout = std::max<std::int64_t>(1, std::min(remaining.count(), attempt_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_URL, p->prepared.url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, p->prepared.method.c_str());
  if (p->prepared.method == "POST" || !p->prepared.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, p->prepared.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p->prepared.body.size()));
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, p->header_list);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, p.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, p.get());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::min<std::int64_t>(timeout, std::numeric_limits<long>::max())));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, p.get());
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
    Detach(*p);
    Finish(std::move(p), CallFailure::kTransport, "libcurl refused the transfer", now);
    return;
  }
  running.emplace(easy, std::move(p));
  std::lock_guard<std::mutex> lock(mutex);
  ++stats.attempts;
  stats.peak_in_flight = std::max(stats.peak_in_flight, running.size());
}

void HttpClient::Impl::Detach(Pending& p) {
  if (p.easy != nullptr) {
    curl_multi_remove_handle(multi, p.easy);
    idle_handles.push_back(p.easy);
    p.easy = nullptr;
  }
  curl_slist_free_all(p.header_list);
  p.header_list = nullptr;
}

void HttpClient::Impl::OnDone(CURL* easy, CURLcode code, Clock::time_point now) {
  auto node = running.extract(easy);
  if (node.empty()) return;
  std::unique_ptr<Pending> p = std::move(node.mapped());
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  long connects = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  Detach(*p);
  p->response.status = status;
  p->response.headers = std::move(p->headers);
  p->response.body = std::move(p->body);
  {
    std::lock_guard<std::mutex> lock(mutex);
    stats.connections += static_cast<std::uint64_t>(std::max(0L, connects));
  }

  if (code == CURLE_OK && status >= 200 && status <= 299) {
    // Additive increase: about one more call in flight per window of successes.
    window = std::min(static_cast<double>(options.concurrency.max_in_flight), window + 1.0 / std::max(1.0, window));
    CountReply(*p, false);
    Finish(std::move(p), CallFailure::kNone, "", now);
    return;
  }
  if (p->too_large) {
    Finish(std::move(p), CallFailure::kTooLarge,
           "the reply is larger than " + std::to_string(options.max_response_bytes) + " bytes", now);
    return;
  }
  if (code != CURLE_OK) {
    const bool timed_out = code == CURLE_OPERATION_TIMEDOUT;
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++(timed_out ? stats.attempt_timeouts : stats.transport_errors);
    }
    std::string error = std::string(timed_out ? "no reply in time" : "transport error") + ": " + curl_easy_strerror(code);
    if (timed_out && Until(p->call.deadline, now) < options.retry.min_attempt_time) {
      Finish(std::move(p), CallFailure::kDeadline, "the deadline passed during the call (" + error + ")", now);
      return;
    }
    const bool retryable = timed_out || code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
                           code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_GOT_NOTHING ||
                           code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_PARTIAL_FILE ||
                           code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM || code == CURLE_SSL_CONNECT_ERROR;
    if (!retryable) {
      Finish(std::move(p), CallFailure::kTransport, std::move(error), now);
      return;
    }
    RetryOrFinish(std::move(p), CallFailure::kTransport, std::move(error), std::chrono::milliseconds(0), now);
    return;
  }

  // A reply with a status that is not 2xx.
  std::string snippet = p->response.body.substr(0, 200);
  for (char& c : snippet) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  std::string error = "HTTP " + std::to_string(status);
  if (!snippet.empty()) error += ": " + snippet;
  if (!IsRetryableStatus(status)) {
    Finish(std::move(p), CallFailure::kHttpStatus, std::move(error), now);
    return;
  }
  std::chrono::milliseconds at_least(0);
  if (const std::string* ms = p->response.Header("retry-after-ms")) {
    char* end = nullptr;
    const double v = std::strtod(ms->c_str(), &end);
    if (end != ms->c_str() && v >= 0 && v < 1e12) at_least = std::chrono::milliseconds(static_cast<std::int64_t>(v));
  } else if (const std::string* ra = p->response.Header("retry-after")) {
    if (auto parsed = ParseRetryAfter(*ra, std::chrono::system_clock::now())) at_least = *parsed;
  }
  if (status == 429) {
    ++p->response.throttled;
    CountReply(*p, true);
    std::lock_guard<std::mutex> lock(mutex);
    ++stats.throttled;
    stats.min_window_seen = std::min(stats.min_window_seen, window);
  } else {
    std::lock_guard<std::mutex> lock(mutex);
    ++stats.server_errors;
  }
  RetryOrFinish(std::move(p), CallFailure::kHttpStatus, std::move(error), at_least, now);
}

void HttpClient::Impl::CountReply(const Pending& p, bool throttled) {
  // Calls started before the last decrease report the old congestion: they do not count.
  if (p.generation != generation) return;
  ++period_replies;
  if (throttled) ++period_throttled;
  // A measurement is a window's worth of replies, at least 16 (so that a few random 429s cannot
  // look like a quota) and at most 64 (so that a real quota is seen within a fraction of a window).
  const auto sample = std::clamp<std::size_t>(static_cast<std::size_t>(window), 16, 64);
  if (period_replies < sample) return;
  if (static_cast<double>(period_throttled) > options.concurrency.throttle_share * static_cast<double>(period_replies)) {
    // Multiplicative decrease; a new generation starts.
    window = std::max(static_cast<double>(options.concurrency.min_in_flight), window * options.concurrency.decrease);
    ++generation;
  }
  period_replies = 0;
  period_throttled = 0;
}

void HttpClient::Impl::RetryOrFinish(std::unique_ptr<Pending> p, CallFailure failure, std::string error,
                                     std::chrono::milliseconds at_least, Clock::time_point now) {
  if (p->response.attempts >= options.retry.max_attempts) {
    Finish(std::move(p), failure, error + " (after " + std::to_string(p->response.attempts) + " attempts)", now);
    return;
  }
  if (at_least > options.retry.max_retry_after) {
    Finish(std::move(p), failure,
           error + " (the server asks to wait " + std::to_string(at_least.count() / 1000) + " s)", now);
    return;
  }
  const auto delay = std::max(at_least, BackoffDelay(p->response.attempts, options.retry, Unit()));
  // A retry must have time to run: starting it at the deadline would only burn the quota.
  if (Until(p->call.deadline, now) < delay + options.retry.min_attempt_time) {
    Finish(std::move(p), CallFailure::kDeadline,
           "no time left for another attempt before the deadline (" + error + ")", now);
    return;
  }
  p->response.error = std::move(error);
  p->not_before = now + delay;
  {
    std::lock_guard<std::mutex> lock(mutex);
    ++stats.retries;
  }
  // Back in arrival order, so retried calls are not starved by newer ones.
  auto pos = std::upper_bound(waiting.begin(), waiting.end(), p->started,
                              [](Clock::time_point t, const std::unique_ptr<Pending>& q) { return t < q->started; });
  waiting.insert(pos, std::move(p));
}

void HttpClient::Impl::Finish(std::unique_ptr<Pending> p, CallFailure failure, std::string error, Clock::time_point now) {
  HttpResponse response = std::move(p->response);
  response.failure = failure;
  response.error = failure == CallFailure::kNone ? std::string() : std::move(error);
  response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - p->started);
  {
    std::lock_guard<std::mutex> lock(mutex);
    ++(failure == CallFailure::kNone ? stats.succeeded : stats.failed);
  }
  auto done = std::move(p->call.done);
  p.reset();
  done(std::move(response));
}

Clock::time_point HttpClient::Impl::NextWake(Clock::time_point now) const {
  // Cancellation is polled, so never sleep long while calls are outstanding.
  Clock::time_point wake = now + std::chrono::milliseconds(running.empty() && waiting.empty() ? 1000 : 100);
  for (const auto& [easy, p] : running) wake = std::min(wake, p->call.deadline);
  const auto limit = static_cast<std::size_t>(std::max(1.0, std::floor(window)));
  const bool room = running.size() < limit;
  bool paced = false;
  for (const auto& p : waiting) {
    wake = std::min(wake, p->call.deadline);
    if (!room) continue;
    if (p->not_before > now) {
      wake = std::min(wake, p->not_before);
    } else if (!paced) {
      // Ready but not started: only the rate limits can hold it back; wake when they allow.
      paced = true;
      const double tokens = static_cast<double>(p->call.estimated_tokens);
      Clock::time_point ready = now;
      if (requests_bucket.enabled()) ready = std::max(ready, requests_bucket.ReadyAt(1, now));
      if (tokens_bucket.enabled()) ready = std::max(ready, tokens_bucket.ReadyAt(tokens, now));
      wake = std::min(wake, std::max(ready, now + std::chrono::milliseconds(1)));
    }
  }
  return wake;
}

void HttpClient::Impl::StopAll(Clock::time_point now) {
  std::vector<std::unique_ptr<Pending>> all;
  for (auto& [easy, p] : running) {
    Detach(*p);
    all.push_back(std::move(p));
  }
  running.clear();
  for (auto& p : waiting) all.push_back(std::move(p));
  waiting.clear();
  std::vector<Call> late;
  {
    std::lock_guard<std::mutex> lock(mutex);
    late.swap(submitted);
  }
  for (Call& call : late) {
    auto p = std::make_unique<Pending>();
    p->call = std::move(call);
    p->started = now;
    all.push_back(std::move(p));
  }
  for (auto& p : all) Finish(std::move(p), CallFailure::kStopped, "the judge client has stopped", now);
}

}  // namespace gavel::judge
