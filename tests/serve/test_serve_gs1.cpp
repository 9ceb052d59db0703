// viscode serve on GS1 Digital Link paths: /01/{gtin}[/10/{lot}]/21/{serial}?s={sig} over real
// HTTP, with a ledger that imported a signed GS1 batch's manifest: a genuine first scan, seen
// before, a forged signature, malformed paths (wrong check digit, a serial outside set 82),
// the product link, and the access log's route.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>

#include "../ledger/ledger_util.hpp"
#include "http_client.hpp"
#include "serve/gs1_route.hpp"
#include "serve/rate_limit.hpp"
#include "viscode/batch.hpp"
#include "viscode/gs1.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"

namespace {

const std::string kHost = "https://brand.example";
const std::string kTemplate = kHost + "/01/09506000134352/10/LOT42/21/{serial}?s={sig}";

// A ledger with the GS1 serials AB/1, x%y"z and SER-0003 issued (batch "gs1"), and a server.
struct Gs1Fixture {
  test::FreshLedger fresh{"sqlite"};
  viscode::SecretKey key = viscode::generate_key();
  std::mutex log_mutex;
  std::vector<std::string> log;
  viscode::Server server;

  static viscode::Server start(Gs1Fixture& f) {
    const auto manifest = f.fresh.dir() / "gs1" / "manifest.csv";
    std::filesystem::create_directories(manifest.parent_path());
    {
      std::ofstream out(manifest, std::ios::binary);
      out << "index,serial,payload,file,page,position,sha256\n";
      int i = 0;
      for (const std::string serial : {"AB/1", "x%y\"z", "SER-0003"}) {
        ++i;
        const auto quoted = [](const std::string& s) {
          std::string q = "\"";
          for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
          return q + "\"";
        };
        out << i << "," << quoted(serial) << "," << quoted(f.payload(serial)) << "," << i
            << ".png,,," << std::string(64, '0') << "\n";
      }
    }
    {
      viscode::Ledger ledger = viscode::Ledger::open(f.fresh.url(), test::kCreate);
      ledger.import_manifest(manifest);
    }
    viscode::ServeOptions options;
    options.db = f.fresh.url();
    options.keys = {f.key.public_key()};
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.access_log = [&f](std::string_view line) {
      const std::lock_guard lock(f.log_mutex);
      f.log.emplace_back(line);
    };
    return viscode::Server::start(options);
  }

  Gs1Fixture() : server(start(*this)) {}

  std::string payload(const std::string& serial) const {
    return viscode::signed_payload(viscode::PayloadTemplate(kTemplate), key, serial);
  }
  // The payload minus scheme and host: what the phone requests.
  std::string path(const std::string& serial) const { return payload(serial).substr(kHost.size()); }
  std::uint16_t port() const { return server.port(); }
  std::int64_t scans(const std::string& serial) const {
    return viscode::Ledger::open(fresh.url()).status(serial).scans;
  }
};

std::string before_times(const std::string& body) {
  return body.substr(0, body.find(", \"at\""));
}
std::string after_times(const std::string& body) {
  return body.substr(body.find(", \"lot\""));
}

}  // namespace

