// viscode::verify and ensure_design: the gate a print pipeline relies on must pass what
// scans, fail what does not, and point at where a code is damaged.
#include <algorithm>
#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>
#include <utility>

#include "roundtrip_util.hpp"
#include "test_logos.hpp"

using namespace viscode;

namespace {

constexpr int kModulePx = 10;

cv::Mat plain_code(const std::string& payload, EcLevel ec, int min_version = 1) {
  EncodeOptions eo;
  eo.ec = ec;
  eo.min_version = min_version;
  RenderOptions ro;
  ro.style = Style::plain;
  return render(design_symbol(payload, nullptr, eo, ro), nullptr, ro, kModulePx);
}

VerifyOptions quick(std::vector<Severity> severities, int seeds) {
  VerifyOptions o;
  o.severities = std::move(severities);
  o.seeds = seeds;
  o.find_min_size = false;
  return o;
}

// An EAN-13 barcode, bar_px px per bar, grey: what a ZBar left at its defaults reads too.
cv::Mat ean13(const std::string& digits, int bar_px) {
  static const char* const kL[] = {"0001101", "0011001", "0010011", "0111101", "0100011",
                                   "0110001", "0101111", "0111011", "0110111", "0001011"};
  static const char* const kG[] = {"0100111", "0110011", "0011011", "0100001", "0011101",
                                   "0111001", "0000101", "0010001", "0001001", "0010111"};
  static const char* const kR[] = {"1110010", "1100110", "1101100", "1000010", "1011100",
                                   "1001110", "1010000", "1000100", "1001000", "1110100"};
  // The first digit is carried by the L/G parity of the next six.
  static const char* const kParity[] = {"LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
                                        "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"};
  std::string bits = "101";
  for (int i = 1; i <= 6; ++i) {
    bits += (kParity[digits[0] - '0'][i - 1] == 'L' ? kL : kG)[digits[i] - '0'];
  }
  bits += "01010";
  for (int i = 7; i <= 12; ++i) bits += kR[digits[i] - '0'];
  bits += "101";
  const int quiet = 11;
  cv::Mat image(60 * bar_px, (static_cast<int>(bits.size()) + 2 * quiet) * bar_px, CV_8UC1,
                cv::Scalar::all(255));
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] == '1') {
      image(cv::Rect((quiet + static_cast<int>(i)) * bar_px, 5 * bar_px, bar_px, 50 * bar_px))
          .setTo(0);
    }
  }
  return image;
}

}  // namespace

TEST_CASE("verify: a plain code passes at hard with every reader", "[verify]") {
  const std::string payload = "https://brand.example/p/000123";
  const VerifyReport r =
      verify(plain_code(payload, EcLevel::H), payload, quick({Severity::hard}, 20));
  CHECK(r.text == payload);
  CHECK(r.ec == EcLevel::H);
  CHECK(r.module_px == Approx(kModulePx).epsilon(0.02));
  REQUIRE(r.severities.size() == 1);
  REQUIRE(r.severities[0].readers.size() == available_readers().size());
  for (const ReaderRate& rate : r.severities[0].readers) {
    INFO(to_string(rate.reader) << " read " << rate.read << " of " << rate.trials);
    CHECK(rate.trials == 20);
    CHECK(rate.rate() >= 0.95);
    CHECK(rate.wrong == 0);
  }
  REQUIRE(r.severities[0].worst_capacity_used.has_value());
  CHECK(*r.severities[0].worst_capacity_used <= 1.0);
  CHECK(r.shortfalls.empty());
  CHECK(r.pass());
}

