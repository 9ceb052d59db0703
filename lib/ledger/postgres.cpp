// The server ledger: PostgreSQL through libpq, one connection per backend object. A scan is
// one statement (an UPDATE of the serial's row and the INSERT of its log row in one CTE), so
// the row lock of the UPDATE orders concurrent scans of a serial: each sees the count its
// own increment made, and exactly one sees 1, however many clients scan at once.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/backend.hpp"
#include "text.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

constexpr std::string_view kSchemaVersion = "1";
// Serialises schema creation between processes opening a fresh database at once
// (CREATE TABLE IF NOT EXISTS alone races on the catalog's unique index). "visc" in ASCII.
constexpr const char* kSchemaLockKey = "1986622307";
// Serialises imports (see import()). "visi" in ASCII.
constexpr const char* kImportLockKey = "1986622313";
// COPY data goes to the server in chunks of about this size.
constexpr std::size_t kCopyChunk = 1 << 20;
constexpr Oid kTextOid = 25;

}  // namespace

// The URL as it may appear in a message: the password of "user:password@host", of a
// "password=" (or "sslpassword=") query parameter or keyword replaced by ***.
std::string redact(std::string_view url) {
  std::string out(url);
  const std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t end = std::min(out.find_first_of("/?", start), out.size());
    const std::size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // "password=..." as a URI query parameter (up to '&') or a keyword (up to a space, or a
  // quoted value).
  for (std::size_t pos = 0; (pos = out.find("password", pos)) != std::string::npos;) {
    // sslpassword (the client key's passphrase) is as secret as password.
    const std::size_t word = pos >= 3 && out.compare(pos - 3, 3, "ssl") == 0 ? pos - 3 : pos;
    const bool starts_word =
        word == 0 || out[word - 1] == '?' || out[word - 1] == '&' || out[word - 1] == ' ';
    std::size_t eq = pos + 8;
    while (eq < out.size() && out[eq] == ' ') ++eq;
    if (!starts_word || eq >= out.size() || out[eq] != '=') {
      pos += 8;
      continue;
    }
    std::size_t value = eq + 1;
    while (value < out.size() && out[value] == ' ') ++value;
    std::size_t end = value;
    if (end < out.size() && out[end] == '\'') {
      for (++end; end < out.size() && out[end] != '\''; ++end) {
        if (out[end] == '\\') ++end;
      }
      end = std::min(end + 1, out.size());
    } else {
      while (end < out.size() && out[end] != '&' && out[end] != ' ') ++end;
    }
    out.replace(value, end - value, "***");
    pos = value + 3;
  }
  return out;
}

