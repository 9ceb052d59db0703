// The shopper's side of viscode serve over real HTTP: the products file, the languages, the
// reload cookie, link previews and prefetches, malformed code paths, the optional place and
// the retention of places.
#include <fcntl.h>
#include <sodium.h>
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
#include "serve/page.hpp"
#include "serve/products.hpp"
#include "viscode/error.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"
#include "viscode/sign.hpp"

namespace {

// Serials S0000001..S0000010 issued in batch "batch-1", the brand's key, and a server
// started with the options `adjust` sets.
struct Shop {
  test::FreshLedger fresh;
  viscode::SecretKey key = viscode::generate_key();
  std::mutex log_mutex;
  std::vector<std::string> log;
  viscode::Server server;

  Shop(const std::string& backend,
       const std::function<void(Shop&, viscode::ServeOptions&)>& adjust = {})
      : fresh(backend), server(viscode::Server::start(options(adjust))) {}
  explicit Shop(const std::function<void(Shop&, viscode::ServeOptions&)>& adjust = {})
      : Shop("sqlite", adjust) {}

  // Imports the serials, then the options: runs before the server starts.
  viscode::ServeOptions options(const std::function<void(Shop&, viscode::ServeOptions&)>& adjust) {
    {
      viscode::Ledger ledger = viscode::Ledger::open(fresh.url(), test::kCreate);
      ledger.import_manifest(test::write_manifest(fresh.dir(), 10));
    }
    viscode::ServeOptions o;
    o.db = fresh.url();
    o.keys = {key.public_key()};
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.access_log = [this](std::string_view line) {
      const std::lock_guard lock(log_mutex);
      log.emplace_back(line);
    };
    if (adjust) adjust(*this, o);
    return o;
  }

  std::uint16_t port() const { return server.port(); }
  std::string path(const std::string& serial, const std::string& product = {}) const {
    return "/a/" + (product.empty() ? "" : product + "/") + serial + "." +
           viscode::sign_serial(key, serial, product);
  }
  viscode::SerialStatus status(const std::string& serial) const {
    return viscode::Ledger::open(fresh.url()).status(serial);
  }
  std::int64_t all_scans() const {
    const viscode::LedgerStats s = viscode::Ledger::open(fresh.url()).stats();
    return s.scans + s.not_issued_scans;
  }
  std::vector<std::string> log_lines() {
    const std::lock_guard lock(log_mutex);
    return log;
  }
  test::HttpResponse get(const std::string& path, std::vector<std::string> headers = {}) const {
    return test::http_request(port(), "GET", path, headers);
  }
};

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// A file with a PNG's signature, `bytes` long: all the products file looks at.
void write_png(const std::filesystem::path& p, std::size_t bytes) {
  std::string data = "\x89PNG\r\n\x1a\n";
  data.resize(bytes, 'x');
  write(p, data);
}

// "name=value" of the Set-Cookie header, and the header itself.
std::string cookie_of(const test::HttpResponse& r) {
  const std::string set = r.header("Set-Cookie");
  return set.substr(0, set.find(';'));
}

std::string json_field(const std::string& body, const std::string& name) {
  const std::regex field("\"" + name + "\": (\"[^\"]*\"|[^,}]*)");
  std::smatch m;
  return std::regex_search(body, m, field) ? m[1].str() : std::string("absent");
}

viscode::Error products_error(const std::string& csv) {
  test::FreshLedger dir("sqlite");
  write(dir.dir() / "products.csv", csv);
  write_png(dir.dir() / "shoe.png", 100);
  try {
    viscode::detail::Products::load(dir.dir() / "products.csv");
  } catch (const viscode::Error& e) {
    // The messages name the file by its path; the tests compare what follows it.
    std::string what = e.what();
    const std::string prefix = (dir.dir() / "products.csv").string();
    if (what.starts_with(prefix)) what = "products.csv" + what.substr(prefix.size());
    const std::string folder = dir.dir().string() + "/";
    for (std::size_t at; (at = what.find(folder)) != std::string::npos;)
      what.erase(at, folder.size());
    return viscode::Error(e.category(), what);
  }
  return viscode::Error(viscode::ErrorCategory::internal, "no error");
}

}  // namespace

