// Tests of the offline tool's statistics: expected values come from published worked examples
// (cited at each test) or from hand computations written out in the comments.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/offline/stats.h"

namespace gavel::offline::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Two raters' labels from a contingency table: table[i][j] items that rater a put in category
// categories[i] and rater b in categories[j].
struct Ratings {
  std::vector<int> a;
  std::vector<int> b;
};
Ratings FromTable(const std::vector<std::vector<int>>& table, const std::vector<int>& categories) {
  Ratings out;
  for (std::size_t i = 0; i < table.size(); ++i) {
    for (std::size_t j = 0; j < table[i].size(); ++j) {
      for (int k = 0; k < table[i][j]; ++k) {
        out.a.push_back(categories[i]);
        out.b.push_back(categories[j]);
      }
    }
  }
  return out;
}

// Synthetic data for the coverage tests, from std::mt19937_64 (whose output the standard fixes)
// rather than std::normal_distribution (whose algorithm it does not), so that the data and hence
// the observed coverage are the same with every standard library.
class Synthetic {
 public:
  explicit Synthetic(std::uint64_t seed) : engine_(seed) {}
  // Uniform in (0, 1): 53 random bits, shifted off zero by half a step.
  double Uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal by the Box-Muller transform (one of the pair is used).
  double Normal() {
    const double radius = std::sqrt(-2.0 * std::log(Uniform()));
    return radius * std::cos(2.0 * std::numbers::pi * Uniform());
  }
  // Exponential with rate 1 (mean 1, skewness 2) by inversion.
  double Exponential() { return -std::log(Uniform()); }

 private:
  std::mt19937_64 engine_;
};

TEST_CASE("Mean, StdDev and Median of known samples", "[stats]") {
  // The standard example of a standard deviation: 2, 4, 4, 4, 5, 5, 7, 9 has mean 40 / 8 = 5 and
  // squared deviations 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32, so the sample sd is sqrt(32 / 7).
  const std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};
  CHECK(Mean(v) == 5.0);
  CHECK(StdDev(v) == Approx(std::sqrt(32.0 / 7.0)).epsilon(1e-14));

  // A constant sample has exactly its value as mean (0.1 summed ten times and divided by ten
  // would not) and zero spread.
  const std::vector<double> constant(10, 0.1);
  CHECK(Mean(constant) == 0.1);
  CHECK(StdDev(constant) == 0.0);

  CHECK(Median({3.0, 1.0, 2.0}) == 2.0);            // odd: the middle of 1, 2, 3
  CHECK(Median({4.0, 1.0, 3.0, 2.0}) == 2.5);       // even: (2 + 3) / 2
  CHECK(Median({7.0}) == 7.0);
  CHECK(Median({-1.0, 10.0, 10.0, 10.0}) == 10.0);  // (10 + 10) / 2
}

TEST_CASE("Mean, StdDev and Median are NaN when not computable", "[stats]") {
  const std::vector<double> empty;
  const std::vector<double> one{3.0};
  CHECK(std::isnan(Mean(empty)));
  CHECK(std::isnan(StdDev(empty)));
  CHECK(std::isnan(StdDev(one)));
  CHECK(std::isnan(Median({})));
  CHECK(std::isnan(Median({1.0, kNaN, 2.0})));
}

TEST_CASE("NormalQuantile matches published normal table values", "[stats]") {
  // Standard normal quantiles to six decimals, as printed in tables of the normal distribution.
  CHECK(NormalQuantile(0.975) == Approx(1.959964).margin(1e-6));
  CHECK(NormalQuantile(0.995) == Approx(2.575829).margin(1e-6));
  CHECK(NormalQuantile(0.95) == Approx(1.644854).margin(1e-6));
  CHECK(NormalQuantile(0.999) == Approx(3.090232).margin(1e-6));
  CHECK(NormalQuantile(0.5) == 0.0);
}