namespace {

std::string first_line(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// Well-formed UTF-8 without NUL: what a PostgreSQL TEXT value in a UTF8 database accepts.
bool is_pg_text(std::string_view s) {
  return s.find('\0') == std::string_view::npos && valid_utf8(s);
}

// Text the server would reject (a NUL byte, broken UTF-8) goes into the scan log as hex,
// the way Ledger logs binary payloads, so that such a scan is still recorded.
std::string loggable(std::string_view s) {
  return is_pg_text(s) ? std::string(s) : hex_text(s);
}

// COPY's text format: backslash, tab, newline and carriage return escaped.
void append_copy_field(std::string& out, std::string_view field) {
  for (const char c : field) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string field(const PGresult* r, int row, int column) {
  if (PQgetisnull(r, row, column)) return {};
  return std::string(PQgetvalue(r, row, column),
                     static_cast<std::size_t>(PQgetlength(r, row, column)));
}

std::int64_t int_field(const PGresult* r, int row, int column) {
  return PQgetisnull(r, row, column) ? 0 : std::strtoll(PQgetvalue(r, row, column), nullptr, 10);
}

// CREATE TABLE IF NOT EXISTS reports existing tables as NOTICEs; nothing a user must see.
void drop_notice(void*, const char*) {}

class PostgresLedger final : public LedgerBackend {
 public:
  PostgresLedger(const std::string& url, bool create) : shown_url_(redact(url)), create_(create) {
    // Defaults before "dbname" (the URL, expanded in place) yield to the URL's own settings;
    // client_encoding after it is forced: every string this class sends is UTF-8.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                              nullptr};
    const char* values[] = {"10", "viscode", url.c_str(), "UTF8", nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_) {
      throw Error(ErrorCategory::internal,
                  "cannot connect to the ledger at '" + shown_url_ + "': out of memory");
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = connection_error();
      PQfinish(conn_);
      conn_ = nullptr;
      throw Error(ErrorCategory::input, cannot_connect(why));
    }
    PQsetNoticeProcessor(conn_, drop_notice, nullptr);
    PQsetErrorVerbosity(conn_, PQERRORS_TERSE);
    try {
      set_up_session();
      create_schema();
    } catch (...) {
      PQfinish(conn_);
      conn_ = nullptr;
      throw;
    }
  }

  ~PostgresLedger() override {
    if (conn_) PQfinish(conn_);
  }
  PostgresLedger(const PostgresLedger&) = delete;
  PostgresLedger& operator=(const PostgresLedger&) = delete;

  std::string_view name() const override { return "postgresql"; }

  std::unique_ptr<ImportStage> begin_import() override {
    reconnect_if_broken();
    return std::make_unique<Import>(*this);
  }

  std::vector<std::string> templates() override {
    reconnect_if_broken();
    Result r =
        exec("SELECT template FROM templates ORDER BY template", "read the payload templates");
    std::vector<std::string> out;
    const int rows = PQntuples(r.get());
    out.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) out.push_back(field(r.get(), i, 0));
    return out;
  }

  std::optional<CountedScan> record_scan(std::string_view serial, std::string_view payload,
                                         std::string_view at, std::string_view where) override {
    reconnect_if_broken();
    if (!scan_prepared_) {
      // Data-modifying CTEs run exactly once whether or not the query reads them, and the
      // INSERT sees the UPDATE's RETURNING row: the count and its log row commit together.
      // $1 matches the serial (NULL, matching nothing, when it is not text the server can
      // hold), $5 is the serial as logged. First and last go by scan time, not arrival (a
      // backdated scan earlier than the first becomes the first); the times compare in the
      // "C" collation, byte order, which for "YYYY-MM-DDTHH:MM:SSZ" is time order whatever
      // the database's collation. On a tie the first stays and the last is the newest.
      const Oid types[] = {kTextOid, kTextOid, kTextOid, kTextOid, kTextOid};
      Result r(
          PQprepare(conn_, "viscode_scan",
                    "WITH counted AS ("
                    "  UPDATE serials SET scans = scans + 1,"
                    "    first_at = CASE WHEN first_at IS NULL OR $2 < first_at COLLATE \"C\""
                    "      THEN $2 ELSE first_at END,"
                    "    first_where = CASE WHEN first_at IS NULL OR $2 < first_at COLLATE \"C\""
                    "      THEN $3 ELSE first_where END,"
                    "    last_at = CASE WHEN last_at IS NULL OR $2 >= last_at COLLATE \"C\""
                    "      THEN $2 ELSE last_at END,"
                    "    last_where = CASE WHEN last_at IS NULL OR $2 >= last_at COLLATE \"C\""
                    "      THEN $3 ELSE last_where END"
                    "  WHERE serial = $1"
                    "  RETURNING scans, first_at, first_where, batch),"
                    " logged AS ("
                    "  INSERT INTO scans(serial, payload, at, place, count)"
                    "  SELECT $5, $4, $2, $3, COALESCE((SELECT scans FROM counted), 0)"
                    "  RETURNING id)"
                    " SELECT scans, first_at, first_where, batch, (SELECT id FROM logged)"
                    " FROM counted",
                    5, types));
      check(r, PGRES_COMMAND_OK, "prepare the scan statement");
      scan_prepared_ = true;
    }
    const bool text_serial = is_pg_text(serial);
    const std::string serial_text = loggable(serial), payload_text = loggable(payload),
                      at_text = loggable(at), where_text = loggable(where);
    const char* params[] = {text_serial ? serial_text.c_str() : nullptr, at_text.c_str(),
                            where_text.c_str(), payload_text.c_str(), serial_text.c_str()};
    Result r(PQexecPrepared(conn_, "viscode_scan", 5, params, nullptr, nullptr, 0));
    check(r, PGRES_TUPLES_OK, "record the scan");
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return CountedScan{int_field(r.get(), 0, 0), field(r.get(), 0, 1), field(r.get(), 0, 2),
                       field(r.get(), 0, 3), int_field(r.get(), 0, 4)};
  }

  SerialStatus status(std::string_view serial) override {
    SerialStatus st;
    st.serial = serial;
    if (!is_pg_text(serial)) return st;
    reconnect_if_broken();
    const std::string serial_text(serial);
    Result r = exec_params(
        "SELECT batch, issued_at, scans, first_at, first_where, last_at, last_where "
        "FROM serials WHERE serial = $1",
        {serial_text.c_str()}, "read the serial's status");
    if (PQntuples(r.get()) == 1) {
      st.issued = true;
      st.batch = field(r.get(), 0, 0);
      st.issued_at = field(r.get(), 0, 1);
      st.scans = int_field(r.get(), 0, 2);
      st.first_at = field(r.get(), 0, 3);
      st.first_where = field(r.get(), 0, 4);
      st.last_at = field(r.get(), 0, 5);
      st.last_where = field(r.get(), 0, 6);
    }
    return st;
  }

  bool set_scan_place(std::int64_t scan_id, std::string_view where) override {
    if (!is_pg_text(where)) return false;
    reconnect_if_broken();
    const std::string id_text = std::to_string(scan_id), where_text(where);
    // One statement: the scan's row and its serial's first or last place (those of its
    // first and last scan by time) change together.
    Result r = exec_params(
        "WITH placed AS (UPDATE scans SET place = $2 WHERE id = $1::bigint AND count > 0"
        "  RETURNING serial, at),"
        " serial AS (UPDATE serials s SET"
        "  first_where = CASE WHEN s.first_at = p.at THEN $2 ELSE s.first_where END,"
        "  last_where = CASE WHEN s.last_at = p.at THEN $2 ELSE s.last_where END"
        "  FROM placed p WHERE s.serial = p.serial)"
        " SELECT count(*) FROM placed",
        {id_text.c_str(), where_text.c_str()}, "set the scan's place");
    return int_field(r.get(), 0, 0) > 0;
  }

  std::int64_t clear_places_before(std::string_view before) override {
    if (!is_pg_text(before)) return 0;
    reconnect_if_broken();
    const std::string before_text(before);
    Result r = exec_params(
        "WITH cleared AS (UPDATE scans SET place = '' WHERE at < $1 COLLATE \"C\""
        "  AND place <> '' RETURNING 1),"
        // One UPDATE of serials: two in one statement could not both change a row.
        " serial AS (UPDATE serials SET"
        "  first_where = CASE WHEN first_at < $1 COLLATE \"C\" THEN '' ELSE first_where END,"
        "  last_where = CASE WHEN last_at < $1 COLLATE \"C\" THEN '' ELSE last_where END"
        "  WHERE (first_at < $1 COLLATE \"C\" AND first_where <> '')"
        "  OR (last_at < $1 COLLATE \"C\" AND last_where <> ''))"
        " SELECT count(*) FROM cleared",
        {before_text.c_str()}, "clear old places");
    return int_field(r.get(), 0, 0);
  }

  LedgerStats stats() override {
    reconnect_if_broken();
    // One statement, one snapshot: the counts describe the same moment.
    Result r = exec(
        "SELECT count(*), count(*) FILTER (WHERE scans > 0), count(*) FILTER (WHERE scans > 1),"
        " COALESCE(sum(scans), 0)::bigint,"
        " (SELECT count(*) FROM scans WHERE count = 0) FROM serials",
        "read the statistics");
    LedgerStats out;
    out.issued = int_field(r.get(), 0, 0);
    out.scanned = int_field(r.get(), 0, 1);
    out.seen_before = int_field(r.get(), 0, 2);
    out.scans = int_field(r.get(), 0, 3);
    out.not_issued_scans = int_field(r.get(), 0, 4);
    return out;
  }

  std::vector<BatchStats> batch_stats(std::string_view batch, std::size_t limit) override {
    if (!is_pg_text(batch)) return {};  // no batch name the server could hold
    reconnect_if_broken();
    const std::string batch_text(batch), limit_text = std::to_string(limit);
    // Times compare in the "C" collation (byte order), as in record_scan.
    Result r = exec_params(
        "SELECT batch, min(issued_at COLLATE \"C\"), count(*), count(*) FILTER (WHERE scans > 0),"
        " count(*) FILTER (WHERE scans > 1), COALESCE(sum(scans), 0)::bigint,"
        " min(first_at COLLATE \"C\"), max(last_at COLLATE \"C\")"
        " FROM serials WHERE $1::text = '' OR batch = $1"
        " GROUP BY batch ORDER BY 2 DESC, batch COLLATE \"C\" LIMIT $2::bigint",
        {batch_text.c_str(), limit_text.c_str()}, "read the batches");
    std::vector<BatchStats> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      BatchStats b;
      b.batch = field(r.get(), i, 0);
      b.issued_at = field(r.get(), i, 1);
      b.issued = int_field(r.get(), i, 2);
      b.scanned = int_field(r.get(), i, 3);
      b.seen_before = int_field(r.get(), i, 4);
      b.scans = int_field(r.get(), i, 5);
      b.first_at = field(r.get(), i, 6);
      b.last_at = field(r.get(), i, 7);
      out.push_back(std::move(b));
    }
    return out;
  }

  std::vector<CopyRecord> copies(std::string_view batch, std::size_t limit,
                                 std::size_t history) override {
    if (!is_pg_text(batch)) return {};
    reconnect_if_broken();
    const std::string batch_text(batch), limit_text = std::to_string(limit),
                                         history_text = std::to_string(history);
    // One statement, one snapshot; as the SQLite backend's (lib/ledger/sqlite.cpp).
    Result r = exec_params(
        "WITH c AS (SELECT serial, batch, scans, first_at, first_where, last_at, last_where"
        "  FROM serials WHERE scans > 1 AND ($1::text = '' OR batch = $1)"
        "  ORDER BY last_at COLLATE \"C\" DESC, serial COLLATE \"C\" LIMIT $2::bigint),"
        " h AS (SELECT s.id, s.serial, s.at, s.place, s.payload, s.count,"
        "  row_number() OVER (PARTITION BY s.serial ORDER BY s.at COLLATE \"C\", s.id) AS up,"
        "  row_number() OVER (PARTITION BY s.serial"
        "   ORDER BY s.at COLLATE \"C\" DESC, s.id DESC) AS down"
        "  FROM scans s WHERE s.count > 0 AND s.serial IN (SELECT serial FROM c))"
        " SELECT c.serial, c.batch, c.scans, c.first_at, c.first_where, c.last_at, c.last_where,"
        "  h.at, h.place, h.payload, h.count"
        " FROM c LEFT JOIN h ON h.serial = c.serial AND (h.up = 1 OR h.down < $3::bigint)"
        " ORDER BY c.last_at COLLATE \"C\" DESC, c.serial COLLATE \"C\","
        "  h.at COLLATE \"C\", h.id",
        {batch_text.c_str(), limit_text.c_str(), history_text.c_str()}, "read the copies");
    std::vector<CopyRecord> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      const std::string serial = field(r.get(), i, 0);
      if (out.empty() || out.back().serial != serial) {
        CopyRecord c;
        c.serial = serial;
        c.batch = field(r.get(), i, 1);
        c.scans = int_field(r.get(), i, 2);
        c.first_at = field(r.get(), i, 3);
        c.first_where = field(r.get(), i, 4);
        c.last_at = field(r.get(), i, 5);
        c.last_where = field(r.get(), i, 6);
        out.push_back(std::move(c));
      }
      if (!PQgetisnull(r.get(), i, 7)) {
        out.back().history.push_back(CopyScan{field(r.get(), i, 7), field(r.get(), i, 8),
                                              field(r.get(), i, 9), int_field(r.get(), i, 10)});
      }
    }
    return out;
  }

