// The capture chain: print -> ink -> paper and light -> camera (geometry, sensor area, lens
// blur) -> sensor noise and JPEG; option checks; the named severities.
#include "viscode/capture.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

#include "capture/stages.hpp"
#include "paper.hpp"
#include "viscode/detect.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace detail {
namespace {

// Beyond this many pixels a sheet or a supersampled frame is a mistake (a module size of
// one pixel on a photograph, say), not a capture: refuse it before allocating gigabytes. A
// version 40 code at 40 px per module, turned 45 degrees, stays below.
constexpr double kMaxWorkingPixels = 256.0 * 1024 * 1024;

[[noreturn]] void bad(const std::string& field, const std::string& range, double value) {
  throw Error(ErrorCategory::usage,
              "CaptureOptions." + field + " must be " + range + ", got " + number(value));
}

void check_range(const char* field, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) bad(field, number(lo) + "-" + number(hi), value);
}

void check_angle(const char* field, double value) {
  if (!std::isfinite(value)) bad(field, "a finite angle in degrees", value);
}

// Module size of the code in the artwork, from the code itself: its side over its modules,
// snapped so that the image holds a whole number of modules when it nearly does (a
// rendered code with its quiet zone), since the print puts module edges on dots.
double find_module_px(const cv::Mat& artwork) {
  const std::vector<Decoded> found = read_codes(artwork);
  if (found.empty()) {
    throw Error(ErrorCategory::input,
                "simulate_capture: no code reads in the artwork, so its module size is "
                "unknown: give the module size in px (CaptureOptions.input_module_px)");
  }
  const Decoded& d = found.front();
  double side = 0;
  for (std::size_t i = 0; i < 4; ++i) side += cv::norm(d.corners[(i + 1) % 4] - d.corners[i]);
  const double module_px = side / 4 / (17 + 4 * d.version);
  const double across = artwork.cols / module_px;
  const double snapped = artwork.cols / std::max(1.0, std::round(across));
  const double down = artwork.rows / snapped;
  if (std::abs(across - std::round(across)) < 0.25 && std::abs(down - std::round(down)) < 0.25) {
    return snapped;
  }
  return module_px;
}

}  // namespace

std::string number(double value) {
  std::array<char, 32> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), res.ptr);
}

void validate(const CaptureOptions& o) {
  if (!(o.input_module_px == 0 || o.input_module_px >= 1) || !std::isfinite(o.input_module_px)) {
    bad("input_module_px", "0 (found by reading the code) or at least 1", o.input_module_px);
  }
  if (!(o.print_module_mm >= 0) || !std::isfinite(o.print_module_mm)) {
    bad("print_module_mm", "> 0 (0 = not printed)", o.print_module_mm);
  }
  check_range("print_dpi", o.print_dpi, 72, 4800);
  if (o.print_module_mm > 0 && o.print_module_mm * o.print_dpi / 25.4 < 1) {
    throw Error(ErrorCategory::usage, "CaptureOptions.print_module_mm of " +
                                          number(o.print_module_mm) +
                                          " mm is less than one printer dot at " +
                                          number(o.print_dpi) + " dpi: print larger modules");
  }
  check_range("ink_spread", o.ink_spread, 0, 0.5);
  if (o.ink_spread > 0 && o.print_module_mm == 0) {
    throw Error(ErrorCategory::usage,
                "CaptureOptions.ink_spread needs a print: print_module_mm is 0 (not printed)");
  }
  check_range("gradient", o.gradient, 0, 0.9);
  check_angle("gradient_angle_deg", o.gradient_angle_deg);
  static constexpr const char* kChannels[] = {"colour_cast[0] (blue)", "colour_cast[1] (green)",
                                              "colour_cast[2] (red)"};
  for (int c = 0; c < 3; ++c) check_range(kChannels[c], o.colour_cast[c], 0.5, 1.5);
  check_range("px_per_module", o.px_per_module, 1.5, 40);
  check_range("defocus_sigma_px", o.defocus_sigma_px, 0, 10);
  check_range("motion_px", o.motion_px, 0, 30);
  check_angle("motion_angle_deg", o.motion_angle_deg);
  check_range("tilt", o.tilt, 0, 0.6);
  check_angle("tilt_angle_deg", o.tilt_angle_deg);
  check_angle("rotation_deg", o.rotation_deg);
  check_range("noise_sigma", o.noise_sigma, 0, 50);
  if (o.jpeg_quality < 0 || o.jpeg_quality > 100) {
    bad("jpeg_quality", "1-100 (0 = no JPEG)", o.jpeg_quality);
  }
}

