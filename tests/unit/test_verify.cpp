// viscode::verify's own consistency, with our reader alone (no reference readers, small
// codes): the smallest print agrees with the report's rates, progress is reported, and the
// failure map is drawn over the code. Reading SVG and PDF files back.
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "viscode/detect.hpp"
#include "viscode/error.hpp"
#include "viscode/render.hpp"
#include "viscode/verify.hpp"

using namespace viscode;

namespace {

const std::string kPayload = "https://brand.example/p/000123";

cv::Mat plain_code(int module_px = 10) {
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  RenderOptions ro;
  ro.style = Style::plain;
  return render(design_symbol(kPayload, nullptr, eo, ro), nullptr, ro, module_px);
}

// The sample logo as a halftone code at a low strength: more picture, less contrast.
cv::Mat faint_halftone(double strength) {
  const Logo logo = Logo::load(std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png");
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  RenderOptions ro;
  ro.strength = strength;
  return render(design_symbol(kPayload, &logo, eo, ro), &logo, ro, 10);
}

VerifyOptions ours_only(int seeds) {
  VerifyOptions o;
  o.readers = {Reader::ours};
  o.seeds = seeds;
  o.jobs = 2;
  o.severities = {Severity::moderate};
  return o;
}

// The largest camera px per module the report's moderate row can use (capture.hpp).
constexpr double kModerateRowPx = 5.0;

void check_consistent(const VerifyReport& r, const VerifyOptions& o) {
  REQUIRE(r.min_size.size() == o.readers.size());
  for (const MinSize& m : r.min_size) {
    INFO(to_string(m.reader));
    const double row = r.rate(m.reader, o.min_size_severity);
    if (m.module_mm) {
      // Measured as the report measures: every seed, at least min_rate.
      CHECK(m.at_min.trials == o.seeds);
      CHECK(m.at_min.rate() >= o.min_rate);
      CHECK(*m.symbol_mm == Approx(*m.module_mm * (17 + 4 * r.version)));
      // Bracketed from below by a failing size.
      if (m.below_mm) {
        CHECK(*m.below_mm < *m.module_mm);
        CHECK(m.below.rate() < o.min_rate);
      }
      // A reader failing the row is not smaller than the row's largest size.
      if (row < o.min_rate) {
        CHECK(*m.module_mm * o.camera_px_per_mm > kModerateRowPx);
        REQUIRE(m.below_mm.has_value());
      }
    }
    // A reader passing the row is not larger than the grid's next size above the row's.
    if (row >= o.min_rate) {
      REQUIRE(m.module_mm.has_value());
      CHECK(*m.module_mm * o.camera_px_per_mm < kModerateRowPx * 1.1);
    }
  }
}

}  // namespace

TEST_CASE("verify: the smallest print meets the rate by the report's own measure",
          "[verify][minsize]") {
  const VerifyOptions o = ours_only(8);
  const VerifyReport r = verify(plain_code(), kPayload, o);
  REQUIRE(r.rate(Reader::ours, Severity::moderate) >= 0.95);
  REQUIRE(r.min_size.size() == 1);
  const MinSize& m = r.min_size[0];
  REQUIRE(m.module_mm.has_value());
  REQUIRE(m.below_mm.has_value());  // a plain code fails at 1.5 camera px per module
  // The grid is 1.5 x 1.1^i camera px: the failing size is the grid step below.
  CHECK(*m.below_mm * 1.1 == Approx(*m.module_mm));
  // The grid's largest size, what "none up to" names: 1.5 x 1.1^34 px at 10 px/mm.
  CHECK(m.largest_mm == Approx(1.5 * std::pow(1.1, 34) / 10));
  CHECK(m.largest_mm == Approx(3.83).margin(0.005));
  check_consistent(r, o);
}

TEST_CASE("verify: a reader passing the report's row gets a minimum no larger than the row",
          "[verify][minsize]") {
  // 14 grey levels of contrast: our reader reads all 8 moderate captures of the row, but the
  // rate hovers around 60-90% at every size of the grid (noise, not size, limits it). The
  // row stands for the size it was measured at.
  cv::Mat code = plain_code();
  code.convertTo(code, -1, 14 / 255.0, 128 - 7.0);
  const VerifyOptions o = ours_only(8);
  const VerifyReport r = verify(code, kPayload, o);
  REQUIRE(r.rate(Reader::ours, Severity::moderate) >= 0.95);
  check_consistent(r, o);
  const MinSize& m = r.min_size[0];
  CHECK(m.at_min.rate() >= 0.95);
}

TEST_CASE("verify: a reader failing the report's row gets no smaller minimum than the row",
          "[verify][minsize]") {
  // The halftone at strength 0.05 and 0.1 fails moderate's 4.5-5 camera px per module with
  // our reader (0% of 8 captures), and reads when printed larger. (0.2 and 0.3 served until
  // issue 19's detector work read them at moderate.)
  const double strength = GENERATE(0.05, 0.1);
  INFO("strength " << strength);
  VerifyOptions o = ours_only(8);
  const VerifyReport r = verify(faint_halftone(strength), kPayload, o);
  INFO("moderate row: " << r.rate(Reader::ours, Severity::moderate));
  REQUIRE(r.rate(Reader::ours, Severity::moderate) < 0.95);
  check_consistent(r, o);
  const MinSize& m = r.min_size[0];
  REQUIRE(m.module_mm.has_value());
  if (m.module_mm && m.below_mm && *m.below_mm * o.camera_px_per_mm <= kModerateRowPx) {
    // The failing end of the bracket is the row itself: its rate is the row's.
    CHECK(m.below.trials == o.seeds);
    CHECK(m.below.rate() == r.rate(Reader::ours, Severity::moderate));
  }
}

TEST_CASE("verify: progress counts every capture, the search's after the severities'",
          "[verify][progress]") {
  VerifyOptions o = ours_only(3);
  o.severities = {Severity::pristine, Severity::mild};
  std::vector<VerifyProgress> seen;
  o.progress = [&](const VerifyProgress& p) { seen.push_back(p); };
  const VerifyReport r = verify(plain_code(), kPayload, o);
  REQUIRE(seen.size() > 6);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].captures == static_cast<int>(i) + 1);
    CHECK(seen[i].planned == 6);
  }
  CHECK(seen[0].stage == "pristine");
  CHECK(seen[5].stage == "mild");
  CHECK(seen[6].stage == "smallest print for ours");
  CHECK(seen.back().stage == "smallest print for ours");
  // The search's cost is bounded: with 20 seeds it used to try 5-6 sizes with every seed
  // (100-120 captures); bracketing with 2 seeds and every seed only at the two ends of the
  // bracket takes well under half of that.
  {
    VerifyOptions full = ours_only(20);
    int captures = 0;
    full.progress = [&](const VerifyProgress& p) { captures = p.captures - p.planned; };
    const VerifyReport fr = verify(plain_code(), kPayload, full);
    INFO("search captures " << captures);
    REQUIRE(fr.min_size[0].module_mm.has_value());
    CHECK(captures <= 50);
  }
  // Without the search, exactly the planned captures.
  seen.clear();
  o.find_min_size = false;
  (void)verify(plain_code(), kPayload, o);
  CHECK(seen.size() == 6);
}

