// Cold start and memory of the Lambda bootstrap, against the stand-in Runtime API and the
// stand-in judge:
//   init:     from fork/exec of `bootstrap` to its first GET /next, the contract_review rubric
//             loaded (median, min and max of --runs runs)
//   memory:   peak RSS (VmHWM) after one --samples batch of contract_review samples
//
//   gavel-lambda-cold-start [--bootstrap PATH] [--source DIR] [--runs N] [--samples N]
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "child_process.h"
#include "gavel/lambda/standin_runtime_api.h"
#include "gavel/sample.h"
#include "gavel/standin/server.h"

namespace {

using gavel::Json;
using gavel::lambda::StandinRuntimeApi;
using gavel::lambda::testing::ChildProcess;
constexpr auto kPatience = std::chrono::seconds(300);

int Fail(const std::string& message) {
  std::fprintf(stderr, "gavel-lambda-cold-start: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bootstrap = GAVEL_LAMBDA_BOOTSTRAP;
  std::string source = GAVEL_SOURCE_DIR;
  int runs = 20;
  std::size_t samples = 512;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--bootstrap") bootstrap = argv[i + 1];
    else if (a == "--source") source = argv[i + 1];
    else if (a == "--runs") runs = std::atoi(argv[i + 1]);
    else if (a == "--samples") samples = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else return Fail("unknown option " + a);
  }
  if (runs < 1 || samples < 1) return Fail("--runs and --samples must be at least 1");

  auto judge = gavel::standin::Server::Start({});
  if (!judge) return Fail(judge.error().message());
  const char* tmp = std::getenv("TMPDIR");
  const std::string out_file = std::string(tmp ? tmp : "/tmp") + "/gavel-lambda-cold-start.out";
  const std::string err_file = std::string(tmp ? tmp : "/tmp") + "/gavel-lambda-cold-start.err";
  auto env = [&](const StandinRuntimeApi& api) {
    return std::map<std::string, std::optional<std::string>>{
        {"AWS_LAMBDA_RUNTIME_API", api.address()},
        {"LAMBDA_TASK_ROOT", source},
        {"_HANDLER", "contract_review"},
        {"GAVEL_JUDGE_URL", (*judge)->base_url() + "/v1?model=gavel-standin"}};
  };

  // Init: process start to the first /next.
  std::vector<double> init_ms;
  for (int run = 0; run < runs; ++run) {
    auto api = StandinRuntimeApi::Start({});
    if (!api) return Fail(api.error().message());
    ChildProcess fn(bootstrap, {}, env(**api), out_file, err_file);
    if (!fn.started()) return Fail("cannot start " + bootstrap);
    if ((*api)->WaitForNextRequests(1, kPatience) != 1) return Fail("no /next from the bootstrap: " + fn.out());
    init_ms.push_back(std::chrono::duration<double, std::milli>(*(*api)->first_next() - fn.started_at()).count());
    if (!(*api)->posts().empty()) return Fail("init failed: " + (*api)->posts()[0].body);
    (*api)->Stop();
    if (!fn.Wait(kPatience)) return Fail("the bootstrap did not stop");
  }
  std::sort(init_ms.begin(), init_ms.end());
  const double median = init_ms.size() % 2 == 1
                            ? init_ms[init_ms.size() / 2]
                            : (init_ms[init_ms.size() / 2 - 1] + init_ms[init_ms.size() / 2]) / 2;
  std::printf("init (process start to first /next, contract_review loaded), %d runs: median %.1f ms, min %.1f ms, "
              "max %.1f ms\n",
              runs, median, init_ms.front(), init_ms.back());

  // Memory: one batch of `samples` samples, cycled from the example event with unique ids.
  const Json example = Json::parse(gavel::lambda::testing::ReadFile(source + "/apps/lambda/examples/contract_review_event.json"));
  Json event = Json::array();
  for (std::size_t i = 0; i < samples; ++i) {
    Json sample = example[i % example.size()];
    sample["id"] = sample["id"].get<std::string>() + "-" + std::to_string(i);
    event.push_back(std::move(sample));
  }
  const std::string body = event.dump();
  auto api = StandinRuntimeApi::Start({});
  if (!api) return Fail(api.error().message());
  ChildProcess fn(bootstrap, {}, env(**api), out_file, err_file);
  if (!fn.started()) return Fail("cannot start " + bootstrap);
  if ((*api)->WaitForNextRequests(1, kPatience) != 1) return Fail("no /next from the bootstrap");
  const long rss_after_init = gavel::lambda::testing::ProcStatusKb(fn.pid(), "VmHWM").value_or(0);
  const auto sent = std::chrono::steady_clock::now();
  const std::string id = (*api)->Enqueue(StandinRuntimeApi::Event{body, std::chrono::minutes(15), "", ""});
  auto posts = (*api)->WaitForPosts(1, kPatience);
  const double batch_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
  if (posts.size() != 1 || posts[0].request_id != id || posts[0].kind != gavel::lambda::StandinPost::Kind::kResponse) {
    return Fail("no response for the batch");
  }
  // Nothing is timed or measured unless every sample was scored without an error.
  const Json response = Json::parse(posts[0].body);
  if (response.size() != samples) return Fail("the response has " + std::to_string(response.size()) + " items");
  for (const Json& item : response) {
    for (const Json& m : item["metrics_list"]) {
      if (m["name"].get<std::string>().rfind("error.", 0) == 0) return Fail("an error in the batch: " + item.dump());
    }
  }
  (*api)->WaitForNextRequests(2, kPatience);
  const long peak = gavel::lambda::testing::ProcStatusKb(fn.pid(), "VmHWM").value_or(0);
  (*api)->Stop();
  if (!fn.Wait(kPatience)) return Fail("the bootstrap did not stop");
  std::printf("memory: peak RSS (VmHWM) %.1f MB after init, %.1f MB after a %zu-sample contract_review batch "
              "(%zu bytes of event, %zu judge calls, scored and posted in %.0f ms)\n",
              static_cast<double>(rss_after_init) / 1024.0, static_cast<double>(peak) / 1024.0, samples, body.size(),
              static_cast<std::size_t>((*judge)->stats().openai), batch_ms);
  return 0;
}
