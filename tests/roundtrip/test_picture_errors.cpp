// Error correction spent on the picture: picture_errors changes at most the allowed number of
// codewords per block, marks exactly their modules as spent, and every reference reader and
// viscode's detector still returns exactly the payload, our detector correcting exactly the
// codewords that were given away. A design draws spent modules as the picture alone.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "../unit/test_encode_util.hpp"
#include "roundtrip_util.hpp"

using namespace viscode;

namespace {

// Per block: how many of its codewords (data and EC) differ between two symbols.
std::vector<int> changed_per_block(const Symbol& a, const Symbol& b) {
  const test::SymbolCodewords ca = test::read_codewords(a), cb = test::read_codewords(b);
  std::vector<int> out(ca.data.size(), 0);
  for (std::size_t k = 0; k < ca.data.size(); ++k) {
    for (std::size_t i = 0; i < ca.data[k].size(); ++i) out[k] += ca.data[k][i] != cb.data[k][i];
    for (std::size_t i = 0; i < ca.ec[k].size(); ++i) out[k] += ca.ec[k][i] != cb.ec[k][i];
  }
  return out;
}

void check_spent(EcLevel ec, int version, const std::string& payload) {
  INFO("EC " << to_char(ec) << ", version " << version << ", payload of " << payload.size()
             << " bytes");
  const Symbol before = roundtrip::encode_at(ec, version, payload);
  std::vector<std::uint8_t> dark;
  std::vector<float> weight;
  roundtrip::synthetic_picture(
      before, static_cast<std::uint32_t>(version * 7 + static_cast<int>(ec)), dark, weight);
  // The most a design spends: half of what each block corrects.
  const int per_block = correctable_per_block(version, ec) / 2;
  const Symbol after = picture_errors(before, dark, weight, per_block);

  const std::vector<int> changed = changed_per_block(before, after);
  int total = 0;
  for (const int n : changed) {
    CHECK(n <= per_block);
    total += n;
  }
  // The synthetic picture disagrees with every block somewhere.
  if (per_block > 0) CHECK(total >= static_cast<int>(changed.size()));
  // Spent modules are whole codewords: 8 per codeword given away, each of which changed
  // (every chosen codeword has a weighted module that disagreed).
  int spent = 0;
  for (const std::uint8_t s : after.spent) spent += s;
  CHECK(spent == 8 * total);
  for (std::size_t m = 0; m < after.dark.size(); ++m) {
    if (after.dark[m] != before.dark[m]) CHECK(after.spent[m] == 1);
  }

  roundtrip::check_reads_exactly(after, payload, total);
}

void check_level(EcLevel ec) {
  const std::string alphabet = "abcdefghijkmnopqrstuvwxyz-_./";
  for (int version = 1; version <= 40; ++version) {
    const std::string full = roundtrip::payload_filling(ec, version, alphabet);
    check_spent(ec, version, full.substr(0, std::max<std::size_t>(1, full.size() * 3 / 4)));
  }
}

}  // namespace

TEST_CASE("correctable_per_block follows ISO 18004 table 9", "[unit][errors]") {
  CHECK(correctable_per_block(1, EcLevel::L) == 2);  // 7 EC codewords, 3 for detection
  CHECK(correctable_per_block(1, EcLevel::M) == 4);
  CHECK(correctable_per_block(1, EcLevel::Q) == 6);
  CHECK(correctable_per_block(1, EcLevel::H) == 8);
  CHECK(correctable_per_block(2, EcLevel::L) == 4);
  CHECK(correctable_per_block(3, EcLevel::L) == 7);
  CHECK(correctable_per_block(4, EcLevel::L) == 10);
  CHECK(correctable_per_block(7, EcLevel::H) == 13);
  CHECK(correctable_per_block(40, EcLevel::H) == 15);
}

