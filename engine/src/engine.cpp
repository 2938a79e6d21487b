#include "gavel/engine.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "worker.h"

namespace gavel {

struct Engine::Impl {
  std::shared_ptr<const Rubric> rubric;
  // The engine's own copy of the caller's registry, shared with every worker (abandoned ones
  // included), so the plugins live as long as any Lua state that opened them.
  std::shared_ptr<const PluginRegistry> plugins;
  EngineOptions options;
  std::shared_ptr<detail::Outbox> outbox = std::make_shared<detail::Outbox>();
  std::vector<std::unique_ptr<detail::Worker>> workers;
  std::uint64_t run = 0;  // the current (or last) Run; results of earlier ones are dropped
  std::mutex run_mutex;   // one Run at a time
  mutable std::mutex stats_mutex;
  EngineStats stats;

  Result<std::unique_ptr<detail::Worker>> NewWorker(std::size_t index) {
    auto worker = std::make_unique<detail::Worker>(index, rubric, plugins, options, outbox);
    Status ready = worker->WaitReady();
    if (!ready) return ready.error();
    return worker;
  }

  // Replaces the workers stuck past a deadline; a worker that cannot load the rubric again is
  // left in place (it loaded it once, so this is out of memory in practice).
  std::size_t ReplaceStuck() {
    std::size_t replaced = 0;
    const auto now = Clock::now();
    for (std::size_t i = 0; i < workers.size(); ++i) {
      if (!workers[i]->Stuck(now, options.stuck_grace)) continue;
      Result<std::unique_ptr<detail::Worker>> fresh = NewWorker(i);
      if (!fresh) continue;
      detail::Worker::Abandon(std::move(workers[i]));
      workers[i] = std::move(*fresh);
      ++replaced;
    }
    if (replaced != 0) {
      std::lock_guard<std::mutex> lock(stats_mutex);
      stats.abandoned_workers += replaced;
    }
    return replaced;
  }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  // Workers end once they are back from their samples; one that stays in native code past its
  // sample's deadline is abandoned rather than waited for forever.
  for (auto& worker : impl_->workers) worker->RequestStop();
  for (auto& worker : impl_->workers) {
    while (!worker->WaitExited(std::chrono::milliseconds(5))) {
      if (worker->Stuck(Clock::now(), impl_->options.stuck_grace)) {
        detail::Worker::Abandon(std::move(worker));
        break;
      }
    }
  }
}

Result<std::unique_ptr<Engine>> Engine::Create(std::shared_ptr<const Rubric> rubric,
                                               const PluginRegistry& plugins,
                                               const EngineOptions& options) {
  if (rubric == nullptr) return Error(ErrorKind::kUsage, "Engine::Create: no rubric");
  auto impl = std::make_unique<Impl>();
  impl->rubric = std::move(rubric);
  impl->plugins = std::make_shared<const PluginRegistry>(plugins);
  impl->options = options;
  if (impl->options.threads == 0) impl->options.threads = std::max(1u, std::thread::hardware_concurrency());
  if (impl->options.window == 0) impl->options.window = 1;
  for (unsigned i = 0; i < impl->options.threads; ++i) {
    impl->workers.push_back(
        std::make_unique<detail::Worker>(i, impl->rubric, impl->plugins, impl->options, impl->outbox));
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

std::size_t Engine::ReplaceStuckWorkers() {
  std::lock_guard<std::mutex> run_lock(impl_->run_mutex);
  return impl_->ReplaceStuck();
}

void Engine::Run(const std::function<bool(ParsedSample&)>& next, const std::function<void(Score&&)>& emit,
                 std::optional<Clock::time_point> deadline) {
  std::lock_guard<std::mutex> run_lock(impl_->run_mutex);
  Impl& m = *impl_;
  m.ReplaceStuck();
  const std::uint64_t run = ++m.run;
  const double neutral = m.rubric->neutral();
  const Clock::time_point until = deadline.value_or(Clock::time_point::max());
  // Past this, the engine answers for samples their workers have not reported.
  const Clock::time_point give_up = until == Clock::time_point::max() ? until : until + m.options.stuck_grace;
  std::vector<std::size_t> load(m.workers.size(), 0);
  std::map<std::size_t, Score> ready;  // finished, waiting for earlier samples
  std::map<std::size_t, Json> started; // on a worker, not finished: their ids
  std::size_t next_seq = 0, next_emit = 0;
  bool input_done = false;
  bool gave_up = false;
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
      started.emplace(seq, parsed.id);
      m.workers[w]->Start(run, seq, std::move(parsed.id), std::move(parsed.sample).value(), until);
    }
    hand_out();
    if (input_done && next_emit == next_seq) break;
    // Handing out made room: fill the window before waiting, or samples already waiting (for
    // a judge that answers in batches, say) could wait for companions never sent.
    if (!input_done && next_seq - next_emit < m.options.window) continue;
    if (started.empty()) continue;  // nothing in flight; read more input
    finished.clear();
    m.outbox->WaitDrain(finished, give_up);
    for (detail::Finished& f : finished) {
      if (f.run != run) continue;  // a sample an earlier Run already answered for
      --load[f.worker];
      started.erase(f.seq);
      ready.emplace(f.seq, std::move(f.score));
    }
    if (!started.empty() && Clock::now() >= give_up) {
      // Workers that have not reported by now are inside native code that no limit reaches:
      // the engine answers for their samples, and replaces them at the next Run.
      for (auto& [seq, id] : started) {
        ready.emplace(seq, Score::Failed(std::move(id), neutral, ErrorKind::kDeadline,
                                         "the deadline passed while the sample was in code that could "
                                         "not be interrupted; its worker is replaced"));
      }
      started.clear();
      std::fill(load.begin(), load.end(), 0);
      gave_up = true;
    }
  }
  // Samples a worker still holds (it was stuck) are dropped when it comes back.
  if (gave_up) {
    for (auto& worker : m.workers) worker->Cancel(run);
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
