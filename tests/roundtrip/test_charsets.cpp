// Symbols in every character set and mode, made from data bit streams built by hand (and,
// for kanji mode, by the qrencode tool), drawn as images and read back by our detector to
// the exact Unicode text; the reference readers are checked against what each supports.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bit_stream.hpp"
#include "encode/mask.hpp"
#include "encode/placement.hpp"
#include "encode/reed_solomon.hpp"
#include "roundtrip_util.hpp"

namespace {

using viscode::EcLevel;
using viscode::Symbol;
using viscode::test::Bits;
using viscode::test::Reader;

// A symbol holding exactly these data codewords (padded with 0xEC/0x11 by the caller):
// Reed-Solomon blocks interleaved and placed as ISO 18004 says, under mask 0. The function
// patterns and format information come from the encoder.
Symbol symbol_from_codewords(const std::vector<std::uint8_t>& data, int version, EcLevel ec) {
  viscode::EncodeOptions options;
  options.ec = ec;
  options.min_version = options.max_version = version;
  options.mask = 0;
  const std::vector<std::uint8_t> one = {'x'};
  Symbol s = viscode::encode_bytes(one, options);
  const viscode::BlockLayout layout = viscode::block_layout(version, ec);
  REQUIRE(data.size() == static_cast<std::size_t>(layout.data_codewords()));

  std::vector<std::vector<std::uint8_t>> data_blocks, ec_blocks;
  std::size_t at = 0;
  for (int b = 0; b < layout.blocks(); ++b) {
    const auto n = static_cast<std::size_t>(b < layout.blocks1 ? layout.data_per_block1
                                                               : layout.data_per_block2);
    data_blocks.emplace_back(data.begin() + static_cast<long>(at),
                             data.begin() + static_cast<long>(at + n));
    at += n;
    ec_blocks.emplace_back(static_cast<std::size_t>(layout.ec_per_block));
    viscode::detail::rs_ec_codewords(data_blocks.back(), ec_blocks.back());
  }
  std::vector<std::uint8_t> words;
  for (std::size_t i = 0;
       i < static_cast<std::size_t>(layout.data_per_block2 > 0 ? layout.data_per_block2
                                                               : layout.data_per_block1);
       ++i) {
    for (const auto& block : data_blocks) {
      if (i < block.size()) words.push_back(block[i]);
    }
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(layout.ec_per_block); ++i) {
    for (const auto& block : ec_blocks) words.push_back(block[i]);
  }

  const std::vector<int> order = viscode::detail::placement_order(s);
  for (std::size_t bit = 0; bit < order.size(); ++bit) {
    const bool one_bit = bit / 8 < words.size() && ((words[bit / 8] >> (7 - bit % 8)) & 1u) != 0;
    const int index = order[bit];
    const bool inverted = viscode::detail::mask_inverts(0, index / s.size, index % s.size);
    s.dark[static_cast<std::size_t>(index)] = one_bit != inverted ? 1 : 0;
  }
  return s;
}

// Plain black squares, 6 px per module, a 4-module quiet zone.
cv::Mat draw(const Symbol& s) {
  constexpr int kPx = 6;
  const int side = (s.size + 8) * kPx;
  cv::Mat img(side, side, CV_8UC1, cv::Scalar(255));
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) {
      if (s.is_dark(x, y)) img(cv::Rect((x + 4) * kPx, (y + 4) * kPx, kPx, kPx)) = 0;
    }
  }
  return img;
}

struct Made {
  std::string_view what;
  std::vector<std::uint8_t> codewords;  // version 4, level M: 64 data codewords
  std::string_view text;                // the exact Unicode text
  std::string_view charset;             // what we report
  bool guessed;
  std::string_view bytes;  // the payload as encoded
  // The reference readers that return exactly this text (measured; a change is news).
  // WeChat converts nothing: it returns the bytes, which are this text only in UTF-8.
  bool zxing, wechat, zbar;
};

constexpr int kVersion = 4;
constexpr EcLevel kLevel = EcLevel::M;
constexpr std::size_t kDataCodewords = 64;

std::vector<std::uint8_t> byte_segment(std::string_view data, int eci = -1) {
  Bits b;
  if (eci >= 0) viscode::test::eci(b, static_cast<std::uint32_t>(eci));
  viscode::test::bytes(b, data, kVersion).put(0, 4);
  return b.codewords(kDataCodewords);
}

constexpr std::string_view kUtf8 = "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBFh\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C";
constexpr std::string_view kSjisUrl =
    "https://shop.example.jp/a\x5C"
    "b?q=\x93\xFA\x96\x7B\x8C\xEA \xB6\xC0\xB6\xC5";
constexpr std::string_view kSjisEci = "C:\x5C\x93\xFA\x96\x7B";
constexpr std::string_view kGbk = "GBK:\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4 \xD6\xEC\xE9\x46\xBB\xF9";
constexpr std::string_view kGb18030 = "GB18030:\xD6\xD0\xCE\xC4\x94\x39\xFC\x36";
constexpr std::string_view kKanji = "\x93\x5F\xE4\xAA\x8A\xBF\x8E\x9A";
constexpr std::string_view kHanzi = "\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4\xA1\xA3";