TEST_CASE("serve gs1: a genuine Digital Link code, first scan then seen before", "[serve][gs1]") {
  Gs1Fixture f;
  const std::string path = f.path("AB/1");
  CHECK(path.starts_with("/01/09506000134352/10/LOT42/21/AB%2F1?s="));
  test::HttpResponse r = test::http_get(f.port(), path, "application/json");
  CHECK(r.status == 200);
  CHECK(before_times(r.body) ==
        "{\"verdict\": \"first_scan\", \"genuine\": true, \"message\": \"Genuine, first scan\", "
        "\"serial\": \"AB/1\", \"product\": \"09506000134352\", \"batch\": \"gs1\", \"scans\": 1");
  CHECK(after_times(r.body) ==
        ", \"lot\": \"LOT42\", \"product_url\": \"/01/09506000134352/10/LOT42\", "
        "\"lang\": \"en\", \"name\": null, \"description\": null, \"production_date\": null, "
        "\"url\": null}\n");
  CHECK(f.scans("AB/1") == 1);

  // Again, with the escape in lower case and another query parameter: the same code.
  std::string again = path;
  again.replace(again.find("%2F"), 3, "%2f");
  again.replace(again.find("?s="), 3, "?utm_source=x&s=");
  r = test::http_get(f.port(), again, "application/json");
  CHECK(before_times(r.body) ==
        "{\"verdict\": \"seen_before\", \"genuine\": true, \"message\": \"Genuine serial, seen "
        "before: possible copy\", \"serial\": \"AB/1\", \"product\": \"09506000134352\", "
        "\"batch\": \"gs1\", \"scans\": 2");
  CHECK(f.scans("AB/1") == 2);

  const test::HttpResponse page = test::http_get(f.port(), f.path("x%y\"z"));
  CHECK(page.status == 200);
  CHECK_THAT(page.body,
             Catch::Contains("<h1>Genuine, first scan</h1>") &&
                 Catch::Contains("<dt>Serial</dt><dd>x%y&quot;z</dd>") &&
                 Catch::Contains("<dt>Product</dt><dd>09506000134352</dd>") &&
                 Catch::Contains("<dt>Lot</dt><dd>LOT42</dd>") &&
                 Catch::Contains("<a href=\"/01/09506000134352/10/LOT42\" rel=\"noopener "
                                 "noreferrer\">See this product on the brand&#39;s website</a>"));

  std::vector<std::string> lines;
  {
    const std::lock_guard lock(f.log_mutex);
    lines = f.log;
  }
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains("\"route\": \"/01/{gtin}/10/{lot}/21/{serial}\", "
                                       "\"status\": 200, \"verdict\": \"first_scan\", "
                                       "\"serial\": \"AB/1\""));
}

TEST_CASE("serve gs1: a reload with the cookie shows the first verdict, not a copy",
          "[serve][gs1]") {
  Gs1Fixture f;
  const std::string path = f.path("AB/1");
  const test::HttpResponse first = test::http_get(f.port(), path, "application/json");
  CHECK_THAT(first.body, Catch::StartsWith("{\"verdict\": \"first_scan\""));
  const std::string set = first.header("Set-Cookie");
  CHECK_THAT(set, Catch::Contains("; Path=/01/09506000134352/10/LOT42/21/AB%2F1; HttpOnly"));
  const test::HttpResponse again =
      test::http_request(f.port(), "GET", path,
                         {"Accept: application/json", "Cookie: " + set.substr(0, set.find(';'))});
  CHECK(again.body == first.body);
  CHECK(f.scans("AB/1") == 1);
}

