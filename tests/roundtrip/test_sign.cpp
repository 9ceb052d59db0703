// Signed serials end to end: a signed code and a signed run, rendered over the brand's logo,
// read back by our detector, zxing-cpp and WeChat, and authenticated from what was read.
#include <catch2/catch.hpp>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "batch/csv.hpp"
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
  for (const test::Reader r : roundtrip::kReaders) {
    for (const std::string& s : test::read_all(r, image)) {
      texts.emplace_back(std::string(test::to_string(r)), s);
    }
  }
  for (const Decoded& d : detect(image)) texts.emplace_back("viscode", d.text);
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
  CHECK(readers == std::set<std::string>{"viscode", "zxing", "wechat"});
}

int version_read(const cv::Mat& image) {
  const std::vector<Decoded> codes = detect(image);
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

  // The run pinned its version from a serial and a signature of letters only; serials and
  // signatures with digits must fit it too (libqrencode never spends more bits on them).
  EncodeOptions e;
  e.ec = EcLevel::H;
  e.max_version = s.version;
  const PayloadTemplate tmpl(o.payload_template);
  for (int i = 0; i < 3000; ++i) {
    const std::string serial =
        i < 50 ? std::to_string(1000000000000000LL + i * 7919LL) : random_serial(r);
    const std::string payload = signed_payload(tmpl, key, serial, "SHOE42");
    INFO(payload);
    CHECK_NOTHROW(encode(payload, e));
  }
}
