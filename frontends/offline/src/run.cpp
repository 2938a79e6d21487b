#include "gavel/offline/run.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gavel/offline/result_sink.h"
#include "gavel/safety/rule_pack.h"
#include "gavel/sample_io.h"
#include "gavel/utf8.h"

namespace gavel::offline {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string Duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  }
  return text;
}

}  // namespace

Progress::Progress(std::string label, std::size_t total, std::FILE* out)
    : label_(std::move(label)), total_(total), out_(out), tty_(out != nullptr && isatty(fileno(out)) == 1) {}

std::string Progress::Line(std::size_t done, double seconds) const {
  const double rate = seconds > 0 ? static_cast<double>(done - std::min(done, first_)) / seconds : 0;
  char text[256];
  if (total_ == 0) {
    std::snprintf(text, sizeof text, "%s  %zu  %.1f/s", label_.c_str(), done, rate);
    return text;
  }
  const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  constexpr int kWidth = 24;
  std::string bar(kWidth, '.');
  std::fill_n(bar.begin(), static_cast<int>(share * kWidth), '#');
  const double left = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : NAN;
  std::snprintf(text, sizeof text, "%s  [%s]  %zu/%zu  %3.0f%%  %.1f/s  %s left", label_.c_str(), bar.c_str(), done,
                total_, share * 100, rate, Duration(left).c_str());
  return text;
}

void Progress::Update(std::size_t done) {
  if (out_ == nullptr) return;
  const auto now = Clock::now();
  if (!started_) {
    started_ = true;
    first_ = done;
    start_ = last_ = now;
    if (!tty_) std::fprintf(out_, "%s\n", Line(done, 0).c_str());
    return;
  }
  // A terminal redraws its bar ten times a second; a log gets a line every 5 seconds.
  const auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (now - last_ < every) return;
  last_ = now;
  const std::string line = Line(done, std::chrono::duration<double>(now - start_).count());
  if (tty_) {
    std::fprintf(out_, "\r%s\033[K", line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void Progress::Finish(std::size_t done) {
  if (out_ == nullptr) return;
  if (!started_) Update(done);
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  std::string line = Line(done, seconds);
  if (const std::size_t cut = line.rfind("  "); total_ != 0 && cut != std::string::npos) {
    line = line.substr(0, cut) + "  done in " + Duration(seconds);
  }
  std::fprintf(out_, tty_ ? "\r%s\033[K\n" : "%s\n", line.c_str());
  std::fflush(out_);
}

std::string Excerpt(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = Utf8SequenceLength(text, i);
    const std::size_t take = n == 0 ? 1 : n;
    const std::size_t adds = n == 0 ? 3 : n;  // U+FFFD is 3 bytes
    if (out.size() + adds > max_bytes) break;
    if (n == 0) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(text.substr(i, n));
    }
    i += take;
  }
  if (i < text.size()) out += "\xE2\x80\xA6";
  return out;
}

Result<std::size_t> CountSamples(const fs::path& input) {
  std::ifstream in(input, std::ios::binary);
  if (!in) return Error(ErrorKind::kIo, "cannot read " + input.string());
  std::size_t count = 0;
  bool blank = true;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      const char c = buffer[i];
      if (c == '\n') {
        if (!blank) ++count;
        blank = true;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        blank = false;
      }
    }
  }
  if (!blank) ++count;
  return count;
}

Result<ScoreFileReport> ScoreFile(Engine& engine, const ScoreFileOptions& options) {
  const auto started = Clock::now();
  ScoreFileReport report;
  Result<std::size_t> total = CountSamples(options.input);
  if (!total) return total.error();
  report.total = *total;

  // Lines already written: whole lines whose index follows on; anything after them is cut off.
  std::vector<Json> done_ids;
  std::uintmax_t keep_bytes = 0;
  std::error_code ec;
  if (options.resume && fs::exists(options.results, ec)) {
    std::ifstream old(options.results, std::ios::binary);
    std::string line;
    std::uintmax_t offset = 0;
    while (std::getline(old, line)) {
      if (old.eof()) break;  // no newline: a line cut short
      Json j = Json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("index") || j["index"] != done_ids.size()) break;
      done_ids.push_back(j.value("id", Json()));
      offset += line.size() + 1;
      keep_bytes = offset;
    }
  }
  report.resumed = done_ids.size();
  if (report.resumed > report.total) {
    return Error(ErrorKind::kIo, options.results.string() + " holds " + std::to_string(report.resumed) +
                                                   " results but " + options.input.string() + " has only " +
                                                   std::to_string(report.total) + " samples: it belongs to another input");
  }
  if (!options.results.parent_path().empty()) fs::create_directories(options.results.parent_path(), ec);
  if (report.resumed > 0) {
    fs::resize_file(options.results, keep_bytes, ec);
    if (ec) return Error(ErrorKind::kIo, "cannot resume " + options.results.string() + ": " + ec.message());
  }
  std::ofstream out(options.results, std::ios::binary | (report.resumed > 0 ? std::ios::app : std::ios::trunc));
  if (!out) return Error(ErrorKind::kIo, "cannot write " + options.results.string());
  ResultLineSink sink(out, options.results.string());

  std::ifstream in(options.input, std::ios::binary);
  if (!in) return Error(ErrorKind::kIo, "cannot read " + options.input.string());
  JsonlReader reader(in);
  std::unordered_map<std::string, std::size_t> outputs;  // id -> outputs seen
  Progress progress(options.label, report.total, options.progress);
  std::size_t written = report.resumed;
  std::optional<Error> failure;

  auto next = [&](ParsedSample& s) -> bool {
    for (;;) {
      if (failure || !reader.Next(s)) return false;
      const std::size_t output = ++outputs[IdKey(s.id)];
      if (s.index < report.resumed) {
        if (s.id != done_ids[s.index]) {
          failure = Error(ErrorKind::kIo,
                          options.results.string() + " does not belong to " + options.input.string() + ": result " +
                              std::to_string(s.index + 1) + " has id " + IdKey(done_ids[s.index]) +
                              ", the input has " + IdKey(s.id) + "; delete the results to start over");
          return false;
        }
        continue;
      }
      SampleOrigin p;
      p.index = s.index;
      p.output = output;
      if (s.sample) {
        const std::string_view answer = s.sample->answer();
        p.answer_bytes = answer.size();
        p.answer = Excerpt(answer, 300);
        if (options.probe != nullptr) {
          if (auto scan = options.probe->Scan(answer)) {
            for (const auto& hit : scan->hits) p.probe.push_back(hit.pack + "." + hit.rule);
          }
        }
      }
      sink.Expect(std::move(p));
      return true;
    }
  };
  auto emit = [&](Score&& score) {
    sink.Write(score);
    progress.Update(++written);
  };
  progress.Update(written);
  engine.Run(next, emit);
  const Status finished = sink.Finish();
  report.totals = sink.totals();
  report.scored = report.totals.samples;
  if (failure) return *failure;
  if (reader.error()) return *reader.error();
  if (!finished) return finished.error();
  progress.Finish(written);
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace gavel::offline
