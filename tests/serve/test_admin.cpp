// The brand's view over real HTTP (label serve): /admin behind its token (every route
// without a token, with a wrong one and with the right one), the counts, copies, exports and
// chart it answers, the token file's checks, and the possible-copy webhook delivered to a
// small receiver on 127.0.0.1 that refuses the first attempt.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <librsvg/rsvg.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "../ledger/ledger_util.hpp"
#include "http_client.hpp"
#include "serve/admin.hpp"
#include "serve/webhook.hpp"
#include "viscode/error.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"
#include "viscode/sign.hpp"

namespace {

const std::string kToken = "s3cret-admin-token-0123456789";

std::filesystem::path write_secret(const std::filesystem::path& file, const std::string& text,
                                   mode_t mode = 0600) {
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
  }
  chmod(file.c_str(), mode);
  return file;
}

std::string base64(const std::string& s) {
  std::string out(sodium_base64_encoded_len(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

// A ledger with serials S0000001..S0000010 issued in batch-1, the brand's key, and a server
// on it with the admin token (and a webhook, when given).
struct AdminFixture {
  test::FreshLedger fresh;
  viscode::SecretKey key = viscode::generate_key();
  std::mutex log_mutex;
  std::vector<std::string> log;
  viscode::ServeOptions options;
  std::optional<viscode::Server> server;

  explicit AdminFixture(const std::string& backend = "sqlite",
                        const std::function<void(viscode::ServeOptions&)>& adjust = {})
      : fresh(backend) {
    {
      viscode::Ledger ledger = viscode::Ledger::open(fresh.url(), test::kCreate);
      ledger.import_manifest(test::write_manifest(fresh.dir(), 10));
    }
    options.db = fresh.url();
    options.keys = {key.public_key()};
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.admin_token_file = write_secret(fresh.dir() / "admin.token", kToken + "\n").string();
    options.access_log = [this](std::string_view line) {
      const std::lock_guard lock(log_mutex);
      log.emplace_back(line);
    };
    if (adjust) adjust(options);
    server.emplace(viscode::Server::start(options));
  }

  std::uint16_t port() const { return server->port(); }
  std::string path(const std::string& serial, const std::string& product = {}) const {
    return "/a/" + (product.empty() ? "" : product + "/") + serial + "." +
           viscode::sign_serial(key, serial, product);
  }
  // GET with an Authorization header (none when empty).
  test::HttpResponse get(const std::string& path, const std::string& authorization,
                         const std::string& method = "GET") const {
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    return test::http_raw(port(), request + "Connection: close\r\n\r\n");
  }
  test::HttpResponse admin(const std::string& path) const { return get(path, "Bearer " + kToken); }
  std::vector<std::string> log_lines() {
    const std::lock_guard lock(log_mutex);
    return log;
  }
};

std::string without_generated_at(const std::string& body) {
  return std::regex_replace(body, std::regex(R"("generated_at": "[^"]*", )"), "");
}

// An HTTP receiver on 127.0.0.1 for the webhook: one request per connection, answered with
// the next status of `statuses` (200 once they are used up); with hold_first, the first
// request waits for release() before it is answered.
class Receiver {
 public:
  struct Request {
    std::string head, body;
    int status = 0;
    std::string header(const std::string& name) const {
      test::HttpResponse r;
      r.headers = head;
      return r.header(name);
    }
  };

  explicit Receiver(std::vector<int> statuses, bool hold_first = false)
      : statuses_(std::move(statuses)), hold_(hold_first) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~Receiver() {
    release();
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/hook", port_); }
  std::vector<Request> requests() {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t delivered() {
    const std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        requests_.begin(), requests_.end(), [](const Request& r) { return r.status == 200; }));
  }
  // Waits (at most 20 s) until `n` requests were answered 200, or one is held.
  bool wait_delivered(std::size_t n) {
    return wait([&] { return delivered() >= n; });
  }
  bool wait_held() {
    return wait([&] {
      const std::lock_guard lock(mutex_);
      return holding_;
    });
  }
  void release() {
    const std::lock_guard lock(mutex_);
    hold_ = false;
    released_.notify_all();
  }

 private:
  static bool wait(const std::function<bool()>& done) {
    for (int i = 0; i < 2000; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval timeout{10, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string all;
      char buf[4096];
      std::size_t end = std::string::npos, length = 0;
      for (;;) {
        if (end == std::string::npos && (end = all.find("\r\n\r\n")) != std::string::npos) {
          std::smatch m;
          const std::string head = all.substr(0, end);
          if (std::regex_search(head, m, std::regex("Content-Length: *(\\d+)", std::regex::icase)))
            length = std::stoul(m[1]);
        }
        if (end != std::string::npos && all.size() >= end + 4 + length) break;
        const ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        all.append(buf, static_cast<std::size_t>(n));
      }
      Request r;
      r.head = all.substr(0, end == std::string::npos ? all.size() : end + 2);
      if (end != std::string::npos) r.body = all.substr(end + 4);
      {
        std::unique_lock lock(mutex_);
        if (hold_ && requests_.empty()) {
          holding_ = true;
          released_.wait(lock, [&] { return !hold_; });
        }
        const std::size_t i = requests_.size();
        r.status = i < statuses_.size() ? statuses_[i] : 200;
        requests_.push_back(r);
      }
      const std::string answer =
          fmt::format("HTTP/1.1 {} {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r.status,
                      r.status == 200 ? "OK" : "Internal Server Error");
      send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      close(c);
    }
  }

  std::vector<int> statuses_;
  bool hold_ = false, holding_ = false;
  std::atomic<bool> stop_{false};
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<Request> requests_;
  std::thread thread_;
};

const std::vector<std::string> kAdminRoutes = {"/admin",
                                               "/admin/",
                                               "/admin/batch/batch-1",
                                               "/admin/copies.csv",
                                               "/admin/copies.json",
                                               "/admin/chart.svg",
                                               "/admin/stats.json"};

}  // namespace

TEST_CASE("serve admin: without an admin token file every /admin path is 404", "[serve]") {
  AdminFixture f("sqlite", [](viscode::ServeOptions& o) { o.admin_token_file.clear(); });
  for (const std::string& path : kAdminRoutes) {
    INFO(path);
    CHECK(f.admin(path).status == 404);
    CHECK(f.get(path, "").status == 404);
  }
}

TEST_CASE("serve admin: every route is 401 without the token or with a wrong one, 200 with it",
          "[serve]") {
  AdminFixture f;
  test::http_get(f.port(), f.path("S0000001"));
  test::http_get(f.port(), f.path("S0000001"));  // a copy: batch-1 has data to leak
  const std::vector<std::string> wrong = {
      "",                                               // no header
      "Bearer wrong-token-0123456789",                  // another token
      "Bearer " + kToken + "x",                         // the token and more
      "Bearer " + kToken.substr(0, kToken.size() - 1),  // a prefix of it
      "Basic " + base64("admin:wrong-token-0123456789"),
      "Basic " + base64(kToken + ":"),  // the token as the user name
      "Basic " + base64(kToken),        // no colon
      "Basic not-base64!",
      "Token " + kToken,  // an unknown scheme
      kToken,             // no scheme
  };
  for (const std::string& path : kAdminRoutes) {
    for (const std::string& authorization : wrong) {
      INFO(path << " with '" << authorization << "'");
      const test::HttpResponse r = f.get(path, authorization);
      CHECK(r.status == 401);
      CHECK(r.header("WWW-Authenticate") == "Basic realm=\"viscode admin\"");
      CHECK(r.header("Cache-Control") == "no-store");
      CHECK(r.header("X-Content-Type-Options") == "nosniff");
      CHECK(r.header("Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'");
      CHECK_THAT(r.body, Catch::Contains("Unauthorized: this address needs the admin token") &&
                             !Catch::Contains("batch-1") && !Catch::Contains("S0000001"));
    }
    for (const std::string& authorization :
         {"Bearer " + kToken, "bearer  " + kToken, "Basic " + base64("anyone:" + kToken),
          "Basic " + base64(":" + kToken)}) {
      INFO(path << " with '" << authorization << "'");
      const test::HttpResponse r = f.get(path, authorization);
      CHECK(r.status == 200);
      CHECK(r.header("Cache-Control") == "no-store");
      CHECK(r.header("X-Content-Type-Options") == "nosniff");
      CHECK(r.header("Referrer-Policy") == "no-referrer");
      CHECK(r.header("X-Frame-Options") == "DENY");
      CHECK(r.header("Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'");
    }
  }
  // An unknown admin path says nothing without the token, 404 with it.
  CHECK(f.get("/admin/nothing", "").status == 401);
  CHECK(f.admin("/admin/nothing").status == 404);
  // Other methods: 401 without the token, 405 with it; a body is refused before anything.
  CHECK(f.get("/admin/stats.json", "", "POST").status == 401);
  const test::HttpResponse post = f.get("/admin/stats.json", "Bearer " + kToken, "POST");
  CHECK(post.status == 405);
  CHECK(post.header("Allow") == "GET");
  CHECK(f.get("/admin", "Bearer " + kToken, "HEAD").status == 405);
  // The access log names admin routes by pattern and refused requests "denied".
  f.server->stop();
  const std::vector<std::string> lines = f.log_lines();
  CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.find(
                     "\"route\": \"/admin/batch/{batch}\", \"status\": 401, \"verdict\": "
                     "\"denied\"") != std::string::npos;
        }) == static_cast<long>(wrong.size()));
  for (const std::string& line : lines) CHECK_THAT(line, !Catch::Contains(kToken));
}

TEST_CASE("serve admin: counts per batch, copies with their scans, and the exports", "[serve]") {
  AdminFixture f;
  // S0000001 (product SHOE42) three times, S0000002 once, S0000003 twice.
  for (int i = 0; i < 3; ++i) test::http_get(f.port(), f.path("S0000001", "SHOE42"));
  test::http_get(f.port(), f.path("S0000002"));
  test::http_get(f.port(), f.path("S0000003"));
  test::http_get(f.port(), f.path("S0000003"));
  test::http_get(f.port(), f.path("S9999999"));  // signed, never issued
  viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url());
  const std::vector<viscode::CopyRecord> copies = ledger.copies();
  REQUIRE(copies.size() == 2);
  const viscode::BatchStats batch = ledger.batch_stats().at(0);

  const test::HttpResponse stats = f.admin("/admin/stats.json");
  CHECK(stats.header("Content-Type") == "application/json");
  CHECK(without_generated_at(stats.body) ==
        fmt::format("{{\"issued\": 10, \"scanned\": 3, \"seen_before\": 2, \"scans\": 6, "
                    "\"not_issued_scans\": 1, \"truncated\": false, \"batches\": [\n"
                    "{{\"batch\": \"batch-1\", \"issued_at\": \"{}\", \"issued\": 10, "
                    "\"scanned\": 3, \"seen_before\": 2, \"scans\": 6, \"first_at\": \"{}\", "
                    "\"last_at\": \"{}\"}}\n]}}\n",
                    batch.issued_at, batch.first_at, batch.last_at));

  // JSON: every copy with its scans, the latest scanned first.
  const auto history_json = [](const viscode::CopyRecord& c) {
    std::string out;
    for (const viscode::CopyScan& s : c.history) {
      out += fmt::format(
          "{}{{\"at\": \"{}\", \"place\": null, \"verdict\": \"{}\", \"count\": {}}}",
          out.empty() ? "" : ", ", s.at, s.count == 1 ? "first_scan" : "seen_before", s.count);
    }
    return out;
  };
  std::string expected = "{\"batch\": null, \"limit\": 1000, \"truncated\": false, \"copies\": [";
  for (std::size_t i = 0; i < copies.size(); ++i) {
    const viscode::CopyRecord& c = copies[i];
    expected += fmt::format(
        "{}{{\"serial\": \"{}\", \"batch\": \"batch-1\", \"product\": {}, \"scans\": {}, "
        "\"first_at\": \"{}\", \"first_where\": null, \"last_at\": \"{}\", \"last_where\": null, "
        "\"history\": [{}]}}",
        i == 0 ? "\n" : ",\n", c.serial, c.serial == "S0000001" ? "\"SHOE42\"" : "null", c.scans,
        c.first_at, c.last_at, history_json(c));
  }
  expected += "\n]}\n";
  const test::HttpResponse json = f.admin("/admin/copies.json");
  CHECK(json.status == 200);
  CHECK(without_generated_at(json.body) == expected);
  CHECK_THAT(json.body, Catch::Contains("\"serial\": \"S0000001\", \"batch\": \"batch-1\", "
                                        "\"product\": \"SHOE42\", \"scans\": 3"));

  // CSV: one row per scan of a copy.
  const test::HttpResponse csv = f.admin("/admin/copies.csv?batch=batch-1");
  CHECK(csv.status == 200);
  CHECK(csv.header("Content-Type") == "text/csv; charset=utf-8");
  CHECK(csv.header("Content-Disposition") == "attachment; filename=\"viscode-copies.csv\"");
  std::string rows =
      "serial,batch,product,scans,first_at,first_where,last_at,last_where,at,place,verdict\r\n";
  for (const viscode::CopyRecord& c : copies) {
    for (const viscode::CopyScan& s : c.history) {
      rows += fmt::format("{},batch-1,{},{},{},,{},,{},,{}\r\n", c.serial,
                          c.serial == "S0000001" ? "SHOE42" : "", c.scans, c.first_at, c.last_at,
                          s.at, s.count == 1 ? "first_scan" : "seen_before");
    }
  }
  CHECK(csv.body == rows);
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 6);  // header + 3 + 2 scans

  // ?limit= bounds the export and says it was cut; a bad one is refused.
  const test::HttpResponse one = f.admin("/admin/copies.json?limit=1");
  CHECK_THAT(one.body,
             Catch::Contains("\"limit\": 1, \"truncated\": true, \"copies\": [\n{\"serial\": \"" +
                             copies[0].serial + "\""));
  CHECK(std::count(one.body.begin(), one.body.end(), '\n') == 3);
  for (const char* bad : {"0", "10001", "abc", "", "-1", "1x"}) {
    INFO(bad);
    const test::HttpResponse r = f.admin("/admin/copies.json?limit=" + std::string(bad));
    CHECK(r.status == 400);
    CHECK(r.body == "{\"error\": \"Bad request: limit must be a number from 1 to 10000\"}\n");
  }
  CHECK(f.admin("/admin/copies.csv?batch=nope").status == 404);
  CHECK(f.admin("/admin/chart.svg?batch=nope").status == 404);

  // The overview and the batch's page.
  const test::HttpResponse overview = f.admin("/admin");
  CHECK(overview.header("Content-Type") == "text/html; charset=utf-8");
  CHECK_THAT(overview.body,
             Catch::Contains("<p>10 codes issued, 3 scanned, <span class=\"copy\">2 scanned more "
                             "than once</span>; 6 scans.</p>") &&
                 Catch::Contains("<p>1 scans of codes not issued, forged or unsigned.</p>") &&
                 Catch::Contains("<td><a href=\"/admin/batch/batch-1\">batch-1</a></td>") &&
                 Catch::Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\"") &&
                 !Catch::Contains("<script"));
  const test::HttpResponse page = f.admin("/admin/batch/batch-1");
  CHECK(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("<h1>Batch batch-1</h1>") &&
                            Catch::Contains("<h3>S0000001</h3><p>3 scans, product SHOE42</p>") &&
                            Catch::Contains("<h3>S0000003</h3><p>2 scans</p>") &&
                            Catch::Contains("<td>" + copies[1].history[0].at +
                                            "</td><td>unknown</td><td>first scan</td>") &&
                            Catch::Contains("<td class=\"copy\">seen before (scan 2)</td>") &&
                            Catch::Contains("href=\"/admin/copies.csv?batch=batch-1\""));
  CHECK(f.admin("/admin/batch/nope").status == 404);
}

TEST_CASE("serve admin: batch names are escaped in pages and safe in spreadsheets", "[serve]") {
  AdminFixture f;
  {
    viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url());
    ledger.import_manifest(test::write_manifest(f.fresh.dir(), 1, 20), "=HYPERLINK(\"x\")<b>");
    ledger.import_manifest(test::write_manifest(f.fresh.dir(), 1, 21), "spring run");
    ledger.scan("S0000020", {.at = "2026-11-20T10:00:00Z", .where = "@SUM(1+1)"});
    ledger.scan("S0000020", {.at = "2026-11-21T10:00:00Z", .where = "-2+3, \"Lyon\""});
    ledger.scan("S0000021", {.at = "2026-11-20T10:00:00Z"});
    ledger.scan("S0000021", {.at = "2026-11-20T11:00:00Z"});
  }
  const std::string encoded = "%3DHYPERLINK%28%22x%22%29%3Cb%3E";
  const test::HttpResponse csv = f.admin("/admin/copies.csv?batch=" + encoded);
  CHECK(csv.status == 200);
  CHECK(csv.body ==
        "serial,batch,product,scans,first_at,first_where,last_at,last_where,at,place,verdict\r\n"
        "S0000020,\"'=HYPERLINK(\"\"x\"\")<b>\",,2,2026-11-20T10:00:00Z,\"'@SUM(1+1)\","
        "2026-11-21T10:00:00Z,\"'-2+3, \"\"Lyon\"\"\",2026-11-20T10:00:00Z,\"'@SUM(1+1)\","
        "first_scan\r\n"
        "S0000020,\"'=HYPERLINK(\"\"x\"\")<b>\",,2,2026-11-20T10:00:00Z,\"'@SUM(1+1)\","
        "2026-11-21T10:00:00Z,\"'-2+3, \"\"Lyon\"\"\",2026-11-21T10:00:00Z,\"'-2+3, "
        "\"\"Lyon\"\"\",seen_before\r\n");
  const test::HttpResponse page = f.admin("/admin/batch/" + encoded);
  CHECK(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("<h1>Batch =HYPERLINK(&quot;x&quot;)&lt;b&gt;</h1>") &&
                            !Catch::Contains("<b>") && Catch::Contains("<td>@SUM(1+1)</td>"));
  const test::HttpResponse overview = f.admin("/admin");
  CHECK_THAT(overview.body,
             Catch::Contains("<a href=\"/admin/batch/" + encoded +
                             "\">=HYPERLINK(&quot;x&quot;)&lt;b&gt;</a>") &&
                 Catch::Contains("<a href=\"/admin/batch/spring%20run\">spring run</a>"));
  // A name with a space, as the links write it and as a '+' in a query.
  CHECK_THAT(f.admin("/admin/batch/spring%20run").body,
             Catch::Contains("<h1>Batch spring run</h1>"));
  CHECK(f.admin("/admin/copies.json?batch=spring%20run").status == 200);
  const test::HttpResponse svg = f.admin("/admin/chart.svg?batch=" + encoded);
  CHECK_THAT(svg.body, Catch::Contains("<title>Scans per day, batch "
                                       "=HYPERLINK(&quot;x&quot;)&lt;b&gt;</title>"));

  CHECK(viscode::detail::csv_field("plain") == "plain");
  CHECK(viscode::detail::csv_field("") == "");
  CHECK(viscode::detail::csv_field("a,b") == "\"a,b\"");
  CHECK(viscode::detail::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(viscode::detail::csv_field("line\nbreak") == "\"line\nbreak\"");
  for (const std::string lead : {"=", "+", "-", "@", "\t", "\r"}) {
    INFO(lead);
    CHECK(viscode::detail::csv_field(lead + "1") == "\"'" + lead + "1\"");
  }
}

TEST_CASE("serve admin: the chart is a standalone SVG, one bar per day", "[serve]") {
  AdminFixture f;
  {
    viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url());
    ledger.scan("S0000001", {.at = "2026-11-20T10:00:00Z"});
    ledger.scan("S0000001", {.at = "2026-11-20T11:00:00Z"});
    ledger.scan("S0000002", {.at = "2026-11-20T12:00:00Z"});
    ledger.scan("S0000003", {.at = "2026-11-24T12:00:00Z"});
  }
  const test::HttpResponse r = f.admin("/admin/chart.svg");
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") == "image/svg+xml");
  CHECK_THAT(r.body, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
                                       "xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" "
                                       "height=\"240\" viewBox=\"0 0 720 240\"") &&
                         Catch::EndsWith("</svg>\n") && !Catch::Contains("<script") &&
                         !Catch::Contains("href") &&
                         Catch::Contains("<title>2026-11-20: 3 scans, 1 seen before</title>") &&
                         Catch::Contains("<title>2026-11-24: 1 scans, 0 seen before</title>") &&
                         Catch::Contains(">2026-11-20</text>") &&
                         Catch::Contains(">2026-11-24</text>"));
  // Two days with scans among five: two bars (each a group with its tooltip).
  std::size_t groups = 0;
  for (std::size_t at = 0; (at = r.body.find("<g>", at)) != std::string::npos; ++at) ++groups;
  CHECK(groups == 2);

  // librsvg reads it as a picture of 720 x 240 px.
  GError* error = nullptr;
  RsvgHandle* handle = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(r.body.data()),
                                                 r.body.size(), &error);
  REQUIRE(handle != nullptr);
  gdouble width = 0, height = 0;
  CHECK(rsvg_handle_get_intrinsic_size_in_pixels(handle, &width, &height));
  CHECK(width == 720);
  CHECK(height == 240);
  g_object_unref(handle);

  // No scans: the chart says so.
  const std::string empty = viscode::detail::chart_svg({}, "Nothing");
  CHECK_THAT(empty, Catch::Contains(">No scans yet</text></svg>"));
}

