// GS1 Digital Link: check digits of known GTINs, character set 82, percent-encoding, the
// parser's and the template's exact messages, signatures (genuine, forged, wrong check digit,
// tampered serial or lot, unsigned), the ledger's reading, and a signed batch whose codes read
// back (our detector) as exactly the expected URIs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "temp_dir.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;

namespace {

template <typename F>
std::string usage_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::usage);
    return e.what();
  }
  return "(no error)";
}

using TempDir = viscode::test::TempDir;

const std::string kBase = "https://brand.example/01/09506000134352";

}  // namespace

TEST_CASE("gs1: check digits of known GTINs", "[gs1]") {
  CHECK(gs1_check_digit("0950600013435") == 2);
  CHECK(gs1_check_digit("400638133393") == 1);  // EAN-13 4006381333931
  CHECK(gs1_check_digit("03600029145") == 2);   // UPC-A (GTIN-12) 036000291452
  CHECK(gs1_check_digit("9638507") == 4);       // EAN-8 96385074
  CHECK(gs1_check_digit("") == -1);
  CHECK(gs1_check_digit("12a") == -1);
  CHECK(gtin14("09506000134352") == "09506000134352");
  CHECK(gtin14("4006381333931") == "04006381333931");
  CHECK(gtin14("036000291452") == "00036000291452");
  CHECK(gtin14("96385074") == "00000096385074");
  CHECK_FALSE(gtin14("09506000134353"));  // wrong check digit
  CHECK_FALSE(gtin14("4006381333932"));
  CHECK_FALSE(gtin14("123456789"));  // 9 digits: no GTIN has them
  CHECK_FALSE(gtin14("0950600013435X"));
}

TEST_CASE("gs1: character set 82 and AI 21", "[gs1]") {
  const std::string set82 =
      "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  CHECK(set82.size() == 82);
  int count = 0;
  for (int c = 0; c < 256; ++c) count += is_cset82(static_cast<char>(c)) ? 1 : 0;
  CHECK(count == 82);
  for (const char c : set82) CHECK(is_cset82(c));
  for (const char c : std::string(" #$@[\\]^`{|}~\t")) CHECK_FALSE(is_cset82(c));
  CHECK(is_gs1_serial("a"));
  CHECK(is_gs1_serial(std::string(20, 'Z')));
  CHECK_FALSE(is_gs1_serial(""));
  CHECK_FALSE(is_gs1_serial(std::string(21, 'Z')));
  CHECK_FALSE(is_gs1_serial("AB CD"));
  CHECK(gs1_value_problem("ABC") == "");
  CHECK(gs1_value_problem("AB~1") ==
        "serial 'AB~1' has '~', which is not in GS1 character set 82 (A-Z a-z 0-9 and ! \" % & ' "
        "( ) * + , - . / : ; < = > ? _)");
  CHECK(gs1_value_problem("AB 1").find("has a space, which") != std::string::npos);
  CHECK(gs1_value_problem(std::string(21, '7')) ==
        "serial '777777777777777777777' has 21 characters: AI 21 allows 1 to 20");
  CHECK(gs1_value_problem("", "lot") == "lot is empty: AI 10 needs 1 to 20 characters");
  CHECK(gs1_percent_encode("AB/1") == "AB%2F1");
  CHECK(gs1_percent_encode("x%y\"z&<>?") == "x%25y%22z%26%3C%3E%3F");
  CHECK(gs1_percent_encode("a-b.c_d!'()*+,:;=") == "a-b.c_d!'()*+,:;=");
}

