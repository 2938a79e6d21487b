// The judge's core without Lua: graders compiled from a typed spec, and the calls of one step
// through a test transport that answers each call on its own thread (as the HTTP client does)
// with replies the test decides. Verdict reading, the one retry for an unusable verdict, usage,
// judgements, compare, ask_each, deadlines, the reply cache and canned verdicts.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/judge/verdict_generator.h"
#include "grader.h"
#include "judge_call.h"
#include "temp_dir.h"

namespace {

namespace fs = std::filesystem;
using gavel::ErrorKind;
using gavel::Json;
using gavel::judge::Call;
using gavel::judge::CallFailure;
using gavel::judge::Clock;
using gavel::judge::Grader;
using gavel::judge::GraderSpec;
using gavel::judge::HttpRequest;
using gavel::judge::HttpResponse;
using gavel::judge::Step;
using gavel::judge::StepKind;
using gavel::judge::StepOutcome;
using gavel::testing::TempDir;

constexpr auto kPatience = std::chrono::seconds(60);  // an upper bound for a hang, never a timing

constexpr const char* kVerdictSchema = R"({
  "type": "object", "required": ["score", "rationale"], "additionalProperties": false,
  "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}, "rationale": {"type": "string"}}})";
constexpr const char* kPairSchema = R"({
  "type": "object", "required": ["winner"],
  "properties": {"winner": {"type": "string", "enum": ["A", "B", "tie"]}, "rationale": {"type": "string"}}})";

// A grader from files written into a fresh data root.
class Files {
 public:
  std::shared_ptr<const Grader> Make(const std::string& schema = kVerdictSchema, GraderSpec spec = {}) {
    const fs::path root = fs::canonical(dir_.path());
    spec.url = spec.url.empty() ? "http://127.0.0.1:9/v1?model=m" : spec.url;
    spec.prompt = dir_.Write("prompts/review.txt", "Rate: {{answer}}");
    spec.verdict = dir_.Write("schemas/verdict.json", schema);
    auto grader = gavel::judge::MakeGrader(spec, root);
    INFO((grader ? "" : grader.error().message()));
    REQUIRE(grader);
    return *grader;
  }

 private:
  TempDir dir_;
};

// An OpenAI chat completion whose text is `text`.
HttpResponse Reply(const std::string& text, int attempts = 1, int throttled = 0) {
  HttpResponse r;
  r.status = 200;
  r.attempts = attempts;
  r.throttled = throttled;
  r.body = Json{{"choices", Json::array({{{"message", {{"role", "assistant"}, {"content", text}}},
                                          {"finish_reason", "stop"}}})},
                {"usage", {{"prompt_tokens", 11}, {"completion_tokens", 7}}}}
               .dump();
  return r;
}

HttpResponse Failure(CallFailure failure, const std::string& error) {
  HttpResponse r;
  r.failure = failure;
  r.error = error;
  r.attempts = 1;
  return r;
}

// Answers every call on its own thread with what `answer` gives for it (`n` counts the calls
// from 0). With `caching`, a request's cache key is its body and stored replies are kept here.
class TestTransport final : public gavel::judge::Transport {
 public:
  using Answer = std::function<HttpResponse(const Call& call, std::size_t n)>;
  explicit TestTransport(Answer answer, bool caching = false) : answer_(std::move(answer)), caching_(caching) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~TestTransport() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  std::string CacheKey(const gavel::judge::ProviderConfig&, const HttpRequest& request) override {
    return caching_ ? request.body : std::string();
  }
  std::optional<std::string> FindReply(const std::string& key) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = stored.find(key);
    if (it == stored.end()) return std::nullopt;
    return it->second;
  }
  void StoreReply(const std::string& key, const gavel::judge::ProviderConfig&, std::string_view body) override {
    if (!storing) return;
    std::lock_guard<std::mutex> lock(mutex_);
    stored[key] = std::string(body);
  }
  void Submit(Call call) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(call));
    }
    cv_.notify_all();
  }

  // Waits until `n` calls were answered (their `done` returned).
  void WaitAnswered(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    REQUIRE(cv_.wait_for(lock, kPatience, [&] { return answered_ >= n; }));
  }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

  std::map<std::string, std::string> stored;  // under mutex_ while calls run
  std::atomic<bool> storing{true};

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      Call call = std::move(queue_.front());
      queue_.pop_front();
      const std::size_t n = seen_.size();
      seen_.push_back(call);
      lock.unlock();
      call.done(answer_(call, n));
      lock.lock();
      ++answered_;
      cv_.notify_all();
    }
  }

  Answer answer_;
  bool caching_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Call> queue_;
  std::vector<Call> seen_;
  std::size_t answered_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

