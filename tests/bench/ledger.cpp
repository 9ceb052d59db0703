// bench_ledger: scans per second of the first-scan ledger, SQLite and PostgreSQL, with 1 and
// 8 concurrent clients on a ledger of 1,000,000 issued serials (docs/benchmarks.md).
// Each client is a thread with its own connection, scanning payloads of serials drawn at
// random from the issued ones (the first scans and repeat scans of a live ledger), through
// the public API a brand's scanning service would call. PostgreSQL is a real server started
// for the run by tests/ledger/pg-test-server (default settings, fsync on).
//
// Usage: bench_ledger [--serials N] [--seconds S] [--backend sqlite|postgresql]
#include "viscode/ledger.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::size_t serials = 1'000'000;
  double seconds = 5;
  std::vector<std::string> backends{"sqlite", "postgresql"};
};

std::string payload_of(std::size_t i) {
  return fmt::format("https://v.example/a/S{:07d}", i);
}

void write_manifest(const std::filesystem::path& file, std::size_t n) {
  std::ofstream out(file, std::ios::binary);
  out << "index,serial,payload,file,page,position,sha256\n";
  const std::string hash(64, '0');
  for (std::size_t i = 1; i <= n; ++i) {
    out << i << ",S" << fmt::format("{:07d}", i) << "," << payload_of(i) << ",sheet.pdf,1,1,"
        << hash << "\n";
  }
}

struct Measured {
  double scans_per_s = 0, p50_ms = 0, p99_ms = 0;
  std::int64_t scans = 0, first = 0;
};

Measured measure(const std::string& url, int clients, std::size_t serials, double seconds) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::int64_t> firsts(static_cast<std::size_t>(clients));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      viscode::Ledger ledger = viscode::Ledger::open(url);
      std::mt19937_64 rng(static_cast<std::uint64_t>(c) * 7919 + 1);
      std::uniform_int_distribution<std::size_t> pick(1, serials);
      auto& lat = latencies[static_cast<std::size_t>(c)];
      ++ready;
      while (!go) std::this_thread::yield();
      const auto end = Clock::now() + std::chrono::duration<double>(seconds);
      viscode::ScanContext ctx{.at = "", .where = "bench", .keys = {}};
      while (true) {
        const std::string payload = payload_of(pick(rng));
        const auto t0 = Clock::now();
        if (t0 >= end) break;
        const viscode::ScanResult r = ledger.scan(payload, ctx);
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (r.verdict == viscode::ScanVerdict::first_scan) ++firsts[static_cast<std::size_t>(c)];
      }
    });
  }
  while (ready < clients) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto t0 = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  Measured m;
  for (std::size_t c = 0; c < latencies.size(); ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    m.first += firsts[c];
  }
  std::sort(all.begin(), all.end());
  m.scans = static_cast<std::int64_t>(all.size());
  m.scans_per_s = static_cast<double>(all.size()) / elapsed;
  if (!all.empty()) {
    m.p50_ms = all[all.size() / 2];
    m.p99_ms = all[all.size() * 99 / 100];
  }
  return m;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  if (::pclose(p) != 0) throw std::runtime_error("failed: " + command + "\n" + out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--serials") {
      a.serials = std::stoul(argv[i + 1]);
    } else if (flag == "--seconds") {
      a.seconds = std::stod(argv[i + 1]);
    } else if (flag == "--backend") {
      a.backends = {argv[i + 1]};
    } else {
      fmt::print(stderr, "usage: bench_ledger [--serials N] [--seconds S] [--backend B]\n");
      return 2;
    }
  }
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("bench-ledger-{}", ::getpid());
  std::filesystem::create_directories(dir / "run");
  const auto manifest = dir / "run" / "manifest.csv";
  write_manifest(manifest, a.serials);
  const std::string server = std::string(VISCODE_SOURCE_DIR) + "/tests/ledger/pg-test-server";

  fmt::print("{} issued serials, {:.0f} s per measurement, {} hardware threads\n\n", a.serials,
             a.seconds, std::thread::hardware_concurrency());
  fmt::print("| backend | import {} rows | clients | scans/s | p50 ms | p99 ms | first scans |\n",
             a.serials);
  fmt::print("|---|---:|---:|---:|---:|---:|---:|\n");
  int status = 0;
  for (const std::string& backend : a.backends) {
    std::string url;
    bool started = false;
    try {
      if (backend == "sqlite") {
        url = "sqlite:" + (dir / "ledger.db").string();
      } else {
        run(server + " start " + (dir / "pg").string() + " >/dev/null");
        started = true;
        std::ifstream in(dir / "pg" / "url");
        std::getline(in, url);
      }
      const auto t0 = Clock::now();
      viscode::Ledger::open(url, {.mode = viscode::LedgerOpenMode::create_if_missing})
          .import_manifest(manifest);
      const double import_s = std::chrono::duration<double>(Clock::now() - t0).count();
      for (const int clients : {1, 8}) {
        const Measured m = measure(url, clients, a.serials, a.seconds);
        fmt::print("| {} | {:.1f} s | {} | {:.0f} | {:.3f} | {:.3f} | {} of {} |\n", backend,
                   import_s, clients, m.scans_per_s, m.p50_ms, m.p99_ms, m.first, m.scans);
        std::fflush(stdout);
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "bench_ledger: {}: {}\n", backend, e.what());
      status = 1;
    }
    if (started) run(server + " stop " + (dir / "pg").string() + " >/dev/null");
  }
  std::filesystem::remove_all(dir);
  return status;
}
