// The encode stage's public contract: roles, options, errors, determinism, mode choice.
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_encode_util.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

using viscode::EcLevel;
using viscode::EncodeOptions;
using viscode::Error;
using viscode::ErrorCategory;
using viscode::ModuleRole;
using viscode::Symbol;
namespace t = viscode::test;

namespace {

// A symbol of exactly `version`: a short payload, pinned from below.
Symbol at_version(int version, EcLevel ec = EcLevel::M) {
  EncodeOptions o;
  o.ec = ec;
  o.min_version = version;
  const Symbol s = viscode::encode("viscode", o);
  REQUIRE(s.version == version);
  return s;
}

// Expects an Error of this category whose message is exactly `message`.
template <typename Fn>
void require_error(Fn&& fn, ErrorCategory category, const std::string& message) {
  try {
    std::forward<Fn>(fn)();
    FAIL("no viscode::Error thrown; expected: " << message);
  } catch (const Error& e) {
    CHECK(e.category() == category);
    CHECK(std::string(e.what()) == message);
  }
}

std::vector<int> alignment_centres(int version) {
  switch (version) {
    case 2:
      return {6, 18};
    case 7:
      return {6, 22, 38};
    case 22:
      return {6, 26, 50, 74, 98};
    case 40:
      return {6, 30, 58, 86, 114, 142, 170};
    default:
      return {};
  }
}

bool near_finder(int x, int y, int size) {
  // An alignment centre whose 5x5 pattern would overlap a finder's 8x8 corner.
  const bool left = x < 9;
  const bool right = x > size - 10;
  const bool top = y < 9;
  const bool bottom = y > size - 10;
  return (left && top) || (right && top) || (left && bottom);
}

}  // namespace

TEST_CASE("encode: basic symbol shape and bookkeeping", "[encode]") {
  const Symbol s = viscode::encode("https://example.com/viscode");
  CHECK(s.ec == EcLevel::M);  // unset: M, as for any code without a picture
  CHECK(s.version >= 1);
  CHECK(s.size == 17 + 4 * s.version);
  CHECK(s.dark.size() == static_cast<std::size_t>(s.size * s.size));
  CHECK(s.roles.size() == s.dark.size());
  CHECK(s.payload_bytes == 27);
  CHECK(s.mask >= 0);
  CHECK(s.mask <= 7);
  const auto format = t::read_format(s);
  CHECK(format[0] == t::format_word(s.ec, s.mask));
  CHECK(format[1] == t::format_word(s.ec, s.mask));
}

TEST_CASE("encode: finders, separators, timing and the dark module in every version", "[encode]") {
  for (int version = 1; version <= 40; ++version) {
    INFO("version " << version);
    const Symbol s = at_version(version);
    const int n = s.size;
    CHECK(t::count_role(s, ModuleRole::finder) == 3 * 49);
    CHECK(t::count_role(s, ModuleRole::separator) == 3 * 15);
    for (const auto& [ox, oy] : {std::pair{0, 0}, std::pair{n - 7, 0}, std::pair{0, n - 7}}) {
      for (int dy = 0; dy < 7; ++dy) {
        for (int dx = 0; dx < 7; ++dx) {
          REQUIRE(s.role(ox + dx, oy + dy) == ModuleRole::finder);
          // Dark ring, light ring, dark 3x3 core.
          const int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));
          REQUIRE(s.is_dark(ox + dx, oy + dy) == (ring != 2));
        }
      }
    }
    // Separators: the light L between each finder and the rest of the symbol.
    for (int k = 0; k < 8; ++k) {
      for (const auto& [x, y] :
           {std::pair{7, k}, std::pair{k, 7}, std::pair{n - 8, k}, std::pair{n - 1 - k, 7},
            std::pair{7, n - 1 - k}, std::pair{k, n - 8}}) {
        REQUIRE(s.role(x, y) == ModuleRole::separator);
        REQUIRE_FALSE(s.is_dark(x, y));
      }
    }
    // Timing row 6 and column 6 alternate dark/light from the even index; alignment
    // patterns sitting on them take those modules over with the same colours.
    for (int k = 8; k <= n - 9; ++k) {
      for (const auto& [x, y] : {std::pair{k, 6}, std::pair{6, k}}) {
        const ModuleRole r = s.role(x, y);
        REQUIRE((r == ModuleRole::timing || r == ModuleRole::alignment));
        REQUIRE(s.is_dark(x, y) == (k % 2 == 0));
      }
    }
    // Each alignment pattern centred on a timing line (all but the two beside finders) takes
    // 5 of its modules.
    CHECK(t::count_role(s, ModuleRole::timing) == 2 * (n - 16) - 10 * (version / 7));
    CHECK(s.role(8, n - 8) == ModuleRole::format);
    CHECK(s.is_dark(8, n - 8));
    CHECK(t::count_role(s, ModuleRole::format) == 31);
  }
}

