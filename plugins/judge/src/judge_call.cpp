#include "judge_call.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "gavel/judge/verdict_generator.h"

namespace gavel::judge {
namespace {

// Seeds tried for a canned verdict that fits the schema (the generator skips `pattern` and the like).
constexpr std::uint64_t kCannedSeeds = 16;
// Verdicts deeper than this are unusable: the engine converts JSON to Lua only down to 64 levels.
constexpr std::size_t kMaxVerdictDepth = 64;
// How close to the sample's deadline a call that ran out of time is left for the engine to end.
constexpr std::chrono::milliseconds kDeadlineSlack{100};

}  // namespace

std::string ClientTransport::CacheKey(const ProviderConfig& config, const HttpRequest& request) {
  if (cache_ == nullptr) return {};
  return cache_->KeyFor(ProviderKindName(config.kind), config.model, request);
}

std::optional<std::string> ClientTransport::FindReply(const std::string& key) {
  if (cache_ == nullptr) return std::nullopt;
  return cache_->Find(key);
}

void ClientTransport::StoreReply(const std::string& key, const ProviderConfig& config, std::string_view body) {
  if (cache_ != nullptr) cache_->Put(key, ProviderKindName(config.kind), config.model, body);
}

std::string Step::AddCall(std::string system, std::string user) {
  const Grader& g = *grader_;
  JudgeRequest request;
  request.system = std::move(system);
  request.user = std::move(user);
  request.schema = g.schema_document;
  request.temperature = g.temperature;
  request.max_tokens = g.max_tokens;
  Result<HttpRequest> http = BuildRequest(g.config, request);
  if (!http) return http.error().message();
  request_bytes_ += http->body.size();
  if (request_bytes_ > kMaxStepBytes) {
    return "the requests of this step would take more than " + std::to_string(kMaxStepBytes >> 20) + " MiB";
  }
  Slot& slot = slots_.emplace_back();
  slot.estimated_tokens = (request.system.size() + request.user.size()) / 4 + static_cast<std::size_t>(g.max_tokens);
  slot.request = std::move(*http);
  return {};
}

void Step::UseTransport(Transport* transport) {
  transport_ = transport;
  if (transport_ == nullptr) return;
  for (Slot& slot : slots_) slot.cache_key = transport_->CacheKey(grader_->config, slot.request);
}

void Step::Start(std::unique_ptr<StepReport> report) {
  report_ = std::move(report);
  remaining_.store(slots_.size());
  started_ = Clock::now();
  for (std::size_t i = 0; i < slots_.size(); ++i) SubmitCall(i);
}

bool Step::Stopped() const { return failed_.load() || report_->cancelled(); }

// Why a reply gives no usable verdict, or "" with the slot's verdict filled in. `usage` gets the
// reply's token counts (zero when it cannot be read).
std::string Step::ReadVerdict(std::string_view body, Slot& slot, JudgeReply& usage) const {
  Result<JudgeReply> reply = ParseReply(grader_->config.kind, body);
  if (!reply) return "the judge's reply could not be read: " + reply.error().message();
  usage.input_tokens = reply->input_tokens;
  usage.output_tokens = reply->output_tokens;
  return VerdictFromText(reply->text, slot);
}

// The verdict in a reply's text, checked against the grader's schema (and "winner" for compare).
std::string Step::VerdictFromText(std::string_view text, Slot& slot) const {
  const Grader& g = *grader_;
  schema::Extracted e = schema::ExtractJson(text, schema::ExtractOptions{.max_depth = kMaxVerdictDepth});
  if (!e.ok()) {
    return "the verdict is not JSON (" + std::string(schema::ExtractStatusName(e.status)) + "): " + e.error;
  }
  if (!g.schema->IsValid(e.value)) {
    schema::ValidationResult r = g.schema->Validate(e.value, 1);
    std::string first = r.violations.empty() ? std::string("invalid") : r.violations.front().ToString();
    return "the verdict does not match " + g.schema_name + ": " + first;
  }
  if (kind_ == StepKind::kCompare) {
    const auto w = e.value.is_object() ? e.value.find("winner") : e.value.end();
    if (w == e.value.end() || !(*w == "A" || *w == "B" || *w == "tie")) {
      return "the verdict has no \"winner\" of \"A\", \"B\" or \"tie\"";
    }
    slot.winner = w->get<std::string>();
  }
  slot.verdict = std::move(e.value);
  slot.form = e.form;
  return {};
}

std::string Step::CallName(std::size_t i) const {
  switch (kind_) {
    case StepKind::kAsk: return "";
    case StepKind::kEach: return "item " + std::to_string(i + 1) + ": ";
    case StepKind::kCompare: return i == 0 ? "the first order (a, b): " : "the second order (b, a): ";
  }
  return "";
}

// The end of one call: the step fails with the first error, and completes with the last call.
void Step::EndSlot(std::size_t i, const std::string& error) {
  if (!error.empty() && !failed_.exchange(true)) {
    std::string message = fn_;
    message += ": ";
    message += CallName(i);
    message += error;
    report_->Fail(std::move(message), ErrorKind::kJudgeUnavailable);
  }
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) != 1 || failed_.load()) return;
  StepOutcome out;
  out.kind = kind_;
  out.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
  for (Slot& s : slots_) {
    out.verdicts.push_back(std::move(s.verdict));
    out.forms.push_back(s.form);
    out.attempts += s.attempts;
    out.input_tokens += s.input_tokens;
    out.output_tokens += s.output_tokens;
    out.verdict_retries += std::max(0, s.calls - 1);
  }
  if (kind_ != StepKind::kCompare) {
    for (std::size_t k = 0; k < out.verdicts.size(); ++k) {
      report_->AddJudgement(JudgementOf(*grader_, k + 1, out.verdicts[k]));
    }
  } else {
    // The second call saw b in the A position: its "A" is a vote for b.
    const std::string& w1 = slots_[0].winner;
    const std::string& w2 = slots_[1].winner;
    const std::string first = w1 == "A" ? "a" : w1 == "B" ? "b" : "tie";
    const std::string second = w2 == "A" ? "b" : w2 == "B" ? "a" : "tie";
    out.consistent = first == second;
    out.winner = out.consistent ? first : "tie";
    Json judgement = {{"judge", grader_->name}, {"item", 1}};
    judgement["dimensions"]["preference"] = {{"category", out.winner}};
    judgement["dimensions"]["position_consistent"] = {{"value", out.consistent ? 1 : 0}, {"binary", true}};
    report_->AddJudgement(std::move(judgement));
  }
  report_->Complete(std::move(out));
}

