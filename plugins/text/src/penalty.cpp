#include "gavel/text/penalty.h"

#include <cmath>
#include <string>

namespace gavel::text {
namespace {

Error Bad(std::string_view shape, const std::string& what) {
  return Error(ErrorKind::kBadRubric, std::string(shape) + " length penalty: " + what);
}

std::string Num(double v) {
  std::string s = std::to_string(v);
  // to_string prints six decimals; trim the zeros for readable messages.
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

// The score at distance d > 0 outside the band on a side with the given margin or scale.
double Falloff(PenaltyShape shape, double d, double width) {
  if (shape == PenaltyShape::kHard || width == 0) return 0;
  if (shape == PenaltyShape::kLinear) return d >= width ? 0 : 1 - d / width;
  const double z = d / width;
  return std::exp(-0.5 * z * z);
}

}  // namespace

std::string_view PenaltyShapeName(PenaltyShape shape) {
  switch (shape) {
    case PenaltyShape::kHard: return "hard";
    case PenaltyShape::kLinear: return "linear";
    case PenaltyShape::kGaussian: return "gaussian";
  }
  return "unknown";
}

Result<LengthPenalty> LengthPenalty::Make(PenaltyShape shape, double min, double max,
                                          double below, double above) {
  const std::string_view name = PenaltyShapeName(shape);
  const char* width = shape == PenaltyShape::kGaussian ? "scale" : "margin";
  if (std::isnan(min)) return Bad(name, "min is NaN");
  if (std::isnan(max)) return Bad(name, "max is NaN");
  if (min > max) return Bad(name, "min (" + Num(min) + ") is greater than max (" + Num(max) + ")");
  if (!std::isfinite(below) || below < 0) {
    return Bad(name, std::string(width) + " below min must be finite and >= 0, got " + Num(below));
  }
  if (!std::isfinite(above) || above < 0) {
    return Bad(name, std::string(width) + " above max must be finite and >= 0, got " + Num(above));
  }
  return LengthPenalty(shape, min, max, below, above);
}

Result<LengthPenalty> LengthPenalty::Hard(double min, double max) {
  return Make(PenaltyShape::kHard, min, max, 0, 0);
}

Result<LengthPenalty> LengthPenalty::Linear(double min, double max, double margin_below,
                                            double margin_above) {
  return Make(PenaltyShape::kLinear, min, max, margin_below, margin_above);
}

Result<LengthPenalty> LengthPenalty::Gaussian(double min, double max, double scale_below,
                                              double scale_above) {
  return Make(PenaltyShape::kGaussian, min, max, scale_below, scale_above);
}

double LengthPenalty::Score(double length) const {
  if (std::isnan(length)) return 0;
  if (length < min_) return Falloff(shape_, min_ - length, below_);
  if (length > max_) return Falloff(shape_, length - max_, above_);
  return 1;
}

}  // namespace gavel::text
