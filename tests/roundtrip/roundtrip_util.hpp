// Shared by the round-trip tests: the logos they draw over, and the read-back check every
// generated code goes through.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "capture.hpp"
#include "fidelity.hpp"
#include "readers.hpp"
#include "temp_dir.hpp"
#include "test_logos.hpp"
#include "tools.hpp"
#include "viscode/viscode.hpp"

namespace viscode::roundtrip {

struct NamedLogo {
  std::string name;
  Logo logo;
};

// Generating the test logos costs ~0.2 s, so each process does it once.
inline const std::vector<NamedLogo>& test_logos() {
  static const std::vector<NamedLogo> logos = [] {
    std::vector<NamedLogo> out;
    for (const auto& t : test::test_logos()) out.push_back({t.name, Logo::from_image(t.image)});
    return out;
  }();
  return logos;
}

// The test logos followed by the two sample files users meet first (PNG raster, SVG vector).
inline const std::vector<NamedLogo>& test_and_sample_logos() {
  static const std::vector<NamedLogo> logos = [] {
    std::vector<NamedLogo> out = test_logos();
    out.push_back({"samples/brand.png", Logo::load(VISCODE_SOURCE_DIR "/samples/brand.png")});
    out.push_back({"samples/brand.svg", Logo::load(VISCODE_SOURCE_DIR "/samples/brand.svg")});
    return out;
  }();
  return logos;
}

// A scratch directory, removed with everything in it when the test ends.
using TempDir = viscode::test::TempDir;

// True when the qrencode CLI (the other encoder the detector is checked against) is on PATH;
// otherwise a warning naming the fix, and the caller skips.
inline bool have_qrencode() {
  if (!test::find_tool("qrencode").empty()) return true;
  WARN("the qrencode CLI is not installed: skipped (scripts/install-deps installs it)");
  return false;
}

inline int total_modules(const Symbol& symbol, const RenderOptions& options) {
  return symbol.size + 2 * options.quiet;
}

inline std::string describe(const Symbol& symbol, const RenderOptions& options,
                            const std::string& logo) {
  std::ostringstream s;
  s << "style " << to_string(options.style) << ", strength " << options.strength << ", EC "
    << to_char(symbol.ec) << ", version " << symbol.version << ", mask " << symbol.mask << ", logo "
    << logo;
  return s.str();
}

// Captures the rendering and checks that every reference reader, and viscode's own
// detector, return exactly the payload. CHECK
// rather than REQUIRE so that one run lists every failing reader and capture, not just the
// first.
// zbar = false leaves ZBar out, for the one known ZBar failure the caller names.
inline void check_reads(const cv::Mat& image, int modules, test::Capture kind,
                        const std::string& payload, const std::string& what, bool zbar = true) {
  const cv::Mat captured = test::capture(image, modules, kind);
  for (const test::Reader reader : test::all_readers()) {
    if (reader == test::Reader::zbar && !zbar) continue;
    INFO(what << ", capture " << test::to_string(kind) << ", reader " << test::to_string(reader)
              << ", payload \"" << payload << "\"");
    CHECK(test::reads(reader, captured, payload));
  }
  // viscode's own detector too: what `viscode decode` and verification rely on.
  INFO(what << ", capture " << test::to_string(kind) << ", reader viscode, payload \"" << payload
            << "\"");
  bool ours = false;
  for (const Decoded& d : read_codes(captured)) ours = ours || d.text == payload;
  CHECK(ours);
}

// URL-like text of exactly the version's byte capacity, so the version is also the smallest
// that fits and every data module carries real codewords. Deterministic per (ec, version).
inline std::string payload_filling(EcLevel ec, int version, std::string_view alphabet) {
  const int length = byte_capacity(ec, version);
  std::string s = "https://x.example/";
  std::uint32_t state = 0x9e3779b9u ^ static_cast<std::uint32_t>(version * 131 + length);
  while (static_cast<int>(s.size()) < length) {
    state = state * 1664525u + 1013904223u;
    s.push_back(alphabet[(state >> 24) % alphabet.size()]);
  }
  s.resize(static_cast<std::size_t>(length));
  return s;
}

// A symbol drawn plain at 4 px per module: every reference reader and viscode's detector
// must return exactly the payload and nothing after it, ours correcting exactly
// `corrections` errors. CHECK, not REQUIRE: one unreadable symbol must not hide the others
// of a sweep.
inline void check_reads_exactly(const Symbol& symbol, const std::string& payload, int corrections) {
  RenderOptions ro;
  ro.style = Style::plain;
  const cv::Mat image = render(symbol, nullptr, ro, 4);
  for (const test::Reader reader : test::all_readers()) {
    INFO("reader " << test::to_string(reader));
    CHECK(test::read_all(reader, image) == std::vector<std::string>{payload});
  }
  INFO("reader viscode");
  const std::vector<Decoded> decoded = read_codes(image);
  CHECK(decoded.size() == 1);
  if (decoded.size() != 1) return;
  CHECK(decoded[0].text == payload);
  CHECK(decoded[0].bytes == std::vector<std::uint8_t>(payload.begin(), payload.end()));
  CHECK(decoded[0].errors_corrected() == corrections);
}

// encode() pinned to one version and level.
inline Symbol encode_at(EcLevel ec, int version, const std::string& payload) {
  EncodeOptions eo;
  eo.ec = ec;
  eo.min_version = eo.max_version = version;
  Symbol symbol = encode(payload, eo);
  REQUIRE(symbol.version == version);
  return symbol;
}

// What a picture asks of a symbol's modules, without a picture: structure (a disc over a
// checker of 3x3 blocks) and pseudo-random weights, a fifth of them "don't care";
// deterministic per seed. For choose_pad and picture_errors.
inline void synthetic_picture(const Symbol& s, std::uint32_t seed, std::vector<std::uint8_t>& dark,
                              std::vector<float>& weight) {
  dark.assign(s.dark.size(), 0);
  weight.assign(s.dark.size(), 0.0f);
  std::uint32_t state = seed;
  const double r = s.size * 0.35;
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) {
      const auto i = static_cast<std::size_t>(y * s.size + x);
      const double dx = x - s.size / 2.0;
      const double dy = y - s.size / 2.0;
      const bool disc = dx * dx + dy * dy < r * r;
      const bool checker = (x / 3 + y / 3) % 2 == 0;
      dark[i] = disc != checker ? 1 : 0;
      state = state * 1664525u + 1013904223u;
      const std::uint32_t v = (state >> 8) % 1000;
      weight[i] = v < 200 ? 0.0f : static_cast<float>(v) / 1000.0f;
    }
  }
}

}  // namespace viscode::roundtrip
