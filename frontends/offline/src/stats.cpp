// Statistics for the offline tool; see gavel/offline/stats.h for the contract of each function.
#include "gavel/offline/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace gavel::offline::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void RequireSameLength(std::size_t a, std::size_t b, const char* function) {
  if (a != b) {
    throw std::invalid_argument(std::string(function) + ": the two inputs differ in length (" +
                                std::to_string(a) + " and " + std::to_string(b) + ")");
  }
}

bool AnyNaN(std::span<const double> v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

// splitmix64: expands one 64-bit seed into the 256-bit state of the generator below.
std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t RotateLeft(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, passes BigCrush.
class Xoshiro256StarStar {
 public:
  explicit Xoshiro256StarStar(std::uint64_t seed) {
    for (std::uint64_t& word : s_) word = SplitMix64(seed);
  }

  std::uint64_t Next() {
    const std::uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = RotateLeft(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, bound), bound > 0, without bias: Lemire's multiply-shift reduction
  // ("Fast random integer generation in an interval", 2019), which rejects the few products that
  // would make some results more likely and needs a division only on the rare rejection path.
  std::uint64_t Below(std::uint64_t bound) {
    std::uint64_t low = 0;
    std::uint64_t high = MulWide(Next(), bound, low);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
      while (low < threshold) high = MulWide(Next(), bound, low);
    }
    return high;
  }

 private:
  // The 128-bit product x * y: returns the high 64 bits and stores the low 64 bits in `low`.
  static std::uint64_t MulWide(std::uint64_t x, std::uint64_t y, std::uint64_t& low) {
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 U128;
    const U128 product = static_cast<U128>(x) * y;
    low = static_cast<std::uint64_t>(product);
    return static_cast<std::uint64_t>(product >> 64);
#else
    const std::uint64_t x_lo = x & 0xffffffffULL, x_hi = x >> 32;
    const std::uint64_t y_lo = y & 0xffffffffULL, y_hi = y >> 32;
    const std::uint64_t lo_lo = x_lo * y_lo;
    const std::uint64_t hi_lo = x_hi * y_lo;
    const std::uint64_t lo_hi = x_lo * y_hi;
    const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
    low = (cross << 32) | (lo_lo & 0xffffffffULL);
    return x_hi * y_hi + (hi_lo >> 32) + (cross >> 32);
#endif
  }

  std::uint64_t s_[4];
};

// Quantile q in [0, 1] of sorted values by linear interpolation between order statistics
// (h = (n - 1) q; Hyndman and Fan's type 7). Equal neighbours give exactly their common value.
double SortedQuantile(const std::vector<double>& sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

// Ranks 1..n of v, tied values taking the mean of the ranks they span. v has no NaN.
std::vector<double> AverageRanks(std::span<const double> v) {
  std::vector<std::size_t> order(v.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
  std::vector<double> ranks(v.size());
  std::size_t start = 0;
  while (start < order.size()) {
    std::size_t end = start + 1;
    while (end < order.size() && v[order[end]] == v[order[start]]) ++end;
    // Positions start..end-1 hold ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const double rank = static_cast<double>(start + 1 + end) / 2.0;
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

// Acklam's rational approximation of the standard normal quantile for 0 < p <= 0.5 (relative error
// below 1.15e-9), followed by one Halley step on Phi(x) - p, which brings it to full precision.
double LowerNormalQuantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLowRegion = 0.02425;

  double x = 0.0;
  if (p < kLowRegion) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // Halley refinement: with e = Phi(x) - p and u = e / phi(x), x -= u / (1 + x u / 2).
  // For x <= 0, Phi(x) = erfc(-x / sqrt 2) / 2 has no cancellation.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
  if (std::isfinite(u)) x -= u / (1.0 + x * u / 2.0);
  return x;
}

}  // namespace

double Mean(std::span<const double> v) {
  if (v.empty()) return kNaN;
  const double shift = v[0];
  double sum = 0.0;
  for (double x : v) sum += x - shift;
  return shift + sum / static_cast<double>(v.size());
}

double StdDev(std::span<const double> v) {
  if (v.size() < 2) return kNaN;
  const double mean = Mean(v);
  double squares = 0.0;
  for (double x : v) squares += (x - mean) * (x - mean);
  return std::sqrt(squares / static_cast<double>(v.size() - 1));
}

double Median(std::vector<double> v) {
  if (v.empty() || AnyNaN(v)) return kNaN;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  // The lower middle value is the largest of the elements before position mid.
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return lower + (upper - lower) / 2.0;
}

Interval BootstrapMean(std::span<const double> v, double confidence, std::size_t resamples, std::uint64_t seed) {
  Interval out{Mean(v), kNaN, kNaN, v.size()};
  if (v.size() < 2 || resamples == 0 || !(confidence > 0.0 && confidence < 1.0)) return out;

  // Resample deviations from v[0], as Mean does, so that a constant input gives a degenerate
  // interval at exactly that constant, and large common offsets do not cost precision.
  const double shift = v[0];
  std::vector<double> centered(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) centered[i] = v[i] - shift;

  Xoshiro256StarStar rng(seed);
  const auto n = static_cast<std::uint64_t>(v.size());
  const double count = static_cast<double>(v.size());
  std::vector<double> means(resamples);
  for (double& mean : means) {
    double sum = 0.0;
    for (std::uint64_t i = 0; i < n; ++i) sum += centered[rng.Below(n)];
    mean = shift + sum / count;
  }
  std::sort(means.begin(), means.end());
  const double tail = (1.0 - confidence) / 2.0;
  out.lo = SortedQuantile(means, tail);
  out.hi = SortedQuantile(means, 1.0 - tail);
  return out;
}

Paired ComparePaired(std::span<const double> a, std::span<const double> b, double tie, double confidence,
                     std::size_t resamples, std::uint64_t seed) {
  RequireSameLength(a.size(), b.size(), "ComparePaired");
  Paired out{{kNaN, kNaN, kNaN, 0}, 0, 0, 0};
  std::vector<double> diff(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = b[i] - a[i];
    diff[i] = d;
    if (d > tie) {
      ++out.wins;
    } else if (d < -tie) {
      ++out.losses;
    } else if (std::fabs(d) <= tie) {
      ++out.ties;
    }
  }
  out.diff = BootstrapMean(diff, confidence, resamples, seed);
  return out;
}

Interval Proportion(std::size_t successes, std::size_t n, double confidence) {
  Interval out{kNaN, kNaN, kNaN, n};
  if (n == 0 || successes > n || !(confidence > 0.0 && confidence < 1.0)) return out;
  const double count = static_cast<double>(n);
  const double p = static_cast<double>(successes) / count;
  const double z = NormalQuantile(0.5 + confidence / 2.0);
  const double z2 = z * z;
  // Wilson (1927): centre (p + z^2 / 2n) / (1 + z^2 / n),
  // half-width z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2).
  const double scale = 1.0 + z2 / count;
  const double centre = (p + z2 / (2.0 * count)) / scale;
  const double half = z / scale * std::sqrt(p * (1.0 - p) / count + z2 / (4.0 * count * count));
  out.estimate = p;
  // At p = 0 the lower bound is exactly 0 (and at p = 1 the upper exactly 1), which centre - half
  // only reproduces up to rounding.
  out.lo = successes == 0 ? 0.0 : std::max(0.0, centre - half);
  out.hi = successes == n ? 1.0 : std::min(1.0, centre + half);
  return out;
}

double PassAtK(std::size_t n, std::size_t c, std::size_t k) {
  if (k > n || c > n) return kNaN;
  if (n - c < k) return 1.0;
  // C(n - c, k) / C(n, k) = prod_{i = n - c + 1}^{n} (i - k) / i; every factor is in [0, 1].
  double fail_all = 1.0;
  for (std::size_t i = n - c + 1; i <= n; ++i) {
    fail_all *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  }
  return 1.0 - fail_all;
}

Confusion ConfusionMatrix(std::span<const int> a, std::span<const int> b) {
  RequireSameLength(a.size(), b.size(), "ConfusionMatrix");
  Confusion out;
  out.categories.reserve(a.size() + b.size());
  out.categories.insert(out.categories.end(), a.begin(), a.end());
  out.categories.insert(out.categories.end(), b.begin(), b.end());
  std::sort(out.categories.begin(), out.categories.end());
  out.categories.erase(std::unique(out.categories.begin(), out.categories.end()), out.categories.end());
  const std::size_t k = out.categories.size();
  out.counts.assign(k, std::vector<std::size_t>(k, 0));
  const auto index = [&](int value) {
    return static_cast<std::size_t>(std::lower_bound(out.categories.begin(), out.categories.end(), value) -
                                    out.categories.begin());
  };
  for (std::size_t i = 0; i < a.size(); ++i) ++out.counts[index(a[i])][index(b[i])];
  return out;
}

double CohensKappa(std::span<const int> a, std::span<const int> b) {
  RequireSameLength(a.size(), b.size(), "CohensKappa");
  if (a.empty()) return kNaN;
  const Confusion table = ConfusionMatrix(a, b);
  const std::size_t k = table.categories.size();
  // With counts instead of proportions: kappa = (n * agree - chance) / (n^2 - chance), where
  // chance = sum_i rows_i * cols_i. The sums are integers, exact in a double up to 2^53.
  double agree = 0.0;
  double chance = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t row = 0;
    std::size_t col = 0;
    for (std::size_t j = 0; j < k; ++j) {
      row += table.counts[i][j];
      col += table.counts[j][i];
    }
    agree += static_cast<double>(table.counts[i][i]);
    chance += static_cast<double>(row) * static_cast<double>(col);
  }
  const double n = static_cast<double>(a.size());
  const double denominator = n * n - chance;
  if (denominator == 0.0) return kNaN;
  return (n * agree - chance) / denominator;
}

double WeightedKappa(std::span<const int> a, std::span<const int> b, int lo, int hi, Weights w) {
  RequireSameLength(a.size(), b.size(), "WeightedKappa");
  if (a.empty() || lo > hi) return kNaN;
  const auto outside = [&](int x) { return x < lo || x > hi; };
  if (std::any_of(a.begin(), a.end(), outside) || std::any_of(b.begin(), b.end(), outside)) return kNaN;

  const auto weight = [w](int x, int y) {
    const double distance = std::fabs(static_cast<double>(x) - static_cast<double>(y));
    return w == Weights::kLinear ? distance : distance * distance;
  };
  // Only the categories that occur carry weight, so the table spans the observed categories rather
  // than the whole scale: O(n + m^2) for m distinct ratings.
  const Confusion table = ConfusionMatrix(a, b);
  const std::size_t k = table.categories.size();
  std::vector<double> rows(k, 0.0);
  std::vector<double> cols(k, 0.0);
  double observed = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      const auto count = static_cast<double>(table.counts[i][j]);
      rows[i] += count;
      cols[j] += count;
      observed += weight(table.categories[i], table.categories[j]) * count;
    }
  }
  // Expected counts under independence are rows_i * cols_j / n; both sums are in counts.
  double expected = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      expected += weight(table.categories[i], table.categories[j]) * rows[i] * cols[j];
    }
  }
  expected /= static_cast<double>(a.size());
  if (expected == 0.0) return kNaN;
  return 1.0 - observed / expected;
}