TEST_CASE("picture_errors refuses what a block cannot correct, and 0 changes nothing",
          "[unit][errors]") {
  const Symbol s = encode("SN-1", {.ec = EcLevel::H});  // version 1-H
  std::vector<std::uint8_t> dark;
  std::vector<float> weight;
  roundtrip::synthetic_picture(s, 1, dark, weight);
  const int cap = correctable_per_block(s.version, s.ec);
  REQUIRE(cap == 8);
  const Symbol same = picture_errors(s, dark, weight, 0);
  CHECK(same.dark == s.dark);
  CHECK(same.spent.empty());
  CHECK_THROWS_WITH(picture_errors(s, dark, weight, cap + 1),
                    "picture_errors: per_block 9 is outside 0..8, what a version-1-H block "
                    "corrects");
  CHECK_THROWS_WITH(picture_errors(s, dark, std::vector<float>(3), 1),
                    "picture_errors needs wanted_dark and weight with one entry per module (441 "
                    "for version 1), got 441 and 3");
  // Nothing disagrees: nothing is spent.
  const Symbol agree = picture_errors(s, s.dark, weight, cap);
  CHECK(agree.dark == s.dark);
  CHECK(std::count(agree.spent.begin(), agree.spent.end(), 1) == 0);
}

TEST_CASE("RenderOptions.picture_errors keeps half of the error correction for the capture",
          "[unit][errors]") {
  RenderOptions ro;
  ro.picture_errors = 0.6;
  CHECK_THROWS_WITH(validate(ro),
                    "RenderOptions.picture_errors must be between 0 and 0.5: at "
                    "least half of each block's error correction stays for the capture");
  ro.picture_errors = 0.5;
  CHECK_NOTHROW(validate(ro));
}

TEST_CASE("picture_errors round trip, versions 1-40: EC L", "[roundtrip][errors]") {
  check_level(EcLevel::L);
}
TEST_CASE("picture_errors round trip, versions 1-40: EC M", "[roundtrip][errors]") {
  check_level(EcLevel::M);
}
TEST_CASE("picture_errors round trip, versions 1-40: EC Q", "[roundtrip][errors]") {
  check_level(EcLevel::Q);
}
TEST_CASE("picture_errors round trip, versions 1-40: EC H", "[roundtrip][errors]") {
  check_level(EcLevel::H);
}

TEST_CASE("a design draws the codewords it spent as the picture alone", "[roundtrip][errors]") {
  const auto& logos = roundtrip::test_logos();
  const Logo& logo = logos.front().logo;
  RenderOptions ro;
  ro.picture_errors = 0.5;
  EncodeOptions eo;
  const Symbol s = design_symbol("https://brand.example/p/SN-000123", &logo, eo, ro);
  REQUIRE(!s.spent.empty());
  constexpr int px = 10;
  const cv::Mat code = render(s, &logo, ro, px);
  const cv::Mat frame = render_logo_frame(s, logo, ro, px);
  int spent = 0, centred = 0;
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) {
      if (s.is_function(x, y)) continue;
      const cv::Point c((x + ro.quiet) * px + px / 2, (y + ro.quiet) * px + px / 2);
      const cv::Vec3b got = code.at<cv::Vec3b>(c), image = frame.at<cv::Vec3b>(c);
      if (s.is_spent(x, y)) {
        ++spent;
        INFO("spent module " << x << "," << y);
        for (int ch = 0; ch < 3; ++ch) CHECK(std::abs(got[ch] - image[ch]) <= 2);
      } else {
        const cv::Vec3b want = s.is_dark(x, y) ? cv::Vec3b(0, 0, 0) : cv::Vec3b(255, 255, 255);
        centred += got == want ? 1 : 0;
      }
    }
  }
  CHECK(spent > 0);
  // Every other data/EC module carries its bit in a centre of the dark or light colour.
  int bits = 0;
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) bits += !s.is_function(x, y) && !s.is_spent(x, y);
  }
  CHECK(centred == bits);
}
