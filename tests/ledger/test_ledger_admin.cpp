// The brand's view of the ledger (batch_stats, copies, scans_per_day), the same on both
// backends: two batches, scans at fixed times, and the exact rows each query returns.
#include <fmt/core.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <regex>

#include "../unit/test_error_util.hpp"
#include "ledger_util.hpp"
#include "viscode/ledger.hpp"

using viscode::ErrorCategory;
using viscode::Ledger;
using viscode::test::message_of;

#define LEDGER_ADMIN_CASE(title)                        \
  static void title##_body(const std::string& backend); \
  TEST_CASE("ledger sqlite: " #title, "[ledger]") {     \
    title##_body("sqlite");                             \
  }                                                     \
  TEST_CASE("ledger postgresql: " #title, "[ledger]") { \
    title##_body("postgresql");                         \
  }                                                     \
  static void title##_body(const std::string& backend)

namespace {

// "spring run": S0000001..3, then "autumn": S0000004..5. S0000001 is scanned three times
// (Paris, then Berlin and Lyon the next day), S0000002 once, S0000004 twice; one scan of a
// serial never issued.
void fill(Ledger& ledger, const test::FreshLedger& fresh) {
  ledger.import_manifest(test::write_manifest(fresh.dir(), 3, 1), "spring run");
  ledger.import_manifest(test::write_manifest(fresh.dir(), 2, 4), "autumn");
  const auto scan = [&](const char* serial, const char* at, const char* where) {
    ledger.scan(std::string("https://v.example/a/") + serial, {.at = at, .where = where});
  };
  scan("S0000001", "2026-11-20T10:00:00Z", "Paris");
  scan("S0000002", "2026-11-20T12:00:00Z", "");
  scan("S0000001", "2026-11-21T08:00:00Z", "Berlin");
  scan("S0000001", "2026-11-21T09:00:00Z", "Lyon");
  scan("S0000004", "2026-11-22T10:00:00Z", "Madrid");
  scan("S0000004", "2026-11-22T11:00:00Z", "Rome");
  scan("S9999999", "2026-11-22T12:00:00Z", "Oslo");
}

}  // namespace

LEDGER_ADMIN_CASE(batch_stats_count_each_batch) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  fill(ledger, fresh);
  const std::vector<viscode::BatchStats> all = ledger.batch_stats();
  REQUIRE(all.size() == 2);
  // The latest imported first (or by name when imported in the same second).
  CHECK(all[0].batch == "autumn");
  CHECK(all[0].issued == 2);
  CHECK(all[0].scanned == 1);
  CHECK(all[0].seen_before == 1);
  CHECK(all[0].scans == 2);
  CHECK(all[0].first_at == "2026-11-22T10:00:00Z");
  CHECK(all[0].last_at == "2026-11-22T11:00:00Z");
  CHECK(all[0].issued_at.size() == 20);
  CHECK(all[1].batch == "spring run");
  CHECK(all[1].issued == 3);
  CHECK(all[1].scanned == 2);
  CHECK(all[1].seen_before == 1);
  CHECK(all[1].scans == 4);
  CHECK(all[1].first_at == "2026-11-20T10:00:00Z");
  CHECK(all[1].last_at == "2026-11-21T09:00:00Z");

  const auto one = ledger.batch_stats("spring run");
  REQUIRE(one.size() == 1);
  CHECK(one[0].scans == 4);
  CHECK(ledger.batch_stats("no such batch").empty());
  const auto limited = ledger.batch_stats({}, 1);
  REQUIRE(limited.size() == 1);
  CHECK(limited[0].batch == "autumn");

  // A batch never scanned has no scan times.
  Ledger other = Ledger::open(fresh.url());
  other.import_manifest(test::write_manifest(fresh.dir(), 1, 7), "winter");
  const auto winter = other.batch_stats("winter");
  REQUIRE(winter.size() == 1);
  CHECK(winter[0].issued == 1);
  CHECK(winter[0].scans == 0);
  CHECK(winter[0].first_at.empty());
  CHECK(winter[0].last_at.empty());
}