// What a step reported.
struct Record {
  std::mutex mutex;
  std::condition_variable cv;
  std::map<std::string, double> usage;
  std::vector<Json> judgements;
  std::optional<std::string> failure;
  ErrorKind failure_kind = ErrorKind::kInternal;
  std::optional<StepOutcome> outcome;
  int ends = 0;
  Clock::time_point deadline = Clock::now() + std::chrono::hours(1);
  std::atomic<bool> cancelled{false};

  double Usage(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = usage.find(name);
    return it == usage.end() ? 0 : it->second;
  }
  bool Has(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex);
    return usage.count(name) != 0;
  }
  // Waits for the end of the step: a failure or an outcome.
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(cv.wait_for(lock, kPatience, [&] { return ends > 0; }));
  }
};

class RecordingReport final : public gavel::judge::StepReport {
 public:
  explicit RecordingReport(std::shared_ptr<Record> record) : r_(std::move(record)) {}
  void AddUsage(std::string_view name, double value) override {
    std::lock_guard<std::mutex> lock(r_->mutex);
    r_->usage[std::string(name)] += value;
  }
  void AddJudgement(Json judgement) override {
    std::lock_guard<std::mutex> lock(r_->mutex);
    r_->judgements.push_back(std::move(judgement));
  }
  void Fail(std::string message, ErrorKind kind) override {
    std::lock_guard<std::mutex> lock(r_->mutex);
    r_->failure = std::move(message);
    r_->failure_kind = kind;
    ++r_->ends;
    r_->cv.notify_all();
  }
  void Complete(StepOutcome outcome) override {
    std::lock_guard<std::mutex> lock(r_->mutex);
    r_->outcome = std::move(outcome);
    ++r_->ends;
    r_->cv.notify_all();
  }
  bool cancelled() const override { return r_->cancelled.load(); }
  Clock::time_point deadline() const override { return r_->deadline; }

 private:
  std::shared_ptr<Record> r_;
};

// Starts a step of one call per user prompt through `transport` (null: canned verdicts).
std::shared_ptr<Record> Start(std::shared_ptr<const Grader> grader, StepKind kind, const char* fn,
                              const std::vector<std::string>& prompts, gavel::judge::Transport* transport,
                              std::shared_ptr<Record> record = std::make_shared<Record>()) {
  auto step = std::make_shared<Step>(kind, fn, std::move(grader));
  for (const std::string& user : prompts) REQUIRE(step->AddCall("", user).empty());
  step->UseTransport(transport);
  step->Start(std::make_unique<RecordingReport>(record));
  return record;
}

std::shared_ptr<Record> Ask(std::shared_ptr<const Grader> grader, gavel::judge::Transport* transport,
                            const std::string& prompt = "Rate: x") {
  auto record = Start(std::move(grader), StepKind::kAsk, "grader:ask", {prompt}, transport);
  record->Wait();
  return record;
}

const std::string kGood = R"({"score": 4, "rationale": "fine"})";

}  // namespace

