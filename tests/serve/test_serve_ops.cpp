// serve's operations over real HTTP: IPv6 --listen, the per-client rate limit, X-Forwarded-For
// from trusted proxies (seen through the rate limit, the only place the client address is
// used), and the serve command as child processes: usage errors, two processes on one
// PostgreSQL ledger, and SIGTERM in the middle of a load losing no scan.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <map>
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

std::string serial_of(int n) {
  return fmt::format("S{:07d}", n);
}

// A ledger with serials S0000001.. issued, the brand's key, and a server with the options
// the test sets.
struct OpsServer {
  test::FreshLedger fresh;
  viscode::SecretKey key = viscode::generate_key();
  std::mutex log_mutex;
  std::vector<std::string> log;
  viscode::Server server;

  OpsServer(const std::function<void(viscode::ServeOptions&)>& set, int serials = 10,
            const std::string& backend = "sqlite")
      : fresh(backend), server(start(*this, set, serials)) {}

  static viscode::Server start(OpsServer& s, const std::function<void(viscode::ServeOptions&)>& set,
                               int serials) {
    {
      viscode::Ledger ledger = viscode::Ledger::open(s.fresh.url(), test::kCreate);
      ledger.import_manifest(
          test::write_manifest(s.fresh.dir(), static_cast<std::size_t>(serials)));
    }
    viscode::ServeOptions options;
    options.db = s.fresh.url();
    options.keys = {s.key.public_key()};
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.access_log = [&s](std::string_view line) {
      const std::lock_guard lock(s.log_mutex);
      s.log.emplace_back(line);
    };
    if (set) set(options);
    return viscode::Server::start(options);
  }

  std::uint16_t port() const { return server.port(); }
  std::string path(const std::string& serial) const {
    return "/a/" + serial + "." + viscode::sign_serial(key, serial);
  }
  std::int64_t scans(const std::string& serial) const {
    return viscode::Ledger::open(fresh.url()).status(serial).scans;
  }
  std::vector<std::string> log_lines() {
    const std::lock_guard lock(log_mutex);
    return log;
  }
};

// A connected socket to host (an IPv4 or IPv6 literal) and port; -1 when refused.
int connect_to(const std::string& host, std::uint16_t port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (host.find(':') != std::string::npos) {
    auto* six = reinterpret_cast<sockaddr_in6*>(&storage);
    six->sin6_family = family = AF_INET6;
    six->sin6_port = htons(port);
    inet_pton(AF_INET6, host.c_str(), &six->sin6_addr);
    length = sizeof *six;
  } else {
    auto* four = reinterpret_cast<sockaddr_in*>(&storage);
    four->sin_family = AF_INET;
    four->sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &four->sin_addr);
    length = sizeof *four;
  }
  const int fd = socket(family, SOCK_STREAM, 0);
  timeval timeout{10, 0};  // fail, not hang, when the server does not answer
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// GET path with Connection: close and extra header lines ("Name: value").
test::HttpResponse get(std::uint16_t port, const std::string& path,
                       const std::vector<std::string>& headers = {},
                       const std::string& host = "127.0.0.1") {
  const int fd = connect_to(host, port);
  if (fd < 0) return {};
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  test::http_send(fd, request + "Connection: close\r\n\r\n");
  return test::http_read(fd);
}

bool ipv6_loopback() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_addr = in6addr_loopback;
  const bool ok = bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof any) == 0;
  close(fd);
  return ok;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("serve ipv6: listens on [::1] with a free port and answers a scan", "[serve]") {
  if (!ipv6_loopback()) {
    WARN("skipped: this machine has no IPv6 loopback (::1 cannot be bound)");
    return;
  }
  OpsServer s([](viscode::ServeOptions& o) { o.listen = "[::1]:0"; });
  REQUIRE(s.port() != 0);
  CHECK(get(s.port(), "/healthz", {}, "::1").status == 200);
  const test::HttpResponse r = get(s.port(), s.path("S0000001"), {}, "::1");
  CHECK(r.status == 200);
  CHECK_THAT(r.body, Catch::StartsWith("{\"verdict\": \"first_scan\""));
  CHECK(s.scans("S0000001") == 1);
}

