// 'viscode keygen', signed 'encode' and 'batch', and 'viscode authenticate' as a brand runs
// them: key files and their modes, genuine codes, copies signed by someone else, unsigned
// codes, and the errors that must stop a signed run before it writes anything.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "cli_harness.hpp"

using namespace viscode::cli_test;

namespace {

const std::string kSerial = "7K3M9Q2W8R4T6Y1B";
const std::string kTemplate = "https://brand.example.com/a/p/{serial}.{sig}";

int mode_of(const std::filesystem::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

// Makes NAME.key and NAME.pub in t's in/ folder; the key id.
std::string keygen(const TempDir& t, const std::string& name) {
  const CliResult r = run_cli({"keygen", "--out", t.in(name).string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex("^key ([0-9a-f]{16}):")));
  return m[1];
}

std::vector<std::string> signed_encode_args(const TempDir& t, const std::string& key,
                                            const std::filesystem::path& png) {
  return {"encode",           "--logo",   kBrandPng, "--data", kTemplate,   "--sign",
          t.in(key).string(), "--serial", kSerial,   "-o",     png.string()};
}

}  // namespace

TEST_CASE("cli keygen: a 0600 private key, a public key, never overwritten", "[cli][sign]") {
  TempDir t;
  const std::string stem = t.out("brand").string();
  const CliResult r = run_cli({"keygen", "--out", stem});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_match(r.out,
                         std::regex("key [0-9a-f]{16}: private " + stem +
                                    "\\.key \\(keep it secret\\), public " + stem + "\\.pub\n")));
  CHECK(r.err.empty());
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"brand.key", "brand.pub"});
  CHECK(mode_of(stem + ".key") == 0600);
  CHECK(read_bytes(stem + ".key").starts_with("-----BEGIN PRIVATE KEY-----\n"));
  CHECK(read_bytes(stem + ".pub").starts_with("-----BEGIN PUBLIC KEY-----\n"));
  const std::string before = read_bytes(stem + ".key");

  const CliResult again = run_cli({"keygen", "--out", stem});
  CHECK(again.exit_code == 3);
  CHECK(again.out.empty());
  CHECK(again.err == "viscode: '" + stem +
                         ".key' already exists: keys are never overwritten; choose another name "
                         "or move the old key away\n");
  CHECK(read_bytes(stem + ".key") == before);

  const CliResult ext = run_cli({"keygen", "--out", stem + ".key"});
  CHECK(ext.exit_code == 2);
  CHECK(ext.err == "viscode: --out " + stem + ".key names the pair without extension: --out " +
                       stem + " writes " + stem + ".key and " + stem + ".pub\n");
}

