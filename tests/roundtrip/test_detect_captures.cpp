// viscode's detector against codes it did not make and captures it was not tuned on: the
// qrencode CLI in every version, level and mode it writes; every mask; qrencode's codes
// photographed (tests/support/capture.hpp); and prints whose ink spread. Every code is read
// by zxing-cpp, WeChat and ZBar too, so that a failure of ours cannot hide behind a bad image.
#include <iconv.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;
namespace fs = std::filesystem;

namespace {

// The encoding modes of ISO 18004 that qrencode writes.
enum class Mode { numeric, alphanumeric, byte, kanji };

const char* to_string(Mode m) {
  switch (m) {
    case Mode::numeric:
      return "numeric";
    case Mode::alphanumeric:
      return "alphanumeric";
    case Mode::byte:
      return "byte";
    case Mode::kanji:
      return "kanji";
  }
  return "?";
}

// Character-count indicator widths (ISO 18004 table 3) for versions 1-9, 10-26, 27-40.
int count_bits(Mode m, int version) {
  const int range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  static constexpr int bits[4][3] = {{10, 12, 14}, {9, 11, 13}, {8, 16, 16}, {8, 10, 12}};
  return bits[static_cast<int>(m)][range];
}

// Most characters of one mode, in one segment, that the version holds at the level. A
// payload this long fits no smaller version, and, being denser than byte mode, not this
// one in byte mode either: qrencode can only have used the mode asked for.
int mode_capacity(Mode m, int version, EcLevel ec) {
  const int bits = 8 * block_layout(version, ec).data_codewords() - 4 - count_bits(m, version);
  switch (m) {
    case Mode::numeric:
      return 3 * (bits / 10) + (bits % 10 >= 7 ? 2 : bits % 10 >= 4 ? 1 : 0);
    case Mode::alphanumeric:
      return 2 * (bits / 11) + (bits % 11 >= 6 ? 1 : 0);
    case Mode::byte:
      return bits / 8;
    case Mode::kanji:
      return bits / 13;
  }
  return 0;
}

// Kanji, hiragana and katakana that Shift JIS writes as two bytes in kanji mode's ranges.
const std::vector<std::string>& kanji_alphabet() {
  static const std::vector<std::string> chars = [] {
    const std::string all =
        "漢字点茗東京都大阪府名古屋市品質管理番号製造年月日賞味期限保存方法原材料"
        "あいうえおかきくけこさしすせそカタカナラベル";
    std::vector<std::string> out;
    for (std::size_t i = 0; i < all.size(); i += 3) out.push_back(all.substr(i, 3));
    return out;
  }();
  return chars;
}

// UTF-8 to Shift JIS with the C library's iconv, independently of viscode's decoder.
std::string to_shift_jis(const std::string& utf8) {
  iconv_t cd = iconv_open("SHIFT_JIS", "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 16, '\0');
  // iconv's interface takes non-const input although it never writes through it.
  char* in = const_cast<char*>(utf8.data());
  char* dst = out.data();
  std::size_t in_left = utf8.size(), dst_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
  iconv_close(cd);
  REQUIRE(rc != static_cast<std::size_t>(-1));
  REQUIRE(in_left == 0);
  out.resize(out.size() - dst_left);
  return out;
}

// A deterministic payload of exactly `length` characters of the mode, as UTF-8 text.
std::string payload_of(Mode m, int length, std::uint32_t seed) {
  // No digits among the alphanumerics: qrencode would be free to split a run of them into
  // a numeric segment, whose header the exact fill leaves no room for.
  static const std::string numeric = "0123456789";
  static const std::string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  static const std::string bytes = "abcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
  std::string out = m == Mode::byte ? "https://x.example/" : "";
  std::uint32_t state = 0x9e3779b9u ^ seed;
  for (int i = m == Mode::byte ? static_cast<int>(out.size()) : 0; i < length; ++i) {
    state = state * 1664525u + 1013904223u;
    const std::uint32_t r = state >> 16;
    switch (m) {
      case Mode::numeric:
        out.push_back(numeric[r % numeric.size()]);
        break;
      case Mode::alphanumeric:
        out.push_back(alnum[r % alnum.size()]);
        break;
      case Mode::byte:
        out.push_back(bytes[r % bytes.size()]);
        break;
      case Mode::kanji:
        out += kanji_alphabet()[r % kanji_alphabet().size()];
        break;
    }
  }
  if (m == Mode::byte) out.resize(static_cast<std::size_t>(length));
  return out;
}

// A code from the qrencode CLI, read back from its PNG as `viscode decode` would.
struct QrencodeCode {
  cv::Mat image;
  int version = 0;        // from the PNG's size: what qrencode chose, known without decoding
  int module_px = 0;      // -s
  int total_modules = 0;  // quiet zone (-m 4) included
};

constexpr int kQuiet = 4;

// input: the bytes qrencode reads (Shift JIS for kanji, with -k). Through a file (-r) so that
// no byte of the payload meets the shell.
QrencodeCode qrencode(const TempDir& dir, const std::string& input, const std::string& flags,
                      int module_px) {
  static int serial = 0;
  const std::string stem = "code" + std::to_string(++serial);
  const fs::path in = dir.path / (stem + ".txt"), png = dir.path / (stem + ".png");
  { std::ofstream(in, std::ios::binary) << input; }
  const std::string cmd = "qrencode " + flags + " -s " + std::to_string(module_px) + " -m " +
                          std::to_string(kQuiet) + " -r '" + in.string() + "' -o '" + png.string() +
                          "'";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  QrencodeCode code;
  code.image = read_image(png);
  code.module_px = module_px;
  REQUIRE(code.image.cols % module_px == 0);
  code.total_modules = code.image.cols / module_px;
  code.version = (code.total_modules - 2 * kQuiet - 17) / 4;
  REQUIRE(17 + 4 * code.version + 2 * kQuiet == code.total_modules);
  return code;
}

struct Expected {
  std::string text;
  int version = 0;
  EcLevel ec = EcLevel::L;
  int mask = -1;                                   // -1: not asserted
  std::optional<std::vector<std::uint8_t>> bytes;  // as encoded, when the test knows them
  // OpenCV's WeChat reader is built with NO_ICONV_INSIDE (its zxing.hpp defines it), so it
  // returns a kanji segment as the Shift JIS bytes it encodes, never converted to UTF-8.
  // Those bytes are the symbol's content read exactly, so WeChat is held to them.
  std::optional<std::string> wechat_text;
  // A pristine rendering of plain modules: not one codeword may need correcting.
  bool clean = false;
  // False where ZBar itself misreads the plain code (see where it is cleared).
  bool zbar = true;
};

// What reading one of our own symbols must give: its payload, version, level and mask.
Expected expected_of(const std::string& payload, const Symbol& s, bool clean = false) {
  Expected e;
  e.text = payload;
  e.version = s.version;
  e.ec = s.ec;
  e.mask = s.mask;
  e.clean = clean;
  return e;
}

std::string abbreviated(const std::string& text) {
  std::ostringstream s;
  if (text.size() <= 48) {
    s << '"' << text << '"';
  } else {
    std::size_t cut = 40;  // not inside a UTF-8 sequence
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    s << '"' << text.substr(0, cut) << "...\" (" << text.size() << " bytes)";
  }
  return s.str();
}

// Exactly one code, with the expected text, version, level (and mask, bytes), from viscode;
// the text from each reference reader unless told otherwise. CHECK, not REQUIRE, so that
// a run lists every image and reader that fails.
void check_read(const cv::Mat& image, const Expected& e, const std::string& what,
                bool references = true, bool zbar = true) {
  INFO(what << ", version " << e.version << ", EC " << to_char(e.ec) << ", payload "
            << abbreviated(e.text));
  const std::vector<Decoded> found = read_codes(image);
  CHECK(found.size() == 1);
  if (!found.empty()) {
    const Decoded& d = found.front();
    CHECK(d.text == e.text);
    CHECK(d.version == e.version);
    CHECK(to_char(d.ec) == to_char(e.ec));
    if (e.mask >= 0) CHECK(d.mask == e.mask);
    if (e.bytes) CHECK(d.bytes == *e.bytes);
    if (e.clean) CHECK(d.errors_corrected() == 0);
    CHECK_FALSE(d.inverted);
    CHECK_FALSE(d.mirrored);
  }
  if (!references) return;
  for (const test::Reader reader : test::all_readers()) {
    if (reader == test::Reader::zbar && !(zbar && e.zbar)) continue;
    INFO("reader " << test::to_string(reader));
    CHECK(test::reads(reader, image,
                      e.wechat_text && reader == test::Reader::wechat ? *e.wechat_text : e.text));
  }
}

constexpr std::array<EcLevel, 4> kLevels = {EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H};
constexpr std::array<Mode, 4> kModes = {Mode::numeric, Mode::alphanumeric, Mode::byte, Mode::kanji};

// A qrencode code of the version filled in one mode, with what reading it must give.
struct FilledCode {
  QrencodeCode code;
  Expected expected;
  std::string what;
};

FilledCode filled_qrencode(const TempDir& dir, int version, EcLevel ec, Mode mode, int module_px) {
  const int length = mode_capacity(mode, version, ec);
  const std::string text = payload_of(mode, length, static_cast<std::uint32_t>(version * 7 + 1));
  std::string flags = "-l " + std::string(1, to_char(ec)) + " -v " + std::to_string(version);
  std::string input = text;
  if (mode == Mode::byte) flags += " -8";
  if (mode == Mode::kanji) {
    flags += " -k";
    input = to_shift_jis(text);
    REQUIRE(input.size() == 2 * static_cast<std::size_t>(length));
  }
  FilledCode f{qrencode(dir, input, flags, module_px), {}, ""};
  f.expected.text = text;
  f.expected.version = version;
  f.expected.ec = ec;
  // Kanji mode stores Shift JIS; the text comes back as UTF-8, the bytes as stored.
  if (mode == Mode::kanji) {
    f.expected.bytes = std::vector<std::uint8_t>(input.begin(), input.end());
    f.expected.wechat_text = input;
  }
  f.what = std::string("qrencode ") + flags + ", " + to_string(mode) + " mode, " +
           std::to_string(length) + " characters, " + std::to_string(module_px) + " px/module";
  REQUIRE(f.code.version == version);
  return f;
}

}  // namespace

TEST_CASE("detect reads qrencode's codes in every version 1-40, every mode filled",
          "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  TempDir dir;
  for (int v = 1; v <= 40; ++v) {
    // Level and mode rotate at different rates, so each level meets each mode.
    const EcLevel ec = kLevels[static_cast<std::size_t>((v - 1) % 4)];
    const Mode mode = kModes[static_cast<std::size_t>(((v - 1) / 4 + (v - 1)) % 4)];
    FilledCode f = filled_qrencode(dir, v, ec, mode, v <= 20 ? 4 : 3);
    f.expected.clean = true;
    check_read(f.code.image, f.expected, f.what);
  }
}

TEST_CASE("detect reads qrencode's largest codes at every level", "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  TempDir dir;
  for (const int v : {33, 40}) {
    for (std::size_t i = 0; i < kLevels.size(); ++i) {
      const Mode mode = kModes[(i + static_cast<std::size_t>(v)) % 4];
      FilledCode f = filled_qrencode(dir, v, kLevels[i], mode, 3);
      f.expected.clean = true;
      check_read(f.code.image, f.expected, f.what);
    }
  }
}

TEST_CASE("detect reads qrencode's mixed-mode codes", "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  TempDir dir;
  struct Case {
    std::string text;  // UTF-8
    bool kanji;        // -k, the input in Shift JIS
  };
  const Case cases[] = {
      {"ORDER 20261123 0000000000123456789012345 ship to: Rue de la Paix 12, lot a7", false},
      {"https://brand.example/p/0123456789012345678901234567890123?ref=QR-CODE-AB", false},
      {"Grüße aus Zürich 00000000000012345678901234567890123456789 CAFÉ-LOT/A7", false},
      {"製造番号000000001234567890123456789東京都千代田区丸の内ABCDEF-GHIJ品質管理lot a7", true},
      {"漢字カタカナ0123456789012345678901234ABCDEFGHIJKLMNOP東京都名古屋市 abc", true},
  };
  for (const Case& c : cases) {
    const std::string input = c.kanji ? to_shift_jis(c.text) : c.text;
    for (const EcLevel ec : {EcLevel::M, EcLevel::H}) {
      const std::string flags = std::string("-l ") + to_char(ec) + (c.kanji ? " -k" : "");
      const QrencodeCode code = qrencode(dir, input, flags, 4);
      // Every byte in byte mode would need a larger version: qrencode must have split the
      // payload into denser segments, and the reader joined them back.
      int byte_only = 1;
      while (byte_capacity(ec, byte_only) < static_cast<int>(input.size())) ++byte_only;
      INFO("qrencode " << flags << ", version " << code.version << ", byte mode alone needs "
                       << byte_only);
      CHECK(code.version < byte_only);
      Expected e;
      e.text = c.text;
      e.version = code.version;
      e.ec = ec;
      e.bytes = std::vector<std::uint8_t>(input.begin(), input.end());
      if (c.kanji) e.wechat_text = input;
      // ZBar guesses the charset of a byte segment without ECI and takes this one's UTF-8
      // for Shift JIS ("Grﾃｼﾃ歹 aus..."): ZBar's guess, on a plain qrencode code.
      e.zbar = c.text.rfind("Grüße", 0) != 0;
      e.clean = true;
      check_read(code.image, e, "qrencode " + flags + ", mixed modes");
    }
  }
}

TEST_CASE("detect reads every mask and reports it, in every style", "[roundtrip][detect]") {
  const std::string payload = "https://brand.example/p/000123";
  const Logo& logo = test_and_sample_logos().back().logo;  // samples/brand.svg
  for (const Style style : {Style::plain, Style::halftone, Style::dots, Style::center}) {
    for (int mask = 0; mask < 8; ++mask) {
      EncodeOptions eo;
      eo.mask = mask;
      RenderOptions ro;
      ro.style = style;
      const Logo* l = style == Style::plain ? nullptr : &logo;
      const Symbol s = design_symbol(payload, l, eo, ro);
      REQUIRE(s.mask == mask);
      const cv::Mat image = render(s, l, ro, 6);
      const Expected e = expected_of(payload, s, style == Style::plain);
      check_read(image, e, describe(s, ro, "samples/brand.svg"));
      // A phone's view too: the mask is read from the format information, which a capture
      // blurs like any other module.
      if (style == Style::plain || style == Style::halftone) {
        check_read(test::capture(image, total_modules(s, ro), test::Capture::typical), e,
                   describe(s, ro, "samples/brand.svg") + ", typical capture");
      }
    }
  }
}

TEST_CASE("detect reads qrencode's codes through synthetic captures", "[roundtrip][detect]") {
  if (!roundtrip::have_qrencode()) return;
  TempDir dir;
  // Rendered at 8 px/module so that every capture below is a downsample, as a photo is.
  const FilledCode codes[] = {
      filled_qrencode(dir, 2, EcLevel::M, Mode::byte, 8),
      filled_qrencode(dir, 5, EcLevel::Q, Mode::alphanumeric, 8),
      filled_qrencode(dir, 8, EcLevel::H, Mode::kanji, 8),
      filled_qrencode(dir, 12, EcLevel::L, Mode::numeric, 8),
  };
  struct Named {
    const char* name;
    test::CaptureSpec spec;
    // False where zxing-cpp or WeChat fail on some of these codes (see the comments at
    // the captures): only viscode is held to them.
    bool references = true;
    // False where ZBar alone fails on some of these plain codes: ZBar 0.23 misses the
    // kanji version 8 and numeric version 12 codes at a tilt of 0.2-0.25.
    bool zbar = true;
  };
  // One effect at a time (6 px/module unless the effect is the module size), then all of
  // them together.
  std::vector<Named> captures;
  const auto add = [&](const char* name, auto&& set, bool references = true) {
    test::CaptureSpec s;
    set(s);
    captures.push_back({name, s, references, s.tilt < 0.2});
  };
  add("rotation 33 deg", [](auto& s) { s.rotation_deg = 33; });
  add("rotation 135 deg", [](auto& s) { s.rotation_deg = 135; });
  add("rotation 250 deg", [](auto& s) { s.rotation_deg = 250; });
  add("perspective, tilt 0.25 top edge, rotation 10 deg", [](auto& s) {
    s.tilt = 0.25;
    s.rotation_deg = 10;
  });
  add("perspective, tilt 0.25 left edge, rotation -20 deg", [](auto& s) {
    s.tilt = 0.25;
    s.tilted_edge = 3;
    s.rotation_deg = -20;
  });
  add("blur sigma 1.5 px", [](auto& s) { s.blur_sigma = 1.5; });
  add("noise sigma 14", [](auto& s) { s.noise_sigma = 14; });
  add("JPEG quality 30", [](auto& s) { s.jpeg_quality = 30; });
  add("lighting gradient 0.6", [](auto& s) {
    s.gradient = 0.6;
    s.gradient_deg = 40;
  });
  add("3 px/module", [](auto& s) { s.module_px = 3; });
  add("3 px/module, blur 0.7, JPEG 80", [](auto& s) {
    s.module_px = 3;
    s.blur_sigma = 0.7;
    s.jpeg_quality = 80;
  });
  add("all: 4 px/module, rotation 120, tilt 0.2, gradient 0.5, blur 1.0, noise 8, JPEG 70",
      [](auto& s) {
        s.module_px = 4;
        s.rotation_deg = 120;
        s.tilt = 0.2;
        s.tilted_edge = 1;
        s.gradient = 0.5;
        s.gradient_deg = 200;
        s.blur_sigma = 1.0;
        s.noise_sigma = 8;
        s.jpeg_quality = 70;
      });
  // Beyond the references (zxing-cpp 1.4, OpenCV 4.6's WeChat), each of which misses some of
  // these: zxing-cpp tilt 0.4 on the top edge at versions 8 and 12, on the left edge at 12,
  // and the hard mix at 8; WeChat the hard mix at versions 2, 8 and 12, and both tilts at 12.
  // Both read version 5 under all three.
  add(
      "perspective, tilt 0.4 top edge", [](auto& s) { s.tilt = 0.4; }, false);
  add(
      "perspective, tilt 0.4 left edge, rotation 200 deg",
      [](auto& s) {
        s.tilt = 0.4;
        s.tilted_edge = 3;
        s.rotation_deg = 200;
      },
      false);
  add(
      "hard: 4 px/module, rotation 300, tilt 0.35, gradient 0.5, blur 1.2, noise 8, JPEG 70",
      [](auto& s) {
        s.module_px = 4;
        s.rotation_deg = 300;
        s.tilt = 0.35;
        s.tilted_edge = 2;
        s.gradient = 0.5;
        s.gradient_deg = 20;
        s.blur_sigma = 1.2;
        s.noise_sigma = 8;
        s.jpeg_quality = 70;
      },
      false);
  for (const FilledCode& f : codes) {
    for (std::size_t i = 0; i < captures.size(); ++i) {
      const cv::Mat image =
          test::capture(f.code.image, f.code.total_modules, captures[i].spec, i + 1);
      check_read(image, f.expected, f.what + ", capture " + captures[i].name,
                 captures[i].references, captures[i].zbar);
    }
  }
}

// Printed at 10 px/module, the ink spread (test::ink_spread), then photographed (the typical
// capture). Spreads of 0.15-0.25 module: a poor press or absorbent stock.
constexpr int kPrintPx = 10;
constexpr double kSpreads[] = {0.15, 0.2, 0.25};

TEST_CASE("detect reads designer codes printed with ink spread", "[roundtrip][detect]") {
  // viscode only: the references miss many. zxing-cpp reads very_light, low_contrast and
  // transparent at every spread here, colour_photo at 0.2-0.25 and flat_brand at 0.25, never
  // photo or very_dark; WeChat reads all but very_dark, at no spread. Both read the typical
  // capture of every one of these renderings without spread.
  const std::string payloads[] = {"https://brand.example/p/000123",
                                  "https://v.brand.example/a/7KQ2M9X4PZ8R3T6W"};
  const auto& logos = test_logos();
  for (std::size_t i = 0; i < logos.size(); ++i) {
    const std::string& payload = payloads[i % 2];
    const RenderOptions ro;  // halftone, default strength
    const Symbol s = design_symbol(payload, &logos[i].logo, EncodeOptions{}, ro);
    const int modules = total_modules(s, ro);
    const cv::Mat rendering = render(s, &logos[i].logo, ro, kPrintPx);
    const Expected e = expected_of(payload, s);
    for (const double spread : kSpreads) {
      const cv::Mat print = test::ink_spread(rendering, modules, spread);
      check_read(test::capture(print, modules, test::Capture::typical), e,
                 describe(s, ro, logos[i].name) + ", ink spread " + std::to_string(spread), false);
    }
  }
}

TEST_CASE("detect reads plain codes printed with ink spread", "[roundtrip][detect]") {
  for (const EcLevel ec : {EcLevel::L, EcLevel::H}) {
    for (const int version : {3, 10}) {
      EncodeOptions eo;
      eo.ec = ec;
      eo.min_version = version;
      RenderOptions ro;
      ro.style = Style::plain;
      const std::string payload = payload_filling(ec, version, "abcdefghijklmnopqrstuvwxyz/.-");
      const Symbol s = encode(payload, eo);
      REQUIRE(s.version == version);
      const int modules = total_modules(s, ro);
      const cv::Mat rendering = render(s, nullptr, ro, kPrintPx);
      const Expected e = expected_of(payload, s);
      for (const double spread : kSpreads) {
        const cv::Mat print = test::ink_spread(rendering, modules, spread);
        check_read(test::capture(print, modules, test::Capture::typical), e,
                   describe(s, ro, "none") + ", ink spread " + std::to_string(spread));
      }
    }
  }
}
