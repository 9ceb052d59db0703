// The storage behind viscode::Ledger. Each backend keeps the same three tables (issued
// serials with their scan counters, a log of every scan, the payload templates of imported
// batches) and makes a scan one atomic update of the serial's counter, so verdicts are the
// same whatever the backend and however many clients scan at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viscode/ledger.hpp"

namespace viscode::detail {

// What a scan did to an issued serial's row, read back in the same atomic statement.
struct CountedScan {
  std::int64_t scans = 0;  // after this scan
  std::string first_at, first_where, batch;
  std::int64_t scan_id = 0;  // the scan's log row
};

// A serial a manifest lists twice: its second listing, the first in line order.
struct RepeatedSerial {
  std::string serial;
  std::int64_t line = 0;
};

// An import in progress. The manifest's serials are staged outside the ledger as the
// manifest is read (in a temporary table, not in this process's memory: a manifest of
// 40 million rows must not need gigabytes), and nothing reaches the ledger before commit().
// Destroying a stage that was not committed discards it.
class ImportStage {
 public:
  virtual ~ImportStage() = default;
  virtual void add(std::string_view serial, std::int64_t line) = 0;
  virtual std::optional<RepeatedSerial> first_repeat() = 0;
  // Adds the staged serials the ledger does not have yet and the templates it does not
  // know, in one transaction: on any error nothing is added. Returns how many were new.
  virtual std::int64_t commit(std::string_view batch, std::string_view issued_at,
                              const std::vector<std::string>& templates) = 0;
};

class LedgerBackend {
 public:
  virtual ~LedgerBackend() = default;
  virtual std::string_view name() const = 0;

  // Starts an import (Ledger::import_manifest): see ImportStage.
  virtual std::unique_ptr<ImportStage> begin_import() = 0;
  // Payload templates of every imported batch ("https://b.example/{serial}").
  virtual std::vector<std::string> templates() = 0;

  // Counts one scan of `serial` and logs it, atomically; nullopt when the serial was
  // never issued (the scan is still logged, as not issued). serial may be empty.
  virtual std::optional<CountedScan> record_scan(std::string_view serial, std::string_view payload,
                                                 std::string_view at, std::string_view where) = 0;
  virtual SerialStatus status(std::string_view serial) = 0;
  virtual LedgerStats stats() = 0;
  // The brand's view (Ledger::batch_stats, copies, scans_per_day; limits already checked).
  virtual std::vector<BatchStats> batch_stats(std::string_view batch, std::size_t limit) = 0;
  virtual std::vector<CopyRecord> copies(std::string_view batch, std::size_t limit,
                                         std::size_t history) = 0;
  virtual std::vector<DayScans> scans_per_day(std::string_view batch, std::size_t days) = 0;

  // The optional place of a scan, set after it (Ledger::set_scan_place): false when no
  // counted scan has that id.
  virtual bool set_scan_place(std::int64_t scan_id, std::string_view where) = 0;
  // Retention (Ledger::clear_places_before): returns the scans whose place was emptied.
  virtual std::int64_t clear_places_before(std::string_view before) = 0;
};

// path: a file, created with the ledger's tables when missing if `create`, else
// Error(input) naming the fix. Error(input) when it is not a ledger.
std::unique_ptr<LedgerBackend> open_sqlite(const std::string& path, bool create);
// url: a libpq connection URI or keyword/value string; the ledger's tables are created when
// missing if `create`, else Error(input) naming the fix. Error(input) when the server
// cannot be reached.
std::unique_ptr<LedgerBackend> open_postgres(const std::string& url, bool create);
// Error(usage), passwords masked, unless libpq parses conninfo as a connection string.
void check_postgres_keywords(const std::string& conninfo);
// url with its passwords masked (redacted_ledger_url()).
std::string redact(std::string_view url);

}  // namespace viscode::detail
