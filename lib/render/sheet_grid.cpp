// The sheet's geometry: how many codes fit, and where, and which lengths make no sheet.
#include "render/sheet_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viscode/error.hpp"

namespace viscode::detail {

std::string mm_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

cv::Rect2d SheetGrid::code_box_mm(int index) const {
  const int col = cols > 0 ? index % cols : 0, row = cols > 0 ? index / cols : 0;
  return {left_mm + col * pitch_x_mm, top_mm + row * pitch_y_mm, code_mm, code_mm};
}

SheetGrid sheet_grid(const SheetLayout& l) {
  const auto ok = [](double v) { return std::isfinite(v) && v > 0; };
  if (!ok(l.page_w_mm) || !ok(l.page_h_mm)) {
    throw Error(ErrorCategory::usage, "BatchOptions.sheet " + mm_text(l.page_w_mm) + "x" +
                                          mm_text(l.page_h_mm) +
                                          "mm is not a page size: use A4, A3, Letter or a "
                                          "width and height above 0mm");
  }
  if (!ok(l.code_mm)) {
    throw Error(ErrorCategory::usage, "PrintOptions.size_mm " + mm_text(l.code_mm) +
                                          "mm is not a code size: use a length above 0mm");
  }
  if (!(std::isfinite(l.gap_mm) && l.gap_mm >= 0)) {
    throw Error(ErrorCategory::usage,
                "SheetOptions.gap_mm " + mm_text(l.gap_mm) + "mm is out of range: use 0mm or more");
  }
  if (!(std::isfinite(l.margin_mm) && l.margin_mm >= 0)) {
    throw Error(ErrorCategory::usage, "SheetOptions.margin_mm " + mm_text(l.margin_mm) +
                                          "mm is out of range: use 0mm or more");
  }
  if (!(std::isfinite(l.bleed_mm) && l.bleed_mm >= 0 && l.bleed_mm <= kMaxBleedMm)) {
    throw Error(ErrorCategory::usage, "PrintOptions.bleed_mm " + mm_text(l.bleed_mm) +
                                          "mm is out of range: use 0mm to " + mm_text(kMaxBleedMm) +
                                          "mm");
  }
  if (!l.trim_box && l.bleed_mm > 0 && l.gap_mm < 2 * l.bleed_mm) {
    throw Error(ErrorCategory::usage, "PrintOptions.bleed_mm " + mm_text(l.bleed_mm) +
                                          "mm needs a SheetOptions.gap_mm of at least " +
                                          mm_text(2 * l.bleed_mm) +
                                          "mm between codes (a bleed on each side)");
  }
  if (l.bleed_mm > 0 && l.margin_mm < l.bleed_mm) {
    throw Error(ErrorCategory::usage, "PrintOptions.bleed_mm " + mm_text(l.bleed_mm) +
                                          "mm needs a SheetOptions.margin_mm of at least " +
                                          mm_text(l.bleed_mm));
  }
  SheetGrid g;
  g.page_w_mm = l.page_w_mm;
  g.page_h_mm = l.page_h_mm;
  g.code_mm = l.code_mm;
  g.label_mm = l.labels ? kSheetLabelMm + l.bleed_mm : 0;  // labels go below the bleed
  g.pitch_x_mm = l.code_mm + l.gap_mm;
  g.pitch_y_mm = l.code_mm + g.label_mm + l.gap_mm;
  const double avail_w = l.page_w_mm - 2 * l.margin_mm;
  const double avail_h = l.page_h_mm - 2 * l.margin_mm;
  // The last column and row need no gap after them; the tolerance keeps an exact fit (A4's
  // 10 rows of 25 + 3 mm) from being lost to rounding.
  g.cols = static_cast<int>(std::floor((avail_w + l.gap_mm) / g.pitch_x_mm + 1e-9));
  g.rows = static_cast<int>(std::floor((avail_h + l.gap_mm) / g.pitch_y_mm + 1e-9));
  if (g.cols < 1 || g.rows < 1) {
    const std::string sheet =
        mm_text(l.page_w_mm) + "x" + mm_text(l.page_h_mm) + "mm BatchOptions.sheet";
    const double largest = std::floor(std::min(avail_w, avail_h - g.label_mm) * 10 + 1e-9) / 10;
    if (largest <= 0) {
      throw Error(ErrorCategory::usage, "SheetOptions.margin_mm " + mm_text(l.margin_mm) +
                                            "mm leaves no room on the " + sheet +
                                            ": use smaller margins or a larger BatchOptions.sheet");
    }
    throw Error(ErrorCategory::usage,
                "PrintOptions.size_mm " + mm_text(l.code_mm) + "mm does not fit on the " + sheet +
                    " inside " + mm_text(l.margin_mm) + "mm margins" +
                    (l.labels ? " with labels (" + mm_text(kSheetLabelMm) + "mm under each code)"
                              : std::string()) +
                    ": use PrintOptions.size_mm " + mm_text(largest) +
                    "mm or less, or a larger BatchOptions.sheet");
  }
  const double grid_w = g.cols * l.code_mm + (g.cols - 1) * l.gap_mm;
  const double grid_h = g.rows * (l.code_mm + g.label_mm) + (g.rows - 1) * l.gap_mm;
  g.left_mm = (l.page_w_mm - grid_w) / 2;
  g.top_mm = (l.page_h_mm - grid_h) / 2;
  return g;
}

}  // namespace viscode::detail