TEST_CASE("gs1: parsing Digital Link URIs and paths", "[gs1]") {
  auto link = parse_gs1_link(kBase + "/10/LOT%2f42/21/AB%2F1?x=1&s=SIG#frag");
  REQUIRE(link);
  CHECK(link->base == "https://brand.example");
  CHECK(link->gtin == "09506000134352");
  CHECK(link->lot == "LOT/42");
  CHECK(link->serial == "AB/1");
  CHECK(link->signature == "SIG");
  CHECK(link->canonical() == kBase + "/10/LOT%2F42/21/AB%2F1?s=SIG");
  CHECK(link->product_url() == kBase + "/10/LOT%2F42");

  link = parse_gs1_link("/shop/01/4006381333931/21/x");
  REQUIRE(link);
  CHECK(link->base == "/shop");
  CHECK(link->gtin == "04006381333931");
  CHECK_FALSE(link->has_signature);
  CHECK(link->canonical() == "/shop/01/04006381333931/21/x");
  CHECK(gs1_product_url("/01/4006381333931/21/x?s=A") == "/01/04006381333931");
  CHECK(gs1_product_url("https://b.example/a/ABCD") == "");

  const auto why = [](const std::string& text) {
    std::string w;
    CHECK_FALSE(parse_gs1_link(text, &w));
    return w;
  };
  CHECK(why("https://brand.example/01/09506000134353/21/A") ==
        "the GTIN 09506000134353 has the wrong check digit: its last digit should be 2 "
        "(09506000134352), not 3");
  CHECK(why("/01/123456789/21/A") == "the GTIN 123456789 has 9 digits: a GTIN has 8, 12, 13 or 14");
  CHECK(why(kBase + "/21/A/10/L") ==
        "its lot (/10/) comes after the serial (/21/): the GS1 Digital Link path order is "
        "/01/{gtin}/10/{lot}/21/{serial}");
  CHECK(why(kBase + "/21/A~B") ==
        "serial 'A~B' has '~', which is not in GS1 character set 82 (A-Z a-z 0-9 and ! \" % & ' "
        "( ) * + , - . / : ; < = > ? _)");
  CHECK(why(kBase + "/21/A%2") == "serial 'A%2' has a '%' that is not followed by two hex digits");
  CHECK(why(kBase) == "it has no /21/{serial} after the GTIN");
  CHECK(why("https://brand.example/a/ABCD") == "it has no /01/ followed by a GTIN");
  CHECK(looks_like_gs1_link("https://brand.example/01/1/x"));
  CHECK_FALSE(looks_like_gs1_link("https://brand.example/01/{serial}"));
  CHECK_FALSE(looks_like_gs1_link("https://01/a"));
}

TEST_CASE("gs1: templates accept the Digital Link layout and name what is wrong", "[gs1]") {
  const PayloadTemplate plain(kBase + "/21/{serial}");
  REQUIRE(plain.gs1());
  CHECK(plain.apply("AB/1") == kBase + "/21/AB%2F1");
  const PayloadTemplate lot("https://brand.example/01/4006381333931/10/LOT42/21/{serial}?s={sig}");
  REQUIRE(lot.gs1());
  CHECK(lot.gs1()->lot == "LOT42");
  CHECK(lot.apply("x\"y", {}, "SIG") ==
        "https://brand.example/01/04006381333931/10/LOT42/21/x%22y?s=SIG");
  // A template that is not GS1 keeps its own rules.
  CHECK_FALSE(PayloadTemplate("https://b.example/01/{serial}").gs1());

  const std::string example = "e.g. 'https://brand.example/01/09506000134352/21/{serial}?s={sig}'";
  CHECK(usage_message(
            [] { PayloadTemplate("https://brand.example/01/09506000134353/21/{serial}"); }) ==
        "--template 'https://brand.example/01/09506000134353/21/{serial}' is a GS1 Digital Link "
        "template, but the GTIN 09506000134353 has the wrong check digit: its last digit should "
        "be 2 (09506000134352), not 3; " +
            example);
  CHECK(usage_message([] { PayloadTemplate(kBase + "/21/{serial}/10/LOT42"); }) ==
        "--template '" + kBase +
            "/21/{serial}/10/LOT42' has its lot (/10/) after the serial "
            "(/21/): the GS1 Digital Link path order is /01/{gtin}/10/{lot}/21/{serial}; move "
            "/10/... "
            "before /21/");
  CHECK(usage_message([] { PayloadTemplate(kBase + "/21/{serial}.{sig}"); }) ==
        "--template '" + kBase +
            "/21/{serial}.{sig}' is a GS1 Digital Link template: it must end "
            "in /21/{serial}?s={sig} (the serial is AI 21's whole path segment, the signature the "
            "query's s= parameter), " +
            example);
  CHECK(
      usage_message([] { PayloadTemplate(kBase + "/10/LOT~1/21/{serial}"); }) ==
      "--template '" + kBase +
          "/10/LOT~1/21/{serial}' is a GS1 Digital Link template, but lot "
          "'LOT~1' has '~', which is not in GS1 character set 82 (A-Z a-z 0-9 and ! \" % & ' ( ) * "
          "+ , - . / : ; < = > ? _); " +
          example);
  CHECK(usage_message([] {
          PayloadTemplate(kBase + "/{product}/21/{serial}?s={sig}");
        }).find("has {product}: the GTIN after /01/ is the product") != std::string::npos);
  const PayloadTemplate unsigned_tmpl(kBase + "/21/{serial}");
  CHECK(usage_message([&] { check_signed_template(unsigned_tmpl); }) ==
        "--template '" + kBase +
            "/21/{serial}' has no {sig}: a signed GS1 Digital Link payload "
            "ends in /21/{serial}?s={sig}, e.g. "
            "'https://brand.example/01/09506000134352/21/{serial}?s={sig}'");
  const PayloadTemplate signed_tmpl(kBase + "/21/{serial}?s={sig}");
  CHECK(usage_message([&] { check_signed_template(signed_tmpl, "P1"); }) ==
        "BatchOptions.product 'P1' is not used with --template '" + kBase +
            "/21/{serial}?s={sig}': a GS1 "
            "Digital Link template's GTIN is the signed product; remove BatchOptions.product");
}