TEST_CASE("NormalQuantile is symmetric and handles the ends of [0, 1]", "[stats]") {
  for (double p : {1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.025, 0.1, 0.3, 0.45}) {
    // 1 - p rounds; q and 1 - q are an exact complementary pair (1 - q is exact for q >= 0.5).
    const double q = 1.0 - p;
    const double lower = 1.0 - q;
    INFO("q = " << q);
    CHECK(NormalQuantile(q) == Approx(-NormalQuantile(lower)).epsilon(1e-12));
    CHECK(NormalQuantile(lower) < 0.0);
  }
  // Deep in the tail, where the rational approximation switches form: Phi(-6.361341) = 1e-10
  // (normal table value).
  CHECK(NormalQuantile(1e-10) == Approx(-6.361341).margin(1e-6));
  CHECK(NormalQuantile(0.0) == -kInf);
  CHECK(NormalQuantile(1.0) == kInf);
  CHECK(std::isnan(NormalQuantile(-0.1)));
  CHECK(std::isnan(NormalQuantile(1.5)));
  CHECK(std::isnan(NormalQuantile(kNaN)));
}

TEST_CASE("Proportion gives the published Wilson interval", "[stats]") {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score without
  // continuity correction): 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605.
  const Interval p = Proportion(81, 263);
  CHECK(p.estimate == Approx(81.0 / 263.0));
  CHECK(p.lo == Approx(0.2553).margin(5e-5));
  CHECK(p.hi == Approx(0.3662).margin(5e-5));
  CHECK(p.n == 263);

  const Interval q = Proportion(15, 148);
  CHECK(q.lo == Approx(0.0624).margin(5e-5));
  CHECK(q.hi == Approx(0.1605).margin(5e-5));
}

TEST_CASE("Proportion stays inside [0, 1] at 0 of n and n of n", "[stats]") {
  // With p = 0 the Wilson bounds are (z^2/2n -+ z^2/2n) / (1 + z^2/n): lo = 0 and
  // hi = z^2 / (n + z^2). For n = 20, z = 1.959964: 3.841459 / 23.841459 = 0.161125
  // (Newcombe 1998, Table II, 0/20: 0.0000 to 0.1611). n of n mirrors it.
  const Interval none = Proportion(0, 20);
  CHECK(none.estimate == 0.0);
  CHECK(none.lo == 0.0);
  CHECK(none.hi == Approx(0.161125).margin(1e-6));

  const Interval all = Proportion(20, 20);
  CHECK(all.estimate == 1.0);
  CHECK(all.hi == 1.0);
  CHECK(all.lo == Approx(1.0 - 0.161125).margin(1e-6));

  for (std::size_t n : {1u, 2u, 5u, 1000u}) {
    for (std::size_t s : {std::size_t{0}, n}) {
      const Interval i = Proportion(s, n);
      INFO(s << " of " << n);
      CHECK(i.lo >= 0.0);
      CHECK(i.hi <= 1.0);
      CHECK(i.lo <= i.estimate);
      CHECK(i.estimate <= i.hi);
    }
  }
}

TEST_CASE("Proportion is NaN when not computable", "[stats]") {
  const Interval empty = Proportion(0, 0);
  CHECK(std::isnan(empty.estimate));
  CHECK(std::isnan(empty.lo));
  CHECK(std::isnan(empty.hi));
  CHECK(std::isnan(Proportion(5, 4).estimate));
  CHECK(std::isnan(Proportion(1, 4, 1.0).lo));
}

TEST_CASE("PassAtK matches hand-computed values", "[stats]") {
  // n = 4, c = 1, k = 1: 1 - C(3,1)/C(4,1) = 1 - 3/4 = 0.25.
  CHECK(PassAtK(4, 1, 1) == Approx(0.25));
  // n = 4, c = 1, k = 2: 1 - C(3,2)/C(4,2) = 1 - 3/6 = 0.5.
  CHECK(PassAtK(4, 1, 2) == Approx(0.5));
  // n = 10, c = 3, k = 5: 1 - C(7,5)/C(10,5) = 1 - 21/252 = 11/12.
  CHECK(PassAtK(10, 3, 5) == Approx(1.0 - 21.0 / 252.0));
  // k = 1 is the plain pass rate c / n: 1 - C(n-c,1)/C(n,1) = 1 - (n - c)/n.
  CHECK(PassAtK(200, 37, 1) == Approx(37.0 / 200.0));
  // No passing output: C(n,k)/C(n,k) = 1, so pass@k = 0 for every k.
  CHECK(PassAtK(10, 0, 1) == 0.0);
  CHECK(PassAtK(10, 0, 10) == 0.0);
  // n - c < k: every k-subset contains a passing output.
  CHECK(PassAtK(10, 8, 3) == 1.0);
  CHECK(PassAtK(5, 5, 1) == 1.0);
}

