// Data bit streams built by hand, segment by segment as ISO 18004 section 7.4 lays them out,
// parsed back into text and bytes.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bit_stream.hpp"
#include "detect/bitstream.hpp"

using viscode::detail::parse_bitstream;
using viscode::test::alnum;
using viscode::test::as_bytes;
using viscode::test::Bits;
using viscode::test::bytes;
using viscode::test::eci;
using viscode::test::kanji_value;
using viscode::test::kanji_width;
using viscode::test::numeric;

namespace {}  // namespace

TEST_CASE("Numeric and alphanumeric examples from ISO 18004", "[detect][bitstream]") {
  // 0001 0000001000 0000001100 0101011001 1000011
  Bits n;
  n.put(0b0001, 4).put(8, 10).put(12, 10).put(345, 10).put(67, 7).put(0, 4);
  auto p = parse_bitstream(n.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text == "01234567");
  CHECK(p->bytes == as_bytes("01234567"));
  CHECK_FALSE(p->structured_append);

  // 0010 000000101 00111001110 11100111001 000010
  Bits a;
  a.put(0b0010, 4).put(5, 9).put(0b00111001110, 11).put(0b11100111001, 11).put(0b000010, 6);
  p = parse_bitstream(a.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text == "AC-42");
}

TEST_CASE("Character-count widths follow the version ranges 1-9, 10-26, 27-40",
          "[detect][bitstream]") {
  for (const int version : {1, 9, 10, 26, 27, 40}) {
    INFO("version " << version);
    Bits b;
    numeric(b, "0123456789", version);
    alnum(b, "HELLO $%*+-./:", version);
    bytes(b, "bytes\x01", version);
    b.put(0b1000, 4).put(1, kanji_width(version)).put(kanji_value(0x935F), 13);
    b.put(0, 4);
    const auto p = parse_bitstream(b.codewords(80), version);
    REQUIRE(p);
    CHECK(p->text == "0123456789HELLO $%*+-./:bytes\x01点");
    CHECK(p->bytes == as_bytes("0123456789HELLO $%*+-./:bytes\x01\x93\x5F"));

    // The same stream read with another range's widths is not the same payload.
    const int other = version <= 9 ? 10 : 1;
    const auto q = parse_bitstream(b.codewords(80), other);
    CHECK((!q || q->text != p->text));
  }
}

TEST_CASE("Numeric groups of one and two digits, and a missing terminator", "[detect][bitstream]") {
  for (const std::string digits : {"7", "42", "123", "1234", "00000", "9876543210"}) {
    Bits b;
    numeric(b, digits, 5);
    // No terminator and no padding: the data simply ends.
    const auto p = parse_bitstream(b.codewords(), 5);
    REQUIRE(p);
    CHECK(p->text == digits);
  }
}

TEST_CASE("Byte segments without ECI: UTF-8 when valid, else ISO-8859-1", "[detect][bitstream]") {
  Bits utf8;
  bytes(utf8, "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C", 3).put(0, 4);
  auto p = parse_bitstream(utf8.codewords(55), 3);
  REQUIRE(p);
  CHECK(p->text == "héllo 世界");

  Bits latin1;
  bytes(latin1, "caf\xE9 \xA9", 3).put(0, 4);
  p = parse_bitstream(latin1.codewords(55), 3);
  REQUIRE(p);
  CHECK(p->text == "café ©");
  CHECK(p->bytes == as_bytes("caf\xE9 \xA9"));

  // A multibyte character split over two byte segments is still one character.
  Bits split;
  bytes(split, "\xE4\xB8", 3);
  bytes(split, "\x96!", 3).put(0, 4);
  p = parse_bitstream(split.codewords(55), 3);
  REQUIRE(p);
  CHECK(p->text == "世!");
}

