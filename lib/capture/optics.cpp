// Optics: the camera's view of the sheet. Distance sets the scale (camera px per module),
// the pack's orientation in the hand a rotation, the camera's angle a perspective, and each
// sensor pixel integrates the light over its area. Then the lens: defocus and motion blur.
//
// A sensor integrates, it does not point-sample: a bilinear warp straight from a 12-dot
// module to 4 px per module would alias as no camera does. So the sheet is first
// area-averaged onto a grid of the camera's pitch (or an integer fraction of it, where the
// camera sees fewer than kMinSupersampledPxPerModule px per module or a steep tilt shrinks
// the far side), aligned with the frame's pixels: an untilted, unrotated sheet is then
// exactly the sensor's area average. Rotation and perspective resample that grid
// bilinearly at about unit scale, and a supersampled frame is box-averaged down.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "capture/stages.hpp"

namespace viscode::detail {
namespace {

constexpr double kMinSupersampledPxPerModule = 4;

double radians(double deg) {
  return deg * std::numbers::pi / 180.0;
}

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1.0);
  return {v[0] / v[2], v[1] / v[2]};
}

// A straight smear of length px along angle (0 horizontal, 90 downwards), centred, as a
// normalised kernel: the segment sampled finely and splatted bilinearly.
cv::Mat motion_kernel(double length, double angle_deg) {
  const double a = radians(angle_deg);
  const double dx = std::cos(a), dy = std::sin(a);
  const int half = static_cast<int>(std::ceil(length / 2)) + 1;
  const int n = 2 * half + 1;
  cv::Mat k = cv::Mat::zeros(n, n, CV_32F);
  const int samples = std::max(16, static_cast<int>(std::ceil(length * 8)));
  const double w = 1.0 / samples;
  for (int i = 0; i < samples; ++i) {
    const double s = -length / 2 + (i + 0.5) * length / samples;
    const double x = half + s * dx, y = half + s * dy;
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
    const double fx = x - x0, fy = y - y0;
    k.at<float>(y0, x0) += static_cast<float>(w * (1 - fx) * (1 - fy));
    k.at<float>(y0, x0 + 1) += static_cast<float>(w * fx * (1 - fy));
    k.at<float>(y0 + 1, x0) += static_cast<float>(w * (1 - fx) * fy);
    k.at<float>(y0 + 1, x0 + 1) += static_cast<float>(w * fx * fy);
  }
  return k;
}

}  // namespace

