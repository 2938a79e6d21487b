// Length penalty shapes: a pure function from a measured length (in any unit) to a multiplier in
// [0, 1] that is 1 inside the band [min, max] and falls off outside it, hard, linearly or
// smoothly.  Build one with a validating factory, then call Score(length); immutable, thread-safe.
//
//   auto concise = LengthPenalty::Linear(0, 600, 0, 1400);   // 1 up to 600, 0 from 2000 on
//   double s = concise->Score(double(answer.size()));
#pragma once

#include <string_view>

#include "gavel/status.h"

namespace gavel::text {

enum class PenaltyShape {
  kHard,      // 1 inside [min, max], 0 outside
  kLinear,    // 1 inside; outside, 1 - d / margin, floored at 0 (d = distance to the band)
  kGaussian,  // 1 inside; outside, exp(-d^2 / (2 scale^2)): 0.61 at d = scale, 0.14 at 2 scale
};

std::string_view PenaltyShapeName(PenaltyShape shape);  // "hard", "linear", "gaussian"

class LengthPenalty {
 public:
  // Bounds may be infinite (min = 0 or max = +inf for one-sided bands) but not NaN, and need
  // min <= max.  Margins and scales are per side, finite and >= 0; 0 makes that side hard.
  // Every factory returns ErrorKind::kBadRubric with a message naming the bad parameter.
  static Result<LengthPenalty> Hard(double min, double max);
  static Result<LengthPenalty> Linear(double min, double max, double margin_below,
                                      double margin_above);
  static Result<LengthPenalty> Gaussian(double min, double max, double scale_below,
                                        double scale_above);

  // The multiplier for a measured length, in [0, 1]; a NaN length scores 0.
  double Score(double length) const;

  PenaltyShape shape() const { return shape_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double below() const { return below_; }  // margin or scale below min (0 for kHard)
  double above() const { return above_; }  // margin or scale above max (0 for kHard)

 private:
  LengthPenalty(PenaltyShape shape, double min, double max, double below, double above)
      : shape_(shape), min_(min), max_(max), below_(below), above_(above) {}
  static Result<LengthPenalty> Make(PenaltyShape shape, double min, double max, double below,
                                    double above);

  PenaltyShape shape_;
  double min_;
  double max_;
  double below_;
  double above_;
};

}  // namespace gavel::text