TEST_CASE("serve admin: the token file is checked before the server starts", "[serve]") {
  test::FreshLedger fresh("sqlite");
  const auto dir = fresh.dir();
  const auto message = [](const std::string& file) {
    try {
      viscode::detail::read_secret_file(file, "admin token", "--admin-token-file");
    } catch (const viscode::Error& e) {
      CHECK(e.category() == viscode::ErrorCategory::input);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string missing = (dir / "missing.token").string();
  CHECK(message(missing) ==
        "--admin-token-file '" + missing +
            "': No such file or directory: give the file that holds the admin token");
  const std::string empty = write_secret(dir / "empty.token", "\n").string();
  CHECK(message(empty) == "the admin token file '" + empty +
                              "' is empty: put a random admin token of 16 or more characters in "
                              "it, e.g. head -c 32 /dev/urandom | base64 > " +
                              empty);
  const std::string short_token = write_secret(dir / "short.token", "abc123\n").string();
  CHECK(message(short_token) == "the admin token in '" + short_token +
                                    "' has 6 characters: use 16 to 4096 random ones, e.g. head "
                                    "-c 32 /dev/urandom | base64 > " +
                                    short_token);
  const std::string spaced = write_secret(dir / "spaced.token", "abcdefgh ijklmnopq").string();
  CHECK(message(spaced) == "the admin token in '" + spaced +
                               "' has a space, a control character or a non-ASCII byte at byte "
                               "9: use visible ASCII characters only, e.g. head -c 32 "
                               "/dev/urandom | base64 > " +
                               spaced);
  const std::string open = write_secret(dir / "open.token", kToken, 0644).string();
  CHECK(message(open) == "the admin token file '" + open +
                             "' can be read or changed by other users (mode 0644): run chmod "
                             "600 " +
                             open + " (or 640 for a group of its readers)");
  CHECK(message(write_secret(dir / "group.token", kToken + "\r\n", 0640).string()) == "no error");
  CHECK(viscode::detail::read_secret_file((dir / "group.token").string(), "admin token", "-") ==
        kToken);

  // The server does not start with a bad one.
  viscode::ServeOptions o;
  o.db = fresh.url();
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "127.0.0.1:0";
  o.admin_token_file = open;
  {
    viscode::Ledger ledger = viscode::Ledger::open(fresh.url(), test::kCreate);
    ledger.import_manifest(test::write_manifest(dir, 1));
  }
  CHECK_THROWS_WITH(viscode::Server::start(o), Catch::Contains("can be read or changed by other"));
}

TEST_CASE("serve admin: webhook options are checked", "[serve]") {
  viscode::ServeOptions o;
  o.db = "ledger.db";
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "127.0.0.1:0";
  for (const std::string url : {"ftp://x.example/h", "hooks.example.com/h", "http://", "http://a b",
                                "file:///etc/passwd", "https//x.example"}) {
    INFO(url);
    o.webhook_url = url;
    CHECK_THROWS_WITH(viscode::check_serve_options(o),
                      "ServeOptions.webhook_url '" + url +
                          "' is not an http:// or https:// URL: give e.g. "
                          "https://hooks.example.com/viscode");
  }
  o.webhook_url = "https://hooks.example.com:8443/viscode?k=1";
  CHECK_NOTHROW(viscode::check_serve_options(o));
  o.webhook_url.clear();
  o.webhook_secret_file = "secret";
  CHECK_THROWS_WITH(viscode::check_serve_options(o),
                    "ServeOptions.webhook_secret_file signs the webhook's POSTs: give "
                    "ServeOptions.webhook_url URL too, or drop it");
  // HMAC-SHA256 as RFC 4231 test case 2 has it.
  CHECK(viscode::detail::webhook_signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("serve webhook: a possible copy is POSTed once, signed, after a refused attempt",
          "[serve]") {
  Receiver receiver({500});
  const std::string secret = "webhook-secret-0123456789abcdef";
  std::filesystem::path secret_file;
  AdminFixture f("sqlite", [&](viscode::ServeOptions& o) {
    o.webhook_url = receiver.url();
    secret_file = write_secret(
        std::filesystem::path(o.admin_token_file).parent_path() / "webhook.secret", secret + "\n");
    o.webhook_secret_file = secret_file.string();
  });
  // A first scan sends nothing; the second scan of the serial is a possible copy.
  CHECK_THAT(test::http_get(f.port(), f.path("S0000001", "SHOE42"), "application/json").body,
             Catch::StartsWith("{\"verdict\": \"first_scan\""));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(receiver.requests().empty());
  CHECK_THAT(test::http_get(f.port(), f.path("S0000001", "SHOE42"), "application/json").body,
             Catch::StartsWith("{\"verdict\": \"seen_before\""));
  REQUIRE(receiver.wait_delivered(1));
  f.server->stop();

  const viscode::SerialStatus st = viscode::Ledger::open(f.fresh.url()).status("S0000001");
  const std::string body = fmt::format(
      "{{\"event\": \"possible_copy\", \"serial\": \"S0000001\", \"batch\": \"batch-1\", "
      "\"product\": \"SHOE42\", \"scans\": 2, \"at\": \"{}\", \"first_at\": \"{}\", "
      "\"first_where\": null, \"place\": null}}",
      st.last_at, st.first_at);
  const std::vector<Receiver::Request> requests = receiver.requests();
  REQUIRE(requests.size() == 2);  // the refused attempt and the retry, nothing more
  for (const Receiver::Request& r : requests) {
    CHECK_THAT(r.head, Catch::StartsWith("POST /hook HTTP/1.1\r\n"));
    CHECK(r.header("Content-Type") == "application/json");
    CHECK(r.body == body);
    CHECK(r.header("X-Viscode-Signature") == viscode::detail::webhook_signature(secret, body));
  }
  CHECK(requests[0].status == 500);
  CHECK(requests[1].status == 200);
  CHECK(receiver.delivered() == 1);

  const std::vector<std::string> lines = f.log_lines();
  const auto has = [&](const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  CHECK(
      has("\"webhook\": \"retry\", \"serial\": \"S0000001\", \"attempt\": 1, \"reason\": "
          "\"HTTP 500\", \"retry_in_ms\": 1000}"));
  CHECK(has("\"webhook\": \"delivered\", \"serial\": \"S0000001\", \"attempts\": 2}"));
  for (const std::string& line : lines) CHECK_THAT(line, !Catch::Contains(secret));
}

TEST_CASE("serve webhook: backoff doubles, and an event is given up after its attempts",
          "[serve]") {
  Receiver receiver({500, 503, 500, 200});  // the fourth attempt would be accepted
  AdminFixture f("sqlite", [&](viscode::ServeOptions& o) {
    o.webhook_url = receiver.url();
    o.webhook_attempts = 3;
    o.webhook_retry_first = std::chrono::milliseconds(10);
  });
  test::http_get(f.port(), f.path("S0000006"));
  test::http_get(f.port(), f.path("S0000006"));
  const auto gave_up = [&] {
    const std::vector<std::string> lines = f.log_lines();
    return std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
      return l.find("\"webhook\": \"gave_up\"") != std::string::npos;
    });
  };
  for (int i = 0; i < 2000 && !gave_up(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  f.server->stop();
  CHECK(receiver.requests().size() == 3);
  CHECK(receiver.delivered() == 0);
  std::vector<std::string> webhook_lines;
  for (const std::string& line : f.log_lines()) {
    const std::size_t at = line.find("\"webhook\"");
    if (at != std::string::npos) webhook_lines.push_back(line.substr(at));
  }
  CHECK(webhook_lines ==
        std::vector<std::string>{
            "\"webhook\": \"retry\", \"serial\": \"S0000006\", \"attempt\": 1, \"reason\": "
            "\"HTTP 500\", \"retry_in_ms\": 10}",
            "\"webhook\": \"retry\", \"serial\": \"S0000006\", \"attempt\": 2, \"reason\": "
            "\"HTTP 503\", \"retry_in_ms\": 20}",
            "\"webhook\": \"gave_up\", \"serial\": \"S0000006\", \"attempts\": 3, \"reason\": "
            "\"HTTP 500\"}"});
}

TEST_CASE("serve webhook: when the queue is full the oldest event is dropped and logged",
          "[serve]") {
  Receiver receiver({}, true);  // holds the first POST until released
  AdminFixture f("sqlite", [&](viscode::ServeOptions& o) {
    o.webhook_url = receiver.url();
    o.webhook_queue = 2;
  });
  const auto copy = [&](const std::string& serial) {
    test::http_get(f.port(), f.path(serial));
    test::http_get(f.port(), f.path(serial));
  };
  copy("S0000001");  // in flight, held by the receiver
  REQUIRE(receiver.wait_held());
  copy("S0000002");  // queued
  copy("S0000003");  // queued: the queue is full
  copy("S0000004");  // drops S0000002's event
  receiver.release();
  REQUIRE(receiver.wait_delivered(3));
  f.server->stop();
  std::vector<std::string> serials;
  for (const Receiver::Request& r : receiver.requests()) {
    std::smatch m;
    REQUIRE(std::regex_search(r.body, m, std::regex("\"serial\": \"(S\\d+)\"")));
    serials.push_back(m[1]);
  }
  CHECK(serials == std::vector<std::string>{"S0000001", "S0000003", "S0000004"});
  const std::vector<std::string> lines = f.log_lines();
  CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.find(
                     "\"webhook\": \"dropped\", \"serial\": \"S0000002\", \"reason\": \"queue "
                     "full (2 events): the oldest was dropped\"}") != std::string::npos;
        }) == 1);
}

TEST_CASE("serve webhook: stop() gives up on events it cannot deliver in time", "[serve]") {
  // A port where nothing listens: every attempt is refused at once.
  std::uint16_t dead_port = 0;
  {
    Receiver gone({});
    dead_port = static_cast<std::uint16_t>(std::stoi(gone.url().substr(17)));
  }
  AdminFixture f("sqlite", [&](viscode::ServeOptions& o) {
    o.webhook_url = fmt::format("http://127.0.0.1:{}/hook", dead_port);
    o.stop_timeout = std::chrono::seconds(1);
  });
  test::http_get(f.port(), f.path("S0000005"));
  test::http_get(f.port(), f.path("S0000005"));
  f.server->stop();
  const std::vector<std::string> lines = f.log_lines();
  CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("\"webhook\": \"retry\", \"serial\": \"S0000005\", \"attempt\": 1") !=
           std::string::npos;
  }));
  CHECK_THAT(lines.back(), Catch::Contains("\"webhook\": \"undelivered\", \"serial\": null, "
                                           "\"events\": 1, \"reason\": \"the server stopped "
                                           "before they were delivered\"}"));
}