TEST_CASE("verify: a washed-out print fails and says which reader", "[verify]") {
  // The design reads on screen, but with 12 grey levels between dark and light the noise
  // and uneven light of a hurried photo swamp it.
  const std::string payload = "https://brand.example/p/000123";
  cv::Mat code = plain_code(payload, EcLevel::M);
  code.convertTo(code, -1, 12.0 / 255, 120);
  const VerifyReport r = verify(code, payload, quick({Severity::pristine, Severity::hard}, 10));
  CHECK(r.rate(Reader::ours, Severity::pristine) == 1.0);
  for (const Reader reader : available_readers()) {
    INFO(to_string(reader));
    CHECK(r.rate(reader, Severity::hard) < 0.95);
  }
  // The verdict is taken at the last severity, hard, and names every reader that fell short.
  CHECK(!r.pass());
  REQUIRE(r.shortfalls.size() == available_readers().size());
  for (std::size_t i = 0; i < r.shortfalls.size(); ++i) {
    CHECK(r.shortfalls[i].reader == available_readers()[i]);
    CHECK(r.shortfalls[i].severity == Severity::hard);
    CHECK(r.shortfalls[i].rate == r.rate(available_readers()[i], Severity::hard));
  }
}

TEST_CASE("verify: the failure map marks the region under a sticker", "[verify]") {
  const std::string payload = "https://brand.example/p/000123";
  cv::Mat code = plain_code(payload, EcLevel::H, 5);
  const int n = 37;  // version 5
  // A black sticker over 6x6 modules of data, well inside the symbol and within what EC H
  // corrects.
  const cv::Rect sticker(24, 14, 6, 6);
  const int q = 4;
  cv::rectangle(code,
                cv::Rect((sticker.x + q) * kModulePx, (sticker.y + q) * kModulePx,
                         sticker.width * kModulePx, sticker.height * kModulePx),
                cv::Scalar::all(0), cv::FILLED);
  VerifyOptions o = quick({Severity::pristine, Severity::mild}, 6);
  o.readers = {Reader::ours};
  const VerifyReport r = verify(code, payload, o);
  REQUIRE(r.failure_map.rows == n);
  REQUIRE(r.failure_map.cols == n);
  double inside_max = 0, outside_max = 0, outside_sum = 0;
  int outside = 0;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const float f = r.failure_map.at<float>(y, x);
      if (sticker.contains({x, y})) {
        inside_max = std::max(inside_max, static_cast<double>(f));
      } else {
        outside_max = std::max(outside_max, static_cast<double>(f));
        outside_sum += f;
        ++outside;
      }
    }
  }
  // Under the sticker the light modules read dark in every capture; elsewhere hardly any
  // module is ever wrong.
  CHECK(inside_max == 1.0);
  CHECK(outside_sum / outside < 0.01);
  CHECK(outside_max < 0.5);
  const cv::Mat picture = failure_map_image(r, 8);
  CHECK(picture.type() == CV_8UC3);
  CHECK(picture.cols == (n + 8) * 8);  // one panel: the code with its quiet zone
}

TEST_CASE("verify: bad input is refused with the reason", "[verify]") {
  const std::string payload = "https://brand.example/p/1";
  const cv::Mat code = plain_code(payload, EcLevel::M);
  CHECK_THROWS_WITH(verify(cv::Mat(), payload), "the image is empty");
  CHECK_THROWS_WITH(verify(code, "something else", quick({Severity::pristine}, 1)),
                    "the code reads as \"https://brand.example/p/1\", not the expected "
                    "\"something else\"");
  CHECK_THROWS_WITH(verify(cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(255)), payload),
                    Catch::Contains("no code reads in the image itself"));
  VerifyOptions o = quick({Severity::pristine}, 0);
  CHECK_THROWS_WITH(verify(code, payload, o), "VerifyOptions.seeds must be 1-10000, got 0");
  CHECK_THROWS_WITH(parse_reader("quirc"),
                    "unknown reader 'quirc': choose from ours, zxing, wechat, zbar");
}