double Pearson(std::span<const double> x, std::span<const double> y) {
  RequireSameLength(x.size(), y.size(), "Pearson");
  if (x.size() < 2) return kNaN;
  const double mean_x = Mean(x);
  const double mean_y = Mean(y);
  double sxy = 0.0;
  double sxx = 0.0;
  double syy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mean_x;
    const double dy = y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (std::isnan(sxy) || std::isnan(sxx) || std::isnan(syy)) return kNaN;
  if (sxx == 0.0 || syy == 0.0) return kNaN;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

double Spearman(std::span<const double> x, std::span<const double> y) {
  RequireSameLength(x.size(), y.size(), "Spearman");
  if (x.size() < 2 || AnyNaN(x) || AnyNaN(y)) return kNaN;
  const std::vector<double> rank_x = AverageRanks(x);
  const std::vector<double> rank_y = AverageRanks(y);
  return Pearson(rank_x, rank_y);
}

std::vector<std::size_t> Histogram(std::span<const double> v, double lo, double hi, std::size_t bins) {
  if (bins == 0) throw std::invalid_argument("Histogram: bins must be at least 1");
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || !std::isfinite(hi - lo)) {
    throw std::invalid_argument("Histogram: lo and hi must be finite with lo < hi");
  }
  std::vector<std::size_t> counts(bins, 0);
  const double width = hi - lo;
  const double scale = static_cast<double>(bins);
  for (double x : v) {
    if (std::isnan(x)) continue;
    std::size_t bin = 0;
    if (x >= hi) {
      bin = bins - 1;
    } else if (x > lo) {
      // (x - lo) / width is in (0, 1); rounding can only push the product up to bins itself.
      bin = std::min(static_cast<std::size_t>((x - lo) / width * scale), bins - 1);
    }
    ++counts[bin];
  }
  return counts;
}

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return kNaN;
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  // For p > 0.5, 1 - p is exact, and the lower tail keeps Phi(x) - p free of cancellation.
  return p <= 0.5 ? LowerNormalQuantile(p) : -LowerNormalQuantile(1.0 - p);
}

}  // namespace gavel::offline::stats