  std::vector<DayScans> scans_per_day(std::string_view batch, std::size_t days) override {
    if (!is_pg_text(batch)) return {};
    reconnect_if_broken();
    const std::string batch_text(batch), days_text = std::to_string(days);
    Result r = exec_params(
        "SELECT substr(at, 1, 10) COLLATE \"C\" AS day, count(*),"
        " count(*) FILTER (WHERE count > 1)"
        " FROM scans WHERE count > 0"
        " AND ($1::text = '' OR serial IN (SELECT serial FROM serials WHERE batch = $1))"
        " GROUP BY day ORDER BY day DESC LIMIT $2::bigint",
        {batch_text.c_str(), days_text.c_str()}, "read the scans per day");
    std::vector<DayScans> out;
    for (int i = PQntuples(r.get()) - 1; i >= 0; --i) {
      out.push_back(
          DayScans{field(r.get(), i, 0), int_field(r.get(), i, 1), int_field(r.get(), i, 2)});
    }
    return out;
  }

 private:
  // Rolls back unless committed, so an exception never leaves a transaction open.
  class Transaction {
   public:
    explicit Transaction(PostgresLedger& l) : l_(l) { l_.exec("BEGIN", "begin a transaction"); }
    void commit(std::string_view doing) {
      l_.exec("COMMIT", doing);
      done_ = true;
    }
    ~Transaction() {
      if (!done_) l_.rollback();
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

   private:
    PostgresLedger& l_;
    bool done_ = false;
  };

