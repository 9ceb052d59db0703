// What only the PostgreSQL backend has: connection errors, a database that is not a ledger,
// transactions that must not stay open, a connection the server dropped. Each case runs on
// its own database of the server the pg_server ctest fixture started, read through an admin
// connection, so that the checks look at what was stored rather than at what the backend
// says it stored.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../unit/test_error_util.hpp"
#include "ledger/backend.hpp"
#include "ledger_util.hpp"
#include "viscode/error.hpp"
#include "viscode/ledger.hpp"

using viscode::ErrorCategory;
using viscode::Ledger;
using viscode::test::message_of;

namespace {

// The server's URL, from the fixture's file.
std::string server_url() {
  std::ifstream in(VISCODE_PG_URL_FILE);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty()) {
    FAIL("no PostgreSQL test server: " << VISCODE_PG_URL_FILE
                                       << " is missing: run through ctest, which starts the "
                                          "server (pg_server_start)");
  }
  return url;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The value of a query parameter of a libpq URI ("host" of "...?host=/x&user=y").
std::string query_param(const std::string& url, const std::string& key) {
  const auto query = url.find('?');
  REQUIRE(query != std::string::npos);
  std::size_t pos = query + 1;
  while (pos < url.size()) {
    const auto end = std::min(url.find('&', pos), url.size());
    const std::string pair = url.substr(pos, end - pos);
    if (pair.rfind(key + "=", 0) == 0) return percent_decode(pair.substr(key.size() + 1));
    pos = end + 1;
  }
  FAIL("the server URL " << url << " has no " << key << "= parameter");
  return {};
}

// url with its database (the URI's path) replaced.
std::string with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme + 3);
  const auto query = url.find('?');
  REQUIRE(slash != std::string::npos);
  return url.substr(0, slash + 1) + database +
         (query == std::string::npos ? std::string() : url.substr(query));
}

// url with a query parameter's value replaced.
std::string with_param(const std::string& url, const std::string& key, const std::string& value) {
  const auto at = url.find(key + "=", url.find('?'));
  REQUIRE(at != std::string::npos);
  const auto end = std::min(url.find('&', at), url.size());
  return url.substr(0, at) + key + "=" + value + url.substr(end);
}

// A folder with no server socket in it.
class EmptyDir {
 public:
  EmptyDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("viscode-nosocket-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~EmptyDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  EmptyDir(const EmptyDir&) = delete;
  EmptyDir& operator=(const EmptyDir&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A plain libpq connection to look at (and tamper with) a ledger's database.
class Admin {
 public:
  explicit Admin(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      FAIL("cannot connect to " << url << ": " << why);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~Admin() { PQfinish(conn_); }
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  void exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    const std::string why = PQresultErrorMessage(r);
    PQclear(r);
    if (!ok) FAIL(sql << ": " << why);
  }

  // Every row of a query, its columns joined by '|' (NULL as "NULL").
  std::vector<std::string> rows(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      const std::string why = PQresultErrorMessage(r);
      PQclear(r);
      FAIL(sql << ": " << why);
    }
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string row;
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j) row += '|';
        row += PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j);
      }
      out.push_back(row);
    }
    PQclear(r);
    return out;
  }

  std::string value(const std::string& sql) {
    const auto r = rows(sql);
    REQUIRE(r.size() == 1);
    return r[0];
  }

 private:
  PGconn* conn_;
};

std::string database_of(const std::string& url) {
  const auto slash = url.find('/', url.find("://") + 3);
  return url.substr(slash + 1, url.find('?') - slash - 1);
}

// Sessions of the ledger's database that sit inside a transaction (none may, between calls).
std::string open_transactions(Admin& admin, const std::string& url) {
  return admin.value("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database_of(url) +
                     "' AND state LIKE 'idle in transaction%'");
}

std::vector<std::string> serials(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) {
    char text[16];
    std::snprintf(text, sizeof text, "S%07d", i);
    out.emplace_back(text);
  }
  return out;
}

// An import through the backend's stage, each serial on its own line.
std::int64_t import(viscode::detail::LedgerBackend& ledger, const std::vector<std::string>& rows,
                    std::string_view batch, std::string_view at,
                    const std::vector<std::string>& templates) {
  const auto stage = ledger.begin_import();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    stage->add(rows[i], static_cast<std::int64_t>(i + 1));
  }
  return stage->commit(batch, at, templates);
}

const std::string kSuffix = ": check that the PostgreSQL server is running and the URL is right";

}  // namespace