TEST_CASE("encode: alignment patterns sit at the ISO 18004 annex E centres", "[encode]") {
  for (const int version : {1, 2, 7, 22, 40}) {
    INFO("version " << version);
    const Symbol s = at_version(version);
    const std::vector<int> centres = alignment_centres(version);
    std::set<std::pair<int, int>> expected;
    for (const int cy : centres) {
      for (const int cx : centres) {
        if (near_finder(cx, cy, s.size)) continue;
        for (int dy = -2; dy <= 2; ++dy) {
          for (int dx = -2; dx <= 2; ++dx) {
            expected.insert({cx + dx, cy + dy});
            const int ring = std::max(std::abs(dx), std::abs(dy));
            CHECK(s.is_dark(cx + dx, cy + dy) == (ring != 1));
          }
        }
      }
    }
    std::set<std::pair<int, int>> actual;
    for (int y = 0; y < s.size; ++y) {
      for (int x = 0; x < s.size; ++x) {
        if (s.role(x, y) == ModuleRole::alignment) actual.insert({x, y});
      }
    }
    CHECK(actual == expected);
    const auto k = centres.size();
    CHECK(actual.size() == (k == 0 ? 0 : 25 * (k * k - 3)));
  }
}

TEST_CASE("encode: version information from version 7 and not below", "[encode]") {
  for (int version = 1; version <= 40; ++version) {
    INFO("version " << version);
    const Symbol s = at_version(version);
    if (version < 7) {
      CHECK(t::count_role(s, ModuleRole::version) == 0);
      continue;
    }
    CHECK(t::count_role(s, ModuleRole::version) == 36);
    // Bit i sits at (i / 3, size - 11 + i % 3) and, transposed, at (size - 11 + i % 3, i / 3).
    const std::uint32_t word = t::version_word(version);
    for (int i = 0; i < 18; ++i) {
      const int a = i / 3;
      const int b = s.size - 11 + i % 3;
      const bool bit = ((word >> i) & 1u) != 0;
      REQUIRE(s.role(a, b) == ModuleRole::version);
      REQUIRE(s.role(b, a) == ModuleRole::version);
      CHECK(s.is_dark(a, b) == bit);
      CHECK(s.is_dark(b, a) == bit);
    }
  }
}

TEST_CASE("encode: data and EC module counts match the block layout", "[encode]") {
  for (int version = 1; version <= 40; ++version) {
    for (const EcLevel ec : t::kLevels) {
      INFO("version " << version << " level " << viscode::to_char(ec));
      const Symbol s = at_version(version, ec);
      const viscode::BlockLayout layout = viscode::block_layout(version, ec);
      const int modules = t::count_role(s, ModuleRole::data) + t::count_role(s, ModuleRole::ec);
      const int remainder = modules - 8 * layout.total_codewords();
      CHECK(remainder >= 0);
      CHECK(remainder < 8);
      CHECK(t::count_role(s, ModuleRole::ec) == 8 * layout.blocks() * layout.ec_per_block);
      CHECK(t::count_role(s, ModuleRole::data) == 8 * layout.data_codewords() + remainder);
    }
  }
}