TEST_CASE("verify: the failure map is drawn over the code, one panel per failing reader",
          "[verify][heatmap]") {
  // A black sticker over 6x6 data modules: our reader reads through it (EC H) but misreads
  // those modules in every capture.
  cv::Mat code = plain_code();
  const int q = 4, px = 10;
  const cv::Rect sticker(20, 12, 6, 6);
  cv::rectangle(
      code,
      cv::Rect((sticker.x + q) * px, (sticker.y + q) * px, sticker.width * px, sticker.height * px),
      cv::Scalar::all(0), cv::FILLED);
  VerifyOptions o = ours_only(3);
  o.severities = {Severity::pristine};
  o.find_min_size = false;
  const VerifyReport r = verify(code, kPayload, o);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].failed == 0);
  CHECK(r.failures[0].mapped == 3);
  const int n = 33, mp = 8;
  const cv::Mat map = failure_map_image(r, mp);
  REQUIRE(map.type() == CV_8UC3);
  const int side = (n + 2 * q) * mp, caption = 22, legend = 30;
  CHECK(map.cols == side);
  CHECK(map.rows == caption + side + legend);
  auto at = [&](int mx, int my) {
    return map.at<cv::Vec3b>(caption + (my + q) * mp + mp / 2, (mx + q) * mp + mp / 2);
  };
  // Under the sticker the modules that should be light are misread every time: tinted red
  // over the sticker's black, translucent (not pure red); nothing else is.
  int tinted = 0;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const cv::Vec3b c = at(x, y);
      if (c[0] == c[1] && c[1] == c[2]) continue;
      INFO("module " << x << "," << y);
      CHECK(sticker.contains({x, y}));
      CHECK(c[2] > 150);
      CHECK(c[2] < 255);
      CHECK(c[0] < 60);
      ++tinted;
    }
  }
  CHECK(tinted >= 6);
  // The code shows underneath: a finder pattern's dark centre and light ring are untouched.
  CHECK(at(3, 3) == cv::Vec3b(0, 0, 0));
  CHECK(at(1, 1) == cv::Vec3b(255, 255, 255));
}

