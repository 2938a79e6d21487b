// The soak test of the Lambda bootstrap: the real `bootstrap` process against the stand-in
// Runtime API for many invocations, its judge calls answered by the stand-in judge with random
// faults (429 with Retry-After, 503, hangs, malformed and off-schema verdicts). It checks that
// every invocation is answered exactly once, a well-formed event with exactly its batch's ids in
// order and every reward finite and in [0, 1], that no id is lost or duplicated over the run, and
// that the process's memory stays flat after a warm-up.
//
//   gavel-lambda-soak [--invocations N] [--batch B] [--ahead K] [--warmup F] [--seed S]
//                     [--max-growth-kb KB] [--max-slope B] [--no-memory-check]
//                     [--memory-csv FILE] [--bootstrap PATH] [--source DIR]
//
// Exit codes: 0 every check passed, 1 a check failed (each failure is printed), 2 usage.
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "child_process.h"
#include "gavel/lambda/standin_runtime_api.h"
#include "gavel/sample.h"
#include "gavel/standin/server.h"

namespace {

using gavel::Json;
using gavel::lambda::StandinPost;
using gavel::lambda::StandinRuntimeApi;
using gavel::lambda::testing::ChildProcess;
using gavel::lambda::testing::ProcStatusKb;
using Clock = std::chrono::steady_clock;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
// How long the run may go without a single post before it counts as stuck (an upper bound,
// never a timing: an invocation ends by its deadline, at most kDeadline).
constexpr auto kStall = std::chrono::seconds(120);
constexpr auto kDeadline = std::chrono::seconds(30);
// Every kInvalidEvery-th invocation is an event that is not a batch (an invocation error), and
// every kHangEvery-th has a sample whose judge call hangs every time and a short deadline.
constexpr std::size_t kInvalidEvery = 50;
constexpr std::size_t kHangEvery = 50;
constexpr auto kHangDeadline = std::chrono::milliseconds(1000);
constexpr double kNeutral = 0.5;  // the soak rubric's neutral reward
constexpr std::size_t kMemorySamples = 100;

// Memory bounds after the warm-up, from clean runs on Debian 12 (docs/lambda.md, "Soak test").
// Release, 10,000 invocations of 4 samples: RSS creeps by tens of bytes an invocation as the
// heap's high-water mark is pushed up now and then, and the creep slows down over the run;
// a leak of 256 bytes an invocation adds about 270 to the slope and 2 MB to the growth.
constexpr double kMaxGrowthKb = 1024;
constexpr double kMaxSlope = 150;  // bytes per invocation
// AddressSanitizer (the CI size, 600 invocations of 2 samples, half of them warm-up): its
// allocator keeps a high-water mark per size class, and RSS still creeps by about 2 kB an
// invocation at the end of such a run. These bounds catch gross growth only; LeakSanitizer,
// at the bootstrap's exit, catches memory that is lost, of any size.
constexpr double kAsanMaxGrowthKb = 2048;
constexpr double kAsanMaxSlope = 6144;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
constexpr const char* kAsanChildOptions = "quarantine_size_mb=4:allocator_release_to_os_interval_ms=-1";

struct Options {
  std::size_t invocations = 1000;
  std::size_t batch = 4;
  std::size_t ahead = 2;      // events queued beyond the one being handled
  double warmup = 0.2;        // share of the invocations before memory must stay flat
  std::uint64_t seed = 1;
  double max_growth_kb = 0;   // 0: the default for the build (see main)
  double max_slope = 0;       // bytes per invocation; 0: the default for the build
  bool memory_check = true;
  std::string memory_csv;  // when set: "invocations,vmrss_kb" per memory sample
  std::string bootstrap = GAVEL_LAMBDA_BOOTSTRAP;
  std::string source = GAVEL_SOURCE_DIR;
};

int Fatal(const std::string& message) {
  std::fprintf(stderr, "gavel-lambda-soak: %s\n", message.c_str());
  return kExitFailed;
}

int Usage(const std::string& message) {
  std::fprintf(stderr,
               "gavel-lambda-soak: %s\n"
               "usage: gavel-lambda-soak [--invocations N] [--batch B] [--ahead K] [--warmup F] [--seed S]\n"
               "                         [--max-growth-kb KB] [--max-slope BYTES] [--no-memory-check]\n"
               "                         [--memory-csv FILE] [--bootstrap PATH] [--source DIR]\n",
               message.c_str());
  return kExitUsage;
}

bool ParseCount(const char* text, std::size_t min, std::size_t max, std::size_t& out) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || text[0] == '-' || value < min || value > max) return false;
  out = static_cast<std::size_t>(value);
  return true;
}

