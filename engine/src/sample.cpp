#include "gavel/sample.h"

#include <algorithm>
#include <utility>

#include "gavel/score.h"

namespace gavel {

std::string_view Sample::prompt() const {
  // Guarded so that a hand-built sample with an out-of-range answer_index cannot read past the end.
  const std::size_t end = std::min(answer_index, messages.size());
  for (std::size_t i = end; i > 0; --i) {
    if (messages[i - 1].role == "user") return messages[i - 1].content;
  }
  return {};
}

std::string_view Sample::system() const {
  for (const Message& message : messages) {
    if (message.role == "system") return message.content;
  }
  return {};
}

Score Score::Failed(Json id, double neutral_reward, ErrorKind kind, std::string message) {
  Score score;
  score.id = std::move(id);
  score.reward = neutral_reward;
  score.neutral = true;
  score.metrics.push_back(Metric{"error." + std::string(ErrorKindName(kind)), 1.0, MetricType::kMetric});
  score.errors.push_back(ScoreError{kind, std::move(message)});
  return score;
}

}  // namespace gavel
