// Character sets of byte segments without ECI (the guess docs/detector.md documents), with
// ECI, and Hanzi mode, parsed from bit streams built by hand.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bit_stream.hpp"
#include "detect/bitstream.hpp"

using viscode::detail::parse_bitstream;
using viscode::test::as_bytes;
using viscode::test::Bits;
using viscode::test::bytes;
using viscode::test::eci;
using viscode::test::hanzi;
using viscode::test::hanzi_value;
using viscode::test::kanji_value;
using viscode::test::kanji_width;

namespace {

struct Case {
  std::string_view what;
  std::string_view data;     // one byte segment, no ECI
  std::string_view text;     // what it reads as
  std::string_view charset;  // what the result reports
};

// Every case's text is valid in its expected character set; the comments say which others
// also take its bytes, and the rule that decides.
constexpr Case kGuesses[] = {
    {"ASCII", "https://example.com/a\\b~c", "https://example.com/a\\b~c", "US-ASCII"},
    {"UTF-8", "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C", "héllo 世界", "UTF-8"},
    {"UTF-8 with a byte order mark, which is not text", "\xEF\xBB\xBFpr\xC3\xA9nom", "prénom",
     "UTF-8"},
    // 0x5C in a URL is a backslash (glibc's SHIFT_JIS would make it ¥), then kanji and a
    // run of half-width katakana.
    {"Shift JIS URL with kanji and half-width katakana",
     "https://shop.example.jp/a\x5C"
     "b?q=\x93\xFA\x96\x7B\x8C\xEA \xB6\xC0\xB6\xC5",
     "https://shop.example.jp/a\\b?q=日本語 ｶﾀｶﾅ", "Shift_JIS"},
    {"Shift JIS hiragana", "\x82\xB1\x82\xF1\x82\xC9\x82\xBF\x82\xCD", "こんにちは", "Shift_JIS"},
    {"Shift JIS with an NEC special character (CP932 only)", "\x87\x40\x94\xD4", "①番",
     "Shift_JIS"},
    {"half-width katakana, odd run (no GB reading)", "\xB1\xB2\xB3", "ｱｲｳ", "Shift_JIS"},
    // GB 2312 text is also valid CP932 (half-width katakana) and Latin-1 ("ÖÐÎÄ"): GB 18030
    // has the larger share of everyday characters, and wins the tie with Shift JIS.
    {"GB 2312", "GBK:\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4", "GBK:中文测试", "GB18030"},
    {"GB 2312 valid as half-width katakana too", "\xD6\xD0\xCE\xC4", "中文", "GB18030"},
    {"GBK with a character outside GB 2312 (镕)", "\xD6\xEC\xE9\x46\xBB\xF9", "朱镕基", "GB18030"},
    // 語 is a GBK extension character; as Shift JIS the bytes are five half-width katakana,
    // which count half everyday.
    {"GBK with a character outside GB 2312, also valid as half-width katakana",
     "\xC8\xD5\xB1\xBE\xD5\x5A", "日本語", "GB18030"},
    {"GB 18030 four-byte character beside GB 2312", "\x81\x30\x81\x30\xD6\xD0", "\u0080中",
     "GB18030"},
    // Latin-1: accented letters beside ASCII letters beat any double-byte reading.
    {"Latin-1", "caf\xE9 \xA9", "café ©", "ISO-8859-1"},
    {"Latin-1 that is valid GBK (a rare character)", "M\xFCller", "Müller", "ISO-8859-1"},
    {"Latin-1 that is valid GB 2312: a tie goes to Latin-1",
     "Gr\xF6\xDF"
     "e",
     "Größe", "ISO-8859-1"},
    {"Latin-1 that is valid GB 2312 and CP932", "informa\xE7\xE3o", "informação", "ISO-8859-1"},
    {"Latin-1 that is valid CP932 (level 2 kanji)", "\xE9l\xE8ve", "élève", "ISO-8859-1"},
    {"one half-width katakana is Latin-1's letter", "\xC4rger", "Ärger", "ISO-8859-1"},
    // Control characters make it data: Latin-1 keeps every byte, as before.
    {"binary that would be valid GB 2312", std::string_view("\x01\xD6\xD0\x00", 4),
     std::string_view("\x01\xC3\x96\xC3\x90\x00", 6), "ISO-8859-1"},
};

}  // namespace

TEST_CASE("Byte segments without ECI: the character set guess", "[detect][charset]") {
  for (const Case& c : kGuesses) {
    INFO(c.what);
    Bits b;
    bytes(b, c.data, 5).put(0, 4);
    const auto p = parse_bitstream(b.codewords(108), 5);
    REQUIRE(p);
    CHECK(p->text == c.text);
    CHECK(p->charset == c.charset);
    CHECK(p->charset_guessed == (c.charset != "US-ASCII"));
    // The bytes are the payload's, whatever the text: a byte order mark included.
    CHECK(p->bytes == as_bytes(c.data));
  }
}

TEST_CASE("Text valid in two character sets follows the documented order", "[detect][charset]") {
  struct Two {
    std::string_view data, text, charset;
  };
  const Two cases[] = {
      // UTF-8 first: é is also GB 2312 茅 and half-width katakana ﾃｩ.
      {"\xC3\xA9", "é", "UTF-8"},
      // Then GB 18030 over Shift JIS on a tie: 中文 or ﾖﾐﾎﾄ.
      {"\xD6\xD0\xCE\xC4", "中文", "GB18030"},
      // Half-width katakana count half everyday: ｶﾀｶﾅ, also valid GB 2312, reads as 独杜.
      {"\xB6\xC0\xB6\xC5", "独杜", "GB18030"},
      // Shift JIS over GB 18030 when its share of everyday characters is larger: 日本 reads
      // in GBK as two rare extension characters.
      {"\x93\xFA\x96\x7B", "日本", "Shift_JIS"},
      // Latin-1 over either on a tie: "Größe" is also GB 2312 Gr鲞e.
      {"Gr\xF6\xDF"
       "e",
       "Größe", "ISO-8859-1"},
  };
  for (const Two& c : cases) {
    INFO(c.text);
    Bits b;
    bytes(b, c.data, 2).put(0, 4);
    const auto p = parse_bitstream(b.codewords(34), 2);
    REQUIRE(p);
    CHECK(p->text == c.text);
    CHECK(p->charset == c.charset);
  }
}

