// viscode's detector on geometry that real photos have and the synthetic captures lack
// (issue 19): a small code printed inside a larger one, a version 1 code with a local
// distortion, a strong perspective, a code on a curved surface. Every image is made here,
// deterministically, and read by the reference readers too; where one cannot read an image,
// the test says so and asserts only the others.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "roundtrip_util.hpp"

using namespace viscode;

namespace {

cv::Mat plain_grey(const Symbol& symbol, int module_px, int quiet = 4) {
  RenderOptions ro;
  ro.style = Style::plain;
  ro.quiet = quiet;
  cv::Mat grey;
  cv::cvtColor(render(symbol, nullptr, ro, module_px), grey, cv::COLOR_BGR2GRAY);
  return grey;
}

Symbol encode_plain(const std::string& payload, EcLevel ec, int min_version) {
  EncodeOptions eo;
  eo.ec = ec;
  eo.min_version = min_version;
  return encode(payload, eo);
}

std::vector<std::string> our_texts(const cv::Mat& image) {
  std::vector<std::string> out;
  for (const Decoded& d : detect(image)) out.push_back(d.text);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// A carton's code with a product's code printed inside it: the larger symbol, once decoded,
// claimed every finder inside its area and the search stopped, so the inner code was never
// read. (EC H lets the outer code lose the modules under the inner one.)
TEST_CASE("detect reads a small code printed inside a larger one", "[roundtrip][detect]") {
  const std::string outer = "https://brand.example/outer/0001";
  const std::string inner = "INNER-42";
  for (const auto& [version, px] : {std::pair{5, 12}, std::pair{3, 10}}) {
    cv::Mat image = plain_grey(encode_plain(outer, EcLevel::H, version), px);
    const cv::Mat small = plain_grey(encode_plain(inner, EcLevel::M, 1), 4, 2);
    small.copyTo(image(cv::Rect((image.cols - small.cols) / 2, (image.rows - small.rows) / 2,
                                small.cols, small.rows)));
    INFO("outer version " << version << " at " << px << " px a module, inner at 4 px");
    CHECK(our_texts(image) == std::vector<std::string>{inner, outer});
    // WeChat reads the outer code only: it returns one code per detected region.
    CHECK(test::reads(test::Reader::wechat, image, outer));
    for (const test::Reader reader : {test::Reader::zxing, test::Reader::zbar}) {
      INFO("reader " << test::to_string(reader));
      CHECK(test::reads(reader, image, outer));
      CHECK(test::reads(reader, image, inner));
    }
  }
}
