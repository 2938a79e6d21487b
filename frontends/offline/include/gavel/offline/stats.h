// Summary statistics, intervals and agreement measures for the offline tool: means and spreads of
// scores, bootstrap intervals, paired comparisons of two runs, proportions, pass@k, rater agreement
// (kappa), rank and linear correlation, confusion matrices and histograms.
//
// Conventions. A statistic that cannot be computed from its input (too few values, zero variance,
// an argument out of range) is NaN rather than an exception; the paired functions throw
// std::invalid_argument when their two inputs differ in length, because that is a caller's bug and
// not a property of the data. Values that are NaN propagate into means, deviations and
// correlations; Median and Spearman return NaN if any input is NaN, since ordering is undefined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gavel::offline::stats {

// A point estimate with a confidence interval; NaN fields when not computable (n == 0; lo/hi NaN
// when n < 2). n is the number of values the estimate was computed from.
struct Interval {
  double estimate;
  double lo;
  double hi;
  std::size_t n;
};

// Arithmetic mean; NaN when empty. Computed as v[0] + mean(v[i] - v[0]), so that a constant
// input gives back exactly that constant.
double Mean(std::span<const double> v);

// Sample standard deviation (divisor n - 1), two-pass; NaN when n < 2.
double StdDev(std::span<const double> v);

// Median (mean of the two middle values when n is even); NaN when empty or when any value is NaN.
double Median(std::vector<double> v);

// Percentile bootstrap interval of the mean: `resamples` resamples of v with replacement, drawn with
// xoshiro256** seeded from `seed` through splitmix64, so the same input and seed give the same
// interval on every platform. estimate is Mean(v); lo and hi are the (1 - confidence) / 2 and
// (1 + confidence) / 2 quantiles of the resampled means (linear interpolation between order
// statistics). lo and hi are NaN when n < 2, resamples == 0 or confidence is not in (0, 1).
Interval BootstrapMean(std::span<const double> v, double confidence = 0.95, std::size_t resamples = 1000,
                       std::uint64_t seed = 1);

// Paired comparison of b against a (same length, element i of each belongs to the same sample).
// diff is the bootstrap interval of mean(b - a), resampling pairs; with d = b[i] - a[i], a pair is a
// win when d > tie, a tie when |d| <= tie and a loss when d < -tie (a pair with a NaN counts in
// none of the three).
struct Paired {
  Interval diff;
  std::size_t wins;
  std::size_t ties;
  std::size_t losses;
};
// Throws std::invalid_argument when a and b differ in length.
Paired ComparePaired(std::span<const double> a, std::span<const double> b, double tie = 1e-9,
                     double confidence = 0.95, std::size_t resamples = 1000, std::uint64_t seed = 1);

// Wilson score interval of a proportion (successes of n); estimate = successes / n. The interval is
// computed for any n >= 1 and always lies in [0, 1]. All of estimate, lo and hi are NaN when n == 0,
// when successes > n, or when confidence is not in (0, 1).
Interval Proportion(std::size_t successes, std::size_t n, double confidence = 0.95);

// Unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"):
// 1 - C(n - c, k) / C(n, k) for n outputs of which c pass, computed as
// 1 - prod_{i = n - c + 1}^{n} (1 - k / i) rather than with factorials. 1 when n - c < k;
// NaN when k > n or c > n.
double PassAtK(std::size_t n, std::size_t c, std::size_t k);

// Cohen's kappa for two raters' nominal labels (same length, any int categories):
// (p_o - p_e) / (1 - p_e) with p_o the observed and p_e the chance-expected agreement from the two
// raters' marginal frequencies. NaN when empty, and NaN when p_e == 1, which happens exactly when
// both raters give one and the same label to every item: kappa is then 0 / 0, and reporting 1 would
// claim an agreement beyond chance that the data cannot show. Throws std::invalid_argument when a
// and b differ in length.
double CohensKappa(std::span<const int> a, std::span<const int> b);

enum class Weights { kLinear, kQuadratic };

// Weighted kappa (Cohen 1968) for ordinal ratings on the scale [lo, hi]:
// 1 - sum(w * observed) / sum(w * expected) with disagreement weights w(x, y) = |x - y| (linear) or
// (x - y)^2 (quadratic). Normalising the weights by (hi - lo) or (hi - lo)^2 would cancel in the
// ratio, so lo and hi only define which ratings are valid. NaN when empty, when lo > hi, when any
// rating is outside [lo, hi], or when the expected disagreement is 0 (both raters constant and
// equal). Throws std::invalid_argument when a and b differ in length.
double WeightedKappa(std::span<const int> a, std::span<const int> b, int lo, int hi,
                     Weights w = Weights::kQuadratic);

// Spearman rank correlation: Pearson correlation of the ranks, tied values taking the average of
// the ranks they span. NaN when n < 2, when either side is constant or when any value is NaN.
// Throws std::invalid_argument when x and y differ in length.
double Spearman(std::span<const double> x, std::span<const double> y);

// Pearson product-moment correlation (two-pass, clamped to [-1, 1]); NaN when n < 2 or when either
// side is constant. Throws std::invalid_argument when x and y differ in length.
double Pearson(std::span<const double> x, std::span<const double> y);

// Confusion matrix: categories = sorted union of values in a and b;
// counts[i][j] = #(a == categories[i] && b == categories[j]). Throws std::invalid_argument when a
// and b differ in length.
struct Confusion {
  std::vector<int> categories;
  std::vector<std::vector<std::size_t>> counts;
};
Confusion ConfusionMatrix(std::span<const int> a, std::span<const int> b);

// Equal-width histogram of v over [lo, hi] with `bins` bins. Bin i holds [lo + i * w, lo + (i+1) * w)
// with w = (hi - lo) / bins; values == hi go in the last bin; values outside [lo, hi] (infinities
// included) are clamped into the first or last bin; NaN values are skipped. Throws
// std::invalid_argument when bins == 0 or when lo and hi are not finite with lo < hi.
std::vector<std::size_t> Histogram(std::span<const double> v, double lo, double hi, std::size_t bins);

// Inverse of the standard normal CDF: the z with Phi(z) = p (so 1.959964 for p = 0.975; the z of a
// two-sided interval at confidence c is NormalQuantile(0.5 + c / 2)). Acklam's rational
// approximation refined by one Halley step, accurate to about 1e-15 relative. -inf for p == 0,
// +inf for p == 1, NaN outside [0, 1].
double NormalQuantile(double p);

}  // namespace gavel::offline::stats
