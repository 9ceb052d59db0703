// viscode/serve.hpp — the verification service: the web page a scanned code's URL opens.
// A request for /a/[{product}/]{serial}.{sig} (the layout of a signed batch template) checks
// the signature and records the scan in the first-scan ledger, and answers with the verdict
// as a small HTML page or, for `Accept: application/json`, as JSON (docs/serve.md). GS1
// Digital Link paths, /01/{gtin}[/10/{lot}]/21/{serial}?s={sig}, are answered the same way.
// HTTP is libmicrohttpd's, kept private to the library; ledger and signature work runs on a
// bounded pool of worker threads, each with its own ledger connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "viscode/sign.hpp"

namespace viscode {

struct ServeOptions {
  // The ledger (a URL as Ledger::open takes it). It must exist: serve never creates one.
  std::string db;
  // The brand's public keys (at least one; several for a brand that rotated keys). A code
  // whose signature verifies with none is answered forged and not counted.
  std::vector<PublicKey> keys;
  // "A.B.C.D:PORT" or "[IPv6]:PORT" ("[::1]:8080"; "[::]:8080" is every address, IPv4
  // included). Loopback by default: TLS and the public side belong to a reverse proxy.
  // Port 0 picks a free port (Server::port() says which).
  std::string listen = "127.0.0.1:8080";
  // Ledger workers, 1..256: the threads that run signature checks and ledger scans, each with
  // its own ledger connection. Connections themselves hold no thread while idle. A worker
  // mostly waits for its ledger (a PostgreSQL commit waits for the WAL flush), so more
  // workers than cores keep more commits in flight: with 16 rather than 4, PostgreSQL
  // answered 3 times as many verdicts, SQLite as many (docs/benchmarks.md, viscode serve).
  int threads = 16;
  // Threads that read and write the sockets (libmicrohttpd's epoll loops), 1..64.
  int io_threads = 1;
  // Verification requests waiting for a worker, 1..100000; one more is answered 503 with
  // Retry-After rather than queued without bound.
  std::size_t max_queued = 1024;
  // Open connections, 1..100000; more are refused at accept.
  unsigned max_connections = 1024;
  // Bytes a connection may use for its request line and headers, 4096..1048576. A request
  // line or headers over it are answered 414 or 431.
  std::size_t max_request_bytes = 16 * 1024;
  // A connection that sends nothing for this long is closed (a slow client, an idle
  // keep-alive connection), 1..3600 s.
  std::chrono::seconds read_timeout{15};
  // How long stop() waits for requests in flight to be answered, 0..600 s. Scans already
  // handed to a worker are always recorded, whatever this says.
  std::chrono::seconds stop_timeout{10};
  // The path before [{product}/]{serial}.{sig}: starts and ends with '/', e.g. "/a/" for the
  // template https://brand.example.com/a/{serial}.{sig}.
  std::string path_prefix = "/a/";
  // Reverse proxies whose X-Forwarded-For is believed: "ADDR" or "ADDR/PREFIX", IPv4 or
  // IPv6 ("127.0.0.1", "10.0.0.0/8", "::1"). A request from one of them is the client's whose
  // address is the right-most X-Forwarded-For entry not in these ranges; from any other peer
  // the header is ignored and the peer is the client. Empty: trust no proxy. The client
  // address keys the rate limit, in memory only: it is never logged nor stored.
  std::vector<std::string> trust_proxy;
  // Scan requests per client and minute, 0..100000; 0 turns the limit off. A client may send
  // this many at once, then one every 60/rate_limit s; one more is answered 429 with
  // Retry-After and not recorded. A client is an IPv4 address or an IPv6 /64. The default
  // (20: a burst of 20, then one every 3 s) leaves room for a shopper's reloads.
  unsigned rate_limit = 20;
  // Clients whose buckets are kept, 1..10000000 (about 120 bytes each); past it the least
  // recently seen is forgotten, which only ever forgives it.
  std::size_t rate_limit_clients = 65536;
  // The brand's products file (CSV: key,name,description,picture,production_date,url; keyed
  // by product id, GTIN-14 or batch name), shown on the page; empty: none. Read at start:
  // Error(input) naming file:line and the fix (docs/serve.md#products-file).
  std::string products;
  // How long a shopper's reload (or a second opening of the link) shows the first verdict
  // again without counting a new scan: the reload cookie's Max-Age, 1..86400 s.
  std::chrono::seconds reload_window{600};
  // A file holding the key that seals reload cookies (as admin_token_file: 16..4096 visible
  // ASCII characters, not readable by other users). Give every serve process behind one load
  // balancer the same file, so that a reload reaching another process is still recognised.
  // Empty: a random key per process (a restart forgets the cookies it set).
  std::string cookie_key_file;
  // Places of scans older than this many days are emptied (at start, then hourly); 0 keeps
  // them. 0..36500 (docs/privacy.md).
  int retention_days = 0;
  // Receives one JSON object per answered request, without a newline: time, method, route,
  // status, verdict, serial, latency_ms; also {"time", "error"} for a ledger failure and,
  // once, {"time", "warning"} for X-Forwarded-For from a peer not in trust_proxy. Never an IP
  // address. Called from the server's threads, one call at a time. Empty: no access log.
  std::function<void(std::string_view line)> access_log;

  // The brand's view (/admin, docs/serve.md). A file holding the admin token: 16..4096
  // visible ASCII characters (a trailing newline is ignored), in a file other users cannot
  // read or write and its group cannot write. Empty: no admin, every /admin path is 404.
  std::string admin_token_file;
  // The possible-copy webhook: an http:// or https:// URL to which each seen-before scan is
  // POSTed as one JSON object. Empty: no webhook.
  std::string webhook_url;
  // A file holding the webhook's secret (as admin_token_file): each POST then carries
  // X-Viscode-Signature: sha256=<HMAC-SHA256 of the body, hex>. Empty: unsigned.
  std::string webhook_secret_file;
  // Events waiting for delivery, 1..1000000; when full the oldest is dropped (and logged).
  std::size_t webhook_queue = 10000;
  // POSTs per event, 1..100, before it is given up (and logged).
  int webhook_attempts = 8;
  // Per POST, connecting included, 1..300 s.
  std::chrono::seconds webhook_timeout{10};
  // The wait after a failed POST: retry_first (10 ms..60 s), doubled after each further
  // failure up to retry_max (1..3600 s).
  std::chrono::milliseconds webhook_retry_first{1000};
  std::chrono::seconds webhook_retry_max{300};
};

// Checks options before anything starts: Error(usage) naming the option and its range.
void check_serve_options(const ServeOptions& options);

// A running server. start() returns once it listens; stop() (or the destructor) stops it.
class Server {
 public:
  // Checks the options, reads the admin token and webhook secret files (Error(input) naming
  // the file and the fix), opens one ledger connection per worker (Error(input) for a
  // missing ledger, naming the URL), and listens. Error(input) when the address cannot be bound
  // (in use, not this machine's).
  static Server start(const ServeOptions& options);

  Server(Server&&) noexcept;
  Server& operator=(Server&&) noexcept;
  ~Server();  // stop()

  // The port it listens on (the one the system chose for port 0).
  std::uint16_t port() const;

  // Graceful stop: stops accepting connections, lets requests in flight be answered (up to
  // ServeOptions::stop_timeout; every scan a worker took is recorded), delivers the webhook
  // events it can in what is left of stop_timeout, closes the idle connections and joins
  // every thread. Safe to call more than once. Not from a signal
  // handler: wait for the signal in a thread (sigwait), then call stop().
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace viscode