TEST_CASE("readers: zbar is in the build and reads exactly what was encoded", "[verify][readers]") {
  CHECK(parse_reader("zbar") == Reader::zbar);
  CHECK(to_string(Reader::zbar) == "zbar");
  const std::vector<Reader> have = available_readers();
  CHECK(std::find(have.begin(), have.end(), Reader::zbar) != have.end());

  // ZBar hands back UTF-8 after guessing the character set of byte-mode data itself. Data
  // that is UTF-8 comes back unchanged, NULs included; data that is not (here 0x80, 0xfe,
  // 0xff) is taken as ISO-8859-1, the QR default without an ECI, and converted, as zxing-cpp
  // does.
  const std::string binary("\x00\x01\x7f\x80\xfe\xffviscode\x00\n", 15);
  const std::string binary_as_utf8("\x00\x01\x7f\xc2\x80\xc3\xbe\xc3\xbfviscode\x00\n", 18);
  const std::pair<std::string, std::string> cases[] = {
      {"https://brand.example/p/000123", "https://brand.example/p/000123"},
      {"Caf\xc3\xa9 \xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
       "Caf\xc3\xa9 \xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"},
      {std::string("serial\0"
                   "42",
                   9),
       std::string("serial\0"
                   "42",
                   9)},
      {binary, binary_as_utf8},
  };
  for (const auto& [payload, read_as] : cases) {
    INFO("payload of " << payload.size() << " bytes");
    const cv::Mat code = plain_code(payload, EcLevel::M);
    CHECK(read_with(Reader::zbar, code) == std::vector<std::string>{read_as});
    cv::Mat bgra;
    cv::cvtColor(code, bgra, cv::COLOR_BGR2BGRA);
    CHECK(read_with(Reader::zbar, bgra) == std::vector<std::string>{read_as});
  }
  // QR only: an EAN-13 beside the code (which ZBar reads by default) is not a text it gives.
  const std::string payload = "https://brand.example/p/000123";
  cv::Mat code;
  cv::cvtColor(plain_code(payload, EcLevel::M), code, cv::COLOR_BGR2GRAY);
  const cv::Mat ean = ean13("4006381333931", 3);
  cv::Mat both(std::max(code.rows, ean.rows), code.cols + ean.cols, CV_8UC1, cv::Scalar::all(255));
  code.copyTo(both(cv::Rect(0, 0, code.cols, code.rows)));
  ean.copyTo(both(cv::Rect(code.cols, 0, ean.cols, ean.rows)));
  CHECK(read_with(Reader::zbar, both) == std::vector<std::string>{payload});
  CHECK(read_with(Reader::zbar, ean).empty());
  CHECK(read_with(Reader::zbar, cv::Mat(300, 300, CV_8UC1, cv::Scalar::all(255))).empty());
  CHECK_THROWS_WITH(read_with(Reader::zbar, cv::Mat()), "the image is empty");
}

TEST_CASE("readers: a zbar read does not depend on the image read before it", "[verify][readers]") {
  // Verification is deterministic only if each read is: ZBar's scanner keeps state from
  // its last scan, and one kept per thread once made hard's rate move by a capture from run
  // to run, with the order threads picked captures in. Reading the same captures forwards
  // and backwards must give the same texts.
  const std::string payload = "https://brand.example/p/000123";
  const auto logos = test::test_logos();
  const Logo logo = Logo::from_image(logos.front().image);
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  const RenderOptions ro;
  const cv::Mat code = render(design_symbol(payload, &logo, eo, ro), &logo, ro, kModulePx);
  std::vector<cv::Mat> shots;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    CaptureOptions co = capture_preset(Severity::hard, seed);
    co.input_module_px = kModulePx;
    shots.push_back(simulate_capture(code, co, seed));
  }
  std::vector<std::vector<std::string>> forwards(shots.size()), backwards(shots.size());
  for (std::size_t i = 0; i < shots.size(); ++i) forwards[i] = read_with(Reader::zbar, shots[i]);
  for (std::size_t i = shots.size(); i-- > 0;) backwards[i] = read_with(Reader::zbar, shots[i]);
  int read = 0;
  for (std::size_t i = 0; i < shots.size(); ++i) {
    INFO("capture " << i);
    CHECK(forwards[i] == backwards[i]);
    read += forwards[i].empty() ? 0 : 1;
  }
  // Hard enough that ZBar misses some: the reads that could differ are there.
  CHECK(read > 0);
  CHECK(read < static_cast<int>(shots.size()));
}