View plan_view(double modules_x, double modules_y, const CaptureOptions& o) {
  // Rotation, counter-clockwise as displayed (y down).
  const double r = radians(o.rotation_deg), c = std::cos(r), s = std::sin(r);
  const cv::Matx33d rotate(c, s, 0, -s, c, 0, 0, 0, 1);
  const std::array<cv::Point2d, 4> outline = {{{-modules_x / 2, -modules_y / 2},
                                               {modules_x / 2, -modules_y / 2},
                                               {modules_x / 2, modules_y / 2},
                                               {-modules_x / 2, modules_y / 2}}};
  // Perspective of a camera looking at the pack from an angle, in the frame's directions:
  // a point at distance t along the tilt direction is scaled by 1 / (1 + k t / reach), so
  // the farthest point of the outline is scaled 1 - tilt times the nearest.
  cv::Matx33d tilt = cv::Matx33d::eye();
  if (o.tilt > 0) {
    const double a = radians(o.tilt_angle_deg), dx = std::cos(a), dy = std::sin(a);
    double reach = 0;
    for (const cv::Point2d& p : outline) {
      const cv::Point2d q = apply(rotate, p);
      reach = std::max(reach, q.x * dx + q.y * dy);
    }
    const double k = o.tilt / (2 - o.tilt);
    tilt(2, 0) = k * dx / reach;
    tilt(2, 1) = k * dy / reach;
  }
  const cv::Matx33d shape = tilt * rotate;
  std::array<cv::Point2d, 4> quad;
  for (std::size_t i = 0; i < 4; ++i) quad[i] = apply(shape, outline[i]);
  // Keep the area (a tilt moves the pack away as much as towards the camera).
  double area = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const cv::Point2d& p = quad[i];
    const cv::Point2d& q = quad[(i + 1) % 4];
    area += p.x * q.y - q.x * p.y;
  }
  area = std::abs(area) / 2;
  const double scale = o.px_per_module * std::sqrt(modules_x * modules_y / area);
  double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
  for (const cv::Point2d& p : quad) {
    minx = std::min(minx, p.x * scale), maxx = std::max(maxx, p.x * scale);
    miny = std::min(miny, p.y * scale), maxy = std::max(maxy, p.y * scale);
  }
  // Whole-pixel offsets, so that an untilted, unrotated code lands on the pixel grid.
  const double margin = 3 * o.px_per_module + 8;
  const double tx = std::round(margin - minx), ty = std::round(margin - miny);
  View v;
  v.module_to_frame = cv::Matx33d(scale, 0, tx, 0, scale, ty, 0, 0, 1) * shape;
  v.frame = cv::Size(static_cast<int>(std::ceil(maxx + tx + margin)),
                     static_cast<int>(std::ceil(maxy + ty + margin)));
  // The least magnification is at a corner (the far one, in the tilt's direction, where
  // foreshortening adds to distance): the smaller singular value of the Jacobian there.
  const cv::Matx33d& h = v.module_to_frame;
  v.min_scale = 1;
  for (const cv::Point2d& p : outline) {
    const cv::Vec3d w = h * cv::Vec3d(p.x, p.y, 1.0);
    const double x = w[0] / w[2], y = w[1] / w[2];
    const double a = (h(0, 0) - x * h(2, 0)) / w[2], b = (h(0, 1) - x * h(2, 1)) / w[2];
    const double c2 = (h(1, 0) - y * h(2, 0)) / w[2], d = (h(1, 1) - y * h(2, 1)) / w[2];
    const double s1 = a * a + b * b + c2 * c2 + d * d, det = std::abs(a * d - b * c2);
    const double gap = std::sqrt(std::max(0.0, s1 * s1 / 4 - det * det));
    const double smallest = std::sqrt(std::max(0.0, s1 / 2 - gap));
    v.min_scale = std::min(v.min_scale, smallest / o.px_per_module);
  }
  return v;
}