TEST_CASE("read_image_file: viscode's SVG and PDF read back, with their print resolution",
          "[detect][files][vector]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("viscode-unit-vector-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  EncodeOptions eo;
  RenderOptions ro;
  ro.style = Style::plain;
  const Symbol symbol = design_symbol(kPayload, nullptr, eo, ro);
  PrintOptions print;  // 25 mm at 600 dpi
  for (const std::string ext : {".svg", ".pdf"}) {
    INFO(ext);
    const auto file = dir / ("code" + ext);
    const OutputInfo info = write(symbol, nullptr, ro, print, file);
    const ImageFile at600 = read_image_file(file);
    CHECK(at600.dpi == 600);
    // The page is the code with its quiet zone: whole modules of module_px at 600 dpi.
    CHECK(at600.image.cols == (symbol.size + 8) * info.module_px);
    const std::vector<Decoded> codes = read_codes(at600.image);
    REQUIRE(codes.size() == 1);
    CHECK(codes[0].text == kPayload);
    ReadOptions fit;
    fit.vector_dpi = 0;  // the page's longer side about 2400 px, at most 2400 dpi
    const ImageFile fitted = read_image_file(file, fit);
    CHECK(fitted.dpi ==
          Approx(std::clamp(std::round(2400 / (info.size_mm / 25.4)), 300.0, 2400.0)));
    CHECK(read_codes(fitted.image).at(0).text == kPayload);
  }
  // Without pdftoppm on PATH, the message says how to get it or what to do instead.
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  ::setenv("PATH", (dir / "empty").c_str(), 1);
  const auto pdf = dir / "code.pdf";
  try {
    (void)read_image_file(pdf);
    FAIL("a PDF read without pdftoppm");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::input);
    CHECK(std::string(e.what()) ==
          "image '" + pdf.string() +
              "' is a PDF, and reading it needs poppler's pdftoppm, which is not on PATH: install "
              "it (sudo apt-get install poppler-utils, or scripts/install-deps) or rasterise the "
              "page yourself (pdftoppm -r 600 -png -singlefile '" +
              pdf.string() + "' page) and give page.png");
  }
  ::setenv("PATH", saved.c_str(), 1);
  // A broken SVG is an input error naming the file.
  const auto bad = dir / "bad.svg";
  { std::ofstream(bad) << "<svg xmlns='http://www.w3.org/2000/svg' width='10pt'"; }
  try {
    (void)read_image_file(bad);
    FAIL("a broken SVG read");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::input);
    CHECK(std::string(e.what()).rfind("image '" + bad.string() + "' is not a readable SVG (", 0) ==
          0);
  }
  // A PNG named .svg is read as the PNG it is.
  const auto png_named_svg = dir / "code-png.svg";
  {
    const cv::Mat raster = read_image_file(dir / "code.svg").image;
    REQUIRE(cv::imwrite((dir / "code-png.png").string(), raster));
    std::filesystem::rename(dir / "code-png.png", png_named_svg);
  }
  const ImageFile as_png = read_image_file(png_named_svg);
  CHECK(as_png.dpi == 0);
  CHECK(read_codes(as_png.image).at(0).text == kPayload);
  ReadOptions bad_dpi;
  bad_dpi.vector_dpi = 10;
  CHECK_THROWS_WITH(read_image_file(pdf, bad_dpi),
                    "ReadOptions.vector_dpi must be 72-2400 dots per inch, or 0 (from the "
                    "page's size)");
  std::filesystem::remove_all(dir);
}
