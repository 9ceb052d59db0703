// run_batch end to end: the files it writes read back as the manifest says (our detector,
// zxing-cpp, WeChat and ZBar), the manifest checks out, and an interrupted run resumes to exactly
// what an uninterrupted one makes.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>

#include "../unit/test_error_util.hpp"
#include "csv.hpp"
#include "render/sheet_pdf.hpp"
#include "roundtrip_util.hpp"
#include "sha256.hpp"
#include "tools.hpp"

using namespace viscode;
using roundtrip::TempDir;

namespace {

const char* const kTemplate = "https://v.brand.example/a/{serial}";

const Logo& brand() {
  static const Logo logo = Logo::load(VISCODE_SOURCE_DIR "/samples/brand.png");
  return logo;
}

struct Row {
  std::size_t index;
  std::string serial, payload, file;
  int page, position;
  std::string sha256;
};

std::vector<Row> read_manifest(const std::filesystem::path& dir) {
  std::ifstream in(dir / kManifestName);
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "index,serial,payload,file,page,position,sha256");
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const auto f = detail::parse_csv_line(line);
    REQUIRE(f.size() == 7);
    rows.push_back(Row{std::stoul(f[0]), f[1], f[2], f[3], f[4].empty() ? 0 : std::stoi(f[4]),
                       f[5].empty() ? 0 : std::stoi(f[5]), f[6]});
  }
  return rows;
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::filesystem::path serial_file(const TempDir& t, int n, bool varied_lengths) {
  const auto path = t.path / "serials.txt";
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    out << "SN" << (varied_lengths && i % 3 == 0 ? "LONGER-" : "") << 100000 + i * 37 << "\n";
  }
  return path;
}

// Our detector, zxing-cpp, WeChat and ZBar each read exactly the payload.
void check_reads_all(const cv::Mat& image, const std::string& payload, const std::string& what) {
  INFO(what << ", payload " << payload);
  for (const test::Reader r : test::all_readers()) {
    INFO("reader " << test::to_string(r));
    CHECK(test::reads(r, image, payload));
  }
  bool ours = false;
  int version = 0;
  for (const Decoded& d : read_codes(image)) {
    if (d.text == payload) {
      ours = true;
      version = d.version;
    }
  }
  INFO("reader viscode");
  CHECK(ours);
  CHECK(version > 0);
}

BatchOptions file_batch(const std::filesystem::path& serials, const std::filesystem::path& dir) {
  BatchOptions o;
  o.serials = SerialFile{serials, ""};
  o.payload_template = kTemplate;
  o.out_dir = dir;
  o.jobs = 2;
  return o;
}

std::filesystem::path make_dir(const TempDir& t, const std::string& name) {
  const auto dir = t.path / name;
  std::filesystem::create_directory(dir);
  return dir;
}

}  // namespace