TEST_CASE("cli encode --sign then authenticate: genuine, forged, unsigned", "[cli][sign]") {
  TempDir t;
  const std::string id = keygen(t, "brand");
  keygen(t, "other");
  const auto png = t.out("code.png");
  const CliResult e = run_cli(signed_encode_args(t, "brand.key", png));
  INFO(e.out << e.err);
  REQUIRE(e.exit_code == 0);
  // The summary line, then the signed payload.
  const std::size_t nl = e.out.find('\n');
  REQUIRE(nl != std::string::npos);
  const auto summary = parse_summary(e.out.substr(0, nl + 1));
  REQUIRE(summary);
  CHECK(summary->version <= 11);
  CHECK(summary->ec == 'H');
  std::smatch m;
  const std::string note = e.out.substr(nl + 1);
  REQUIRE(std::regex_match(
      note, m,
      std::regex("signed serial " + kSerial + " with key " + id +
                 ": (https://brand\\.example\\.com/a/p/" + kSerial + "\\.[A-Z2-7]{103})\n")));
  const std::string payload = m[1];
  check_reads_back(png, payload);

  CliResult a = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), png.string()});
  CHECK(a.exit_code == 0);
  CHECK(a.out == png.string() + ": genuine, serial " + kSerial + " (key " + id + ")\n");
  CHECK(a.err.empty());

  // Checked with another brand's key: a copy that key never signed.
  a = run_cli({"authenticate", "--pub", t.in("other.pub").string(), png.string()});
  CHECK(a.exit_code == 6);
  CHECK(a.out ==
        png.string() + ": forged, serial " + kSerial + " (no key verifies its signature)\n");

  // A brand that rotated keys passes both; the order does not matter.
  a = run_cli({"authenticate", "--pub", t.in("other.pub").string(), "--pub",
               t.in("brand.pub").string(), png.string(), png.string()});
  CHECK(a.exit_code == 0);
  CHECK(a.out == png.string() + ": genuine, serial " + kSerial + " (key " + id + ")\n" +
                     png.string() + ": genuine, serial " + kSerial + " (key " + id + ")\n");

  a = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), "--json", png.string()});
  CHECK(a.exit_code == 0);
  CHECK(a.out == "{\"input\": \"" + png.string() + "\", \"verdict\": \"genuine\", \"serial\": \"" +
                     kSerial + "\", \"product\": null, \"key_id\": \"" + id + "\"}\n");

  // The payload alone, and with one character changed.
  a = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), "--payload", payload});
  CHECK(a.exit_code == 0);
  CHECK(a.out == "payload: genuine, serial " + kSerial + " (key " + id + ")\n");
  std::string flipped = payload;
  const std::size_t at = flipped.find(kSerial);
  flipped[at] = '8';  // 7K3M... -> 8K3M...
  a = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), "--payload", flipped});
  CHECK(a.exit_code == 6);
  CHECK(a.out == "payload: forged, serial 8K3M9Q2W8R4T6Y1B (no key verifies its signature)\n");
  a = run_cli(
      {"authenticate", "--pub", t.in("brand.pub").string(), "--json", "--payload", flipped});
  CHECK(a.exit_code == 6);
  CHECK(a.out ==
        "{\"input\": \"payload\", \"verdict\": \"forged\", \"serial\": \"8K3M9Q2W8R4T6Y1B\", "
        "\"product\": null, \"key_id\": null}\n");

  // An unsigned code.
  const auto plain = t.out("plain.png");
  REQUIRE(run_cli({"encode", "--logo", kBrandPng, "--data",
                   "https://brand.example.com/a/p/" + kSerial, "-o", plain.string()})
              .exit_code == 0);
  a = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), plain.string()});
  CHECK(a.exit_code == 6);
  CHECK(a.out == plain.string() + ": unsigned (no signature in the payload)\n");
  a = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), "--json", plain.string()});
  CHECK(a.out == "{\"input\": \"" + plain.string() +
                     "\", \"verdict\": \"unsigned\", \"serial\": null, \"product\": null, "
                     "\"key_id\": null}\n");
}