TEST_CASE("serve products: the page shows the product's name, picture, description and link",
          "[serve]") {
  Shop shop([](Shop& s, viscode::ServeOptions& o) {
    write_png(s.fresh.dir() / "shoe.png", 2000);
    write(s.fresh.dir() / "products.csv",
          "key,name,description,picture,production_date,url\n"
          "SHOE42,Trail shoe 42,\"Leather upper, rubber sole.\nMade in Portugal.\",shoe.png,"
          "2026-10-01,https://brand.example.com/p/shoe42\n"
          "batch-1,Batch one product,From the batch row,,2026-09-15,\n");
    o.products = (s.fresh.dir() / "products.csv").string();
  });
  const test::HttpResponse page = shop.get(shop.path("S0000001", "SHOE42"));
  CHECK(page.status == 200);
  CHECK_THAT(page.body,
             Catch::Contains("<h1>Genuine, first scan</h1>") &&
                 Catch::Contains("<img src=\"data:image/png;base64,iVBORw0KGgp4eHh4") &&
                 Catch::Contains("alt=\"Trail shoe 42\">") &&
                 Catch::Contains("<h2>Trail shoe 42</h2><p>Leather upper, rubber sole.\nMade in "
                                 "Portugal.</p>") &&
                 Catch::Contains("<dt>Production date</dt><dd>2026-10-01</dd>") &&
                 Catch::Contains("<dt>Batch</dt><dd>batch-1</dd>") &&
                 Catch::Contains("<a href=\"https://brand.example.com/p/shoe42\" rel=\"noopener "
                                 "noreferrer\">See this product on the brand&#39;s website</a>"));
  CHECK(page.body.size() < 40 * 1024);
  CHECK_THAT(page.header("Content-Security-Policy"), Catch::Contains("img-src data:"));

  // No entry for the product id: the batch's entry.
  const test::HttpResponse by_batch = shop.get(shop.path("S0000002"), {"Accept: application/json"});
  CHECK_THAT(by_batch.body,
             Catch::EndsWith("\"lang\": \"en\", \"name\": \"Batch one product\", \"description\": "
                             "\"From the batch row\", \"production_date\": \"2026-09-15\", "
                             "\"url\": null}\n"));
  // A code that is not genuine shows no product.
  const viscode::SecretKey rival = viscode::generate_key();
  const test::HttpResponse forged =
      shop.get("/a/SHOE42/S0000003." + viscode::sign_serial(rival, "S0000003", "SHOE42"));
  CHECK_THAT(forged.body, Catch::Contains("<h1>Forged</h1>") && !Catch::Contains("Trail shoe"));
}

TEST_CASE("serve products: hostile values are escaped, and the fullest page stays under 40 KB",
          "[serve]") {
  const std::string hostile_name = "<script>alert(1)</script>&\"'" + std::string(172, '&');
  const std::string hostile_description = std::string(1000 - 13, '<') + "</p><b>x</b>";
  Shop shop([&](Shop& s, viscode::ServeOptions& o) {
    std::string name_field, description_field = hostile_description;
    for (const char c : hostile_name)
      name_field += c == '"' ? std::string("\"\"") : std::string(1, c);
    // The biggest picture the loader takes beside these fields.
    const std::size_t text = 2 * viscode::detail::html_escape(hostile_name).size() +
                             viscode::detail::html_escape(hostile_description).size() +
                             viscode::detail::html_escape("2026-10-01").size() +
                             viscode::detail::html_escape("https://b.example/?a=1&b=2").size();
    const std::size_t biggest =
        (viscode::detail::kPageBytes - viscode::detail::kPageOverhead - text) / 4 * 3;
    write_png(s.fresh.dir() / "p.png", biggest);
    write(s.fresh.dir() / "products.csv",
          "key,name,description,picture,production_date,url\nbatch-1,\"" + name_field + "\",\"" +
              description_field + "\",p.png,2026-10-01,https://b.example/?a=1&b=2\n");
    o.products = (s.fresh.dir() / "products.csv").string();
  });
  // Each language, a seen-before page with every detail and the place button: the fullest.
  for (const char* language : {"en", "zh-CN", "fr"}) {
    INFO(language);
    shop.get(shop.path("S0000004"));
    const test::HttpResponse page =
        shop.get(shop.path("S0000004"), {std::string("Accept-Language: ") + language});
    CHECK(page.status == 200);
    CHECK_THAT(page.body, Catch::Contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;"
                                          "&#39;&amp;&amp;") &&
                              Catch::Contains("&lt;&lt;&lt;/p&gt;&lt;b&gt;x&lt;/b&gt;</p>") &&
                              !Catch::Contains("<script>alert") &&
                              Catch::Contains("href=\"https://b.example/?a=1&amp;b=2\"") &&
                              Catch::Contains("id=\"geo\""));
    CHECK(page.body.size() < 40 * 1024);
    CHECK(page.body.size() > 38 * 1024);  // the picture did take the room left
  }
}