LEDGER_ADMIN_CASE(copies_are_serials_scanned_more_than_once_with_their_scans) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  fill(ledger, fresh);
  const std::vector<viscode::CopyRecord> copies = ledger.copies();
  REQUIRE(copies.size() == 2);
  // The latest scanned first.
  const viscode::CopyRecord& c4 = copies[0];
  CHECK(c4.serial == "S0000004");
  CHECK(c4.batch == "autumn");
  CHECK(c4.scans == 2);
  CHECK(c4.first_at == "2026-11-22T10:00:00Z");
  CHECK(c4.first_where == "Madrid");
  CHECK(c4.last_at == "2026-11-22T11:00:00Z");
  CHECK(c4.last_where == "Rome");
  REQUIRE(c4.history.size() == 2);
  CHECK(c4.history[0].at == "2026-11-22T10:00:00Z");
  CHECK(c4.history[0].where == "Madrid");
  CHECK(c4.history[0].count == 1);
  CHECK(c4.history[0].payload == "https://v.example/a/S0000004");
  CHECK(c4.history[1].where == "Rome");
  CHECK(c4.history[1].count == 2);

  const viscode::CopyRecord& c1 = copies[1];
  CHECK(c1.serial == "S0000001");
  CHECK(c1.batch == "spring run");
  CHECK(c1.scans == 3);
  REQUIRE(c1.history.size() == 3);
  CHECK(c1.history[0].where == "Paris");
  CHECK(c1.history[1].where == "Berlin");
  CHECK(c1.history[2].where == "Lyon");
  CHECK(c1.history[2].at == "2026-11-21T09:00:00Z");
  CHECK(c1.history[2].count == 3);

  // One batch; a limit on copies; a limit on the scans of each: the earliest and the latest.
  const auto spring = ledger.copies("spring run");
  REQUIRE(spring.size() == 1);
  CHECK(spring[0].serial == "S0000001");
  const auto first_only = ledger.copies({}, 1);
  REQUIRE(first_only.size() == 1);
  CHECK(first_only[0].serial == "S0000004");
  const auto short_history = ledger.copies("spring run", 10, 2);
  REQUIRE(short_history.size() == 1);
  REQUIRE(short_history[0].history.size() == 2);
  CHECK(short_history[0].history[0].where == "Paris");
  CHECK(short_history[0].history[1].where == "Lyon");
  CHECK(ledger.copies("no such batch").empty());

  // A backdated scan takes its place by time: first in the history, with the count it made.
  ledger.scan("https://v.example/a/S0000001", {.at = "2026-11-19T07:00:00Z", .where = "Oslo"});
  const auto again = ledger.copies("spring run", 10, 2);
  REQUIRE(again[0].history.size() == 2);
  CHECK(again[0].history[0].where == "Oslo");
  CHECK(again[0].history[0].count == 4);
  CHECK(again[0].history[1].where == "Lyon");
  CHECK(again[0].first_where == "Oslo");
}

namespace {

// Runs SQL on the ledger's own database, behind the library's back; the rows of a query as
// "a|b" lines.
std::string run_sql(const std::string& url, const std::string& sql) {
  std::string out;
  if (url.starts_with("sqlite:")) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(url.substr(7).c_str(), &db) == SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(
        db, sql.c_str(),
        [](void* o, int n, char** values, char**) {
          auto* text = static_cast<std::string*>(o);
          for (int i = 0; i < n; ++i) {
            if (i > 0) *text += '|';
            *text += values[i];
          }
          *text += "\n";
          return 0;
        },
        &out, &error);
    const std::string why = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(why == "");
    REQUIRE(rc == SQLITE_OK);
    return out;
  }
  PGconn* c = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  const std::string why = PQresultErrorMessage(r);
  for (int row = 0; status == PGRES_TUPLES_OK && row < PQntuples(r); ++row) {
    for (int col = 0; col < PQnfields(r); ++col) {
      if (col > 0) out += '|';
      out += PQgetvalue(r, row, col);
    }
    out += "\n";
  }
  PQclear(r);
  PQfinish(c);
  REQUIRE(why == "");
  return out;
}

std::string viscode_indexes(const std::string& url) {
  return run_sql(url, url.starts_with("sqlite:")
                          ? "SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE "
                            "'viscode_s%' ORDER BY name"
                          : "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'viscode_s%' "
                            "ORDER BY indexname");
}

std::string copies_text(Ledger& ledger) {
  std::string out;
  for (const viscode::CopyRecord& c : ledger.copies()) {
    out += c.serial + ":";
    for (const viscode::CopyScan& s : c.history) out += " " + s.at + "@" + s.where;
    out += "\n";
  }
  return out;
}

}  // namespace