// Adds one call's figures to the sample's usage (Score::usage) and to the slot.
void Step::CountCall(Slot& slot, const HttpResponse* response, const JudgeReply& reply) {
  StepReport& done = *report_;
  if (response == nullptr) {
    done.AddUsage("judge.cache_hits", 1);
    return;
  }
  slot.attempts += response->attempts;
  slot.input_tokens += reply.input_tokens;
  slot.output_tokens += reply.output_tokens;
  done.AddUsage("judge.attempts", response->attempts);
  done.AddUsage("judge.retries", std::max(0, response->attempts - 1));
  if (response->throttled > 0) done.AddUsage("judge.throttled", response->throttled);
  done.AddUsage("judge.input_tokens", static_cast<double>(reply.input_tokens));
  done.AddUsage("judge.output_tokens", static_cast<double>(reply.output_tokens));
  if (const std::optional<Prices>& p = grader_->prices) {
    done.AddUsage("judge.cost_usd", (static_cast<double>(reply.input_tokens) * p->input +
                                     static_cast<double>(reply.output_tokens) * p->output) / 1e6);
  }
}

// A reply body, from the judge (`response` set) or from the cache (`response` null).
void Step::OnReply(std::size_t i, const HttpResponse* response, std::string_view body) {
  Slot& slot = slots_[i];
  JudgeReply tokens;
  std::string problem = ReadVerdict(body, slot, tokens);
  CountCall(slot, response, tokens);
  if (problem.empty()) {
    if (response != nullptr && !slot.cache_key.empty()) transport_->StoreReply(slot.cache_key, grader_->config, body);
    EndSlot(i, "");
  } else if (response == nullptr && !Stopped()) {
    // A stored reply that no longer gives a verdict (it cannot, unless the file was edited):
    // ask the judge instead.
    slot.cache_key.clear();
    SubmitCall(i);
  } else if (slot.calls < 2 && !Stopped()) {
    report_->AddUsage("judge.verdict_retries", 1);
    SubmitCall(i);  // one new call for an unusable verdict
  } else {
    EndSlot(i, "no usable verdict in " + std::to_string(slot.calls) + " calls: " + problem);
  }
}

