// viscode serve over real HTTP: a server on a free 127.0.0.1 port per test, an SQLite ledger
// with issued serials, signed payload paths, and the exact verdicts the service answers.
#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "../ledger/ledger_util.hpp"
#include "http_client.hpp"
#include "viscode/error.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"
#include "viscode/sign.hpp"

namespace {

// A ledger with serials S0000001..S0000010 issued, the brand's key, and a server on it.
struct Fixture {
  test::FreshLedger fresh;
  viscode::SecretKey key = viscode::generate_key();
  std::mutex log_mutex;
  std::vector<std::string> log;
  viscode::Server server;

  static viscode::Server start(Fixture& f) {
    {
      viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url(), test::kCreate);
      ledger.import_manifest(test::write_manifest(f.fresh.dir(), 10));
    }
    viscode::ServeOptions options;
    options.db = f.fresh.url();
    options.keys = {f.key.public_key()};
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.rate_limit = 0;  // these tests send many requests from one address on purpose
    options.access_log = [&f](std::string_view line) {
      const std::lock_guard lock(f.log_mutex);
      f.log.emplace_back(line);
    };
    return viscode::Server::start(options);
  }

  explicit Fixture(const std::string& backend = "sqlite") : fresh(backend), server(start(*this)) {}

  std::uint16_t port() const { return server.port(); }
  std::string path(const std::string& serial, const std::string& product = {}) const {
    return "/a/" + (product.empty() ? "" : product + "/") + serial + "." +
           viscode::sign_serial(key, serial, product);
  }
  std::int64_t scans(const std::string& serial) const {
    return viscode::Ledger::open(fresh.url()).status(serial).scans;
  }
  std::vector<std::string> log_lines() {
    const std::lock_guard lock(log_mutex);
    return log;
  }
};

// The JSON answer up to its time fields, which depend on the clock.
std::string before_times(const std::string& body) {
  return body.substr(0, body.find(", \"at\""));
}

}  // namespace

TEST_CASE("serve: /healthz answers 200 with a small JSON body", "[serve]") {
  Fixture f;
  const test::HttpResponse r = test::http_get(f.port(), "/healthz");
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(r.body == "{\"status\": \"ok\"}\n");
  CHECK(test::http_get(f.port(), "/healthz", {}, "HEAD").status == 200);
}

TEST_CASE("serve: a genuine code is a first scan, then seen before", "[serve]") {
  Fixture f;
  const test::HttpResponse first = test::http_get(f.port(), f.path("S0000001"), "application/json");
  CHECK(first.status == 200);
  CHECK(first.header("Content-Type") == "application/json");
  CHECK(first.header("Cache-Control") == "no-store");
  CHECK(before_times(first.body) ==
        "{\"verdict\": \"first_scan\", \"genuine\": true, \"message\": \"Genuine, first scan\", "
        "\"serial\": \"S0000001\", \"product\": null, \"batch\": \"batch-1\", \"scans\": 1");
  CHECK_THAT(first.body, Catch::EndsWith("\"first_where\": null, \"lot\": null, \"product_url\": "
                                         "null, \"lang\": \"en\", \"name\": null, "
                                         "\"description\": null, \"production_date\": null, "
                                         "\"url\": null}\n"));

  const test::HttpResponse again = test::http_get(f.port(), f.path("S0000001"), "application/json");
  CHECK(again.status == 200);
  CHECK(before_times(again.body) ==
        "{\"verdict\": \"seen_before\", \"genuine\": true, \"message\": \"Genuine serial, seen "
        "before: possible copy\", \"serial\": \"S0000001\", \"product\": null, \"batch\": "
        "\"batch-1\", \"scans\": 2");
  CHECK(f.scans("S0000001") == 2);

  // A browser gets the page, with the verdict in words.
  const test::HttpResponse page = test::http_get(f.port(), f.path("S0000001"), "text/html");
  CHECK(page.status == 200);
  CHECK(page.header("Content-Type") == "text/html; charset=utf-8");
  CHECK_THAT(page.body, Catch::Contains("<h1>Genuine serial, seen before: possible copy</h1>") &&
                            Catch::Contains("<dt>Scanned before</dt><dd>2 times since ") &&
                            Catch::Contains("<dt>Serial</dt><dd>S0000001</dd>"));
  CHECK(page.body.size() < 40 * 1024);
  const test::HttpResponse fresh_page = test::http_get(f.port(), f.path("S0000002"));
  CHECK_THAT(fresh_page.body, Catch::Contains("<h1>Genuine, first scan</h1>"));
}

