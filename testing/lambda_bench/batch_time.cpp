// Times the Lambda bootstrap on batches, through the stand-in Runtime API, for bench/run.sh:
//   init:     from starting `bootstrap` to its first GET /next (the rubric loaded)
//   batches:  for each batch, from queueing the event to receiving its response post (the
//             event read, every sample scored, the response written and posted), warm, one
//             batch after the other; --runs times over the whole input
//   memory:   VmRSS after init and VmHWM (peak RSS) at the end
//
//   gavel-lambda-batch-time --input FILE.jsonl --batch N [--runs N] [--warmup] [--save FILE]
//                           [--deadline-ms N] [--bootstrap PATH]
//
// --warmup sends the first batch once, untimed, before the timed runs.
//
// The bootstrap gets this process's GAVEL_*, _HANDLER and LAMBDA_TASK_ROOT variables (say which
// rubric with GAVEL_RUBRIC, the judge with GAVEL_JUDGE_URL). Prints one JSON object:
//   {"init_ms": x, "batches_ms": [[run 1's batches], ...], "samples": n, "rss_init_kb": k,
//    "peak_rss_kb": k}
// --save writes the last run's results, one JSON object per line in input order. Exits 1 when
// the bootstrap fails, or when a response is missing, is an error, or does not hold exactly its
// batch's ids in order; 2 on a usage error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "gavel/lambda/standin_runtime_api.h"
#include "gavel/sample.h"

extern char** environ;

namespace {

using gavel::Json;
using gavel::lambda::StandinPost;
using gavel::lambda::StandinRuntimeApi;
using gavel::lambda::testing::ChildProcess;
using gavel::lambda::testing::ProcStatusKb;
constexpr auto kPatience = std::chrono::seconds(300);

int Fail(const std::string& message) {
  std::fprintf(stderr, "gavel-lambda-batch-time: %s\n", message.c_str());
  return 1;
}

int Usage(const std::string& message) {
  std::fprintf(stderr,
               "gavel-lambda-batch-time: %s\nusage: gavel-lambda-batch-time --input FILE.jsonl --batch N [--runs N] "
               "[--warmup] [--save FILE] [--deadline-ms N] [--bootstrap PATH]\n",
               message.c_str());
  return 2;
}

// The variables that choose the rubric, the judge and the engine's settings, passed on.
std::map<std::string, std::optional<std::string>> PassedOn() {
  std::map<std::string, std::optional<std::string>> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var = *e;
    const std::size_t eq = var.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = var.substr(0, eq);
    if (name.rfind("GAVEL_", 0) == 0 || name == "_HANDLER" || name == "LAMBDA_TASK_ROOT") {
      env[name] = var.substr(eq + 1);
    }
  }
  return env;
}

