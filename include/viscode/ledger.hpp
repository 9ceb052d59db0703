// viscode/ledger.hpp — the first-scan ledger: which serials a brand issued, and how often
// each has been scanned. The first scan of an issued serial is "genuine, first scan"; every
// later one is "seen before", because a copied code carries the same serial as its
// original. Backends: an SQLite file (embedded, the default) and a PostgreSQL server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viscode/sign.hpp"

namespace viscode {

namespace detail {
class LedgerBackend;
struct TemplateCache;
}  // namespace detail

enum class ScanVerdict {
  not_issued,   // no serial in the payload, or one the ledger never imported
  first_scan,   // an issued serial scanned for the first time: genuine
  seen_before,  // an issued serial scanned before: genuine serial, possibly a copy
  // Keys were given and the payload's signature verifies with none of them (forged or
  // unsigned): the scan is logged as not issued, never counted against its serial.
  not_authentic,
};
// "not issued", "first scan", "seen before", "not authentic"
std::string_view to_string(ScanVerdict v);

// Where and when a scan happened. Times are ISO 8601 and stored in UTC as
// "YYYY-MM-DDTHH:MM:SSZ"; empty = now.
struct ScanContext {
  std::string at{};     // e.g. "2026-11-23T14:05:00Z", "2026-11-23T15:05+01:00", "2026-11-23"
  std::string where{};  // free text (a shop, a city, an IP), up to 200 bytes; may be empty
  // The brand's public keys. Empty: serials are counted whatever their signature (the
  // ledger knows which serials were issued; authenticate() is the offline check).
  std::vector<PublicKey> keys{};
};

struct ScanResult {
  ScanVerdict verdict = ScanVerdict::not_issued;
  std::string serial;      // as found in the payload; empty when there was none
  std::int64_t scans = 0;  // scans of this serial, this one included (0 when not issued)
  std::string at;          // this scan's time (UTC)
  // The serial's earliest scan by scan time, this one included: this one for first_scan,
  // and for a seen_before scan dated before every other scan of the serial (a late upload,
  // a backdated --at), which is still seen_before: the verdict goes by the order scans are
  // recorded, so exactly one scan of a serial is ever its first_scan.
  std::string first_at;
  std::string first_where;  // where the earliest scan happened
  std::string batch;        // the batch the serial was issued in
  // With ScanContext::keys: the signature check (verdict not_authentic unless genuine).
  std::optional<Authentication> authentication;
  // This scan's row in the ledger's log of scans, for set_scan_place(); 0 when the scan was
  // not counted (not issued, not authentic).
  std::int64_t scan_id = 0;
};

// The verdict as `viscode ledger scan --json` and the scan service report it: the ledger's,
// with not_authentic split by the signature check into forged and unsigned.
enum class ScanOutcome { first_scan, seen_before, not_issued, forged, unsigned_ };
ScanOutcome scan_outcome(const ScanResult& result);
// The outcome's stable id: "first_scan", "seen_before", "not_issued", "forged" or
// "unsigned", the `verdict` of `viscode ledger scan --json` and of the scan service's JSON
// answers and access log. Scripts compare it, so an id never changes.
std::string_view verdict_id(const ScanResult& result);

struct SerialStatus {
  std::string serial;
  bool issued = false;
  std::string batch, issued_at;  // when it was imported (UTC)
  std::int64_t scans = 0;
  // The earliest and the latest scan by scan time (not by when they were recorded, so a
  // backdated scan takes its place); empty until scanned.
  std::string first_at, first_where, last_at, last_where;
};

struct LedgerStats {
  std::int64_t issued = 0;            // serials imported
  std::int64_t scanned = 0;           // issued serials scanned at least once
  std::int64_t seen_before = 0;       // issued serials scanned more than once
  std::int64_t scans = 0;             // scans of issued serials
  std::int64_t not_issued_scans = 0;  // scans whose payload held no issued serial
};

// The brand's view of the ledger (viscode serve's /admin): per-batch counts, the copies and
// scans per day. Every query is one statement, one snapshot, with a bounded result.
struct BatchStats {
  std::string batch;
  std::string issued_at;          // when its first serials were imported (UTC)
  std::int64_t issued = 0;        // serials imported in it
  std::int64_t scanned = 0;       // of them scanned at least once
  std::int64_t seen_before = 0;   // of them scanned more than once: possibly copied
  std::int64_t scans = 0;         // scans of its serials
  std::string first_at, last_at;  // its earliest and latest scan by scan time; empty until
                                  // scanned
};

// One scan of a copied serial, from the scan log.
struct CopyScan {
  std::string at, where;
  std::string payload;     // the code's text as scanned (a signed code's path or URL)
  std::int64_t count = 0;  // the serial's scan count this scan made: 1 = its first scan
};

// An issued serial scanned more than once.
struct CopyRecord {
  std::string serial, batch;
  std::int64_t scans = 0;
  std::string first_at, first_where, last_at, last_where;  // as in SerialStatus
  // Its earliest scan and its latest ones, by scan time (the log may hold fewer than
  // `scans` when it was pruned).
  std::vector<CopyScan> history;
};

struct DayScans {
  std::string day;               // "YYYY-MM-DD", UTC
  std::int64_t scans = 0;        // scans of issued serials that day
  std::int64_t seen_before = 0;  // of them scans of a serial scanned before (count over 1)
};

struct ImportSummary {
  std::int64_t rows = 0;            // manifest rows read
  std::int64_t added = 0;           // serials new to the ledger
  std::int64_t already_issued = 0;  // serials the ledger had (importing twice is harmless)
};

// Whether Ledger::open may start a new ledger. A command that only reads or adds scans must
// not start an empty ledger because its --db was mistyped: its scans would go to a ledger
// with no issued serials, and every genuine code would be reported not issued.
enum class LedgerOpenMode {
  // The ledger must exist (the default): Error(input) naming the URL when the SQLite file
  // is absent (or has no tables) or the PostgreSQL database has no ledger tables; nothing
  // is created, the file and the database stay as they were.
  must_exist,
  // Start an empty ledger when there is none: create the SQLite file, or the tables in the
  // PostgreSQL database (the database itself must exist). What `viscode ledger import` uses.
  create_if_missing,
};

struct LedgerOpenOptions {
  LedgerOpenMode mode = LedgerOpenMode::must_exist;
};

// A ledger URL as messages and logs may show it: the password of a URL's
// "user:password@", and of "password=" / "sslpassword=" keywords or query parameters,
// replaced by ***.
std::string redacted_ledger_url(std::string_view url);

// One connection to a ledger. Open one per thread; any number of threads and processes
// may scan the same ledger at once: each scan is one atomic update, so no scan is lost or
// counted twice and exactly one scan of a serial is ever its first.
class Ledger {
 public:
  // url: "sqlite:PATH" or a plain PATH (WAL journal); a libpq URI
  // "postgresql://user@host:port/dbname" / "postgres://..."; or, like libpq itself takes any
  // text with '=' (and no sqlite: prefix), a libpq keyword/value string
  // "host=db.internal dbname=ledger user=scan". options.mode says whether a missing ledger is
  // an error (the default) or is created. Throws Error(usage) for text with '=' that libpq
  // cannot parse (a file name with '=' needs sqlite:) and for an SQLite path with
  // "password=" in it (never written into a file name); Error(input) for a missing ledger
  // (must_exist), a file that is not a viscode ledger (or not a database), an unreachable
  // server or refused login, naming the URL (passwords masked) and the fix.
  static Ledger open(std::string_view url, const LedgerOpenOptions& options = {});