std::vector<Made> made_symbols() {
  std::vector<Made> out;
  // ZBar reads it as Shift JIS: "hﾃｩllo 荳也阜".
  out.push_back({"UTF-8 without ECI", byte_segment(kUtf8), "héllo 世界", "UTF-8", true, kUtf8, true,
                 true, false});
  // zxing-cpp keeps the byte order mark as U+FEFF.
  out.push_back({"UTF-8 with a byte order mark", byte_segment(kUtf8Bom), "héllo 世界", "UTF-8",
                 true, kUtf8Bom, false, false, true});
  out.push_back({"UTF-8 with ECI 26", byte_segment(kUtf8, 26), "héllo 世界", "UTF-8", false, kUtf8,
                 true, true, true});
  // ZBar converts with SHIFT_JIS: "a¥b".
  out.push_back({"Shift JIS URL with 0x5C, kanji and half-width katakana", byte_segment(kSjisUrl),
                 "https://shop.example.jp/a\\b?q=日本語 ｶﾀｶﾅ", "Shift_JIS", true, kSjisUrl, true,
                 false, false});
  out.push_back({"Shift JIS with ECI 20 and 0x5C", byte_segment(kSjisEci, 20), "C:\\日本",
                 "Shift_JIS", false, kSjisEci, true, false, false});
  // zxing-cpp reads Latin-1 "ÖÐÎÄ", ZBar Big5 "笢恅聆彸".
  out.push_back({"GBK", byte_segment(kGbk), "GBK:中文测试 朱镕基", "GB18030", true, kGbk, false,
                 false, false});
  // zxing-cpp and ZBar read Latin-1.
  out.push_back({"GB 18030 with a four-byte character", byte_segment(kGb18030), "GB18030:中文😀",
                 "GB18030", true, kGb18030, false, false, false});
  {
    Bits b;
    b.put(0b1000, 4).put(4, viscode::test::kanji_width(kVersion));
    for (const std::uint32_t sjis : {0x935Fu, 0xE4AAu, 0x8ABFu, 0x8E9Au}) {
      b.put(viscode::test::kanji_value(sjis), 13);
    }
    b.put(0, 4);
    out.push_back({"kanji mode", b.codewords(kDataCodewords), "点茗漢字", "Shift_JIS", false,
                   kKanji, true, false, true});
  }
  {
    Bits b;
    viscode::test::hanzi(b, kHanzi, kVersion);
    viscode::test::bytes(b, "!", kVersion).put(0, 4);
    // ZBar reads nothing: it has no Hanzi mode.
    out.push_back({"Hanzi mode", b.codewords(kDataCodewords), "中文测试。!", "GB2312", false,
                   "\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4\xA1\xA3!", true, false, false});
  }
  return out;
}

bool reads_exactly(Reader reader, const cv::Mat& img, std::string_view text) {
  const auto texts = viscode::test::read_all(reader, img);
  for (const auto& t : texts) UNSCOPED_INFO(viscode::test::to_string(reader) << " read: " << t);
  return texts.size() == 1 && texts[0] == text;
}

}  // namespace

TEST_CASE("Every character set and mode reads to its exact text", "[roundtrip][charset]") {
  for (const Made& m : made_symbols()) {
    INFO(m.what);
    const cv::Mat img = draw(symbol_from_codewords(m.codewords, kVersion, kLevel));
    const auto found = viscode::read_codes(img);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == m.text);
    CHECK(found[0].charset == m.charset);
    CHECK(found[0].charset_guessed == m.guessed);
    CHECK(reads_exactly(Reader::zxing, img, m.text) == m.zxing);
    CHECK(reads_exactly(Reader::wechat, img, m.text) == m.wechat);
    CHECK(reads_exactly(Reader::zbar, img, m.text) == m.zbar);
    CHECK(viscode::test::reads_bytes(Reader::wechat, img, std::string(m.bytes)));
    CHECK(found[0].bytes == std::vector<std::uint8_t>(m.bytes.begin(), m.bytes.end()));
  }
}

TEST_CASE("Kanji mode symbols from the qrencode tool read as their text", "[roundtrip][charset]") {
  if (std::system("qrencode -V > /dev/null 2>&1") != 0) {
    WARN("qrencode command-line tool not installed: kanji mode interop not checked");
    return;
  }
  viscode::roundtrip::TempDir dir;
  // 日本語のテキスト① in Shift JIS: kanji mode takes every double-byte character, ① (0x8740,
  // NEC row 13) included, which only CP932 (not glibc's SHIFT_JIS) converts.
  const std::string sjis =
      "\x93\xFA\x96\x7B\x8C\xEA\x82\xCC\x83\x65\x83\x4C\x83\x58\x83\x67\x87\x40";
  { std::ofstream(dir.path / "in.txt", std::ios::binary) << sjis; }
  const auto png = dir.path / "kanji.png";
  const std::string cmd =
      "qrencode -k -l M -s 6 -r '" + (dir.path / "in.txt").string() + "' -o '" + png.string() + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const cv::Mat img = cv::imread(png.string(), cv::IMREAD_GRAYSCALE);
  const auto found = viscode::read_codes(img);
  REQUIRE(found.size() == 1);
  CHECK(found[0].text == "日本語のテキスト①");
  CHECK(found[0].charset == "Shift_JIS");
  CHECK(found[0].bytes == std::vector<std::uint8_t>(sjis.begin(), sjis.end()));
  CHECK(reads_exactly(Reader::zxing, img, "日本語のテキスト①"));
  // ZBar converts with SHIFT_JIS, which lacks ①, and falls back to Latin-1.
  CHECK_FALSE(reads_exactly(Reader::zbar, img, "日本語のテキスト①"));
  CHECK(viscode::test::reads_bytes(Reader::wechat, img, sjis));
}