TEST_CASE("serve ipv6: [::] takes IPv4 too, and a trusted 127.0.0.1 matches its mapped peers",
          "[serve]") {
  if (!ipv6_loopback()) {
    WARN("skipped: this machine has no IPv6 loopback (::1 cannot be bound)");
    return;
  }
  OpsServer s([](viscode::ServeOptions& o) {
    o.listen = "[::]:0";
    o.trust_proxy = {"127.0.0.1", "::1"};
    o.rate_limit = 1;
  });
  REQUIRE(s.port() != 0);
  // Over IPv4, the peer is ::ffff:127.0.0.1 on this socket: still the trusted proxy, so two
  // forwarded clients have a bucket each.
  CHECK(get(s.port(), s.path("S0000001"), {"X-Forwarded-For: 203.0.113.7"}).status == 200);
  CHECK(get(s.port(), s.path("S0000002"), {"X-Forwarded-For: 203.0.113.8"}).status == 200);
  CHECK(get(s.port(), s.path("S0000003"), {"X-Forwarded-For: 203.0.113.7"}).status == 429);
  // Over IPv6, from the trusted ::1; 2001:db8::7 and 2001:db8::8 are one client (one /64).
  CHECK(get(s.port(), s.path("S0000004"), {"X-Forwarded-For: 2001:db8::7"}, "::1").status == 200);
  CHECK(get(s.port(), s.path("S0000005"), {"X-Forwarded-For: 2001:db8::8"}, "::1").status == 429);
  CHECK(s.scans("S0000001") + s.scans("S0000002") + s.scans("S0000003") + s.scans("S0000004") +
            s.scans("S0000005") ==
        3);
}

TEST_CASE("serve rate limit: past the burst a client gets 429 with Retry-After, nothing recorded",
          "[serve]") {
  OpsServer s([](viscode::ServeOptions& o) { o.rate_limit = 3; });  // one every 20 s
  for (int i = 1; i <= 3; ++i) CHECK(get(s.port(), s.path(serial_of(i))).status == 200);
  const test::HttpResponse json = get(s.port(), s.path("S0000004"));
  CHECK(json.status == 429);
  CHECK(json.body ==
        "{\"error\": \"Too many requests from your address: wait a little, then open the code "
        "again\"}\n");
  const int retry = std::atoi(json.header("Retry-After").c_str());
  CHECK(retry >= 1);
  CHECK(retry <= 20);
  CHECK(json.header("Cache-Control") == "no-store");
  const test::HttpResponse page = test::http_get(s.port(), s.path("S0000004"));
  CHECK(page.status == 429);
  CHECK_THAT(page.body, Catch::Contains("<h1>Too many requests from your address</h1>"));
  CHECK(s.scans("S0000004") == 0);
  // /healthz, unknown paths and HEAD stay answered: they take no token.
  CHECK(get(s.port(), "/healthz").status == 200);
  CHECK(get(s.port(), "/nothing").status == 404);
  CHECK(test::http_get(s.port(), s.path("S0000005"), {}, "HEAD").status == 405);
  s.server.stop();
  const std::vector<std::string> lines = s.log_lines();
  REQUIRE(lines.size() == 8);
  for (int i = 0; i < 3; ++i)
    CHECK_THAT(lines[static_cast<std::size_t>(i)],
               Catch::Contains("\"status\": 200, \"verdict\": \"first_scan\""));
  for (int i = 3; i < 5; ++i) {
    CHECK_THAT(lines[static_cast<std::size_t>(i)],
               Catch::Contains("\"route\": \"/a/{serial}.{sig}\", \"status\": 429, \"verdict\": "
                               "\"limited\", \"serial\": null"));
  }
}

TEST_CASE("serve rate limit: the default lets a scan and 5 quick reloads through", "[serve]") {
  OpsServer s({});
  viscode::ServeOptions defaults;
  CHECK(defaults.rate_limit == 20);
  for (int i = 0; i < 6; ++i) CHECK(get(s.port(), s.path("S0000001")).status == 200);
  CHECK(s.scans("S0000001") == 6);  // (reload recognition is not the rate limit's)
}

TEST_CASE("serve proxies: X-Forwarded-For from a trusted proxy gives each client its bucket",
          "[serve]") {
  OpsServer s([](viscode::ServeOptions& o) {
    o.trust_proxy = {"127.0.0.1"};
    o.rate_limit = 2;
  });
  const std::string a = "X-Forwarded-For: 203.0.113.7", b = "X-Forwarded-For: 203.0.113.8";
  std::vector<int> statuses;
  for (int i = 1; i <= 3; ++i) statuses.push_back(get(s.port(), s.path(serial_of(i)), {a}).status);
  for (int i = 4; i <= 6; ++i) statuses.push_back(get(s.port(), s.path(serial_of(i)), {b}).status);
  // What a client writes left of the proxy's entry changes nothing: still 203.0.113.7.
  statuses.push_back(
      get(s.port(), s.path(serial_of(7)), {"X-Forwarded-For: 192.0.2.1, 203.0.113.7"}).status);
  // Two headers are one list, in order: the right-most entry is 203.0.113.9.
  statuses.push_back(get(s.port(), s.path(serial_of(8)),
                         {"X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 203.0.113.9"})
                         .status);
  CHECK(statuses == std::vector<int>{200, 200, 429, 200, 200, 429, 429, 200});
  std::int64_t recorded = 0;
  for (int i = 1; i <= 8; ++i) recorded += s.scans(serial_of(i));
  CHECK(recorded == 5);
  s.server.stop();
  for (const std::string& line : s.log_lines()) {
    CHECK_THAT(line, !Catch::Contains("203.0.113") && !Catch::Contains("127.0.0.1") &&
                         !Catch::Contains("warning"));
  }
}