TEST_CASE("core: a verdict comes back validated, with its form, figures, usage and judgement") {
  Files files;
  TestTransport transport([](const Call&, std::size_t) { return Reply(kGood); });
  auto r = Ask(files.Make(), &transport);
  REQUIRE_FALSE(r->failure);
  REQUIRE(r->outcome);
  CHECK(r->outcome->verdicts.at(0) == Json::parse(kGood));
  CHECK(r->outcome->forms.at(0) == gavel::schema::JsonForm::kBare);
  CHECK(r->outcome->attempts == 1);
  CHECK(r->outcome->input_tokens == 11);
  CHECK(r->outcome->output_tokens == 7);
  CHECK(r->outcome->verdict_retries == 0);
  CHECK(r->Usage("judge.calls") == 1);
  CHECK(r->Usage("judge.attempts") == 1);
  CHECK(r->Usage("judge.retries") == 0);
  CHECK(r->Usage("judge.input_tokens") == 11);
  CHECK(r->Usage("judge.output_tokens") == 7);
  for (const char* absent : {"judge.cost_usd", "judge.cache_hits", "judge.throttled", "judge.verdict_retries"}) {
    CHECK_FALSE(r->Has(absent));
  }
  REQUIRE(r->judgements.size() == 1);
  CHECK(r->judgements[0] == Json::parse(R"({"judge": "review", "item": 1, "rationale": "fine",
    "dimensions": {"score": {"value": 4, "min": 1.0, "max": 5.0}}})"));
  // The call: the request as built, the grader's timeout as its deadline, the attempt timeout.
  const std::vector<Call> calls = transport.calls();
  REQUIRE(calls.size() == 1);
  CHECK(Json::parse(calls[0].request.body).at("messages").back().at("content") == "Rate: x");
  CHECK(calls[0].deadline <= Clock::now() + std::chrono::seconds(60));
  CHECK(calls[0].deadline > Clock::now() + std::chrono::seconds(50));
  CHECK(calls[0].estimated_tokens == 7 / 4 + 1024);
  CHECK_FALSE(calls[0].cancelled());
}

TEST_CASE("core: the transport's attempts and throttling are counted; prices give the cost") {
  Files files;
  TestTransport transport([](const Call&, std::size_t) { return Reply(kGood, 3, 2); });
  GraderSpec spec;
  spec.prices = gavel::judge::Prices{.input = 3, .output = 15};
  auto r = Ask(files.Make(kVerdictSchema, spec), &transport);
  REQUIRE(r->outcome);
  CHECK(r->outcome->attempts == 3);
  CHECK(r->Usage("judge.calls") == 1);
  CHECK(r->Usage("judge.attempts") == 3);
  CHECK(r->Usage("judge.retries") == 2);
  CHECK(r->Usage("judge.throttled") == 2);
  CHECK(r->Usage("judge.cost_usd") == Approx((11 * 3 + 7 * 15) / 1e6));
}

TEST_CASE("core: an unusable verdict is retried once") {
  Files files;
  auto grader = files.Make();
  SECTION("not JSON twice: the step fails naming both calls") {
    TestTransport transport([](const Call&, std::size_t) { return Reply("I think it is good."); });
    auto r = Ask(grader, &transport);
    REQUIRE(r->failure);
    CHECK(r->failure_kind == ErrorKind::kJudgeUnavailable);
    CHECK(r->failure->starts_with("grader:ask: no usable verdict in 2 calls: the verdict is not JSON ("));
    CHECK_FALSE(r->outcome);
    CHECK(r->Usage("judge.calls") == 2);
    CHECK(r->Usage("judge.verdict_retries") == 1);
    CHECK(r->Usage("judge.attempts") == 2);
    CHECK(r->judgements.empty());
  }
  SECTION("off the schema twice: the schema and the first violation are named") {
    TestTransport transport([](const Call&, std::size_t) { return Reply(R"({"score": 9, "rationale": "x"})"); });
    auto r = Ask(grader, &transport);
    REQUIRE(r->failure);
    CHECK(r->failure->starts_with(
        "grader:ask: no usable verdict in 2 calls: the verdict does not match schemas/verdict.json: /score: "));
  }
  SECTION("a reply that cannot be read") {
    TestTransport transport([](const Call&, std::size_t) {
      HttpResponse r = Reply(kGood);
      r.body = R"({"choices": []})";
      return r;
    });
    auto r = Ask(grader, &transport);
    REQUIRE(r->failure);
    CHECK(*r->failure == "grader:ask: no usable verdict in 2 calls: the judge's reply could not be read: the "
                         "judge's reply has no choices");
  }
  SECTION("unusable, then a verdict: one retry, both calls' figures summed") {
    TestTransport transport([](const Call&, std::size_t n) { return Reply(n == 0 ? "{" : kGood); });
    auto r = Ask(grader, &transport);
    REQUIRE(r->outcome);
    CHECK(r->outcome->verdict_retries == 1);
    CHECK(r->outcome->attempts == 2);
    CHECK(r->outcome->input_tokens == 22);
    CHECK(r->Usage("judge.calls") == 2);
    CHECK(r->Usage("judge.verdict_retries") == 1);
    CHECK(transport.calls().at(1).request.body == transport.calls().at(0).request.body);
  }
  SECTION("no retry once the sample no longer waits") {
    auto record = std::make_shared<Record>();
    record->cancelled = true;
    TestTransport transport([](const Call&, std::size_t) { return Reply("{"); });
    Start(grader, StepKind::kAsk, "grader:ask", {"x"}, &transport, record);
    record->Wait();
    REQUIRE(record->failure);
    CHECK(record->failure->starts_with("grader:ask: no usable verdict in 1 calls: "));
    CHECK(transport.calls().at(0).cancelled());
  }
}

