// A small scatter/line plot with Cairo, so the benchmark can draw its own figure without
// a plotting stack.
#pragma once

#include <string>
#include <vector>

namespace viscode::bench {

struct Series {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y)
  unsigned colour = 0x000000;                     // 0xRRGGBB
  bool line = true;
};

// Writes a PNG of w x h pixels. Axes: x in [x0, x1], y in [y0, y1].
void plot(const std::string& file, const std::string& title, const std::string& xlabel,
          const std::string& ylabel, const std::vector<Series>& series, double x0, double x1,
          double y0, double y1, int w = 900, int h = 600);

}  // namespace viscode::bench