TEST_CASE("serve proxies: X-Forwarded-For from an untrusted peer is ignored", "[serve]") {
  OpsServer s([](viscode::ServeOptions& o) {
    o.trust_proxy = {"10.0.0.0/8", "::1"};  // not 127.0.0.1
    o.rate_limit = 2;
  });
  std::vector<int> statuses;
  statuses.push_back(get(s.port(), s.path("S0000001"), {"X-Forwarded-For: 203.0.113.7"}).status);
  statuses.push_back(get(s.port(), s.path("S0000002"), {"X-Forwarded-For: 203.0.113.7"}).status);
  // Another claimed address, the same peer: the same bucket, now empty.
  statuses.push_back(get(s.port(), s.path("S0000003"), {"X-Forwarded-For: 203.0.113.8"}).status);
  statuses.push_back(get(s.port(), s.path("S0000004")).status);
  CHECK(statuses == std::vector<int>{200, 200, 429, 429});
  CHECK(s.scans("S0000001") + s.scans("S0000002") + s.scans("S0000003") + s.scans("S0000004") == 2);
  s.server.stop();
  // One warning (not one per request), and no address in any line.
  const std::vector<std::string> lines = s.log_lines();
  int warnings = 0;
  for (const std::string& line : lines) {
    CHECK_THAT(line, !Catch::Contains("203.0.113") && !Catch::Contains("127.0.0.1"));
    if (line.find("\"warning\"") != std::string::npos) {
      ++warnings;
      CHECK_THAT(
          line,
          Catch::EndsWith("\"warning\": \"X-Forwarded-For came from a peer not given to "
                          "--trust-proxy and was ignored: the peer is the client for the rate "
                          "limit. Behind a reverse proxy, give its address with --trust-proxy\"}"));
    }
  }
  CHECK(warnings == 1);
  CHECK(lines.size() == 5);
}

TEST_CASE("serve: bad --trust-proxy and rate limit options are usage errors", "[serve]") {
  viscode::ServeOptions o;
  o.db = "ledger.db";
  o.keys = {viscode::generate_key().public_key()};
  o.trust_proxy = {"127.0.0.1", "nginx"};
  CHECK_THROWS_WITH(
      viscode::check_serve_options(o),
      "ServeOptions.trust_proxy 'nginx' is not ADDRESS or ADDRESS/PREFIX: give the reverse "
      "proxy's address as serve sees it, e.g. 127.0.0.1, ::1 or 10.0.0.0/8");
  o.trust_proxy = {"127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"};
  CHECK_NOTHROW(viscode::check_serve_options(o));
  o.rate_limit = 100001;
  CHECK_THROWS_WITH(
      viscode::check_serve_options(o),
      "ServeOptions.rate_limit 100001/min is out of range: give 1/min to 100000/min, or off");
  o.rate_limit = 0;
  CHECK_NOTHROW(viscode::check_serve_options(o));
  o.rate_limit_clients = 0;
  CHECK_THROWS_WITH(viscode::check_serve_options(o),
                    "rate_limit_clients 0 is out of range: give 1 to 10000000");
}