// The brand's view finds copies and their scans through two indexes (not the whole ledger);
// a ledger made before them gets them when it is next opened, with the same answers.
LEDGER_ADMIN_CASE(copies_are_indexed_also_in_older_ledgers) {
  test::FreshLedger fresh(backend);
  const std::string kIndexes = "viscode_scans_serial\nviscode_serials_copies\n";
  const std::string kCopies =
      "S0000004: 2026-11-22T10:00:00Z@Madrid 2026-11-22T11:00:00Z@Rome\n"
      "S0000001: 2026-11-20T10:00:00Z@Paris 2026-11-21T08:00:00Z@Berlin "
      "2026-11-21T09:00:00Z@Lyon\n";
  {
    Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
    fill(ledger, fresh);
    CHECK(copies_text(ledger) == kCopies);
  }
  CHECK(viscode_indexes(fresh.url()) == kIndexes);
  const std::string drop = "DROP INDEX viscode_scans_serial; DROP INDEX viscode_serials_copies;";
  run_sql(fresh.url(), drop);
  CHECK(viscode_indexes(fresh.url()).empty());
  {
    Ledger ledger = Ledger::open(fresh.url());
    CHECK(copies_text(ledger) == kCopies);
  }
  CHECK(viscode_indexes(fresh.url()) == kIndexes);
  if (backend != "postgresql") return;

  // A role that may read and write the tables but not own them: the ledger opens and
  // answers the same, without the indexes it cannot create.
  run_sql(fresh.url(), drop);
  const std::string role = "reader_" + fresh.url().substr(14, fresh.url().find('?') - 14);
  run_sql(fresh.url(), fmt::format("CREATE ROLE {0} LOGIN; GRANT SELECT, INSERT, UPDATE ON "
                                   "serials, scans, templates, viscode_meta TO {0}; GRANT USAGE "
                                   "ON SEQUENCE scans_id_seq TO {0}",
                                   role));
  const std::string as_role =
      std::regex_replace(fresh.url(), std::regex("user=[a-z_]+"), "user=" + role);
  {
    Ledger ledger = Ledger::open(as_role);
    CHECK(copies_text(ledger) == kCopies);
    CHECK(ledger.scan("https://v.example/a/S0000003").verdict == viscode::ScanVerdict::first_scan);
  }
  CHECK(viscode_indexes(fresh.url()).empty());
  run_sql(fresh.url(), fmt::format("DROP OWNED BY {0}; DROP ROLE {0}", role));
}

LEDGER_ADMIN_CASE(scans_per_day_of_issued_serials) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  fill(ledger, fresh);
  const std::vector<viscode::DayScans> days = ledger.scans_per_day();
  REQUIRE(days.size() == 3);
  CHECK(days[0].day == "2026-11-20");
  CHECK(days[0].scans == 2);
  CHECK(days[0].seen_before == 0);
  CHECK(days[1].day == "2026-11-21");
  CHECK(days[1].scans == 2);
  CHECK(days[1].seen_before == 2);
  CHECK(days[2].day == "2026-11-22");  // the scan of a serial never issued is not counted
  CHECK(days[2].scans == 2);
  CHECK(days[2].seen_before == 1);

  const auto autumn = ledger.scans_per_day("autumn");
  REQUIRE(autumn.size() == 1);
  CHECK(autumn[0].day == "2026-11-22");
  CHECK(autumn[0].scans == 2);
  const auto latest = ledger.scans_per_day({}, 2);  // the latest two days, oldest first
  REQUIRE(latest.size() == 2);
  CHECK(latest[0].day == "2026-11-21");
  CHECK(latest[1].day == "2026-11-22");
  CHECK(ledger.scans_per_day("no such batch").empty());
}

LEDGER_ADMIN_CASE(admin_query_limits_are_checked) {
  test::FreshLedger fresh(backend);
  Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
  CHECK(message_of([&] { ledger.copies({}, 0); }, ErrorCategory::usage) ==
        "copies limit 0 is out of range: give 1 to 100000");
  CHECK(message_of([&] { ledger.copies({}, 10, 1); }, ErrorCategory::usage) ==
        "copies history 1 is out of range: give 2 to 1000");
  CHECK(message_of([&] { ledger.batch_stats({}, 100001); }, ErrorCategory::usage) ==
        "batch_stats limit 100001 is out of range: give 1 to 100000");
  CHECK(message_of([&] { ledger.scans_per_day({}, 0); }, ErrorCategory::usage) ==
        "scans_per_day days 0 is out of range: give 1 to 3660");
  // An empty ledger answers empty lists.
  CHECK(ledger.batch_stats().empty());
  CHECK(ledger.copies().empty());
  CHECK(ledger.scans_per_day().empty());
}
