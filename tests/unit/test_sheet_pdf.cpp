// Imposed-sheet PDFs: the grid on the page, the document's structure, and every code read
// back from the page as a press would print it (pdftoppm at 600 dpi).
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "readers.hpp"
#include "render/compose.hpp"
#include "render/halftone.hpp"
#include "render/sheet_pdf.hpp"
#include "temp_dir.hpp"
#include "test_error_util.hpp"
#include "tools.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using detail::SheetCode;
using detail::SheetGrid;
using detail::SheetLayout;
using detail::SheetPdf;
using test::message_of;
namespace fs = std::filesystem;

namespace {

const std::string kBrandPng = std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png";

using TempDir = viscode::test::TempDir;

// A tool on PATH, or empty: the rendering checks skip with a warning without it.
// pdftoppm's path, or empty after a warning that sheet rendering goes unchecked.
std::string pdftoppm_or_warn() {
  const std::string path = test::find_tool("pdftoppm");
  if (path.empty()) {
    WARN(
        "pdftoppm (poppler-utils) is not installed: sheet rendering not checked "
        "(scripts/install-deps installs it)");
  }
  return path;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string serial(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016d", 104729 * i + 17);
  return buf;
}

std::string payload(int i) {
  return "https://v.brand.example/a/" + serial(i);
}

// Plans as the batch runner makes them: the logo analysed once per symbol size.
struct Batch {
  std::optional<Logo> logo;
  RenderOptions options;
  std::map<int, std::shared_ptr<const detail::ImageStats>> stats;
  std::vector<Symbol> symbols;
  std::vector<detail::Plan> plans;
  std::vector<std::string> labels;

  Batch(Style style, int count, const std::string& logo_file = kBrandPng) {
    options.style = style;
    if (style != Style::plain) logo = Logo::load(logo_file);
    const Logo* l = logo ? &*logo : nullptr;
    const detail::StatsFor stats_for = [this](int size) {
      auto& s = stats[size];
      if (!s)
        s = std::make_shared<const detail::ImageStats>(detail::analyse_image(*logo, options, size));
      return s;
    };
    const bool toned = l && (style == Style::halftone || style == Style::dots);
    for (int i = 0; i < count; ++i) {
      const Symbol symbol = detail::design_symbol(payload(i), l, EncodeOptions{}, options,
                                                  toned ? stats_for : detail::StatsFor{});
      plans.push_back(
          detail::make_plan(symbol, l, options, toned ? stats_for(symbol.size).get() : nullptr));
      symbols.push_back(symbol);
      labels.push_back(serial(i));
    }
  }

  const Logo* logo_ptr() const { return logo ? &*logo : nullptr; }

  // The whole document, pages built in order.
  std::vector<std::uint8_t> pdf(const SheetLayout& layout, double dpi = 600) const {
    std::vector<std::uint8_t> bytes;
    SheetPdf doc(layout, logo_ptr(), options, dpi, [&](const std::uint8_t* d, std::size_t n) {
      bytes.insert(bytes.end(), d, d + n);
    });
    const auto per_page = static_cast<std::size_t>(doc.grid().per_page());
    for (std::size_t first = 0; first < plans.size(); first += per_page) {
      std::vector<SheetCode> codes;
      for (std::size_t i = first; i < std::min(plans.size(), first + per_page); ++i) {
        codes.push_back({&plans[i], labels[i]});
      }
      doc.add_page(doc.page(codes));
    }
    doc.finish();
    return bytes;
  }
};

// A small sheet of 2 x 2 codes, so that rendering it at 600 dpi takes milliseconds.
SheetLayout small_sheet() {
  SheetLayout l;
  l.page_w_mm = 70;
  l.page_h_mm = 72;
  l.code_mm = 25;
  l.gap_mm = 3;
  l.margin_mm = 5;
  l.labels = true;
  l.crop_marks = true;
  return l;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// Every FlateDecode stream of the file inflated and concatenated: the pages' operators.
std::string inflated_streams(const std::string& pdf) {
  std::string all;
  std::size_t at = 0;
  while ((at = pdf.find(">>\nstream\n", at)) != std::string::npos) {
    const std::size_t start = at + 10;
    const std::size_t end = pdf.find("\nendstream", start);
    REQUIRE(end != std::string::npos);
    std::vector<unsigned char> out(1 << 22);
    uLongf size = out.size();
    if (uncompress(out.data(), &size, reinterpret_cast<const Bytef*>(pdf.data() + start),
                   end - start) == Z_OK) {
      all.append(reinterpret_cast<const char*>(out.data()), size);
    }
    at = end;
  }
  return all;
}

std::string as_string(const std::vector<std::uint8_t>& b) {
  return std::string(b.begin(), b.end());
}

// Renders the document with pdftoppm, crops every code at its grid position (with 1 mm of
// the gap around it) and reads it with our detector, zxing-cpp, WeChat and ZBar.
void check_reads(const Batch& batch, const SheetLayout& layout, const std::string& pdftoppm) {
  TempDir dir;
  const fs::path file = dir.path / "sheet.pdf";
  const std::vector<std::uint8_t> bytes = batch.pdf(layout);
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  const SheetGrid grid = detail::sheet_grid(layout);
  const int pages = (static_cast<int>(batch.plans.size()) + grid.per_page() - 1) / grid.per_page();
  constexpr double kDpi = 600;
  for (int p = 0; p < pages; ++p) {
    const fs::path prefix = dir.path / ("page" + std::to_string(p + 1));
    REQUIRE(run(pdftoppm + " -r 600 -png -f " + std::to_string(p + 1) + " -l " +
                std::to_string(p + 1) + " -singlefile " + file.string() + " " + prefix.string()) ==
            0);
    const cv::Mat image = cv::imread(prefix.string() + ".png", cv::IMREAD_COLOR);
    REQUIRE(!image.empty());
    for (int k = 0; k < grid.per_page(); ++k) {
      const std::size_t i = static_cast<std::size_t>(p * grid.per_page() + k);
      if (i >= batch.plans.size()) break;
      const cv::Rect2d box = grid.code_box_mm(k);
      const double px = kDpi / 25.4;
      const cv::Rect crop =
          cv::Rect(static_cast<int>((box.x - 1) * px), static_cast<int>((box.y - 1) * px),
                   static_cast<int>((box.width + 2) * px),
                   static_cast<int>((box.height + 2) * px)) &
          cv::Rect(0, 0, image.cols, image.rows);
      const cv::Mat code = image(crop).clone();
      INFO("code " << i << " on page " << p + 1 << ": " << payload(static_cast<int>(i)));
      bool ours = false;
      for (const Decoded& d : read_codes(code))
        ours = ours || d.text == payload(static_cast<int>(i));
      CHECK(ours);
      for (const test::Reader reader : test::all_readers()) {
        INFO("reader " << test::to_string(reader));
        CHECK(test::reads(reader, code, payload(static_cast<int>(i))));
      }
    }
  }
}

}  // namespace

TEST_CASE("sheet grid: codes per page for A4, A3 and Letter", "[sheet]") {
  struct Case {
    double w, h;
    bool labels;
    int cols, rows;
  };
  for (const Case c : {Case{210, 297, false, 6, 10}, Case{210, 297, true, 6, 9},
                       Case{297, 420, false, 10, 14}, Case{297, 420, true, 10, 13},
                       Case{215.9, 279.4, false, 7, 9}, Case{215.9, 279.4, true, 7, 8}}) {
    SheetLayout l;
    l.page_w_mm = c.w;
    l.page_h_mm = c.h;
    l.labels = c.labels;
    const SheetGrid g = detail::sheet_grid(l);
    INFO(c.w << "x" << c.h << (c.labels ? " with labels" : ""));
    CHECK(g.cols == c.cols);
    CHECK(g.rows == c.rows);
    CHECK(g.per_page() == c.cols * c.rows);
    // Centred, inside the margins, the label band reserved before the next row.
    const double grid_w = c.cols * 25 + (c.cols - 1) * 3;
    const double grid_h = c.rows * (25 + g.label_mm) + (c.rows - 1) * 3;
    CHECK(g.left_mm == Approx((c.w - grid_w) / 2));
    CHECK(g.top_mm == Approx((c.h - grid_h) / 2));
    CHECK(g.left_mm >= 10);
    CHECK(g.top_mm >= 10 - 1e-9);
    CHECK(g.label_mm == (c.labels ? detail::kSheetLabelMm : 0.0));
    const cv::Rect2d first = g.code_box_mm(0), below = g.code_box_mm(c.cols);
    CHECK(below.y - (first.y + first.height) == Approx(3 + g.label_mm));
    CHECK(g.code_box_mm(1).x - (first.x + first.width) == Approx(3));
  }
  // A4 without labels fits 10 rows exactly: 10 x 25 + 9 x 3 = 277 = 297 - 2 x 10.
  SheetLayout a4;
  CHECK(detail::sheet_grid(a4).per_page() == 60);
  a4.labels = true;
  CHECK(detail::sheet_grid(a4).per_page() == 54);
}

TEST_CASE("sheet grid: a code that does not fit is a usage error with the fix", "[sheet]") {
  SheetLayout l;
  l.code_mm = 200;
  CHECK(message_of([&] { detail::sheet_grid(l); }, ErrorCategory::usage) ==
        "PrintOptions.size_mm 200mm does not fit on the 210x297mm BatchOptions.sheet inside 10mm "
        "margins: use PrintOptions.size_mm "
        "190mm or less, or a larger BatchOptions.sheet");
  l = SheetLayout{};
  l.page_w_mm = 100;
  l.page_h_mm = 50;
  l.code_mm = 35;
  l.labels = true;
  CHECK(message_of([&] { detail::sheet_grid(l); }, ErrorCategory::usage) ==
        "PrintOptions.size_mm 35mm does not fit on the 100x50mm BatchOptions.sheet inside 10mm "
        "margins with labels "
        "(2.5mm under each code): use PrintOptions.size_mm 27.5mm or less, or a larger "
        "BatchOptions.sheet");
  l = SheetLayout{};
  l.gap_mm = -1;
  CHECK(message_of([&] { detail::sheet_grid(l); }, ErrorCategory::usage) ==
        "SheetOptions.gap_mm -1mm is out of range: use 0mm or more");
  l = SheetLayout{};
  l.code_mm = 0;
  CHECK(message_of([&] { detail::sheet_grid(l); }, ErrorCategory::usage) ==
        "PrintOptions.size_mm 0mm is not a code size: use a length above 0mm");
  l = SheetLayout{};
  l.margin_mm = 105;
  CHECK(message_of([&] { detail::sheet_grid(l); }, ErrorCategory::usage) ==
        "SheetOptions.margin_mm 105mm leaves no room on the 210x297mm BatchOptions.sheet: use "
        "smaller margins or a "
        "larger BatchOptions.sheet");
  // The writer refuses the same layout before writing a byte.
  l = SheetLayout{};
  l.code_mm = 200;
  bool wrote = false;
  CHECK(message_of(
            [&] {
              SheetPdf(l, nullptr, RenderOptions{}, 600,
                       [&](const std::uint8_t*, std::size_t) { wrote = true; });
            },
            ErrorCategory::usage)
            .starts_with("PrintOptions.size_mm 200mm does not fit"));
  CHECK_FALSE(wrote);
}

TEST_CASE("sheet pdf: structure, one shared logo image, labels, determinism", "[sheet]") {
  const Batch batch(Style::halftone, 7);
  const SheetLayout layout = small_sheet();
  REQUIRE(detail::sheet_grid(layout).per_page() == 4);
  const std::string pdf = as_string(batch.pdf(layout));

  CHECK(pdf.starts_with("%PDF-1.4\n"));
  CHECK(pdf.ends_with("%%EOF\n"));
  CHECK(count(pdf, "/Subtype /Image") == 1);
  CHECK(count(pdf, "/Type /Page ") == 2);
  CHECK(pdf.find("/Count 2 ") != std::string::npos);
  CHECK(pdf.find("/MediaBox [0 0 198.425 204.094]") != std::string::npos);
  CHECK(pdf.find("CreationDate") == std::string::npos);

  // Every xref entry points at its object.
  const std::size_t xref = std::stoul(pdf.substr(pdf.rfind("startxref\n") + 10));
  REQUIRE(pdf.compare(xref, 5, "xref\n") == 0);
  std::size_t line = pdf.find('\n', pdf.find('\n', xref + 5) + 1) + 1;  // after entry 0
  for (int obj = 1; pdf.compare(line, 7, "trailer") != 0; ++obj, line += 20) {
    const std::size_t offset = std::stoul(pdf.substr(line, 10));
    INFO("object " << obj);
    CHECK(pdf.compare(offset, std::to_string(obj).size() + 6, std::to_string(obj) + " 0 obj") == 0);
  }

  const std::string content = inflated_streams(pdf);
  for (const std::string& label : batch.labels) {
    CHECK(count(content, "(" + label + ") Tj") == 1);
  }
  // 4 + 3 codes, each placing the shared image once.
  CHECK(count(content, "/Im Do") == 7);
  CHECK(count(content, " gs\n") > 0);

  CHECK(as_string(batch.pdf(layout)) == pdf);

  if (const std::string qpdf = test::find_tool("qpdf"); !qpdf.empty()) {
    TempDir dir;
    const fs::path file = dir.path / "sheet.pdf";
    std::ofstream(file, std::ios::binary) << pdf;
    CHECK(run(qpdf + " --check " + file.string() + " > /dev/null") == 0);
  }
}

TEST_CASE("sheet pdf: halftone codes on 2 pages read back at 600 dpi", "[sheet]") {
  const std::string pdftoppm = pdftoppm_or_warn();
  if (pdftoppm.empty()) return;
  check_reads(Batch(Style::halftone, 7), small_sheet(), pdftoppm);
}

TEST_CASE("sheet pdf: a code looks as render() draws it", "[sheet]") {
  const std::string pdftoppm = pdftoppm_or_warn();
  if (pdftoppm.empty()) return;
  for (const Style style : {Style::halftone, Style::dots, Style::center}) {
    INFO(to_string(style));
    const Batch batch(style, 1);
    const int frame = batch.plans[0].frame;
    // 10 px per module at 600 dpi, the code 100 px from the page's corner: pixels align.
    constexpr int kPx = 10;
    constexpr double kPxMm = 25.4 / 600;
    SheetLayout layout;
    layout.code_mm = frame * kPx * kPxMm;
    layout.page_w_mm = layout.page_h_mm = layout.code_mm + 200 * kPxMm;
    layout.margin_mm = 0;
    TempDir dir;
    const std::vector<std::uint8_t> bytes = batch.pdf(layout);
    std::ofstream(dir.path / "code.pdf", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    REQUIRE(run(pdftoppm + " -r 600 -png -singlefile " + (dir.path / "code.pdf").string() + " " +
                (dir.path / "code").string()) == 0);
    const cv::Mat page = cv::imread((dir.path / "code.png").string(), cv::IMREAD_COLOR);
    REQUIRE(page.rows >= 200 + frame * kPx);
    const cv::Mat sheet = page(cv::Rect(100, 100, frame * kPx, frame * kPx));
    const cv::Mat reference = render(batch.symbols[0], batch.logo_ptr(), batch.options, kPx);
    REQUIRE(reference.size() == sheet.size());
    // Every module's centre pixel (the bit a reader samples) is the same colour; the centre
    // style's patch shows the logo, resampled differently, instead of modules.
    const cv::Rect2d patch = batch.plans[0].patch;
    int centre_off = 0;
    for (int y = 0; y < frame; ++y) {
      for (int x = 0; x < frame; ++x) {
        if (patch.contains(cv::Point2d(x + 0.5, y + 0.5))) continue;
        const cv::Vec3b a = sheet.at<cv::Vec3b>(y * kPx + kPx / 2, x * kPx + kPx / 2);
        const cv::Vec3b b = reference.at<cv::Vec3b>(y * kPx + kPx / 2, x * kPx + kPx / 2);
        if (cv::norm(cv::Vec3i(a) - cv::Vec3i(b), cv::NORM_INF) > 40) {
          ++centre_off;
          UNSCOPED_INFO("module " << x << "," << y << ": " << cv::Vec3i(a) << " here, "
                                  << cv::Vec3i(b) << " in render()");
        }
      }
    }
    CHECK(centre_off == 0);
    // Each module's mean grey, what a reader's low-pass sees, stays close. The veils only
    // approximate render()'s per-pixel L* shift (alpha over sRGB, as draw.cpp's vector
    // path does) and the logo is resampled differently, so the bounds are loose; without
    // the veils the halftone's means differ by 8.4 on average and 100 at worst.
    cv::Mat grey_sheet, grey_ref, mean_sheet, mean_ref, diff;
    cv::cvtColor(sheet, grey_sheet, cv::COLOR_BGR2GRAY);
    cv::cvtColor(reference, grey_ref, cv::COLOR_BGR2GRAY);
    cv::resize(grey_sheet, mean_sheet, cv::Size(frame, frame), 0, 0, cv::INTER_AREA);
    cv::resize(grey_ref, mean_ref, cv::Size(frame, frame), 0, 0, cv::INTER_AREA);
    cv::absdiff(mean_sheet, mean_ref, diff);
    double worst = 0;
    cv::minMaxLoc(diff, nullptr, &worst);
    INFO("module means differ by " << cv::mean(diff)[0] << " on average, " << worst << " at most");
    CHECK(cv::mean(diff)[0] < 5.5);
    CHECK(worst < 70);
  }
}

TEST_CASE("sheet pdf: dots, center and plain codes read back at 600 dpi", "[sheet]") {
  const std::string pdftoppm = pdftoppm_or_warn();
  if (pdftoppm.empty()) return;
  for (const Style style : {Style::dots, Style::center, Style::plain}) {
    INFO(to_string(style));
    check_reads(Batch(style, 4), small_sheet(), pdftoppm);
  }
  INFO("halftone, SVG logo");
  check_reads(Batch(Style::halftone, 2, std::string(VISCODE_SOURCE_DIR) + "/samples/brand.svg"),
              small_sheet(), pdftoppm);
}

TEST_CASE("sheet pdf: crop marks stay in the gaps and margins, labels are escaped", "[sheet]") {
  Batch batch(Style::plain, 4);
  batch.labels[1] = "a(b)\\c\xc3\xa9";
  const SheetLayout layout = small_sheet();
  const std::string content = inflated_streams(as_string(batch.pdf(layout)));
  CHECK(count(content,
              "(a\\(b\\)\\\\c?"
              "?) Tj") == 1);  // split: no trigraph

  const std::size_t begin = content.find("/R CS 1 SCN .25 w 0 J\n");
  REQUIRE(begin != std::string::npos);
  std::istringstream marks(content.substr(begin, content.find("S Q", begin) - begin));
  std::string line;
  std::getline(marks, line);
  const SheetGrid grid = detail::sheet_grid(layout);
  constexpr double kPt = 72 / 25.4;
  int segments = 0;
  while (std::getline(marks, line)) {
    double x1, y1, x2, y2;
    char m, l;
    std::istringstream in(line);
    REQUIRE(in >> x1 >> y1 >> m >> x2 >> y2 >> l);
    ++segments;
    // Back to mm from the page's top-left corner.
    const cv::Point2d a(x1 / kPt, layout.page_h_mm - y1 / kPt),
        b(x2 / kPt, layout.page_h_mm - y2 / kPt);
    INFO(line);
    CHECK((a.x == Approx(b.x) || a.y == Approx(b.y)));
    CHECK(cv::norm(a - b) <= 3 + 1e-3);
    CHECK(std::min({a.x, b.x, a.y, b.y}) >= 1 - 1e-3);
    CHECK(std::max(a.x, b.x) <= layout.page_w_mm - 1 + 1e-3);
    CHECK(std::max(a.y, b.y) <= layout.page_h_mm - 1 + 1e-3);
    for (int i = 0; i < grid.per_page(); ++i) {
      const cv::Rect2d box = grid.code_box_mm(i);
      // At least 1 mm from every code, measured along the mark.
      const cv::Rect2d keep_out(box.x - 1 + 1e-3, box.y - 1 + 1e-3, box.width + 2 - 2e-3,
                                box.height + 2 - 2e-3);
      const cv::Rect2d mark(std::min(a.x, b.x), std::min(a.y, b.y), std::abs(a.x - b.x) + 1e-9,
                            std::abs(a.y - b.y) + 1e-9);
      CHECK((keep_out & mark).area() == 0);
    }
  }
  // Two marks at each corner of the 4 codes: the 3 mm gaps leave room for 1 mm marks.
  CHECK(segments == 32);
}

TEST_CASE("sheet pdf: a long run gets a balanced page tree", "[sheet]") {
  Batch batch(Style::plain, 1);
  SheetLayout layout;
  layout.page_w_mm = layout.page_h_mm = 50;
  std::vector<std::uint8_t> bytes;
  SheetPdf doc(layout, nullptr, batch.options, 600,
               [&](const std::uint8_t* d, std::size_t n) { bytes.insert(bytes.end(), d, d + n); });
  REQUIRE(doc.grid().per_page() == 1);
  const SheetCode code{&batch.plans[0], "1"};
  const std::vector<std::uint8_t> content = doc.page(std::span(&code, 1));
  for (int p = 0; p < 300; ++p) doc.add_page(content);
  doc.finish();
  const std::string pdf = as_string(bytes);
  CHECK(doc.pages() == 300);
  CHECK(doc.bytes_written() == bytes.size());
  CHECK(count(pdf, "/Type /Page ") == 300);
  CHECK(count(pdf, "/Type /Pages") == 4);  // 128 + 128 + 44 pages under one root
  CHECK(count(pdf, "/Count 300 ") == 1);
  if (const std::string qpdf = test::find_tool("qpdf"); !qpdf.empty()) {
    TempDir dir;
    std::ofstream(dir.path / "long.pdf", std::ios::binary) << pdf;
    CHECK(run(qpdf + " --check " + (dir.path / "long.pdf").string() + " > /dev/null") == 0);
  }
  if (const std::string pdfinfo = test::find_tool("pdfinfo"); !pdfinfo.empty()) {
    TempDir dir;
    std::ofstream(dir.path / "long.pdf", std::ios::binary) << pdf;
    CHECK(run(pdfinfo + " " + (dir.path / "long.pdf").string() + " | grep -q '^Pages: *300$'") ==
          0);
  }
}

TEST_CASE("sheet pdf: a failing sink throws and the document refuses more", "[sheet]") {
  const Batch batch(Style::plain, 2);
  bool full = false;
  SheetPdf doc(small_sheet(), nullptr, batch.options, 600, [&](const std::uint8_t*, std::size_t) {
    if (full) throw Error(ErrorCategory::input, "disk full");
  });
  full = true;
  const SheetCode codes[] = {{&batch.plans[0], "a"}, {&batch.plans[1], "b"}};
  CHECK(message_of([&] { doc.add_page(doc.page(codes)); }, ErrorCategory::input) == "disk full");
  CHECK(message_of([&] { doc.finish(); }, ErrorCategory::internal) ==
        "sheet PDF: finish after a failed write");
  // More codes than the page holds is the caller's bug, reported, not a crash.
  std::vector<SheetCode> many(5, SheetCode{&batch.plans[0], "x"});
  CHECK(message_of([&] { (void)doc.page(many); }, ErrorCategory::internal) ==
        "sheet: 5 codes for a page that holds 4");
}