  Ledger(Ledger&&) noexcept;
  Ledger& operator=(Ledger&&) noexcept;
  ~Ledger();

  std::string_view backend() const;  // "sqlite" or "postgresql"

  // Imports the issued serials of a batch manifest (viscode batch's manifest.csv: the
  // serial and payload columns), all or nothing: a bad row adds nothing. batch names the
  // run in status reports; empty = the manifest's folder name. progress gets rows read.
  ImportSummary import_manifest(const std::filesystem::path& manifest, std::string_view batch = {},
                                const std::function<void(std::int64_t rows)>& progress = {});

  // Records one scan of a payload (the text a code read as). The serial is found as in
  // serial_in_payload(). Every scan is logged, issued or not. Throws Error(usage) for a
  // bad time or place.
  ScanResult scan(std::string_view payload, const ScanContext& context = {});

  // The serial a payload carries: a well-formed GS1 Digital Link's AI 21 (percent-decoded;
  // the ledger keys serials alone, so a brand's GS1 serials must be unique across its GTINs);
  // else a signed payload's serial field; else the {serial} of
  // an imported batch whose payload template matches; else the payload itself when it is
  // a serial (4..64 characters of 0-9, A-Z, a-z, '-', '_'); else empty.
  std::string serial_in_payload(std::string_view payload);

  // Throws Error(usage) for a serial that check_serial() refuses.
  SerialStatus status(std::string_view serial);
  LedgerStats stats();

  // Counts per batch, the latest imported first (then by name): at most `limit` batches,
  // 1..100000. batch not empty: that batch only (nothing when the ledger has no such batch).
  // Throws Error(usage) for a limit out of range.
  std::vector<BatchStats> batch_stats(std::string_view batch = {}, std::size_t limit = 1000);
  // The copies: issued serials scanned more than once, of one batch (empty: every batch),
  // the latest scanned first (then by serial); at most `limit` serials, 1..100000, each with
  // at most `history` scans, 2..1000: its earliest and the latest history - 1. Throws
  // Error(usage) for a limit out of range.
  std::vector<CopyRecord> copies(std::string_view batch = {}, std::size_t limit = 100,
                                 std::size_t history = 20);
  // Scans of the issued serials of one batch (empty: every batch) per UTC day, oldest day
  // first: the latest `days` days that had scans, 1..3660. Days without scans are absent.
  // Throws Error(usage) for a count out of range.
  std::vector<DayScans> scans_per_day(std::string_view batch = {}, std::size_t days = 366);

  // Sets the place of a counted scan after the fact (the verification page's optional
  // "share my location"): the scan's log row, and the serial's first or last place when
  // this scan is its first or last by time. Returns false when no counted scan has that id.
  // Throws Error(usage) for a place ScanContext::where would refuse.
  bool set_scan_place(std::int64_t scan_id, std::string_view where);

  // Retention: empties the place of every scan before `before` (a time as
  // normalize_time() takes it), and the serials' first and last places of those times.
  // Counts, times and payloads stay. Returns how many scans' places were emptied.
  std::int64_t clear_places_before(std::string_view before);

 private:
  explicit Ledger(std::unique_ptr<detail::LedgerBackend> backend);
  std::unique_ptr<detail::LedgerBackend> backend_;
  std::unique_ptr<detail::TemplateCache> templates_;
};

// What the ledger takes for a serial, the one rule for import_manifest() and status(): 1 to
// 256 bytes of well-formed UTF-8 without control characters and without a leading or
// trailing space. Throws Error(usage) quoting at most the first 40 characters of it (bytes
// that are not text in hex); import turns it into Error(input) naming the manifest line.
void check_serial(std::string_view serial);

// "YYYY-MM-DDTHH:MM:SSZ" for an ISO 8601 date or date-time (with Z, an offset, or none =
// UTC). Throws Error(usage) naming the text.
std::string normalize_time(std::string_view text);

}  // namespace viscode
