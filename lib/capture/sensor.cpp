// Sensor and phone: read noise and shot noise (modelled together as Gaussian, independent
// per pixel and channel), 8-bit saturation, and the phone's JPEG compression.
#include <array>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "capture/stages.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

// Standard normal quantiles at the centres of 4096 equal-probability bins, scaled to unit
// variance: a draw is one table look-up, several times faster than a Ziggurat sample and
// Gaussian to 3.5 sigma, which is all a sensor model needs.
constexpr int kQuantileBits = 12;
using Quantiles = std::array<float, 1u << kQuantileBits>;

// Inverse of the standard normal CDF (Acklam's rational approximation, relative error
// below 1.2e-9).
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double low = 0.02425;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normal_quantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const Quantiles& quantiles() {
  // Immutable once built (thread-safe initialisation); no state is shared between captures.
  static const Quantiles table = [] {
    Quantiles t{};
    double sum2 = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double z = normal_quantile((static_cast<double>(i) + 0.5) / t.size());
      t[i] = static_cast<float>(z);
      sum2 += z * z;
    }
    const double unit = std::sqrt(t.size() / sum2);  // the truncated tails' variance back
    for (float& z : t) z = static_cast<float>(z * unit);
    return t;
  }();
  return table;
}

template <typename T>
void add_noise(const cv::Mat& frame, cv::Mat& out, double sigma, std::uint64_t seed) {
  const Quantiles& z = quantiles();
  const float s = static_cast<float>(sigma);
  cv::RNG rng(mix_seed(seed, 0));  // a local generator: captures on threads share nothing
  constexpr unsigned kMask = (1u << kQuantileBits) - 1;
  for (int y = 0; y < frame.rows; ++y) {
    const T* in = frame.ptr<T>(y);
    std::uint8_t* o = out.ptr<std::uint8_t>(y);
    const int n = frame.cols * 3;
    int i = 0;
    for (; i + 1 < n; i += 2) {  // two draws from each 32-bit number
      const unsigned u = rng.next();
      o[i] = cv::saturate_cast<std::uint8_t>(in[i] + s * z[(u >> 20) & kMask]);
      o[i + 1] = cv::saturate_cast<std::uint8_t>(in[i + 1] + s * z[(u >> 4) & kMask]);
    }
    for (; i < n; ++i) {
      o[i] = cv::saturate_cast<std::uint8_t>(in[i] + s * z[(rng.next() >> 20) & kMask]);
    }
  }
}

}  // namespace

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z != 0 ? z : 0x9E3779B97F4A7C15ull;
}

cv::Mat sense(const cv::Mat& frame, double noise_sigma, int jpeg_quality, std::uint64_t seed) {
  cv::Mat out;
  if (noise_sigma > 0) {
    // Noise, then the ADC: rounded and clipped to 8 bits.
    out.create(frame.size(), CV_8UC3);
    if (frame.depth() == CV_32F) {
      add_noise<float>(frame, out, noise_sigma, seed);
    } else {
      add_noise<std::uint8_t>(frame, out, noise_sigma, seed);
    }
  } else if (frame.depth() == CV_8U) {
    out = frame;
  } else {
    frame.convertTo(out, CV_8UC3);
  }
  if (jpeg_quality > 0) {
    std::vector<unsigned char> bytes;
    if (!cv::imencode(".jpg", out, bytes, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality})) {
      throw Error(ErrorCategory::internal, "simulate_capture: JPEG encoding failed");
    }
    out = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (out.empty()) {
      throw Error(ErrorCategory::internal, "simulate_capture: JPEG decoding failed");
    }
  }
  return out;
}

}  // namespace viscode::detail