TEST_CASE("serve gs1: the optional place of a Digital Link scan", "[serve][gs1]") {
  Gs1Fixture f;
  const std::string path = f.path("AB/1");
  const std::string query = path.substr(path.find('?'));
  const std::string place = path.substr(0, path.find('?')) + "/place";
  const test::HttpResponse first = test::http_get(f.port(), path);
  CHECK_THAT(first.body, Catch::Contains("<button id=\"geo\" type=\"button\" hidden "));
  // The page's script posts to its own path plus /place, with the page's query.
  CHECK_THAT(first.body, Catch::Contains("fetch(location.pathname+'/place'+location.search,"));
  const std::string set = first.header("Set-Cookie");
  const std::string cookie = "Cookie: " + set.substr(0, set.find(';'));
  const std::string form = "Content-Type: application/x-www-form-urlencoded";
  const std::string body = "lat=48.8566&lon=2.3522";

  // Refused: without the signature, with another serial's cookie, with another code's query.
  CHECK(test::http_request(f.port(), "POST", place, {form, cookie}, body).status == 403);
  const test::HttpResponse other = test::http_get(f.port(), f.path("SER-0003"));
  const std::string other_set = other.header("Set-Cookie");
  CHECK(test::http_request(f.port(), "POST", place + query,
                           {form, "Cookie: " + other_set.substr(0, other_set.find(';'))}, body)
            .status == 403);
  const std::string other_query = f.path("SER-0003").substr(f.path("SER-0003").find('?'));
  CHECK(test::http_request(f.port(), "POST", place + other_query, {form, cookie}, body).status ==
        403);
  CHECK(viscode::Ledger::open(f.fresh.url()).status("AB/1").first_where.empty());

  const test::HttpResponse placed =
      test::http_request(f.port(), "POST", place + query, {form, cookie}, body);
  CHECK(placed.status == 200);
  CHECK(placed.body == "{\"place\": \"48.9,2.4\"}\n");
  CHECK(viscode::Ledger::open(f.fresh.url()).status("AB/1").first_where == "48.9,2.4");
  CHECK(f.scans("AB/1") == 1);
  // The reload page still offers it; the next phone's page says where the first scan was.
  CHECK_THAT(test::http_request(f.port(), "GET", path, {cookie}).body,
             Catch::Contains("<button id=\"geo\""));
  CHECK_THAT(test::http_get(f.port(), path).body,
             Catch::Contains("<dt>First scanned at</dt><dd>48.9,2.4</dd>"));
  CHECK(f.scans("AB/1") == 2);
}

TEST_CASE("serve gs1: a forged signature is forged and not counted", "[serve][gs1]") {
  Gs1Fixture f;
  const viscode::SecretKey rival = viscode::generate_key();
  const std::string forged =
      viscode::signed_payload(viscode::PayloadTemplate(kTemplate), rival, "SER-0003")
          .substr(kHost.size());
  const test::HttpResponse r = test::http_get(f.port(), forged, "application/json");
  CHECK(r.status == 200);
  CHECK(before_times(r.body) ==
        "{\"verdict\": \"forged\", \"genuine\": false, \"message\": \"Forged\", \"serial\": "
        "\"SER-0003\", \"product\": null, \"batch\": null, \"scans\": 0");
  CHECK(after_times(r.body) ==
        ", \"lot\": null, \"product_url\": null, \"lang\": \"en\", \"name\": null, "
        "\"description\": null, \"production_date\": null, \"url\": null}\n");
  CHECK(f.scans("SER-0003") == 0);
  // A genuine signature moved to another serial, or to another lot: forged too.
  const std::string sig = f.path("AB/1").substr(f.path("AB/1").find("?s="));
  CHECK_THAT(
      test::http_get(f.port(), "/01/09506000134352/10/LOT42/21/SER-0003" + sig, "application/json")
          .body,
      Catch::StartsWith("{\"verdict\": \"forged\""));
  CHECK_THAT(
      test::http_get(f.port(), "/01/09506000134352/10/LOT43/21/AB%2F1" + sig, "application/json")
          .body,
      Catch::StartsWith("{\"verdict\": \"forged\""));
  CHECK(f.scans("SER-0003") == 0);
  CHECK(f.scans("AB/1") == 0);
  // The genuine code of that serial is still its first scan.
  CHECK_THAT(test::http_get(f.port(), f.path("SER-0003"), "application/json").body,
             Catch::StartsWith("{\"verdict\": \"first_scan\""));
}

