// GS1 Digital Link through the viscode binary: a wrong GTIN check digit and a serial outside
// set 82 stop batch before anything is written; authenticate and ledger scan give exact
// verdicts for genuine, tampered, forged, malformed and unsigned Digital Link payloads.
#include <catch2/catch.hpp>

#include "cli_harness.hpp"
#include "viscode/sign.hpp"

using namespace viscode::cli_test;

namespace {

const std::string kBase = "https://brand.example/01/09506000134352";

}  // namespace

TEST_CASE("gs1 cli: batch refuses a wrong check digit and serials outside AI 21", "[gs1][cli]") {
  TempDir t;
  const std::string tmpl = "https://brand.example/01/09506000134353/21/{serial}";
  CliResult r = run_cli({"batch", "--logo", kBrandPng, "--count", "2", "--template", tmpl,
                         "--out-dir", t.out("run").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: --template '" + tmpl +
                     "' is a GS1 Digital Link template, but the GTIN 09506000134353 has the wrong "
                     "check digit: its last digit should be 2 (09506000134352), not 3; e.g. "
                     "'https://brand.example/01/09506000134352/21/{serial}?s={sig}'\n");
  CHECK_FALSE(std::filesystem::exists(t.out("run")));

  write_bytes(t.in("serials.txt"), "GOOD-1\nbad\"ok\nBAD 3\n");
  r = run_cli({"batch", "--logo", kBrandPng, "--serials", t.in("serials.txt").string(),
               "--template", kBase + "/21/{serial}", "--out-dir", t.out("run").string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: line 3 of '" + t.in("serials.txt").string() +
                     "': serial 'BAD 3' has a space, which is not in GS1 character set 82 (A-Z "
                     "a-z 0-9 and ! \" % & ' ( ) * + , - . / : ; < = > ? _); fix the file, or use "
                     "a --template that is not a GS1 Digital Link\n");
  CHECK_FALSE(std::filesystem::exists(t.out("run")));
}

TEST_CASE("gs1 cli: authenticate and ledger scan on Digital Link payloads", "[gs1][cli]") {
  TempDir t;
  const std::string brand = (t.root() / "brand").string();
  REQUIRE(run_cli({"keygen", "--out", brand}).exit_code == 0);
  const std::string key_id = viscode::load_public_key(brand + ".pub").id();
  write_bytes(t.in("serials.txt"), "AB/1\nSER-0002\n");
  const std::string run = t.out("run").string();
  CliResult r = run_cli({"batch", "--logo", kBrandPng, "--sign", brand + ".key", "--serials",
                         t.in("serials.txt").string(), "--template",
                         kBase + "/10/LOT42/21/{serial}?s={sig}", "--out-dir", run});
  REQUIRE(r.exit_code == 0);
  const auto rows = manifest_rows(t.out("run"));
  REQUIRE(rows.size() == 2);
  const std::string p1 = rows[0][2], p2 = rows[1][2];
  CHECK(p1.starts_with(kBase + "/10/LOT42/21/AB%2F1?s="));
  CHECK(p1.size() == (kBase + "/10/LOT42/21/AB%2F1?s=").size() + 103);

  const std::string pub = brand + ".pub";
  r = run_cli({"authenticate", "--pub", pub, run + "/000001.png", run + "/000002.png"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == run + "/000001.png: genuine, serial AB/1 (product 09506000134352, key " + key_id +
                     ")\n" + run +
                     "/000002.png: genuine, serial SER-0002 (product 09506000134352, key " +
                     key_id + ")\n");
  // The first code's signature on the second serial: tampered.
  std::string tampered = p1;
  tampered.replace(tampered.find("AB%2F1"), 6, "SER-0002");
  r = run_cli({"authenticate", "--pub", pub, "--payload", tampered});
  CHECK(r.exit_code == 6);
  CHECK(r.out == "payload: forged, serial SER-0002 (no key verifies its signature)\n");
  std::string wrong_digit = p1;
  wrong_digit.replace(wrong_digit.find("09506000134352"), 14, "09506000134353");
  r = run_cli({"authenticate", "--pub", pub, "--json", "--payload", wrong_digit});
  CHECK(r.exit_code == 6);
  CHECK(r.out ==
        "{\"input\": \"payload\", \"verdict\": \"forged\", \"serial\": null, \"product\": null, "
        "\"key_id\": null}\n");
  r = run_cli({"authenticate", "--pub", pub, "--payload", wrong_digit});
  CHECK(r.out ==
        "payload: forged (signed, but not a well-formed payload: the brand never made "
        "it)\n");
  r = run_cli({"authenticate", "--pub", pub, "--payload", kBase + "/21/AB%2F1"});
  CHECK(r.exit_code == 6);
  CHECK(r.out == "payload: unsigned (no signature in the payload)\n");

  const std::string db = (t.root() / "ledger.db").string();
  REQUIRE(run_cli({"ledger", "--db", db, "import", run + "/manifest.csv"}).exit_code == 0);
  r = run_cli({"ledger", "--db", db, "scan", "--pub", pub, "--payload", p1});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "genuine, first scan: serial AB/1 (batch run)\n");
  r = run_cli({"ledger", "--db", db, "scan", "--pub", pub, "--payload", tampered});
  CHECK(r.exit_code == 6);
  CHECK(r.out ==
        "forged: the signature of serial SER-0002 does not verify with the brand's key; "
        "not counted as a scan of the serial\n");
  r = run_cli({"ledger", "--db", db, "scan", "--pub", pub, "--payload", wrong_digit});
  CHECK(r.exit_code == 6);
  CHECK(r.out ==
        "forged: signed, but not a well-formed payload (the brand never made it); not "
        "counted as a scan of any serial\n");
  r = run_cli({"ledger", "--db", db, "scan", "--pub", pub, "--payload", p2});
  CHECK(r.out == "genuine, first scan: serial SER-0002 (batch run)\n");
  r = run_cli({"ledger", "--db", db, "scan", "--pub", pub, "--payload", p1});
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.out, Catch::StartsWith("genuine serial, seen before: serial AB/1 (batch run) seen "
                                      "1 time since "));
}
