// 'viscode encode' when it works: what it prints, the files it writes, their physical size,
// and that every PNG it writes reads back with both reference readers.

#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "readers.hpp"
#include "test_logos.hpp"
#include "viscode/render.hpp"
#include "viscode/version.hpp"

using namespace viscode::cli_test;
namespace fs = std::filesystem;

namespace {

const std::string kPayload = "https://brand.example/p/1";

// Runs a command expected to succeed and returns its summary; fails the test otherwise.
Summary encode_ok(const std::vector<std::string>& args) {
  const auto r = encode(args);
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  const auto s = parse_summary(r.out);
  REQUIRE(s);
  return *s;
}

std::uint32_t be32(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

struct Phys {
  bool found = false;
  bool crc_ok = false;
  bool before_idat = false;
  std::uint32_t x = 0, y = 0;
  int unit = -1;
};

// Walks the PNG chunk list; the chunk must precede IDAT (PNG spec) and carry a valid CRC,
// or strict readers drop it and the print size is lost.
Phys find_phys(const std::string& png) {
  Phys p;
  bool seen_idat = false;
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint32_t len = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (at + 12 + len > png.size()) break;
    if (type == "IDAT") seen_idat = true;
    if (type == "pHYs" && len == 9) {
      p.found = true;
      p.before_idat = !seen_idat;
      p.x = be32(png, at + 8);
      p.y = be32(png, at + 12);
      p.unit = static_cast<unsigned char>(png[at + 16]);
      const auto crc =
          crc32(0, reinterpret_cast<const Bytef*>(png.data() + at + 4), static_cast<uInt>(4 + len));
      p.crc_ok = crc == be32(png, at + 8 + len);
    }
    at += 12 + len;
  }
  return p;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

}  // namespace

// ---- summary and formats ----------------------------------------------------------------

TEST_CASE("cli: summary line for each format", "[cli][output]") {
  TempDir t;
  for (const std::string name : {"code.png", "code.svg", "code.pdf"}) {
    INFO(name);
    const std::string out = t.out(name).string();
    const auto r = encode({"--data", kPayload, "-o", out});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const auto s = parse_summary(r.out);
    REQUIRE(s);
    // 25 mm at 600 dpi is 590.6 px; a version-2 code plus quiet zone is 33 modules, so
    // 17 whole pixels per module, 561 px = 23.75 mm.
    CHECK(r.out == "version 2, EC M, mask " + std::to_string(s->mask) +
                       ", 25x25 modules, module 0.72 mm (17 px at 600 dpi), 23.75 mm, plain -> " +
                       out + "\n");
    const std::string bytes = read_bytes(out);
    if (name == "code.png") {
      CHECK(starts_with(bytes, kPngSignature));
      check_reads_back(out, kPayload);
    } else if (name == "code.svg") {
      CHECK(starts_with(bytes, "<?xml"));
      CHECK(bytes.find("<svg") != std::string::npos);
    } else {
      CHECK(starts_with(bytes, "%PDF-"));
      CHECK(bytes.find("%%EOF") != std::string::npos);
    }
  }
  // Only the three outputs: no temporary survived any of the renames.
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"code.pdf", "code.png", "code.svg"});
}

TEST_CASE("cli: a relative output lands in the working directory", "[cli][output]") {
  TempDir t;
  const auto r = run_cli({"encode", "--data", "hello", "-o", "code.png"}, t.out_dir());
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto s = parse_summary(r.out);
  REQUIRE(s);
  CHECK(s->output == "code.png");
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"code.png"});
  check_reads_back(t.out("code.png"), "hello");
}

TEST_CASE("cli: an upper-case extension picks the format", "[cli][output]") {
  TempDir t;
  const auto out = t.out("CODE.PNG");
  encode_ok({"--data", "hello", "-o", out.string()});
  CHECK(starts_with(read_bytes(out), kPngSignature));
  check_reads_back(out, "hello");
}

