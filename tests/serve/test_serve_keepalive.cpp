// viscode serve keeps HTTP/1.1 connections open: a phone that opens the page and its
// reload, or a reverse proxy's upstream connections, make several requests on one
// connection. libmicrohttpd 0.9.75 closes a connection after an answer queued before the
// request was complete, which the server once did for every request (each one then paid a
// new TCP connection); these tests send several requests on one socket and read each answer
// by its Content-Length.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "../ledger/ledger_util.hpp"
#include "http_client.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"
#include "viscode/sign.hpp"

namespace {

struct KeepAliveFixture {
  test::FreshLedger fresh{"sqlite"};
  viscode::SecretKey key = viscode::generate_key();
  viscode::Server server;

  static viscode::Server start(KeepAliveFixture& f) {
    {
      viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url(), test::kCreate);
      ledger.import_manifest(test::write_manifest(f.fresh.dir(), 3));
    }
    viscode::ServeOptions options;
    options.db = f.fresh.url();
    options.keys = {f.key.public_key()};
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    return viscode::Server::start(options);
  }

  KeepAliveFixture() : server(start(*this)) {}

  std::string path(const std::string& serial) const {
    return "/a/" + serial + "." + viscode::sign_serial(key, serial, "");
  }
};

std::string get(const std::string& path, const std::string& extra = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" + extra +
         "\r\n";
}

// Reads one answer from fd: the header block, then Content-Length bytes of body. Leaves
// what follows (a pipelined next answer) in `pending`. Status 0 when the connection closed
// before a whole answer.
test::HttpResponse read_one(int fd, std::string& pending) {
  char buf[4096];
  const auto fill = [&] {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return {};
  }
  test::HttpResponse r;
  r.headers = pending.substr(0, end + 2);
  r.status = std::atoi(pending.substr(9, 3).c_str());
  const std::size_t length =
      static_cast<std::size_t>(std::strtoul(r.header("Content-Length").c_str(), nullptr, 10));
  while (pending.size() < end + 4 + length) {
    if (!fill()) return {};
  }
  r.body = pending.substr(end + 4, length);
  pending.erase(0, end + 4 + length);
  return r;
}

// True when the server has closed fd (recv sees the end of the stream).
bool closed_by_server(int fd) {
  char c;
  return recv(fd, &c, 1, 0) == 0;
}

}  // namespace

TEST_CASE("serve: several requests on one keep-alive connection, each answered", "[serve]") {
  KeepAliveFixture f;
  const int fd = test::http_connect(f.server.port());
  REQUIRE(fd >= 0);
  std::string pending;

  test::http_send(fd, get("/healthz"));
  const test::HttpResponse health = read_one(fd, pending);
  CHECK(health.status == 200);
  CHECK(health.body == "{\"status\": \"ok\"}\n");
  CHECK(health.header("Connection").empty());

  test::http_send(fd, get(f.path("S0000001")));
  const test::HttpResponse first = read_one(fd, pending);
  CHECK(first.status == 200);
  CHECK_THAT(first.body, Catch::StartsWith("{\"verdict\": \"first_scan\""));
  CHECK(first.header("Connection").empty());

  test::http_send(fd, get(f.path("S0000001")));
  const test::HttpResponse again = read_one(fd, pending);
  CHECK_THAT(again.body, Catch::StartsWith("{\"verdict\": \"seen_before\""));

  test::http_send(fd, get("/nowhere"));
  CHECK(read_one(fd, pending).status == 404);

  // Two requests in one write (pipelined): two answers, in order.
  test::http_send(fd, get(f.path("S0000002")) + get(f.path("S0000003")));
  CHECK_THAT(read_one(fd, pending).body, Catch::Contains("\"serial\": \"S0000002\""));
  CHECK_THAT(read_one(fd, pending).body, Catch::Contains("\"serial\": \"S0000003\""));

  // The client's Connection: close is honoured: answered, then closed.
  test::http_send(fd, get("/healthz", "Connection: close\r\n"));
  CHECK(read_one(fd, pending).status == 200);
  CHECK(pending.empty());
  CHECK(closed_by_server(fd));
  close(fd);

  viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url());
  CHECK(ledger.status("S0000001").scans == 2);
  CHECK(ledger.status("S0000002").scans == 1);
  CHECK(ledger.status("S0000003").scans == 1);
}

TEST_CASE("serve: a request with a body is refused and its connection closed", "[serve]") {
  KeepAliveFixture f;
  const int fd = test::http_connect(f.server.port());
  REQUIRE(fd >= 0);
  std::string pending;
  test::http_send(fd, "GET " + f.path("S0000001") +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                          "Content-Length: 5\r\n\r\nhello");
  const test::HttpResponse r = read_one(fd, pending);
  CHECK(r.status == 413);
  CHECK(r.header("Connection") == "close");
  CHECK(closed_by_server(fd));
  close(fd);
  CHECK(viscode::Ledger::open(f.fresh.url()).status("S0000001").scans == 0);
}