TEST_CASE("serve admin postgresql: counts and copies over HTTP", "[serve]") {
  AdminFixture f("postgresql");
  test::http_get(f.port(), f.path("S0000001"));
  test::http_get(f.port(), f.path("S0000001"));
  const test::HttpResponse stats = f.admin("/admin/stats.json");
  CHECK_THAT(stats.body, Catch::Contains("\"issued\": 10, \"scanned\": 1, \"seen_before\": 1, "
                                         "\"scans\": 2, \"not_issued_scans\": 0"));
  const test::HttpResponse csv = f.admin("/admin/copies.csv");
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 3);
  CHECK_THAT(csv.body, Catch::Contains("\r\nS0000001,batch-1,,2,"));
  CHECK(f.get("/admin/copies.csv", "Bearer nope-nope-nope-nope").status == 401);
}

#ifdef VISCODE_CLI
TEST_CASE("serve admin cli: a token file others can read stops the command with exit 3",
          "[serve]") {
  test::FreshLedger fresh("sqlite");
  {
    viscode::Ledger ledger = viscode::Ledger::open(fresh.url(), test::kCreate);
    ledger.import_manifest(test::write_manifest(fresh.dir(), 1));
  }
  viscode::write_key_files(viscode::generate_key(), fresh.dir() / "brand");
  const std::string token = write_secret(fresh.dir() / "admin.token", kToken, 0644).string();
  const auto run = [&](std::vector<std::string> args) {
    const auto err = fresh.dir() / "serve.err";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(e, 2);
      std::vector<char*> argv{const_cast<char*>(VISCODE_CLI)};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(VISCODE_CLI, argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str());
  };
  const std::string pub = (fresh.dir() / "brand.pub").string();
  const auto [code, err] = run({"serve", "--db", fresh.url(), "--pub", pub, "--listen",
                                "127.0.0.1:0", "--admin-token-file", token});
  CHECK(code == 3);
  CHECK_THAT(err, Catch::Contains("the admin token file '" + token +
                                  "' can be read or changed by other users (mode 0644): run "
                                  "chmod 600 " +
                                  token));
  const auto [code2, err2] = run({"serve", "--db", fresh.url(), "--pub", pub, "--listen",
                                  "127.0.0.1:0", "--webhook", "ftp://x.example/"});
  CHECK(code2 == 2);
  CHECK_THAT(err2, Catch::Contains("--webhook 'ftp://x.example/' is not an http:// or https:// "
                                   "URL"));
}
#endif