  // The stage is a temporary table filled through COPY (far faster than one INSERT per
  // row) as the manifest is read; the transaction holds it until commit().
  class Import final : public ImportStage {
   public:
    explicit Import(PostgresLedger& l) : l_(l), t_(l) {
      l_.exec(
          "CREATE TEMPORARY TABLE viscode_import(serial TEXT NOT NULL, line BIGINT NOT NULL)"
          " ON COMMIT DROP",
          "import the serials");
      Result r(PQexec(l_.conn_, "COPY viscode_import(serial, line) FROM STDIN"));
      l_.check(r, PGRES_COPY_IN, "import the serials");
      copying_ = true;
      chunk_.reserve(kCopyChunk + 4096);
    }

    void add(std::string_view serial, std::int64_t line) override {
      if (!is_pg_text(serial)) {
        throw Error(ErrorCategory::input, "line " + std::to_string(line) + ": serial '" +
                                              loggable(serial) +
                                              "' is not UTF-8 text without NUL bytes");
      }
      append_copy_field(chunk_, serial);
      chunk_ += '\t';
      chunk_ += std::to_string(line);
      chunk_ += '\n';
      if (chunk_.size() >= kCopyChunk) send();
    }

    std::optional<RepeatedSerial> first_repeat() override {
      end_copy();
      Result r = l_.exec(
          "SELECT serial, line FROM (SELECT serial, line, row_number() OVER "
          "(PARTITION BY serial ORDER BY line) AS n FROM viscode_import) AS staged "
          "WHERE n = 2 ORDER BY line LIMIT 1",
          "look for repeated serials");
      if (PQntuples(r.get()) == 0) return std::nullopt;
      return RepeatedSerial{field(r.get(), 0, 0),
                            std::strtoll(PQgetvalue(r.get(), 0, 1), nullptr, 10)};
    }

