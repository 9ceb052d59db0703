// 'viscode ledger' as a brand runs it: issue a signed batch, import its manifest, scan the
// printed code, then a photocopy of it; and the errors that must stop it cleanly.
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "../cli/cli_harness.hpp"
#include "ledger_util.hpp"
#include "viscode/capture.hpp"

using namespace viscode::cli_test;

namespace {

struct ManifestRow {
  std::string serial, payload, file;
};

std::vector<ManifestRow> rows_of(const std::filesystem::path& dir) {
  std::vector<ManifestRow> rows;
  for (const std::vector<std::string>& f : manifest_rows(dir)) {
    REQUIRE(f.size() >= 4);
    rows.push_back({f[1], f[2], f[3]});
  }
  return rows;
}

// A signed batch of n PNG codes in t.out("run1"), with the key pair t.in("brand").
std::vector<ManifestRow> issue_signed_batch(const TempDir& t, int n) {
  REQUIRE(run_cli({"keygen", "--out", t.in("brand").string()}).exit_code == 0);
  std::filesystem::create_directories(t.out("run1"));
  const CliResult made =
      run_cli({"batch", "--logo", kBrandPng, "--template",
               "https://brand.example.com/a/{serial}.{sig}", "--count", std::to_string(n), "--sign",
               t.in("brand.key").string(), "--size", "20mm", "--out-dir", t.out("run1").string()});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  return rows_of(t.out("run1"));
}

// The printed code photocopied and photographed: printed at 0.5 mm modules, then a
// moderate phone capture of the print, saved as JPEG.
std::filesystem::path photocopy(const std::filesystem::path& png, const std::filesystem::path& to) {
  const cv::Mat art = cv::imread(png.string(), cv::IMREAD_UNCHANGED);
  const cv::Mat copy =
      viscode::simulate_capture(art, viscode::capture_preset(viscode::Severity::moderate, 7), 7);
  cv::imwrite(to.string(), copy, {cv::IMWRITE_JPEG_QUALITY, 80});
  return to;
}

void end_to_end(const std::string& db) {
  TempDir t;
  const std::vector<ManifestRow> rows = issue_signed_batch(t, 3);
  REQUIRE(rows.size() == 3);
  const std::string url = db.empty() ? (t.root() / "ledger.db").string() : db;

  const CliResult imported = run_cli({"ledger", "--db", url, "import", t.out("run1").string()});
  CHECK(imported.exit_code == 0);
  CHECK(imported.out ==
        "imported " + t.out("run1").string() + ": 3 rows, 3 new serials, 0 already issued\n");

  const auto pack = t.out("run1") / rows[1].file;
  const CliResult first =
      run_cli({"ledger", "--db", url, "scan", pack.string(), "--at", "2026-11-20T10:00:00Z",
               "--where", "Shop 12, Lyon", "--pub", t.in("brand.pub").string()});
  INFO(first.err);
  CHECK(first.exit_code == 0);
  CHECK(first.out == "genuine, first scan: serial " + rows[1].serial + " (batch run1)\n");

  const auto copy = photocopy(pack, t.in("copy.jpg"));
  const CliResult again = run_cli({"ledger", "--db", url, "--json", "scan", copy.string(), "--at",
                                   "2026-11-21T18:00:00+01:00", "--where", "Market", "--pub",
                                   t.in("brand.pub").string()});
  CHECK(again.exit_code == 6);
  CHECK(again.out == "{\"input\": \"" + copy.string() + "\", \"payload\": \"" + rows[1].payload +
                         "\", \"verdict\": \"seen_before\", \"serial\": \"" + rows[1].serial +
                         "\", \"scans\": 2, \"at\": \"2026-11-21T17:00:00Z\", \"first_at\": "
                         "\"2026-11-20T10:00:00Z\", \"first_where\": \"Shop 12, Lyon\", "
                         "\"batch\": \"run1\", \"authenticity\": \"genuine\"}\n");
  const CliResult third =
      run_cli({"ledger", "--db", url, "scan", rows[1].payload, "--at", "2026-11-22T08:00:00Z"});
  CHECK(third.exit_code == 6);
  CHECK(third.out == "genuine serial, seen before: serial " + rows[1].serial +
                         " (batch run1) seen 2 times since 2026-11-20T10:00:00Z (first at Shop "
                         "12, Lyon): possible copy\n");

  const CliResult status = run_cli({"ledger", "--db", url, "status", rows[1].serial});
  CHECK(status.exit_code == 0);
  CHECK(status.out.starts_with(rows[1].serial + ": issued in batch run1 at "));
  CHECK(
      status.out.ends_with(", scanned 3 times: first 2026-11-20T10:00:00Z (Shop 12, Lyon), last "
                           "2026-11-22T08:00:00Z\n"));
  const CliResult never = run_cli({"ledger", "--db", url, "status", "NOSUCHSERIAL"});
  CHECK(never.exit_code == 6);
  CHECK(never.out == "NOSUCHSERIAL: not issued\n");

  const CliResult stats = run_cli({"ledger", "--db", url, "--json", "stats"});
  CHECK(stats.exit_code == 0);
  CHECK(stats.out == "{\"backend\": \"" + std::string(db.empty() ? "sqlite" : "postgresql") +
                         "\", \"issued\": 3, \"scanned\": 1, \"seen_before\": 1, \"scans\": 3, "
                         "\"not_issued_scans\": 0}\n");
}

}  // namespace

