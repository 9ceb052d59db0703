#include "detect/symbol_geometry.hpp"

#include <algorithm>
#include <cstdlib>

#include "detect/model1.hpp"
#include "encode/function_patterns.hpp"

namespace viscode::detail {

// Along the top and left edges: what the finders alone place well, since they bracket it.
std::vector<Known> edge_modules(int version) {
  const int n = 17 + 4 * version;
  std::vector<Known> out;
  for (int i = 0; i < 8; ++i) {
    out.push_back({i, 7, false});
    out.push_back({7, i, false});
    out.push_back({n - 1 - i, 7, false});
    out.push_back({n - 8, i, false});
    out.push_back({i, n - 8, false});
    out.push_back({7, n - 1 - i, false});
  }
  for (int i = 8; i < n - 8; ++i) {
    out.push_back({i, 6, i % 2 == 0});
    out.push_back({6, i, i % 2 == 0});
  }
  out.push_back({8, n - 8, true});
  return out;
}

// QR Model 1 has no alignment patterns but extension patterns on its right and bottom edges.
std::vector<Known> extension_modules(int version) {
  std::vector<Known> out;
  for (const auto& [x, y, dark] : model1_extension_modules(version)) {
    out.push_back({x, y, dark != 0});
  }
  return out;
}

std::vector<Known> model1_known_modules(int version) {
  std::vector<Known> out = edge_modules(version);
  const std::vector<Known> extension = extension_modules(version);
  out.insert(out.end(), extension.begin(), extension.end());
  return out;
}

std::vector<Known> known_modules(int version) {
  std::vector<Known> out = edge_modules(version);
  const std::vector<int> pos = alignment_positions(version);
  for (const int ay : pos) {
    for (const int ax : pos) {
      if (!alignment_drawn(version, ax, ay)) continue;
      for (int dy = -2; dy <= 2; ++dy) {
        for (int dx = -2; dx <= 2; ++dx) {
          out.push_back({ax + dx, ay + dy, std::max(std::abs(dx), std::abs(dy)) != 1});
        }
      }
    }
  }
  return out;
}

}  // namespace viscode::detail
