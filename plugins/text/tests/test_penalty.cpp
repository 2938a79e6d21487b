#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "gavel/text/penalty.h"

using namespace gavel::text;
using gavel::ErrorKind;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void RequireBadRubric(const gavel::Result<LengthPenalty>& r, const char* fragment) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == ErrorKind::kBadRubric);
  CHECK_THAT(r.error().message(), Catch::Contains(fragment));
}
}  // namespace

TEST_CASE("Hard penalty is 1 inside [min, max] and 0 outside", "[penalty]") {
  const auto p = LengthPenalty::Hard(10, 20);
  REQUIRE(p.ok());
  CHECK(p->shape() == PenaltyShape::kHard);
  CHECK(p->Score(9.99) == 0);
  CHECK(p->Score(10) == 1);
  CHECK(p->Score(15) == 1);
  CHECK(p->Score(20) == 1);
  CHECK(p->Score(20.01) == 0);
  CHECK(p->Score(kNaN) == 0);
}

TEST_CASE("Linear penalty falls to 0 over each side's margin", "[penalty]") {
  // Band [10, 20], margin 5 below and 10 above.
  const auto p = LengthPenalty::Linear(10, 20, 5, 10);
  REQUIRE(p.ok());
  CHECK(p->Score(15) == 1);
  CHECK(p->Score(7.5) == Approx(0.5));   // 2.5 below: 1 - 2.5 / 5
  CHECK(p->Score(9) == Approx(0.8));     // 1 below: 1 - 1 / 5
  CHECK(p->Score(5) == 0);               // a full margin below
  CHECK(p->Score(0) == 0);               // beyond the margin: floored at 0
  CHECK(p->Score(25) == Approx(0.5));    // 5 above: 1 - 5 / 10
  CHECK(p->Score(30) == 0);
  CHECK(p->Score(1e9) == 0);
  // The bundled maths rubric's "concise" check: 1 up to 600 bytes, 0 at 2000.
  const auto concise = LengthPenalty::Linear(0, 600, 0, 1400);
  REQUIRE(concise.ok());
  CHECK(concise->Score(1300) == Approx(0.5));  // 1 - 700 / 1400
  CHECK(concise->Score(2000) == 0);
}

TEST_CASE("A zero margin makes that side hard, an infinite max makes a one-sided band",
          "[penalty]") {
  const auto p = LengthPenalty::Linear(10, kInf, 0, 0);
  REQUIRE(p.ok());
  CHECK(p->Score(9.5) == 0);
  CHECK(p->Score(1e300) == 1);
  CHECK(p->Score(kInf) == 1);
}

TEST_CASE("Gaussian penalty has exp(-d^2 / 2 s^2) tails", "[penalty]") {
  const auto p = LengthPenalty::Gaussian(10, 20, 2, 4);
  REQUIRE(p.ok());
  CHECK(p->shape() == PenaltyShape::kGaussian);
  CHECK(p->Score(12) == 1);
  CHECK(p->Score(8) == Approx(std::exp(-0.5)));   // d = 2 = one scale: 0.6065
  CHECK(p->Score(28) == Approx(std::exp(-2.0)));  // d = 8 = two scales: 0.1353
  CHECK(p->Score(10 - 1e-9) == Approx(1.0));      // continuous at the edge
  const auto hard_below = LengthPenalty::Gaussian(10, 20, 0, 4);
  REQUIRE(hard_below.ok());
  CHECK(hard_below->Score(9.9) == 0);
}

TEST_CASE("Penalty parameters are validated", "[penalty]") {
  RequireBadRubric(LengthPenalty::Hard(20, 10), "min (20) is greater than max (10)");
  RequireBadRubric(LengthPenalty::Hard(kNaN, 10), "min is NaN");
  RequireBadRubric(LengthPenalty::Hard(0, kNaN), "max is NaN");
  RequireBadRubric(LengthPenalty::Linear(0, 10, -1, 0), "margin below min must be finite and >= 0");
  RequireBadRubric(LengthPenalty::Linear(0, 10, 0, -0.5), "margin above max must be finite");
  RequireBadRubric(LengthPenalty::Linear(0, 10, kInf, 0), "margin below min");
  RequireBadRubric(LengthPenalty::Gaussian(0, 10, 1, kNaN), "scale above max");
  RequireBadRubric(LengthPenalty::Gaussian(5, 1, 1, 1), "gaussian length penalty");
}

TEST_CASE("Penalty shape names", "[penalty]") {
  CHECK(PenaltyShapeName(PenaltyShape::kHard) == "hard");
  CHECK(PenaltyShapeName(PenaltyShape::kLinear) == "linear");
  CHECK(PenaltyShapeName(PenaltyShape::kGaussian) == "gaussian");
}