TEST_CASE("ECI designators select the character set of later byte segments",
          "[detect][bitstream]") {
  struct Case {
    std::uint32_t eci;
    std::string_view data;
    std::string_view text;
  };
  const Case cases[] = {
      {26, "\xE4\xB8\x96\xE7\x95\x8C", "世界"},
      {3, "\xE9t\xE9", "été"},
      {1, "\xE9", "é"},
      {4, "\xB1\xE6", "ąć"},                                 // ISO-8859-2
      {7, "\xB4\xE0", "Др"},                                 // ISO-8859-5
      {20, "\x93\x5F\xE4\xAA", "点茗"},                      // Shift JIS
      {22, "\xCC\xE8\xF0", "Мир"},                           // Windows-1251
      {25, std::string_view("\x4E\x16\x00\x41", 4), "世A"},  // UTF-16BE
      {899, "\xFF", "ÿ"},  // two-byte designator: binary, kept byte for byte
  };
  for (const Case& c : cases) {
    INFO("ECI " << c.eci);
    Bits b;
    eci(b, c.eci);
    bytes(b, c.data, 2).put(0, 4);
    const auto p = parse_bitstream(b.codewords(34), 2);
    REQUIRE(p);
    CHECK(p->text == c.text);
    CHECK(p->bytes == as_bytes(c.data));
  }

  // ECI applies from where it appears: the first segment is guessed, the second designated.
  Bits b;
  bytes(b, "\xC3\xA9", 2);
  eci(b, 3);
  bytes(b, "\xC3\xA9", 2).put(0, 4);
  const auto p = parse_bitstream(b.codewords(34), 2);
  REQUIRE(p);
  CHECK(p->text == "éÃ©");

  // A three-byte designator parses; an unassigned ECI only matters to byte segments.
  Bits big;
  eci(big, 20000);
  numeric(big, "12", 2).put(0, 4);
  const auto digits = parse_bitstream(big.codewords(34), 2);
  REQUIRE(digits);
  CHECK(digits->text == "12");
  Bits big_bytes;
  eci(big_bytes, 20000);
  bytes(big_bytes, "x", 2);
  CHECK_FALSE(parse_bitstream(big_bytes.codewords(34), 2));
}

TEST_CASE("Text that is not valid in its designated character set is refused",
          "[detect][bitstream]") {
  Bits bad_utf8;
  eci(bad_utf8, 26);
  bytes(bad_utf8, "\xE9", 2);
  CHECK_FALSE(parse_bitstream(bad_utf8.codewords(34), 2));

  Bits bad_sjis;
  eci(bad_sjis, 20);
  bytes(bad_sjis, "\x93", 2);  // a lead byte with no trail
  CHECK_FALSE(parse_bitstream(bad_sjis.codewords(34), 2));

  Bits unassigned;
  eci(unassigned, 14);  // there is no ISO-8859-12
  bytes(unassigned, "a", 2);
  CHECK_FALSE(parse_bitstream(unassigned.codewords(34), 2));

  Bits reserved_designator;
  reserved_designator.put(0b0111, 4).put(0xE0, 8).put(0, 16);
  CHECK_FALSE(parse_bitstream(reserved_designator.codewords(34), 2));
}

TEST_CASE("Kanji mode: the standard's example 点茗", "[detect][bitstream]") {
  CHECK(kanji_value(0x935F) == 0x0D9F);
  CHECK(kanji_value(0xE4AA) == 0x1AAA);
  Bits b;
  b.put(0b1000, 4).put(2, 8).put(0x0D9F, 13).put(0x1AAA, 13).put(0, 4);
  const auto p = parse_bitstream(b.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text == "点茗");
  CHECK(p->bytes == std::vector<std::uint8_t>{0x93, 0x5F, 0xE4, 0xAA});
}