TEST_CASE("encode: remainder bits are data modules at the end of the placement", "[encode]") {
  // ISO 18004 table 1: versions 2-6 have 7 remainder bits, 14-20 and 28-34 have 3, 21-27
  // have 4, the rest none.
  const auto expected = [](int v) {
    if (v >= 2 && v <= 6) return 7;
    if ((v >= 14 && v <= 20) || (v >= 28 && v <= 34)) return 3;
    if (v >= 21 && v <= 27) return 4;
    return 0;
  };
  for (int version = 1; version <= 40; ++version) {
    INFO("version " << version);
    const Symbol s = at_version(version);
    const std::vector<int> order = t::walk(s);
    const int remainder = static_cast<int>(order.size() % 8);
    CHECK(remainder == expected(version));
    for (std::size_t k = order.size() - static_cast<std::size_t>(remainder); k < order.size();
         ++k) {
      CHECK(s.roles[static_cast<std::size_t>(order[k])] == ModuleRole::data);
    }
    // Directly before them: the last EC codeword.
    CHECK(s.roles[static_cast<std::size_t>(
              order[order.size() - static_cast<std::size_t>(remainder) - 1])] == ModuleRole::ec);
  }
}

TEST_CASE("encode: same input gives the same symbol", "[encode]") {
  for (const std::string& text : {std::string("A"), std::string("hello, world"),
                                  std::string(500, 'x'), std::string("0123456789")}) {
    for (const int mask : {-1, 3}) {
      EncodeOptions o;
      o.mask = mask;
      const Symbol a = viscode::encode(text, o);
      const Symbol b = viscode::encode(text, o);
      CHECK(a.version == b.version);
      CHECK(a.mask == b.mask);
      CHECK(a.dark == b.dark);
      CHECK(a.roles == b.roles);
    }
  }
}

TEST_CASE("encode: numeric and alphanumeric text need no larger a version than bytes", "[encode]") {
  for (const std::size_t length : {10u, 40u, 100u, 300u, 1000u}) {
    INFO("length " << length);
    std::string digits;
    std::string upper;
    for (std::size_t i = 0; i < length; ++i) {
      digits += static_cast<char>('0' + i % 10);
      upper += static_cast<char>('A' + i % 26);
    }
    const std::string bytes(length, 'z');
    const Symbol numeric = viscode::encode(digits);
    const Symbol alnum = viscode::encode(upper);
    const Symbol byte_mode = viscode::encode_bytes(t::bytes_of(digits));
    const Symbol lower = viscode::encode(bytes);
    CHECK(numeric.version <= alnum.version);
    CHECK(alnum.version <= lower.version);
    CHECK(byte_mode.version == lower.version);
    if (length >= 40) CHECK(numeric.version < byte_mode.version);
  }
}

TEST_CASE("encode: min_version is a floor, max_version a ceiling", "[encode]") {
  EncodeOptions o;
  o.min_version = 5;
  CHECK(viscode::encode("hi", o).version == 5);
  o.min_version = 1;
  const Symbol grown = viscode::encode(std::string(200, 'a'), o);
  CHECK(grown.version > 1);
  o.max_version = grown.version;
  CHECK(viscode::encode(std::string(200, 'a'), o).version == grown.version);
  o.min_version = 40;
  o.max_version = 40;
  CHECK(viscode::encode("hi", o).version == 40);
}

TEST_CASE("encode: forced mask equals re-masking the automatic choice", "[encode]") {
  const Symbol automatic = viscode::encode("forced mask");
  for (int mask = 0; mask < 8; ++mask) {
    EncodeOptions o;
    o.mask = mask;
    const Symbol forced = viscode::encode("forced mask", o);
    CHECK(forced.mask == mask);
    const Symbol remasked = viscode::with_mask(automatic, mask);
    CHECK(forced.dark == remasked.dark);
    CHECK(forced.roles == remasked.roles);
    CHECK(t::read_format(forced)[0] == t::format_word(EcLevel::M, mask));
  }
}

