// gavel-standin-judge: the stand-in judge as a program, for the bundled example, benchmarks and
// manual runs. Prints one line with its address, then serves until SIGINT/SIGTERM (or, with
// --exit-on-stdin-eof, until its standard input closes: a parent that dies takes it down).
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "gavel/standin/server.h"

namespace {

constexpr std::string_view kUsage = R"(usage: gavel-standin-judge [options]

A stand-in LLM judge on loopback: OpenAI chat completions (POST .../v1/chat/completions) and
Amazon Bedrock Converse (POST /model/{modelId}/converse), with deterministic verdicts, latency
and faults. GET /stats and GET /health report on it. Prints
"gavel-standin-judge listening on http://HOST:PORT" and serves until SIGINT or SIGTERM.

  --host ADDR              address to listen on (default 127.0.0.1)
  --port N                 port (default 0: any free port)
  --latency-ms N           delay before every judge reply (default 0)
  --jitter-ms N            plus a uniform random delay in [0, N] (default 0)
  --rate-429 P             probability of a 429 with Retry-After (default 0)
  --rate-503 P             probability of a 503 (default 0)
  --rate-hang P            probability of never answering (default 0)
  --rate-malformed P       probability of assistant text that is not JSON (default 0)
  --rate-off-schema P      probability of a verdict that violates the schema (default 0)
  --noise P                share of verdicts drawn per request, not from the messages: a judge
                           that may answer the same question twice differently (default 0)
  --retry-after S          Retry-After seconds sent with 429s (default 1)
  --seed N                 seed of the fault and jitter draws (default 1)
  --api-key-env NAME       OpenAI: require "Authorization: Bearer $NAME"
  --bedrock-api-key-env NAME
                           Bedrock: accept "Authorization: Bearer $NAME"
  --aws-from-env           Bedrock: require SigV4 signed with AWS_ACCESS_KEY_ID,
                           AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (if set)
  --region R               the SigV4 region (default us-east-1)
  --max-request-bytes N    larger request bodies get 413 (default 8388608)
  --max-connections N      open connections allowed (default 4096)
  --exit-on-stdin-eof      also stop when standard input reaches end of file
  --help                   print this and exit

Directives in a message's text make one request behave in a chosen way, e.g.
[[standin:status=429,retry_after=2]], [[standin:fail=2,status=503]], [[standin:hang]],
[[standin:latency_ms=50]], [[standin:malformed]], [[standin:truncated]],
[[standin:off_schema]], [[standin:prose]], [[standin:fenced]], [[standin:verdict={...}]],
[[standin:stream_forever]], [[standin:huge=N]]. Random faults apply only to requests
without a directive.
)";

int UsageError(const std::string& message) {
  std::cerr << "gavel-standin-judge: " << message << "\n(see --help)\n";
  return 2;
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParseDouble(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size();
}

// Many concurrent connections need many descriptors: take the hard limit.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  gavel::standin::Options options;
  bool exit_on_stdin_eof = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (const std::size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      has_value = true;
      return true;
    };
    const auto flag_only = [&]() { return !has_value; };

    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--aws-from-env" && flag_only()) {
      options.aws = gavel::judge::AwsCredentials::FromEnvironment();
      if (!options.aws) {
        return UsageError(
            "--aws-from-env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
      }
      continue;
    }
    if (arg == "--exit-on-stdin-eof" && flag_only()) {
      exit_on_stdin_eof = true;
      continue;
    }
    const bool known =
        arg == "--host" || arg == "--port" || arg == "--latency-ms" || arg == "--jitter-ms" ||
        arg == "--rate-429" || arg == "--rate-503" || arg == "--rate-hang" ||
        arg == "--rate-malformed" || arg == "--rate-off-schema" || arg == "--retry-after" || arg == "--noise" ||
        arg == "--seed" || arg == "--api-key-env" || arg == "--bedrock-api-key-env" ||
        arg == "--region" || arg == "--max-request-bytes" || arg == "--max-connections";
    if (!known) return UsageError("unknown option '" + arg + "'");
    if (!take()) return UsageError(arg + " needs a value");

    bool ok = true;
    std::int64_t n = 0;
    if (arg == "--host") {
      options.host = value;
    } else if (arg == "--port") {
      ok = ParseNumber(value, options.port);
    } else if (arg == "--latency-ms" || arg == "--jitter-ms") {
      ok = ParseNumber(value, n) && n >= 0;
      (arg == "--latency-ms" ? options.latency : options.jitter) = std::chrono::milliseconds(n);
    } else if (arg == "--rate-429") {
      ok = ParseDouble(value, options.faults.rate_429);
    } else if (arg == "--rate-503") {
      ok = ParseDouble(value, options.faults.rate_503);
    } else if (arg == "--rate-hang") {
      ok = ParseDouble(value, options.faults.rate_hang);
    } else if (arg == "--rate-malformed") {
      ok = ParseDouble(value, options.faults.rate_malformed);
    } else if (arg == "--rate-off-schema") {
      ok = ParseDouble(value, options.faults.rate_off_schema);
    } else if (arg == "--noise") {
      ok = ParseDouble(value, options.faults.noise) && options.faults.noise <= 1;
    } else if (arg == "--retry-after") {
      ok = ParseNumber(value, options.faults.retry_after_s) && options.faults.retry_after_s >= 0;
    } else if (arg == "--seed") {
      ok = ParseNumber(value, options.faults.seed);
    } else if (arg == "--api-key-env" || arg == "--bedrock-api-key-env") {
      // The key itself is never printed, only the variable's name.
      const char* key = std::getenv(value.c_str());
      if (key == nullptr || *key == '\0') {
        return UsageError(arg + ": the environment variable " + value + " is not set or empty");
      }
      (arg == "--api-key-env" ? options.api_key : options.bedrock_api_key) = key;
    } else if (arg == "--region") {
      options.region = value;
    } else if (arg == "--max-request-bytes") {
      ok = ParseNumber(value, options.max_request_bytes) && options.max_request_bytes > 0;
    } else if (arg == "--max-connections") {
      ok = ParseNumber(value, options.max_connections) && options.max_connections > 0;
    }
    if (!ok) return UsageError(arg + ": invalid value '" + value + "'");
  }

  // SIGINT and SIGTERM are taken through a signalfd; block them before the server's thread
  // starts, so that it inherits the mask and the main thread gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (::pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    std::cerr << "gavel-standin-judge: cannot block signals\n";
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    std::cerr << "gavel-standin-judge: signalfd: " << std::strerror(errno) << "\n";
    return 1;
  }
  RaiseDescriptorLimit();

  auto server = gavel::standin::Server::Start(std::move(options));
  if (!server) {
    std::cerr << "gavel-standin-judge: " << server.error().ToString() << "\n";
    return 1;
  }
  std::cout << "gavel-standin-judge listening on " << (*server)->base_url() << std::endl;

  pollfd fds[2] = {{signal_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
  const nfds_t count = exit_on_stdin_eof ? 2 : 1;
  std::string reason = "stopped";
  for (bool running = true; running;) {
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      reason = std::string("poll failed: ") + std::strerror(errno);
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signal_fd, &info, sizeof info) == sizeof info) {
        reason = info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
      }
      running = false;
    }
    if (count > 1 && fds[1].revents != 0) {
      char buffer[4096];
      const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        reason = "end of standard input";
        running = false;
      }
    }
  }
  (*server)->Stop();
  const gavel::standin::Stats stats = (*server)->stats();
  std::cerr << "gavel-standin-judge: " << reason << " after " << stats.requests << " requests\n";
  ::close(signal_fd);
  return 0;
}
