// Ledger verdicts, imports and errors, the same on both backends: every case runs once per
// backend under its own name, so ctest says which backend failed.
#include <fmt/core.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "../unit/test_error_util.hpp"
#include "ledger_util.hpp"
#include "viscode/ledger.hpp"
#include "viscode/sign.hpp"

using viscode::ErrorCategory;
using viscode::Ledger;
using viscode::ScanVerdict;
using viscode::test::message_of;

#define LEDGER_CASE(title)                              \
  static void title##_body(const std::string& backend); \
  TEST_CASE("ledger sqlite: " #title, "[ledger]") {     \
    title##_body("sqlite");                             \
  }                                                     \
  TEST_CASE("ledger postgresql: " #title, "[ledger]") { \
    title##_body("postgresql");                         \
  }                                                     \
  static void title##_body(const std::string& backend)

LEDGER_CASE(first_scan_then_seen_before) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  CHECK(ledger.backend() == backend);
  const auto manifest = test::write_manifest(fresh.dir(), 3);
  const viscode::ImportSummary imported = ledger.import_manifest(manifest);
  CHECK(imported.rows == 3);
  CHECK(imported.added == 3);
  CHECK(imported.already_issued == 0);

  const auto first =
      ledger.scan("https://v.example/a/S0000001", {.at = "2026-11-20T10:00:00Z", .where = "Paris"});
  CHECK(first.verdict == ScanVerdict::first_scan);
  CHECK(first.serial == "S0000001");
  CHECK(first.scans == 1);
  CHECK(first.at == "2026-11-20T10:00:00Z");
  CHECK(first.first_at == "2026-11-20T10:00:00Z");
  CHECK(first.first_where == "Paris");
  CHECK(first.batch == "batch-1");

  // A photocopy of the same code, scanned elsewhere later.
  const auto copy = ledger.scan("https://v.example/a/S0000001",
                                {.at = "2026-11-21T09:30:00+01:00", .where = "Berlin"});
  CHECK(copy.verdict == ScanVerdict::seen_before);
  CHECK(copy.serial == "S0000001");
  CHECK(copy.scans == 2);
  CHECK(copy.at == "2026-11-21T08:30:00Z");
  CHECK(copy.first_at == "2026-11-20T10:00:00Z");
  CHECK(copy.first_where == "Paris");

  // A bare serial reads too; a payload no batch issued does not.
  CHECK(ledger.scan("S0000002", {.at = "2026-11-22", .where = ""}).verdict ==
        ScanVerdict::first_scan);
  const auto fake =
      ledger.scan("https://v.example/a/S9999999", {.at = "2026-11-22T12:00Z", .where = "Lyon"});
  CHECK(fake.verdict == ScanVerdict::not_issued);
  CHECK(fake.serial == "S9999999");
  CHECK(fake.scans == 0);
  const auto other = ledger.scan("https://elsewhere.example/?x=1", {});
  CHECK(other.verdict == ScanVerdict::not_issued);
  CHECK(other.serial.empty());

  const viscode::SerialStatus s1 = ledger.status("S0000001");
  CHECK(s1.issued);
  CHECK(s1.batch == "batch-1");
  CHECK(s1.scans == 2);
  CHECK(s1.first_at == "2026-11-20T10:00:00Z");
  CHECK(s1.first_where == "Paris");
  CHECK(s1.last_at == "2026-11-21T08:30:00Z");
  CHECK(s1.last_where == "Berlin");
  CHECK(s1.issued_at.size() == 20);
  const viscode::SerialStatus s3 = ledger.status("S0000003");
  CHECK(s3.issued);
  CHECK(s3.scans == 0);
  CHECK(s3.first_at.empty());
  CHECK_FALSE(ledger.status("S9999999").issued);

  const viscode::LedgerStats st = ledger.stats();
  CHECK(st.issued == 3);
  CHECK(st.scanned == 2);
  CHECK(st.seen_before == 1);
  CHECK(st.scans == 3);
  CHECK(st.not_issued_scans == 2);
}

