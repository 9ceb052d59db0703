// QR Code Model 1 symbols (AIM ITS/97-001, still printed on old packs) read from images by
// read_codes(): rendered by the test encoder (tests/support/model1_encoder.*), pristine and
// through the typical and small captures. The third-party readers at hand (zxing-cpp 1.4,
// OpenCV's WeChat reader, ZBar 0.23) do not read Model 1 at all, so these codes are read
// back by the detector alone; the last test checks that claim on one of the images.
#include <catch2/catch.hpp>
#include <cstdint>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "bit_stream.hpp"
#include "capture.hpp"
#include "model1_encoder.hpp"
#include "readers.hpp"
#include "viscode/detect.hpp"
#include "viscode/encode.hpp"

namespace t = viscode::test;
using viscode::EcLevel;

namespace {

struct Made {
  t::Model1Symbol symbol;
  std::string text;
};

// A byte-mode payload of n characters, or the longest shorter one that fits.
Made make(int version, char ec, int mask, std::size_t n) {
  const int data = t::model1_data_codewords(version, ec);
  for (; n > 0; --n) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text += "Model one, old pack 0123456789 "[i % 31];
    t::Bits b;
    b.put(0, 4);
    t::bytes(b, text, version);
    if (b.codewords().size() > static_cast<std::size_t>(data)) continue;
    if (b.put(0, 4).codewords().size() > static_cast<std::size_t>(data)) {
      b = t::Bits();
      b.put(0, 4);
      t::bytes(b, text, version);
    }
    return {t::model1_symbol(b.codewords(static_cast<std::size_t>(data)), version, ec, mask), text};
  }
  FAIL("nothing fits");
  return {};
}

EcLevel level_of(char ec) {
  return ec == 'L' ? EcLevel::L : ec == 'M' ? EcLevel::M : ec == 'Q' ? EcLevel::Q : EcLevel::H;
}

void check_one(const cv::Mat& image, const Made& m, char ec) {
  const auto codes = viscode::read_codes(image);
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == m.text);
  CHECK(codes[0].model == 1);
  CHECK(codes[0].version == m.symbol.version);
  CHECK(codes[0].ec == level_of(ec));
}

}  // namespace

TEST_CASE("detect reads Model 1 symbols of versions 1-14", "[detect][model1]") {
  struct Case {
    int version;
    char ec;
    int mask;
  };
  for (const Case c : {Case{1, 'L', 0}, Case{1, 'H', 3}, Case{2, 'M', 5}, Case{3, 'Q', 1},
                       Case{6, 'Q', 2}, Case{6, 'H', 6}, Case{9, 'L', 4}, Case{10, 'H', 7},
                       Case{13, 'M', 3}, Case{14, 'L', 1}, Case{14, 'H', 4}}) {
    CAPTURE(c.version, c.ec, c.mask);
    const Made m = make(c.version, c.ec, c.mask, 120);
    const cv::Mat pristine = t::render_model1(m.symbol, 5);
    check_one(pristine, m, c.ec);
    const int total = m.symbol.size + 8;
    for (const t::Capture kind : {t::Capture::typical, t::Capture::small}) {
      CAPTURE(t::to_string(kind));
      check_one(t::capture(pristine, total, kind), m, c.ec);
    }
  }
}

TEST_CASE("Model 1 and Model 2 symbols in one image each read as their model", "[detect][model1]") {
  const Made m1 = make(4, 'M', 2, 40);
  viscode::EncodeOptions options;
  options.min_version = 4;
  options.max_version = 4;
  const viscode::Symbol m2 = viscode::encode("MODEL 2 NEXT TO MODEL 1", options);
  const int px = 5;
  cv::Mat image(45 * px, 90 * px, CV_8UC1, cv::Scalar(255));
  t::render_model1(m1.symbol, px).copyTo(image(cv::Rect(0, 0, 41 * px, 41 * px)));
  for (int y = 0; y < m2.size; ++y) {
    for (int x = 0; x < m2.size; ++x) {
      if (m2.is_dark(x, y)) image(cv::Rect((49 + x) * px, (4 + y) * px, px, px)).setTo(0);
    }
  }
  const auto codes = viscode::read_codes(image);
  REQUIRE(codes.size() == 2);  // reading order: left to right
  CHECK(codes[0].text == m1.text);
  CHECK(codes[0].model == 1);
  CHECK(codes[1].text == "MODEL 2 NEXT TO MODEL 1");
  CHECK(codes[1].model == 2);
}

TEST_CASE("The third-party readers do not read Model 1", "[detect][model1]") {
  // Keeps the claim in this file's header true: if a reader learns Model 1, these codes can
  // be read back by it as every other generated code is.
  const Made m = make(2, 'M', 5, 20);
  const cv::Mat image = t::render_model1(m.symbol, 6);
  REQUIRE(viscode::read_codes(image).size() == 1);
  for (const t::Reader reader : t::all_readers()) {
    CAPTURE(t::to_string(reader));
    CHECK(t::read_all(reader, image).empty());
  }
}
