// A printed sheet read whole: every code of a batch --sheet page, rendered as a scanner
// would (pdftoppm at 150, 300 and 600 dpi) and photographed (simulate_capture), in reading
// order with its corners; and check_scans(), the press-side check against the manifest.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "csv.hpp"
#include "render/sheet_pdf.hpp"
#include "sheet_photo.hpp"
#include "tools.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
namespace fs = std::filesystem;

namespace {

struct Row {
  std::string serial, payload;
  int position = 0;
};

// 16 dots per module at 600 dpi; a 4-module quiet zone.
constexpr double kQuiet = 4;
constexpr int kModuleDots = 16;
constexpr double kModuleMm = kModuleDots / 600.0 * 25.4;
constexpr int kCodes = 54;

// One full A4 page of 54 codes (6 x 9), made once for every test here; pages rendered on
// demand and kept.
struct Sheet {
  fs::path dir;
  std::vector<Row> rows;
  detail::SheetGrid grid;
  double modules = 0;  // per side, quiet zone included
  std::string pdftoppm;

  Sheet() {
    std::string t = (fs::temp_directory_path() / "viscode-sheet-read-XXXXXX").string();
    dir = mkdtemp(t.data());
    pdftoppm = test::find_tool("pdftoppm");
    {
      std::ofstream out(dir / "serials.txt");
      for (int i = 0; i < kCodes; ++i) out << "SN" << 700000 + i * 41 << "\n";
    }
    BatchOptions o;
    o.serials = SerialFile{dir / "serials.txt", ""};
    o.payload_template = "https://v.brand.example/a/{serial}";
    o.out_dir = dir / "run";
    o.format = Format::pdf;
    o.sheet = parse_sheet("A4");
    o.jobs = 2;
    o.print.module_px = kModuleDots;
    const BatchSummary summary =
        run_batch(Design(std::nullopt, EncodeOptions{}, RenderOptions{}), o);
    modules = 17 + 4 * summary.version + 2 * kQuiet;
    std::ifstream in(dir / "run" / kManifestName);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = detail::parse_csv_line(line);
      rows.push_back({f[1], f[2], std::stoi(f[5])});
    }
    detail::SheetLayout layout;
    layout.code_mm = modules * kModuleMm;
    grid = detail::sheet_grid(layout);
    REQUIRE(grid.per_page() == kCodes);
  }
  ~Sheet() { fs::remove_all(dir); }

  fs::path run() const { return dir / "run"; }

  // The page as a scanner gives it, or empty (with a warning) without pdftoppm.
  fs::path page_png(int dpi) const {
    const fs::path png = dir / ("page-" + std::to_string(dpi) + ".png");
    if (!fs::exists(png)) {
      const fs::path prefix = dir / ("page-" + std::to_string(dpi));
      const std::string cmd = pdftoppm + " -r " + std::to_string(dpi) + " -png -singlefile '" +
                              (run() / "sheets-0001.pdf").string() + "' '" + prefix.string() + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
    return png;
  }
};

const Sheet& sheet() {
  static const Sheet s;
  return s;
}

bool have_pdftoppm() {
  if (sheet().pdftoppm.empty()) {
    WARN("pdftoppm (poppler-utils) is not installed: sheets are not read back");
    return false;
  }
  return true;
}

void check_page(const std::vector<Decoded>& codes, int dpi) {
  const Sheet& s = sheet();
  REQUIRE(codes.size() == s.rows.size());
  const double px = dpi / 25.4, module = kModuleMm * px;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    INFO("dpi " << dpi << ", code " << i + 1);
    CHECK(codes[i].text == s.rows[i].payload);
    // The symbol's corners, quiet zone excluded; the first pixel's centre is at 0, 0.
    const cv::Rect2d box = s.grid.code_box_mm(s.rows[i].position - 1);
    const double x0 = box.x * px - 0.5 + kQuiet * module, y0 = box.y * px - 0.5 + kQuiet * module;
    const double side = (s.modules - 2 * kQuiet) * module;
    const cv::Point2d want[4] = {
        {x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}};
    for (int c = 0; c < 4; ++c) {
      INFO("corner " << c);
      CHECK(cv::norm(cv::Point2d(codes[i].corners[static_cast<std::size_t>(c)]) - want[c]) <
            0.5 * module);
    }
  }
}

}  // namespace

TEST_CASE("sheet read: every code of an A4 page at 150, 300 and 600 dpi, in reading order",
          "[sheet][detect]") {
  if (!have_pdftoppm()) return;
  for (const int dpi : {150, 300, 600}) {
    check_page(read_codes(read_image(sheet().page_png(dpi))), dpi);
  }
}

