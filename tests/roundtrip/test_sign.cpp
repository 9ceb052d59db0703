// Signed serials end to end: a signed code and a signed run, rendered over the brand's logo,
// read back by our detector, zxing-cpp, WeChat and ZBar, and authenticated from what was read.
#include <catch2/catch.hpp>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "csv.hpp"
#include "roundtrip_util.hpp"

using namespace viscode;
using roundtrip::TempDir;

namespace {

const Logo& brand() {
  static const Logo logo = Logo::load(VISCODE_SOURCE_DIR "/samples/brand.png");
  return logo;
}

// What each reader decodes from the image; the test checks each one authenticates.
std::vector<std::pair<std::string, std::string>> read_by_all(const cv::Mat& image) {
  std::vector<std::pair<std::string, std::string>> texts;  // reader, text
  for (const test::Reader r : test::all_readers()) {
    for (const std::string& s : test::read_all(r, image)) {
      texts.emplace_back(std::string(test::to_string(r)), s);
    }
  }
  for (const Decoded& d : read_codes(image)) texts.emplace_back("viscode", d.text);
  return texts;
}

// Every reader read exactly `payload`, and it authenticates as genuine with `serial`.
void check_genuine(const cv::Mat& image, const std::string& payload, const std::string& serial,
                   const std::string& product, const std::vector<PublicKey>& keys) {
  std::set<std::string> readers;
  for (const auto& [reader, text] : read_by_all(image)) {
    INFO("reader " << reader << " read " << text);
    CHECK(text == payload);
    const Authentication a = authenticate(text, keys);
    CHECK(a.verdict == Authenticity::genuine);
    CHECK(a.serial == serial);
    CHECK(a.product == product);
    readers.insert(reader);
  }
  INFO("payload " << payload);
  CHECK(readers == std::set<std::string>{"viscode", "zxing", "wechat", "zbar"});
}

int version_read(const cv::Mat& image) {
  const std::vector<Decoded> codes = read_codes(image);
  return codes.size() == 1 ? codes.front().version : 0;
}

}  // namespace

TEST_CASE("signed encode: a 30-character URL over the logo reads and authenticates",
          "[sign][encode]") {
  const SecretKey key = generate_key();
  const std::vector<PublicKey> keys{key.public_key()};
  const PayloadTemplate tmpl("https://brand.example.com/a/p/{serial}.{sig}", "--data");
  const std::string serial = "7K3M9Q2W8R4T6Y1B";
  const std::string payload = signed_payload(tmpl, key, serial);
  for (const Style style : {Style::halftone, Style::dots, Style::center}) {
    RenderOptions ro;
    ro.style = style;
    const Symbol symbol = design_symbol(payload, &brand(), EncodeOptions{}, ro);
    CHECK(symbol.ec == EcLevel::H);
    CHECK(symbol.version <= 11);
    const cv::Mat image = render(symbol, &brand(), ro, 8);
    INFO("style " << to_string(style));
    check_genuine(image, payload, serial, "", keys);
    CHECK(version_read(image) == symbol.version);
  }
}

TEST_CASE("signed batch: 20 random serials to PNG, one version, all genuine", "[sign][batch]") {
  TempDir t;
  const SecretKey key = generate_key();
  const std::vector<PublicKey> keys{key.public_key()};
  BatchOptions o;
  RandomSerials r;
  r.count = 20;
  o.serials = r;
  o.payload_template = "https://b.example/a/{product}/{serial}.{sig}";
  o.sign_key = key;
  o.product = "SHOE42";
  o.out_dir = t.path;
  o.jobs = 2;
  const Design design(brand(), EncodeOptions{}, RenderOptions{});
  const BatchSummary s = run_batch(design, o);
  CHECK(s.codes == 20);
  CHECK(s.version <= 11);

  std::ifstream in(t.path / kManifestName);
  std::string line;
  std::getline(in, line);
  std::set<int> versions;
  std::set<std::string> serials;
  int rows = 0;
  while (std::getline(in, line)) {
    const auto f = detail::parse_csv_line(line);
    REQUIRE(f.size() == 7);
    const std::string& serial = f[1];
    const std::string& payload = f[2];
    serials.insert(serial);
    CHECK(payload ==
          "https://b.example/a/SHOE42/" + serial + "." + sign_serial(key, serial, "SHOE42"));
    const cv::Mat image = cv::imread((t.path / f[3]).string());
    check_genuine(image, payload, serial, "SHOE42", keys);
    versions.insert(version_read(image));
    ++rows;
  }
  CHECK(rows == 20);
  CHECK(serials.size() == 20);
  CHECK(versions == std::set<int>{s.version});

  // Serials and signatures with digits fit the pinned version too, encoded as the run
  // encodes them: starting from that version.
  EncodeOptions e;
  e.ec = EcLevel::H;
  e.min_version = e.max_version = s.version;
  const PayloadTemplate tmpl(o.payload_template);
  for (int i = 0; i < 3000; ++i) {
    const std::string serial =
        i < 50 ? std::to_string(1000000000000000LL + i * 7919LL) : random_serial(r);
    const std::string payload = signed_payload(tmpl, key, serial, "SHOE42");
    INFO(payload);
    CHECK_NOTHROW(encode(payload, e));
  }
}

