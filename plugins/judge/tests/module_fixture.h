// Shared by the end-to-end tests of the Lua module `gavel.judge` (test_module.cpp,
// test_module_load.cpp): a stand-in judge per test, a project folder with templates and verdict
// schemas, rubric text builders and a capturing server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <catch2/catch.hpp>
#include "gavel/engine.h"
#include "gavel/judge/module.h"
#include "gavel/judge/reply_cache.h"
#include "gavel/rubric.h"
#include "gavel/sample_io.h"
#include "gavel/standin/server.h"
#include "test_support.h"

namespace judge_module_test {


namespace fs = std::filesystem;
using gavel::Json;
using gavel::Score;
using gavel::testing::ErrorText;
using gavel::testing::MakeSample;
using gavel::testing::TempDir;

// Sets (or, with nullopt, unsets) environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, std::optional<std::string>>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
      if (value) {
        setenv(name, value->c_str(), 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// The API key the provider reads, cleared so that the machine's settings do not leak in.
inline ScopedEnv CleanEnv() { return ScopedEnv{{"OPENAI_API_KEY", std::nullopt}}; }

inline std::unique_ptr<gavel::standin::Server> StartStandin(gavel::standin::Options options = {}) {
  auto server = gavel::standin::Server::Start(std::move(options));
  REQUIRE(server);
  return std::move(*server);
}

inline std::string OpenAiUrl(const gavel::standin::Server& s) { return s.base_url() + "/v1?model=m"; }

constexpr const char* kVerdictSchema = R"({
  "type": "object",
  "required": ["score", "rationale"],
  "properties": {
    "score": {"type": "integer", "minimum": 1, "maximum": 5},
    "rationale": {"type": "string"}
  },
  "additionalProperties": false
})";

constexpr const char* kPairSchema = R"({
  "type": "object",
  "required": ["winner"],
  "properties": {
    "winner": {"type": "string", "enum": ["A", "B", "tie"]},
    "rationale": {"type": "string"}
  }
})";

// A project folder: rubrics/r.lua, prompts/ and schemas/, the project folder being the data root.
class Project {
 public:
  explicit Project(gavel::judge::Options options = {}) {
    REQUIRE(registry_.Add(gavel::judge::MakeModule(std::move(options))));
    Write("prompts/review.txt", "Question: {{prompt}}\nAnswer: {{answer}}\nRate the answer from 1 to 5.\n");
    Write("prompts/system.txt", "You are a strict reviewer.");
    Write("prompts/pair.txt", "Question: {{prompt}}\nA: {{a}}\nB: {{b}}\nWhich is better?");
    Write("prompts/item.txt", "Claim {{index}}: {{item}}\nIs it supported by: {{answer}}");
    Write("schemas/verdict.json", kVerdictSchema);
    Write("schemas/pair.json", kPairSchema);
  }

  void Write(const std::string& name, const std::string& text) const { dir_.Write(name, text); }
  const fs::path& path() const { return dir_.path(); }

  // Loads rubrics/r.lua and starts an engine; false (with `error`) when either fails.
  bool Load(const std::string& source, unsigned threads = 1) { return LoadRubric(source) && Start(threads); }
  // Loads the rubric (once, on a throwaway state) without starting workers.
  bool LoadRubric(const std::string& source) {
    engine_.reset();
    auto rubric = gavel::Rubric::Load(dir_.Write("rubrics/r.lua", source), registry_);
    if (!rubric) {
      error = rubric.error().message();
      return false;
    }
    rubric_ = *rubric;
    return true;
  }
  bool Start(unsigned threads = 1) {
    gavel::EngineOptions eo;
    eo.threads = threads;
    auto engine = gavel::Engine::Create(rubric_, registry_, eo);
    if (!engine) {
      error = engine.error().message();
      return false;
    }
    engine_ = std::move(*engine);
    return true;
  }

  Score One(gavel::ParsedSample sample) {
    std::vector<gavel::ParsedSample> batch;
    batch.push_back(std::move(sample));
    return engine_->ScoreBatch(std::move(batch)).at(0);
  }
  Score Answer(const std::string& answer, const std::string& extra = "") { return One(MakeSample("s", answer, extra)); }
  std::vector<Score> Batch(std::vector<gavel::ParsedSample> samples) { return engine_->ScoreBatch(std::move(samples)); }

  std::string error;

 private:
  gavel::PluginRegistry registry_;
  TempDir dir_;
  std::shared_ptr<const gavel::Rubric> rubric_;
  std::unique_ptr<gavel::Engine> engine_;
};

// A rubric with one grader `g` made from `options` (Lua table fields) and one judge step
// "review" whose body is `body` (default: ask, score / 5, the verdict and info as detail).
inline std::string Rubric(const std::string& options, const std::string& body = "", const std::string& extra = "") {
  std::string fn = body.empty() ? "local v, info = g:ask(s)\n return v.score / 5, { verdict = v, info = info }" : body;
  return "local J = require 'gavel.judge'\n"
         "local g = J.new { " + options + " }\n"
         "return rubric { " + extra + " judges = { judge { name = 'review', fn = function(s)\n " + fn +
         "\n end } } }\n";
}

inline std::string Options(const std::string& url, const std::string& more = "") {
  std::string o = "url = '" + url + "', prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'";
  if (!more.empty()) o += ", " + more;
  return o;
}

inline const Json& Detail(const Score& s) { return s.details.at("review"); }

inline void RequireJudgeError(const Score& s, const std::string& part) {
  INFO(ErrorText(s));
  REQUIRE(s.neutral);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].kind == gavel::ErrorKind::kJudgeUnavailable);
  CHECK(s.errors[0].message.find(part) != std::string::npos);
  CHECK(gavel::testing::FindMetric(s, "error.judge") != nullptr);
  CHECK(s.reward == 0.5);
}

inline void RequireRubricError(const Score& s, const std::string& part) {
  INFO(ErrorText(s));
  REQUIRE(s.neutral);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].kind == gavel::ErrorKind::kBadRubric);
  CHECK(s.errors[0].message.find(part) != std::string::npos);
}

inline gavel::ParsedSample SampleFrom(const Json& j) { return gavel::ParseSampleText(j.dump(), 0); }

// A loopback HTTP server that records each request body and answers every request with an
// OpenAI chat completion whose text is `reply`; one request per connection.
class CaptureServer {
 public:
  explicit CaptureServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~CaptureServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1?model=capture-model"; }
  std::vector<std::string> bodies() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Serve(c);
      close(c);
    }
  }
  void Serve(int c) {
    std::string in;
    char buf[4096];
    std::size_t need = std::string::npos;
    for (;;) {
      const std::size_t head = in.find("\r\n\r\n");
      if (head != std::string::npos && need == std::string::npos) {
        std::string lower = in.substr(0, head);
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::size_t cl = lower.find("content-length:");
        need = head + 4 + (cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15)));
      }
      if (need != std::string::npos && in.size() >= need) break;
      pollfd p{c, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      bodies_.push_back(in.substr(in.find("\r\n\r\n") + 4));
    }
    const Json reply = {{"choices", Json::array({{{"message", {{"role", "assistant"}, {"content", reply_}}},
                                                  {"finish_reason", "stop"}}})},
                        {"usage", {{"prompt_tokens", 11}, {"completion_tokens", 7}}}};
    const std::string body = reply.dump();
    const std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = write(c, out.data() + sent, out.size() - sent);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  std::string reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

}  // namespace judge_module_test