std::optional<long> PositiveNumber(const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bootstrap = GAVEL_LAMBDA_BOOTSTRAP;
  std::string input, save;
  long batch = 0, runs = 1, deadline_ms = 900'000;
  bool warmup = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--warmup") {
      warmup = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) return Usage(a + " needs a value");
    const std::string v = argv[i + 1];
    std::optional<long> n;
    if (a == "--input") input = v;
    else if (a == "--save") save = v;
    else if (a == "--bootstrap") bootstrap = v;
    else if (a == "--batch" || a == "--runs" || a == "--deadline-ms") {
      if (!(n = PositiveNumber(v))) return Usage(a + " needs a whole number of at least 1");
      (a == "--batch" ? batch : a == "--runs" ? runs : deadline_ms) = *n;
    } else {
      return Usage("unknown option " + a);
    }
  }
  if (input.empty() || batch == 0) return Usage("give --input and --batch");

  // The batches: the input's samples in order, `batch` to an event (the last may be shorter).
  std::ifstream in(input, std::ios::binary);
  if (!in) return Usage("cannot read " + input);
  std::vector<Json> samples;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json sample = Json::parse(line, nullptr, false);
    if (sample.is_discarded() || !sample.is_object() || !sample.contains("id")) {
      return Usage(input + ":" + std::to_string(samples.size() + 1) + ": not a JSON object with an id");
    }
    samples.push_back(std::move(sample));
  }
  if (samples.empty()) return Usage(input + " holds no samples");
  std::vector<std::string> events;
  std::vector<std::vector<Json>> batch_ids;
  for (std::size_t start = 0; start < samples.size(); start += static_cast<std::size_t>(batch)) {
    const std::size_t end = std::min(samples.size(), start + static_cast<std::size_t>(batch));
    Json event = Json::array();
    std::vector<Json> ids;
    for (std::size_t i = start; i < end; ++i) {
      event.push_back(samples[i]);
      ids.push_back(samples[i]["id"]);
    }
    events.push_back(event.dump());
    batch_ids.push_back(std::move(ids));
  }
  const std::size_t total = samples.size();
  samples.clear();

  const char* tmp = std::getenv("TMPDIR");
  const std::string base = std::string(tmp ? tmp : "/tmp") + "/gavel-lambda-batch-time-" + std::to_string(::getpid());
  auto api = StandinRuntimeApi::Start({});
  if (!api) return Fail(api.error().message());
  auto env = PassedOn();
  env["AWS_LAMBDA_RUNTIME_API"] = (*api)->address();
  ChildProcess fn(bootstrap, {}, env, base + ".out", base + ".err");
  if (!fn.started()) return Fail("cannot start " + bootstrap);
  // The first /next, or the bootstrap's end (a rubric that fails to load posts an init error).
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while ((*api)->WaitForNextRequests(1, std::chrono::milliseconds(100)) != 1) {
    if (fn.Wait(std::chrono::milliseconds(0)) || std::chrono::steady_clock::now() > give_up) {
      const auto posts = (*api)->posts();
      return Fail("no /next from the bootstrap: " + (posts.empty() ? fn.err() : posts[0].body));
    }
  }
  if (!(*api)->posts().empty()) return Fail("init failed: " + (*api)->posts()[0].body);
  const double init_ms = std::chrono::duration<double, std::milli>(*(*api)->first_next() - fn.started_at()).count();
  const long rss_init = ProcStatusKb(fn.pid(), "VmRSS").value_or(0);

  Json batches_ms = Json::array();
  std::vector<std::string> last_bodies;
  std::size_t posted = 0;
  if (warmup) {
    const std::string id =
        (*api)->Enqueue(StandinRuntimeApi::Event{events[0], std::chrono::milliseconds(deadline_ms), "", ""});
    auto posts = (*api)->WaitForPosts(1, kPatience);
    if (posts.size() != 1 || posts[0].request_id != id || posts[0].kind != StandinPost::Kind::kResponse) {
      return Fail("no response to the warm-up batch: " + fn.err());
    }
    posted = 1;
  }
  for (long run = 0; run < runs; ++run) {
    Json times = Json::array();
    last_bodies.clear();
    for (std::size_t b = 0; b < events.size(); ++b) {
      const auto sent = std::chrono::steady_clock::now();
      const std::string id =
          (*api)->Enqueue(StandinRuntimeApi::Event{events[b], std::chrono::milliseconds(deadline_ms), "", ""});
      auto posts = (*api)->WaitForPosts(posted + 1, kPatience);
      const auto received = std::chrono::steady_clock::now();
      if (posts.size() != posted + 1) return Fail("no response to batch " + std::to_string(b + 1) + ": " + fn.err());
      const StandinPost& post = posts[posted++];
      if (post.request_id != id || post.kind != StandinPost::Kind::kResponse) {
        return Fail("batch " + std::to_string(b + 1) + " got " + post.path + ": " + post.body.substr(0, 500));
      }
      // Nothing is reported unless the response holds exactly the batch's ids, in order.
      const Json response = Json::parse(post.body, nullptr, false);
      if (!response.is_array() || response.size() != batch_ids[b].size()) {
        return Fail("batch " + std::to_string(b + 1) + ": the response is not an array of " +
                    std::to_string(batch_ids[b].size()) + " results");
      }
      for (std::size_t i = 0; i < response.size(); ++i) {
        if (!response[i].is_object() || response[i].value("id", Json()) != batch_ids[b][i]) {
          return Fail("batch " + std::to_string(b + 1) + ", result " + std::to_string(i + 1) + " has id " +
                      (response[i].is_object() ? response[i].value("id", Json()).dump() : "none") + ", not " +
                      batch_ids[b][i].dump());
        }
      }
      times.push_back(std::chrono::duration<double, std::milli>(received - sent).count());
      last_bodies.push_back(post.body);
    }
    batches_ms.push_back(std::move(times));
  }
  (*api)->WaitForNextRequests(posted + 1, kPatience);
  const long peak = ProcStatusKb(fn.pid(), "VmHWM").value_or(0);
  (*api)->Stop();
  if (!fn.Wait(kPatience)) return Fail("the bootstrap did not stop");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());

  if (!save.empty()) {
    std::ofstream out(save, std::ios::binary | std::ios::trunc);
    for (const std::string& body : last_bodies) {
      for (const Json& result : Json::parse(body)) out << result.dump() << '\n';
    }
    if (!out.flush()) return Fail("cannot write " + save);
  }
  const Json report = {{"init_ms", init_ms},
                       {"batches_ms", batches_ms},
                       {"samples", total},
                       {"rss_init_kb", rss_init},
                       {"peak_rss_kb", peak}};
  std::printf("%s\n", report.dump().c_str());
  return 0;
}