LEDGER_CASE(state_survives_reopening_and_reimport_is_harmless) {
  test::FreshLedger fresh(backend);
  const auto manifest = test::write_manifest(fresh.dir(), 5);
  {
    Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
    ledger.import_manifest(manifest, "spring run");
    ledger.scan("S0000004", {.at = "2026-11-20T10:00:00Z", .where = "Paris"});
  }
  Ledger ledger = Ledger::open(fresh.url());
  const viscode::ImportSummary again = ledger.import_manifest(manifest.parent_path());
  CHECK(again.rows == 5);
  CHECK(again.added == 0);
  CHECK(again.already_issued == 5);
  CHECK(ledger.status("S0000004").batch == "spring run");
  CHECK(ledger.scan("S0000004", {}).verdict == ScanVerdict::seen_before);
  CHECK(ledger.stats().issued == 5);
}

LEDGER_CASE(import_is_all_or_nothing) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  const auto manifest = test::write_manifest(fresh.dir(), 4);
  {
    std::ofstream out(manifest, std::ios::app | std::ios::binary);
    out << "5,S0000002,https://v.example/a/S0000002,x.png,,," << std::string(64, '0') << "\n";
  }
  CHECK(message_of([&] { ledger.import_manifest(manifest); }, ErrorCategory::input) ==
        "manifest '" + manifest.string() +
            "' line 6: serial 'S0000002' is listed twice; nothing was imported (check the "
            "batch with viscode batch --check)");
  CHECK(ledger.stats().issued == 0);

  // Of several repeats, the one whose second listing comes first is named (not the first
  // serial in key order); a bad row is reported before any repeat.
  const auto repeats = test::write_manifest(fresh.dir(), 6, 200);
  {
    std::ofstream out(repeats, std::ios::app | std::ios::binary);
    out << "7,S0000205,https://v.example/a/S0000205,x.png,,," << std::string(64, '0') << "\n"
        << "8,S0000201,https://v.example/a/S0000201,x.png,,," << std::string(64, '0') << "\n"
        << "9,S0000205,https://v.example/a/S0000205,x.png,,," << std::string(64, '0') << "\n";
  }
  CHECK(message_of([&] { ledger.import_manifest(repeats); }, ErrorCategory::input) ==
        "manifest '" + repeats.string() +
            "' line 8: serial 'S0000205' is listed twice; nothing was imported (check the "
            "batch with viscode batch --check)");
  {
    std::ofstream out(repeats, std::ios::app | std::ios::binary);
    out << "10,,https://v.example/a/,x.png,,," << std::string(64, '0') << "\n";
  }
  CHECK(message_of([&] { ledger.import_manifest(repeats); }, ErrorCategory::input)
            .find("' line 11: ") != std::string::npos);
  CHECK(ledger.stats().issued == 0);

  const auto cut = test::write_manifest(fresh.dir(), 3, 100);
  {
    std::ofstream out(cut, std::ios::app | std::ios::binary);
    out << "4,S0000103,https://v.ex";
  }
  CHECK(message_of([&] { ledger.import_manifest(cut); }, ErrorCategory::input) ==
        "manifest '" + cut.string() +
            "' ends in a cut-off row (the batch is still running or was interrupted): finish it "
            "with viscode batch --resume; nothing was imported");
  CHECK(ledger.stats().issued == 0);
  CHECK(ledger.status("S0000100").issued == false);

  // A failed import leaves no stage behind: the same ledger imports and scans.
  CHECK(ledger.import_manifest(test::write_manifest(fresh.dir(), 2, 300)).added == 2);
  CHECK(ledger.scan("S0000301", {}).verdict == ScanVerdict::first_scan);
}

