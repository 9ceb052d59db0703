// byte_capacity() is what the CLI and users size payloads by, so a payload of exactly that
// many bytes must encode at that version and read back, whatever characters it holds. Text
// with digit runs is the hard case: libqrencode splits it into numeric and byte segments,
// and each segment switch costs header bits that pure byte mode would not spend.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

constexpr int kModulePx = 4;  // plain modules read easily; 4 px keeps version 40 under 800 px

// URL-like text with short digit runs, of exactly the version's byte capacity.
std::string url_like_payload(EcLevel ec, int version) {
  return payload_filling(ec, version, "abcdefghijkmnopqrstuvwxyz0123456789-_./");
}

void check_capacity(EcLevel ec) {
  RenderOptions ro;
  ro.style = Style::plain;
  for (int version = 1; version <= 40; ++version) {
    const std::string payload = url_like_payload(ec, version);
    EncodeOptions eo;
    eo.ec = ec;
    eo.max_version = version;
    INFO("EC " << to_char(ec) << ", version " << version << ", payload of " << payload.size()
               << " bytes = byte_capacity");
    try {
      const Symbol symbol = encode(payload, eo);
      CHECK(symbol.version == version);
      check_reads(render(symbol, nullptr, ro, kModulePx), total_modules(symbol, ro),
                  test::Capture::pristine, payload, describe(symbol, ro, "none"));
    } catch (const Error& e) {
      FAIL_CHECK("viscode threw: " << e.what());
    }
  }
}

}  // namespace

TEST_CASE("capacity: byte_capacity-long payloads encode and read, EC L", "[roundtrip][capacity]") {
  check_capacity(EcLevel::L);
}
TEST_CASE("capacity: byte_capacity-long payloads encode and read, EC M", "[roundtrip][capacity]") {
  check_capacity(EcLevel::M);
}
TEST_CASE("capacity: byte_capacity-long payloads encode and read, EC Q", "[roundtrip][capacity]") {
  check_capacity(EcLevel::Q);
}
TEST_CASE("capacity: byte_capacity-long payloads encode and read, EC H", "[roundtrip][capacity]") {
  check_capacity(EcLevel::H);
}