TEST_CASE("cli ledger sqlite: a photocopied signed code is reported as seen before",
          "[cli][ledger]") {
  end_to_end("");
}

TEST_CASE("cli ledger postgresql: a photocopied signed code is reported as seen before",
          "[cli][ledger]") {
  test::FreshLedger fresh("postgresql");
  end_to_end(fresh.url());
}

TEST_CASE("cli ledger: forged and unsigned codes are not counted", "[cli][ledger]") {
  TempDir t;
  const std::vector<ManifestRow> rows = issue_signed_batch(t, 2);
  const std::string db = (t.root() / "ledger.db").string();
  REQUIRE(run_cli({"ledger", "--db", db, "import", t.out("run1").string()}).exit_code == 0);
  REQUIRE(run_cli({"keygen", "--out", t.in("rival").string()}).exit_code == 0);

  const CliResult forged =
      run_cli({"ledger", "--db", db, "scan", rows[0].payload, "--pub", t.in("rival.pub").string()});
  CHECK(forged.exit_code == 6);
  CHECK(forged.out == "forged: the signature of serial " + rows[0].serial +
                          " does not verify with the brand's key; not counted as a scan of the "
                          "serial\n");
  const CliResult bare =
      run_cli({"ledger", "--db", db, "scan", rows[0].serial, "--pub", t.in("brand.pub").string()});
  CHECK(bare.exit_code == 6);
  CHECK(bare.out ==
        "unsigned: the code carries no signature; not counted as a scan of any serial\n");
  const CliResult unknown = run_cli({"ledger", "--db", db, "scan", "https://else.example/x"});
  CHECK(unknown.exit_code == 6);
  CHECK(unknown.out == "not issued: the code carries no serial this ledger knows\n");

  const CliResult stats = run_cli({"ledger", "--db", db, "stats"});
  CHECK(stats.out ==
        "sqlite ledger: 2 serials issued, 0 scanned, 0 scanned more than once (possible "
        "copies); 0 scans of issued serials, 3 scans of codes not issued\n");
}