TEST_CASE("serve products: a bad file is refused at start, naming file:line and the fix",
          "[serve]") {
  const auto message = [](const std::string& csv) {
    return std::string(products_error(csv).what());
  };
  CHECK(products_error("key,name\nA,B\n").category() == viscode::ErrorCategory::internal);  // fine
  CHECK(products_error("key,name,colour\n").category() == viscode::ErrorCategory::input);
  CHECK(message("key,name,colour\n") ==
        "products.csv:1: unknown column 'colour': the header names key, name, description, "
        "picture, production_date, url");
  CHECK(message("name,url\n") ==
        "products.csv:1: the header must name the columns key and name, e.g. key,name,url");
  CHECK(message("key,name\nSHOE42,Shoe\nSHOE43,Shoe, red\n") ==
        "products.csv:3: has 3 fields, the header 2: quote a value that holds a comma (\"like, "
        "this\")");
  CHECK(message("key,name\nSHOE42,Shoe\n\nSHOE42,Other\n") ==
        "products.csv:4: key 'SHOE42' is given twice: keep one row per product or batch");
  CHECK(message("key,name,url\nSHOE42,Shoe,javascript:alert(1)\n") ==
        "products.csv:2: url 'javascript:alert(1)' is not a web address: give the product's "
        "page as https://...");
  CHECK(message("key,name\nSHOE42,\"Shoe\n") ==
        "products.csv:2: a quoted field is not closed: end it with '\"'");
  CHECK(message("key,name\nSHOE42,\n") ==
        "products.csv:2: the name of 'SHOE42' is empty: give one");
  CHECK(message("key,name,picture\nSHOE42,Shoe,missing.png\n") ==
        "products.csv:2: cannot read picture 'missing.png': give a PNG, JPEG or WebP file's "
        "path relative to the products file");
  CHECK(message("key,name,picture\nSHOE42,Shoe,products.csv\n") ==
        "products.csv:2: picture 'products.csv' is not a PNG, JPEG or WebP file: convert it "
        "to one of those");
  // A picture that is a device or a folder is refused before anything is read from it.
  CHECK(message("key,name,picture\nSHOE42,Shoe,/dev/zero\n") ==
        "products.csv:2: picture '/dev/zero' is a character device, not a regular file: give "
        "a PNG, JPEG or WebP file");
  CHECK(message("key,name,picture\nSHOE42,Shoe,.\n") ==
        "products.csv:2: picture '.' is a directory: give a PNG, JPEG or WebP file");
  CHECK(message("key,name\n") == "no error");  // no rows: nothing to show, not wrong
  CHECK(message("") ==
        "products.csv: the products file is empty: give a header row, e.g. "
        "key,name");

  // The products file itself: a device is refused as one, never read.
  try {
    viscode::detail::Products::load("/dev/zero");
    FAIL("no error");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::input);
    CHECK(std::string(e.what()) ==
          "products file '/dev/zero' is a character device, not a regular file: give the "
          "products CSV to ServeOptions.products");
  }

  // A picture too big for the page.
  test::FreshLedger dir("sqlite");
  write_png(dir.dir() / "big.png", 30000);
  write(dir.dir() / "products.csv", "key,name,picture\nSHOE42,Shoe,big.png\n");
  try {
    viscode::detail::Products::load(dir.dir() / "products.csv");
    FAIL("a 30000-byte picture was taken");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::input);
    CHECK_THAT(e.what(), Catch::Contains("products.csv:2: picture '") &&
                             Catch::Contains("big.png' is 30000 bytes; beside this row's text the "
                                             "page (under 40 KB) has room for 27642: shrink it"));
  }
}