bool ParseNumber(const char* text, double min, double max, double& out) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(value) || value < min || value > max) return false;
  out = value;
  return true;
}

// What an invocation should get back.
enum class SampleKind { kGood, kMalformed, kBadAnswer, kHangs };

struct Invocation {
  std::string request_id;
  bool invalid = false;       // not a batch: an error post is expected
  std::vector<Json> ids;      // in batch order
  std::vector<SampleKind> kinds;
  bool answered = false;
};

// The events of the run, drawn from a seeded generator: good samples (an answer of one to four
// points, each judged), malformed samples (an error.sample and the neutral reward), answers that
// fail the format gate, and now and then a point that makes the judge hang.
class EventMaker {
 public:
  explicit EventMaker(std::uint64_t seed) : rng_(seed) {}

  std::string Make(std::size_t invocation, std::size_t batch, Invocation& out) {
    if (invocation % kInvalidEvery == kInvalidEvery - 1) {
      out.invalid = true;
      return invocation % 2 == 0 ? R"({"id": "not-a-batch", "messages": []})" : R"([1, 2, 3])";
    }
    const bool with_hang = invocation % kHangEvery == kHangEvery / 2;
    Json event = Json::array();
    for (std::size_t k = 0; k < batch; ++k) {
      // Integer ids for some samples: the response must give back the same JSON value.
      Json id = (invocation + k) % 5 == 3 ? Json(1'000'000'000ull + invocation * 1000 + k)
                           : Json("soak-" + std::to_string(invocation) + "-" + std::to_string(k));
      SampleKind kind = SampleKind::kGood;
      const double draw = Uniform();
      if (with_hang && k == batch / 2) kind = SampleKind::kHangs;
      else if (draw < 0.06) kind = SampleKind::kMalformed;
      else if (draw < 0.10) kind = SampleKind::kBadAnswer;
      event.push_back(Sample(id, kind, invocation));
      out.ids.push_back(std::move(id));
      out.kinds.push_back(kind);
    }
    return event.dump();
  }

 private:
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::size_t Below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  Json Sample(const Json& id, SampleKind kind, std::size_t invocation) {
    static const char* const kTopics[] = {"the notice period", "the liability cap", "data use",
                                          "payment terms",     "termination",       "renewal"};
    const std::string topic = kTopics[Below(6)];
    const std::string prompt = "Invocation " + std::to_string(invocation) + ": list what is wrong with " + topic +
                               " in this contract, as JSON {\"points\": [...]}.";
    Json sample = {{"id", id}};
    if (kind == SampleKind::kMalformed) {
      switch (Below(3)) {
        case 0: break;  // no messages at all
        case 1: sample["messages"] = Json::array({{{"role", "user"}, {"content", prompt}}}); break;  // no answer
        default: sample["messages"] = "not a list"; break;
      }
      sample["reference_answer"] = "n/a";
      return sample;
    }
    std::string answer;
    if (kind == SampleKind::kBadAnswer) {
      answer = Below(2) == 0 ? "I would rather not review " + topic + "." : R"({"points": []})";
    } else {
      Json points = Json::array();
      const std::size_t count = 1 + Below(4);
      for (std::size_t p = 0; p < count; ++p) {
        std::string point = "Point " + std::to_string(p + 1) + " on " + topic + ": " +
                            std::string(1 + Below(40), 'x') + " should say " + std::to_string(Below(1000)) +
                            " days.";
        if (kind == SampleKind::kHangs && p == 0) point += " [[standin:hang]]";
        points.push_back(point);
      }
      answer = Json{{"points", points}}.dump();
    }
    sample["messages"] = Json::array({{{"role", "user"}, {"content", prompt}}, {{"role", "assistant"}, {"content", answer}}});
    sample["reference_answer"] = "The " + topic + " clause favours the supplier.";
    return sample;
  }

  std::mt19937_64 rng_;
};

// The checks of the run: every failure is counted, the first 20 printed as they happen.
class Checks {
 public:
  void Fail(const std::string& message) {
    if (++failures_ <= 20) std::fprintf(stderr, "FAIL: %s\n", message.c_str());
  }
  std::size_t failures() const { return failures_; }