TEST_CASE("verify: the smallest print grows with the severity's demands", "[verify]") {
  const std::string payload = "https://brand.example/p/000123";
  VerifyOptions o = quick({Severity::pristine}, 8);
  o.find_min_size = true;
  o.readers = {Reader::ours};
  o.min_size_severity = Severity::mild;
  const VerifyReport mild = verify(plain_code(payload, EcLevel::M), payload, o);
  o.min_size_severity = Severity::hard;
  const VerifyReport hard = verify(plain_code(payload, EcLevel::M), payload, o);
  REQUIRE(mild.min_size.size() == 1);
  REQUIRE(hard.min_size.size() == 1);
  REQUIRE(mild.min_size[0].module_mm.has_value());
  REQUIRE(hard.min_size[0].module_mm.has_value());
  CHECK(*mild.min_size[0].module_mm <= *hard.min_size[0].module_mm);
  // 1.5-40 camera px per module at 10 px/mm.
  CHECK(*mild.min_size[0].module_mm >= 0.15);
  CHECK(*hard.min_size[0].module_mm <= 4.0);
  CHECK(*mild.min_size[0].symbol_mm ==
        Approx(*mild.min_size[0].module_mm * mild.version * 4 + *mild.min_size[0].module_mm * 17));
}

TEST_CASE("ensure_design: a too-aggressive design is made to pass, and says how",
          "[verify][ensure]") {
  // The photo logo at strength 0 (the most of the image, the least contrast) does not
  // survive a moderate capture for every reader; ensure_design raises the strength until
  // it does.
  const auto logos = test::test_logos();
  const auto it = std::find_if(logos.begin(), logos.end(),
                               [](const test::TestLogo& l) { return l.name == "photo"; });
  REQUIRE(it != logos.end());
  const Logo logo = Logo::from_image(it->image);
  const std::string payload = "https://v.brand.example/a/7KQ2M9X4PZ8R3T6W";
  RenderOptions ro;
  ro.strength = 0;
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  VerifyOptions vo;
  vo.seeds = 12;
  const EnsuredDesign d = ensure_design(payload, &logo, eo, ro, Severity::moderate, vo);
  INFO("final strength " << d.render.strength);
  REQUIRE_FALSE(d.changes.empty());
  CHECK(d.changes.front().rfind("strength 0.00 -> 0.10 (", 0) == 0);
  CHECK(d.render.strength > 0);
  for (const Reader r : available_readers()) {
    INFO(to_string(r));
    CHECK(d.report.rate(r, Severity::moderate) >= 0.95);
  }
  // The returned design is what was verified: it reads.
  roundtrip::check_reads(render(d.symbol, &logo, d.render, 10), d.symbol.size + 8,
                         test::Capture::pristine, payload, "ensured design");
}

TEST_CASE("verify: a photo of a print is rectified and verified like the file", "[verify]") {
  // A phone photo of the print (tilted, rotated, blurred, JPEG) is itself the input: the
  // code is found, rectified and put through further captures.
  const std::string payload = "https://brand.example/p/000123";
  CaptureOptions photo;
  photo.input_module_px = kModulePx;
  photo.px_per_module = 7;
  photo.rotation_deg = 23;
  photo.tilt = 0.15;
  photo.tilt_angle_deg = 60;
  photo.defocus_sigma_px = 0.7;
  photo.jpeg_quality = 85;
  const cv::Mat shot = simulate_capture(plain_code(payload, EcLevel::H), photo, 7);
  const VerifyReport r = verify(shot, payload, quick({Severity::mild}, 10));
  CHECK(r.text == payload);
  CHECK(r.module_px == Approx(7).epsilon(0.1));
  for (const Reader reader : available_readers()) {
    INFO(to_string(reader));
    CHECK(r.rate(reader, Severity::mild) >= 0.95);
  }
}

