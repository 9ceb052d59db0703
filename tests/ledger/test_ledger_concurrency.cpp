// Many clients scanning the same serials at once: exactly one first-scan verdict per
// serial, ever, and every scan counted once. Threads each hold their own connection;
// processes are forked, as separate scanning front ends would be.
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "ledger_util.hpp"
#include "viscode/error.hpp"
#include "viscode/ledger.hpp"

using viscode::Ledger;
using viscode::ScanVerdict;

namespace {

constexpr int kSerials = 300;

std::vector<std::string> shuffled_serials(unsigned seed) {
  std::vector<std::string> serials;
  for (int i = 1; i <= kSerials; ++i) serials.push_back(fmt::format("S{:07d}", i));
  std::mt19937 rng(seed);
  std::shuffle(serials.begin(), serials.end(), rng);
  return serials;
}

// What one client saw: serials it got a first-scan verdict for, and its other verdicts.
struct Seen {
  std::vector<std::string> firsts;
  int seen_before = 0, other = 0;
};

Seen scan_all(const std::string& url, unsigned seed) {
  Ledger ledger = Ledger::open(url);
  Seen seen;
  for (const std::string& serial : shuffled_serials(seed)) {
    const viscode::ScanResult r =
        ledger.scan("https://v.example/a/" + serial, {.at = "", .where = "client"});
    if (r.verdict == ScanVerdict::first_scan) {
      seen.firsts.push_back(r.serial);
    } else if (r.verdict == ScanVerdict::seen_before) {
      ++seen.seen_before;
    } else {
      ++seen.other;
    }
  }
  return seen;
}

void check_totals(const std::string& url, const std::vector<Seen>& clients) {
  std::map<std::string, int> firsts;
  int seen_before = 0, other = 0;
  for (const Seen& s : clients) {
    for (const std::string& serial : s.firsts) ++firsts[serial];
    seen_before += s.seen_before;
    other += s.other;
  }
  const int n = static_cast<int>(clients.size());
  CHECK(other == 0);
  CHECK(firsts.size() == kSerials);
  CHECK(std::all_of(firsts.begin(), firsts.end(), [](const auto& kv) { return kv.second == 1; }));
  CHECK(seen_before == (n - 1) * kSerials);
  Ledger ledger = Ledger::open(url);
  const viscode::LedgerStats st = ledger.stats();
  CHECK(st.scans == n * kSerials);
  CHECK(st.scanned == kSerials);
  CHECK(st.seen_before == kSerials);
  for (const char* serial : {"S0000001", "S0000150", "S0000300"}) {
    CHECK(ledger.status(serial).scans == n);
  }
}

void threads_case(const std::string& backend) {
  test::FreshLedger fresh(backend);
  Ledger::open(fresh.url(), test::kCreate)
      .import_manifest(test::write_manifest(fresh.dir(), kSerials));
  constexpr int kThreads = 8;
  std::vector<Seen> seen(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        seen[static_cast<std::size_t>(t)] = scan_all(fresh.url(), static_cast<unsigned>(t));
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(t)] = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) CHECK(e.empty());
  check_totals(fresh.url(), seen);
}

// Each child reports "F <serial>" per first scan and "S <count> O <count>" at the end.
void processes_case(const std::string& backend) {
  test::FreshLedger fresh(backend);
  Ledger::open(fresh.url(), test::kCreate)
      .import_manifest(test::write_manifest(fresh.dir(), kSerials));
  constexpr int kProcesses = 4;
  std::vector<Seen> seen(kProcesses);
  std::vector<pid_t> pids;
  std::vector<FILE*> pipes;
  for (int p = 0; p < kProcesses; ++p) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      FILE* out = ::fdopen(fds[1], "w");
      int code = 0;
      try {
        const Seen s = scan_all(fresh.url(), 100u + static_cast<unsigned>(p));
        for (const std::string& serial : s.firsts) std::fprintf(out, "F %s\n", serial.c_str());
        std::fprintf(out, "S %d O %d\n", s.seen_before, s.other);
      } catch (const std::exception& e) {
        std::fprintf(out, "E %s\n", e.what());
        code = 1;
      }
      std::fclose(out);
      ::_exit(code);
    }
    ::close(fds[1]);
    pids.push_back(pid);
    pipes.push_back(::fdopen(fds[0], "r"));
  }
  for (int p = 0; p < kProcesses; ++p) {
    char line[512];
    while (std::fgets(line, sizeof line, pipes[static_cast<std::size_t>(p)])) {
      std::string text(line);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      Seen& s = seen[static_cast<std::size_t>(p)];
      if (text.starts_with("F ")) {
        s.firsts.push_back(text.substr(2));
      } else if (std::sscanf(line, "S %d O %d", &s.seen_before, &s.other) != 2) {
        FAIL_CHECK("child " << p << ": " << text);
      }
    }
    std::fclose(pipes[static_cast<std::size_t>(p)]);
    int status = 0;
    ::waitpid(pids[static_cast<std::size_t>(p)], &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  check_totals(fresh.url(), seen);
}

}  // namespace

TEST_CASE("ledger sqlite: 8 threads scanning the same serials", "[ledger][concurrency]") {
  threads_case("sqlite");
}
TEST_CASE("ledger postgresql: 8 threads scanning the same serials", "[ledger][concurrency]") {
  threads_case("postgresql");
}
TEST_CASE("ledger sqlite: 4 processes scanning the same serials", "[ledger][concurrency]") {
  processes_case("sqlite");
}
TEST_CASE("ledger postgresql: 4 processes scanning the same serials", "[ledger][concurrency]") {
  processes_case("postgresql");
}
