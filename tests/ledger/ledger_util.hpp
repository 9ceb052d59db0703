// Fresh ledgers for tests: an SQLite file in a temporary folder, or a new database on the
// PostgreSQL server that the pg_server ctest fixture started.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "viscode/ledger.hpp"

namespace test {

// Ledger::open's options for a test's first open of its fresh ledger; later opens use the
// default (the ledger must exist).
inline constexpr viscode::LedgerOpenOptions kCreate{.mode =
                                                        viscode::LedgerOpenMode::create_if_missing};

// "sqlite" or "postgresql".
std::vector<std::string> ledger_backends();

// A ledger URL nobody else uses; removed (file or database) when the object dies.
class FreshLedger {
 public:
  explicit FreshLedger(const std::string& backend);
  ~FreshLedger();
  FreshLedger(const FreshLedger&) = delete;
  FreshLedger& operator=(const FreshLedger&) = delete;
  const std::string& url() const { return url_; }
  const std::filesystem::path& dir() const { return dir_; }  // a scratch folder for files

 private:
  std::string backend_, url_, database_;
  std::filesystem::path dir_;
};

// The libpq URL of the test server's default database (from the fixture's url file).
std::string pg_server_url();

// Writes a batch manifest with `count` rows: serials S0000001.. (or from `first`), payload
// "https://v.example/a/<serial>".
std::filesystem::path write_manifest(const std::filesystem::path& dir, std::size_t count,
                                     std::size_t first = 1);

}  // namespace test
