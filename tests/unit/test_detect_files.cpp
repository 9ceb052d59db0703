// Image files for the detector: refused cleanly, never crashing, whatever their bytes.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "viscode/detect.hpp"
#include "viscode/error.hpp"
#include "viscode/render.hpp"

namespace fs = std::filesystem;

TEST_CASE("bytes OpenCV's DICOM reader aborted on are refused as an input error",
          "[detect][files]") {
  // Found by fuzz_detect: a broken PNG signature made OpenCV try GDCM, which asserted; and
  // later a WebP header OpenCV's WebP decoder declined, with DICOM's marker at offset 128.
  const auto seed =
      GENERATE(as<std::string>{}, "regression-gdcm-abort", "regression-gdcm-dicm-marker");
  const fs::path file = fs::path(VISCODE_SOURCE_DIR) / "tests/fuzz/seeds/detect" / seed;
  REQUIRE(fs::exists(file));
  try {
    (void)viscode::read_image(file);
    FAIL("read_image accepted garbage");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::input);
    CHECK(std::string(e.what()) ==
          "image '" + file.string() +
              "' is not a readable image (truncated, corrupt or an unsupported format)");
  }
  // The logo loader reads the same way.
  CHECK_THROWS_AS(viscode::Logo::load(file), viscode::Error);
}

TEST_CASE("a readable image with no code gives no result", "[detect][files]") {
  const cv::Mat blank(120, 160, CV_8UC3, cv::Scalar(200, 180, 160));
  CHECK(viscode::read_codes(blank).empty());
  CHECK_THROWS_AS(viscode::read_codes(cv::Mat()), viscode::Error);
}