TEST_CASE("gs1: authenticate reads signed Digital Link payloads", "[gs1]") {
  const SecretKey key = generate_key(), other = generate_key();
  const std::vector<PublicKey> keys{key.public_key()};
  const PayloadTemplate tmpl(kBase + "/10/LOT42/21/{serial}?s={sig}");
  const std::string payload = signed_payload(tmpl, key, "AB/1");
  const std::string sig = payload.substr(payload.find("?s=") + 3);
  CHECK(sig.size() == kSignatureChars);
  CHECK(payload == kBase + "/10/LOT42/21/AB%2F1?s=" + sig);

  Authentication a = authenticate(payload, keys);
  CHECK(a.verdict == Authenticity::genuine);
  CHECK(a.serial == "AB/1");
  CHECK(a.product == "09506000134352");
  CHECK(a.lot == "LOT42");
  CHECK(a.product_url == kBase + "/10/LOT42");
  CHECK(a.key_id == key.public_key().id());
  // The path alone (what serve sees) and other query parameters read the same.
  CHECK(authenticate("/01/09506000134352/10/LOT42/21/AB%2F1?utm=x&s=" + sig, keys).verdict ==
        Authenticity::genuine);

  const auto verdict = [&](const std::string& p) { return authenticate(p, keys); };
  CHECK(authenticate(payload, std::vector<PublicKey>{other.public_key()}).verdict ==
        Authenticity::forged);
  a = verdict(kBase + "/10/LOT42/21/AB%2F2?s=" + sig);  // tampered serial
  CHECK(a.verdict == Authenticity::forged);
  CHECK(a.serial == "AB/2");
  CHECK(a.product.empty());
  CHECK(a.product_url.empty());
  CHECK(verdict(kBase + "/10/LOT43/21/AB%2F1?s=" + sig).verdict == Authenticity::forged);
  CHECK(verdict(kBase + "/21/AB%2F1?s=" + sig).verdict == Authenticity::forged);  // lot dropped
  // Another GTIN, its check digit right or wrong.
  CHECK(verdict("https://brand.example/01/04006381333931/10/LOT42/21/AB%2F1?s=" + sig).verdict ==
        Authenticity::forged);
  a = verdict("https://brand.example/01/09506000134353/10/LOT42/21/AB%2F1?s=" + sig);
  CHECK(a.verdict == Authenticity::forged);
  CHECK(a.serial.empty());
  CHECK(verdict(kBase + "/10/LOT42/21/AB~1?s=" + sig).verdict == Authenticity::forged);
  std::string flipped = sig;
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  CHECK(verdict(kBase + "/10/LOT42/21/AB%2F1?s=" + flipped).verdict == Authenticity::forged);
  CHECK(verdict(kBase + "/10/LOT42/21/AB%2F1?s=").verdict == Authenticity::forged);
  // Unsigned Digital Link payloads are unsigned, as any payload without a signature.
  a = verdict(kBase + "/21/AB%2F1");
  CHECK(a.verdict == Authenticity::unsigned_);
  CHECK(a.serial.empty());
  CHECK(verdict("https://brand.example/01/09506000134353/21/A").verdict == Authenticity::unsigned_);
  // A plain signed payload under a path with /01/<digits>/ keeps its own reading.
  const std::string plain = "https://b.example/01/2024/ABCD." + sign_serial(key, "ABCD");
  CHECK(verdict(plain).verdict == Authenticity::genuine);
}

