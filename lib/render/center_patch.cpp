#include "render/center_patch.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "encode/placement.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

// Block of each codeword in transmission order: data codewords interleaved across blocks
// (group-2 blocks have one more), then EC codewords interleaved.
std::vector<int> codeword_blocks(const BlockLayout& l) {
  std::vector<int> data_len;
  for (int b = 0; b < l.blocks1; ++b) data_len.push_back(l.data_per_block1);
  for (int b = 0; b < l.blocks2; ++b) data_len.push_back(l.data_per_block2);
  std::vector<int> out;
  const int max_data = *std::max_element(data_len.begin(), data_len.end());
  for (int i = 0; i < max_data; ++i) {
    for (int b = 0; b < l.blocks(); ++b) {
      if (i < data_len[static_cast<std::size_t>(b)]) out.push_back(b);
    }
  }
  for (int i = 0; i < l.ec_per_block; ++i) {
    for (int b = 0; b < l.blocks(); ++b) out.push_back(b);
  }
  return out;
}

int to_odd(int v) {
  return v % 2 == 0 ? v - 1 : v;
}

}  // namespace

namespace {

// Which codeword (in transmission order) each module carries, and the block of each
// codeword: computed once per symbol, then queried for every candidate patch.
struct CodewordMap {
  int size = 0;
  int blocks = 0;
  std::vector<int> codeword_of;  // per module, -1 for function modules and remainder bits
  std::vector<int> block_of;     // per codeword

  explicit CodewordMap(const Symbol& symbol)
      : size(symbol.size), codeword_of(static_cast<std::size_t>(symbol.size * symbol.size), -1) {
    const BlockLayout layout = block_layout(symbol.version, symbol.ec);
    blocks = layout.blocks();
    block_of = codeword_blocks(layout);
    const std::vector<int> order = placement_order(symbol);
    const int bits = static_cast<int>(block_of.size()) * 8;
    for (int k = 0; k < static_cast<int>(order.size()) && k < bits; ++k) {
      codeword_of[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = k / 8;
    }
  }

  std::vector<int> touched(const cv::Rect& rect) const {
    std::vector<std::set<int>> per_block(static_cast<std::size_t>(blocks));
    const cv::Rect inside = rect & cv::Rect(0, 0, size, size);
    for (int y = inside.y; y < inside.y + inside.height; ++y) {
      for (int x = inside.x; x < inside.x + inside.width; ++x) {
        const int cw = codeword_of[static_cast<std::size_t>(y * size + x)];
        if (cw >= 0) {
          per_block[static_cast<std::size_t>(block_of[static_cast<std::size_t>(cw)])].insert(cw);
        }
      }
    }
    std::vector<int> out;
    for (const auto& s : per_block) out.push_back(static_cast<int>(s.size()));
    return out;
  }
};

}  // namespace

std::vector<int> codewords_touched(const Symbol& symbol, const cv::Rect& rect) {
  return CodewordMap(symbol).touched(rect);
}

double center_reserve(double strength) {
  const double s = std::clamp(strength, 0.0, 1.0);
  if (s <= kDefaultStrength) return kCenterReserve * s / kDefaultStrength;
  return kCenterReserve + (0.9 - kCenterReserve) * (s - kDefaultStrength) / (1 - kDefaultStrength);
}

cv::Rect center_patch(const Symbol& symbol, double aspect, double strength) {
  const BlockLayout layout = block_layout(symbol.version, symbol.ec);
  // A reader corrects up to half the EC codewords of a block as errors (it cannot know
  // which codewords the patch hid).
  const int allowed =
      static_cast<int>(std::floor((1 - center_reserve(strength)) * (layout.ec_per_block / 2)));
  const CodewordMap map(symbol);
  const auto fits = [&](const cv::Rect& r) {
    for (int t : map.touched(r)) {
      if (t > allowed) return false;
    }
    return true;
  };
  cv::Rect best;
  for (int h = 1; h <= symbol.size; h += 2) {
    const int w = std::clamp(to_odd(static_cast<int>(std::lround(h * aspect))), 1, symbol.size);
    const cv::Rect r((symbol.size - w) / 2, (symbol.size - h) / 2, w, h);
    if (!fits(r)) break;
    best = r;
  }
  return best;
}

cv::Rect checked_center_patch(const Symbol& symbol, const Logo& logo, double strength) {
  const cv::Rect patch =
      center_patch(symbol, static_cast<double>(logo.width()) / logo.height(), strength);
  if (patch.width < 3 || patch.height < 3) {
    throw Error(ErrorCategory::encode,
                std::string("the center style has no room for a logo in a version-") +
                    std::to_string(symbol.version) + " symbol at EC " + to_char(symbol.ec) +
                    " (the error-correction budget allows a " + std::to_string(patch.width) + "x" +
                    std::to_string(patch.height) +
                    "-module patch at most): use EncodeOptions.ec H, a larger "
                    "EncodeOptions.min_version or a lower RenderOptions.strength");
  }
  return patch;
}

}  // namespace viscode::detail