    std::int64_t commit(std::string_view batch, std::string_view issued_at,
                        const std::vector<std::string>& templates) override {
      for (const std::string& tpl : templates) {
        if (!is_pg_text(tpl)) {
          throw Error(ErrorCategory::input, "payload template '" + loggable(tpl) +
                                                "' is not UTF-8 text; nothing was imported");
        }
      }
      if (!is_pg_text(batch)) {
        throw Error(ErrorCategory::input,
                    "batch name '" + loggable(batch) + "' is not UTF-8 text; nothing was imported");
      }
      if (!is_pg_text(issued_at)) {
        throw Error(ErrorCategory::input, "import time '" + loggable(issued_at) +
                                              "' is not UTF-8 text; nothing was imported");
      }
      end_copy();
      // Imports take turns (scans do not wait: they never insert serials). With no other
      // writer of new serials, an anti-join finds the new ones exactly, and a plain INSERT
      // of them in key order takes half the time of ON CONFLICT's speculative insertion
      // (1,000,000 serials: about 4 s instead of 8 s).
      l_.exec((std::string("SELECT pg_advisory_xact_lock(") + kImportLockKey + ")").c_str(),
              "wait for another import");
      l_.exec("ANALYZE viscode_import", "import the serials");  // a hash anti-join, not a loop
      const std::string batch_text(batch), at_text(issued_at);
      Result inserted = l_.exec_params(
          "INSERT INTO serials(serial, batch, issued_at)"
          " SELECT DISTINCT i.serial, $1, $2 FROM viscode_import i"
          " WHERE NOT EXISTS (SELECT FROM serials s WHERE s.serial = i.serial) ORDER BY 1",
          {batch_text.c_str(), at_text.c_str()}, "import the serials");
      const std::int64_t added = std::strtoll(PQcmdTuples(inserted.get()), nullptr, 10);
      for (const std::string& tpl : templates) {
        l_.exec_params("INSERT INTO templates(template) VALUES ($1) ON CONFLICT DO NOTHING",
                       {tpl.c_str()}, "import the payload templates");
      }
      t_.commit("import the serials");
      return added;
    }