#ifdef VISCODE_CLI
namespace {

// `viscode serve ARGS...` as a child process, its stdout and stderr in files.
class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& dir, const std::string& name,
               const std::vector<std::string>& args)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int o = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(o, 1);
      dup2(e, 2);
      std::vector<std::string> all = {VISCODE_CLI, "serve"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(VISCODE_CLI, argv.data());
      _exit(127);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // The port it says it listens on; 0 when it does not within 10 s (or exited).
  std::uint16_t port() {
    const std::regex listening(R"(listening on http://\S+:(\d+)/)");
    for (int i = 0; i < 500; ++i) {
      std::smatch m;
      const std::string text = read_file(err_);
      if (std::regex_search(text, m, listening)) return static_cast<std::uint16_t>(std::stoi(m[1]));
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }
  void signal(int number) const { kill(pid_, number); }
  // Waits for it to exit: its exit code, or -1 when a signal ended it.
  int wait() {
    if (pid_ > 0) {
      waitpid(pid_, &status_, 0);
      pid_ = -1;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  int status_ = 0;
};

// A key pair's files and a ledger with `serials` serials, for the command.
struct CommandLedger {
  test::FreshLedger fresh;
  viscode::SecretKey key = viscode::generate_key();
  std::string pub;

  CommandLedger(const std::string& backend, int serials) : fresh(backend) {
    viscode::Ledger ledger = viscode::Ledger::open(fresh.url(), test::kCreate);
    ledger.import_manifest(test::write_manifest(fresh.dir(), static_cast<std::size_t>(serials)));
    viscode::write_key_files(key, fresh.dir() / "brand");
    pub = (fresh.dir() / "brand.pub").string();
  }
  std::string path(const std::string& serial) const {
    return "/a/" + serial + "." + viscode::sign_serial(key, serial);
  }
  std::int64_t scans(const std::string& serial) const {
    return viscode::Ledger::open(fresh.url()).status(serial).scans;
  }
};

}  // namespace

TEST_CASE("serve cli: bad --listen, --trust-proxy and --rate-limit exit 2 naming the flag",
          "[serve]") {
  CommandLedger ledger("sqlite", 1);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--listen", "[::1]"},
       "viscode: --listen '[::1]' is not ADDRESS:PORT: give e.g. 127.0.0.1:8080, [::1]:8080 or "
       "[::]:8080 (port 0 picks a free port)\n"},
      {{"--trust-proxy", "localhost"},
       "viscode: --trust-proxy 'localhost' is not ADDRESS or ADDRESS/PREFIX: give the reverse "
       "proxy's address as serve sees it, e.g. 127.0.0.1, ::1 or 10.0.0.0/8\n"},
      {{"--rate-limit", "20"},
       "viscode: --rate-limit '20' is not N/min or off: give e.g. 20/min (a burst of 20 scans per "
       "client, then one every 3 s; 1/min to 100000/min), or off\n"},
      {{"--rate-limit", "0/min"},
       "viscode: --rate-limit '0/min' is not N/min or off: give e.g. 20/min (a burst of 20 scans "
       "per client, then one every 3 s; 1/min to 100000/min), or off\n"},
  };
  int n = 0;
  for (const auto& [args, message] : cases) {
    INFO(message);
    std::vector<std::string> all = {"--db", ledger.fresh.url(), "--pub", ledger.pub};
    all.insert(all.end(), args.begin(), args.end());
    ServeProcess p(ledger.fresh.dir(), fmt::format("bad{}", n++), all);
    CHECK(p.wait() == 2);
    CHECK(p.err() == message);
  }
}