TEST_CASE("gs1: the ledger counts Digital Link serials, and a signed batch reads back",
          "[gs1][batch]") {
  TempDir t;
  {
    std::ofstream out(t.path / "serials.txt");
    out << "AB/1\nx%y\"z\nSER-0003\n";
  }
  const SecretKey key = generate_key();
  BatchOptions o;
  SerialFile file;
  file.file = t.path / "serials.txt";
  o.serials = file;
  o.payload_template = kBase + "/10/LOT42/21/{serial}?s={sig}";
  o.out_dir = t.path / "run";
  o.sign_key = key;
  o.jobs = 1;
  const Design design(Logo::load(VISCODE_SOURCE_DIR "/samples/brand.png"), EncodeOptions{},
                      RenderOptions{});
  const BatchSummary s = run_batch(design, o);
  CHECK(s.codes == 3);
  const std::vector<std::string> serials{"AB/1", "x%y\"z", "SER-0003"};
  const std::vector<std::string> encoded{"AB%2F1", "x%25y%22z", "SER-0003"};
  std::vector<std::string> payloads;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string png = t.path / "run" / ("00000" + std::to_string(i + 1) + ".png");
    const std::vector<Decoded> read = read_codes(read_image(png));
    REQUIRE(read.size() == 1);
    const std::string& p = read[0].text;
    const std::string prefix = kBase + "/10/LOT42/21/" + encoded[i] + "?s=";
    CHECK(p.substr(0, prefix.size()) == prefix);
    CHECK(p.size() == prefix.size() + kSignatureChars);
    CHECK(p == signed_payload(PayloadTemplate(o.payload_template), key, serials[i]));
    payloads.push_back(p);
  }

  const std::filesystem::path db = t.path / "ledger.db";
  Ledger ledger = Ledger::open(db.string(), {LedgerOpenMode::create_if_missing});
  const ImportSummary imported = ledger.import_manifest(t.path / "run" / "manifest.csv", "gs1run");
  CHECK(imported.added == 3);
  ScanContext c;
  c.keys = {key.public_key()};
  ScanResult r = ledger.scan(payloads[1], c);
  CHECK(r.verdict == ScanVerdict::first_scan);
  CHECK(r.serial == "x%y\"z");
  CHECK(r.batch == "gs1run");
  REQUIRE(r.authentication);
  CHECK(r.authentication->product == "09506000134352");
  // The path form serve passes reads the same serial: seen before.
  r = ledger.scan(payloads[1].substr(std::string("https://brand.example").size()), c);
  CHECK(r.verdict == ScanVerdict::seen_before);
  CHECK(r.scans == 2);
  // A tampered serial: forged, not counted against either serial.
  std::string tampered = payloads[0];
  tampered.replace(tampered.find("AB%2F1"), 6, "SER-0003");
  r = ledger.scan(tampered, c);
  CHECK(r.verdict == ScanVerdict::not_authentic);
  CHECK(r.authentication->verdict == Authenticity::forged);
  CHECK(ledger.status("SER-0003").scans == 0);
  CHECK(ledger.serial_in_payload(payloads[0]) == "AB/1");
}

TEST_CASE("gs1: a batch refuses serials outside AI 21 before writing anything", "[gs1][batch]") {
  TempDir t;
  {
    std::ofstream out(t.path / "serials.txt");
    out << "GOOD1\nBAD~2\n";
  }
  BatchOptions o;
  SerialFile file;
  file.file = t.path / "serials.txt";
  o.serials = file;
  o.payload_template = "https://brand.example/01/4006381333931/21/{serial}";
  o.out_dir = t.path / "run";
  const Design design(Logo::load(VISCODE_SOURCE_DIR "/samples/brand.png"), EncodeOptions{},
                      RenderOptions{});
  try {
    run_batch(design, o);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::input);
    CHECK(std::string(e.what()) ==
          "line 2 of '" + (t.path / "serials.txt").string() +
              "': serial 'BAD~2' has '~', which is not in GS1 character set 82 (A-Z a-z 0-9 and "
              "! \" % & ' ( ) * + , - . / : ; < = > ? _); fix the file, or use a "
              "BatchOptions.payload_template "
              "that is not a GS1 Digital Link");
  }
  CHECK_FALSE(std::filesystem::exists(o.out_dir));

  RandomSerials r;
  r.count = 5;
  r.length = 21;
  o.serials = r;
  CHECK(usage_message([&] { run_batch(design, o); }) ==
        "RandomSerials.length 21 is too long for a GS1 Digital Link serial: AI 21 allows 1 to 20 "
        "characters; use 20 or fewer");
  CHECK_FALSE(std::filesystem::exists(o.out_dir));
}