TEST_CASE("encode: text with a NUL byte is encoded whole, in byte mode", "[encode]") {
  const std::string text("a\0b", 3);
  const Symbol s = viscode::encode(text);
  CHECK(s.payload_bytes == 3);
  const Symbol b = viscode::encode_bytes(t::bytes_of(text));
  CHECK(s.dark == b.dark);
  const std::vector<std::uint8_t> zeros(10, 0);
  CHECK(viscode::encode_bytes(zeros).payload_bytes == 10);
}

TEST_CASE("encode: payloads that do not fit name size and capacity", "[encode]") {
  require_error([] { viscode::encode(std::string(3100, 'x'), {.ec = EcLevel::H}); },
                ErrorCategory::encode,
                "payload is 3100 bytes but EC level H holds at most 1273 bytes (byte mode) up "
                "to version 40: shorten the payload or lower EncodeOptions.ec");
  require_error(
      [] {
        EncodeOptions o;
        o.ec = EcLevel::L;
        viscode::encode_bytes(std::vector<std::uint8_t>(2954, 7), o);
      },
      ErrorCategory::encode,
      "payload is 2954 bytes but EC level L holds at most 2953 bytes (byte mode) up to version "
      "40: shorten the payload");
  require_error(
      [] {
        EncodeOptions o;
        o.ec = EcLevel::H;
        o.max_version = 3;
        viscode::encode(std::string(50, 'x'), o);
      },
      ErrorCategory::encode,
      "payload is 50 bytes but EC level H holds at most 24 bytes (byte mode) up to version 3: "
      "shorten the payload, lower EncodeOptions.ec or raise EncodeOptions.max_version");
  require_error(
      [] {
        EncodeOptions o;
        o.ec = EcLevel::L;
        o.max_version = 1;
        viscode::encode(std::string(18, 'x'), o);
      },
      ErrorCategory::encode,
      "payload is 18 bytes but EC level L holds at most 17 bytes (byte mode) up to version 1: "
      "shorten the payload or raise EncodeOptions.max_version");
  // Far beyond any capacity: refused before reaching libqrencode.
  require_error([] { viscode::encode(std::string(100000, '1')); }, ErrorCategory::encode,
                "payload is 100000 bytes but EC level M holds at most 2331 bytes (byte mode) up "
                "to version 40: shorten the payload or lower EncodeOptions.ec");
  // The exact capacity fits.
  EncodeOptions o;
  o.ec = EcLevel::L;
  CHECK(viscode::encode_bytes(std::vector<std::uint8_t>(2953, 7), o).version == 40);
  // Numeric mode fits more characters than the byte capacity.
  CHECK(viscode::encode(std::string(7089, '9'), o).version == 40);
}

TEST_CASE("encode: invalid options are usage errors naming the flag", "[encode]") {
  const auto with = [](auto&& set) {
    return [set] {
      EncodeOptions o;
      set(o);
      viscode::encode("x", o);
    };
  };
  require_error(with([](EncodeOptions& o) { o.min_version = 41; }), ErrorCategory::usage,
                "EncodeOptions.min_version 41 is out of range: use 1..40");
  require_error(with([](EncodeOptions& o) { o.min_version = 0; }), ErrorCategory::usage,
                "EncodeOptions.min_version 0 is out of range: use 1..40");
  require_error(with([](EncodeOptions& o) { o.max_version = 0; }), ErrorCategory::usage,
                "EncodeOptions.max_version 0 is out of range: use 1..40");
  require_error(with([](EncodeOptions& o) { o.max_version = 99; }), ErrorCategory::usage,
                "EncodeOptions.max_version 99 is out of range: use 1..40");
  require_error(with([](EncodeOptions& o) {
                  o.min_version = 10;
                  o.max_version = 5;
                }),
                ErrorCategory::usage,
                "EncodeOptions.min_version 10 is above EncodeOptions.max_version 5: lower "
                "EncodeOptions.min_version or raise "
                "EncodeOptions.max_version");
  require_error(
      with([](EncodeOptions& o) { o.mask = 8; }), ErrorCategory::usage,
      "EncodeOptions.mask 8 is out of range: use 0..7, or -1 to pick the lowest-penalty mask");
  require_error(
      with([](EncodeOptions& o) { o.mask = -2; }), ErrorCategory::usage,
      "EncodeOptions.mask -2 is out of range: use 0..7, or -1 to pick the lowest-penalty mask");
  require_error(with([](EncodeOptions& o) { o.ec = static_cast<EcLevel>(7); }),
                ErrorCategory::usage, "EncodeOptions.ec value 7 is not a level: use L, M, Q or H");
  require_error([] { viscode::encode(""); }, ErrorCategory::usage,
                "encode(text) is empty: give the text to encode");
  require_error([] { viscode::encode_bytes({}); }, ErrorCategory::usage,
                "encode(text) is empty: give the text to encode");
  require_error([] { viscode::with_mask(viscode::encode("x"), 8); }, ErrorCategory::usage,
                "mask 8 is out of range: use 0..7");
  require_error([] { viscode::block_layout(0, EcLevel::L); }, ErrorCategory::usage,
                "version 0 is out of range: use 1..40");
  require_error([] { viscode::byte_capacity(EcLevel::L, 41); }, ErrorCategory::usage,
                "byte_capacity(max_version) 41 is out of range: use 1..40");
}

