#include "gavel/score_sink.h"

#include <utility>

namespace gavel {

void ScoreSink::Write(const Score& score) {
  totals_.Add(score);
  WriteScore(score);
}

Status ScoreSink::Finish() {
  if (!finished_) finished_ = FinishOutput();
  return *finished_;
}

JsonLinesSink::JsonLinesSink(std::ostream& out, WriteOptions options, Layout layout)
    : out_(out), options_(options), layout_(layout) {
  if (layout_ == Layout::kArray) out_ << '[';
}

void JsonLinesSink::WriteScore(const Score& score) {
  if (layout_ == Layout::kArray) out_ << (first_ ? "\n" : ",\n");
  out_ << ScoreToJsonLine(score, options_);
  if (layout_ == Layout::kLines) out_ << '\n';
  first_ = false;
}

Status JsonLinesSink::FinishOutput() {
  if (layout_ == Layout::kArray) out_ << (first_ ? "]\n" : "\n]\n");
  out_.flush();
  if (!out_) return Error(ErrorKind::kIo, "writing the scores failed");
  return Status();
}

NovaResponseSink::NovaResponseSink(WriteOptions options) : options_(options) {}

void NovaResponseSink::WriteScore(const Score& score) {
  if (!first_) body_ += ',';
  body_ += ScoreToJsonLine(score, options_);
  first_ = false;
}

Status NovaResponseSink::FinishOutput() {
  body_ += ']';
  return Status();
}

std::string NovaResponseSink::TakeBody() { return std::exchange(body_, std::string()); }

}  // namespace gavel
