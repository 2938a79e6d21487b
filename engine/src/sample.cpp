#include "gavel/sample.h"

#include <algorithm>
#include <utility>

#include "gavel/score.h"

namespace gavel {
namespace {

// A Converse user turn that carries tool results and no text: Converse has no "tool" role, so
// results go back in a user turn (see the toolResult content block in the Bedrock API reference).
bool OnlyReturnsToolResults(const Message& message) {
  return message.content.empty() && !message.parts.empty() &&
         std::all_of(message.parts.begin(), message.parts.end(), [](const Json& part) {
           const auto type = part.find("type");
           return type != part.end() && *type == "toolResult";
         });
}

}  // namespace

std::string_view Sample::prompt() const {
  // Guarded so that a hand-built sample with an out-of-range answer_index cannot read past the end.
  const std::size_t end = std::min(answer_index, messages.size());
  for (std::size_t i = end; i > 0; --i) {
    const Message& message = messages[i - 1];
    if (message.role == "user" && !OnlyReturnsToolResults(message)) return message.content;
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