LEDGER_CASE(imports_a_100k_row_manifest) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  const auto manifest = test::write_manifest(fresh.dir(), 100'000);
  std::int64_t last_progress = 0;
  const auto summary =
      ledger.import_manifest(manifest, {}, [&](std::int64_t rows) { last_progress = rows; });
  CHECK(summary.rows == 100'000);
  CHECK(summary.added == 100'000);
  CHECK(last_progress == 100'000);
  CHECK(ledger.stats().issued == 100'000);
  CHECK(ledger.scan("https://v.example/a/S0100000", {}).verdict == ScanVerdict::first_scan);
  CHECK(ledger.scan("https://v.example/a/S0100001", {}).verdict == ScanVerdict::not_issued);
}

LEDGER_CASE(signed_payloads_carry_their_serial) {
  test::FreshLedger fresh(backend);
  const viscode::SecretKey key = viscode::generate_key();
  const std::string prefix = "https://brand.example.com/a/p/";
  const auto payload = [&](const std::string& serial) {
    return prefix + serial + "." + viscode::sign_serial(key, serial);
  };
  const auto file = fresh.dir() / "signed" / "manifest.csv";
  std::filesystem::create_directories(file.parent_path());
  {
    std::ofstream out(file, std::ios::binary);
    out << "index,serial,payload,file,page,position,sha256\n";
    out << "1,7K3M9Q2W8R4T6Y1B," << payload("7K3M9Q2W8R4T6Y1B") << ",a.png,,,"
        << std::string(64, 'a') << "\n";
    out << "2,0000111122223333," << payload("0000111122223333") << ",b.png,,,"
        << std::string(64, 'b') << "\n";
  }
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  ledger.import_manifest(file);
  const auto scan = ledger.scan(payload("7K3M9Q2W8R4T6Y1B"), {});
  CHECK(scan.verdict == ScanVerdict::first_scan);
  CHECK(scan.serial == "7K3M9Q2W8R4T6Y1B");
  CHECK(ledger.scan(payload("7K3M9Q2W8R4T6Y1B"), {}).verdict == ScanVerdict::seen_before);
  // The ledger counts serials; whether a signature is genuine is authenticate's question.
  CHECK(ledger.scan(payload("ZZZZ0000ZZZZ0000"), {}).verdict == ScanVerdict::not_issued);
  CHECK(ledger.stats().scans == 2);

  // With the brand's key, a forgery of an issued serial is refused and not counted.
  viscode::ScanContext checked;
  checked.keys = {key.public_key()};
  const viscode::SecretKey other = viscode::generate_key();
  const std::string forged =
      prefix + "0000111122223333." + viscode::sign_serial(other, "0000111122223333");
  const auto refused = ledger.scan(forged, checked);
  CHECK(refused.verdict == ScanVerdict::not_authentic);
  CHECK(refused.serial == "0000111122223333");
  REQUIRE(refused.authentication);
  CHECK(refused.authentication->verdict == viscode::Authenticity::forged);
  const auto unsigned_scan = ledger.scan("0000111122223333", checked);
  CHECK(unsigned_scan.verdict == ScanVerdict::not_authentic);
  CHECK(unsigned_scan.authentication->verdict == viscode::Authenticity::unsigned_);
  CHECK(ledger.status("0000111122223333").scans == 0);
  const auto genuine = ledger.scan(payload("0000111122223333"), checked);
  CHECK(genuine.verdict == ScanVerdict::first_scan);
  CHECK(genuine.authentication->verdict == viscode::Authenticity::genuine);
  CHECK(ledger.stats().not_issued_scans == 3);
}

LEDGER_CASE(a_batch_imported_by_another_process_is_recognised) {
  test::FreshLedger fresh(backend);
  Ledger scanner = Ledger::open(fresh.url(), test::kCreate);
  scanner.import_manifest(test::write_manifest(fresh.dir(), 2));
  CHECK(scanner.scan("https://v.example/a/S0000001", {}).verdict == ScanVerdict::first_scan);
  {
    Ledger importer = Ledger::open(fresh.url());
    const auto file = fresh.dir() / "autumn" / "manifest.csv";
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << "index,serial,payload,file,page,position,sha256\n"
        << "1,Q-77,\"https://w.example/?s=Q-77&lang={en}\",q.png,,," << std::string(64, 'c')
        << "\n";
    out.close();
    importer.import_manifest(file);
  }
  const auto scan = scanner.scan("https://w.example/?s=Q-77&lang={en}", {});
  CHECK(scan.verdict == ScanVerdict::first_scan);
  CHECK(scan.serial == "Q-77");
  CHECK(scan.batch == "autumn");
}

namespace {
std::filesystem::path manifest_with(const std::filesystem::path& dir, const std::string& name,
                                    const std::vector<std::pair<std::string, std::string>>& rows) {
  const auto file = dir / name / "manifest.csv";
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << "index,serial,payload,file,page,position,sha256\n";
  int i = 0;
  for (const auto& [serial, payload] : rows) {
    out << ++i << "," << serial << "," << payload << ",f.png,,," << std::string(64, 'd') << "\n";
  }
  return file;
}
}  // namespace

LEDGER_CASE(the_most_specific_template_finds_the_serial) {
  test::FreshLedger fresh(backend);
  Ledger scanner = Ledger::open(fresh.url(), test::kCreate);
  scanner.import_manifest(
      manifest_with(fresh.dir(), "plain", {{"WXYZ", "https://b.example/WXYZ"}}));
  scanner.import_manifest(
      manifest_with(fresh.dir(), "tracked", {{"ABCD", "https://b.example/ABCD?src=qr"}}));
  const auto scan = scanner.scan("https://b.example/ABCD?src=qr");
  CHECK(scan.verdict == ScanVerdict::first_scan);
  CHECK(scan.serial == "ABCD");
  CHECK(scan.batch == "tracked");
  CHECK(scanner.scan("https://b.example/WXYZ").serial == "WXYZ");

  // A batch whose payloads look like bare serials, imported by another process after the
  // scanner read the templates: its template still wins over the bare-serial reading.
  Ledger::open(fresh.url())
      .import_manifest(manifest_with(fresh.dir(), "prefixed", {{"0001", "AB-0001"}}));
  const auto prefixed = scanner.scan("AB-0001");
  CHECK(prefixed.verdict == ScanVerdict::first_scan);
  CHECK(prefixed.serial == "0001");
}

LEDGER_CASE(bad_scan_details_record_nothing) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  ledger.import_manifest(test::write_manifest(fresh.dir(), 1));
  CHECK(
      message_of([&] { ledger.scan("S0000001", {.at = "yesterday", .where = ""}); },
                 ErrorCategory::usage) ==
      "ScanContext.at 'yesterday' is not an ISO 8601 time (year): write e.g. 2026-11-23T14:05:00Z, "
      "2026-11-23T15:05+01:00 or 2026-11-23");
  CHECK(message_of([&] { ledger.scan("S0000001", {.at = "", .where = std::string(201, 'x')}); },
                   ErrorCategory::usage)
            .starts_with("ScanContext.where 'xxxx"));
  CHECK(message_of([&] { ledger.status(""); }, ErrorCategory::usage) ==
        "unknown serial format: '' is not a serial (it is empty): a serial is 1 to 256 bytes of "
        "printable text without leading or trailing spaces, as viscode batch issues them");
  const viscode::LedgerStats st = ledger.stats();
  CHECK(st.scans == 0);
  CHECK(st.not_issued_scans == 0);
  CHECK(ledger.status("S0000001").scans == 0);
}

LEDGER_CASE(a_missing_ledger_is_created_only_when_asked) {
  test::FreshLedger fresh(backend);
  const std::string path = fresh.url().substr(std::string("sqlite:").size());
  const std::string expected =
      backend == "sqlite"
          ? "the ledger '" + path + "' does not exist: run 'viscode ledger --db " + path +
                " import manifest.csv' to create it, or check the path given to Ledger::open(url)"
          : "the database at '" + fresh.url() +
                "' has no viscode ledger: run 'viscode ledger --db " + fresh.url() +
                " import manifest.csv' to create it, or check the URL given to Ledger::open(url)";
  CHECK(message_of([&] { Ledger::open(fresh.url()); }, ErrorCategory::input) == expected);
  // Nothing was created: the same open fails the same way, and no file appeared.
  CHECK(message_of([&] { Ledger::open(fresh.url(), {}); }, ErrorCategory::input) == expected);
  if (backend == "sqlite") CHECK_FALSE(std::filesystem::exists(path));

  CHECK(Ledger::open(fresh.url(), test::kCreate).stats().issued == 0);
  Ledger ledger = Ledger::open(fresh.url());  // exists now
  ledger.import_manifest(test::write_manifest(fresh.dir(), 2));
  CHECK(Ledger::open(fresh.url(), test::kCreate).stats().issued == 2);  // kept as it is
}

// A backdated --at (or a scanner uploading late) does not make the last scan earlier than
// the first: first and last go by scan time. The verdict goes by the order scans are
// recorded, so the serial still has exactly one first_scan.
LEDGER_CASE(first_and_last_scan_are_by_scan_time) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  ledger.import_manifest(test::write_manifest(fresh.dir(), 1));

  const auto lyon = ledger.scan("S0000001", {.at = "2026-11-24T10:00:00Z", .where = "Lyon"});
  CHECK(lyon.verdict == ScanVerdict::first_scan);
  const auto marseille =
      ledger.scan("S0000001", {.at = "2026-11-25T17:30:00Z", .where = "Marseille"});
  CHECK(marseille.verdict == ScanVerdict::seen_before);
  CHECK(marseille.first_at == "2026-11-24T10:00:00Z");

  // Dated before the first scan: seen before (recorded third), and now the earliest.
  const auto paris = ledger.scan("S0000001", {.at = "2026-11-20T08:00:00Z", .where = "Paris"});
  CHECK(paris.verdict == ScanVerdict::seen_before);
  CHECK(paris.scans == 3);
  CHECK(paris.first_at == "2026-11-20T08:00:00Z");
  CHECK(paris.first_where == "Paris");
  // Dated between the first and the last: changes neither.
  const auto nice = ledger.scan("S0000001", {.at = "2026-11-22T12:00:00Z", .where = "Nice"});
  CHECK(nice.verdict == ScanVerdict::seen_before);
  CHECK(nice.first_at == "2026-11-20T08:00:00Z");
  CHECK(nice.first_where == "Paris");

  const viscode::SerialStatus st = ledger.status("S0000001");
  CHECK(st.scans == 4);
  CHECK(st.first_at == "2026-11-20T08:00:00Z");
  CHECK(st.first_where == "Paris");
  CHECK(st.last_at == "2026-11-25T17:30:00Z");
  CHECK(st.last_where == "Marseille");

  // Same second as the first: the first stays; same second as the last: the newer is last.
  ledger.scan("S0000001", {.at = "2026-11-20T08:00:00Z", .where = "Dijon"});
  ledger.scan("S0000001", {.at = "2026-11-25T17:30:00Z", .where = "Toulon"});
  const viscode::SerialStatus tie = ledger.status("S0000001");
  CHECK(tie.first_where == "Paris");
  CHECK(tie.last_where == "Toulon");
  CHECK(ledger.stats().seen_before == 1);
}

// One rule for what a serial is, for import and status alike; its message quotes at most
// 40 characters.
LEDGER_CASE(import_and_status_refuse_the_same_serials) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  const std::string rule =
      "a serial is 1 to 256 bytes of printable text without leading or trailing spaces, as "
      "viscode batch issues them";
  const std::string long_serial(300, 'A');
  const std::vector<std::pair<std::string, std::string>> bad = {
      {long_serial, "unknown serial format: '" + std::string(40, 'A') +
                        "...' is not a serial (300 bytes, over 256): " + rule},
      {"S1\tX",
       "unknown serial format: 'hex:53310958' is not a serial (a control character): " + rule},
      {"S1\xff", "unknown serial format: 'hex:5331ff' is not a serial (not UTF-8 text): " + rule},
      {"S1 ",
       "unknown serial format: 'S1 ' is not a serial (a leading or trailing space): " + rule},
  };
  int n = 0;
  for (const auto& [serial, message] : bad) {
    CHECK(message_of([&] { ledger.status(serial); }, ErrorCategory::usage) == message);
    const auto file = fresh.dir() / ("bad" + std::to_string(++n)) / "manifest.csv";
    std::filesystem::create_directories(file.parent_path());
    {
      std::ofstream out(file, std::ios::binary);
      out << "index,serial,payload,file,page,position,sha256\n"
          << "1,S0000001,https://v.example/a/S0000001,a.png,,," << std::string(64, 'a') << "\n"
          << "2,\"" << serial << "\",https://v.example/a/x,b.png,,," << std::string(64, 'b')
          << "\n";
    }
    CHECK(message_of([&] { ledger.import_manifest(file); }, ErrorCategory::input) ==
          "manifest '" + file.string() + "' line 3: " + message + "; nothing was imported");
  }
  CHECK(message_of([&] { ledger.status(""); }, ErrorCategory::usage) ==
        "unknown serial format: '' is not a serial (it is empty): " + rule);
  // A long multi-byte serial is cut between characters, never inside one.
  std::string accents;
  for (int i = 0; i < 130; ++i) accents += "\xc3\xa9";  // 260 bytes of é
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "\xc3\xa9";
  CHECK(message_of([&] { ledger.status(accents); }, ErrorCategory::usage) ==
        "unknown serial format: '" + forty + "...' is not a serial (260 bytes, over 256): " + rule);
  // Spaces inside, any script: serials viscode batch issues, so only "not issued".
  CHECK_FALSE(ledger.status("AB 12").issued);
  CHECK_FALSE(ledger.status("\xc3\xa9t\xc3\xa9-1").issued);
  CHECK(ledger.stats().issued == 0);
}

TEST_CASE("ledger sqlite: an empty file is not a ledger unless one is created in it", "[ledger]") {
  test::FreshLedger fresh("sqlite");
  const auto empty = fresh.dir() / "empty.db";
  { std::ofstream out(empty, std::ios::binary); }
  CHECK(message_of([&] { Ledger::open(empty.string()); }, ErrorCategory::input) ==
        "the ledger '" + empty.string() +
            "' is empty (no viscode ledger in it yet): run 'viscode "
            "ledger --db " +
            empty.string() +
            " import manifest.csv' to create it, or check the path given to Ledger::open(url)");
  CHECK(std::filesystem::file_size(empty) == 0);
  CHECK(Ledger::open(empty.string(), test::kCreate).stats().issued == 0);
  CHECK(Ledger::open(empty.string()).stats().issued == 0);
}

TEST_CASE("ledger sqlite: another program's database is refused unchanged", "[ledger]") {
  test::FreshLedger fresh("sqlite");
  const auto other = fresh.dir() / "notes.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE notes(text TEXT)", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  CHECK(message_of([&] { Ledger::open(other.string()); }, ErrorCategory::input) ==
        "the ledger '" + other.string() +
            "' is not a viscode ledger (an SQLite database of something else): give "
            "Ledger::open(url) the "
            "path of a ledger, or a new file name to start one");
  // Still in its own journal mode, no WAL files beside it.
  CHECK_FALSE(std::filesystem::exists(other.string() + "-wal"));
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "delete");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_CASE("ledger sqlite: a file that is not a ledger is refused", "[ledger]") {
  test::FreshLedger fresh("sqlite");
  const auto junk = fresh.dir() / "photo.db";
  {
    std::ofstream out(junk, std::ios::binary);
    out << std::string(4096, 'x');
  }
  CHECK(message_of([&] { Ledger::open(junk.string()); }, ErrorCategory::input) ==
        "the ledger '" + junk.string() +
            "' is not a viscode ledger (file is not a database): give Ledger::open(url) the path "
            "of a "
            "ledger, or a new file name to start one");
  CHECK(message_of([&] { Ledger::open(fresh.dir().string()); }, ErrorCategory::input) ==
        "the ledger '" + fresh.dir().string() +
            "' is a directory: give Ledger::open(url) a file name, e.g. " +
            (fresh.dir() / "ledger.db").string());
  const auto missing = fresh.dir() / "no" / "such" / "ledger.db";
  CHECK(message_of([&] { Ledger::open("sqlite:" + missing.string(), test::kCreate); },
                   ErrorCategory::input) == "cannot open the ledger '" + missing.string() +
                                                "' (unable to open database file): check the path "
                                                "given to Ledger::open(url) and its folder's "
                                                "permissions");
  CHECK(message_of([&] { Ledger::open("sqlite:" + missing.string()); }, ErrorCategory::input) ==
        "the ledger '" + missing.string() + "' does not exist: run 'viscode ledger --db " +
            missing.string() +
            " import manifest.csv' to create it, or check the path given to Ledger::open(url)");
  CHECK(message_of([&] { Ledger::open("sqlite:"); }, ErrorCategory::usage) ==
        "Ledger::open(url) is empty: give a ledger file (ledger.db) or a postgresql:// URL");
}

TEST_CASE("ledger: ISO 8601 times are stored in UTC", "[ledger]") {
  using viscode::normalize_time;
  CHECK(normalize_time("2026-11-23") == "2026-11-23T00:00:00Z");
  CHECK(normalize_time("2026-11-23T14:05") == "2026-11-23T14:05:00Z");
  CHECK(normalize_time("2026-11-23T14:05:07.250Z") == "2026-11-23T14:05:07Z");
  CHECK(normalize_time("2026-11-23 14:05:07-05:30") == "2026-11-23T19:35:07Z");
  CHECK(normalize_time("2027-01-01T00:30+0100") == "2026-12-31T23:30:00Z");
  CHECK(normalize_time("2024-02-29T12:00:00Z") == "2024-02-29T12:00:00Z");
  const auto error = [](const char* text) {
    return message_of([&] { normalize_time(text); }, ErrorCategory::usage);
  };
  CHECK(
      error("2025-02-29") ==
      "ScanContext.at '2025-02-29' is not an ISO 8601 time (day): write e.g. 2026-11-23T14:05:00Z, "
      "2026-11-23T15:05+01:00 or 2026-11-23");
  CHECK(error("2026-11-23T24:00").find("(hour)") != std::string::npos);
  CHECK(error("2026-11-23T10:00 CET").find("(time zone as Z or +HH:MM)") != std::string::npos);
  CHECK(error("2026-11-23T10:00Zjunk").find("(unexpected text at the end)") != std::string::npos);
}
