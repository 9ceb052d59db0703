// Separable area resampling, shared by the print (artwork to printer dots) and the camera
// (dots to sensor pixels): each output pixel is the exact average of the input over the
// interval it covers, so edges land where the geometry puts them and nothing aliases.
#include <algorithm>
#include <cmath>
#include <vector>

#include "capture/stages.hpp"

namespace viscode::detail {
namespace {

struct Builder {
  Taps taps;
  std::vector<std::pair<int, double>> pending;

  void add(int index, double weight) {
    if (weight > 0) pending.emplace_back(index, weight);
  }
  // Closes an output pixel, merging repeated inputs.
  void next() {
    std::sort(pending.begin(), pending.end());
    for (std::size_t k = 0; k < pending.size();) {
      const int index = pending[k].first;
      double w = 0;
      for (; k < pending.size() && pending[k].first == index; ++k) w += pending[k].second;
      if (w < 1e-7) continue;
      taps.index.push_back(index);
      taps.weight.push_back(static_cast<float>(w));
    }
    taps.first.push_back(static_cast<int>(taps.index.size()));
    pending.clear();
  }
};

// One pass: output row j is the weighted sum of the input rows its taps name (the
// surround's rows being grey), along whole rows, so it vectorises. The other axis is the
// same pass on the transpose.
cv::Mat combine_rows(const cv::Mat& src, const Taps& taps) {
  const int width = src.cols * 3;
  const std::vector<std::uint8_t> grey(static_cast<std::size_t>(width),
                                       static_cast<std::uint8_t>(kSurroundGrey));
  auto row = [&](int index) {
    return index < 0 || index >= src.rows ? grey.data() : src.ptr<std::uint8_t>(index);
  };
  cv::Mat dst(taps.size(), src.cols, CV_8UC3);
  std::vector<float> sum(static_cast<std::size_t>(width));
  float* acc = sum.data();
  for (int j = 0; j < taps.size(); ++j) {
    const auto k0 = static_cast<std::size_t>(taps.first[static_cast<std::size_t>(j)]);
    const auto k1 = static_cast<std::size_t>(taps.first[static_cast<std::size_t>(j) + 1]);
    std::uint8_t* out = dst.ptr<std::uint8_t>(j);
    if (k1 == k0) {  // nothing covers it (an empty input): the surround
      std::copy_n(grey.data(), width, out);
      continue;
    }
    if (k1 == k0 + 1 && taps.weight[k0] > 0.99999f) {  // one input row: a copy
      std::copy_n(row(taps.index[k0]), width, out);
      continue;
    }
    std::fill_n(acc, width, 0.5f);  // rounds on truncation below
    for (std::size_t k = k0; k < k1; ++k) {
      const std::uint8_t* in = row(taps.index[k]);
      const float w = taps.weight[k];
      for (int c = 0; c < width; ++c) acc[c] += w * static_cast<float>(in[c]);
    }
    for (int c = 0; c < width; ++c) out[c] = static_cast<std::uint8_t>(std::min(255.0f, acc[c]));
  }
  return dst;
}

}  // namespace

Taps box_taps(int n_in, const std::vector<double>& edges) {
  Builder b;
  for (std::size_t j = 0; j + 1 < edges.size(); ++j) {
    const double a = edges[j], e = edges[j + 1], len = e - a;
    if (!(len > 1e-12)) {  // a degenerate pixel: the input at its position
      b.add(std::clamp(static_cast<int>(std::floor(a)), -1, n_in), 1.0);
      b.next();
      continue;
    }
    // The surround before and after the input, then the input pixels it overlaps.
    b.add(-1, (std::min(e, 0.0) - a) / len);
    b.add(n_in, (e - std::max(a, static_cast<double>(n_in))) / len);
    const int p0 = std::max(0, static_cast<int>(std::floor(a)));
    const int p1 = std::min(n_in - 1, static_cast<int>(std::ceil(e)) - 1);
    for (int p = p0; p <= p1; ++p) {
      b.add(p, (std::min(e, p + 1.0) - std::max(a, static_cast<double>(p))) / len);
    }
    b.next();
  }
  return b.taps;
}

Taps compose(const Taps& first, int n_in, const Taps& then) {
  Builder b;
  for (int j = 0; j < then.size(); ++j) {
    for (int k = then.first[static_cast<std::size_t>(j)];
         k < then.first[static_cast<std::size_t>(j) + 1]; ++k) {
      const int mid = then.index[static_cast<std::size_t>(k)];
      const double w = then.weight[static_cast<std::size_t>(k)];
      if (mid < 0 || mid >= first.size()) {
        b.add(mid < 0 ? -1 : n_in, w);  // the surround stays the surround
        continue;
      }
      for (int m = first.first[static_cast<std::size_t>(mid)];
           m < first.first[static_cast<std::size_t>(mid) + 1]; ++m) {
        b.add(first.index[static_cast<std::size_t>(m)],
              w * first.weight[static_cast<std::size_t>(m)]);
      }
    }
    b.next();
  }
  return b.taps;
}

cv::Mat resample_transposed(const cv::Mat& bgr, const Taps& x, const Taps& y) {
  cv::Mat across;
  cv::transpose(combine_rows(bgr, y), across);
  return combine_rows(across, x);
}

cv::Mat resample(const cv::Mat& bgr, const Taps& x, const Taps& y) {
  cv::Mat out;
  cv::transpose(resample_transposed(bgr, x, y), out);
  return out;
}

}  // namespace viscode::detail
