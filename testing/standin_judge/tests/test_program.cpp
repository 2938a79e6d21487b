// The gavel-standin-judge program: its one first line, serving, and stopping on stdin EOF or a
// signal; secrets never appear in its output.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client.h"
#include "gavel/judge/sigv4.h"

extern char** environ;

namespace {

using namespace standin_test;

struct Child {
  pid_t pid = -1;
  int in = -1;   // the child's stdin (write end)
  int out = -1;  // its stdout (read end)
  int err = -1;  // its stderr (read end)
  bool reaped = false;

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    for (const int fd : {in, out, err}) {
      if (fd >= 0) ::close(fd);
    }
    if (pid > 0 && !reaped) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  void CloseStdin() {
    ::close(in);
    in = -1;
  }
};

std::unique_ptr<Child> Spawn(const std::vector<std::string>& args,
                             const std::vector<std::string>& extra_env = {}) {
  int in[2], out[2], err[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);

  std::vector<std::string> argv_strings = {GAVEL_STANDIN_PROGRAM};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The extra variables come first: getenv returns the first match.
  std::vector<std::string> env_strings = extra_env;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  auto child = std::make_unique<Child>();
  const int rc = ::posix_spawn(&child->pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  child->in = in[1];
  child->out = out[0];
  child->err = err[0];
  REQUIRE(rc == 0);
  return child;
}

// Reads up to the first '\n' (excluded); nullopt on EOF or after `timeout_ms` without data.
std::optional<std::string> ReadLine(int fd, int timeout_ms = 30000) {
  std::string line;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
    char c = 0;
    if (::read(fd, &c, 1) != 1) return std::nullopt;
    if (c == '\n') return line;
    line += c;
  }
}

// Everything until EOF (the child has exited, so this does not block for long).
std::string ReadAll(int fd) {
  std::string all;
  char buffer[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return all;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return all;
    all.append(buffer, static_cast<std::size_t>(n));
  }
}

// The exit status, or nullopt if the child is still running after `timeout_ms`.
std::optional<int> WaitExit(Child& child, int timeout_ms = 30000) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
  REQUIRE(pidfd >= 0);
  pollfd p{pidfd, POLLIN, 0};
  const int ready = ::poll(&p, 1, timeout_ms);
  ::close(pidfd);
  if (ready <= 0) return std::nullopt;
  int status = 0;
  REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
  child.reaped = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Reads the first line and returns the base URL it announces.
std::string Announced(Child& child) {
  const std::optional<std::string> line = ReadLine(child.out);
  REQUIRE(line);
  INFO(*line);
  const std::string prefix = "gavel-standin-judge listening on http://127.0.0.1:";
  REQUIRE(line->rfind(prefix, 0) == 0);
  const std::string port = line->substr(prefix.size());
  REQUIRE_FALSE(port.empty());
  REQUIRE(port.size() <= 5);
  REQUIRE(port[0] != '0');
  REQUIRE(port.find_first_not_of("0123456789") == std::string::npos);
  return line->substr(line->find("http://"));
}

}  // namespace

TEST_CASE("program: announces its address in one line, serves, exits on stdin EOF", "[program]") {
  auto child = Spawn({"--port", "0", "--latency-ms", "1", "--exit-on-stdin-eof"});
  const std::string url = Announced(*child);
  CHECK(Perform(Get(url + "/health")).status == 200);
  const HttpResult judged = Perform(Post(url + "/v1/chat/completions", OpenAIBody("x")));
  CHECK(judged.status == 200);
  CHECK(Perform(Get(url + "/stats")).json().at("requests") == 1);

  child->CloseStdin();
  CHECK(WaitExit(*child) == 0);
  CHECK(ReadAll(child->out).empty());  // nothing after the first line
  CHECK(ReadAll(child->err).find("end of standard input") != std::string::npos);
  CHECK(Perform(Get(url + "/health")).code == CURLE_COULDNT_CONNECT);
}