TEST_CASE("core: a fenced verdict is accepted and its form reported") {
  Files files;
  TestTransport transport([](const Call&, std::size_t) { return Reply("Here:\n```json\n" + kGood + "\n```"); });
  auto r = Ask(files.Make(), &transport);
  REQUIRE(r->outcome);
  CHECK(r->outcome->forms.at(0) == gavel::schema::JsonForm::kFenced);
  CHECK(r->outcome->verdicts.at(0).at("score") == 4);
}

TEST_CASE("core: a failed call fails the step with the transport's error, counted") {
  Files files;
  TestTransport transport([](const Call&, std::size_t) { return Failure(CallFailure::kHttpStatus, "HTTP 400: bad"); });
  auto r = Ask(files.Make(), &transport);
  REQUIRE(r->failure);
  CHECK(*r->failure == "grader:ask: the judge call failed: HTTP 400: bad");
  CHECK(r->failure_kind == ErrorKind::kJudgeUnavailable);
  CHECK(r->Usage("judge.calls") == 1);
  CHECK(r->Usage("judge.attempts") == 1);
  CHECK_FALSE(r->Has("judge.verdict_retries"));
}

TEST_CASE("core: deadlines") {
  Files files;
  GraderSpec spec;
  spec.timeout = std::chrono::milliseconds(200);
  auto grader = files.Make(kVerdictSchema, spec);
  TestTransport transport([](const Call&, std::size_t) { return Failure(CallFailure::kDeadline, "the deadline passed"); });
  SECTION("the call's own timeout comes first: the step fails with its cause") {
    auto r = Ask(grader, &transport);
    REQUIRE(r->failure);
    CHECK(*r->failure == "grader:ask: the judge call failed: the deadline passed");
    const Call call = transport.calls().at(0);
    CHECK(call.deadline <= Clock::now() + std::chrono::milliseconds(200));
  }
  SECTION("the sample's deadline comes first and is here: the engine ends the sample, not the step") {
    auto record = std::make_shared<Record>();
    record->deadline = Clock::now() + std::chrono::milliseconds(50);
    Start(grader, StepKind::kAsk, "grader:ask", {"x"}, &transport, record);
    transport.WaitAnswered(1);
    std::lock_guard<std::mutex> lock(record->mutex);
    CHECK(record->ends == 0);
    CHECK(record->usage.at("judge.calls") == 1);
    CHECK(transport.calls().at(0).deadline == record->deadline);
  }
}