TEST_CASE("serve: a code with a product id answers with the signed product", "[serve]") {
  Fixture f;
  const test::HttpResponse r =
      test::http_get(f.port(), f.path("S0000003", "SHOE42"), "application/json");
  CHECK(r.status == 200);
  CHECK(before_times(r.body) ==
        "{\"verdict\": \"first_scan\", \"genuine\": true, \"message\": \"Genuine, first scan\", "
        "\"serial\": \"S0000003\", \"product\": \"SHOE42\", \"batch\": \"batch-1\", \"scans\": 1");
}

TEST_CASE("serve: a forged signature is answered forged and not counted", "[serve]") {
  Fixture f;
  const viscode::SecretKey rival = viscode::generate_key();
  const std::string path = "/a/S0000004." + viscode::sign_serial(rival, "S0000004");
  const test::HttpResponse r = test::http_get(f.port(), path, "application/json");
  CHECK(r.status == 200);
  CHECK(before_times(r.body) ==
        "{\"verdict\": \"forged\", \"genuine\": false, \"message\": \"Forged\", \"serial\": "
        "\"S0000004\", \"product\": null, \"batch\": null, \"scans\": 0");
  CHECK(f.scans("S0000004") == 0);
  const test::HttpResponse page = test::http_get(f.port(), path);
  CHECK_THAT(page.body, Catch::Contains("<h1>Forged</h1>"));
  // The genuine code of that serial is still its first scan.
  CHECK_THAT(test::http_get(f.port(), f.path("S0000004"), "application/json").body,
             Catch::StartsWith("{\"verdict\": \"first_scan\""));
}

TEST_CASE("serve: a genuinely signed serial the ledger never imported is not issued", "[serve]") {
  Fixture f;
  const test::HttpResponse r = test::http_get(f.port(), f.path("S9999999"), "application/json");
  CHECK(r.status == 200);
  CHECK(before_times(r.body) ==
        "{\"verdict\": \"not_issued\", \"genuine\": false, \"message\": \"Not issued\", "
        "\"serial\": \"S9999999\", \"product\": null, \"batch\": null, \"scans\": 0");
  CHECK_THAT(test::http_get(f.port(), f.path("S9999999")).body,
             Catch::Contains("<h1>Not issued</h1>"));
}