TEST_CASE("readers: ReadAs::bytes gives every reader's payload as encoded", "[verify][readers]") {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string payloads[] = {
      all,
      std::string("abc\xff\xfe \xc3( \xe2\x82 \xed\xa0\x80 \xc0\xaf \xf8\x88\x80\x80\x80 z\x80"),
      std::string("\0serial\0\0 42\0", 13),
      "https://brand.example/p/000123",
  };
  for (const std::string& payload : payloads) {
    INFO("payload of " << payload.size() << " bytes");
    const cv::Mat code = plain_code(payload, EcLevel::M);
    for (const Reader r : available_readers()) {
      INFO("reader " << to_string(r));
      CHECK(read_with(r, code, ReadAs::bytes) == std::vector<std::string>{payload});
    }
    // The yardsticks too: every generated code is read back by readers sharing no code with
    // viscode.
    for (const test::Reader r : test::all_readers()) {
      INFO("reference " << test::to_string(r));
      CHECK(test::read_all_bytes(r, code) == std::vector<std::string>{payload});
    }
  }
  // As text, bytes that are not UTF-8 are ISO-8859-1 to ours and zxing.
  const cv::Mat code = plain_code(std::string("caf\xe9", 4), EcLevel::M);
  CHECK(read_with(Reader::ours, code) == std::vector<std::string>{"caf\xc3\xa9"});
  CHECK(read_with(Reader::zxing, code) == std::vector<std::string>{"caf\xc3\xa9"});
  CHECK(read_with(Reader::ours, code, ReadAs::bytes) ==
        std::vector<std::string>{std::string("caf\xe9", 4)});
}

TEST_CASE("verify: a binary payload verifies as bytes with every reader", "[verify][exact]") {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const cv::Mat code = plain_code(all, EcLevel::M);
  VerifyOptions o = quick({Severity::pristine, Severity::mild}, 4);
  o.expected_as = ReadAs::bytes;
  const VerifyReport r = verify(code, all, o);
  CHECK(r.bytes == std::vector<std::uint8_t>(all.begin(), all.end()));
  for (const SeverityReport& s : r.severities) {
    for (const ReaderRate& rate : s.readers) {
      INFO(to_string(s.severity) << " " << to_string(rate.reader));
      CHECK(rate.read == 4);
      CHECK(rate.wrong == 0);
    }
  }
  // As text (the default) the bytes are not what the code reads as.
  CHECK_THROWS_WITH(verify(code, all, quick({Severity::pristine}, 1)),
                    Catch::StartsWith("the code reads as \""));
  std::string off = all;
  off[255] = '\x00';
  CHECK_THROWS_WITH(verify(code, off, o),
                    "the code's payload (256 bytes) differs from the expected (256 bytes) at byte "
                    "256: 0xff where the expected has 0x00");

  // The print size search and ensure_design compare the bytes they encoded.
  const std::string binary("\x00\xff\x80 viscode \xc3", 12);
  RenderOptions plain;
  plain.style = Style::plain;
  VerifyOptions few;
  few.seeds = 2;
  CHECK(smallest_print_module_mm(design_symbol(binary, nullptr, {}, plain), nullptr, plain, binary,
                                 few)
            .has_value());
  const EnsuredDesign ensured =
      ensure_design(binary, nullptr, {}, plain, Severity::pristine, quick({}, 2));
  CHECK(ensured.report.bytes == std::vector<std::uint8_t>(binary.begin(), binary.end()));
  CHECK(ensured.changes.empty());
}