 private:
  std::size_t failures_ = 0;
};

struct Tally {
  std::size_t responses = 0, error_posts = 0;
  std::size_t samples = 0, neutral = 0;
  std::size_t neutral_good = 0;  // well-formed samples that ended neutral (judge failed, deadline)
  std::map<std::string, std::size_t> errors;  // error.<kind> metrics seen
  std::set<std::string> ids;                  // every id answered, as JSON text
  std::size_t duplicated = 0;
};

bool IsErrorMetric(const Json& m) {
  return m.is_object() && m.contains("name") && m["name"].is_string() &&
         m["name"].get<std::string>().rfind("error.", 0) == 0;
}

// Checks one response body against its invocation.
void CheckResponse(const Invocation& inv, const std::string& body, Tally& tally, Checks& checks) {
  const std::string where = "invocation " + inv.request_id + ": ";
  Json response = Json::parse(body, nullptr, false);
  if (!response.is_array()) return checks.Fail(where + "the response is not a JSON array");
  if (response.size() != inv.ids.size()) {
    return checks.Fail(where + "the response has " + std::to_string(response.size()) + " items for " +
                       std::to_string(inv.ids.size()) + " samples");
  }
  for (std::size_t i = 0; i < response.size(); ++i) {
    const Json& item = response[i];
    const std::string at = where + "item " + std::to_string(i) + ": ";
    if (!item.is_object() || !item.contains("id") || item["id"] != inv.ids[i]) {
      checks.Fail(at + "the id is not " + inv.ids[i].dump() + ": " + item.dump().substr(0, 200));
      continue;
    }
    ++tally.samples;
    if (!tally.ids.insert(inv.ids[i].dump()).second) {
      ++tally.duplicated;
      checks.Fail(at + "the id " + inv.ids[i].dump() + " was answered before");
    }
    if (!item.contains("aggregate_reward_score") || !item["aggregate_reward_score"].is_number()) {
      checks.Fail(at + "no numeric aggregate_reward_score");
      continue;
    }
    const double reward = item["aggregate_reward_score"].get<double>();
    if (!std::isfinite(reward) || reward < 0 || reward > 1) {
      checks.Fail(at + "the reward " + std::to_string(reward) + " is not finite in [0, 1]");
    }
    if (!item.contains("metrics_list") || !item["metrics_list"].is_array()) {
      checks.Fail(at + "no metrics_list");
      continue;
    }
    std::vector<std::string> errors;
    for (const Json& m : item["metrics_list"]) {
      if (!m.is_object() || !m.contains("value") || !m["value"].is_number() ||
          !std::isfinite(m["value"].get<double>())) {
        checks.Fail(at + "a metric without a finite value: " + m.dump());
      }
      if (IsErrorMetric(m)) errors.push_back(m["name"].get<std::string>());
    }
    for (const std::string& e : errors) ++tally.errors[e];
    if (!errors.empty()) {
      ++tally.neutral;
      if (reward != kNeutral) checks.Fail(at + "an error without the neutral reward: " + item.dump());
    }
    switch (inv.kinds[i]) {
      case SampleKind::kMalformed:
        if (errors != std::vector<std::string>{"error.sample"} || item["metrics_list"].size() != 1) {
          checks.Fail(at + "a malformed sample must get error.sample alone: " + item.dump());
        }
        break;
      case SampleKind::kBadAnswer:
        if (!errors.empty() || reward != 0) checks.Fail(at + "an answer that fails the gate must score 0: " + item.dump());
        break;
      case SampleKind::kGood:
      case SampleKind::kHangs:
        // Faults may defeat every attempt of a call (judge) or outlast the invocation
        // (deadline); anything else is a bug. A hanging call always ends in one of the two.
        for (const std::string& e : errors) {
          if (e != "error.judge" && e != "error.deadline") checks.Fail(at + "unexpected " + e + ": " + item.dump());
        }
        if (inv.kinds[i] == SampleKind::kHangs && errors.empty()) {
          checks.Fail(at + "a sample whose judge call hangs was scored: " + item.dump());
        }
        if (inv.kinds[i] == SampleKind::kGood && !errors.empty()) ++tally.neutral_good;
        break;
    }
  }
}

struct MemorySample {
  std::size_t invocations;  // answered when it was taken
  long rss_kb;
};

// The least-squares slope of RSS (bytes) over invocations.
double Slope(const std::vector<MemorySample>& samples) {
  if (samples.size() < 2) return 0;
  double mx = 0, my = 0;
  for (const MemorySample& s : samples) {
    mx += static_cast<double>(s.invocations);
    my += static_cast<double>(s.rss_kb) * 1024;
  }
  mx /= static_cast<double>(samples.size());
  my /= static_cast<double>(samples.size());
  double sxy = 0, sxx = 0;
  for (const MemorySample& s : samples) {
    const double dx = static_cast<double>(s.invocations) - mx;
    sxy += dx * (static_cast<double>(s.rss_kb) * 1024 - my);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

double Mb(long kb) { return static_cast<double>(kb) / 1024.0; }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-memory-check") {
      o.memory_check = false;
      continue;
    }
    if (i + 1 >= argc) return Usage("option " + a + " needs a value");
    const char* v = argv[++i];
    bool ok = true;
    if (a == "--invocations") ok = ParseCount(v, 1, 10'000'000, o.invocations);
    else if (a == "--batch") ok = ParseCount(v, 1, 999, o.batch);
    else if (a == "--ahead") ok = ParseCount(v, 0, 1000, o.ahead);
    else if (a == "--warmup") ok = ParseNumber(v, 0.05, 0.9, o.warmup);
    else if (a == "--seed") {
      std::size_t seed = 0;
      ok = ParseCount(v, 0, SIZE_MAX, seed);
      o.seed = seed;
    } else if (a == "--max-growth-kb") ok = ParseNumber(v, 1, 1e9, o.max_growth_kb);
    else if (a == "--max-slope") ok = ParseNumber(v, 1, 1e9, o.max_slope);
    else if (a == "--memory-csv") o.memory_csv = v;
    else if (a == "--bootstrap") o.bootstrap = v;
    else if (a == "--source") o.source = v;
    else return Usage("unknown option " + a);
    if (!ok) return Usage("bad value for " + a + ": " + v);
  }
  if (o.memory_check && o.invocations < 50) return Usage("the memory check needs at least 50 invocations");
  if (o.max_growth_kb == 0) o.max_growth_kb = kAddressSanitizer ? kAsanMaxGrowthKb : kMaxGrowthKb;
  if (o.max_slope == 0) o.max_slope = kAddressSanitizer ? kAsanMaxSlope : kMaxSlope;