TEST_CASE("ledger postgresql: a server that is not running is an input error naming the URL",
          "[ledger][postgresql]") {
  EmptyDir dir;
  const std::string url = "postgresql:///viscode_test?host=" + dir.str() + "&user=viscode";
  CHECK(message_of([&] { Ledger::open(url); }, ErrorCategory::input) ==
        "cannot connect to the ledger at '" + url + "': connection to server on socket \"" +
            dir.str() + "/.s.PGSQL.5432\" failed: No such file or directory" + kSuffix);
}

TEST_CASE("ledger postgresql: connection errors never show the password", "[ledger][postgresql]") {
  EmptyDir dir;
  const std::string in_authority = message_of(
      [&] { Ledger::open("postgres://viscode:s3cr%40t@/viscode_test?host=" + dir.str()); },
      ErrorCategory::input);
  CHECK(in_authority.rfind(
            "cannot connect to the ledger at 'postgres://viscode:***@/viscode_test?host=" +
                dir.str() + "': connection to server on socket",
            0) == 0);
  CHECK(in_authority.find("s3cr") == std::string::npos);
  const std::string in_query = message_of(
      [&] {
        Ledger::open("postgresql:///viscode_test?host=" + dir.str() + "&password=s3cret&user=u");
      },
      ErrorCategory::input);
  CHECK(in_query.rfind("cannot connect to the ledger at 'postgresql:///viscode_test?host=" +
                           dir.str() + "&password=***&user=u': ",
                       0) == 0);
  CHECK(in_query.find("s3cret") == std::string::npos);
}

TEST_CASE("ledger postgresql: an unknown database or user is an input error",
          "[ledger][postgresql]") {
  const std::string server = server_url();
  const std::string socket = query_param(server, "host") + "/.s.PGSQL.5432";

  const std::string no_db = with_database(server, "viscode_no_such_database");
  CHECK(message_of([&] { Ledger::open(no_db); }, ErrorCategory::input) ==
        "cannot connect to the ledger at '" + no_db + "': connection to server on socket \"" +
            socket + "\" failed: FATAL:  database \"viscode_no_such_database\" does not exist" +
            kSuffix);

  const std::string no_user = with_param(server, "user", "viscode_no_such_user");
  CHECK(message_of([&] { Ledger::open(no_user); }, ErrorCategory::input) ==
        "cannot connect to the ledger at '" + no_user + "': connection to server on socket \"" +
            socket + "\" failed: FATAL:  role \"viscode_no_such_user\" does not exist" + kSuffix);
}

TEST_CASE("ledger postgresql: a fresh database gets the tables of schema 1",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  {
    Ledger ledger = Ledger::open(fresh.url(), test::kCreate);
    CHECK(ledger.backend() == "postgresql");
  }
  Admin admin(fresh.url());
  CHECK(admin.rows("SELECT key, value FROM viscode_meta") == std::vector<std::string>{"schema|1"});
  CHECK(admin.rows("SELECT table_name || '.' || column_name || ':' || data_type || ':' ||"
                   " is_nullable FROM information_schema.columns WHERE table_schema = 'public'"
                   " ORDER BY table_name, ordinal_position") ==
        std::vector<std::string>{
            "scans.id:bigint:NO", "scans.serial:text:NO", "scans.payload:text:NO",
            "scans.at:text:NO", "scans.place:text:NO", "scans.count:bigint:NO",
            "serials.serial:text:NO", "serials.batch:text:NO", "serials.issued_at:text:NO",
            "serials.scans:bigint:NO", "serials.first_at:text:YES", "serials.first_where:text:YES",
            "serials.last_at:text:YES", "serials.last_where:text:YES", "templates.template:text:NO",
            "viscode_meta.key:text:NO", "viscode_meta.value:text:NO"});
  // Reopening finds the tables and leaves them as they are.
  CHECK(Ledger::open(fresh.url()).stats().issued == 0);
  CHECK(admin.value("SELECT count(*) FROM viscode_meta") == "1");
}