TEST_CASE("serve: malformed paths, other methods and bodies touch no scan", "[serve]") {
  Fixture f;
  const std::string good = f.path("S0000005");
  const std::string sig = good.substr(good.find('.') + 1);
  // Outside the prefix; malformed codes under it get the forged page (test_shopper.cpp).
  for (const std::string& path : {std::string("/"), std::string("/a"),
                                  "/b/S0000005." + sig,  // another prefix
                                  "/A/S0000005." + sig}) {
    INFO(path);
    const test::HttpResponse r = test::http_get(f.port(), path, "application/json");
    CHECK(r.status == 404);
    CHECK(r.body == "{\"error\": \"Not found: this address is not a code of this brand\"}\n");
  }
  for (const std::string& path : {std::string("/a/"), "/a/S0000005." + sig.substr(1)}) {
    INFO(path);
    const test::HttpResponse r = test::http_get(f.port(), path, "application/json");
    CHECK(r.status == 404);
    CHECK_THAT(r.body, Catch::StartsWith("{\"verdict\": \"forged\""));
  }
  CHECK(test::http_get(f.port(), "/nothing").status == 404);

  // HEAD (link previews) and POST never record a scan.
  const test::HttpResponse head = test::http_get(f.port(), good, {}, "HEAD");
  CHECK(head.status == 405);
  CHECK(head.header("Allow") == "GET");
  CHECK(test::http_get(f.port(), good, {}, "POST").status == 405);
  CHECK(test::http_raw(f.port(), "GET " + good +
                                     " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: "
                                     "close\r\n\r\nhello")
            .status == 413);
  CHECK(f.scans("S0000005") == 0);

  // Headers over the limit are refused by the HTTP layer, and so is a request line.
  CHECK(test::http_raw(f.port(), "GET " + good + " HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                     std::string(20000, 'b') + "\r\nConnection: close\r\n\r\n")
            .status == 431);
  CHECK(test::http_get(f.port(), "/a/" + std::string(20000, 'A')).status == 414);
  CHECK(f.scans("S0000005") == 0);
}

TEST_CASE("serve: one JSON access-log line per request, without an address", "[serve]") {
  Fixture f;
  test::http_get(f.port(), f.path("S0000006"), "application/json");
  test::http_get(f.port(), "/healthz");
  test::http_get(f.port(), "/nothing");
  f.server.stop();  // every line written
  const std::vector<std::string> lines = f.log_lines();
  REQUIRE(lines.size() == 3);
  const std::regex scan(
      R"(\{"time": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "method": "GET", "route": "/a/\{serial\}\.\{sig\}", "status": 200, "verdict": "first_scan", "serial": "S0000006", "latency_ms": \d+\.\d{3}\})");
  CHECK(std::regex_match(lines[0], scan));
  CHECK_THAT(lines[1],
             Catch::Contains("\"route\": \"/healthz\", \"status\": 200, \"verdict\": \"ok\""));
  CHECK_THAT(lines[2], Catch::Contains("\"route\": \"other\", \"status\": 404"));
  for (const std::string& line : lines) CHECK_THAT(line, !Catch::Contains("127.0.0.1"));
}

TEST_CASE("serve: stop() lets a request in flight finish and record its scan", "[serve]") {
  Fixture f;
  const int fd = test::http_connect(f.port());
  REQUIRE(fd >= 0);
  test::http_send(fd, "GET " + f.path("S0000007") + " HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::thread stopper([&] { f.server.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // No new connection is accepted while stopping...
  CHECK(test::http_get(f.port(), "/healthz").status == 0);
  // ...but the request already started is answered.
  test::http_send(fd, "Accept: application/json\r\n\r\n");
  const test::HttpResponse r = test::http_read(fd);
  stopper.join();
  CHECK(r.status == 200);
  CHECK(r.header("Connection") == "close");
  CHECK_THAT(r.body, Catch::StartsWith("{\"verdict\": \"first_scan\""));
  CHECK(f.scans("S0000007") == 1);
}

// Many phones opening one code at once (or a copy scanned while the original is): exactly
// one of them is its first scan, and every scan is counted, on both backends.
static void concurrent_first_requests(const std::string& backend) {
  Fixture f(backend);
  const std::string path = f.path("S0000009");
  constexpr int kClients = 50;
  std::vector<test::HttpResponse> answers(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      answers[static_cast<std::size_t>(i)] = test::http_get(f.port(), path, "application/json");
    });
  }
  for (std::thread& t : clients) t.join();
  int first = 0, seen = 0;
  for (const test::HttpResponse& r : answers) {
    CHECK(r.status == 200);
    if (r.body.starts_with("{\"verdict\": \"first_scan\"")) ++first;
    if (r.body.starts_with("{\"verdict\": \"seen_before\"")) ++seen;
  }
  CHECK(first == 1);
  CHECK(seen == kClients - 1);
  CHECK(f.scans("S0000009") == kClients);
}

TEST_CASE("serve sqlite: 50 concurrent first requests for one serial give one first scan",
          "[serve]") {
  concurrent_first_requests("sqlite");
}