#ifdef VISCODE_CLI
TEST_CASE("serve cli: a bad products file exits 3 with one line naming file:line", "[serve]") {
  Shop shop;
  shop.server.stop();
  viscode::write_key_files(shop.key, shop.fresh.dir() / "brand");
  write(shop.fresh.dir() / "p.csv", "key,name\nA,B,C\n");
  const std::string command =
      std::string(VISCODE_CLI) + " serve --db '" + shop.fresh.url() + "' --pub '" +
      (shop.fresh.dir() / "brand.pub").string() + "' --listen 127.0.0.1:0 --products '" +
      (shop.fresh.dir() / "p.csv").string() + "' 2>'" + (shop.fresh.dir() / "err").string() + "'";
  const int status = std::system(command.c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  std::ifstream in(shop.fresh.dir() / "err");
  std::stringstream err;
  err << in.rdbuf();
  CHECK(err.str() == "viscode: " + (shop.fresh.dir() / "p.csv").string() +
                         ":2: has 3 fields, the header 2: quote a value that holds a comma "
                         "(\"like, this\")\n");
}
#endif

TEST_CASE("serve languages: Accept-Language picks English, Simplified Chinese or French",
          "[serve]") {
  Shop shop;
  const test::HttpResponse zh =
      shop.get(shop.path("S0000001"), {"Accept-Language: zh-CN,zh;q=0.9,en;q=0.8"});
  CHECK(zh.status == 200);
  CHECK(zh.header("Content-Language") == "zh-Hans");
  CHECK(zh.header("Vary") == "Accept, Accept-Language, Cookie");
  CHECK_THAT(zh.body, Catch::StartsWith("<!DOCTYPE html>\n<html lang=\"zh-Hans\">") &&
                          Catch::Contains("<h1>正品，首次扫描</h1>") &&
                          Catch::Contains("<dt>序列号</dt><dd>S0000001</dd>") &&
                          Catch::Contains("分享我的位置（可选）"));
  const test::HttpResponse fr =
      shop.get(shop.path("S0000001"),
               {"Accept-Language: de;q=1, fr-CA;q=0.8, en;q=0.5", "Accept: application/json"});
  CHECK(fr.header("Content-Language") == "fr");
  CHECK_THAT(fr.body, Catch::StartsWith("{\"verdict\": \"seen_before\", \"genuine\": true, "
                                        "\"message\": \"Numéro authentique, déjà scanné : copie "
                                        "possible\""));
  CHECK(json_field(fr.body, "lang") == "\"fr\"");
  const test::HttpResponse fr_page = shop.get(shop.path("S0000001"), {"Accept-Language: fr"});
  CHECK_THAT(fr_page.body, Catch::Contains("<dt>Déjà scanné</dt><dd>2 fois depuis le ") &&
                               Catch::Contains("<html lang=\"fr\">"));
  const test::HttpResponse en = shop.get(shop.path("S0000001"), {"Accept-Language: ja, de"});
  CHECK(en.header("Content-Language") == "en");
  CHECK_THAT(en.body, Catch::Contains("<h1>Genuine serial, seen before: possible copy</h1>") &&
                          Catch::Contains("<dt>Scanned before</dt><dd>3 times since "));
  const test::HttpResponse not_issued =
      shop.get(shop.path("S9999999"), {"Accept-Language: zh", "Accept: application/json"});
  CHECK(json_field(not_issued.body, "message") == "\"品牌未发行此码\"");
}

TEST_CASE("serve reload: the cookie shows the first verdict again without a new scan", "[serve]") {
  Shop shop;
  const std::string path = shop.path("S0000001");
  const test::HttpResponse first = shop.get(path, {"Accept: application/json"});
  CHECK(json_field(first.body, "verdict") == "\"first_scan\"");
  const std::string set = first.header("Set-Cookie");
  CHECK_THAT(set, Catch::Matches("vscan=[A-Za-z0-9_-]{104}; Max-Age=600; Path=" +
                                 std::regex_replace(path, std::regex("\\."), "\\.") +
                                 "; HttpOnly; SameSite=Lax"));
  const std::string cookie = "Cookie: " + cookie_of(first);

  // Reloads, as JSON and as a page: the same verdict and time, nothing counted.
  for (int i = 0; i < 3; ++i) {
    const test::HttpResponse again = shop.get(path, {cookie, "Accept: application/json"});
    CHECK(again.body == first.body);
    CHECK(again.header("Set-Cookie").empty());
  }
  const test::HttpResponse page = shop.get(path, {cookie});
  CHECK_THAT(page.body, Catch::Contains("<h1>Genuine, first scan</h1>"));
  CHECK(shop.status("S0000001").scans == 1);

  // Another phone (no cookie) is a new scan, and its own reloads show its own verdict.
  const test::HttpResponse other = shop.get(path, {"Accept: application/json"});
  CHECK(json_field(other.body, "verdict") == "\"seen_before\"");
  CHECK(json_field(other.body, "scans") == "2");
  const std::string other_cookie = "Cookie: " + cookie_of(other);
  CHECK(shop.get(path, {other_cookie, "Accept: application/json"}).body == other.body);
  CHECK(json_field(shop.get(path, {cookie, "Accept: application/json"}).body, "verdict") ==
        "\"first_scan\"");
  CHECK(shop.status("S0000001").scans == 2);

  // A tampered cookie, or one from another code, counts as no cookie.
  std::string forged = cookie;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  CHECK(json_field(shop.get(path, {forged, "Accept: application/json"}).body, "scans") == "3");
  CHECK(json_field(shop.get(shop.path("S0000002"), {cookie, "Accept: application/json"}).body,
                   "verdict") == "\"first_scan\"");
  CHECK(shop.status("S0000001").scans == 3);

  shop.server.stop();
  std::vector<std::string> verdicts;
  for (const std::string& line : shop.log_lines()) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex("\"verdict\": \"([a-z_]+)\"")))
      verdicts.push_back(m[1]);
  }
  CHECK(verdicts == std::vector<std::string>{"first_scan", "reload", "reload", "reload", "reload",
                                             "seen_before", "reload", "reload", "seen_before",
                                             "first_scan"});
}