TEST_CASE("Structured append header and FNC1", "[detect][bitstream]") {
  Bits sa;
  sa.put(0b0011, 4).put(2, 4).put(3, 4).put(0xA5, 8);
  alnum(sa, "PART", 1).put(0, 4);
  auto p = parse_bitstream(sa.codewords(19), 1);
  REQUIRE(p);
  REQUIRE(p->structured_append);
  CHECK(p->structured_append->index == 2);
  CHECK(p->structured_append->count == 4);
  CHECK(p->structured_append->parity == 0xA5);
  CHECK(p->text == "PART");

  // FNC1 in first position (GS1): alphanumeric '%' is the separator, "%%" a percent sign.
  Bits gs1;
  gs1.put(0b0101, 4);
  alnum(gs1, "01%10%%", 1).put(0, 4);
  p = parse_bitstream(gs1.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text ==
        "01\x1D"
        "10%");

  // FNC1 in second position carries an application indicator, which is not text.
  Bits second;
  second.put(0b1001, 4).put(37, 8);
  bytes(second, "ok", 1).put(0, 4);
  p = parse_bitstream(second.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text == "ok");
}

TEST_CASE("Malformed streams are refused", "[detect][bitstream]") {
  Bits unknown_mode;
  unknown_mode.put(0b0110, 4).put(0, 12);
  CHECK_FALSE(parse_bitstream(unknown_mode.codewords(19), 1));

  Bits byte_overrun;
  byte_overrun.put(0b0100, 4).put(30, 8).put('a', 8).put('b', 8);
  CHECK_FALSE(parse_bitstream(byte_overrun.codewords(), 1));

  Bits numeric_over_999;
  numeric_over_999.put(0b0001, 4).put(3, 10).put(1000, 10).put(0, 4);
  CHECK_FALSE(parse_bitstream(numeric_over_999.codewords(19), 1));

  Bits numeric_pair_over_99;
  numeric_pair_over_99.put(0b0001, 4).put(2, 10).put(100, 7).put(0, 4);
  CHECK_FALSE(parse_bitstream(numeric_pair_over_99.codewords(19), 1));

  Bits numeric_single_over_9;
  numeric_single_over_9.put(0b0001, 4).put(1, 10).put(10, 4).put(0, 4);
  CHECK_FALSE(parse_bitstream(numeric_single_over_9.codewords(19), 1));

  Bits alnum_pair_too_big;
  alnum_pair_too_big.put(0b0010, 4).put(2, 9).put(45 * 45, 11).put(0, 4);
  CHECK_FALSE(parse_bitstream(alnum_pair_too_big.codewords(19), 1));

  Bits alnum_single_too_big;
  alnum_single_too_big.put(0b0010, 4).put(1, 9).put(45, 6).put(0, 4);
  CHECK_FALSE(parse_bitstream(alnum_single_too_big.codewords(19), 1));

  Bits numeric_overrun;
  numeric_overrun.put(0b0001, 4).put(900, 10).put(123, 10);
  CHECK_FALSE(parse_bitstream(numeric_overrun.codewords(), 1));

  Bits truncated_count;  // version 10+ byte count is 16 bits; only 12 follow the mode
  truncated_count.put(0b0100, 4).put(0, 12);
  CHECK_FALSE(parse_bitstream(truncated_count.codewords(), 10));

  Bits kanji_overrun;
  kanji_overrun.put(0b1000, 4).put(5, 8).put(0x0D9F, 13);
  CHECK_FALSE(parse_bitstream(kanji_overrun.codewords(), 1));

  Bits ok;
  bytes(ok, "a", 1).put(0, 4);
  CHECK(parse_bitstream(ok.codewords(19), 1));
  CHECK_FALSE(parse_bitstream(ok.codewords(19), 0));
  CHECK_FALSE(parse_bitstream(ok.codewords(19), 41));
}

TEST_CASE("Padding after the terminator is ignored, and an empty stream is an empty payload",
          "[detect][bitstream]") {
  Bits b;
  alnum(b, "A", 1).put(0, 4);
  auto p = parse_bitstream(b.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text == "A");

  const std::vector<std::uint8_t> nothing(19, 0);
  p = parse_bitstream(nothing, 1);
  REQUIRE(p);
  CHECK(p->text.empty());
  CHECK(p->bytes.empty());
}