  // The judge: every fault the client must survive, drawn from a seeded generator.
  gavel::standin::Options judge_options;
  judge_options.latency = std::chrono::milliseconds(1);
  judge_options.jitter = std::chrono::milliseconds(4);
  judge_options.faults.rate_429 = 0.10;
  judge_options.faults.retry_after_s = 0;
  judge_options.faults.rate_503 = 0.05;
  judge_options.faults.rate_hang = 0.01;
  judge_options.faults.rate_malformed = 0.02;
  judge_options.faults.rate_off_schema = 0.01;
  judge_options.faults.seed = o.seed;
  auto judge = gavel::standin::Server::Start(judge_options);
  if (!judge) return Fatal("the stand-in judge did not start: " + judge.error().message());
  gavel::lambda::StandinRuntimeApiOptions api_options;
  api_options.default_deadline = kDeadline;
  auto api = StandinRuntimeApi::Start(api_options);
  if (!api) return Fatal("the stand-in Runtime API did not start: " + api.error().message());

  // The bootstrap's standard output and error; kept when a check fails.
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/gavel-lambda-soak-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) return Fatal("cannot make a temporary folder from " + dir);

  std::map<std::string, std::optional<std::string>> env = {
      {"AWS_LAMBDA_RUNTIME_API", (*api)->address()},
      {"LAMBDA_TASK_ROOT", o.source},
      {"GAVEL_RUBRIC", o.source + "/testing/lambda_soak/rubrics/soak.lua"},
      {"GAVEL_JUDGE_URL", (*judge)->base_url() + "/v1?model=gavel-standin"},
      {"GAVEL_THREADS", "2"},
  };
  if (kAddressSanitizer) {
    // ASan keeps freed memory in a quarantine (256 MB by default: RSS grew by 440 kB an
    // invocation all through a 600-invocation run) and returns memory to the system now and
    // then. A small quarantine, full within the warm-up, and no release to the system leave
    // RSS to what the process holds; use-after-free is still caught among the last 4 MB of
    // frees. These come after the caller's options, so they win.
    const char* given = std::getenv("ASAN_OPTIONS");
    env["ASAN_OPTIONS"] = std::string(given != nullptr ? given : "") + (given != nullptr && *given ? ":" : "") +
                          kAsanChildOptions;
  }
  ChildProcess child(o.bootstrap, {}, env, dir + "/stdout.txt", dir + "/stderr.txt");
  if (!child.started()) return Fatal("cannot start " + o.bootstrap);

  std::printf("gavel-lambda-soak: %zu invocations of %zu samples, seed %llu, bootstrap %s%s%s\n", o.invocations,
              o.batch, static_cast<unsigned long long>(o.seed), o.bootstrap.c_str(),
              kAddressSanitizer ? " with ASAN_OPTIONS " : "", kAddressSanitizer ? kAsanChildOptions : "");
  std::fflush(stdout);

  Checks checks;
  EventMaker maker(o.seed);
  std::vector<Invocation> invocations(o.invocations);
  std::map<std::string, std::size_t> by_request;
  Tally tally;
  std::vector<MemorySample> memory;
  const std::size_t memory_every = std::max<std::size_t>(1, o.invocations / kMemorySamples);
  const auto warmup_end = static_cast<std::size_t>(std::ceil(o.warmup * static_cast<double>(o.invocations)));
  std::size_t enqueued = 0, answered = 0, posts_seen = 0, hang_invocations = 0, invalid_invocations = 0;
  long hwm_at_warmup_kb = 0;

  const auto started = Clock::now();
  bool stalled = false;
  while (answered < o.invocations) {
    while (enqueued < o.invocations && enqueued < answered + 1 + o.ahead) {
      Invocation& inv = invocations[enqueued];
      const std::string body = maker.Make(enqueued, o.batch, inv);
      const bool hangs = std::find(inv.kinds.begin(), inv.kinds.end(), SampleKind::kHangs) != inv.kinds.end();
      hang_invocations += hangs ? 1 : 0;
      invalid_invocations += inv.invalid ? 1 : 0;
      inv.request_id = (*api)->Enqueue(
          StandinRuntimeApi::Event{body, hangs ? std::optional(std::chrono::milliseconds(kHangDeadline)) : std::nullopt, "", ""});
      by_request[inv.request_id] = enqueued;
      ++enqueued;
    }
    // Waits for posts in short slices, so that a bootstrap that died is seen at once.
    std::vector<StandinPost> posts;
    const auto waiting_since = Clock::now();
    while (posts.empty() && !child.Wait(std::chrono::milliseconds(0)) && Clock::now() - waiting_since < kStall) {
      posts = (*api)->PostsFrom(posts_seen, std::chrono::seconds(1));
    }
    if (posts.empty()) posts = (*api)->PostsFrom(posts_seen, std::chrono::milliseconds(0));
    if (posts.empty()) {
      stalled = true;
      if (child.Wait(std::chrono::milliseconds(0))) {
        checks.Fail("the bootstrap ended with code " + std::to_string(child.exit_code()) + " after " +
                    std::to_string(answered) + " invocations; its standard error:\n" + child.err().substr(0, 4000));
      } else {
        checks.Fail("no post for " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kStall).count()) +
                    " s after " + std::to_string(answered) + " invocations");
      }
      break;
    }
    posts_seen += posts.size();
    for (const StandinPost& post : posts) {
      auto it = by_request.find(post.request_id);
      if (it == by_request.end()) {
        checks.Fail("a post for no invocation: " + post.path + " " + post.body.substr(0, 200));
        continue;
      }
      Invocation& inv = invocations[it->second];
      if (inv.answered) {
        checks.Fail("a second post for invocation " + inv.request_id + ": " + post.path);
        continue;
      }
      inv.answered = true;
      ++answered;
      if (post.status != 202) checks.Fail("invocation " + inv.request_id + ": the post got status " + std::to_string(post.status));
      if (inv.invalid) {
        ++tally.error_posts;
        const Json body = Json::parse(post.body, nullptr, false);
        if (post.kind != StandinPost::Kind::kError || !body.is_object() ||
            body.value("errorType", "") != "Gavel.InvalidEvent") {
          checks.Fail("invocation " + inv.request_id + ": an event that is not a batch must be a Gavel.InvalidEvent error, got " +
                      post.path + " " + post.body.substr(0, 200));
        }
      } else if (post.kind != StandinPost::Kind::kResponse) {
        ++tally.error_posts;
        checks.Fail("invocation " + inv.request_id + ": an error instead of a response: " + post.body.substr(0, 300));
      } else {
        ++tally.responses;
        CheckResponse(inv, post.body, tally, checks);
      }
      if (answered % memory_every == 0 || answered == warmup_end) {
        if (const auto rss = ProcStatusKb(child.pid(), "VmRSS")) memory.push_back({answered, *rss});
        if (answered == warmup_end) hwm_at_warmup_kb = ProcStatusKb(child.pid(), "VmHWM").value_or(0);
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  // The bootstrap asks for the next event once it has posted the last: then it is idle, and
  // its memory is read once more.
  long rss_end_kb = 0, hwm_end_kb = 0;
  if (!stalled && (*api)->WaitForNextRequests(o.invocations + 1, kStall) == o.invocations + 1) {
    rss_end_kb = ProcStatusKb(child.pid(), "VmRSS").value_or(0);
    hwm_end_kb = ProcStatusKb(child.pid(), "VmHWM").value_or(0);
    memory.push_back({o.invocations, rss_end_kb});
  } else if (!stalled) {
    checks.Fail("the bootstrap did not ask for another event after the last");
  }
  // Without the Runtime API the bootstrap retries /next and exits 2; under AddressSanitizer a
  // leak found at exit would change the code.
  (*api)->Stop();
  if (!child.Wait(kStall)) {
    checks.Fail("the bootstrap did not stop after the Runtime API went away");
  } else if (child.exit_code() != 2 && !stalled) {
    checks.Fail("the bootstrap ended with code " + std::to_string(child.exit_code()) + " instead of 2; its standard error:\n" +
                child.err().substr(0, 4000));
  }
  // Every invocation is answered once (checked as posts came); no id lost or answered twice.
  std::size_t expected_ids = 0, unanswered = 0;
  for (const Invocation& inv : invocations) {
    if (!inv.answered && unanswered++ == 0) {
      checks.Fail("invocation " + std::to_string(&inv - invocations.data()) + " got no post");
    }
    if (!inv.invalid) expected_ids += inv.ids.size();
  }
  if (unanswered > 1) checks.Fail(std::to_string(unanswered) + " invocations in all got no post");
  const std::size_t lost = expected_ids - std::min(expected_ids, tally.ids.size());
  if (lost > 0) checks.Fail(std::to_string(lost) + " ids were never answered");
  if (posts_seen != answered) checks.Fail(std::to_string(posts_seen - answered) + " posts that answered nothing");

  // The bootstrap's own log: one invocation line per invocation; its usage sums are the retries.
  std::size_t log_lines = 0, log_neutral = 0;
  std::map<std::string, double> usage;
  for (const std::string& line : gavel::lambda::testing::Lines(child.out())) {
    const Json log = Json::parse(line, nullptr, false);
    if (!log.is_object() || log.value("message", "") != "invocation") continue;
    ++log_lines;
    log_neutral += log.value("neutral", std::size_t{0});
    if (log.contains("usage") && log["usage"].is_object()) {
      for (const auto& [name, value] : log["usage"].items()) {
        if (value.is_number()) usage[name] += value.get<double>();
      }
    }
  }
  if (!stalled && log_lines != o.invocations) {
    checks.Fail("the bootstrap logged " + std::to_string(log_lines) + " invocations of " + std::to_string(o.invocations));
  }
  if (!stalled && log_neutral != tally.neutral) {
    checks.Fail("the bootstrap logged " + std::to_string(log_neutral) + " neutral rewards, the responses hold " +
                std::to_string(tally.neutral));
  }
  // The judge's faults are absorbed by retries: a well-formed sample rarely ends neutral. A
  // quarter would mean retries or the window stopped working.
  std::size_t good_samples = 0;
  for (const Invocation& inv : invocations) {
    good_samples += static_cast<std::size_t>(std::count(inv.kinds.begin(), inv.kinds.end(), SampleKind::kGood));
  }
  if (good_samples > 0 && static_cast<double>(tally.neutral_good) > 0.25 * static_cast<double>(good_samples)) {
    checks.Fail(std::to_string(tally.neutral_good) + " well-formed samples ended neutral");
  }

  // Memory: after the warm-up, RSS neither rises far above its level at the end of the warm-up
  // nor trends upwards.
  std::vector<MemorySample> after;
  long rss_warmup_kb = 0;
  for (const MemorySample& s : memory) {
    if (s.invocations == warmup_end && rss_warmup_kb == 0) rss_warmup_kb = s.rss_kb;
    if (s.invocations >= warmup_end) after.push_back(s);
  }
  long rss_max_after_kb = rss_warmup_kb;
  for (const MemorySample& s : after) rss_max_after_kb = std::max(rss_max_after_kb, s.rss_kb);
  const double growth_kb = static_cast<double>(rss_max_after_kb - rss_warmup_kb);
  const double slope = Slope(after);
  if (o.memory_check && !stalled) {
    if (rss_warmup_kb == 0 || after.size() < 10) {
      checks.Fail("too few memory samples after the warm-up (" + std::to_string(after.size()) + ")");
    } else {
      if (growth_kb > o.max_growth_kb) {
        checks.Fail("memory grew after the warm-up: VmRSS " + std::to_string(rss_warmup_kb) + " kB at invocation " +
                    std::to_string(warmup_end) + ", up to " + std::to_string(rss_max_after_kb) + " kB later (+" +
                    std::to_string(static_cast<long>(growth_kb)) + " kB, at most " +
                    std::to_string(static_cast<long>(o.max_growth_kb)) + " kB allowed)");
      }
      if (slope > o.max_slope) {
        char text[160];
        std::snprintf(text, sizeof text, "memory trends upwards after the warm-up: %.0f bytes per invocation (at most %.0f allowed)",
                      slope, o.max_slope);
        checks.Fail(text);
      }
    }
  }

  if (!o.memory_csv.empty()) {
    std::FILE* csv = std::fopen(o.memory_csv.c_str(), "w");
    if (csv == nullptr) {
      checks.Fail("cannot write " + o.memory_csv);
    } else {
      std::fprintf(csv, "invocations,vmrss_kb\n");
      for (const MemorySample& s : memory) std::fprintf(csv, "%zu,%ld\n", s.invocations, s.rss_kb);
      std::fclose(csv);
    }
  }

  // The report.
  const gavel::standin::Stats js = (*judge)->stats();
  auto status_count = [&](int status) {
    auto it = js.by_status.find(status);
    return it == js.by_status.end() ? std::uint64_t{0} : it->second;
  };
  auto error_count = [&](const char* name) {
    auto it = tally.errors.find(name);
    return it == tally.errors.end() ? std::size_t{0} : it->second;
  };
  auto use = [&](const char* name) { return static_cast<unsigned long long>(usage[name]); };
  std::printf("  %zu invocations in %.1f s: %.1f invocations/s (%zu with a hanging judge call and a %lld ms deadline, "
              "%zu events that are not a batch)\n",
              answered, seconds, static_cast<double>(answered) / seconds, hang_invocations,
              static_cast<long long>(kHangDeadline.count()), invalid_invocations);
  std::printf("  posts: %zu responses, %zu errors; ids: %zu answered of %zu, %zu lost, %zu duplicated\n",
              tally.responses, tally.error_posts, tally.ids.size(), expected_ids, lost, tally.duplicated);
  std::printf("  rewards: %zu samples, all finite in [0, 1]%s; %zu neutral (error.sample %zu, error.judge %zu, "
              "error.deadline %zu; %zu of them well-formed samples without a hanging call)\n",
              tally.samples, checks.failures() == 0 ? "" : " unless reported above", tally.neutral,
              error_count("error.sample"), error_count("error.judge"), error_count("error.deadline"), tally.neutral_good);
  std::printf("  judge: %llu requests; faults drawn %llu (429: %llu, 503: %llu, hangs: %llu); bootstrap usage: "
              "%llu calls, %llu attempts, %llu retries, %llu throttled, %llu verdict retries\n",
              static_cast<unsigned long long>(js.requests), static_cast<unsigned long long>(js.random_faults),
              static_cast<unsigned long long>(status_count(429)), static_cast<unsigned long long>(status_count(503)),
              static_cast<unsigned long long>(js.hangs), use("judge.calls"), use("judge.attempts"), use("judge.retries"),
              use("judge.throttled"), use("judge.verdict_retries"));
  std::printf("  memory (VmRSS of the bootstrap, %zu samples): %.1f MB at the end of the warm-up (invocation %zu), "
              "%.1f MB at the end, at most %.1f MB after the warm-up (+%.0f kB, at most %.0f allowed); slope %.1f "
              "bytes/invocation (at most %.0f allowed); VmHWM %.1f MB at the end of the warm-up, %.1f MB at the end%s\n",
              memory.size(), Mb(rss_warmup_kb), warmup_end, Mb(rss_end_kb), Mb(rss_max_after_kb), growth_kb,
              o.max_growth_kb, slope, o.max_slope, Mb(hwm_at_warmup_kb), Mb(hwm_end_kb),
              o.memory_check ? "" : " (not checked)");
  if (checks.failures() > 0) {
    std::printf("FAILED: %zu checks; the bootstrap's output is in %s\n", checks.failures(), dir.c_str());
    return kExitFailed;
  }
  std::filesystem::remove_all(dir);
  std::printf("PASSED\n");
  return 0;
}
