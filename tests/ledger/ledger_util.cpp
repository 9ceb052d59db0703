#include "ledger_util.hpp"

#include <fmt/core.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <stdexcept>

namespace test {
namespace {

std::string run_admin(const std::string& sql) {
  PGconn* c = PQconnectdb(pg_server_url().c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

std::filesystem::path scratch_dir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("viscode-ledger-{}-{}-{:08x}", ::getpid(), counter++, rd());
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

std::vector<std::string> ledger_backends() {
  return {"sqlite", "postgresql"};
}

std::string pg_server_url() {
  std::ifstream in(VISCODE_PG_URL_FILE);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty()) {
    throw std::runtime_error(std::string("no PostgreSQL test server (") + VISCODE_PG_URL_FILE +
                             " is missing): run these tests through ctest, whose pg_server "
                             "fixture starts one");
  }
  return url;
}

FreshLedger::FreshLedger(const std::string& backend) : backend_(backend), dir_(scratch_dir()) {
  if (backend == "sqlite") {
    url_ = "sqlite:" + (dir_ / "ledger.db").string();
    return;
  }
  database_ = dir_.filename().string();
  for (char& c : database_) {
    if (c == '-') c = '_';
  }
  const std::string error = run_admin("CREATE DATABASE " + database_);
  if (!error.empty()) throw std::runtime_error("cannot create a test database: " + error);
  const std::string base = pg_server_url();
  // The fixture's URL names a database in its path: postgresql:///viscode_test?host=...
  const auto slash = base.find('/', std::string("postgresql://").size());
  const auto query = base.find('?');
  url_ = base.substr(0, slash + 1) + database_ +
         (query == std::string::npos ? std::string() : base.substr(query));
}

FreshLedger::~FreshLedger() {
  if (!database_.empty()) run_admin("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::filesystem::path write_manifest(const std::filesystem::path& dir, std::size_t count,
                                     std::size_t first) {
  const auto file = dir / fmt::format("batch-{}", first) / "manifest.csv";
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << "index,serial,payload,file,page,position,sha256\n";
  for (std::size_t i = 0; i < count; ++i) {
    const std::string serial = fmt::format("S{:07d}", first + i);
    out << fmt::format("{},{},https://v.example/a/{},{}.png,,,{:064x}\n", i + 1, serial, serial,
                       serial, i);
  }
  return file;
}

}  // namespace test