TEST_CASE("serve reload: after the window, the cookie no longer holds the verdict", "[serve]") {
  Shop shop([](Shop&, viscode::ServeOptions& o) { o.reload_window = std::chrono::seconds(1); });
  const std::string path = shop.path("S0000001");
  const test::HttpResponse first = shop.get(path);
  CHECK_THAT(first.header("Set-Cookie"), Catch::Contains("; Max-Age=1; "));
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK_THAT(shop.get(path, {"Cookie: " + cookie_of(first)}).body,
             Catch::Contains("<h1>Genuine serial, seen before: possible copy</h1>"));
  CHECK(shop.status("S0000001").scans == 2);
}

TEST_CASE("serve reload: processes sharing --cookie-key-file recognise each other's cookies",
          "[serve]") {
  // Two processes behind one load balancer: the shopper's reload may reach the other one.
  Shop shop([](Shop& s, viscode::ServeOptions& o) {
    write(s.fresh.dir() / "cookie.key", "0123456789abcdef0123456789abcdef\n");
    std::filesystem::permissions(
        s.fresh.dir() / "cookie.key",
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    o.cookie_key_file = (s.fresh.dir() / "cookie.key").string();
  });
  viscode::ServeOptions o;
  o.db = shop.fresh.url();
  o.keys = {shop.key.public_key()};
  o.listen = "127.0.0.1:0";
  o.threads = 2;
  o.cookie_key_file = (shop.fresh.dir() / "cookie.key").string();
  viscode::Server sibling = viscode::Server::start(o);
  o.cookie_key_file.clear();
  viscode::Server stranger = viscode::Server::start(o);  // its own random key

  const std::string path = shop.path("S0000001");
  const test::HttpResponse first = shop.get(path, {"Accept: application/json"});
  REQUIRE(json_field(first.body, "verdict") == "\"first_scan\"");
  const std::string cookie = "Cookie: " + cookie_of(first);
  const test::HttpResponse again =
      test::http_request(sibling.port(), "GET", path, {cookie, "Accept: application/json"});
  CHECK(again.body == first.body);
  CHECK(shop.status("S0000001").scans == 1);
  // A process with another key cannot open the cookie: a new scan, as without one.
  const test::HttpResponse other =
      test::http_request(stranger.port(), "GET", path, {cookie, "Accept: application/json"});
  CHECK(json_field(other.body, "verdict") == "\"seen_before\"");
  CHECK(shop.status("S0000001").scans == 2);
}

TEST_CASE("serve reload: a bad --cookie-key-file stops the start, naming the file", "[serve]") {
  test::FreshLedger fresh("sqlite");
  viscode::Ledger::open(fresh.url(), test::kCreate);
  write(fresh.dir() / "short.key", "tooshort\n");
  std::filesystem::permissions(fresh.dir() / "short.key", std::filesystem::perms::owner_read);
  viscode::ServeOptions o;
  o.db = fresh.url();
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "127.0.0.1:0";
  o.cookie_key_file = (fresh.dir() / "short.key").string();
  try {
    viscode::Server::start(o);
    FAIL("the server started with an 8-character cookie key");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::input);
    CHECK_THAT(e.what(), Catch::StartsWith("the cookie key in '" + o.cookie_key_file +
                                           "' has 8 characters: use 16 to 4096 random ones"));
  }
}