TEST_CASE("cli ledger: bad input stops with a clear error and records nothing", "[cli][ledger]") {
  TempDir t;
  const std::string db = (t.root() / "ledger.db").string();
  REQUIRE(run_cli({"ledger", "--db", db, "import", test::write_manifest(t.root(), 1, 7).string()})
              .exit_code == 0);
  write_bytes(t.in("notes.db"), std::string(8192, 'n'));

  const CliResult corrupt = run_cli({"ledger", "--db", t.in("notes.db").string(), "stats"});
  CHECK(corrupt.exit_code == 3);
  CHECK(corrupt.err == "viscode: the ledger '" + t.in("notes.db").string() +
                           "' is not a viscode ledger (file is not a database): give --db the "
                           "path of a ledger, or a new file name to start one\n");

  const CliResult down =
      run_cli({"ledger", "--db",
               "postgresql:///viscode?host=" + t.root().string() + "&connect_timeout=2", "stats"});
  CHECK(down.exit_code == 3);
  CHECK(down.err.starts_with(
      "viscode: cannot connect to the ledger at 'postgresql:///viscode?host=" + t.root().string()));

  const CliResult at = run_cli({"ledger", "--db", db, "scan", "S0000001", "--at", "noon"});
  CHECK(at.exit_code == 2);
  CHECK(at.err ==
        "viscode: --at 'noon' is not an ISO 8601 time (year): write e.g. 2026-11-23T14:05:00Z, "
        "2026-11-23T15:05+01:00 or 2026-11-23\n");

  const CliResult missing = run_cli({"ledger", "--db", db, "import", t.in("none.csv").string()});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "viscode: manifest '" + t.in("none.csv").string() +
                           "' cannot be read or has no header row: it is not a viscode batch "
                           "manifest\n");

  const CliResult no_db = run_cli({"ledger", "stats"});
  CHECK(no_db.exit_code == 2);
  CHECK(no_db.err.find("--db is required") != std::string::npos);

  write_bytes(t.in("blank.png"), "");
  cv::imwrite(t.in("blank.png").string(), cv::Mat(200, 200, CV_8UC1, cv::Scalar(255)));
  const CliResult blank = run_cli({"ledger", "--db", db, "scan", t.in("blank.png").string()});
  CHECK(blank.exit_code == 4);
  CHECK(blank.err == "viscode: no code found in '" + t.in("blank.png").string() + "'\n");
  // Every input is tried; an unreadable one decides the exit code.
  write_bytes(t.in("broken.png"), "not a png");
  const CliResult broken = run_cli({"ledger", "--db", db, "scan", t.in("broken.png").string(),
                                    t.in("blank.png").string(), "S0000001"});
  CHECK(broken.exit_code == 3);
  CHECK(broken.err == "viscode: image '" + t.in("broken.png").string() +
                          "' is not a readable image (truncated, corrupt or an unsupported "
                          "format)\nviscode: no code found in '" +
                          t.in("blank.png").string() + "'\n");
  CHECK(broken.out == "S0000001: not issued: serial S0000001 was never imported\n");

  const CliResult stats = run_cli({"ledger", "--db", db, "--json", "stats"});
  CHECK(stats.out ==
        "{\"backend\": \"sqlite\", \"issued\": 1, \"scanned\": 0, \"seen_before\": 0, "
        "\"scans\": 0, \"not_issued_scans\": 1}\n");
}

TEST_CASE("cli ledger: a count of one is singular", "[cli][ledger]") {
  TempDir t;
  const std::string db = (t.root() / "ledger.db").string();
  const auto manifest = test::write_manifest(t.root(), 1);
  const CliResult imported = run_cli({"ledger", "--db", db, "import", manifest.string()});
  CHECK(imported.exit_code == 0);
  CHECK(imported.out ==
        "imported " + manifest.string() + ": 1 row, 1 new serial, 0 already issued\n");
  CHECK(run_cli({"ledger", "--db", db, "scan", "S0000001", "--at", "2026-11-24T10:00:00Z"})
            .exit_code == 0);
  CHECK(run_cli({"ledger", "--db", db, "scan", "https://else.example/x"}).exit_code == 6);
  const CliResult stats = run_cli({"ledger", "--db", db, "stats"});
  CHECK(stats.out ==
        "sqlite ledger: 1 serial issued, 1 scanned, 0 scanned more than once (possible copies); "
        "1 scan of issued serials, 1 scan of codes not issued\n");
  const CliResult again =
      run_cli({"ledger", "--db", db, "scan", "S0000001", "--at", "2026-11-25T10:00:00Z"});
  CHECK(again.out ==
        "genuine serial, seen before: serial S0000001 (batch batch-1) seen 1 time since "
        "2026-11-24T10:00:00Z: possible copy\n");
  const CliResult status = run_cli({"ledger", "--db", db, "status", "S0000001"});
  CHECK(status.out.ends_with(
      ", scanned 2 times: first 2026-11-24T10:00:00Z, last 2026-11-25T10:00:00Z\n"));
}

