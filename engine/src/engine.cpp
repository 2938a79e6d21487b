#include "gavel/engine.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "worker.h"

namespace gavel {

struct Engine::Impl {
  std::shared_ptr<const Rubric> rubric;
  EngineOptions options;
  std::shared_ptr<detail::Outbox> outbox = std::make_shared<detail::Outbox>();
  std::vector<std::unique_ptr<detail::Worker>> workers;
  std::mutex run_mutex;  // one Run at a time
  mutable std::mutex stats_mutex;
  EngineStats stats;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Create(std::shared_ptr<const Rubric> rubric,
                                               const PluginRegistry& plugins,
                                               const EngineOptions& options) {
  if (rubric == nullptr) return Error(ErrorKind::kUsage, "Engine::Create: no rubric");
  auto impl = std::make_unique<Impl>();
  impl->rubric = std::move(rubric);
  impl->options = options;
  if (impl->options.threads == 0) impl->options.threads = std::max(1u, std::thread::hardware_concurrency());
  if (impl->options.window == 0) impl->options.window = 1;
  for (unsigned i = 0; i < impl->options.threads; ++i) {
    impl->workers.push_back(
        std::make_unique<detail::Worker>(i, impl->rubric, plugins, impl->options, impl->outbox));
  }
  for (auto& worker : impl->workers) {
    Status ready = worker->WaitReady();
    if (!ready) return ready.error();
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const Rubric& Engine::rubric() const { return *impl_->rubric; }

EngineStats Engine::stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mutex);
  return impl_->stats;
}

void Engine::Run(const std::function<bool(ParsedSample&)>& next, const std::function<void(Score&&)>& emit,
                 std::optional<Clock::time_point> deadline) {
  std::lock_guard<std::mutex> run_lock(impl_->run_mutex);
  Impl& m = *impl_;
  const double neutral = m.rubric->neutral();
  const Clock::time_point until = deadline.value_or(Clock::time_point::max());
  std::vector<std::size_t> load(m.workers.size(), 0);
  std::map<std::size_t, Score> ready;  // finished, waiting for earlier samples
  std::size_t next_seq = 0, next_emit = 0;
  bool input_done = false;
  std::vector<detail::Finished> finished;

  auto hand_out = [&] {
    for (auto it = ready.find(next_emit); it != ready.end(); it = ready.find(next_emit)) {
      {
        std::lock_guard<std::mutex> lock(m.stats_mutex);
        ++m.stats.samples;
        if (it->second.neutral) ++m.stats.failed;
      }
      emit(std::move(it->second));
      ready.erase(it);
      ++next_emit;
    }
  };

  for (;;) {
    // Everything not yet handed out counts against the window, so memory stays bounded even
    // when one slow sample holds back the ones after it.
    while (!input_done && next_seq - next_emit < m.options.window) {
      ParsedSample parsed;
      if (!next(parsed)) {
        input_done = true;
        break;
      }
      const std::size_t seq = next_seq++;
      if (!parsed.sample) {
        ready.emplace(seq, Score::Failed(std::move(parsed.id), neutral, parsed.sample.error().kind(),
                                         parsed.sample.error().message()));
        continue;
      }
      if (Clock::now() >= until) {
        ready.emplace(seq, Score::Failed(std::move(parsed.id), neutral, ErrorKind::kDeadline,
                                         "the deadline passed before the sample started"));
        continue;
      }
      const std::size_t w = static_cast<std::size_t>(
          std::min_element(load.begin(), load.end()) - load.begin());
      ++load[w];
      m.workers[w]->Start(seq, std::move(parsed.id), std::move(parsed.sample).value(), until);
    }
    hand_out();
    if (input_done && next_emit == next_seq) return;
    // Handing out made room: fill the window before waiting, or samples already waiting (for
    // a judge that answers in batches, say) could wait for companions never sent.
    if (!input_done && next_seq - next_emit < m.options.window) continue;
    if (ready.size() == next_seq - next_emit) continue;  // nothing in flight; read more input
    finished.clear();
    m.outbox->WaitDrain(finished);
    for (detail::Finished& f : finished) {
      --load[f.worker];
      ready.emplace(f.seq, std::move(f.score));
    }
  }
}

std::vector<Score> Engine::ScoreBatch(std::vector<ParsedSample> samples, std::optional<Clock::time_point> deadline) {
  std::vector<Score> scores;
  scores.reserve(samples.size());
  std::size_t i = 0;
  Run([&](ParsedSample& out) {
        if (i == samples.size()) return false;
        out = std::move(samples[i++]);
        return true;
      },
      [&](Score&& s) { scores.push_back(std::move(s)); }, deadline);
  return scores;
}

}  // namespace gavel