TEST_CASE("batch run: PNG files as the manifest says, each read by three readers", "[batch][png]") {
  TempDir t;
  const auto serials = serial_file(t, 9, true);
  const auto dir = make_dir(t, "out");
  const Design design(brand(), EncodeOptions{}, RenderOptions{});
  const BatchSummary s = run_batch(design, file_batch(serials, dir));
  CHECK(s.codes == 9);
  CHECK(s.made == 9);
  CHECK(s.files == 9);
  const auto rows = read_manifest(dir);
  REQUIRE(rows.size() == 9);
  std::set<int> versions;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    CHECK(r.index == i + 1);
    CHECK(r.payload == "https://v.brand.example/a/" + r.serial);
    CHECK(r.file == "00000" + std::to_string(i + 1) + ".png");
    CHECK(r.page == 0);
    const std::string bytes = slurp(dir / r.file);
    CHECK(r.sha256 == detail::sha256_hex(std::span(
                          reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
    // Every code prints at the longest serial's version, so at one module size.
    const cv::Mat image = cv::imread((dir / r.file).string());
    CHECK(image.cols == 13 * 45);  // version 5 + quiet zone: 45 modules of 13 px in 25 mm
    for (const Decoded& d : read_codes(image)) versions.insert(d.version);
    if (i % 2 == 0) check_reads_all(image, r.payload, r.file);  // a sample of the batch
  }
  CHECK(versions.size() == 1);
  CHECK(*versions.begin() == s.version);
  const ManifestCheck c = check_manifest(dir);
  CHECK(c.rows == 9);
  CHECK(c.files == 9);
  CHECK(c.problems.empty());
}

TEST_CASE("batch run: SVG files read back once rasterised", "[batch][svg]") {
  TempDir t;
  const auto dir = make_dir(t, "out");
  BatchOptions o = file_batch(serial_file(t, 3, false), dir);
  o.format = Format::svg;
  const Design design(brand(), EncodeOptions{}, RenderOptions{});
  run_batch(design, o);
  for (const Row& r : read_manifest(dir)) {
    CHECK(r.file.ends_with(".svg"));
    const cv::Mat bgra = Logo::load(dir / r.file).raster(600, 600);
    cv::Mat white(bgra.size(), CV_8UC3, cv::Scalar(255, 255, 255)), bgr;
    cv::cvtColor(bgra, bgr, cv::COLOR_BGRA2BGR);
    bgr.copyTo(white, [&] {
      std::vector<cv::Mat> ch;
      cv::split(bgra, ch);
      return ch[3];
    }());
    check_reads_all(white, r.payload, r.file);
  }
  CHECK(check_manifest(dir).problems.empty());
}

TEST_CASE("batch run: every code on PDF sheets sits at its manifest page and position",
          "[batch][sheet]") {
  const std::string pdftoppm = test::find_tool("pdftoppm");
  if (pdftoppm.empty()) {
    WARN("pdftoppm (poppler-utils) is missing: PDF sheets are not read back");
    return;
  }
  TempDir t;
  const auto dir = make_dir(t, "out");
  BatchOptions o = file_batch(serial_file(t, 14, false), dir);
  CHECK(!o.format);  // unset: a sheet makes PDF, as `viscode batch --sheet` does
  SheetOptions sheet = parse_sheet("110x90mm");  // 3 x 2 codes of 25 mm with labels
  sheet.labels = true;
  sheet.crop_marks = true;
  sheet.pages_per_file = 2;
  o.sheet = sheet;
  const Design design(brand(), EncodeOptions{}, RenderOptions{});
  const BatchSummary s = run_batch(design, o);
  CHECK(s.files == 2);  // 14 codes, 6 per page, 2 pages per file: 12 + 2
  const auto rows = read_manifest(dir);
  REQUIRE(rows.size() == 14);
  CHECK(rows[0].file == "sheets-0001.pdf");
  CHECK(rows[11].file == "sheets-0001.pdf");
  CHECK(rows[12].file == "sheets-0002.pdf");
  CHECK(rows[6].page == 2);
  CHECK(rows[6].position == 1);
  CHECK(rows[13].position == 2);

  detail::SheetLayout layout;
  layout.page_w_mm = sheet.width_mm;
  layout.page_h_mm = sheet.height_mm;
  layout.code_mm = 25;
  layout.gap_mm = sheet.gap_mm;
  layout.margin_mm = sheet.margin_mm;
  layout.labels = true;
  layout.crop_marks = true;
  const detail::SheetGrid grid = detail::sheet_grid(layout);
  REQUIRE(grid.per_page() == 6);
  constexpr int kDpi = 400;
  for (const Row& r : rows) {
    const auto prefix = t.path / (r.file + "-p" + std::to_string(r.page));
    const auto png = prefix.string() + ".png";
    if (!std::filesystem::exists(png)) {
      const std::string cmd = pdftoppm + " -r " + std::to_string(kDpi) + " -png -singlefile -f " +
                              std::to_string(r.page) + " -l " + std::to_string(r.page) + " '" +
                              (dir / r.file).string() + "' '" + prefix.string() + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
    const cv::Mat page = cv::imread(png);
    REQUIRE_FALSE(page.empty());
    const cv::Rect2d box = grid.code_box_mm(r.position - 1);
    const double px = kDpi / 25.4;
    const cv::Rect crop(static_cast<int>(box.x * px), static_cast<int>(box.y * px),
                        static_cast<int>(box.width * px), static_cast<int>(box.height * px));
    check_reads_all(
        page(crop & cv::Rect(0, 0, page.cols, page.rows)).clone(), r.payload,
        r.file + " page " + std::to_string(r.page) + " position " + std::to_string(r.position));
  }
  CHECK(check_manifest(dir).problems.empty());
}

TEST_CASE("batch resume: an interrupted run ends byte-identical to an uninterrupted one",
          "[batch][resume]") {
  TempDir t;
  const auto serials = serial_file(t, 10, true);
  RenderOptions plain;
  plain.style = Style::plain;
  const Design design(std::nullopt, EncodeOptions{}, plain);
  const auto whole = make_dir(t, "whole");
  run_batch(design, file_batch(serials, whole));

  SECTION("stopped from the progress callback") {
    const auto cut = make_dir(t, "cut");
    BatchOptions o = file_batch(serials, cut);
    o.jobs = 1;
    const auto stop = [](const BatchProgress& p) {
      if (p.done >= 4) throw std::runtime_error("power cut");
    };
    CHECK_THROWS_WITH(run_batch(design, o, stop), "power cut");
    const auto partial = read_manifest(cut);
    CHECK(partial.size() >= 4);
    CHECK(partial.size() < 10);
    const ManifestCheck incomplete = check_manifest(cut);
    REQUIRE(incomplete.problems.size() == 1);
    CHECK(incomplete.problems[0] == std::to_string(partial.size()) +
                                        " of 10 codes: the run is incomplete; continue it with "
                                        "BatchOptions.resume");
    o.resume = true;
    const BatchSummary s = run_batch(design, o);
    CHECK(s.resumed == partial.size());
    CHECK(s.made == 10 - partial.size());
    CHECK(slurp(cut / kManifestName) == slurp(whole / kManifestName));
  }
  SECTION("killed mid-write: a cut-off row and a temporary file left behind") {
    const auto cut = make_dir(t, "cut");
    for (const auto& e : std::filesystem::directory_iterator(whole)) {
      std::filesystem::copy(e.path(), cut / e.path().filename());
    }
    std::string manifest = slurp(whole / kManifestName);
    std::size_t at = 0;
    for (int i = 0; i < 6; ++i) at = manifest.find('\n', at) + 1;  // header + 5 rows
    std::ofstream(cut / kManifestName, std::ios::binary | std::ios::trunc)
        << manifest.substr(0, at + 20);
    std::ofstream(cut / ".000007.png.AbC123") << "half a PNG";
    std::filesystem::remove(cut / "000008.png");
    BatchOptions o = file_batch(serials, cut);
    o.resume = true;
    const BatchSummary s = run_batch(design, o);
    CHECK(s.resumed == 5);
    CHECK(slurp(cut / kManifestName) == manifest);
    CHECK_FALSE(std::filesystem::exists(cut / ".000007.png.AbC123"));
    CHECK(check_manifest(cut).problems.empty());
  }
}

TEST_CASE("batch run: serials needing different QR modes still print at one version",
          "[batch][png]") {
  TempDir t;
  const auto serials = t.path / "mixed.txt";
  // 17 digits fit version 1 in numeric mode; 8 lowercase letters need byte mode, version 2.
  std::ofstream(serials) << "12345678901234567\nabcdefgh\n";
  const auto dir = make_dir(t, "out");
  RenderOptions plain;
  plain.style = Style::plain;
  const Design design(std::nullopt, EncodeOptions{.ec = EcLevel::H}, plain);
  BatchOptions o = file_batch(serials, dir);
  o.payload_template = "{serial}";
  CHECK(run_batch(design, o).version == 3);  // byte mode's version for 17 bytes at EC H
  for (const Row& r : read_manifest(dir)) {
    const auto codes = read_codes(cv::imread((dir / r.file).string()));
    REQUIRE(codes.size() == 1);
    CHECK(codes[0].text == r.payload);
    CHECK(codes[0].version == 3);
  }
}

TEST_CASE("batch resume: random serials keep the issued ones and never repeat", "[batch][resume]") {
  TempDir t;
  RenderOptions plain;
  plain.style = Style::plain;
  const Design design(std::nullopt, EncodeOptions{}, plain);
  const auto dir = make_dir(t, "out");
  BatchOptions o;
  RandomSerials r;
  r.count = 12;
  o.serials = r;
  o.payload_template = kTemplate;
  o.out_dir = dir;
  o.jobs = 2;
  o.format = Format::svg;
  const auto stop = [](const BatchProgress& p) {
    if (p.done >= 5) throw std::runtime_error("stop");
  };
  CHECK_THROWS(run_batch(design, o, stop));
  const auto before = read_manifest(dir);
  o.resume = true;
  run_batch(design, o);
  const auto after = read_manifest(dir);
  REQUIRE(after.size() == 12);
  std::set<std::string> unique;
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (i < before.size()) CHECK(after[i].serial == before[i].serial);
    CHECK(after[i].serial.size() == 16);
    unique.insert(after[i].serial);
  }
  CHECK(unique.size() == 12);
  CHECK(check_manifest(dir).problems.empty());
}

TEST_CASE("batch errors: capacity, an existing batch, changed options, a tampered file",
          "[batch][errors]") {
  TempDir t;
  RenderOptions plain;
  plain.style = Style::plain;
  EncodeOptions small;
  small.max_version = 2;
  small.ec = EcLevel::M;
  const auto dir = make_dir(t, "out");
  const auto serials = serial_file(t, 4, true);
  {
    const Design design(std::nullopt, small, plain);
    CHECK(test::message_of([&] { run_batch(design, file_batch(serials, dir)); },
                           ErrorCategory::encode) ==
          "the longest payload, 'https://v.brand.example/a/SNLONGER-100000' (41 bytes, serial "
          "from line 1 of '" +
              serials.string() +
              "'), does not fit: payload is 41 bytes but EC level M holds at most 26 bytes "
              "(byte mode) up to version 2: shorten the payload, lower EncodeOptions.ec or raise "
              "EncodeOptions.max_version");
    CHECK(std::filesystem::is_empty(dir));  // refused before any work
  }
  const Design design(std::nullopt, EncodeOptions{}, plain);
  run_batch(design, file_batch(serials, dir));
  CHECK(test::message_of([&] { run_batch(design, file_batch(serials, dir)); },
                         ErrorCategory::input) ==
        "'" + dir.string() +
            "' already holds a batch (manifest.csv): continue it with BatchOptions.resume, or "
            "choose an "
            "empty BatchOptions.out_dir");
  BatchOptions other = file_batch(serials, dir);
  other.resume = true;
  other.payload_template = "https://v.brand.example/b/{serial}";
  CHECK(test::message_of([&] { run_batch(design, other); }, ErrorCategory::usage) ==
        "BatchOptions.resume needs the options the run in '" + dir.string() +
            "' started with (batch-settings.txt): 'template=https://v.brand.example/a/{serial}' "
            "then, 'template=https://v.brand.example/b/{serial}' now");
  // A resumed complete run makes nothing and leaves the manifest alone.
  BatchOptions again = file_batch(serials, dir);
  again.resume = true;
  const std::string manifest = slurp(dir / kManifestName);
  CHECK(run_batch(design, again).made == 0);
  CHECK(slurp(dir / kManifestName) == manifest);

  std::ofstream(dir / "000002.png", std::ios::app) << "x";
  const ManifestCheck c = check_manifest(dir);
  REQUIRE(c.problems.size() == 1);
  CHECK(c.problems[0] == "file '000002.png' (index 2) does not match its SHA-256");
  std::filesystem::remove(dir / "000003.png");
  CHECK(check_manifest(dir).problems.back() == "file '000003.png' (index 3) is missing");

  // A missing --out-dir is made, unless it cannot be: here a file stands in its way.
  const auto under_file = t.path / "serials.txt" / "run";
  CHECK(test::message_of([&] { run_batch(design, file_batch(serials, under_file)); },
                         ErrorCategory::input) ==
        "cannot create '" + under_file.string() + "': '" + (t.path / "serials.txt").string() +
            "' is a file, not a folder; choose another BatchOptions.out_dir");
}