// An SVG that librsvg (via viscode's own Logo loader) cannot rasterise into a readable code
// would pass a header check; this renders it back and scans it.
TEST_CASE("cli: SVG output rasterises to a readable code", "[cli][output]") {
  TempDir t;
  const auto out = t.out("code.svg");
  const auto s = encode_ok({"--logo", kBrandSvg, "--data", kPayload, "-o", out.string()});
  const int px = (s.modules + 8) * 8;
  const cv::Mat bgra = viscode::Logo::load(out).raster(px, px);
  for (const viscode::test::Reader reader : viscode::test::all_readers()) {
    INFO("reader " << viscode::test::to_string(reader));
    CHECK(viscode::test::reads(reader, bgra, kPayload));
  }
}

// ---- physical size ----------------------------------------------------------------------

TEST_CASE("cli: --module-px sets whole pixels per module", "[cli][size]") {
  TempDir t;
  const auto out = t.out("code.png");
  const auto s = encode_ok({"--data", kPayload, "--module-px", "8", "-o", out.string()});
  CHECK(s.module_px == 8);
  CHECK(s.module_mm == "0.34");  // 8 px at 600 dpi
  const cv::Mat image = cv::imread(out.string(), cv::IMREAD_UNCHANGED);
  CHECK(image.cols == (s.modules + 8) * 8);
  CHECK(image.rows == (s.modules + 8) * 8);
  check_reads_back(out, kPayload);
}

TEST_CASE("cli: --size gives the largest whole-pixel module that fits, and records the dpi",
          "[cli][size]") {
  struct Case {
    std::string size, dpi;
    double mm;
    std::uint32_t ppm;  // pixels per metre, dpi / 0.0254 rounded
  };
  for (const Case& c : {Case{"25mm", "600", 25.0, 23622}, Case{"1in", "300", 25.4, 11811},
                        Case{"4cm", "1200", 40.0, 47244}}) {
    INFO(c.size << " at " << c.dpi << " dpi");
    TempDir t;
    const auto out = t.out("code.png");
    const auto s =
        encode_ok({"--data", "hello", "--size", c.size, "--dpi", c.dpi, "-o", out.string()});
    const int frame = s.modules + 8;
    const double budget_px = c.mm / 25.4 * std::stod(c.dpi);
    CHECK(s.module_px * frame <= budget_px);
    CHECK((s.module_px + 1) * frame > budget_px);
    CHECK(s.dpi == c.dpi);

    const std::string bytes = read_bytes(out);
    const cv::Mat image = cv::imread(out.string(), cv::IMREAD_UNCHANGED);
    CHECK(image.cols == s.module_px * frame);
    CHECK(image.rows == s.module_px * frame);
    const Phys phys = find_phys(bytes);
    CHECK(phys.found);
    CHECK(phys.crc_ok);
    CHECK(phys.before_idat);
    CHECK(phys.unit == 1);
    CHECK(phys.x == c.ppm);
    CHECK(phys.y == c.ppm);
    check_reads_back(out, "hello");
  }
}

TEST_CASE("cli: 25mm at 600 dpi is a 20 px module for version 1", "[cli][size]") {
  TempDir t;
  const auto out = t.out("code.png");
  const auto r = encode({"--data", "hello", "--size", "25mm", "--dpi", "600", "-o", out.string()});
  REQUIRE(r.exit_code == 0);
  const auto s = parse_summary(r.out);
  REQUIRE(s);
  // 590.6 px over 29 modules: 20 px (580 px, 24.55 mm); 21 px would be 609 px, over 25 mm.
  CHECK(r.out == "version 1, EC M, mask " + std::to_string(s->mask) +
                     ", 21x21 modules, module 0.85 mm (20 px at 600 dpi), 24.55 mm, plain -> " +
                     out.string() + "\n");
  CHECK(cv::imread(out.string(), cv::IMREAD_UNCHANGED).cols == 580);
  check_reads_back(out, "hello");
}

// ---- determinism ------------------------------------------------------------------------

namespace {

void check_deterministic(const std::string& logo) {
  TempDir t;
  for (const std::string ext : {".png", ".svg", ".pdf"}) {
    INFO(logo << " -> " << ext);
    const auto a = t.out("a" + ext), b = t.out("b" + ext);
    const auto sa = encode_ok({"--logo", logo, "--data", kPayload, "-o", a.string()});
    const auto sb = encode_ok({"--logo", logo, "--data", kPayload, "-o", b.string()});
    CHECK(sa.mask == sb.mask);
    const std::string ba = read_bytes(a), bb = read_bytes(b);
    CHECK(!ba.empty());
    CHECK(ba == bb);
    if (ext == ".png") {
      CHECK(starts_with(ba, kPngSignature));
      check_reads_back(a, kPayload);
      check_reads_back(b, kPayload);
    } else if (ext == ".svg") {
      CHECK(starts_with(ba, "<?xml"));
    } else {
      CHECK(starts_with(ba, "%PDF-"));
    }
  }
}

}  // namespace