TEST_CASE("serve reload: reloads never use up the rate limit", "[serve]") {
  Shop shop([](Shop&, viscode::ServeOptions& o) { o.rate_limit = 2; });
  const std::string path = shop.path("S0000001");
  const test::HttpResponse first = shop.get(path);
  REQUIRE(first.status == 200);
  const std::string cookie = "Cookie: " + cookie_of(first);
  for (int i = 0; i < 10; ++i) CHECK(shop.get(path, {cookie}).status == 200);
  // The limit still holds for requests that would record a scan: one more, then 429.
  CHECK(shop.get(shop.path("S0000002")).status == 200);
  CHECK(shop.get(shop.path("S0000003")).status == 429);
  CHECK(shop.all_scans() == 2);
}

TEST_CASE("serve previews: link-preview bots and prefetches get no verdict and record nothing",
          "[serve]") {
  Shop shop;
  const std::string path = shop.path("S0000001");
  for (const std::string& header :
       {std::string("User-Agent: facebookexternalhit/1.1 Facebot Twitterbot/1.0"),
        std::string("User-Agent: WhatsApp/2.23.20.0 A"),
        std::string("User-Agent: TelegramBot (like TwitterBot)"),
        std::string("User-Agent: Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
        std::string("User-Agent: Mozilla/5.0 (compatible; Discordbot/2.0)"),
        std::string("User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1)"),
        std::string("Sec-Purpose: prefetch;prerender"), std::string("Purpose: prefetch"),
        std::string("X-Moz: prefetch"), std::string("X-Purpose: preview")}) {
    INFO(header);
    const test::HttpResponse r = shop.get(path, {header});
    CHECK(r.status == 200);
    CHECK_THAT(r.body, Catch::Contains("<h1>Scan the code to check it</h1>") &&
                           !Catch::Contains("Genuine") && !Catch::Contains("S0000001"));
    CHECK(r.header("Set-Cookie").empty());
  }
  const test::HttpResponse json = shop.get(
      path, {"User-Agent: LinkedInBot/1.0", "Accept: application/json", "Accept-Language: fr"});
  CHECK(json.body ==
        "{\"verdict\": \"preview\", \"genuine\": null, \"message\": \"Scannez le "
        "code pour le vérifier\", \"lang\": \"fr\"}\n");
  CHECK(shop.all_scans() == 0);
  // The shopper's own first scan is still to come.
  CHECK_THAT(shop.get(path, {"User-Agent: Mozilla/5.0 (iPhone) Mobile Safari/604.1"}).body,
             Catch::Contains("<h1>Genuine, first scan</h1>"));
  shop.server.stop();
  const std::vector<std::string> lines = shop.log_lines();
  REQUIRE(lines.size() == 12);
  CHECK_THAT(lines[0], Catch::Contains("\"status\": 200, \"verdict\": \"preview\", \"serial\": "
                                       "null"));
}

TEST_CASE("serve malformed: a bad code path under the prefix is the forged page, in language",
          "[serve]") {
  Shop shop;
  const std::string good = shop.path("S0000005");
  const std::string sig = good.substr(good.find('.') + 1);
  for (const std::string& path :
       {std::string("/a/"), std::string("/a/S0000005"), "/a/S0000005." + sig.substr(1),
        "/a/S0000005." + sig + "/", "/a/s0000005." + sig, "/a/S0000005/" + sig,
        "/a/S00-0005." + sig, "/a/S0000005." + sig.substr(1) + "1",
        "/a/TOOLONGPRODUCTID12345/S0000005." + sig, "/a/X/Y/S0000005." + sig}) {
    INFO(path);
    const test::HttpResponse r = shop.get(path, {"Accept: application/json"});
    CHECK(r.status == 404);
    CHECK_THAT(r.body, Catch::StartsWith("{\"verdict\": \"forged\", \"genuine\": false, "
                                         "\"message\": \"Forged\", \"serial\": null, "
                                         "\"product\": null, \"batch\": null, \"scans\": 0, "));
    const test::HttpResponse page = shop.get(path, {"Accept-Language: zh-CN"});
    CHECK(page.status == 404);
    CHECK_THAT(page.body,
               Catch::Contains("<h1>伪造的码</h1>") && Catch::Contains("<html lang=\"zh-Hans\">"));
  }
  // Outside the prefix: a plain 404.
  const test::HttpResponse other = shop.get("/b/S0000005." + sig, {"Accept: application/json"});
  CHECK(other.status == 404);
  CHECK(other.body == "{\"error\": \"Not found: this address is not a code of this brand\"}\n");
  // The HTTP layer's refusals are in the shopper's language too.
  const test::HttpResponse zh_404 = shop.get("/b/x", {"Accept-Language: zh-CN"});
  CHECK(zh_404.status == 404);
  CHECK_THAT(zh_404.body,
             Catch::Contains("<html lang=\"zh-Hans\">") &&
                 Catch::Contains("<h1>未找到</h1><p>未找到：此地址不是该品牌的码</p>"));
  CHECK(test::http_request(shop.port(), "POST", good,
                           {"Accept-Language: fr", "Accept: application/json"})
            .body == "{\"error\": \"Méthode non autorisée : ouvrez cette adresse avec GET\"}\n");
  CHECK(shop.all_scans() == 0);
  shop.server.stop();
  CHECK_THAT(shop.log_lines().front(),
             Catch::Contains("\"route\": \"other\", \"status\": 404, \"verdict\": \"malformed\""));
}

static void share_place(const std::string& backend) {
  Shop shop(backend);
  const std::string path = shop.path("S0000001", "SHOE42");
  const test::HttpResponse first = shop.get(path);
  // The button is there, with its script allowed by its hash and nothing else.
  const std::size_t open = first.body.find("<script>"), close = first.body.find("</script>");
  REQUIRE(open != std::string::npos);
  REQUIRE(close != std::string::npos);
  const std::string script = first.body.substr(open + 8, close - open - 8);
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(script.data()), script.size());
  char b64[64];
  sodium_bin2base64(b64, sizeof b64, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
  CHECK_THAT(first.header("Content-Security-Policy"),
             Catch::Contains("script-src 'sha256-" + std::string(b64) + "';") &&
                 Catch::Contains("connect-src 'self'"));
  CHECK_THAT(first.body, Catch::Contains("<button id=\"geo\" type=\"button\" hidden "));
  const std::string cookie = "Cookie: " + cookie_of(first);
  const std::string place = path + "/place";
  const std::string form = "Content-Type: application/x-www-form-urlencoded";

  // Refused: no cookie, a cookie of another code, a bad body, a big body, GET.
  CHECK(test::http_request(shop.port(), "POST", place, {form}, "lat=48.8566&lon=2.3522").status ==
        403);
  const test::HttpResponse other_code = shop.get(shop.path("S0000002"));
  CHECK(test::http_request(shop.port(), "POST", place, {form, "Cookie: " + cookie_of(other_code)},
                           "lat=48.8566&lon=2.3522")
            .status == 403);
  const test::HttpResponse bad_body =
      test::http_request(shop.port(), "POST", place, {form, cookie}, "lat=48.8566");
  CHECK(bad_body.status == 400);
  CHECK(bad_body.body ==
        "{\"error\": \"The place must be sent as lat=<degrees>&lon=<degrees>, e.g. "
        "lat=48.9&lon=2.3\"}\n");
  CHECK(test::http_request(shop.port(), "POST", place, {form, cookie},
                           "lat=48.8566&lon=2.3522&" + std::string(60, 'x'))
            .status == 413);
  CHECK(test::http_request(shop.port(), "GET", place, {cookie}).status == 405);
  CHECK(shop.status("S0000001").first_where.empty());

  const test::HttpResponse placed =
      test::http_request(shop.port(), "POST", place, {form, cookie}, "lat=48.8566&lon=2.3522");
  CHECK(placed.status == 200);
  CHECK(placed.body == "{\"place\": \"48.9,2.4\"}\n");
  const viscode::SerialStatus st = shop.status("S0000001");
  CHECK(st.first_where == "48.9,2.4");
  CHECK(st.last_where == "48.9,2.4");
  CHECK(st.scans == 1);
  // The next phone's page says where the first scan was.
  CHECK_THAT(shop.get(path).body, Catch::Contains("<dt>First scanned at</dt><dd>48.9,2.4</dd>"));
  // A not-genuine page offers no button.
  CHECK_THAT(shop.get(shop.path("S9999999")).body, !Catch::Contains("geo"));
  shop.server.stop();
  // The place is not logged (not "48.9,2.4", not the body).
  for (const std::string& line : shop.log_lines()) {
    CHECK_THAT(line, !Catch::Contains("48.9,") && !Catch::Contains("lat="));
  }
}

TEST_CASE("serve sqlite: the optional place is coarsened and stored for that scan", "[serve]") {
  share_place("sqlite");
}

TEST_CASE("serve postgresql: the optional place is coarsened and stored for that scan", "[serve]") {
  share_place("postgresql");
}

static void retention(const std::string& backend) {
  test::FreshLedger fresh(backend);
  viscode::Ledger ledger = viscode::Ledger::open(fresh.url(), test::kCreate);
  ledger.import_manifest(test::write_manifest(fresh.dir(), 3));
  const auto scan = [&](const std::string& serial, const std::string& at,
                        const std::string& where) {
    return ledger.scan(serial, {.at = at, .where = where});
  };
  scan("S0000001", "2020-01-01T10:00:00Z", "48.9,2.3");
  scan("S0000001", "2026-06-01T10:00:00Z", "45.8,4.8");
  scan("S0000002", "2020-02-01T10:00:00Z", "Shop A");
  const viscode::ScanResult recent = scan("S0000003", "2026-06-02T10:00:00Z", "");
  CHECK(recent.scan_id > 0);
  CHECK(ledger.set_scan_place(recent.scan_id, "52.5,13.4"));
  CHECK(!ledger.set_scan_place(recent.scan_id + 100, "1.0,1.0"));  // no such scan
  const viscode::ScanResult unknown = scan("S9999999", "2026-06-02T10:00:00Z", "");
  CHECK(unknown.scan_id == 0);
  CHECK(ledger.status("S0000003").first_where == "52.5,13.4");

  CHECK(ledger.clear_places_before("2026-01-01") == 2);
  const viscode::SerialStatus one = ledger.status("S0000001");
  CHECK(one.first_where.empty());
  CHECK(one.first_at == "2020-01-01T10:00:00Z");
  CHECK(one.last_where == "45.8,4.8");
  CHECK(one.scans == 2);
  const viscode::SerialStatus two = ledger.status("S0000002");
  CHECK(two.first_where.empty());
  CHECK(two.last_where.empty());
  CHECK(two.scans == 1);
  CHECK(ledger.status("S0000003").first_where == "52.5,13.4");
  CHECK(ledger.clear_places_before("2026-01-01") == 0);
  CHECK(ledger.stats().scans == 4);

  // The server's --retention-days runs at start: a year back clears the June place too... not
  // with 3650 days, which keeps everything from 2016 on.
  scan("S0000002", "2019-01-01T10:00:00Z", "Old shop");
  viscode::ServeOptions o;
  o.db = fresh.url();
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "127.0.0.1:0";
  o.threads = 1;
  o.retention_days = 3650;
  std::vector<std::string> lines;
  o.access_log = [&](std::string_view line) { lines.emplace_back(line); };
  viscode::Server server = viscode::Server::start(o);
  CHECK(ledger.status("S0000002").first_where == "Old shop");
  server.stop();
  o.retention_days = 1;
  lines.clear();
  server = viscode::Server::start(o);
  server.stop();
  CHECK(ledger.status("S0000002").first_where.empty());
  CHECK(ledger.status("S0000003").first_where.empty());
  CHECK(ledger.status("S0000001").last_where.empty());
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("\"retention\": {\"before\": \"") &&
                           Catch::EndsWith("\"places_cleared\": 3}}"));
}

TEST_CASE("serve sqlite: retention empties old places and keeps the counts", "[serve]") {
  retention("sqlite");
}

TEST_CASE("serve postgresql: retention empties old places and keeps the counts", "[serve]") {
  retention("postgresql");
}

TEST_CASE("serve: reload window and retention out of range are usage errors", "[serve]") {
  viscode::ServeOptions o;
  o.db = "ledger.db";
  o.keys = {viscode::generate_key().public_key()};
  o.listen = "127.0.0.1:0";
  o.reload_window = std::chrono::seconds(0);
  CHECK_THROWS_WITH(viscode::check_serve_options(o),
                    "ServeOptions.reload_window 0 s is out of range: give 1 to 86400 seconds");
  o.reload_window = std::chrono::seconds(600);
  o.retention_days = -1;
  CHECK_THROWS_WITH(
      viscode::check_serve_options(o),
      "ServeOptions.retention_days -1 is out of range: give 0 (keep places) to 36500");
}
