#include "encode/function_patterns.hpp"

namespace viscode::detail {

std::vector<int> alignment_positions(int version) {
  if (version < 2) return {};
  const int n = 17 + 4 * version;
  const int count = version / 7 + 2;
  // Evenly spaced from the far end by an even step, the first always at 6 (annex E).
  const int step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2;
  std::vector<int> out(static_cast<std::size_t>(count));
  out[0] = 6;
  for (int i = count - 1, p = n - 7; i >= 1; --i, p -= step) out[static_cast<std::size_t>(i)] = p;
  return out;
}

bool alignment_drawn(int version, int x, int y) {
  const int far = 17 + 4 * version - 7;
  return !((x == 6 && y == 6) || (x == 6 && y == far) || (x == far && y == 6));
}

std::vector<std::uint8_t> function_mask(int version) {
  const int n = 17 + 4 * version;
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n * n), 0);
  auto set = [&](int x, int y) {
    if (x >= 0 && y >= 0 && x < n && y < n) mask[static_cast<std::size_t>(y * n + x)] = 1;
  };
  // Finders with separators and the format information beside them (row and column 8).
  for (int i = 0; i < 9; ++i) {
    for (int j = 0; j < 9; ++j) {
      set(i, j);
      if (i < 8) set(n - 1 - i, j);
      if (j < 8) set(i, n - 1 - j);
    }
  }
  for (int i = 0; i < n; ++i) {
    set(i, 6);
    set(6, i);
  }
  const std::vector<int> pos = alignment_positions(version);
  for (const int ay : pos) {
    for (const int ax : pos) {
      if (!alignment_drawn(version, ax, ay)) continue;
      for (int dy = -2; dy <= 2; ++dy) {
        for (int dx = -2; dx <= 2; ++dx) set(ax + dx, ay + dy);
      }
    }
  }
  if (version >= 7) {
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 3; ++j) {
        set(n - 11 + j, i);
        set(i, n - 11 + j);
      }
    }
  }
  return mask;
}

}  // namespace viscode::detail