TEST_CASE("ledger postgresql: 8 clients opening a fresh database at once all succeed",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  constexpr int kClients = 8;
  std::atomic<int> ready{0}, opened{0};
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> threads;
  for (int k = 0; k < kClients; ++k) {
    threads.emplace_back([&, k] {
      ++ready;
      while (ready < kClients) std::this_thread::yield();
      try {
        auto backend = viscode::detail::open_postgres(fresh.url(), true);
        if (backend->stats().issued == 0) ++opened;
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(k)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) CHECK(e == "");
  CHECK(opened == kClients);
  Admin admin(fresh.url());
  CHECK(admin.rows("SELECT key, value FROM viscode_meta") == std::vector<std::string>{"schema|1"});
}

TEST_CASE("ledger postgresql: a database of another schema version is refused untouched",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  Admin admin(fresh.url());
  admin.exec(
      "CREATE TABLE viscode_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "INSERT INTO viscode_meta VALUES ('schema', '999')");
  CHECK(message_of([&] { Ledger::open(fresh.url()); }, ErrorCategory::input) ==
        "the ledger at '" + fresh.url() +
            "' is not a viscode ledger of this version (schema 999, this viscode reads 1): "
            "open it with the viscode that made it, or give Ledger::open(url) a new database");
  CHECK(admin.value("SELECT to_regclass('serials') IS NULL AND to_regclass('scans') IS NULL") ==
        "t");
  CHECK(open_transactions(admin, fresh.url()) == "0");
}

TEST_CASE("ledger postgresql: a database with other tables named serials is refused",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  Admin admin(fresh.url());
  admin.exec("CREATE TABLE serials(id INTEGER PRIMARY KEY, owner TEXT)");
  CHECK(message_of([&] { Ledger::open(fresh.url()); }, ErrorCategory::input) ==
        "the database at '" + fresh.url() +
            "' is not a viscode ledger (it has tables named serials, scans or templates but "
            "no viscode_meta): give Ledger::open(url) a new database");
  CHECK(admin.value("SELECT to_regclass('viscode_meta') IS NULL") == "t");
}

TEST_CASE("ledger postgresql: a failing import adds nothing and leaves no transaction open",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  auto ledger = viscode::detail::open_postgres(fresh.url(), true);
  CHECK(ledger->name() == "postgresql");
  const std::string at = "2026-11-20T10:00:00Z";
  REQUIRE(import(*ledger, serials(1, 3), "first", at, {"https://v.example/a/{serial}"}) == 3);
  Admin admin(fresh.url());
  const auto unchanged = [&] {
    CHECK(ledger->stats().issued == 3);
    CHECK(admin.value("SELECT count(*) FROM serials") == "3");
    CHECK(ledger->templates() == std::vector<std::string>{"https://v.example/a/{serial}"});
    CHECK(open_transactions(admin, fresh.url()) == "0");
  };

  // The server refuses one row in the middle of the batch, after the COPY went through.
  admin.exec("ALTER TABLE serials ADD CONSTRAINT test_refuses CHECK (serial <> 'S0000500')");
  CHECK(message_of([&] { import(*ledger, serials(1, 1000), "second", at, {"https://w/{serial}"}); },
                   ErrorCategory::internal) ==
        "cannot import the serials in the ledger at '" + fresh.url() +
            "': new row for relation \"serials\" violates check constraint \"test_refuses\"");
  unchanged();
  admin.exec("ALTER TABLE serials DROP CONSTRAINT test_refuses");

  // The templates fail after every serial was inserted: the serials go too.
  admin.exec(
      "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN RAISE EXCEPTION 'templates refused'; END$$;"
      "CREATE TRIGGER test_refuse BEFORE INSERT ON templates "
      "FOR EACH ROW EXECUTE FUNCTION test_refuse()");
  CHECK(message_of([&] { import(*ledger, serials(1, 1000), "second", at, {"https://w/{serial}"}); },
                   ErrorCategory::internal) ==
        "cannot import the payload templates in the ledger at '" + fresh.url() +
            "': templates refused");
  unchanged();
  admin.exec("DROP TRIGGER test_refuse ON templates");

  // Text PostgreSQL cannot hold is refused as it is staged, naming its line.
  auto with_nul = serials(10, 5);
  with_nul[2] = std::string("S00\0BAD", 7);
  CHECK(message_of([&] { import(*ledger, with_nul, "second", at, {}); }, ErrorCategory::input) ==
        "line 3: serial 'hex:53303000424144' is not UTF-8 text without NUL bytes");
  unchanged();

  // The same connection imports normally afterwards; serials it had are not added twice.
  CHECK(import(*ledger, serials(1, 1000), "second", at, {"https://w/{serial}"}) == 997);
  CHECK(ledger->status("S0000001").batch == "first");
  CHECK(ledger->status("S0000500").batch == "second");
  CHECK(ledger->stats().issued == 1000);
  CHECK(ledger->templates() ==
        std::vector<std::string>{"https://v.example/a/{serial}", "https://w/{serial}"});
}

TEST_CASE("ledger postgresql: serials with COPY's special characters import as they are",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  auto ledger = viscode::detail::open_postgres(fresh.url(), true);
  const std::vector<std::string> odd = {"A\\B", "tab\there",   "line\nbreak", "cr\rx",
                                        "\\N",  "caf\xc3\xa9", "A\\B"};
  CHECK(import(*ledger, odd, "odd", "2026-11-20T10:00:00Z", {}) == 6);
  Admin admin(fresh.url());
  CHECK(admin.rows("SELECT encode(convert_to(serial, 'UTF8'), 'hex') FROM serials ORDER BY 1") ==
        std::vector<std::string>{"415c42", "5c4e", "636166c3a9", "63720d78", "6c696e650a627265616b",
                                 "7461620968657265"});
  for (const auto& s : odd) CHECK(ledger->status(s).issued);
}

TEST_CASE("ledger postgresql: every scan is logged with the count it made",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  auto ledger = viscode::detail::open_postgres(fresh.url(), true);
  REQUIRE(import(*ledger, {"S0000001", "hex:4100"}, "b1", "2026-11-20T10:00:00Z", {}) == 2);

  CHECK_FALSE(ledger->record_scan("S0000404", "https://v.example/a/S0000404",
                                  "2026-11-21T08:00:00Z", "Lyon"));
  CHECK_FALSE(ledger->record_scan("", "https://elsewhere.example/", "2026-11-21T08:01:00Z", ""));
  const auto first = ledger->record_scan("S0000001", "S0000001", "2026-11-21T09:00:00Z", "Paris");
  REQUIRE(first);
  CHECK(first->scans == 1);
  CHECK(first->first_at == "2026-11-21T09:00:00Z");
  CHECK(first->first_where == "Paris");
  CHECK(first->batch == "b1");
  const auto again = ledger->record_scan("S0000001", "S0000001", "2026-11-22T09:00:00Z", "Rome");
  REQUIRE(again);
  CHECK(again->scans == 2);
  CHECK(again->first_at == "2026-11-21T09:00:00Z");
  CHECK(again->first_where == "Paris");
  // A serial the server cannot hold as text is logged in hex and matches no serial, not
  // even one spelled like its hex form.
  CHECK_FALSE(ledger->record_scan(std::string("A\0", 2), "x", "2026-11-22T10:00:00Z", ""));
  CHECK(ledger->status("hex:4100").scans == 0);

  Admin admin(fresh.url());
  CHECK(admin.rows("SELECT serial, payload, at, place, count FROM scans ORDER BY id") ==
        std::vector<std::string>{
            "S0000404|https://v.example/a/S0000404|2026-11-21T08:00:00Z|Lyon|0",
            "|https://elsewhere.example/|2026-11-21T08:01:00Z||0",
            "S0000001|S0000001|2026-11-21T09:00:00Z|Paris|1",
            "S0000001|S0000001|2026-11-22T09:00:00Z|Rome|2", "hex:4100|x|2026-11-22T10:00:00Z||0"});
  const auto st = ledger->status("S0000001");
  CHECK(st.issued);
  CHECK(st.issued_at == "2026-11-20T10:00:00Z");
  CHECK(st.scans == 2);
  CHECK(st.first_at == "2026-11-21T09:00:00Z");
  CHECK(st.first_where == "Paris");
  CHECK(st.last_at == "2026-11-22T09:00:00Z");
  CHECK(st.last_where == "Rome");
  CHECK_FALSE(ledger->status("S0000404").issued);
  const auto stats = ledger->stats();
  CHECK(stats.issued == 2);
  CHECK(stats.scanned == 1);
  CHECK(stats.seen_before == 1);
  CHECK(stats.scans == 2);
  CHECK(stats.not_issued_scans == 3);
}

TEST_CASE("ledger postgresql: a connection the server dropped is opened again",
          "[ledger][postgresql]") {
  test::FreshLedger fresh("postgresql");
  auto ledger = viscode::detail::open_postgres(fresh.url(), true);
  REQUIRE(import(*ledger, {"S0000001"}, "b1", "2026-11-20T10:00:00Z", {}) == 1);
  REQUIRE(ledger->record_scan("S0000001", "S0000001", "2026-11-21T09:00:00Z", "")->scans == 1);
  Admin admin(fresh.url());
  // As a server restart or an administrator would; waits until the session is gone.
  CHECK(admin.value("SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                    " WHERE datname = '" +
                    database_of(fresh.url()) + "' AND application_name = 'viscode'") == "t");
  // The call that meets the dropped connection fails (it cannot know whether the server
  // ran its statement, so it does not retry); the next one reconnects.
  const std::string lost =
      message_of([&] { ledger->record_scan("S0000001", "S0000001", "2026-11-21T10:00:00Z", ""); },
                 ErrorCategory::input);
  CHECK(lost.starts_with("lost the connection to the ledger at '" + fresh.url() +
                         "' while trying to record the scan: "));
  CHECK(
      lost.ends_with(": check that the PostgreSQL server is running (a scan in flight may "
                     "or may not be recorded: see status)"));
  const auto next = ledger->record_scan("S0000001", "S0000001", "2026-11-21T11:00:00Z", "");
  REQUIRE(next);
  CHECK(next->scans == 2);
  CHECK(ledger->stats().scans == 2);
}