   private:
    void send() {
      if (PQputCopyData(l_.conn_, chunk_.data(), static_cast<int>(chunk_.size())) != 1) {
        copying_ = false;
        l_.end_copy(false, "import the serials");
      }
      chunk_.clear();
    }
    void end_copy() {
      if (!copying_) return;
      if (!chunk_.empty()) send();
      if (!copying_) return;
      copying_ = false;
      l_.end_copy(true, "import the serials");
    }

    PostgresLedger& l_;
    Transaction t_;  // rolls back a stage that is not committed, ending its COPY first
    std::string chunk_;
    bool copying_ = false;
  };

  std::string connection_error() const {
    const std::string why = first_line(PQerrorMessage(conn_));
    return why.empty() ? "the connection failed" : why;
  }

  std::string cannot_connect(const std::string& why) const {
    return "cannot connect to the ledger at '" + shown_url_ + "': " + why +
           ": check that the PostgreSQL server is running and the URL is right";
  }

  // After the server restarted or the network dropped, the next call reconnects instead of
  // failing forever; the call that met the failure reported it, nothing is retried.
  void reconnect_if_broken() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    scan_prepared_ = false;
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw Error(ErrorCategory::input, cannot_connect(connection_error()));
    }
    set_up_session();
  }

  [[noreturn]] void fail(const PGresult* r, std::string_view doing) const {
    std::string why;
    const char* sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    if (const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr) {
      why = primary;
    } else if (r && *PQresultErrorMessage(r)) {
      why = first_line(PQresultErrorMessage(r));
    } else {
      why = connection_error();
    }
    if (sqlstate && std::string_view(sqlstate) == "42501") {  // insufficient_privilege
      throw Error(ErrorCategory::input, "cannot " + std::string(doing) + " in the ledger at '" +
                                            shown_url_ + "': " + why +
                                            ": connect as a user with the rights to the "
                                            "ledger's tables (or to create them)");
    }
    // The server went away (connection_exception, admin shutdown): an unreachable ledger,
    // as at connect time. Whether a scan in flight was committed cannot be known.
    const std::string_view state = sqlstate ? sqlstate : "";
    if (PQstatus(conn_) != CONNECTION_OK || state.starts_with("08") || state.starts_with("57P")) {
      throw Error(ErrorCategory::input, "lost the connection to the ledger at '" + shown_url_ +
                                            "' while trying to " + std::string(doing) + ": " + why +
                                            ": check that the PostgreSQL server is running "
                                            "(a scan in flight may or may not be recorded: "
                                            "see status)");
    }
    throw Error(ErrorCategory::internal,
                "cannot " + std::string(doing) + " in the ledger at '" + shown_url_ + "': " + why);
  }

  void check(const Result& r, ExecStatusType expected, std::string_view doing) const {
    if (!r || PQresultStatus(r.get()) != expected) fail(r.get(), doing);
  }

  Result exec(const char* sql, std::string_view doing) {
    Result r(PQexec(conn_, sql));
    const ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) fail(r.get(), doing);
    return r;
  }

  Result exec_params(const char* sql, std::initializer_list<const char*> params,
                     std::string_view doing) {
    const std::vector<const char*> values(params);
    Result r(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0));
    const ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) fail(r.get(), doing);
    return r;
  }

  // The outcome of a COPY (the server checks the rows as they come) follows its end. A
  // failed send must still end it: otherwise PQgetResult keeps answering COPY_IN.
  void end_copy(bool sent, std::string_view doing) {
    PQputCopyEnd(conn_, sent ? nullptr : "import aborted");
    Result done(PQgetResult(conn_));
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    check(done, PGRES_COMMAND_OK, doing);
  }

  void set_up_session() {
    // An import's temporary table of serials (1,000,000: about 40 MB) stays in memory.
    exec("SET temp_buffers = '64MB'", "set up the session");
  }

  void rollback() noexcept {
    if (PQstatus(conn_) != CONNECTION_OK) return;        // the server ends the transaction itself
    if (PQtransactionStatus(conn_) == PQTRANS_ACTIVE) {  // left inside a COPY
      PQputCopyEnd(conn_, "import aborted");
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    }
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  void create_schema() {
    Transaction t(*this);
    exec((std::string("SELECT pg_advisory_xact_lock(") + kSchemaLockKey + ")").c_str(),
         "lock the schema");
    Result found = exec(
        "SELECT to_regclass('viscode_meta') IS NOT NULL, to_regclass('serials') IS NOT NULL"
        " OR to_regclass('scans') IS NOT NULL OR to_regclass('templates') IS NOT NULL",
        "read the schema");
    const bool has_meta = field(found.get(), 0, 0) == "t";
    const bool has_tables = field(found.get(), 0, 1) == "t";
    if (has_meta) {
      Result v = exec("SELECT value FROM viscode_meta WHERE key = 'schema'", "read the schema");
      const std::string version = PQntuples(v.get()) == 1 ? field(v.get(), 0, 0) : "";
      if (version != kSchemaVersion) {
        throw Error(ErrorCategory::input,
                    "the ledger at '" + shown_url_ + "' is not a viscode ledger of this version" +
                        (version.empty() ? std::string(" (its viscode_meta has no schema)")
                                         : " (schema " + version + ", this viscode reads " +
                                               std::string(kSchemaVersion) + ")") +
                        ": open it with the viscode that made it, or give Ledger::open(url) a new "
                        "database");
      }
    } else if (has_tables) {
      throw Error(ErrorCategory::input,
                  "the database at '" + shown_url_ +
                      "' is not a viscode ledger (it has tables named serials, scans or "
                      "templates but no viscode_meta): give Ledger::open(url) a new database");
    } else if (!create_) {
      // No ledger in this database: nothing is created unless asked (an import).
      throw Error(
          ErrorCategory::input,
          "the database at '" + shown_url_ + "' has no viscode ledger: run 'viscode ledger --db " +
              shown_url_ +
              " import manifest.csv' to create it, or check the URL given to Ledger::open(url)");
    } else {
      exec(
          "CREATE TABLE IF NOT EXISTS viscode_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "INSERT INTO viscode_meta VALUES ('schema', '1') ON CONFLICT DO NOTHING;"
          "CREATE TABLE IF NOT EXISTS serials(serial TEXT PRIMARY KEY, batch TEXT NOT NULL,"
          "  issued_at TEXT NOT NULL, scans BIGINT NOT NULL DEFAULT 0, first_at TEXT,"
          "  first_where TEXT, last_at TEXT, last_where TEXT);"
          "CREATE TABLE IF NOT EXISTS scans(id BIGSERIAL PRIMARY KEY, serial TEXT NOT NULL,"
          "  payload TEXT NOT NULL, at TEXT NOT NULL, place TEXT NOT NULL,"
          "  count BIGINT NOT NULL);"
          "CREATE TABLE IF NOT EXISTS templates(template TEXT PRIMARY KEY);",
          "create the ledger's tables");
    }
    add_indexes();
    t.commit("create the ledger's tables");
  }

  // The brand's view reads copies and their scans without reading the whole ledger. A
  // ledger made before them gets them when it is opened by a role that may create them
  // (the tables' owner); for another role it works as before, only slower in /admin.
  // Indexes change no result, so the schema stays 1. Only when missing: CREATE INDEX
  // takes a lock that would hold up every scan, even when the index exists.
  void add_indexes() {
    Result missing = exec(
        "SELECT to_regclass('viscode_scans_serial') IS NULL"
        " OR to_regclass('viscode_serials_copies') IS NULL",
        "read the schema");
    if (field(missing.get(), 0, 0) != "t") return;
    exec("SAVEPOINT viscode_indexes", "create the ledger's indexes");
    Result r(PQexec(conn_,
                    "CREATE INDEX IF NOT EXISTS viscode_scans_serial ON scans(serial);"
                    "CREATE INDEX IF NOT EXISTS viscode_serials_copies ON serials(last_at)"
                    "  WHERE scans > 1;"));
    const bool made = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    exec(made ? "RELEASE SAVEPOINT viscode_indexes" : "ROLLBACK TO SAVEPOINT viscode_indexes",
         "create the ledger's indexes");
  }

  std::string shown_url_;
  bool create_ = false;
  PGconn* conn_ = nullptr;
  bool scan_prepared_ = false;
};

}  // namespace

