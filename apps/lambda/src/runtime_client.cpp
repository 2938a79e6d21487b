#include "gavel/lambda/runtime_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

namespace gavel::lambda {
namespace {

constexpr const char* kApiVersion = "/2018-06-01";

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// A request id goes into a URL path: refuse anything that is not a plain token.
bool IsPathSafe(std::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  for (const char c : id) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

struct Reply {
  long status = 0;
  std::string body;
  std::string request_id, trace_id, function_arn, deadline_ms;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Reply*>(user)->body.append(data, size * count);
  return size * count;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<Reply*>(user);
  const std::string_view line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  const std::string_view name = line.substr(0, colon);
  std::string value = Trim(line.substr(colon + 1));
  if (SameName(name, "Lambda-Runtime-Aws-Request-Id")) reply->request_id = std::move(value);
  else if (SameName(name, "Lambda-Runtime-Trace-Id")) reply->trace_id = std::move(value);
  else if (SameName(name, "Lambda-Runtime-Invoked-Function-Arn")) reply->function_arn = std::move(value);
  else if (SameName(name, "Lambda-Runtime-Deadline-Ms")) reply->deadline_ms = std::move(value);
  return size * count;
}

}  // namespace

struct RuntimeClient::Impl {
  CURL* curl = nullptr;
  std::string base;  // "http://host:port/2018-06-01"
  char error_buffer[CURL_ERROR_SIZE] = {};

  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  // One request on the reused handle. `headers` may be null; `body` null means GET.
  Result<Reply> Perform(const std::string& path, const std::string_view* body, curl_slist* headers) {
    Reply reply;
    curl_easy_reset(curl);
    error_buffer[0] = '\0';
    const std::string url = base + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // the Runtime API is local, whatever *_proxy say
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 0L);  // /next waits as long as Lambda keeps it
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &ReadHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
    if (body != nullptr) {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    if (headers != nullptr) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
      const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return Error(ErrorKind::kIo, "the Runtime API request " + path + " failed: " + detail);
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

  Status Post(const std::string& path, std::string_view body, std::string_view error_type) {
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    // No "Expect: 100-continue" round trip for large responses.
    if (headers != nullptr) headers = curl_slist_append(headers, "Expect:");
    if (!error_type.empty() && headers != nullptr) {
      headers = curl_slist_append(headers, ("Lambda-Runtime-Function-Error-Type: " + std::string(error_type)).c_str());
    }
    if (headers == nullptr) return Error(ErrorKind::kInternal, "out of memory building request headers");
    Result<Reply> reply = Perform(path, &body, headers);
    curl_slist_free_all(headers);
    if (!reply) return reply.error();
    if (reply->status < 200 || reply->status > 299) {
      return Error(ErrorKind::kIo, "the Runtime API answered " + path + " with status " +
                                       std::to_string(reply->status) + ": " + reply->body.substr(0, 512));
    }
    return Status::Ok();
  }
};

std::chrono::steady_clock::time_point SteadyDeadline(std::int64_t epoch_ms) {
  const auto system_now = std::chrono::system_clock::now();
  const auto steady_now = std::chrono::steady_clock::now();
  const auto left = std::chrono::milliseconds(epoch_ms) -
                    std::chrono::duration_cast<std::chrono::milliseconds>(system_now.time_since_epoch());
  return steady_now + left;
}

Result<std::unique_ptr<RuntimeClient>> RuntimeClient::Create(std::string_view endpoint, RuntimeClientOptions options) {
  if (endpoint.empty()) return Error(ErrorKind::kUsage, "AWS_LAMBDA_RUNTIME_API is not set");
  for (const char c : endpoint) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '-' || c == '[' ||
                    c == ']';
    if (!ok) return Error(ErrorKind::kUsage, "AWS_LAMBDA_RUNTIME_API must be host:port");
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Error(ErrorKind::kInternal, "libcurl could not be initialised");
  }
  auto impl = std::make_unique<Impl>();
  impl->curl = curl_easy_init();
  if (impl->curl == nullptr) {
    curl_global_cleanup();
    return Error(ErrorKind::kInternal, "libcurl could not create a handle");
  }
  impl->base = "http://" + std::string(endpoint) + kApiVersion;
  return std::unique_ptr<RuntimeClient>(new RuntimeClient(std::string(endpoint), options, std::move(impl)));
}

RuntimeClient::RuntimeClient(std::string endpoint, RuntimeClientOptions options, std::unique_ptr<Impl> impl)
    : endpoint_(std::move(endpoint)), options_(options), impl_(std::move(impl)) {}

RuntimeClient::~RuntimeClient() {
  impl_.reset();
  curl_global_cleanup();
}

Result<Invocation> RuntimeClient::Next() {
  auto backoff = options_.first_backoff;
  std::string last_error;
  for (int attempt = 0;; ++attempt) {
    Result<Reply> reply = impl_->Perform("/runtime/invocation/next", nullptr, nullptr);
    if (reply && reply->status == 200) {
      Invocation inv;
      inv.request_id = std::move(reply->request_id);
      inv.body = std::move(reply->body);
      inv.trace_id = std::move(reply->trace_id);
      inv.function_arn = std::move(reply->function_arn);
      if (!IsPathSafe(inv.request_id)) {
        return Error(ErrorKind::kIo, "the Runtime API sent an event without a usable Lambda-Runtime-Aws-Request-Id");
      }
      std::int64_t ms = 0;
      const std::string& text = reply->deadline_ms;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
      if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) {
        inv.deadline_epoch_ms = ms;
        inv.deadline = SteadyDeadline(ms);
      }
      return inv;
    }
    last_error = reply ? "status " + std::to_string(reply->status) : reply.error().message();
    if (attempt >= options_.next_retries) break;
    // The bootstrap has nothing else to do; waiting here is the retry policy.
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return Error(ErrorKind::kIo, "the Runtime API at " + endpoint_ + " did not give an event after " +
                                   std::to_string(options_.next_retries + 1) + " attempts (last: " + last_error + ")");
}

Status RuntimeClient::PostResponse(std::string_view request_id, std::string_view body) {
  if (!IsPathSafe(request_id)) return Error(ErrorKind::kUsage, "the request id cannot be used in a path");
  return impl_->Post("/runtime/invocation/" + std::string(request_id) + "/response", body, "");
}

Status RuntimeClient::PostError(std::string_view request_id, std::string_view error_type, std::string_view body) {
  if (!IsPathSafe(request_id)) return Error(ErrorKind::kUsage, "the request id cannot be used in a path");
  return impl_->Post("/runtime/invocation/" + std::string(request_id) + "/error", body, error_type);
}

Status RuntimeClient::PostInitError(std::string_view error_type, std::string_view body) {
  return impl_->Post("/runtime/init/error", body, error_type);
}

TraceIdVariable::~TraceIdVariable() { Set(""); }

void TraceIdVariable::Set(std::string_view trace_id) {
  if (trace_id.empty()) {
    ::unsetenv(kName);
    in_environment_ = false;
    return;
  }
  const std::size_t name_size = std::strlen(kName);
  const std::size_t size = name_size + 1 + trace_id.size() + 1;
  auto write = [&](std::vector<char>& to) {
    std::memcpy(to.data(), kName, name_size);
    to[name_size] = '=';
    std::memcpy(to.data() + name_size + 1, trace_id.data(), trace_id.size());
    to[size - 1] = '\0';
  };
  if (size > buffer_.size()) {
    // The environment moves to the new buffer before the old one is freed.
    std::vector<char> bigger(std::max<std::size_t>({size, 2 * buffer_.size(), 128}));
    write(bigger);
    ::putenv(bigger.data());
    buffer_.swap(bigger);
    in_environment_ = true;
    return;
  }
  write(buffer_);
  if (!in_environment_) ::putenv(buffer_.data());
  in_environment_ = true;
}

}  // namespace gavel::lambda
