// Vector outputs as viewers and presses rasterise them: the PDF through poppler (pdftoppm)
// and the SVG through librsvg, at the print resolution and at odd scales, with no seam
// inside a finder's dark ring, no lighter line between adjacent dark modules and no
// hairline of the picture along a finder's edge.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "render/sheet_pdf.hpp"
#include "temp_dir.hpp"
#include "tools.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
namespace fs = std::filesystem;

namespace {

const std::string kSamples = std::string(VISCODE_SOURCE_DIR) + "/samples";

using TempDir = viscode::test::TempDir;

void write(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Sample {
  Symbol symbol;
  Logo logo;
  RenderOptions options;
};

Sample sample(const std::string& logo_file) {
  Logo logo = Logo::load(kSamples + "/" + logo_file);
  RenderOptions options;
  const Symbol symbol =
      design_symbol("https://viscode.example/p/0001", &logo, EncodeOptions{}, options);
  return {symbol, logo, options};
}

// The range of pixel values (each pixel's lightest channel) over the pixels well inside a rectangle
// of modules (at least `inset` pixels from its edges).
void range_inside(const cv::Mat& bgr, double px_per_module, double x0, double y0, double x1,
                  double y1, double inset, int& lo, int& hi) {
  const int ya = static_cast<int>(std::ceil(y0 * px_per_module + inset));
  const int yb = static_cast<int>(std::floor(y1 * px_per_module - inset));
  const int xa = static_cast<int>(std::ceil(x0 * px_per_module + inset));
  const int xb = static_cast<int>(std::floor(x1 * px_per_module - inset));
  for (int y = ya; y < yb; ++y) {
    for (int x = xa; x < xb; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      const int v = std::max({p[0], p[1], p[2]});  // the lightest channel
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
}

// Every finder of a rendering of the whole frame: its dark ring (the ring's four sides,
// each a run of adjacent dark modules) and its 3 x 3 core must be solid and uniformly dark.
// A seam between two adjacent dark modules shows as a lighter line: before module edges
// were whole device pixels, librsvg showed them 7 to 23 levels above the black around them.
void check_finders(const cv::Mat& bgr, const Sample& s, const std::string& what) {
  const int frame = s.symbol.size + 2 * s.options.quiet;
  const double ppm = static_cast<double>(bgr.cols) / frame;
  const int q = s.options.quiet, n = s.symbol.size;
  const double inset = 1.0;  // one pixel clear of the ring's own (anti-aliased) edges
  for (const auto& [fx, fy] : {std::pair{q, q}, std::pair{q + n - 7, q}, std::pair{q, q + n - 7}}) {
    INFO(what << " at " << ppm << " px per module, finder at module " << fx << "," << fy);
    const double x = fx, y = fy;
    int lo = 255, hi = 0;
    range_inside(bgr, ppm, x, y, x + 7, y + 1, inset, lo, hi);          // top side
    range_inside(bgr, ppm, x, y + 6, x + 7, y + 7, inset, lo, hi);      // bottom side
    range_inside(bgr, ppm, x, y, x + 1, y + 7, inset, lo, hi);          // left side
    range_inside(bgr, ppm, x + 6, y, x + 7, y + 7, inset, lo, hi);      // right side
    range_inside(bgr, ppm, x + 2, y + 2, x + 5, y + 5, inset, lo, hi);  // core
    CHECK(lo < 40);       // dark (poppler shows 100% K as 35)
    CHECK(hi - lo <= 3);  // and no lighter line anywhere in it
  }
}

// At a resolution where modules are whole pixels, module edges fall on pixel edges: the
// pixels touching a finder's dark ring from outside (its light separator) and from its
// hole, and those around its core, must be light and colourless: never a hairline of the
// picture beneath. poppler rounds an edge that lies exactly on a pixel boundary up to 1/8
// of a pixel past it (a neutral grey at most, twice that in an inner corner); anything
// darker, or with colour, is a hairline.
void check_separators(const cv::Mat& bgr, const Sample& s, const std::string& what) {
  const int frame = s.symbol.size + 2 * s.options.quiet;
  REQUIRE(bgr.cols % frame == 0);
  const int ppm = bgr.cols / frame;
  const int q = s.options.quiet, n = s.symbol.size;
  for (const auto& [fx, fy] : {std::pair{q, q}, std::pair{q + n - 7, q}, std::pair{q, q + n - 7}}) {
    INFO(what << ": finder at module " << fx << "," << fy);
    const int x = fx * ppm, y = fy * ppm;
    std::vector<cv::Point> at;
    // The perimeter of the pixel rectangle [x0, x1] x [y0, y1].
    const auto ring = [&at](int x0, int y0, int x1, int y1) {
      for (int i = x0; i <= x1; ++i) at.insert(at.end(), {{i, y0}, {i, y1}});
      for (int j = y0; j <= y1; ++j) at.insert(at.end(), {{x0, j}, {x1, j}});
    };
    ring(x - 1, y - 1, x + 7 * ppm, y + 7 * ppm);                      // outside the finder
    ring(x + ppm, y + ppm, x + 6 * ppm - 1, y + 6 * ppm - 1);          // inside its ring
    ring(x + 2 * ppm - 1, y + 2 * ppm - 1, x + 5 * ppm, y + 5 * ppm);  // around its core
    int darkest = 255, colour = 0;
    for (const cv::Point& p : at) {
      const cv::Vec3b v = bgr.at<cv::Vec3b>(p);
      const int lo = std::min({v[0], v[1], v[2]}), hi = std::max({v[0], v[1], v[2]});
      darkest = std::min(darkest, lo);
      colour = std::max(colour, hi - lo);
    }
    CHECK(darkest >= 170);
    CHECK(colour <= 8);
  }
}

}  // namespace

TEST_CASE("PDF renderings have no seams or hairlines along finders", "[render][print]") {
  const std::string pdftoppm = test::find_tool("pdftoppm");
  if (pdftoppm.empty()) {
    WARN("pdftoppm (poppler-utils) is not installed: PDF renderings not checked");
    return;
  }
  TempDir dir;
  for (const std::string logo : {"brand.svg", "brand.png"}) {
    const Sample s = sample(logo);
    PrintOptions print;  // 25 mm at 600 dpi
    for (const Ink ink : {Ink::rgb, Ink::k}) {
      print.ink = ink;
      const fs::path pdf = dir.path / "code.pdf";
      write(pdf, render_file(s.symbol, &s.logo, s.options, print, Format::pdf));
      for (const int dpi : {600, 1200, 437, 311, 173}) {
        const std::string what = logo + " PDF, ink " + std::string(to_string(ink)) + " at " +
                                 std::to_string(dpi) + " dpi";
        const fs::path png = dir.path / "page.png";
        REQUIRE(run(pdftoppm + " -r " + std::to_string(dpi) + " -png -singlefile " + pdf.string() +
                    " " + (dir.path / "page").string()) == 0);
        const cv::Mat bgr = cv::imread(png.string(), cv::IMREAD_COLOR);
        REQUIRE(!bgr.empty());
        check_finders(bgr, s, what);
        if (dpi % 600 == 0) check_separators(bgr, s, what);
      }
    }
  }
}

TEST_CASE("SVG renderings by librsvg have no seams between modules", "[render][print]") {
  TempDir dir;
  for (const std::string logo : {"brand.svg", "brand.png"}) {
    const Sample s = sample(logo);
    const PrintOptions print;
    const fs::path svg = dir.path / "code.svg";
    write(svg, render_file(s.symbol, &s.logo, s.options, print, Format::svg));
    // Logo::load renders an SVG with librsvg, as any librsvg viewer would.
    const Logo rendered = Logo::load(svg);
    const int frame = s.symbol.size + 2 * s.options.quiet;
    for (const double ppm : {14.0, 7.3, 9.61, 23.17, 31.0}) {
      const int side = static_cast<int>(std::lround(frame * ppm));
      cv::Mat bgr;
      cv::cvtColor(rendered.raster(side, side), bgr, cv::COLOR_BGRA2BGR);
      const std::string what = logo + " SVG at " + std::to_string(side) + " px";
      check_finders(bgr, s, what);
      if (ppm == 14.0 || ppm == 31.0) check_separators(bgr, s, what);
    }
  }
}

TEST_CASE("sheets with bleed: room for it in the gap and margin, labels below it",
          "[sheet][print]") {
  detail::SheetLayout l;
  l.labels = true;
  l.bleed_mm = 2;
  l.gap_mm = 4;
  l.margin_mm = 5;
  // A label printed in the bleed would be cut off with it.
  CHECK(detail::sheet_grid(l).label_mm == Approx(detail::kSheetLabelMm + 2));
  l.bleed_mm = 0;
  CHECK(detail::sheet_grid(l).label_mm == Approx(detail::kSheetLabelMm));
  l.bleed_mm = 2;
  l.gap_mm = 3.9;
  CHECK_THROWS_WITH(
      detail::sheet_grid(l),
      Catch::Contains("PrintOptions.bleed_mm 2mm needs a SheetOptions.gap_mm of at least 4mm"));
  l.gap_mm = 4;
  l.margin_mm = 1;
  CHECK_THROWS_WITH(
      detail::sheet_grid(l),
      Catch::Contains("PrintOptions.bleed_mm 2mm needs a SheetOptions.margin_mm of at least 2"));
  l.margin_mm = 5;
  l.bleed_mm = 10.5;
  l.gap_mm = 30;
  l.margin_mm = 20;
  CHECK_THROWS_WITH(
      detail::sheet_grid(l),
      Catch::Contains("PrintOptions.bleed_mm 10.5mm is out of range: use 0mm to 10mm"));
}

// A disc on a transparent ground, filling the symbol's area, as a brand's round badge does.
TEST_CASE("a transparent logo's edge stays round: paper around it is not toned",
          "[render][print]") {
  constexpr int kSide = 1024;
  cv::Mat disc(kSide, kSide, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  cv::circle(disc, {kSide / 2, kSide / 2}, kSide / 2 - 2, cv::Scalar(40, 120, 230, 255), cv::FILLED,
             cv::LINE_AA);
  const Logo logo = Logo::from_image(disc);
  RenderOptions options;
  const Symbol symbol =
      design_symbol("https://viscode.example/p/0001", &logo, EncodeOptions{}, options);
  constexpr int kPx = 14;
  const cv::Mat bgr = render(symbol, &logo, options, kPx);
  const int q = options.quiet, n = symbol.size;
  const double centre = (q + n / 2.0) * kPx,
               radius = (n * kPx / 2.0) * (kSide / 2 - 2) / (kSide / 2.0);
  int checked = 0, toned = 0;
  for (int my = 0; my < n; ++my) {
    for (int mx = 0; mx < n; ++mx) {
      if (symbol.is_function(mx, my)) continue;
      // Pixels of the module well outside the disc, and outside the module's middle (where
      // the full-contrast centre is); the module must be mostly disc.
      int inside = 0;
      std::vector<cv::Point> paper;
      for (int y = 0; y < kPx; ++y) {
        for (int x = 0; x < kPx; ++x) {
          const double px = (q + mx) * kPx + x + 0.5, py = (q + my) * kPx + y + 0.5;
          const double d = std::hypot(px - centre, py - centre);
          if (d < radius) ++inside;
          const bool middle = x >= 2 && x < kPx - 2 && y >= 2 && y < kPx - 2;
          if (d > radius + 1.5 && !middle)
            paper.push_back({static_cast<int>(px), static_cast<int>(py)});
        }
      }
      if (inside < kPx * kPx * 6 / 10 || paper.empty()) continue;
      ++checked;
      for (const cv::Point& p : paper) {
        const cv::Vec3b v = bgr.at<cv::Vec3b>(p);
        if (std::min({v[0], v[1], v[2]}) < 250) {
          ++toned;
          break;
        }
      }
    }
  }
  INFO(toned << " of " << checked << " modules on the disc's edge tone the paper beside it");
  CHECK(checked > 10);
  CHECK(toned == 0);
}