cv::Mat artwork_bgr(const cv::Mat& artwork) {
  if (artwork.empty()) throw Error(ErrorCategory::input, "simulate_capture: the artwork is empty");
  if (artwork.depth() != CV_8U ||
      (artwork.channels() != 1 && artwork.channels() != 3 && artwork.channels() != 4)) {
    throw Error(ErrorCategory::input,
                "simulate_capture: the artwork must be an 8-bit grey, BGR or BGRA image");
  }
  // Printed on white paper: transparency shows the paper.
  return over_white(artwork);
}

Sheet unprinted(const cv::Mat& bgr, double input_module_px) {
  Sheet sheet;
  sheet.image = bgr;
  sheet.modules_x = bgr.cols / input_module_px;
  sheet.modules_y = bgr.rows / input_module_px;
  sheet.dots_per_cell = 0;
  return sheet;
}

}  // namespace detail

std::string_view to_string(Severity severity) {
  return enum_name(severity);
}

Severity parse_severity(std::string_view name) {
  if (const auto severity = parse_enum<Severity>(name)) return *severity;
  throw Error(ErrorCategory::usage, "unknown severity '" + std::string(name) + "': choose from " +
                                        enum_name_list<Severity>(", "));
}

std::vector<Severity> all_severities() {
  const auto all = enum_values<Severity>();  // declared mildest first
  return {all.begin(), all.end()};
}

CaptureOptions capture_preset(Severity severity, std::uint64_t seed) {
  // The grade (px/module, blur, noise, JPEG) is fixed per severity; the orientation, the
  // tilt, the light and the motion are drawn per seed, since a reader that works at one
  // orientation is not a reader. As tests/bench/detect.cpp's severities, but for hard's
  // tilt (docs/capture.md says why).
  cv::RNG rng(detail::mix_seed(seed, 1 + static_cast<std::uint64_t>(severity)));
  CaptureOptions o;
  switch (severity) {
    case Severity::pristine:
      o.px_per_module = 10;
      break;
    case Severity::mild:
      o.px_per_module = 6;
      o.defocus_sigma_px = 0.6;
      o.rotation_deg = rng.uniform(-10.0, 10.0);
      o.jpeg_quality = 90;
      break;
    case Severity::moderate:
      o.defocus_sigma_px = 0.9;
      o.rotation_deg = rng.uniform(-180.0, 180.0);
      // Twice the perspective of a pack held in hand (about 5%): beyond 0.15 ZBar misses
      // even plain codes of version 8 and up, which no design can beat.
      o.tilt = rng.uniform(0.0, 0.1);
      o.tilt_angle_deg = rng.uniform(0.0, 360.0);
      o.gradient = rng.uniform(0.0, 0.3);
      o.gradient_angle_deg = rng.uniform(0.0, 360.0);
      o.noise_sigma = 4;
      o.jpeg_quality = 80;
      // A pack at arm's length: a 25 mm code of version 6-8 spans about 260 px of a phone's
      // frame, 4.6-5.3 px per module. Drawn last so that the draws above keep their values.
      o.px_per_module = rng.uniform(4.5, 5.0);
      break;
    case Severity::hard: {
      o.px_per_module = 4;
      o.defocus_sigma_px = 1.2;
      o.motion_px = rng.uniform(0.0, 2.0);
      o.motion_angle_deg = rng.uniform(0.0, 180.0);
      o.rotation_deg = rng.uniform(-180.0, 180.0);
      o.tilt = rng.uniform(0.0, 0.25);
      o.tilt_angle_deg = rng.uniform(0.0, 360.0);
      o.gradient = rng.uniform(0.0, 0.5);
      o.gradient_angle_deg = rng.uniform(0.0, 360.0);
      o.noise_sigma = 8;
      o.jpeg_quality = 70;
      // Up to half of warm indoor light's cast (0.85, 0.95, 1.05), warm or cool.
      const double warmth = rng.uniform(-0.5, 0.5);
      o.colour_cast = {1 - 0.15 * warmth, 1 - 0.05 * warmth, 1 + 0.05 * warmth};
      break;
    }
  }
  return o;
}

