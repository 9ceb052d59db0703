// viscode's detector on whole images through the public API: codes made by another encoder
// (the qrencode CLI) across versions and levels, several codes in one image, inverted and
// mirrored symbols.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "roundtrip_util.hpp"

using namespace viscode;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> texts(const std::vector<Decoded>& found) {
  std::vector<std::string> out;
  for (const Decoded& d : found) out.push_back(d.text);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("detect reads qrencode's codes, versions 1-10 at every level", "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  roundtrip::TempDir dir;
  for (const char level : {'L', 'M', 'Q', 'H'}) {
    for (int v = 1; v <= 10; ++v) {
      // Short enough for version 1 at H (7 bytes), so -v is the version qrencode uses.
      const std::string payload = "vc" + std::string(1, level) + std::to_string(v);
      const fs::path png = dir.path / (payload + ".png");
      const std::string cmd = "qrencode -s 4 -m 4 -l " + std::string(1, level) + " -v " +
                              std::to_string(v) + " -o '" + png.string() + "' '" + payload + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
      INFO("qrencode version " << v << " level " << level);
      const std::vector<Decoded> found = read_codes(read_image(png));
      REQUIRE(found.size() == 1);
      CHECK(found[0].text == payload);
      CHECK(found[0].version == v);
      CHECK(to_char(found[0].ec) == level);
      CHECK(found[0].errors_corrected() == 0);
      CHECK_FALSE(found[0].inverted);
      CHECK_FALSE(found[0].mirrored);
    }
  }
}

TEST_CASE("detect finds several codes in one image, designer and plain", "[roundtrip][detect]") {
  const auto& logos = roundtrip::test_logos();
  const Logo& logo = logos.front().logo;
  cv::Mat canvas(700, 1400, CV_8UC3, cv::Scalar::all(235));
  const char* payloads[] = {"https://brand.example/a/1", "https://brand.example/b/2",
                            "https://brand.example/c/3"};
  const Style styles[] = {Style::plain, Style::halftone, Style::dots};
  for (int i = 0; i < 3; ++i) {
    RenderOptions ro;
    ro.style = styles[i];
    const Logo* l = styles[i] == Style::plain ? nullptr : &logo;
    const Symbol s = design_symbol(payloads[i], l, EncodeOptions{}, ro);
    const cv::Mat code = render(s, l, ro, 10);
    code.copyTo(canvas(cv::Rect(30 + i * 450, 100, code.cols, code.rows)));
  }
  const std::vector<Decoded> found = read_codes(canvas);
  CHECK(texts(found) == std::vector<std::string>{payloads[0], payloads[1], payloads[2]});
  for (const Decoded& d : found) {
    // Corners lie inside the tile the code was pasted into.
    const float left = 30.0f + 450.0f * static_cast<float>(d.text.back() - '1');
    CHECK(d.corners[0].x > left);
    CHECK(d.corners[1].x < left + 450);
  }
}

TEST_CASE("detect reads inverted and mirrored codes and says so", "[roundtrip][detect]") {
  const Symbol s = encode("https://brand.example/p/42");
  RenderOptions ro;
  ro.style = Style::plain;
  const cv::Mat code = render(s, nullptr, ro, 8);

  cv::Mat inverted;
  cv::bitwise_not(code, inverted);
  std::vector<Decoded> found = read_codes(inverted);
  REQUIRE(found.size() == 1);
  CHECK(found[0].text == "https://brand.example/p/42");
  CHECK(found[0].inverted);
  ReadOptions no_inverted;
  no_inverted.try_inverted = false;
  CHECK(read_codes(inverted, no_inverted).empty());

  cv::Mat mirrored;
  cv::flip(code, mirrored, 1);
  found = read_codes(mirrored);
  REQUIRE(found.size() == 1);
  CHECK(found[0].text == "https://brand.example/p/42");
  CHECK(found[0].mirrored);
  ReadOptions no_mirrored;
  no_mirrored.try_mirrored = false;
  CHECK(read_codes(mirrored, no_mirrored).empty());
}

// A code cropped or printed without its quiet zone: its finders' outer rings lie on the
// image's edge (zxing-cpp reads these; before, the finder search gave up at the edge).
TEST_CASE("detect reads codes without a quiet zone", "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  roundtrip::TempDir dir;
  for (const int v : {1, 4, 10, 25}) {
    for (const int scale : {3, 6}) {
      const std::string payload = "no quiet zone v" + std::to_string(v);
      const fs::path png = dir.path / "edge.png";
      const std::string cmd = "qrencode -s " + std::to_string(scale) + " -m 0 -l L -v " +
                              std::to_string(v) + " -o '" + png.string() + "' '" + payload + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
      const cv::Mat image = read_image(png);
      INFO("version " << v << ", " << scale << " px a module");
      const std::vector<Decoded> found = read_codes(image);
      REQUIRE(found.size() == 1);
      CHECK(found[0].text == payload);
      CHECK(found[0].version == v);
      // The corners are the image's own, within a module.
      CHECK(std::abs(found[0].corners[0].x) < scale);
      CHECK(std::abs(found[0].corners[2].y - static_cast<float>(image.rows)) < scale);
      CHECK(test::reads(test::Reader::zxing, image, payload));
    }
  }
}

// Dense codes scanned small: 1 px a module, where the fit's smoothing erased the timing
// patterns (a version 40 scan in ../shared/corpus/qrcode-5 did not read).
TEST_CASE("detect reads codes at 1 px a module", "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  roundtrip::TempDir dir;
  for (const int v : {10, 25, 40}) {
    for (const int margin : {0, 4}) {
      const std::string payload = "one pixel a module, version " + std::to_string(v);
      const fs::path png = dir.path / "dense.png";
      const std::string cmd = "qrencode -s 1 -m " + std::to_string(margin) + " -l L -v " +
                              std::to_string(v) + " -o '" + png.string() + "' '" + payload + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
      const cv::Mat image = read_image(png);
      INFO("version " << v << ", margin " << margin);
      const std::vector<Decoded> found = read_codes(image);
      REQUIRE(found.size() == 1);
      CHECK(found[0].text == payload);
      CHECK(found[0].version == v);
      CHECK(test::reads(test::Reader::zxing, image, payload));
    }
  }
}