TEST_CASE("Character sets: undesignated bytes are guessed together, ECI segments keep theirs",
          "[detect][charset]") {
  // One Shift JIS character split over two segments with a numeric one between them.
  Bits split;
  bytes(split, "\x93", 2);
  viscode::test::numeric(split, "12", 2);
  bytes(split, "\xFA\x96\x7B", 2).put(0, 4);
  auto p = parse_bitstream(split.codewords(34), 2);
  REQUIRE(p);
  // Apart they do not convert; the whole reads as Latin-1 rather than as nothing.
  CHECK(p->charset == "ISO-8859-1");
  CHECK(p->bytes == as_bytes("\x93"
                             "12\xFA\x96\x7B"));

  // ECI 20 is Shift JIS read as CP932: 0x5C stays a backslash.
  Bits sjis;
  eci(sjis, 20);
  bytes(sjis, "C:\x5C\x93\xFA", 2).put(0, 4);
  p = parse_bitstream(sjis.codewords(34), 2);
  REQUIRE(p);
  CHECK(p->text == "C:\\日");
  CHECK(p->charset == "Shift_JIS");
  CHECK_FALSE(p->charset_guessed);

  // Declared UTF-8 with a byte order mark; then undesignated GB 2312 is still guessed.
  Bits mixed;
  eci(mixed, 26);
  bytes(mixed, "\xEF\xBB\xBF\xC3\xA9", 2);
  eci(mixed, 29);
  bytes(mixed, "\xD6\xD0", 2).put(0, 4);
  p = parse_bitstream(mixed.codewords(34), 2);
  REQUIRE(p);
  CHECK(p->text == "é中");
  CHECK(p->charset == "UTF-8,GB18030");
  CHECK_FALSE(p->charset_guessed);

  // Declared ISO-8859-1 is not second-guessed, even when it looks like GB 2312.
  Bits latin1;
  eci(latin1, 3);
  bytes(latin1, "\xD6\xD0\xCE\xC4", 2).put(0, 4);
  p = parse_bitstream(latin1.codewords(34), 2);
  REQUIRE(p);
  CHECK(p->text == "ÖÐÎÄ");
  CHECK(p->charset == "ISO-8859-1");

  // Kanji mode's charset, and numeric beside it names none.
  Bits kanji;
  viscode::test::numeric(kanji, "7", 1);
  kanji.put(0b1000, 4).put(1, kanji_width(1)).put(kanji_value(0x935F), 13).put(0, 4);
  p = parse_bitstream(kanji.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->text == "7点");
  CHECK(p->charset == "Shift_JIS");
  CHECK_FALSE(p->charset_guessed);

  Bits digits;
  viscode::test::numeric(digits, "42", 1).put(0, 4);
  p = parse_bitstream(digits.codewords(19), 1);
  REQUIRE(p);
  CHECK(p->charset == "US-ASCII");
}

TEST_CASE("Hanzi mode (GB 2312 subset) decodes", "[detect][charset]") {
  // GB/T 18284's packing: 0xA1A1 is the first value, 0xB0A1 (啊) follows the symbols.
  CHECK(hanzi_value(0xA1A1) == 0);
  CHECK(hanzi_value(0xAAFE) == 9 * 0x60 + 0x5D);
  CHECK(hanzi_value(0xB0A1) == 0x0A * 0x60);
  CHECK(hanzi_value(0xFAFE) == 0x54 * 0x60 + 0x5D);

  for (const int version : {1, 10, 27}) {
    INFO("version " << version);
    Bits b;
    // 中文测试, an ideographic full stop (0xA1A3, a symbol row) and 啊 (the first hanzi).
    hanzi(b, "\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4\xA1\xA3\xB0\xA1", version);
    bytes(b, "!", version).put(0, 4);
    const auto p = parse_bitstream(b.codewords(80), version);
    REQUIRE(p);
    CHECK(p->text == "中文测试。啊!");
    CHECK(p->bytes == as_bytes("\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4\xA1\xA3\xB0\xA1!"));
    CHECK(p->charset == "GB2312");
    CHECK_FALSE(p->charset_guessed);
  }

  // Another subset, a low byte past 0xFE and a count past the end are refused.
  Bits subset2;
  subset2.put(0b1101, 4).put(2, 4).put(1, 8).put(0, 13).put(0, 4);
  CHECK_FALSE(parse_bitstream(subset2.codewords(19), 1));
  Bits bad_low;
  bad_low.put(0b1101, 4).put(1, 4).put(1, 8).put(0x5E, 13).put(0, 4);
  CHECK_FALSE(parse_bitstream(bad_low.codewords(19), 1));
  Bits past_end;
  past_end.put(0b1101, 4).put(1, 4).put(1, 8).put(0x55 * 0x60, 13).put(0, 4);
  CHECK_FALSE(parse_bitstream(past_end.codewords(19), 1));
  Bits overrun;
  overrun.put(0b1101, 4).put(1, 4).put(9, 8).put(0, 13);
  CHECK_FALSE(parse_bitstream(overrun.codewords(), 1));
}