TEST_CASE("cli authenticate: images without a code, unreadable files, wrong keys",
          "[cli][sign][errors]") {
  TempDir t;
  keygen(t, "brand");
  const std::string pub = t.in("brand.pub").string();
  REQUIRE(run_cli({"encode", "--data", "x", "-o", t.in("x.png").string()}).exit_code == 0);
  write_bytes(t.in("notes.txt"), "hello\n");

  CliResult a = run_cli({"authenticate", "--pub", pub, t.in("notes.txt").string()});
  CHECK(a.exit_code == 3);
  CHECK(a.out.empty());
  CHECK(a.err.starts_with("viscode: "));
  CHECK(a.err.find(t.in("notes.txt").string()) != std::string::npos);

  a = run_cli({"authenticate", "--pub", t.in("brand.key").string(), "--payload", "x"});
  CHECK(a.exit_code == 3);
  CHECK(a.err == "viscode: '" + t.in("brand.key").string() +
                     "' is a private key: checking needs only the public key, the NAME.pub file "
                     "written by viscode keygen (keep the .key private)\n");

  a = run_cli({"authenticate", "--pub", t.in("missing.pub").string(), "--payload", "x"});
  CHECK(a.exit_code == 3);
  CHECK(a.err == "viscode: public key file '" + t.in("missing.pub").string() +
                     "' does not exist: check the path (viscode keygen --out NAME writes "
                     "NAME.key and NAME.pub)\n");

  a = run_cli({"authenticate", "--pub", pub});
  CHECK(a.exit_code == 2);
  CHECK(a.err == "viscode: nothing to check: give image files or --payload TEXT\n");
  a = run_cli({"authenticate", "--payload", "x"});
  CHECK(a.exit_code == 2);
  // An empty --payload is given, so it is checked: unsigned, not "nothing to check".
  a = run_cli({"authenticate", "--pub", pub, "--payload", ""});
  CHECK(a.exit_code == 6);
  CHECK(a.err.empty());
  CHECK(a.out == "payload: unsigned (no signature in the payload)\n");
  a = run_cli({"authenticate", "--pub", pub, "--json", "--payload", ""});
  CHECK(a.exit_code == 6);
  CHECK(a.out ==
        "{\"input\": \"payload\", \"verdict\": \"unsigned\", \"serial\": null, \"product\": "
        "null, \"key_id\": null}\n");

  // An image without a code (the logo alone): exit 4, before the 6 of an unsigned code.
  const auto white = t.in("white.png");
  write_bytes(white, read_bytes(kBrandPng));
  a = run_cli({"authenticate", "--pub", pub, white.string(), t.in("x.png").string()});
  CHECK(a.exit_code == 4);
  CHECK(a.err == "viscode: no code found in '" + white.string() + "'\n");
  CHECK(a.out == t.in("x.png").string() + ": unsigned (no signature in the payload)\n");
  a = run_cli({"authenticate", "--pub", pub, "--json", white.string()});
  CHECK(a.exit_code == 4);
  CHECK(a.out == "{\"input\": \"" + white.string() + "\", \"error\": \"no code found in '" +
                     white.string() + "'\"}\n");
}

TEST_CASE("cli encode --sign: flags that do not go together", "[cli][sign][errors]") {
  TempDir t;
  keygen(t, "brand");
  const std::string key = t.in("brand.key").string();
  const std::string out = t.out("code.png").string();
  const auto fails = [&](const std::vector<std::string>& args, int code, const std::string& err) {
    std::vector<std::string> full{"encode"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"-o", out});
    const CliResult r = run_cli(full);
    INFO(r.out);
    CHECK(r.exit_code == code);
    CHECK(r.err == "viscode: " + err + "\n");
    CHECK(listing(t.out_dir()).empty());
  };
  fails({"--data", "https://b.example/a/{serial}", "--sign", key, "--serial", kSerial}, 2,
        "--data 'https://b.example/a/{serial}' has no {sig}: a signed payload needs "
        "{serial}.{sig} (the serial, a '.' and the signature), e.g. "
        "'https://b.example/a/{serial}.{sig}'");
  fails({"--data", "https://b.example/a/{serial}.{sig}"}, 2,
        "--data 'https://b.example/a/{serial}.{sig}' has {sig}: placeholders are filled only "
        "when signing; give --sign KEY --serial SERIAL, or write the payload out");
  fails({"--data", "https://b.example/a/{serial}.{sig}", "--sign", key}, 2,
        "--sign needs --serial: the serial to sign, e.g. --serial 7K3M9Q2W8R4T6Y1B");
  fails({"--data", "https://b.example/a/X", "--serial", kSerial}, 2,
        "--serial is for signed codes: give --sign KEY too (a .key file from viscode keygen)");
  fails({"--data", "https://b.example/a/{serial}.{sig}", "--sign", key, "--serial", "sn-1"}, 2,
        "unknown serial format: 'sn-1' cannot be signed; a signed serial is 4 to 40 characters "
        "of 0-9 and A-Z (upper case)");
  fails({"--data", "https://b.example/a/{serial}.{sig}", "--sign", key, "--serial", kSerial,
         "--product", "SHOE42"},
        2,
        "--product 'SHOE42' is signed with each serial, so the payload must show it: put "
        "{product} in --data 'https://b.example/a/{serial}.{sig}', e.g. "
        "'https://b.example/a/{product}/{serial}.{sig}'");
  fails({"--data", "https://b.example/a/{serial}{sig}", "--sign", key, "--serial", kSerial}, 2,
        "--data 'https://b.example/a/{serial}{sig}' must have {serial}.{sig}: {sig} right after "
        "{serial} and a '.' (no other character), e.g. 'https://b.example/a/{serial}.{sig}'");
  fails({"--data", "https://b.example/a/{serial}-{sig}", "--sign", key, "--serial", kSerial}, 2,
        "--data 'https://b.example/a/{serial}-{sig}' must have {serial}.{sig}: {sig} right after "
        "{serial} and a '.' (no other character), e.g. 'https://b.example/a/{serial}.{sig}'");
  fails({"--data", "https://b.example/a/{product}.{serial}.{sig}", "--sign", key, "--serial",
         kSerial, "--product", "SHOE42"},
        2,
        "--data 'https://b.example/a/{product}.{serial}.{sig}' must have {product}/{serial}: "
        "{serial} right after {product} and a '/' (no other character), e.g. "
        "'https://b.example/a/{product}/{serial}.{sig}'");
  fails({"--data", "https://b.example/a/{serial}.{sig}", "--sign", t.in("brand.pub").string(),
         "--serial", kSerial},
        3,
        t.in("brand.pub").string().insert(0, 1, '\'') +
            "' is a public key: signing needs the private key, the NAME.key file written by "
            "viscode keygen");
}