TEST_CASE("serve postgresql: 50 concurrent first requests for one serial give one first scan",
          "[serve]") {
  concurrent_first_requests("postgresql");
}

TEST_CASE("serve postgresql: a genuine code is a first scan, then seen before", "[serve]") {
  Fixture f("postgresql");
  CHECK_THAT(test::http_get(f.port(), f.path("S0000001", "SHOE42"), "application/json").body,
             Catch::StartsWith("{\"verdict\": \"first_scan\", \"genuine\": true, \"message\": "
                               "\"Genuine, first scan\", \"serial\": \"S0000001\", \"product\": "
                               "\"SHOE42\", \"batch\": \"batch-1\", \"scans\": 1,"));
  CHECK_THAT(test::http_get(f.port(), f.path("S0000001", "SHOE42")).body,
             Catch::Contains("<h1>Genuine serial, seen before: possible copy</h1>"));
  CHECK(f.scans("S0000001") == 2);
}

TEST_CASE("serve: bad options are usage errors naming the option", "[serve]") {
  viscode::ServeOptions o;
  o.db = "ledger.db";
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "localhost:80";
  CHECK_THROWS_WITH(
      viscode::check_serve_options(o),
      "ServeOptions.listen 'localhost:80' is not ADDRESS:PORT: give e.g. 127.0.0.1:8080, "
      "[::1]:8080 or [::]:8080 (port 0 picks a free port)");
  o.listen = "127.0.0.1:0";
  o.threads = 0;
  CHECK_THROWS_WITH(viscode::check_serve_options(o),
                    "ServeOptions.threads 0 is out of range: give 1 to 256 ledger workers");
  o.threads = 1;
  o.keys.clear();
  CHECK_THROWS_WITH(viscode::check_serve_options(o),
                    "serve needs the brand's public key: give ServeOptions.keys (old keys too)");
}

TEST_CASE("serve: a missing ledger stops the start with exit category input", "[serve]") {
  test::FreshLedger fresh("sqlite");
  viscode::ServeOptions o;
  o.db = (fresh.dir() / "ledgr.db").string();
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "127.0.0.1:0";
  try {
    viscode::Server::start(o);
    FAIL("started without a ledger");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::input);
  }
  CHECK(!std::filesystem::exists(fresh.dir() / "ledgr.db"));
}

#ifdef VISCODE_CLI
TEST_CASE("serve cli: serves a first scan, then stops on SIGTERM with exit 0", "[serve]") {
  Fixture f;  // its ledger and key; the command runs its own server on them
  f.server.stop();
  viscode::write_key_files(f.key, f.fresh.dir() / "brand");
  const auto out = f.fresh.dir() / "serve.out", err = f.fresh.dir() / "serve.err";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    const std::string pub = (f.fresh.dir() / "brand.pub").string();
    execl(VISCODE_CLI, VISCODE_CLI, "serve", "--db", f.fresh.url().c_str(), "--pub", pub.c_str(),
          "--listen", "127.0.0.1:0", "--threads", "2", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto read_file = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  // The command says its port on stderr once it listens.
  std::uint16_t port = 0;
  const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)/)");
  for (int i = 0; i < 500 && port == 0; ++i) {
    std::smatch m;
    const std::string text = read_file(err);
    if (std::regex_search(text, m, listening))
      port = static_cast<std::uint16_t>(std::stoi(m[1]));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(port != 0);
  const test::HttpResponse r = test::http_get(port, f.path("S0000008"), "application/json");
  CHECK(r.status == 200);
  CHECK_THAT(r.body, Catch::StartsWith("{\"verdict\": \"first_scan\""));

  REQUIRE(kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(read_file(err), Catch::EndsWith("viscode serve: SIGTERM, stopping: answering "
                                             "requests in flight\nviscode serve: stopped\n"));
  CHECK_THAT(read_file(out),
             Catch::Contains("\"verdict\": \"first_scan\", \"serial\": \"S0000008\""));
  CHECK(f.scans("S0000008") == 1);
}
#endif