// A mistyped --db must not become a new, empty ledger that calls every genuine code "not
// issued": only import creates one.
TEST_CASE("cli ledger: only import creates a missing ledger", "[cli][ledger]") {
  for (const std::string& backend : test::ledger_backends()) {
    INFO(backend);
    test::FreshLedger fresh(backend);
    const bool sqlite = backend == "sqlite";
    const std::string db = sqlite ? (fresh.dir() / "ledgr.db").string() : fresh.url();
    const std::string error =
        sqlite ? "viscode: the ledger '" + db + "' does not exist: run 'viscode ledger --db " + db +
                     " import manifest.csv' to create it, or check the path given to --db\n"
               : "viscode: the database at '" + db +
                     "' has no viscode ledger: run 'viscode ledger --db " + db +
                     " import manifest.csv' to create it, or check the URL given to --db\n";
    const std::vector<std::vector<std::string>> commands = {
        {"stats"},
        {"--json", "stats"},
        {"status", "S0000001"},
        {"scan", "S0000001", "--at", "2026-11-24T10:00:00Z"},
        {"scan", "https://v.example/a/S0000001"}};
    for (const std::vector<std::string>& command : commands) {
      std::vector<std::string> args = {"ledger", "--db", db};
      args.insert(args.end(), command.begin(), command.end());
      const CliResult r = run_cli(args);
      INFO(command[0]);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(r.err == error);
      if (sqlite) CHECK_FALSE(std::filesystem::exists(db));
    }
    const auto manifest = test::write_manifest(fresh.dir(), 1);
    const CliResult imported = run_cli({"ledger", "--db", db, "import", manifest.string()});
    CHECK(imported.exit_code == 0);
    CHECK(imported.out ==
          "imported " + manifest.string() + ": 1 row, 1 new serial, 0 already issued\n");
    const CliResult status = run_cli({"ledger", "--db", db, "status", "S0000001"});
    CHECK(status.exit_code == 0);
    CHECK(status.out.ends_with(", never scanned\n"));
  }
}

TEST_CASE("cli ledger: a scan input that looks like a missing file records nothing",
          "[cli][ledger]") {
  TempDir t;
  const std::string db = (t.root() / "ledger.db").string();
  REQUIRE(run_cli({"ledger", "--db", db, "import", test::write_manifest(t.root(), 1).string()})
              .exit_code == 0);
  REQUIRE(run_cli({"keygen", "--out", t.in("brand").string()}).exit_code == 0);
  const std::string no_scans =
      "sqlite ledger: 1 serial issued, 0 scanned, 0 scanned more than once (possible copies); 0 "
      "scans of issued serials, 0 scans of codes not issued\n";
  const auto missing = [](const std::string& path) {
    return "viscode: image '" + path + "' does not exist: check the path, or give --payload '" +
           path + "' to scan it as a text; nothing was recorded\n";
  };

  const CliResult typo = run_cli(
      {"ledger", "--db", db, "scan", "paack.png", "--pub", t.in("brand.pub").string()}, t.root());
  CHECK(typo.exit_code == 3);
  CHECK(typo.out.empty());
  CHECK(typo.err == missing("paack.png"));
  // Every input is checked before any is recorded: the serial before it is not scanned.
  const std::string nested = (t.root() / "photos" / "pack").string();
  const CliResult several = run_cli({"ledger", "--db", db, "scan", "S0000001", nested});
  CHECK(several.exit_code == 3);
  CHECK(several.out.empty());
  CHECK(several.err == missing(nested));
  for (const char* path : {"PACK.JPG", "scan.jpeg", "a.webp", "a.tif", "a.tiff", "a.bmp", "a.svg",
                           "a.pdf", "v.example/a/S0000001"}) {
    const CliResult r = run_cli({"ledger", "--db", db, "scan", path}, t.root());
    INFO(path);
    CHECK(r.exit_code == 3);
    CHECK(r.err == missing(path));
  }
  std::filesystem::create_directories(t.in("photos"));
  const CliResult dir = run_cli({"ledger", "--db", db, "scan", t.in("photos").string()});
  CHECK(dir.exit_code == 3);
  CHECK(dir.err == "viscode: '" + t.in("photos").string() +
                       "' is not an image file (a directory or a device): give image files, or "
                       "--payload TEXT to scan a text; nothing was recorded\n");
  CHECK(run_cli({"ledger", "--db", db, "stats"}).out == no_scans);

  // Payload texts: a URL, a serial, and anything given with --payload.
  const CliResult url = run_cli({"ledger", "--db", db, "scan", "https://v.example/a/S0000001"});
  CHECK(url.exit_code == 0);
  CHECK(url.out == "genuine, first scan: serial S0000001 (batch batch-1)\n");
  const CliResult text = run_cli(
      {"ledger", "--db", db, "scan", "--payload", "paack.png", "--payload", "v.example/a/S0000001"},
      t.root());
  CHECK(text.exit_code == 6);
  CHECK(text.out ==
        "paack.png: not issued: the code carries no serial this ledger knows\n"
        "v.example/a/S0000001: not issued: the code carries no serial this ledger knows\n");
  CHECK(run_cli({"ledger", "--db", db, "stats"}).out ==
        "sqlite ledger: 1 serial issued, 1 scanned, 0 scanned more than once (possible copies); "
        "1 scan of issued serials, 2 scans of codes not issued\n");

  const CliResult nothing = run_cli({"ledger", "--db", db, "scan"});
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.err ==
        "viscode: ledger scan has nothing to scan: give image files or --payload TEXT\n");
}