namespace {

// The camera's view of a sheet of modules_x x modules_y modules whose cells are `image`
// seen through to_cells_x/y (artwork pixels -> cells; null when the image is the sheet).
cv::Mat look(const cv::Mat& image, const Taps* to_cells_x, const Taps* to_cells_y, double modules_x,
             double modules_y, const CaptureOptions& o) {
  const View view = plan_view(modules_x, modules_y, o);
  const double least = std::max(o.px_per_module * view.min_scale, 0.25);
  const int q =
      std::clamp(static_cast<int>(std::ceil(kMinSupersampledPxPerModule / least - 1e-9)), 1, 16);
  const double pitch = 1 / (q * o.px_per_module);  // modules per grid pixel

  // The grid: supersampled frame pixels, offset so that an untilted, unrotated sheet's
  // grid pixels are the frame's. Its pixel i covers [(i - offset) * pitch, ...) modules from
  // the sheet's edge.
  const cv::Vec3d corner = view.module_to_frame * cv::Vec3d(-modules_x / 2, -modules_y / 2, 1);
  const double sx = q * corner[0] / corner[2], sy = q * corner[1] / corner[2];
  const double ox = sx - std::floor(sx), oy = sy - std::floor(sy);
  auto grid_axis = [&](const Taps* to_cells, int input, double modules, double offset) {
    const int cells = to_cells != nullptr ? to_cells->size() : input;
    const double per_module = cells / modules;
    const int n = static_cast<int>(std::ceil(offset + modules / pitch - 1e-9));
    std::vector<double> edges(static_cast<std::size_t>(n) + 1);
    for (int i = 0; i <= n; ++i) {
      edges[static_cast<std::size_t>(i)] = (i - offset) * pitch * per_module;
    }
    const Taps area = box_taps(cells, edges);
    return to_cells != nullptr ? compose(*to_cells, input, area) : area;
  };
  // Transposed (the resampling's last transpose is left to the warp).
  const cv::Mat grid = resample_transposed(image, grid_axis(to_cells_x, image.cols, modules_x, ox),
                                           grid_axis(to_cells_y, image.rows, modules_y, oy));

  // grid pixel centres (column: along the sheet's y, row: along its x) -> sheet module
  // coordinates (origin at the centre) -> frame pixel edges -> supersampled pixel centres.
  const cv::Matx33d to_modules(0, pitch, (0.5 - ox) * pitch - modules_x / 2, pitch, 0,
                               (0.5 - oy) * pitch - modules_y / 2, 0, 0, 1);
  const cv::Matx33d to_super(q, 0, -0.5, 0, q, -0.5, 0, 0, 1);
  const cv::Matx33d h = to_super * view.module_to_frame * to_modules;

  // Only the grid's bounding box is warped; the rest of the frame is the surround.
  const cv::Size size = view.frame * q;
  cv::Mat super(size, CV_8UC3, cv::Scalar::all(kSurroundGrey));
  double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
  for (const cv::Point2d c :
       {cv::Point2d(-0.5, -0.5), cv::Point2d(grid.cols - 0.5, -0.5),
        cv::Point2d(grid.cols - 0.5, grid.rows - 0.5), cv::Point2d(-0.5, grid.rows - 0.5)}) {
    const cv::Point2d p = apply(h, c);
    minx = std::min(minx, p.x), maxx = std::max(maxx, p.x);
    miny = std::min(miny, p.y), maxy = std::max(maxy, p.y);
  }
  const cv::Rect box =
      cv::Rect(
          cv::Point(static_cast<int>(std::floor(minx)) - 1, static_cast<int>(std::floor(miny)) - 1),
          cv::Point(static_cast<int>(std::ceil(maxx)) + 2, static_cast<int>(std::ceil(maxy)) + 2)) &
      cv::Rect(cv::Point(0, 0), size);
  if (!box.empty()) {
    const cv::Matx33d m = cv::Matx33d(1, 0, -box.x, 0, 1, -box.y, 0, 0, 1) * h;
    cv::Mat roi = super(box);
    // Untilted and unrotated, the grid is the frame's pixels: a transpose, not a resampling.
    const bool shift_only =
        std::abs(m(0, 1) - 1) < 1e-9 && std::abs(m(1, 0) - 1) < 1e-9 && std::abs(m(0, 0)) < 1e-9 &&
        std::abs(m(1, 1)) < 1e-9 && std::abs(m(2, 0)) < 1e-12 && std::abs(m(2, 1)) < 1e-12 &&
        std::abs(m(2, 2) - 1) < 1e-9 && std::abs(m(0, 2) - std::round(m(0, 2))) < 1e-6 &&
        std::abs(m(1, 2) - std::round(m(1, 2))) < 1e-6;
    if (shift_only) {
      cv::Mat upright;
      cv::transpose(grid, upright);
      const cv::Rect to(static_cast<int>(std::lround(m(0, 2))),
                        static_cast<int>(std::lround(m(1, 2))), upright.cols, upright.rows);
      const cv::Rect inside = to & cv::Rect(0, 0, roi.cols, roi.rows);
      upright(inside - to.tl()).copyTo(roi(inside));
    } else {
      cv::warpPerspective(grid, roi, cv::Mat(m), box.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                          cv::Scalar::all(kSurroundGrey));
    }
  }
  if (q == 1) return super;
  cv::Mat pixels;
  cv::resize(super, pixels, view.frame, 0, 0, cv::INTER_AREA);  // exact box average
  return pixels;
}

}  // namespace

cv::Mat photograph(const Sheet& sheet, const CaptureOptions& options) {
  return look(sheet.image, nullptr, nullptr, sheet.modules_x, sheet.modules_y, options);
}

cv::Mat photograph(const cv::Mat& bgr, const PrintPlan& plan, const CaptureOptions& options) {
  return look(bgr, &plan.x, &plan.y, plan.modules_x, plan.modules_y, options);
}

void blur(cv::Mat& frame, double defocus_sigma_px, double motion_px, double motion_angle_deg) {
  if (defocus_sigma_px > 0) {
    cv::GaussianBlur(frame, frame, cv::Size(0, 0), defocus_sigma_px, defocus_sigma_px,
                     cv::BORDER_REPLICATE);
  }
  if (motion_px > 0) {
    cv::filter2D(frame, frame, -1, motion_kernel(motion_px, motion_angle_deg), cv::Point(-1, -1), 0,
                 cv::BORDER_REPLICATE);
  }
}

}  // namespace viscode::detail