// Split by logo so that ctest can run the halves side by side.
TEST_CASE("cli: the same command writes the same bytes, SVG logo", "[cli][output]") {
  check_deterministic(kBrandSvg);
}

TEST_CASE("cli: the same command writes the same bytes, raster logo", "[cli][output]") {
  check_deterministic(kBrandPng);
}

// ---- payload ----------------------------------------------------------------------------

TEST_CASE("cli: --data-file takes text", "[cli][payload]") {
  TempDir t;
  const auto in = t.in("payload.txt");
  const std::string text = "https://brand.example/p/1?lot=42&ü=ß";
  write_bytes(in, text);
  const auto out = t.out("code.png");
  encode_ok({"--data-file", in.string(), "-o", out.string()});
  check_reads_back(out, text);
}

// A payload without an ECI designator is ISO-8859-1 by the QR standard. zxing-cpp returns it
// decoded that way, as UTF-8, and so does ZBar (these bytes are not valid UTF-8, so its
// character-set guess lands on ISO-8859-1 too); WeChat hands back the raw bytes. Each must
// match exactly.
TEST_CASE("cli: --data-file takes binary bytes, NUL included", "[cli][payload]") {
  TempDir t;
  const std::string bytes("\x00\x01\x7f\x80\xfe\xffviscode\x00\n", 15);
  std::string latin1_as_utf8;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      latin1_as_utf8 += static_cast<char>(c);
    } else {
      latin1_as_utf8 += static_cast<char>(0xc0 | (c >> 6));
      latin1_as_utf8 += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  const auto in = t.in("payload.bin");
  write_bytes(in, bytes);
  const auto out = t.out("code.png");
  encode_ok({"--data-file", in.string(), "-o", out.string()});
  const cv::Mat image = cv::imread(out.string(), cv::IMREAD_UNCHANGED);
  REQUIRE_FALSE(image.empty());
  CHECK(viscode::test::reads(viscode::test::Reader::zxing, image, latin1_as_utf8));
  CHECK(viscode::test::reads(viscode::test::Reader::wechat, image, bytes));
  CHECK(viscode::test::reads(viscode::test::Reader::zbar, image, latin1_as_utf8));
}

TEST_CASE("cli: --mask and --ec are honoured", "[cli][payload]") {
  TempDir t;
  SECTION("--mask 3") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--data", kPayload, "--mask", "3", "-o", out.string()});
    CHECK(s.mask == 3);
    check_reads_back(out, kPayload);
  }
  SECTION("--mask 3 with a logo") {
    const auto out = t.out("code.png");
    const auto s =
        encode_ok({"--logo", kBrandPng, "--data", kPayload, "--mask", "3", "-o", out.string()});
    CHECK(s.mask == 3);
    check_reads_back(out, kPayload);
  }
  SECTION("--ec L") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--data", kPayload, "--ec", "L", "-o", out.string()});
    CHECK(s.ec == 'L');
    check_reads_back(out, kPayload);
  }
  SECTION("--ec q, either case") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--data", kPayload, "--ec", "q", "-o", out.string()});
    CHECK(s.ec == 'Q');
    check_reads_back(out, kPayload);
  }
  SECTION("--min-version") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--data", "hello", "--min-version", "7", "-o", out.string()});
    CHECK(s.version == 7);
    CHECK(s.modules == 45);
    check_reads_back(out, "hello");
  }
}

TEST_CASE("cli: defaults depend on whether there is a logo", "[cli][style]") {
  TempDir t;
  SECTION("without a logo: plain, EC M") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--data", kPayload, "-o", out.string()});
    CHECK(s.style == "plain");
    CHECK(s.ec == 'M');
    check_reads_back(out, kPayload);
  }
  SECTION("--style plain without a logo is allowed") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--data", kPayload, "--style", "plain", "-o", out.string()});
    CHECK(s.style == "plain");
    check_reads_back(out, kPayload);
  }
  SECTION("with a logo: halftone, EC H") {
    const auto out = t.out("code.png");
    const auto s = encode_ok({"--logo", kBrandPng, "--data", kPayload, "-o", out.string()});
    CHECK(s.style == "halftone");
    CHECK(s.ec == 'H');
    check_reads_back(out, kPayload);
  }
}