TEST_CASE("cli batch --sign: every manifest payload authenticates, resume needs the key",
          "[cli][sign][batch]") {
  TempDir t;
  const std::string id = keygen(t, "brand");
  const std::string other_id = keygen(t, "other");
  const auto args = [&](const std::string& key) {
    std::vector<std::string> a = {"batch",
                                  "--logo",
                                  kBrandPng,
                                  "--template",
                                  "https://b.example/a/{product}/{serial}.{sig}",
                                  "--count",
                                  "6",
                                  "--out-dir",
                                  t.out_dir().string(),
                                  "--jobs",
                                  "2"};
    if (!key.empty()) a.insert(a.end(), {"--sign", t.in(key).string(), "--product", "SHOE42"});
    return a;
  };
  const CliResult r = run_cli(args("brand.key"));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_match(r.out,
                         std::regex("serials signed with key " + id +
                                    " for product SHOE42\n6 codes \\(version (10|11)\\) in .*\n")));
  CHECK(read_bytes(t.out("batch-settings.txt")).find("\nsign=key " + id + " product SHOE42\n") !=
        std::string::npos);
  const auto rows = manifest_rows(t.out_dir());
  REQUIRE(rows.size() == 6);
  for (const auto& row : rows) {
    const CliResult a = run_cli({"authenticate", "--pub", t.in("other.pub").string(), "--pub",
                                 t.in("brand.pub").string(), "--payload", row[2]});
    CHECK(a.exit_code == 0);
    CHECK(a.out == "payload: genuine, serial " + row[1] + " (product SHOE42, key " + id + ")\n");
  }
  const std::string first = (t.out_dir() / rows[0][3]).string();
  check_reads_back(first, rows[0][2]);
  const CliResult img = run_cli({"authenticate", "--pub", t.in("brand.pub").string(), first});
  CHECK(img.exit_code == 0);
  CHECK(img.out ==
        first + ": genuine, serial " + rows[0][1] + " (product SHOE42, key " + id + ")\n");

  // Resuming with another brand's key would mix two keys in one run.
  const std::string manifest = read_bytes(t.out("manifest.csv"));
  std::vector<std::string> run = args("other.key");
  run.push_back("--resume");
  const CliResult other = run_cli(run);
  CHECK(other.exit_code == 2);
  CHECK(other.err == "viscode: --resume needs the options the run in '" + t.out_dir().string() +
                         "' started with (batch-settings.txt): 'sign=key " + id +
                         " product SHOE42' then, 'sign=key " + other_id + " product SHOE42' now\n");
  CHECK(read_bytes(t.out("manifest.csv")) == manifest);
  // Resuming unsigned is refused too (with the template's {sig} named first).
  run = args("");
  run.push_back("--resume");
  CHECK(run_cli(run).exit_code == 2);
  // With the same key it resumes (nothing left to make).
  run = args("brand.key");
  run.push_back("--resume");
  const CliResult same = run_cli(run);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find(": 0 made in") != std::string::npos);
  CHECK(read_bytes(t.out("manifest.csv")) == manifest);
}

