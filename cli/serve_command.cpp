#include "serve_command.hpp"

#include <fmt/core.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "viscode/viscode.hpp"

namespace viscode::cli {

CLI::App* add_serve_command(CLI::App& app, ServeArgs& a) {
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Answer the URLs of signed codes: GET <prefix>[{product}/]{serial}.{sig} checks the "
      "signature, records the scan in the ledger and returns the verdict as a page, or as "
      "JSON for 'Accept: application/json', in English, Simplified Chinese or French "
      "(Accept-Language); a reload within --reload-window shows the first verdict again; "
      "link-preview bots and prefetches get a page without a verdict and record nothing; "
      "POST <code>/place records the place a shopper chose to share, to 0.1 degree; GET "
      "/healthz; with --admin-token-file, the brand's view under /admin (counts per batch, "
      "copies, CSV/JSON export, chart). One JSON access-log line per request on stdout. Stops "
      "gracefully on SIGTERM or SIGINT.\n"
      "Example: viscode serve --db ledger.db --pub brand.pub --listen 127.0.0.1:8080 "
      "--trust-proxy 127.0.0.1\n"
      "Exit codes: 0 stopped by a signal, 3 ledger, key, admin token or webhook secret file "
      "missing or unfit (too short, readable by other users), a bad products file, or address "
      "in use, 2 bad usage (e.g. a --webhook that is not an http(s) URL).");
  serve
      ->add_option("--db", a.db,
                   "The ledger: an SQLite file, or a PostgreSQL URL or libpq keywords 'host=... "
                   "dbname=...' (it must exist: create it with 'viscode ledger import'). "
                   "Default: $VISCODE_LEDGER")
      ->envname("VISCODE_LEDGER")
      ->required();
  serve
      ->add_option("--pub", a.pub,
                   "The brand's public key (repeat for old keys); codes that verify with "
                   "none are answered forged")
      ->required();
  serve
      ->add_option("--listen", a.listen,
                   "ADDRESS:PORT to listen on: 127.0.0.1:8080, [::1]:8080, [::]:8080 (every "
                   "address, IPv4 too); port 0: a free one. Keep it on loopback behind a "
                   "reverse proxy that terminates TLS")
      ->capture_default_str();
  serve->add_option("--threads", a.threads, "Ledger worker threads, 1..256")->capture_default_str();
  serve->add_option("--trust-proxy", a.trust_proxy,
                    "ADDR[/PREFIX] of a reverse proxy (repeat for several; IPv4 or IPv6): its "
                    "X-Forwarded-For names the client (right-most address not trusted). From "
                    "other peers the header is ignored. The client address is only used, in "
                    "memory, for the rate limit");
  serve
      ->add_option("--rate-limit", a.rate_limit,
                   "Scan requests per client: N/min (a burst of N, then one every 60/N s; "
                   "more get 429 with Retry-After and are not recorded), or off. A client is "
                   "an IPv4 address or an IPv6 /64")
      ->capture_default_str();
  serve->add_option("--admin-token-file", a.admin_token_file,
                    "File holding the admin token (16+ visible ASCII characters; chmod 600). "
                    "Enables /admin: give the token as 'Authorization: Bearer TOKEN' or as "
                    "the password of HTTP Basic (any user). Without it /admin is 404");
  serve->add_option("--webhook", a.webhook,
                    "http:// or https:// URL: each 'possible copy' (seen-before) scan is POSTed "
                    "there as JSON, from a bounded queue (10000), retried with backoff "
                    "(1 s doubling to 5 min, 8 attempts, 10 s timeout each)");
  serve->add_option("--webhook-secret-file", a.webhook_secret_file,
                    "File holding a secret (as --admin-token-file): each POST then carries "
                    "X-Viscode-Signature: sha256=<hex HMAC-SHA256 of the body>");
  serve->add_option("--products", a.products,
                    "The brand's products file shown on the page: CSV with the columns key "
                    "(product id, GTIN-14 or batch name), name, and optionally description, "
                    "picture (a PNG/JPEG/WebP file, relative to the CSV, about 27 KB at most: the "
                    "page stays under 40 KB), "
                    "production_date, url (the product's page). Exit 3 for a bad file");
  serve
      ->add_option("--reload-window", a.reload_window,
                   "Seconds during which a shopper's reload shows their first verdict again "
                   "without a new scan (the cookie's Max-Age), 1..86400")
      ->capture_default_str();
  serve->add_option("--cookie-key-file", a.cookie_key_file,
                    "File holding the key that seals reload cookies (16+ random characters, "
                    "chmod 600); give the same file to every serve process behind one load "
                    "balancer. Default: a random key per process");
  serve
      ->add_option("--retention-days", a.retention_days,
                   "Empty the places of scans older than this many days (at start, then "
                   "hourly); 0 keeps them. See docs/privacy.md")
      ->capture_default_str();
  return serve;
}

namespace {

// "N/min" or "off" (0).
unsigned parse_rate_limit(const std::string& text) {
  if (text == "off") return 0;
  const std::size_t slash = text.find('/');
  const std::string digits = text.substr(0, slash);
  const bool number = !digits.empty() && digits.size() <= 6 &&
                      digits.find_first_not_of("0123456789") == std::string::npos;
  if (!number || slash == std::string::npos || text.substr(slash) != "/min" ||
      std::stoul(digits) < 1 || std::stoul(digits) > 100000) {
    throw Error(ErrorCategory::usage,
                "--rate-limit '" + text +
                    "' is not N/min or off: give e.g. 20/min (a burst of 20 scans per client, "
                    "then one every 3 s; 1/min to 100000/min), or off");
  }
  return static_cast<unsigned>(std::stoul(digits));
}

}  // namespace

int run_serve_command(const ServeArgs& a) {
  ServeOptions options;
  options.db = a.db;
  options.listen = a.listen;
  options.threads = a.threads;
  options.trust_proxy = a.trust_proxy;
  options.rate_limit = parse_rate_limit(a.rate_limit);
  options.admin_token_file = a.admin_token_file;
  options.webhook_url = a.webhook;
  options.webhook_secret_file = a.webhook_secret_file;
  options.products = a.products;
  options.reload_window = std::chrono::seconds(a.reload_window);
  options.retention_days = a.retention_days;
  options.cookie_key_file = a.cookie_key_file;
  for (const std::string& file : a.pub) options.keys.push_back(load_public_key(file));
  check_serve_options(options);  // bad usage before the ledger is opened
  options.access_log = [](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  };

  // Block the stop signals in every thread (the server's threads inherit the mask), then
  // wait for one here: stop() is not something a signal handler may call.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Server server = Server::start(options);
  std::fprintf(stderr, "viscode serve: listening on http://%s:%u/ (ledger %s, %d workers)\n",
               options.listen.substr(0, options.listen.rfind(':')).c_str(),
               static_cast<unsigned>(server.port()), redacted_ledger_url(options.db).c_str(),
               options.threads);
  std::fflush(stderr);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "viscode serve: %s, stopping: answering requests in flight\n",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  server.stop();
  std::fprintf(stderr, "viscode serve: stopped\n");
  return 0;
}

}  // namespace viscode::cli
