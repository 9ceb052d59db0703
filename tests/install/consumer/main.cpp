// Uses the installed public API only: encode, render to pixels and to PNG bytes, and an
// error thrown across the shared-library boundary.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "viscode/viscode.hpp"

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what.c_str());
    ++failures;
  }
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
         static_cast<std::uint32_t>(b[at + 2]) << 8 | static_cast<std::uint32_t>(b[at + 3]);
}

}  // namespace

int main() {
  try {
    viscode::EncodeOptions encode_options;
    encode_options.ec = viscode::EcLevel::M;
    const viscode::Symbol symbol = viscode::encode("hello", encode_options);
    expect(symbol.version == 1 && symbol.size == 21, "\"hello\" at EC M is a version-1 code");

    viscode::RenderOptions render_options;
    render_options.style = viscode::Style::plain;
    constexpr int kModulePx = 4;
    const int side = (symbol.size + 2 * render_options.quiet) * kModulePx;
    const cv::Mat image = viscode::render(symbol, nullptr, render_options, kModulePx);
    expect(image.cols == side && image.rows == side && image.type() == CV_8UC3,
           "render() gives a " + std::to_string(side) + " px BGR image, got " +
               std::to_string(image.cols) + "x" + std::to_string(image.rows));

    viscode::PrintOptions print;
    print.module_px = kModulePx;
    const std::vector<std::uint8_t> png =
        viscode::render_file(symbol, nullptr, render_options, print, viscode::Format::png);
    // IHDR is the first chunk: width and height follow the 8-byte signature and chunk header.
    static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    expect(png.size() > 24 && std::equal(kSignature, kSignature + 8, png.begin()),
           "render_file() writes a PNG");
    expect(png.size() > 24 && be32(png, 16) == static_cast<std::uint32_t>(side) &&
               be32(png, 20) == static_cast<std::uint32_t>(side),
           "the PNG is " + std::to_string(side) + " px square");

    try {
      (void)viscode::parse_color("zz");
      expect(false, "parse_color(\"zz\") throws");
    } catch (const viscode::Error& e) {
      expect(e.category() == viscode::ErrorCategory::usage, "a bad colour is a usage error");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: unexpected exception: %s\n", e.what());
    return 1;
  }
  if (failures == 0) std::puts("consumer: ok");
  return failures == 0 ? 0 : 1;
}