TEST_CASE("core: ask_each, one call per item at once, verdicts in item order, errors naming the item") {
  Files files;
  auto grader = files.Make();
  // The score is the item's number, read back from the prompt.
  auto by_item = [](const Call& call, std::size_t) {
    const std::string user = Json::parse(call.request.body).at("messages").back().at("content");
    const int item = user.back() - '0';
    if (item == 9) return Reply("no verdict");
    return Reply(R"({"score": )" + std::to_string(item) + R"(, "rationale": "item )" + std::to_string(item) + "\"}");
  };
  TestTransport transport(by_item);
  SECTION("three items") {
    auto r = Start(grader, StepKind::kEach, "grader:ask_each", {"item 3", "item 1", "item 2"}, &transport);
    r->Wait();
    REQUIRE(r->outcome);
    REQUIRE(r->outcome->verdicts.size() == 3);
    CHECK(r->outcome->verdicts[0].at("score") == 3);
    CHECK(r->outcome->verdicts[1].at("score") == 1);
    CHECK(r->outcome->verdicts[2].at("score") == 2);
    CHECK(r->outcome->forms.size() == 3);
    CHECK(r->outcome->input_tokens == 33);
    CHECK(r->Usage("judge.calls") == 3);
    REQUIRE(r->judgements.size() == 3);
    std::set<int> items;
    for (const Json& j : r->judgements) items.insert(j.at("item").get<int>());
    CHECK(items == std::set<int>{1, 2, 3});
  }
  SECTION("one unusable item fails the step, naming it, once") {
    auto r = Start(grader, StepKind::kEach, "grader:ask_each", {"item 1", "item 9", "item 2"}, &transport);
    r->Wait();
    transport.WaitAnswered(4);
    std::lock_guard<std::mutex> lock(r->mutex);
    REQUIRE(r->failure);
    CHECK(r->failure->starts_with("grader:ask_each: item 2: no usable verdict in 2 calls: the verdict is not JSON"));
    CHECK(r->ends == 1);
    CHECK_FALSE(r->outcome);
    CHECK(r->judgements.empty());
  }
}

TEST_CASE("core: compare asks both orders; a winner when they agree, a tie when they do not") {
  Files files;
  auto grader = files.Make(kPairSchema);
  CHECK(grader->compare_problem.empty());
  auto compare = [&](const std::string& first, const std::string& second) {
    TestTransport transport([&](const Call& call, std::size_t) {
      const std::string user = Json::parse(call.request.body).at("messages").back().at("content");
      return Reply(R"({"winner": ")" + (user == "a then b" ? first : second) + "\"}");
    });
    auto r = Start(grader, StepKind::kCompare, "grader:compare", {"a then b", "b then a"}, &transport);
    r->Wait();
    return r;
  };
  struct Case {
    std::string first, second, winner;
    bool consistent;
  };
  for (const Case& c : std::vector<Case>{{"A", "B", "a", true},
                                         {"B", "A", "b", true},
                                         {"tie", "tie", "tie", true},
                                         {"A", "A", "tie", false},
                                         {"A", "tie", "tie", false}}) {
    INFO(c.first << " " << c.second);
    auto r = compare(c.first, c.second);
    REQUIRE(r->outcome);
    CHECK(r->outcome->winner == c.winner);
    CHECK(r->outcome->consistent == c.consistent);
    CHECK(r->outcome->verdicts.at(0).at("winner") == c.first);
    CHECK(r->outcome->verdicts.at(1).at("winner") == c.second);
    REQUIRE(r->judgements.size() == 1);
    CHECK(r->judgements[0] == Json{{"judge", "review"},
                                   {"item", 1},
                                   {"dimensions",
                                    {{"preference", {{"category", c.winner}}},
                                     {"position_consistent", {{"value", c.consistent ? 1 : 0}, {"binary", true}}}}}});
  }
  SECTION("a verdict without a usable winner fails, naming the order") {
    auto loose = files.Make(R"({"type": "object", "required": ["winner"], "properties": {"winner": {"type": "string"}}})");
    TestTransport transport([](const Call& call, std::size_t) {
      const std::string user = Json::parse(call.request.body).at("messages").back().at("content");
      return Reply(user == "a then b" ? R"({"winner": "A"})" : R"({"winner": "C"})");
    });
    auto r = Start(loose, StepKind::kCompare, "grader:compare", {"a then b", "b then a"}, &transport);
    r->Wait();
    REQUIRE(r->failure);
    CHECK(*r->failure == "grader:compare: the second order (b, a): no usable verdict in 2 calls: the verdict has no "
                         "\"winner\" of \"A\", \"B\" or \"tie\"");
  }
}