TEST_CASE("sheet read: a photo of the page, turned and seen at an angle, in the page's rows",
          "[sheet][detect]") {
  if (!have_pdftoppm()) return;
  const cv::Mat page = read_image(sheet().page_png(150));
  CaptureOptions o = test::sheet_photo(kModuleMm * 150 / 25.4, kModuleMm);
  for (const double rotation : {8.0, -20.0}) {
    INFO("rotation " << rotation);
    o.rotation_deg = rotation;
    const std::vector<Decoded> codes = read_codes(simulate_capture(page, o, 7));
    REQUIRE(codes.size() == sheet().rows.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      INFO("code " << i + 1);
      CHECK(codes[i].text == sheet().rows[i].payload);
    }
  }
}

namespace {

// The page at 150 dpi with changes, written as a scan.
fs::path altered_scan(const std::string& name, const std::function<void(cv::Mat&)>& change) {
  cv::Mat page = read_image(sheet().page_png(150));
  change(page);
  const fs::path out = sheet().dir / name;
  REQUIRE(cv::imwrite(out.string(), page));
  return out;
}

cv::Rect code_rect(int position, double inset_modules) {
  const double px = 150 / 25.4, module = kModuleMm * px;
  const cv::Rect2d box = sheet().grid.code_box_mm(position - 1);
  const double inset = inset_modules * module;
  return cv::Rect(
      cv::Point(static_cast<int>(box.x * px + inset), static_cast<int>(box.y * px + inset)),
      cv::Point(static_cast<int>((box.x + box.width) * px - inset),
                static_cast<int>((box.y + box.height) * px - inset)));
}

}  // namespace

TEST_CASE("sheet check: a clean scan checks out", "[sheet][check-scan]") {
  if (!have_pdftoppm()) return;
  const SheetScanCheck c = check_scans(sheet().run(), {sheet().page_png(150)});
  CHECK(c.problems.empty());
  CHECK(c.scans == 1);
  CHECK(c.codes_read == kCodes);
  CHECK(c.codes_expected == kCodes);
}

TEST_CASE("sheet check: a code blacked out, one smeared, two swapped, a page twice",
          "[sheet][check-scan]") {
  if (!have_pdftoppm()) return;
  const Sheet& s = sheet();
  // Position 10 (row 2, column 4) covered; position 12's data smeared (finders intact);
  // positions 20 and 21 swapped.
  const fs::path scan = altered_scan("altered.png", [](cv::Mat& page) {
    cv::rectangle(page, code_rect(10, 2), cv::Scalar(0, 0, 0), cv::FILLED);
    const cv::Rect data = code_rect(12, kQuiet + 7.5);
    cv::rectangle(page, data, cv::Scalar(0, 0, 0), cv::FILLED);
    const cv::Rect a = code_rect(20, 0), b = code_rect(21, 0);
    const cv::Size size(std::min(a.width, b.width), std::min(a.height, b.height));
    const cv::Mat first = page(cv::Rect(a.tl(), size)).clone();
    page(cv::Rect(b.tl(), size)).copyTo(page(cv::Rect(a.tl(), size)));
    first.copyTo(page(cv::Rect(b.tl(), size)));
  });
  const SheetScanCheck c = check_scans(s.run(), {s.page_png(150), scan});
  const std::vector<std::string> want = {
      "altered.png: page 1 of 'sheets-0001.pdf' again: page-150.png showed it already (the "
      "page printed or scanned twice)",
      "altered.png: index 10 (serial '" + s.rows[9].serial +
          "') at position 10 (row 2, column 4) is missing: no code is there",
      "altered.png: index 12 (serial '" + s.rows[11].serial +
          "') at position 12 (row 2, column 6) does not read: a code is there (damaged, smeared "
          "or too faint?)",
      "altered.png: index 21 (serial '" + s.rows[20].serial +
          "') is at position 20 (row 4, column 2), not at position 21",
      "altered.png: index 20 (serial '" + s.rows[19].serial +
          "') is at position 21 (row 4, column 3), not at position 20",
  };
  CHECK(c.problems == want);
  CHECK(c.missing == 1);
  CHECK(c.unreadable == 1);
  CHECK(c.misplaced == 2);
  CHECK(c.repeated == 1);
  CHECK(c.codes_read == kCodes + kCodes - 2);
  CHECK(c.codes_expected == 2 * kCodes);
}

TEST_CASE("sheet check: a scan of another run, and a run without sheets", "[sheet][check-scan]") {
  if (!have_pdftoppm()) return;
  const Sheet& s = sheet();
  const fs::path blank = altered_scan("blank.png", [](cv::Mat& page) { page.setTo(255); });
  const SheetScanCheck c = check_scans(s.run(), {blank});
  CHECK(c.problems ==
        std::vector<std::string>{"blank.png: no code reads: is it a page of this run?"});
  CHECK(c.unmatched == 1);
  try {
    check_scans(s.dir / "nowhere", {blank});
    FAIL("a missing run folder was accepted");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::input);
    CHECK(std::string(e.what()) == "BatchOptions.out_dir '" + (s.dir / "nowhere").string() +
                                       "' does not exist: give the folder of a batch run");
  }
}