TEST_CASE("signed batch: leading digits after a byte-mode '=' fit the pinned version",
          "[sign][batch]") {
  // '=' is not in QR alphanumeric mode, so the URL before the serial is a byte-mode
  // segment, and libqrencode keeps 1-3 leading digits of the serial in it: 8 bits each
  // instead of 5.5. Why a 35-character prefix: measured over "...?s=" prefixes of 10..120
  // characters with 16-character serials, 35 (and 53, 71, 93, 110) is a version boundary:
  // the 155-character payload with a serial of letters needs version 10 at EC H, with
  // "1ZZ...", "12Z..." or "123Z..." it needs 11. A run pinned from the letters-only serial
  // (as it was) stopped at the first serial with leading digits.
  const std::string tmpl_text = "https://brand.example.com/verify?s={serial}.{sig}";
  const PayloadTemplate tmpl(tmpl_text);
  REQUIRE(tmpl.apply("", {}, "").size() == 35 + 1);
  const SecretKey key = generate_key();
  const std::vector<PublicKey> keys{key.public_key()};
  const std::string sig(kSignatureChars, 'A');
  const auto payload = [&](const std::string& serial) { return tmpl.apply(serial, {}, sig); };
  EncodeOptions e;
  e.ec = EcLevel::H;
  REQUIRE(encode(payload(std::string(16, 'Z')), e).version == 10);
  EncodeOptions at10 = e;
  at10.min_version = at10.max_version = 10;
  for (const std::string serial : {"1ZZZZZZZZZZZZZZZ", "12ZZZZZZZZZZZZZZ", "123ZZZZZZZZZZZZZ"}) {
    INFO(serial);
    CHECK_THROWS_AS(encode(payload(serial), at10), Error);
  }

  TempDir t;
  const std::filesystem::path list = t.path / "serials.txt";
  std::ofstream(list) << "ZZZZZZZZZZZZZZZZ\n1ZZZZZZZZZZZZZZZ\n12ZZZZZZZZZZZZZZ\n"
                         "123ZZZZZZZZZZZZZ\n7K3M9Q2W8R4T6Y1B\n9999999999999999\n";
  std::filesystem::create_directory(t.path / "run");
  BatchOptions o;
  o.serials = SerialFile{list, ""};
  o.payload_template = tmpl_text;
  o.sign_key = key;
  o.out_dir = t.path / "run";
  o.jobs = 2;
  const Design design(brand(), EncodeOptions{}, RenderOptions{});
  const BatchSummary s = run_batch(design, o);
  CHECK(s.codes == 6);
  CHECK(s.version == 11);
  std::ifstream in(o.out_dir / kManifestName);
  std::string line;
  std::getline(in, line);
  int rows = 0;
  while (std::getline(in, line)) {
    const auto f = detail::parse_csv_line(line);
    REQUIRE(f.size() == 7);
    const cv::Mat image = cv::imread((o.out_dir / f[3]).string());
    INFO(f[2]);
    CHECK(version_read(image) == 11);
    const std::vector<Decoded> codes = read_codes(image);
    REQUIRE(codes.size() == 1);
    CHECK(codes.front().text == f[2]);
    CHECK(authenticate(codes.front().text, keys).verdict == Authenticity::genuine);
    ++rows;
  }
  CHECK(rows == 6);

  // Every payload of such a run fits, encoded as the run encodes it (from the pinned
  // version): a run of digits at every position of a serial of letters, and random serials
  // with real signatures, half of them starting with 1 to 4 digits.
  EncodeOptions pinned = e;
  pinned.min_version = pinned.max_version = s.version;
  for (std::size_t begin = 0; begin < 16; ++begin) {
    for (std::size_t end = begin + 1; end <= 16; ++end) {
      std::string serial(16, 'Z');
      serial.replace(begin, end - begin, end - begin, '9');
      INFO(serial);
      CHECK(encode(payload(serial), pinned).version == s.version);
    }
  }
  RandomSerials r;
  r.count = 1;
  for (int i = 0; i < 1000; ++i) {
    std::string serial = random_serial(r);
    if (i % 2 == 0) {
      const auto k = static_cast<std::size_t>(1 + (i / 2) % 4);
      serial.replace(0, k, std::to_string(1000 + i * 7), 0, k);  // 1..4 of 4 digits
    }
    const std::string p = signed_payload(tmpl, key, serial);
    INFO(p);
    CHECK(encode(p, pinned).version == s.version);
  }
}