TEST_CASE("encode: EC level names", "[encode]") {
  CHECK(viscode::parse_ec_level("L") == EcLevel::L);
  CHECK(viscode::parse_ec_level("m") == EcLevel::M);
  CHECK(viscode::parse_ec_level("Q") == EcLevel::Q);
  CHECK(viscode::parse_ec_level("h") == EcLevel::H);
  for (const EcLevel ec : t::kLevels) {
    CHECK(viscode::parse_ec_level(std::string(1, viscode::to_char(ec))) == ec);
  }
  require_error([] { viscode::parse_ec_level("X"); }, ErrorCategory::usage,
                "EncodeOptions.ec X is not a level: use L, M, Q or H");
  require_error([] { viscode::parse_ec_level("HH"); }, ErrorCategory::usage,
                "EncodeOptions.ec HH is not a level: use L, M, Q or H");
  require_error([] { viscode::parse_ec_level(""); }, ErrorCategory::usage,
                "EncodeOptions.ec is empty: use L, M, Q or H");
}

TEST_CASE("encode: role names", "[encode]") {
  CHECK(viscode::to_string(ModuleRole::finder) == "finder");
  CHECK(viscode::to_string(ModuleRole::separator) == "separator");
  CHECK(viscode::to_string(ModuleRole::timing) == "timing");
  CHECK(viscode::to_string(ModuleRole::alignment) == "alignment");
  CHECK(viscode::to_string(ModuleRole::format) == "format");
  CHECK(viscode::to_string(ModuleRole::version) == "version");
  CHECK(viscode::to_string(ModuleRole::data) == "data");
  CHECK(viscode::to_string(ModuleRole::ec) == "ec");
}

TEST_CASE("encode: never a larger version than plain byte mode", "[encode]") {
  // libqrencode's segmentation can cost more than byte mode; encode() then keeps byte mode,
  // predicting byte mode's version rather than encoding twice. The prediction must agree
  // with libqrencode at every length, level and minimum version.
  for (int n = 1; n <= 160; ++n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      text += i % 7 < 4 ? static_cast<char>('a' + i % 26) : static_cast<char>('0' + i % 10);
    }
    for (const EcLevel ec : t::kLevels) {
      EncodeOptions o;
      o.ec = ec;
      o.min_version = 1 + n % 5;
      INFO(n << " characters, EC " << viscode::to_char(ec));
      CHECK(viscode::encode(text, o).version <=
            viscode::encode_bytes(std::vector<std::uint8_t>(text.begin(), text.end()), o).version);
    }
  }
  // One of 20000 random mixes where libqrencode's segments need version 3 at EC L.
  const std::string text = "shqctKAMBSMKFckiax6513Nfkeqbqspr";
  const EncodeOptions low{.ec = EcLevel::L};
  const Symbol plain =
      viscode::encode_bytes(std::vector<std::uint8_t>(text.begin(), text.end()), low);
  CHECK(plain.version == 2);
  CHECK(viscode::encode(text, low).dark == plain.dark);
}