TEST_CASE("core: judgements take their dimensions from the verdict schema") {
  Files files;
  auto grader = files.Make(R"({
    "type": "object", "required": ["grounding", "pass", "tone", "reason"],
    "properties": {
      "grounding": {"type": "integer", "minimum": 1, "maximum": 5},
      "pass": {"enum": ["pass", "fail"]},
      "tone": {"enum": ["formal", "casual"]},
      "safe": {"type": "boolean"},
      "unbounded": {"type": "number"},
      "mixed": {"enum": ["x", 1]},
      "reason": {"type": "string"}}})",
                           GraderSpec{.name = "clauses"});
  REQUIRE(grader->dimensions.size() == 4);
  CHECK(grader->dimensions[0].name == "grounding");  // the required ones first, in their order
  CHECK(grader->rationale_field == "reason");
  const Json verdict = Json::parse(
      R"({"grounding": 2, "pass": "fail", "tone": "casual", "safe": true, "unbounded": 7, "mixed": 1, "reason": "r"})");
  CHECK(gavel::judge::JudgementOf(*grader, 3, verdict) == Json::parse(R"({"judge": "clauses", "item": 3,
    "rationale": "r", "dimensions": {"grounding": {"value": 2, "min": 1.0, "max": 5.0},
    "pass": {"value": 0, "binary": true}, "tone": {"category": "casual"}, "safe": {"value": 1, "binary": true}}})"));
  // A value of the wrong type is left out; a verdict that is not an object has no dimensions.
  CHECK(gavel::judge::JudgementOf(*grader, 1, Json::parse(R"({"grounding": "2", "reason": 5})")).at("dimensions") ==
        Json::object());
  CHECK_FALSE(gavel::judge::JudgementOf(*grader, 1, Json::array()).contains("rationale"));
}

TEST_CASE("core: whether a verdict schema can judge a comparison") {
  using gavel::judge::CompareProblem;
  CHECK(CompareProblem(Json::parse(kPairSchema)).empty());
  CHECK(CompareProblem(Json::array()) == "the schema is not an object");
  CHECK(CompareProblem(Json::parse(kVerdictSchema)) == "it has no property \"winner\"");
  CHECK(CompareProblem(Json::parse(R"({"properties": {"winner": {}}})")) == "it does not require \"winner\"");
  CHECK(CompareProblem(Json::parse(R"({"required": ["winner"], "properties": {"winner": {"enum": ["A", "C"]}}})")) ==
        "\"winner\" may be \"C\", not only \"A\", \"B\" or \"tie\"");
  CHECK(CompareProblem(Json::parse(R"({"required": ["winner"], "properties": {"winner": {"const": "X"}}})")) ==
        "\"winner\" must be \"X\", not \"A\", \"B\" or \"tie\"");
  CHECK(CompareProblem(Json::parse(R"({"required": ["winner"], "properties": {"winner": {"type": "integer"}}})")) ==
        "\"winner\" is not a string");
}

TEST_CASE("core: the reply cache answers before the judge and keeps only usable replies") {
  Files files;
  auto grader = files.Make();
  // "good" prompts get a verdict; others get text that is not one.
  auto answer = [](const Call& call, std::size_t) {
    const std::string user = Json::parse(call.request.body).at("messages").back().at("content");
    return user.starts_with("good") ? Reply(kGood) : Reply("no verdict");
  };
  TestTransport transport(answer, /*caching=*/true);
  auto first = Ask(grader, &transport, "good 1");
  REQUIRE(first->outcome);
  CHECK_FALSE(first->Has("judge.cache_hits"));
  auto bad = Ask(grader, &transport, "bad 1");
  REQUIRE(bad->failure);
  CHECK(transport.stored.size() == 1);  // only the reply that gave a verdict

  auto again = Ask(grader, &transport, "good 1");
  REQUIRE(again->outcome);
  CHECK(again->outcome->verdicts.at(0) == first->outcome->verdicts.at(0));
  CHECK(again->Usage("judge.cache_hits") == 1);
  CHECK_FALSE(again->Has("judge.calls"));
  CHECK(again->outcome->attempts == 0);
  CHECK(transport.calls().size() == 3);  // good 1, bad 1 twice

  SECTION("a stored reply that gives no verdict: the judge is asked instead") {
    const std::string key = transport.stored.begin()->first;
    transport.stored[key] = Reply("edited").body;
    auto asked = Ask(grader, &transport, "good 1");
    REQUIRE(asked->outcome);
    CHECK(asked->Usage("judge.cache_hits") == 1);
    CHECK(asked->Usage("judge.calls") == 1);
    CHECK(transport.calls().size() == 4);
  }
}