TEST_CASE("cli ledger: a serial that is not one is bad usage, checked before the ledger",
          "[cli][ledger]") {
  TempDir t;
  const std::string db = (t.root() / "ledger.db").string();
  const std::string rule =
      "a serial is 1 to 256 bytes of printable text without leading or trailing spaces, as "
      "viscode batch issues them\n";
  const CliResult empty = run_cli({"ledger", "--db", db, "status", ""});
  CHECK(empty.exit_code == 2);
  CHECK(empty.err == "viscode: unknown serial format: '' is not a serial (it is empty): " + rule);
  CHECK_FALSE(std::filesystem::exists(db));  // bad usage opens no ledger

  REQUIRE(run_cli({"ledger", "--db", db, "import", test::write_manifest(t.root(), 1).string()})
              .exit_code == 0);
  const CliResult long_serial =
      run_cli({"ledger", "--db", db, "status", "S0000001" + std::string(300, 'X')});
  CHECK(long_serial.exit_code == 2);
  CHECK(long_serial.out.empty());
  CHECK(long_serial.err == "viscode: unknown serial format: 'S0000001" + std::string(32, 'X') +
                               "...' is not a serial (308 bytes, over 256): " + rule);
  const CliResult tab = run_cli({"ledger", "--db", db, "--json", "status", "S00\t01"});
  CHECK(tab.exit_code == 2);
  CHECK(tab.out.empty());
  CHECK(
      tab.err ==
      "viscode: unknown serial format: 'hex:533030093031' is not a serial (a control character): " +
          rule);
  // A well-formed serial the ledger never imported is an answer, not an error.
  const CliResult never = run_cli({"ledger", "--db", db, "status", "AB 12"});
  CHECK(never.exit_code == 6);
  CHECK(never.out == "AB 12: not issued\n");
}

