// Image-aware pad codewords at every version and EC level: the chosen pad must change the
// standard 0xEC/0x11 pattern where there is room, and every reference reader and viscode's
// detector must still return exactly the payload, nothing after it.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "../unit/test_encode_util.hpp"
#include "roundtrip_util.hpp"

using namespace viscode;

namespace {

void check_pad(EcLevel ec, int version, const std::string& payload) {
  INFO("EC " << to_char(ec) << ", version " << version << ", payload of " << payload.size()
             << " bytes");
  const Symbol before = roundtrip::encode_at(ec, version, payload);
  std::vector<std::uint8_t> dark;
  std::vector<float> weight;
  roundtrip::synthetic_picture(
      before, static_cast<std::uint32_t>(version * 4 + static_cast<int>(ec)), dark, weight);
  const Symbol after = choose_pad(before, dark, weight);

  const int free_bytes = free_pad_bits(before) / 8;
  INFO(free_bytes << " free pad codewords");
  const std::vector<int> was = test::read_codewords(before).stream();
  const std::vector<int> now = test::read_codewords(after).stream();
  REQUIRE(was.size() == now.size());
  const std::size_t first = was.size() - static_cast<std::size_t>(free_bytes);
  bool pad_changed = false;
  for (std::size_t i = first; i < was.size(); ++i) {
    // libqrencode pads with the standard pattern from exactly where free_pad_bits says.
    CHECK(was[i] == ((i - first) % 2 == 0 ? 0xEC : 0x11));
    pad_changed = pad_changed || now[i] != was[i];
  }
  if (free_bytes > 0) {
    CHECK(pad_changed);
  } else {
    CHECK(after.dark == before.dark);
  }
  for (std::size_t i = 0; i < first; ++i) CHECK(now[i] == was[i]);
  roundtrip::check_reads_exactly(after, payload, 0);
}

void check_level(EcLevel ec) {
  const std::string alphabet = "abcdefghijkmnopqrstuvwxyz-_./";
  for (int version = 1; version <= 40; ++version) {
    const std::string full = roundtrip::payload_filling(ec, version, alphabet);
    // Half the capacity leaves free codewords in every block of most layouts.
    check_pad(ec, version, full.substr(0, std::max<std::size_t>(1, full.size() / 2)));
    check_pad(ec, version, full);
  }
}

}  // namespace

TEST_CASE("choose_pad round trip, versions 1-40: EC L", "[roundtrip][pad]") {
  check_level(EcLevel::L);
}
TEST_CASE("choose_pad round trip, versions 1-40: EC M", "[roundtrip][pad]") {
  check_level(EcLevel::M);
}
TEST_CASE("choose_pad round trip, versions 1-40: EC Q", "[roundtrip][pad]") {
  check_level(EcLevel::Q);
}
TEST_CASE("choose_pad round trip, versions 1-40: EC H", "[roundtrip][pad]") {
  check_level(EcLevel::H);
}