// Two serve processes on one PostgreSQL ledger, as behind a load balancer: concurrent first
// requests for one serial, spread over both, give exactly one first scan and count them all.
TEST_CASE("serve cli postgresql: two processes on one ledger give one first scan", "[serve]") {
  CommandLedger ledger("postgresql", 10);
  const std::vector<std::string> args = {
      "--db",        ledger.fresh.url(), "--pub", ledger.pub,     "--listen",
      "127.0.0.1:0", "--threads",        "4",     "--rate-limit", "off"};
  ServeProcess one(ledger.fresh.dir(), "one", args), two(ledger.fresh.dir(), "two", args);
  const std::uint16_t ports[2] = {one.port(), two.port()};
  REQUIRE(ports[0] != 0);
  REQUIRE(ports[1] != 0);
  REQUIRE(ports[0] != ports[1]);

  constexpr int kClients = 40;
  const std::string path = ledger.path("S0000003");
  std::vector<test::HttpResponse> answers(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(
        [&, i] { answers[static_cast<std::size_t>(i)] = get(ports[i % 2], path); });
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
  CHECK(ledger.scans("S0000003") == kClients);

  one.signal(SIGTERM);
  two.signal(SIGTERM);
  CHECK(one.wait() == 0);
  CHECK(two.wait() == 0);
  // Each process answered its half, and both logs together hold the one first scan.
  const std::string logs[2] = {one.out(), two.out()};
  CHECK(count_of(logs[0], "\"serial\": \"S0000003\"") == kClients / 2);
  CHECK(count_of(logs[1], "\"serial\": \"S0000003\"") == kClients / 2);
  CHECK(count_of(logs[0] + logs[1], "\"verdict\": \"first_scan\"") == 1);
}

// SIGTERM while 8 keep-alive clients scan distinct serials: every request answered 200 is
// recorded once, every other one (refused with 503, or left without an answer) not at all,
// and the command exits 0. The signal goes once 100 answers are in: no timing assumed.
static void sigterm_during_load(const std::string& backend) {
  constexpr int kSerials = 400, kClients = 8, kSignalAfter = 100;
  CommandLedger ledger(backend, kSerials);
  ServeProcess serve(ledger.fresh.dir(), "serve",
                     {"--db", ledger.fresh.url(), "--pub", ledger.pub, "--listen", "127.0.0.1:0",
                      "--threads", "4", "--rate-limit", "off"});
  const std::uint16_t port = serve.port();
  REQUIRE(port != 0);

  std::atomic<int> next{1}, answered{0};
  std::mutex outcomes_mutex;
  std::map<int, int> outcomes;  // serial number -> status (0: no answer)
  const auto client = [&] {
    int fd = -1;
    for (;;) {
      const int n = next.fetch_add(1);
      if (n > kSerials) break;
      if (fd < 0 && (fd = connect_to("127.0.0.1", port)) < 0) break;  // no longer accepting
      test::http_send(fd, "GET " + ledger.path(serial_of(n)) +
                              " HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n");
      // One answer off the keep-alive connection: headers, then Content-Length bytes.
      std::string data;
      char buf[4096];
      std::size_t end = std::string::npos, want = 0;
      int status = 0;
      bool close_after = true;
      for (;;) {
        if (end == std::string::npos && (end = data.find("\r\n\r\n")) != std::string::npos) {
          const test::HttpResponse head{0, data.substr(0, end + 2), {}};
          status = std::atoi(data.substr(9, 3).c_str());
          want =
              end + 4 + static_cast<std::size_t>(std::atoi(head.header("Content-Length").c_str()));
          close_after = head.header("Connection") == "close";
        }
        if (end != std::string::npos && data.size() >= want) break;
        const ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0) {
          status = 0;  // closed before a whole answer
          close_after = true;
          break;
        }
        data.append(buf, static_cast<std::size_t>(got));
      }
      if (status == 200 && data.find("{\"verdict\": \"first_scan\"", end) == std::string::npos) {
        status = -200;  // a 200 that is not this serial's first scan: reported below
      }
      {
        const std::lock_guard lock(outcomes_mutex);
        outcomes[n] = status;
      }
      if (status == 200) answered.fetch_add(1);
      if (close_after) {
        close(fd);
        fd = -1;
      }
    }
    if (fd >= 0) close(fd);
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back(client);
  for (int i = 0; i < 3000 && answered.load() < kSignalAfter; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(answered.load() >= kSignalAfter);
  serve.signal(SIGTERM);
  for (std::thread& t : clients) t.join();
  CHECK(serve.wait() == 0);
  CHECK_THAT(serve.err(), Catch::EndsWith("viscode serve: SIGTERM, stopping: answering requests "
                                          "in flight\nviscode serve: stopped\n"));

  int ok = 0, refused = 0, unanswered = 0, wrong = 0;
  std::int64_t recorded = 0, mismatched = 0;
  viscode::Ledger check = viscode::Ledger::open(ledger.fresh.url());  // one connection for all
  for (int n = 1; n <= kSerials; ++n) {
    const std::int64_t scans = check.status(serial_of(n)).scans;
    recorded += scans;
    const auto found = outcomes.find(n);
    const int status = found == outcomes.end() ? -1 : found->second;
    if (status == 200) ++ok;
    if (status == 503) ++refused;
    if (status == 0) ++unanswered;
    if (status == -200 || (status != 200 && status != 503 && status != 0 && status != -1)) ++wrong;
    if (scans != (status == 200 ? 1 : 0)) {
      ++mismatched;
      UNSCOPED_INFO(serial_of(n) << ": status " << status << ", recorded " << scans);
    }
  }
  INFO(ok << " answered 200, " << refused << " refused 503, " << unanswered << " unanswered");
  CHECK(wrong == 0);
  CHECK(mismatched == 0);
  CHECK(recorded == ok);
  CHECK(ok >= kSignalAfter);
  // The access log says the same: one first_scan line per recorded scan.
  CHECK(count_of(serve.out(), "\"verdict\": \"first_scan\"") == ok);
}

TEST_CASE("serve cli sqlite: SIGTERM during load loses no scan", "[serve]") {
  sigterm_during_load("sqlite");
}

TEST_CASE("serve cli postgresql: SIGTERM during load loses no scan", "[serve]") {
  sigterm_during_load("postgresql");
}
#endif
