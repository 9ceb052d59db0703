// Print: the artwork resampled onto the printer's dot grid. A RIP cannot place a module edge
// between two dots, so a module of 11.8 dots comes out 11 or 12 dots wide; the edges of
// module i fall on dot round(i * dots_per_module), and the whole print keeps its size.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "capture/stages.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

struct Axis {
  Taps taps;
  double modules = 0;  // the printed length in modules
};

// One axis of the print: input_px pixels carrying modules of input_module_px, printed at
// dots_per_module, grouped into cells of dots_per_cell dots.
Axis print_axis(int input_px, double input_module_px, double dots_per_module, int dots_per_cell,
                double module_mm, double dpi) {
  const double modules = input_px / input_module_px;
  // Knots of the piecewise-linear map from dot to input coordinates: module edges.
  std::vector<double> dot_knot, in_knot;
  const int whole = static_cast<int>(std::floor(modules + 1e-9));
  for (int i = 0; i <= whole; ++i) {
    dot_knot.push_back(std::round(i * dots_per_module));
    in_knot.push_back(std::min(static_cast<double>(input_px), i * input_module_px));
  }
  const double total_dots = std::max(1.0, std::round(modules * dots_per_module));
  if (total_dots > dot_knot.back()) {
    dot_knot.push_back(total_dots);  // a partial last module
    in_knot.push_back(input_px);
  } else {
    in_knot.back() = input_px;  // a sliver of a module too thin for a dot joins the last one
  }
  if (dot_knot.size() < 2) {  // the whole artwork is less than one module: one segment
    dot_knot = {0, total_dots};
    in_knot = {0, static_cast<double>(input_px)};
  }

  // Cell edges (every dots_per_cell dots, the last cell possibly shorter) in input pixels:
  // the map is monotonic, since dots_per_module >= 1 keeps every module at least a dot.
  const int cells = static_cast<int>(std::ceil(total_dots / dots_per_cell - 1e-9));
  std::vector<double> edges;
  edges.reserve(static_cast<std::size_t>(cells) + 1);
  std::size_t seg = 0;
  for (int j = 0; j <= cells; ++j) {
    const double dot = std::min(total_dots, static_cast<double>(j) * dots_per_cell);
    while (seg + 2 < dot_knot.size() && dot > dot_knot[seg + 1]) ++seg;
    const double d0 = dot_knot[seg], d1 = dot_knot[seg + 1];
    const double t = d1 > d0 ? (dot - d0) / (d1 - d0) : 0.0;
    edges.push_back(in_knot[seg] + t * (in_knot[seg + 1] - in_knot[seg]));
  }
  // The sheet's module is the nominal one: the print's size, rounded to whole dots, is
  // within a dot of the artwork's.
  return {box_taps(input_px, edges), cells * dots_per_cell * 25.4 / dpi / module_mm};
}

}  // namespace

PrintPlan plan_print(cv::Size artwork, double input_module_px, double module_mm, double dpi) {
  const double dots_per_module = module_mm * dpi / 25.4;
  PrintPlan plan;
  plan.dots_per_cell =
      std::max(1, static_cast<int>(std::ceil(dots_per_module / kMaxCellsPerModule - 1e-9)));
  Axis x = print_axis(artwork.width, input_module_px, dots_per_module, plan.dots_per_cell,
                      module_mm, dpi);
  Axis y = print_axis(artwork.height, input_module_px, dots_per_module, plan.dots_per_cell,
                      module_mm, dpi);
  plan.x = std::move(x.taps);
  plan.y = std::move(y.taps);
  plan.modules_x = x.modules;
  plan.modules_y = y.modules;
  return plan;
}

Sheet print(const cv::Mat& bgr, double input_module_px, double module_mm, double dpi) {
  const PrintPlan plan = plan_print(bgr.size(), input_module_px, module_mm, dpi);
  Sheet sheet;
  sheet.image = resample(bgr, plan.x, plan.y);
  sheet.modules_x = plan.modules_x;
  sheet.modules_y = plan.modules_y;
  sheet.dots_per_cell = plan.dots_per_cell;
  return sheet;
}

}  // namespace viscode::detail
