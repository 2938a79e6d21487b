#include "gavel/offline/result_sink.h"

#include <utility>

#include "gavel/sample_io.h"

namespace gavel::offline {

std::string IdKey(const Json& id) { return id.dump(-1, ' ', false, Json::error_handler_t::replace); }

ResultLineSink::ResultLineSink(std::ostream& out, std::string name) : out_(out), name_(std::move(name)) {
  options_.judgements = true;
}

void ResultLineSink::Expect(SampleOrigin origin) { pending_.push_back(std::move(origin)); }

void ResultLineSink::WriteScore(const Score& score) {
  if (pending_.empty()) {
    // The engine hands out one score per sample it was given; anything else is a bug, and a
    // line with a made-up index would corrupt the file for resuming.
    if (!error_) error_ = Error(ErrorKind::kInternal, "a score for " + IdKey(score.id) + " came for no sample started");
    return;
  }
  SampleOrigin p = std::move(pending_.front());
  pending_.pop_front();
  line_.clear();
  line_ += "{\"index\":";
  line_ += std::to_string(p.index);
  line_ += ",\"id\":";
  line_ += IdKey(score.id);
  line_ += ",\"output\":";
  line_ += std::to_string(p.output);
  line_ += ",\"answer_bytes\":";
  line_ += std::to_string(p.answer_bytes);
  line_ += ",\"answer\":";
  line_ += Json(p.answer).dump();
  line_ += ",\"probe\":";
  line_ += p.probe.dump();
  line_ += ",\"score\":";
  line_ += ScoreToJsonLine(score, options_);
  line_ += "}\n";
  out_ << line_;
  if (++written_ % 64 == 0) out_.flush();
}

Status ResultLineSink::FinishOutput() {
  out_.flush();
  if (error_) return *error_;
  if (!out_) return Error(ErrorKind::kIo, "writing " + name_ + " failed");
  return Status();
}

}  // namespace gavel::offline