// ---- styles and logos -------------------------------------------------------------------

namespace {

void check_styles(const std::string& logo) {
  TempDir t;
  for (const std::string style : {"halftone", "dots", "center", "plain"}) {
    INFO(style << " over " << logo);
    const auto out = t.out(style + ".png");
    const auto r =
        encode({"--logo", logo, "--data", kPayload, "--style", style, "-o", out.string()});
    CHECK(r.exit_code == 0);
    // plain draws no logo, and says so.
    CHECK(r.err.empty() == (std::string(style) != "plain"));
    const auto s = parse_summary(r.out);
    REQUIRE(s);
    CHECK(s->style == style);
    CHECK(s->ec == 'H');
    check_reads_back(out, kPayload);
  }
}

}  // namespace

TEST_CASE("cli: every style over the raster sample logo reads back", "[cli][style]") {
  check_styles(kBrandPng);
}

TEST_CASE("cli: every style over the SVG sample logo reads back", "[cli][style]") {
  check_styles(kBrandSvg);
}

TEST_CASE("cli: --logo-area full and --fit contain read back", "[cli][style]") {
  TempDir t;
  for (const std::string& logo : {kBrandPng, kBrandSvg}) {
    INFO(logo);
    const auto full = t.out("full.png");
    encode_ok({"--logo", logo, "--data", kPayload, "--logo-area", "full", "-o", full.string()});
    check_reads_back(full, kPayload);
    const auto contain = t.out("contain.png");
    encode_ok({"--logo", logo, "--data", kPayload, "--fit", "contain", "-o", contain.string()});
    check_reads_back(contain, kPayload);
  }
}

TEST_CASE("cli: brand colours and strength extremes read back", "[cli][style]") {
  TempDir t;
  const auto out = t.out("code.png");
  SECTION("navy on cream") {
    encode_ok({"--logo", kBrandPng, "--data", kPayload, "--dark", "#1a2b3c", "--light", "#fffbe6",
               "-o", out.string()});
    check_reads_back(out, kPayload);
  }
  SECTION("strength 1") {
    encode_ok({"--logo", kBrandPng, "--data", kPayload, "--strength", "1", "-o", out.string()});
    check_reads_back(out, kPayload);
  }
  SECTION("half the error correction given to the picture") {
    encode_ok({"--logo", kBrandPng, "--data", kPayload, "--picture-ec", "0.5", "-o", out.string()});
    check_reads_back(out, kPayload);
    // The flag changes the picture: it must not be ignored on the way to the library.
    const auto plain = t.out("default.png");
    encode_ok({"--logo", kBrandPng, "--data", kPayload, "-o", plain.string()});
    CHECK(read_bytes(out) != read_bytes(plain));
  }
}

// Raster logos the samples do not cover: a JPEG, and a PNG whose alpha is the point.
TEST_CASE("cli: JPEG and transparent PNG logos", "[cli][style]") {
  TempDir t;
  for (const auto& logo : viscode::test::test_logos()) {
    if (logo.name != "transparent" && logo.name != "flat_brand") continue;
    INFO(logo.name);
    const auto file = t.in(logo.name + (logo.image.channels() == 4 ? ".png" : ".jpg"));
    REQUIRE(cv::imwrite(file.string(), logo.image));
    const auto out = t.out(logo.name + ".png");
    encode_ok({"--logo", file.string(), "--data", kPayload, "-o", out.string()});
    check_reads_back(out, kPayload);
  }
}

// A 1200x300 wordmark: twelve dark blocks spread evenly over a white field, so that a square
// cover crop keeps exactly the middle quarter of its content.
fs::path write_wide_logo(const TempDir& t) {
  cv::Mat logo(300, 1200, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int k = 0; k < 12; ++k) {
    cv::rectangle(logo, cv::Rect(20 + 100 * k, 60, 60, 180), cv::Scalar(90, 40, 20), cv::FILLED);
  }
  const fs::path file = t.in("wordmark.png");
  REQUIRE(cv::imwrite(file.string(), logo));
  return file;
}