TEST_CASE("PassAtK stays finite for large n and rejects k > n", "[stats]") {
  // C(200, 100) is about 9e58, far beyond exact integers; the product form stays in [0, 1].
  const double large = PassAtK(200, 10, 100);
  CHECK(std::isfinite(large));
  CHECK(large >= 0.0);
  CHECK(large <= 1.0);
  // Ten passing outputs among 200, half of them drawn: the chance of missing all ten is
  // prod_{i=191}^{200} (1 - 100/i) < (1/2)^10, so pass@100 exceeds 1 - 1/1024.
  CHECK(large > 1.0 - 1.0 / 1024.0);
  // pass@k grows with k.
  CHECK(PassAtK(200, 10, 10) < PassAtK(200, 10, 50));
  CHECK(PassAtK(200, 10, 50) < large);

  CHECK(std::isnan(PassAtK(4, 1, 5)));
  CHECK(std::isnan(PassAtK(4, 5, 1)));
}

TEST_CASE("CohensKappa on published 2x2 and 3x3 examples", "[stats]") {
  // Wikipedia, "Cohen's kappa", worked example: 50 proposals, yes/yes 20, yes/no 5, no/yes 10,
  // no/no 15. p_o = 35/50 = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.2 / 0.5 = 0.4.
  const Ratings two = FromTable({{20, 5}, {10, 15}}, {1, 0});
  CHECK(CohensKappa(two.a, two.b) == Approx(0.4).epsilon(1e-12));

  // SAS PROC FREQ simple kappa output for the 3x3 table below, 0.4842 (as recorded in statsmodels'
  // inter-rater tests). By hand: n = 19, p_o = 13/19; row totals 5, 8, 6 and column totals 0, 13, 6
  // give p_e = (0 + 104 + 36) / 361 = 140/361; kappa = (247 - 140) / (361 - 140) = 107/221.
  const Ratings three = FromTable({{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}, {1, 2, 3});
  CHECK(CohensKappa(three.a, three.b) == Approx(0.4842).margin(5e-5));
  CHECK(CohensKappa(three.a, three.b) == Approx(107.0 / 221.0).epsilon(1e-12));

  // Stata Base Reference Manual, [R] kappa: two radiologists rating 85 xeromammograms as normal,
  // benign, suspected cancer, cancer (Altman 1991, from Boyd et al. 1982): kappa = 0.4728.
  const Ratings four =
      FromTable({{21, 12, 0, 0}, {4, 17, 1, 0}, {3, 9, 15, 2}, {0, 0, 0, 1}}, {1, 2, 3, 4});
  CHECK(CohensKappa(four.a, four.b) == Approx(0.4728).margin(5e-5));
}

TEST_CASE("CohensKappa at perfect and at chance agreement", "[stats]") {
  const std::vector<int> labels{3, -1, 7, 7, 3, 0, -1, 7};
  CHECK(CohensKappa(labels, labels) == 1.0);

  // Independent-looking by construction: p_o = 2/4 and p_e = 0.5 * 0.5 + 0.5 * 0.5 = 0.5.
  const std::vector<int> a{0, 0, 1, 1};
  const std::vector<int> b{0, 1, 0, 1};
  CHECK(CohensKappa(a, b) == 0.0);

  // Two independent raters over three categories: kappa has sd about 1/sqrt(n) = 0.003 at
  // n = 100000, so |kappa| < 0.02 is a six-sd margin.
  std::mt19937_64 engine(2021);
  std::vector<int> x(100000);
  std::vector<int> y(100000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<int>(engine() % 3);
    y[i] = static_cast<int>(engine() % 3);
  }
  CHECK(std::fabs(CohensKappa(x, y)) < 0.02);
}

TEST_CASE("CohensKappa is NaN when undefined and rejects mismatched lengths", "[stats]") {
  const std::vector<int> empty;
  CHECK(std::isnan(CohensKappa(empty, empty)));
  // Both raters constant and equal: p_o = p_e = 1, kappa = 0 / 0.
  const std::vector<int> constant(5, 2);
  CHECK(std::isnan(CohensKappa(constant, constant)));
  // One rater constant, the other not: p_e = p_o, so kappa = 0 (defined).
  const std::vector<int> varied{2, 2, 1, 2, 3};
  CHECK(CohensKappa(constant, varied) == 0.0);

  const std::vector<int> shorter{2, 2};
  CHECK_THROWS_AS(CohensKappa(constant, shorter), std::invalid_argument);
}

TEST_CASE("WeightedKappa on published examples", "[stats]") {
  // Stata Base Reference Manual, [R] kappa, the same radiologist table with wgt(w), the linear
  // weights 1 - |i - j| / (k - 1): agreement 86.67%, expected 69.11%, kappa = 0.5684.
  const Ratings four =
      FromTable({{21, 12, 0, 0}, {4, 17, 1, 0}, {3, 9, 15, 2}, {0, 0, 0, 1}}, {1, 2, 3, 4});
  CHECK(WeightedKappa(four.a, four.b, 1, 4, Weights::kLinear) == Approx(0.5684).margin(5e-5));

  // SAS PROC FREQ weighted kappa with Cicchetti-Allison (linear) weights for the 3x3 table of the
  // previous test case: 0.4701 (as recorded in statsmodels' inter-rater tests).
  const Ratings three = FromTable({{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}, {1, 2, 3});
  CHECK(WeightedKappa(three.a, three.b, 1, 3, Weights::kLinear) == Approx(0.4701).margin(5e-5));

  // Maple EssayTools[QuadraticWeightedKappa] help page, examples 1 and 2 (minimum and maximum
  // taken from the data): 0.758620689655172 and 0.438095238095238.
  const std::vector<int> first{9, 7, 8, 7, 6, 8, 3, 5, 10};
  const std::vector<int> second{8, 8, 6, 6, 7, 6, 1, 4, 8};
  const std::vector<int> third{3, 5, 6, 6, 7, 6, 1, 4, 8};
  CHECK(WeightedKappa(first, second, 1, 10, Weights::kQuadratic) == Approx(0.758620689655172).epsilon(1e-12));
  CHECK(WeightedKappa(first, third, 1, 10, Weights::kQuadratic) == Approx(0.438095238095238).epsilon(1e-12));
  // The scale's normalisation cancels, so a wider valid scale leaves kappa unchanged.
  CHECK(WeightedKappa(first, second, 0, 20) == Approx(0.758620689655172).epsilon(1e-12));
}

TEST_CASE("WeightedKappa matches a hand computation on a small table", "[stats]") {
  // Scale 1..3, four items rated (a, b): (1,1), (2,3), (3,3), (3,2).
  // Marginals: a has 1, 1, 2 of categories 1, 2, 3 and b the same, n = 4.
  // Quadratic disagreement weights (i - j)^2:
  //   observed  sum w * O = 0 + 1 + 0 + 1 = 2
  //   expected  sum_ij w_ij r_i c_j / n, with r = c = (1, 1, 2):
  //             row 1: 1*1*1 + 1*2*4 = 9; row 2: 1*1*1 + 1*2*1 = 3; row 3: 2*1*4 + 2*1*1 = 10;
  //             (9 + 3 + 10) / 4 = 5.5
  //   kappa_q = 1 - 2 / 5.5 = 7/11.
  // Linear weights |i - j|: observed 2; expected (1*1*1 + 1*2*2) + (1*1*1 + 1*2*1) +
  //   (2*1*2 + 2*1*1) = 5 + 3 + 6 = 14, / 4 = 3.5; kappa_l = 1 - 2 / 3.5 = 3/7.
  // Unweighted: p_o = 2/4, p_e = (1 + 1 + 4)/16 = 3/8; kappa = (1/2 - 3/8) / (5/8) = 1/5.
  const std::vector<int> a{1, 2, 3, 3};
  const std::vector<int> b{1, 3, 3, 2};
  CHECK(WeightedKappa(a, b, 1, 3, Weights::kQuadratic) == Approx(7.0 / 11.0).epsilon(1e-12));
  CHECK(WeightedKappa(a, b, 1, 3, Weights::kLinear) == Approx(3.0 / 7.0).epsilon(1e-12));
  CHECK(CohensKappa(a, b) == Approx(0.2).epsilon(1e-12));
  // Swapping the raters transposes the table; symmetric weights leave kappa unchanged.
  CHECK(WeightedKappa(b, a, 1, 3, Weights::kQuadratic) == Approx(7.0 / 11.0).epsilon(1e-12));
}

TEST_CASE("WeightedKappa is NaN for ratings off the scale or without expected disagreement", "[stats]") {
  const std::vector<int> a{1, 2, 3, 3};
  const std::vector<int> b{1, 3, 3, 4};
  CHECK(std::isnan(WeightedKappa(a, b, 1, 3)));  // 4 is above hi
  CHECK(std::isnan(WeightedKappa(a, a, 2, 3)));  // 1 is below lo
  CHECK(std::isnan(WeightedKappa(a, a, 3, 1)));  // empty scale
  CHECK(WeightedKappa(a, a, 1, 3) == 1.0);
  const std::vector<int> constant(4, 2);
  CHECK(std::isnan(WeightedKappa(constant, constant, 1, 3)));
  const std::vector<int> empty;
  CHECK(std::isnan(WeightedKappa(empty, empty, 1, 3)));
  const std::vector<int> longer{1, 2, 3, 3, 1};
  CHECK_THROWS_AS(WeightedKappa(a, longer, 1, 3), std::invalid_argument);
}

TEST_CASE("Spearman on Wikipedia's IQ and television example (no ties)", "[stats]") {
  // Wikipedia, "Spearman's rank correlation coefficient", example: IQ against hours of television
  // per week for ten people; sum d^2 = 194, rho = 1 - 6 * 194 / (10 * 99) = -29/165.
  const std::vector<double> iq{106, 100, 86, 101, 99, 103, 97, 113, 112, 110};
  const std::vector<double> tv{7, 27, 2, 50, 28, 29, 20, 12, 6, 17};
  CHECK(Spearman(iq, tv) == Approx(-29.0 / 165.0).epsilon(1e-12));
  CHECK(Spearman(tv, iq) == Approx(-29.0 / 165.0).epsilon(1e-12));
}

TEST_CASE("Spearman with ties uses average ranks", "[stats]") {
  // x = 10, 20, 20, 30, 40 has ranks 1, 2.5, 2.5, 4, 5;
  // y = 5, 7, 7, 6, 9 has ranks 1, 3.5, 3.5, 2, 5. Both rank means are 3.
  // Deviations: x -2, -0.5, -0.5, 1, 2; y -2, 0.5, 0.5, -1, 2.
  // sxy = 4 - 0.25 - 0.25 - 1 + 4 = 6.5; sxx = syy = 4 + 0.25 + 0.25 + 1 + 4 = 9.5.
  // rho = 6.5 / 9.5 = 13/19. (The no-ties shortcut 1 - 6 sum d^2 / n(n^2 - 1) would give
  // 1 - 36/120 = 0.7 here, which is not the Pearson correlation of the ranks.)
  const std::vector<double> x{10, 20, 20, 30, 40};
  const std::vector<double> y{5, 7, 7, 6, 9};
  CHECK(Spearman(x, y) == Approx(13.0 / 19.0).epsilon(1e-12));

  // Ties on one side only: x ranks 1, 2.5, 2.5, 4 and y ranks 1, 3, 2, 4; deviations from 2.5:
  // x -1.5, 0, 0, 1.5 and y -1.5, 0.5, -0.5, 1.5; sxy = 4.5, sxx = 4.5, syy = 5;
  // rho = 4.5 / sqrt(22.5) = sqrt(0.9).
  const std::vector<double> u{1, 2, 2, 3};
  const std::vector<double> v{1, 3, 2, 4};
  CHECK(Spearman(u, v) == Approx(std::sqrt(0.9)).epsilon(1e-12));

  // Any strictly increasing transform of one side leaves rho at 1.
  const std::vector<double> cubes{1, 8, 8, 27};
  CHECK(Spearman(u, cubes) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("Spearman is NaN when not computable", "[stats]") {
  const std::vector<double> one{1.0};
  const std::vector<double> constant{2, 2, 2};
  const std::vector<double> rising{1, 2, 3};
  const std::vector<double> with_nan{1, kNaN, 3};
  CHECK(std::isnan(Spearman(one, one)));
  CHECK(std::isnan(Spearman(constant, rising)));
  CHECK(std::isnan(Spearman(rising, constant)));
  CHECK(std::isnan(Spearman(with_nan, rising)));
  CHECK_THROWS_AS(Spearman(one, rising), std::invalid_argument);
}

TEST_CASE("Pearson matches a hand computation", "[stats]") {
  // x = 1..5, y = 2, 4, 5, 4, 5: means 3 and 4; deviations x -2, -1, 0, 1, 2 and
  // y -2, 0, 1, 0, 1; sxy = 4 + 0 + 0 + 0 + 2 = 6, sxx = 10, syy = 4 + 0 + 1 + 0 + 1 = 6;
  // r = 6 / sqrt(60).
  const std::vector<double> x{1, 2, 3, 4, 5};
  const std::vector<double> y{2, 4, 5, 4, 5};
  CHECK(Pearson(x, y) == Approx(6.0 / std::sqrt(60.0)).epsilon(1e-12));

  // An exact linear relation, decreasing: r = -1 (clamped, never below).
  const std::vector<double> line{7, 4, 1, -2, -5};
  CHECK(Pearson(x, line) == Approx(-1.0).epsilon(1e-12));
  CHECK(Pearson(x, line) >= -1.0);

  const std::vector<double> constant{3, 3, 3, 3, 3};
  CHECK(std::isnan(Pearson(x, constant)));
  const std::vector<double> one{1.0};
  CHECK(std::isnan(Pearson(one, one)));
  CHECK_THROWS_AS(Pearson(x, one), std::invalid_argument);
}

TEST_CASE("BootstrapMean percentile intervals cover the true mean", "[stats]") {
  // 1000 synthetic data sets of n = 50, each with its own 95% interval from 1000 resamples.
  // The percentile interval of the mean is close to mean +- 1.96 * sd * sqrt((n-1)/n) / sqrt(n),
  // so for normal data its coverage is about P(|t_49| < 1.96 * sqrt(49/50)) = 0.942; for the
  // skewed exponential it undercovers further (about 0.93 in a separate run of 20000 data sets).
  // With 1000 data sets the observed fraction has sd sqrt(0.94 * 0.06 / 1000) = 0.0075, so the
  // bands below are about 3.5 sd either side of those values. They exclude 0.89, about what a
  // 90% interval would cover, and 0.985, about what a 99% one would.
  constexpr int kDataSets = 1000;
  constexpr std::size_t kN = 50;
  Synthetic normal_source(11);
  Synthetic exponential_source(12);
  int normal_covered = 0;
  int exponential_covered = 0;
  std::vector<double> sample(kN);
  for (int set = 0; set < kDataSets; ++set) {
    const auto seed = static_cast<std::uint64_t>(set) + 1;
    // Normal with mean 10 and sd 2.
    for (double& x : sample) x = 10.0 + 2.0 * normal_source.Normal();
    const Interval n = BootstrapMean(sample, 0.95, 1000, seed);
    if (n.lo <= 10.0 && 10.0 <= n.hi) ++normal_covered;
    // Exponential with mean 1.
    for (double& x : sample) x = exponential_source.Exponential();
    const Interval e = BootstrapMean(sample, 0.95, 1000, seed);
    if (e.lo <= 1.0 && 1.0 <= e.hi) ++exponential_covered;
  }
  const double normal_coverage = normal_covered / static_cast<double>(kDataSets);
  const double exponential_coverage = exponential_covered / static_cast<double>(kDataSets);
  INFO("normal coverage " << normal_coverage << ", exponential coverage " << exponential_coverage);
  CHECK(normal_coverage >= 0.915);
  CHECK(normal_coverage <= 0.97);
  CHECK(exponential_coverage >= 0.90);
  CHECK(exponential_coverage <= 0.96);
}

TEST_CASE("BootstrapMean interval width matches the normal approximation for large n", "[stats]") {
  // For n = 2000 the bootstrap distribution of the mean is close to normal with sd
  // s * sqrt((n-1)/n) / sqrt(n), so the 95% interval spans about 2 * 1.959964 of that. Each
  // percentile endpoint from 1000 resamples has a relative error of about 4%, the width about 3%;
  // 10% is over three of those and still rejects 90% (width ratio 0.84) or 99% (1.31) intervals.
  Synthetic source(5);
  std::vector<double> sample(2000);
  for (double& x : sample) x = source.Exponential();
  const Interval i = BootstrapMean(sample, 0.95, 1000, 3);
  const double n = static_cast<double>(sample.size());
  const double expected_width = 2.0 * 1.959964 * StdDev(sample) * std::sqrt((n - 1.0) / n) / std::sqrt(n);
  CHECK((i.hi - i.lo) / expected_width == Approx(1.0).margin(0.10));
  CHECK(i.estimate == Mean(sample));
  CHECK(i.lo < i.estimate);
  CHECK(i.estimate < i.hi);
  CHECK(i.n == sample.size());
}

TEST_CASE("BootstrapMean is deterministic in its seed", "[stats]") {
  Synthetic source(8);
  std::vector<double> sample(200);
  for (double& x : sample) x = source.Normal();
  const Interval first = BootstrapMean(sample, 0.95, 1000, 42);
  const Interval again = BootstrapMean(sample, 0.95, 1000, 42);
  CHECK(first.lo == again.lo);
  CHECK(first.hi == again.hi);
  CHECK(first.estimate == again.estimate);
  // A different seed draws different resamples; equal endpoints would need two continuous
  // quantiles of 1000 different resample means to coincide exactly.
  const Interval other = BootstrapMean(sample, 0.95, 1000, 43);
  CHECK(other.estimate == first.estimate);
  CHECK(other.lo != first.lo);
  CHECK(other.hi != first.hi);
}

TEST_CASE("BootstrapMean edge cases", "[stats]") {
  const std::vector<double> empty;
  const Interval none = BootstrapMean(empty);
  CHECK(std::isnan(none.estimate));
  CHECK(std::isnan(none.lo));
  CHECK(std::isnan(none.hi));
  CHECK(none.n == 0);

  const std::vector<double> one{4.5};
  const Interval single = BootstrapMean(one);
  CHECK(single.estimate == 4.5);
  CHECK(std::isnan(single.lo));
  CHECK(std::isnan(single.hi));
  CHECK(single.n == 1);

  const std::vector<double> two{1.0, 2.0};
  CHECK(std::isnan(BootstrapMean(two, 0.95, 0).lo));
  CHECK(std::isnan(BootstrapMean(two, 1.0).hi));
  CHECK(std::isnan(BootstrapMean(two, 0.0).lo));
  // Resampling two values: every resample mean lies between them.
  const Interval pair = BootstrapMean(two);
  CHECK(pair.lo >= 1.0);
  CHECK(pair.hi <= 2.0);
}

TEST_CASE("ComparePaired with a constant shift gives a degenerate interval", "[stats]") {
  // Values chosen so that (a + 0.1) - a is exactly 0.1 in binary floating point.
  const std::vector<double> a{0.0, 0.025, 0.0625, 0.1, 0.125, 0.15, -0.05, -0.1};
  std::vector<double> b;
  for (double x : a) b.push_back(x + 0.1);
  for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(b[i] - a[i] == 0.1);

  const Paired p = ComparePaired(a, b);
  CHECK(p.diff.estimate == 0.1);
  CHECK(p.diff.lo == 0.1);
  CHECK(p.diff.hi == 0.1);
  CHECK(p.diff.n == a.size());
  CHECK(p.wins == a.size());
  CHECK(p.ties == 0);
  CHECK(p.losses == 0);

  const Paired reverse = ComparePaired(b, a);
  CHECK(reverse.losses == a.size());
  CHECK(reverse.diff.estimate == -0.1);
}

TEST_CASE("ComparePaired counts wins, ties and losses", "[stats]") {
  // d = b - a: 0.2 (win), 0 (tie), -0.2 (loss), 1e-12 (tie: within 1e-9), 0.4 (win), -0.5 (loss).
  const std::vector<double> a{0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
  const std::vector<double> b{0.7, 0.5, 0.3, 0.5 + 1e-12, 0.9, 0.0};
  const Paired p = ComparePaired(a, b);
  CHECK(p.wins == 2);
  CHECK(p.ties == 2);
  CHECK(p.losses == 2);
  // mean d = (0.2 + 0 - 0.2 + 1e-12 + 0.4 - 0.5) / 6 = -0.1 / 6, up to rounding.
  CHECK(p.diff.estimate == Approx(-0.1 / 6.0).epsilon(1e-9));
  CHECK(p.diff.lo <= p.diff.estimate);
  CHECK(p.diff.estimate <= p.diff.hi);

  // With tie = 0.25 only 0.4 wins and -0.5 loses; the other four are ties.
  const Paired wide = ComparePaired(a, b, 0.25);
  CHECK(wide.wins == 1);
  CHECK(wide.ties == 4);
  CHECK(wide.losses == 1);

  const std::vector<double> shorter{0.5};
  CHECK_THROWS_AS(ComparePaired(a, shorter), std::invalid_argument);
}

TEST_CASE("ConfusionMatrix counts label pairs over the sorted union of categories", "[stats]") {
  // Pairs (a, b): (2,2), (2,5), (-1,2), (5,5), (2,2), (7,-1). Categories: -1, 2, 5, 7.
  const std::vector<int> a{2, 2, -1, 5, 2, 7};
  const std::vector<int> b{2, 5, 2, 5, 2, -1};
  const Confusion c = ConfusionMatrix(a, b);
  CHECK(c.categories == std::vector<int>{-1, 2, 5, 7});
  const std::vector<std::vector<std::size_t>> expected{
      {0, 1, 0, 0},  // a = -1: one pair with b = 2
      {0, 2, 1, 0},  // a = 2: b = 2 twice, b = 5 once
      {0, 0, 1, 0},  // a = 5: b = 5 once
      {1, 0, 0, 0},  // a = 7: b = -1 once
  };
  CHECK(c.counts == expected);

  const std::vector<int> empty;
  const Confusion none = ConfusionMatrix(empty, empty);
  CHECK(none.categories.empty());
  CHECK(none.counts.empty());
  CHECK_THROWS_AS(ConfusionMatrix(a, empty), std::invalid_argument);
}

TEST_CASE("Histogram edges, clamping and NaN", "[stats]") {
  // [0, 1] in four bins of width 0.25: [0, .25), [.25, .5), [.5, .75), [.75, 1].
  // 0 -> 0; 0.25 -> 1 (a bin holds its lower edge); 0.5 -> 2; 0.7499 -> 2; 0.75 -> 3;
  // 1 (== hi) -> 3; -5 and -inf -> 0 (clamped); 7 and +inf -> 3 (clamped); NaN skipped.
  const std::vector<double> v{0.0, 0.25, 0.5, 0.7499, 0.75, 1.0, -5.0, -kInf, 7.0, kInf, kNaN};
  CHECK(Histogram(v, 0.0, 1.0, 4) == std::vector<std::size_t>{3, 1, 2, 4});

  // One bin takes everything that is not NaN.
  CHECK(Histogram(v, 0.0, 1.0, 1) == std::vector<std::size_t>{10});
  const std::vector<double> empty;
  CHECK(Histogram(empty, -1.0, 1.0, 3) == std::vector<std::size_t>{0, 0, 0});

  CHECK_THROWS_AS(Histogram(v, 0.0, 1.0, 0), std::invalid_argument);
  CHECK_THROWS_AS(Histogram(v, 1.0, 1.0, 4), std::invalid_argument);
  CHECK_THROWS_AS(Histogram(v, 0.0, kInf, 4), std::invalid_argument);
  CHECK_THROWS_AS(Histogram(v, kNaN, 1.0, 4), std::invalid_argument);
}

}  // namespace
}  // namespace gavel::offline::stats