void check_postgres_keywords(const std::string& conninfo) {
  char* error = nullptr;
  if (PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error)) {
    PQconninfoFree(parsed);
    return;
  }
  PQfreemem(error);
  // libpq's objection quotes the text it stumbled on, which may be part of a password: it
  // is taken from the string with its passwords masked, and left out when only the
  // password was wrong.
  const std::string shown = redact(conninfo);
  std::string why;
  error = nullptr;
  if (PQconninfoOption* parsed = PQconninfoParse(shown.c_str(), &error)) {
    PQconninfoFree(parsed);
  } else if (error != nullptr) {
    why = " (" + first_line(error) + ")";
  }
  PQfreemem(error);
  throw Error(ErrorCategory::usage,
              "Ledger::open(url) '" + shown +
                  "' has '=' but is not a PostgreSQL connection string" + why +
                  ": give keywords as host=... dbname=... user=..., a postgresql:// URL, or "
                  "an SQLite file as sqlite:NAME");
}

std::unique_ptr<LedgerBackend> open_postgres(const std::string& url, bool create) {
  return std::make_unique<PostgresLedger>(url, create);
}

}  // namespace viscode::detail

namespace viscode {

std::string redacted_ledger_url(std::string_view url) {
  return detail::redact(url);
}

}  // namespace viscode