TEST_CASE("serve gs1: malformed Digital Link paths get the forged or unsigned answer",
          "[serve][gs1]") {
  Gs1Fixture f;
  const std::string good = f.path("AB/1");
  const std::string sig = good.substr(good.find("?s="));
  const auto json = [&](const std::string& path) {
    const test::HttpResponse r = test::http_get(f.port(), path, "application/json");
    CHECK(r.status == 200);
    return before_times(r.body);
  };
  const std::string forged_no_serial =
      "{\"verdict\": \"forged\", \"genuine\": false, \"message\": \"Forged\", \"serial\": null, "
      "\"product\": null, \"batch\": null, \"scans\": 0";
  // A wrong GTIN check digit, a 9-digit GTIN, a serial outside set 82 or over 20 characters,
  // a bad escape, the lot after the serial: the brand never wrote such a code.
  CHECK(json("/01/09506000134353/10/LOT42/21/AB%2F1" + sig) == forged_no_serial);
  CHECK(json("/01/095060001/10/LOT42/21/AB%2F1" + sig) == forged_no_serial);
  CHECK(json("/01/09506000134352/10/LOT42/21/AB~1" + sig) == forged_no_serial);
  CHECK(json("/01/09506000134352/10/LOT42/21/" + std::string(21, 'A') + sig) == forged_no_serial);
  CHECK(json("/01/09506000134352/10/LOT42/21/AB%G1" + sig) == forged_no_serial);
  CHECK(json("/01/09506000134352/21/AB%2F1/10/LOT42" + sig) == forged_no_serial);
  CHECK(json("/01/09506000134352/10/LOT42/21/AB%2F1?s=" + std::string(103, '!')) ==
        "{\"verdict\": \"forged\", \"genuine\": false, \"message\": \"Forged\", \"serial\": "
        "\"AB/1\", \"product\": null, \"batch\": null, \"scans\": 0");
  // Without s=: unsigned, as any payload without a signature.
  CHECK(json("/01/09506000134352/10/LOT42/21/AB%2F1") ==
        "{\"verdict\": \"unsigned\", \"genuine\": false, \"message\": \"Unsigned\", \"serial\": "
        "\"AB/1\", \"product\": null, \"batch\": null, \"scans\": 0");
  CHECK_THAT(test::http_get(f.port(), "/01/09506000134353/21/A" + sig).body,
             Catch::Contains("<h1>Forged</h1>"));
  CHECK(f.scans("AB/1") == 0);
  // A product's own address (no /21/) is not a code's: 404.
  CHECK(test::http_get(f.port(), "/01/09506000134352/10/LOT42").status == 404);
  CHECK(test::http_get(f.port(), "/01/09506000134352").status == 404);
  // HEAD on a code's path never scans.
  CHECK(test::http_get(f.port(), good, {}, "HEAD").status == 405);
  CHECK(f.scans("AB/1") == 0);
  CHECK_THAT(json(good), Catch::StartsWith("{\"verdict\": \"first_scan\""));
}

TEST_CASE("serve gs1: routes, and the rate limit covers them", "[serve][gs1]") {
  using viscode::detail::RouteKind;
  CHECK(viscode::detail::match_gs1_route("/01/09506000134352/21/A") == RouteKind::gs1);
  CHECK(viscode::detail::match_gs1_route("/shop/01/09506000134352/10/L/21/A") ==
        RouteKind::gs1_lot);
  CHECK(viscode::detail::match_gs1_route("/01/09506000134353/21/A") == RouteKind::gs1);
  CHECK(viscode::detail::match_gs1_route("/01/09506000134352") == RouteKind::none);
  CHECK(viscode::detail::match_gs1_route("/01/09506000134352/10/L") == RouteKind::none);
  CHECK(viscode::detail::match_gs1_route("/a/S0000001.X") == RouteKind::none);
  CHECK(viscode::detail::gs1_scan_path("/01/09506000134352/21/a%2fb?x=1&s=SIG#f") ==
        "/01/09506000134352/21/a%2Fb?s=SIG");
  CHECK(viscode::detail::gs1_scan_path("/01/09506000134353/21/a?s=SIG") ==
        "/01/09506000134353/21/a?s=SIG");
  CHECK(viscode::detail::rate_limited(RouteKind::gs1));
  CHECK(viscode::detail::rate_limited(RouteKind::gs1_lot));
}