void Step::OnCallDone(std::size_t i, HttpResponse response) {
  try {
    if (!response.ok()) {
      CountCall(slots_[i], &response, JudgeReply{});
      // The sample's own deadline cut the call short and is here (the client gives up on an
      // attempt a little early, in whole milliseconds and with room for the next step): the
      // engine ends the sample within moments and says which deadline it was (error.deadline or
      // error.limit). Earlier, a retry that cannot fit fails the step at once, with its cause.
      if (response.failure == CallFailure::kDeadline && slots_[i].sample_deadline &&
          Clock::now() + kDeadlineSlack >= report_->deadline()) {
        return;
      }
      EndSlot(i, "the judge call failed: " + response.error);
      return;
    }
    OnReply(i, &response, response.body);
  } catch (const std::exception& e) {
    // Out of memory on the transport's thread: the step fails, whatever it was.
    if (!failed_.exchange(true)) report_->Fail(std::string(fn_) + ": " + e.what(), ErrorKind::kJudgeUnavailable);
    remaining_.fetch_sub(1);
  }
}

// A canned call: a verdict generated from the schema, seeded by the request, so the same
// request gets the same verdict; counted as judge.canned, not as a call.
void Step::AnswerCanned(std::size_t i) {
  Slot& slot = slots_[i];
  const Grader& g = *grader_;
  report_->AddUsage("judge.canned", 1);
  std::string problem;
  try {
    const std::uint64_t seed = Fnv1a(slot.request.body);
    for (std::uint64_t attempt = 0; attempt < kCannedSeeds; ++attempt) {
      problem = VerdictFromText(GenerateVerdict(g.schema_document, Mix(seed, attempt)).dump(), slot);
      if (problem.empty()) break;
    }
  } catch (const std::exception& e) {
    problem = e.what();
  }
  EndSlot(i, problem.empty() ? "" : "no canned verdict fits " + g.schema_name + ": " + problem);
}

void Step::SubmitCall(std::size_t i) {
  if (transport_ == nullptr) {
    AnswerCanned(i);
    return;
  }
  Slot& slot = slots_[i];
  if (slot.calls == 0 && !slot.cache_key.empty()) {
    if (std::optional<std::string> body = transport_->FindReply(slot.cache_key)) {
      OnReply(i, nullptr, *body);
      return;
    }
  }
  ++slot.calls;
  // Counted when sent, not when answered: a call that is still waiting when the sample's
  // deadline ends it is counted all the same (the first calls are sent before the sample waits).
  report_->AddUsage("judge.calls", 1);
  Call call;
  call.request = slot.request;
  // Retries end before the sample stops waiting.
  const Clock::time_point own = Clock::now() + grader_->timeout;
  slot.sample_deadline = report_->deadline() < own;
  call.deadline = std::min(own, report_->deadline());
  call.attempt_timeout = grader_->attempt_timeout;
  call.estimated_tokens = slot.estimated_tokens;
  call.prepare = grader_->prepare;
  std::shared_ptr<Step> self = shared_from_this();
  call.cancelled = [self] { return self->Stopped(); };
  call.done = [self, i](HttpResponse r) { self->OnCallDone(i, std::move(r)); };
  transport_->Submit(std::move(call));
}

}  // namespace gavel::judge
