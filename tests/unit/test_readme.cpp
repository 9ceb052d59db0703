// The README's library example, verbatim, so the first code a user copies keeps working.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include "readers.hpp"
#include "viscode/viscode.hpp"

namespace {
void readme_example() {
  const viscode::Logo logo = viscode::Logo::load("brand.png");
  const viscode::RenderOptions style;  // halftone at the default strength
  const viscode::Symbol symbol =
      viscode::design_symbol("https://brand.example/p/123", &logo, {}, style);
  viscode::write(symbol, &logo, style, {.dpi = 600, .size_mm = 25}, "code.svg");
}
}  // namespace

TEST_CASE("the README's library example writes a readable code", "[unit][readme]") {
  namespace fs = std::filesystem;
  std::string t = (fs::temp_directory_path() / "viscode-readme-XXXXXX").string();
  const fs::path dir = mkdtemp(t.data());
  const fs::path before = fs::current_path();
  fs::copy_file(fs::path(VISCODE_SOURCE_DIR) / "samples" / "brand.png", dir / "brand.png");
  fs::current_path(dir);
  readme_example();
  fs::current_path(before);
  REQUIRE(fs::file_size(dir / "code.svg") > 1000);

  // The same design as PNG pixels, read back by every reference reader.
  const viscode::Logo logo = viscode::Logo::load(dir / "brand.png");
  const viscode::RenderOptions style;
  const viscode::Symbol symbol =
      viscode::design_symbol("https://brand.example/p/123", &logo, {}, style);
  const cv::Mat pixels = viscode::render(symbol, &logo, style, 8);
  for (const viscode::test::Reader reader : viscode::test::all_readers()) {
    INFO("reader " << viscode::test::to_string(reader));
    CHECK(viscode::test::reads(reader, pixels, "https://brand.example/p/123"));
  }
  fs::remove_all(dir);
}