TEST_CASE("program: SIGTERM and SIGINT stop it cleanly", "[program]") {
  const int signal = GENERATE(SIGTERM, SIGINT);
  auto child = Spawn({"--rate-429", "0.5", "--seed", "3"});
  const std::string url = Announced(*child);
  REQUIRE(Perform(Get(url + "/health")).status == 200);
  REQUIRE(::kill(child->pid, signal) == 0);
  CHECK(WaitExit(*child) == 0);
}

TEST_CASE("program: keys come from the environment and are never printed", "[program]") {
  const std::string api_key = "sk-standin-program-secret-4711";
  const std::string aws_secret = "program/aws+secret/KEY";
  auto child = Spawn({"--api-key-env", "STANDIN_TEST_KEY", "--aws-from-env", "--exit-on-stdin-eof"},
                     {"STANDIN_TEST_KEY=" + api_key, "AWS_ACCESS_KEY_ID=AKIDPROGRAM",
                      "AWS_SECRET_ACCESS_KEY=" + aws_secret, "AWS_SESSION_TOKEN="});
  const std::string url = Announced(*child);

  HttpCall call = Post(url + "/v1/chat/completions", OpenAIBody("x"));
  CHECK(Perform(call).status == 401);
  call.headers = {"Authorization: Bearer " + api_key};
  CHECK(Perform(call).status == 200);

  const std::string body = BedrockBody("x");
  const std::string host = url.substr(std::string("http://").size());
  gavel::judge::HttpRequestToSign request;
  request.method = "POST";
  request.path = "/model/" + gavel::judge::UriEncode("amazon.nova-pro-v1:0") + "/converse";
  request.headers = {{"Host", host}, {"Content-Type", "application/json"}};
  request.body = body;
  const auto signature =
      gavel::judge::SignRequest(request, {"AKIDPROGRAM", aws_secret, ""}, {"us-east-1", "bedrock"},
                                gavel::judge::FormatAmzDate(std::chrono::system_clock::now()));
  REQUIRE(signature.ok());
  HttpCall converse = Post(url + request.path, body);
  converse.headers = {"Host: " + host, "Content-Type: application/json"};
  for (const auto& [name, value] : signature->headers)
    converse.headers.push_back(name + ": " + value);
  CHECK(Perform(converse).status == 200);
  converse.body = BedrockBody("tampered");
  CHECK(Perform(converse).status == 403);

  child->CloseStdin();
  CHECK(WaitExit(*child) == 0);
  const std::string output = ReadAll(child->out) + ReadAll(child->err);
  CHECK(output.find(api_key) == std::string::npos);
  CHECK(output.find(aws_secret) == std::string::npos);
}

TEST_CASE("program: --help, and bad options exit with status 2", "[program]") {
  {
    auto child = Spawn({"--help"});
    const std::string help = ReadAll(child->out);
    CHECK(WaitExit(*child) == 0);
    CHECK(help.find("--exit-on-stdin-eof") != std::string::npos);
    CHECK(help.find("--api-key-env") != std::string::npos);
  }
  {
    auto child = Spawn({"--bogus"});
    CHECK(WaitExit(*child) == 2);
    CHECK(ReadAll(child->err).find("--bogus") != std::string::npos);
  }
  {
    auto child = Spawn({"--rate-429", "lots"});
    CHECK(WaitExit(*child) == 2);
  }
  {
    auto child = Spawn({"--api-key-env", "STANDIN_TEST_UNSET_VARIABLE_X"});
    CHECK(WaitExit(*child) == 2);
    CHECK(ReadAll(child->err).find("STANDIN_TEST_UNSET_VARIABLE_X") != std::string::npos);
  }
  {
    auto child = Spawn({"--rate-429", "0.8", "--rate-503", "0.8"});
    CHECK(WaitExit(*child) == 1);
    CHECK(ReadAll(child->err).find("add up to more than 1") != std::string::npos);
  }
}