TEST_CASE("cli batch --sign: a serial that cannot be signed stops the run before any file",
          "[cli][sign][batch][errors]") {
  TempDir t;
  keygen(t, "brand");
  const auto list = t.in("serials.txt");
  write_bytes(list, "SN000001\nsn-2\nSN000003\n");
  CliResult r = run_cli({"batch", "--template", "https://b.example/a/{serial}.{sig}", "--serials",
                         list.string(), "--sign", t.in("brand.key").string(), "--out-dir",
                         t.out_dir().string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: line 2 of '" + list.string() +
                     "': unknown serial format: 'sn-2' cannot be signed; a signed serial is 4 to "
                     "40 characters of 0-9 and A-Z (upper case); fix the file or run without "
                     "--sign\n");
  CHECK(listing(t.out_dir()).empty());

  r = run_cli({"batch", "--template", "https://b.example/a/{serial}", "--count", "3", "--sign",
               t.in("brand.key").string(), "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "viscode: --template 'https://b.example/a/{serial}' has no {sig}: a signed payload needs "
        "{serial}.{sig} (the serial, a '.' and the signature), e.g. "
        "'https://b.example/a/{serial}.{sig}'\n");
  CHECK(listing(t.out_dir()).empty());

  r = run_cli({"batch", "--template", "https://b.example/a/{serial}.{sig}", "--count", "3",
               "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "viscode: --template 'https://b.example/a/{serial}.{sig}' has {sig}: sign with "
        "--sign KEY (a .key file from viscode keygen), or remove {sig}\n");
  CHECK(listing(t.out_dir()).empty());

  r = run_cli({"batch", "--template", "https://b.example/a/{serial}", "--count", "3", "--product",
               "SHOE42", "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: --product 'SHOE42' is signed with each serial: give --sign KEY too\n");

  r = run_cli({"batch", "--template", "https://b.example/a/{serial}.{sig}", "--count", "3",
               "--alphabet", "abcdefgh", "--sign", t.in("brand.key").string(), "--out-dir",
               t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "viscode: unknown serial format: random serials of 16 characters from "
        "'abcdefgh' cannot be signed; a signed serial is 4 to 40 characters of 0-9 and "
        "A-Z (upper case)\n");
  CHECK(listing(t.out_dir()).empty());
}

TEST_CASE("cli batch --sign: a signed payload over --max-version stops before any file",
          "[cli][sign][batch][errors]") {
  TempDir t;
  keygen(t, "brand");
  const CliResult r = run_cli({"batch", "--template", "https://b.example/a/{serial}.{sig}",
                               "--count", "3", "--sign", t.in("brand.key").string(), "--ec", "H",
                               "--max-version", "8", "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 4);
  CHECK(r.err ==
        "viscode: the longest signed payload, 'https://b.example/a/ZZZZZZZZZZZZZZZZ.<sig>' with "
        "its 103-character signature (140 bytes), does not fit: payload is 140 bytes but EC "
        "level H holds at most 84 bytes (byte mode) up to version 8: shorten the payload, lower "
        "--ec or raise --max-version\n");
  CHECK(listing(t.out_dir()).empty());
}

TEST_CASE("cli help lists the signing commands and exit code 6", "[cli][sign]") {
  const CliResult r = run_cli({"--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("6 not authentic (a forged or unsigned code)") != std::string::npos);
  CHECK(r.out.find("keygen") != std::string::npos);
  CHECK(r.out.find("authenticate") != std::string::npos);
  const CliResult e = run_cli({"encode", "--help"});
  for (const char* flag : {"--sign", "--serial", "--product"}) {
    INFO(flag);
    CHECK(e.out.find(flag) != std::string::npos);
  }
  const CliResult b = run_cli({"batch", "--help"});
  CHECK(b.out.find("--sign") != std::string::npos);
  CHECK(b.out.find("--product") != std::string::npos);
}