cv::Mat simulate_capture(const cv::Mat& artwork, const CaptureOptions& options,
                         std::uint64_t seed) {
  detail::validate(options);
  const cv::Mat bgr = detail::artwork_bgr(artwork);
  const double module_px =
      options.input_module_px > 0 ? options.input_module_px : detail::find_module_px(artwork);
  if (module_px > std::max(bgr.cols, bgr.rows)) {
    throw Error(ErrorCategory::usage,
                "CaptureOptions.input_module_px of " + detail::number(module_px) +
                    " px is larger than the artwork (" + std::to_string(bgr.cols) + "x" +
                    std::to_string(bgr.rows) + " px)");
  }
  const double modules_x = bgr.cols / module_px, modules_y = bgr.rows / module_px;
  const double cells =
      options.print_module_mm > 0
          ? std::min(options.print_module_mm * options.print_dpi / 25.4, detail::kMaxCellsPerModule)
          : module_px;
  // Supersampled px per module on the frame, at most (optics.cpp), and the frame's area
  // over the code's at most (a turn by 45 degrees doubles it, a tilt stretches the near side).
  const double super = std::max(4.0 / (1 - options.tilt), options.px_per_module) + 4.0;
  const double spread = 2 / (1 - options.tilt);
  if (modules_x * modules_y * cells * cells > detail::kMaxWorkingPixels ||
      modules_x * modules_y * super * super * spread > detail::kMaxWorkingPixels) {
    throw Error(ErrorCategory::usage,
                "simulate_capture: " + detail::number(std::round(modules_x)) + "x" +
                    detail::number(std::round(modules_y)) +
                    " modules is too large to capture: check CaptureOptions.input_module_px "
                    "(or crop the artwork to the code)");
  }

  cv::Mat frame;
  if (options.print_module_mm == 0) {
    frame = detail::photograph(detail::unprinted(bgr, module_px), options);
  } else if (options.ink_spread > 0) {  // ink needs the printed dots themselves
    detail::Sheet sheet = detail::print(bgr, module_px, options.print_module_mm, options.print_dpi);
    detail::spread_ink(sheet, options.ink_spread);
    frame = detail::photograph(sheet, options);
  } else {
    frame = detail::photograph(
        bgr, detail::plan_print(bgr.size(), module_px, options.print_module_mm, options.print_dpi),
        options);
  }
  // Light works on linear values in floats; the lens alone is as exact on 8 bits, and
  // faster.
  if (options.gradient > 0 || options.colour_cast != cv::Vec3d(1, 1, 1)) {
    frame.convertTo(frame, CV_32FC3);
    detail::light(frame, options.gradient, options.gradient_angle_deg, options.colour_cast);
  }
  detail::blur(frame, options.defocus_sigma_px, options.motion_px, options.motion_angle_deg);
  return detail::sense(frame, options.noise_sigma, options.jpeg_quality, seed);
}

}  // namespace viscode