TEST_CASE("core: replies from the cache and from the transport's thread in one step") {
  // Cached replies are read on the thread that starts the step while the transport's thread
  // answers the others: every verdict arrives in its place, and the step ends once.
  Files files;
  auto grader = files.Make();
  auto answer = [](const Call& call, std::size_t) {
    const std::string user = Json::parse(call.request.body).at("messages").back().at("content");
    return Reply(R"({"score": )" + std::to_string(std::stoi(user) % 5 + 1) + R"(, "rationale": ")" + user + "\"}");
  };
  TestTransport transport(answer, /*caching=*/true);
  std::vector<std::string> items;
  for (int i = 0; i < 200; ++i) items.push_back(std::to_string(i));
  {
    // Every other item answered once first, so that its reply is stored.
    std::vector<std::string> even;
    for (int i = 0; i < 200; i += 2) even.push_back(items[static_cast<std::size_t>(i)]);
    auto warm = Start(grader, StepKind::kEach, "grader:ask_each", even, &transport);
    warm->Wait();
    REQUIRE(warm->outcome);
    transport.storing = false;  // the odd items stay uncached
  }
  for (int round = 0; round < 20; ++round) {
    auto r = Start(grader, StepKind::kEach, "grader:ask_each", items, &transport);
    r->Wait();
    transport.WaitAnswered(100 + 100 * static_cast<std::size_t>(round + 1));
    std::lock_guard<std::mutex> lock(r->mutex);
    REQUIRE(r->outcome);
    CHECK(r->ends == 1);
    CHECK(r->usage.at("judge.cache_hits") == 100);
    CHECK(r->usage.at("judge.calls") == 100);
    for (std::size_t i = 0; i < items.size(); ++i) CHECK(r->outcome->verdicts[i].at("rationale") == items[i]);
    CHECK(r->judgements.size() == 200);
  }
}

TEST_CASE("core: canned verdicts fit the schema, come from the request, and call nothing") {
  Files files;
  auto grader = files.Make();
  auto r = Ask(grader, nullptr, "Rate: Paris");
  REQUIRE(r->outcome);
  const Json& verdict = r->outcome->verdicts.at(0);
  CHECK(verdict.at("score").get<int>() >= 1);
  CHECK(verdict.at("score").get<int>() <= 5);
  CHECK(verdict.at("rationale").is_string());
  CHECK(r->Usage("judge.canned") == 1);
  CHECK_FALSE(r->Has("judge.calls"));
  CHECK(Ask(grader, nullptr, "Rate: Paris")->outcome->verdicts.at(0) == verdict);
  auto pair = Start(files.Make(kPairSchema), StepKind::kCompare, "grader:compare", {"a", "b"}, nullptr);
  pair->Wait();
  REQUIRE(pair->outcome);
  CHECK(pair->Usage("judge.canned") == 2);
}

TEST_CASE("core: the requests of one step may take at most 64 MiB") {
  Files files;
  Step step(StepKind::kEach, "grader:ask_each", files.Make());
  const std::string big(std::size_t{40} << 20, 'x');
  CHECK(step.AddCall("", big).empty());
  CHECK(step.AddCall("", big) == "the requests of this step would take more than 64 MiB");
}

TEST_CASE("core: graders are named by the option, else the prompt file's stem; names are checked") {
  Files files;
  CHECK(files.Make()->name == "review");
  CHECK(files.Make(kVerdictSchema, GraderSpec{.name = "mine"})->name == "mine");
  CHECK(files.Make(kVerdictSchema, GraderSpec{.url = "http://u:secret@127.0.0.1:9/v1?model=m"})->description ==
        "openai http://127.0.0.1:9/v1 model m");
  CHECK(gavel::judge::ValidGraderName("a-b_c.1"));
  CHECK_FALSE(gavel::judge::ValidGraderName(""));
  CHECK_FALSE(gavel::judge::ValidGraderName("two words"));
  CHECK_FALSE(gavel::judge::ValidGraderName(std::string(65, 'a')));
}