// --at can date a scan before the serial's first one; status still shows first <= last.
TEST_CASE("cli ledger: a backdated scan is seen before and becomes the first by time",
          "[cli][ledger]") {
  TempDir t;
  const std::string db = (t.root() / "ledger.db").string();
  REQUIRE(run_cli({"ledger", "--db", db, "import", test::write_manifest(t.root(), 1).string()})
              .exit_code == 0);
  const CliResult lyon = run_cli({"ledger", "--db", db, "scan", "S0000001", "--at",
                                  "2026-11-24T10:00:00Z", "--where", "Lyon"});
  CHECK(lyon.exit_code == 0);
  const CliResult paris = run_cli({"ledger", "--db", db, "scan", "S0000001", "--at",
                                   "2026-11-20T08:00:00Z", "--where", "Paris"});
  CHECK(paris.exit_code == 6);
  CHECK(paris.out ==
        "genuine serial, seen before: serial S0000001 (batch batch-1) seen 1 time before this "
        "scan was recorded, none dated earlier than it (2026-11-20T08:00:00Z): possible copy\n");
  const CliResult status = run_cli({"ledger", "--db", db, "status", "S0000001"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.ends_with(
      ", scanned 2 times: first 2026-11-20T08:00:00Z (Paris), last 2026-11-24T10:00:00Z "
      "(Lyon)\n"));
  const CliResult nice = run_cli({"ledger", "--db", db, "scan", "S0000001", "--at",
                                  "2026-11-22T12:00:00Z", "--where", "Nice"});
  CHECK(nice.exit_code == 6);
  CHECK(nice.out ==
        "genuine serial, seen before: serial S0000001 (batch batch-1) seen 2 times since "
        "2026-11-20T08:00:00Z (first at Paris): possible copy\n");
  CHECK(run_cli({"ledger", "--db", db, "stats"}).out ==
        "sqlite ledger: 1 serial issued, 1 scanned, 1 scanned more than once (possible copies); 3 "
        "scans of issued serials, 0 scans of codes not issued\n");
}

namespace {

// A libpq keyword/value string for the fixture's URL (dbname replaced when given), with a
// password that the server (trust authentication) never asks for: the form a brand's
// operations may well put in $VISCODE_LEDGER.
std::string keyword_form(const std::string& url, const std::string& password,
                         const std::string& dbname = "") {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  PQfreemem(error);
  REQUIRE(options != nullptr);
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    std::string value = std::string(o->keyword) == "dbname" && !dbname.empty() ? dbname : o->val;
    std::string quoted;
    for (const char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out += std::string(o->keyword) + "='" + quoted + "' ";
  }
  PQconninfoFree(options);
  return out + "password=" + password;
}

}  // namespace

TEST_CASE("cli ledger postgresql: --db takes a libpq keyword string, its password never shown",
          "[cli][ledger][postgresql]") {
  TempDir t;
  test::FreshLedger fresh("postgresql");
  const std::string db = keyword_form(fresh.url(), "hunter2");
  const std::string shown = db.substr(0, db.size() - 7) + "***";
  const auto manifest = test::write_manifest(t.root(), 2);
  // Run in an empty folder: taken as a file name, the string became an SQLite ledger there.
  const CliResult imported =
      run_cli({"ledger", "--db", db, "import", manifest.string()}, t.out_dir());
  INFO(imported.err);
  CHECK(imported.exit_code == 0);
  CHECK(imported.out ==
        "imported " + manifest.string() + ": 2 rows, 2 new serials, 0 already issued\n");
  const CliResult scan = run_cli(
      {"ledger", "--db", db, "scan", "S0000002", "--at", "2026-11-24T10:00:00Z"}, t.out_dir());
  CHECK(scan.exit_code == 0);
  CHECK(scan.out == "genuine, first scan: serial S0000002 (batch batch-1)\n");
  CHECK(listing(t.out_dir()).empty());
  // The same ledger through the fixture's URL: the keywords reached the server.
  const CliResult stats = run_cli({"ledger", "--db", fresh.url(), "stats"});
  CHECK(stats.exit_code == 0);
  CHECK(stats.out ==
        "postgresql ledger: 2 serials issued, 1 scanned, 0 scanned more than once (possible "
        "copies); 1 scan of issued serials, 0 scans of codes not issued\n");

  // A database that does not exist: the message shows the string, its password masked.
  const std::string wrong = keyword_form(fresh.url(), "hunter2", "no_such_ledger_db");
  const CliResult missing = run_cli({"ledger", "--db", wrong, "stats"}, t.out_dir());
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
  const std::string shown_wrong = wrong.substr(0, wrong.size() - 7) + "***";
  CHECK(missing.err.rfind("viscode: cannot connect to the ledger at '" + shown_wrong + "': ", 0) ==
        0);
  CHECK(missing.err.find("hunter2") == std::string::npos);
  CHECK(listing(t.out_dir()).empty());
  CHECK(shown.find("hunter2") == std::string::npos);
}

TEST_CASE("cli ledger: --db text with '=' that is no connection string is refused, no file made",
          "[cli][ledger]") {
  TempDir t;
  const auto manifest = test::write_manifest(t.root(), 1);
  const std::string fix =
      ": give keywords as host=... dbname=... user=..., a postgresql:// URL, or an SQLite file "
      "as sqlite:NAME\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hots=/run/postgresql dbname=ledger password=hunter2",
       "viscode: --db 'hots=/run/postgresql dbname=ledger password=***' has '=' but is not a "
       "PostgreSQL connection string (invalid connection option \"hots\")" +
           fix},
      {"ledger password=hunter2",
       "viscode: --db 'ledger password=***' has '=' but is not a PostgreSQL connection string "
       "(missing \"=\" after \"ledger\" in connection info string)" +
           fix},
      {"runs/a=b.db",
       "viscode: --db 'runs/a=b.db' has '=' but is not a PostgreSQL connection "
       "string (invalid connection option \"runs/a\")" +
           fix},
      {"sqlite:ledger password=hunter2",
       "viscode: --db 'sqlite:ledger password=***' would put a password in a file name: give a "
       "PostgreSQL connection without the sqlite: prefix, or another file name\n"},
  };
  for (const auto& [db, error] : cases) {
    INFO(db);
    for (const std::string command : {"import", "stats"}) {
      std::vector<std::string> args = {"ledger", "--db", db, command};
      if (command == "import") args.push_back(manifest.string());
      const CliResult r = run_cli(args, t.out_dir());
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(r.err == error);
      CHECK(listing(t.out_dir()).empty());
    }
  }
  // A file name with '=' is still a ledger file, said so with sqlite:.
  const std::string db = "sqlite:" + (t.out_dir() / "a=b.db").string();
  const CliResult imported = run_cli({"ledger", "--db", db, "import", manifest.string()});
  CHECK(imported.exit_code == 0);
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"a=b.db"});
}