TEST_CASE("cli: a wide logo that cover would crop is warned about, contain shows it all",
          "[cli][style][warning]") {
  TempDir t;
  const fs::path logo = write_wide_logo(t);
  const auto cover = t.out("cover.png");
  const auto r = encode({"--logo", logo.string(), "--data", kPayload, "-o", cover.string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err ==
        "viscode: warning: --fit cover crops 75% of the logo "
        "(1200x300, 4.0:1) to fill the square: use --fit contain to show all of it\n");
  check_reads_back(cover, kPayload);

  const auto contain = t.out("contain.png");
  encode_ok(
      {"--logo", logo.string(), "--data", kPayload, "--fit", "contain", "-o", contain.string()});
  check_reads_back(contain, kPayload);
  // A run warns once, before its first code.
  const auto run =
      run_cli({"batch", "--logo", logo.string(), "--template", "https://v.brand.example/a/{serial}",
               "--count", "2", "--out-dir", (t.root() / "run").string()});
  CHECK(run.exit_code == 0);
  CHECK(run.err ==
        "viscode: warning: --fit cover crops 75% of the logo "
        "(1200x300, 4.0:1) to fill the square: use --fit contain to show all of it\n");
}

TEST_CASE("cli: a logo with --style plain is warned about", "[cli][style][warning]") {
  TempDir t;
  const auto out = t.out("code.png");
  const auto r =
      encode({"--logo", kBrandPng, "--style", "plain", "--data", kPayload, "-o", out.string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err ==
        "viscode: warning: the logo is not drawn with --style plain: choose halftone, dots or "
        "center to show it, or leave out --logo\n");
  check_reads_back(out, kPayload);
}

// The warning's suggested size must itself pass the check it comes from.
TEST_CASE("cli: a print too small to read is warned about, with a size that reads",
          "[cli][size][warning]") {
  TempDir t;
  const auto out = t.out("code.png");
  const auto small =
      encode({"--logo", kBrandPng, "--data", kPayload, "--size", "5mm", "-o", out.string()});
  INFO(small.err);
  CHECK(small.exit_code == 0);
  const std::string head = "viscode: warning: modules of 0.08 mm are below the ";
  REQUIRE(small.err.substr(0, head.size()) == head);
  const std::size_t at = small.err.find("(--size ");
  REQUIRE(at != std::string::npos);
  const int suggested = std::stoi(small.err.substr(at + 8));
  CHECK(suggested > 5);
  CHECK(suggested <= 25);

  const auto fixed = encode({"--logo", kBrandPng, "--data", kPayload, "--size",
                             std::to_string(suggested) + "mm", "-o", out.string()});
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.err.empty());
  check_reads_back(out, kPayload);

  const auto skipped = encode({"--logo", kBrandPng, "--data", kPayload, "--size", "5mm",
                               "--no-size-check", "-o", out.string()});
  CHECK(skipped.exit_code == 0);
  CHECK(skipped.err.empty());
}

// ---- help and version -------------------------------------------------------------------

TEST_CASE("cli: --help lists every option", "[cli][help]") {
  const auto r = run_cli({"encode", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* option :
       {"--logo",       "--data", "--data-file",   "-o,--output",   "--style", "--strength",
        "--picture-ec", "--ec",   "--min-version", "--max-version", "--mask",  "--fit",
        "--logo-area",  "--dark", "--light",       "--quiet",       "--dpi",   "--size",
        "--module-px",  "--ink",  "--icc",         "--bleed",       "--help"}) {
    INFO(option);
    CHECK(r.out.find(std::string(option) + " ") != std::string::npos);
  }
  const auto top = run_cli({"--help"});
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("encode") != std::string::npos);
  CHECK(top.out.find("--version") != std::string::npos);
}

TEST_CASE("cli: --version", "[cli][help]") {
  const auto r = run_cli({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "viscode 0.1.0\n");
  CHECK(r.err.empty());
  // The header's version and the CMake project's must not drift apart.
  CHECK(std::string(viscode::kVersionString) == VISCODE_PROJECT_VERSION);
}
