// The shopper's side of serve, function by function: the catalogue, Accept-Language, the
// reload cookie, link-preview detection and the coarsening of places.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "serve/catalogue.hpp"
#include "serve/shopper.hpp"

using viscode::detail::Lang;

namespace {

std::set<std::string> placeholders(std::string_view s) {
  std::set<std::string> out;
  for (std::size_t open = s.find('{'); open != std::string_view::npos;
       open = s.find('{', open + 1)) {
    const std::size_t close = s.find('}', open);
    if (close != std::string_view::npos) out.emplace(s.substr(open + 1, close - open - 1));
  }
  return out;
}

}  // namespace

TEST_CASE("serve catalogue: every key in every language, with the same placeholders",
          "[serve][unit]") {
  std::set<std::string> keys;
  for (const auto& entry : viscode::detail::catalogue()) {
    INFO(entry.key);
    CHECK(keys.insert(entry.key).second);  // no key twice
    const std::set<std::string> english = placeholders(entry.text[0]);
    for (std::size_t lang = 0; lang < viscode::detail::kLangCount; ++lang) {
      INFO(lang);
      REQUIRE(entry.text[lang] != nullptr);
      CHECK(std::string_view(entry.text[lang]).size() > 0);
      CHECK(placeholders(entry.text[lang]) == english);
    }
  }
  // Every key the page uses is in the table (a missing one would show as the key itself).
  for (const char* key : {"verdict.first_scan",
                          "verdict.first_scan.advice",
                          "verdict.seen_before",
                          "verdict.seen_before.advice",
                          "verdict.not_issued",
                          "verdict.not_issued.advice",
                          "verdict.forged",
                          "verdict.forged.advice",
                          "verdict.unsigned",
                          "verdict.unsigned.advice",
                          "next.seen_before",
                          "next.not_genuine",
                          "label.serial",
                          "label.product",
                          "label.batch",
                          "label.lot",
                          "label.production_date",
                          "label.scanned_at",
                          "label.scanned_before",
                          "value.scanned_before.one",
                          "value.scanned_before.other",
                          "label.first_place",
                          "link.product_page",
                          "place.button",
                          "place.note",
                          "place.thanks",
                          "place.failed",
                          "preview.title",
                          "preview.advice",
                          "error.404.title",
                          "error.404",
                          "error.405.title",
                          "error.405",
                          "error.413.title",
                          "error.413",
                          "error.429.title",
                          "error.429",
                          "error.500.title",
                          "error.500",
                          "error.503.title",
                          "error.503",
                          "place.error.no_scan",
                          "place.error.body",
                          "place.error.gone"}) {
    INFO(key);
    CHECK(keys.count(key) == 1);
  }
  CHECK(keys.size() == 44);
  CHECK(viscode::detail::text(Lang::fr, "value.scanned_before.other",
                              {{"count", "2"}, {"since", "2026-12-04 10:00 UTC"}}) ==
        "2 fois depuis le 2026-12-04 10:00 UTC");
  CHECK(viscode::detail::text(Lang::zh_hans, "value.scanned_before.other",
                              {{"count", "3"}, {"since", "2026-12-04 10:00 UTC"}}) ==
        "自 2026-12-04 10:00 UTC 起 3 次");
}

TEST_CASE("serve Accept-Language: q-values, Chinese and French variants, English by default",
          "[serve][unit]") {
  using viscode::detail::lang_from_accept_language;
  CHECK(lang_from_accept_language(nullptr) == Lang::en);
  CHECK(lang_from_accept_language("") == Lang::en);
  CHECK(lang_from_accept_language("de-DE, ja") == Lang::en);
  for (const char* zh : {"zh", "zh-CN", "zh-Hans", "zh-SG", "zh-hans-cn", "ZH-cn", "zh-TW"}) {
    INFO(zh);
    CHECK(lang_from_accept_language(zh) == Lang::zh_hans);
  }
  CHECK(lang_from_accept_language("fr") == Lang::fr);
  CHECK(lang_from_accept_language("fr-CA,fr;q=0.9,en;q=0.8") == Lang::fr);
  CHECK(lang_from_accept_language("en-GB,en;q=0.9,fr;q=0.8") == Lang::en);
  CHECK(lang_from_accept_language("en;q=0.5, fr;q=0.9") == Lang::fr);
  CHECK(lang_from_accept_language("de;q=1, zh-CN;q=0.7, en;q=0.6") == Lang::zh_hans);
  CHECK(lang_from_accept_language("fr;q=0, zh") == Lang::zh_hans);
  CHECK(lang_from_accept_language("fr;q=0") == Lang::en);
  CHECK(lang_from_accept_language("fr;q=2, en;q=0.1") == Lang::en);  // malformed q: ignored
  CHECK(lang_from_accept_language("fr ; q=0.5 , zh;q=0.4") == Lang::fr);
  CHECK(lang_from_accept_language("frx, fr-") == Lang::fr);  // "fr-": fr's subtag
  CHECK(lang_from_accept_language("*;q=0.5, fr;q=0.4") == Lang::en);
  CHECK(lang_from_accept_language("zh;q=0.8, fr;q=0.8") == Lang::zh_hans);  // tie: first
  CHECK(viscode::detail::lang_tag(Lang::zh_hans) == "zh-Hans");
}

TEST_CASE("serve place: coarsened to 0.1 degree, only lat=..&lon=.. bodies", "[serve][unit]") {
  using viscode::detail::coarse_place;
  using viscode::detail::parse_place_body;
  CHECK(coarse_place(48.8566, 2.3522) == "48.9,2.4");
  CHECK(coarse_place(-33.8688, 151.2093) == "-33.9,151.2");
  CHECK(coarse_place(-0.04, 0.04) == "0.0,0.0");  // no "-0.0"
  CHECK(coarse_place(90, -180) == "90.0,-180.0");
  CHECK(!coarse_place(90.1, 0));
  CHECK(!coarse_place(0, 180.5));
  CHECK(!coarse_place(std::numeric_limits<double>::quiet_NaN(), 0));
  CHECK(parse_place_body("lat=31.2304&lon=121.4737") == "31.2,121.5");
  CHECK(parse_place_body("lat=-12&lon=-77.04") == "-12.0,-77.0");
  for (const char* bad :
       {"", "lat=1", "lon=2&lat=1", "lat=1&lon=2&x=3", "lat=1e3&lon=2", "lat=+1&lon=2",
        "lat=1.&lon=2", "lat=1000&lon=2", "lat=91&lon=0", "lat= 1&lon=2", "lat=1&lon=0x10",
        "lat=1.00000000000000000000000000000000000000000000000000&lon=2"}) {
    INFO(bad);
    CHECK(!parse_place_body(bad));
  }
}

TEST_CASE("serve preview: link-preview bots and prefetches are recognised", "[serve][unit]") {
  using viscode::detail::is_preview_agent;
  for (const char* bot :
       {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "facebookexternalhit/1.1 Facebot Twitterbot/1.0", "WhatsApp/2.23.20.0 A",
        "TelegramBot (like TwitterBot)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Applebot/0.1"}) {
    INFO(bot);
    CHECK(is_preview_agent(bot));
  }
  for (const char* phone :
       {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; CUBOT KINGKONG 9) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 Chrome/107.0 Mobile Safari/537.36 "
        "MicroMessenger/8.0.43",
        ""}) {
    INFO(phone);
    CHECK(!is_preview_agent(phone));
  }
  const auto headers = [](std::string name, std::string value) {
    return [=](const char* n) { return name == n ? value.c_str() : nullptr; };
  };
  CHECK(viscode::detail::is_prefetch(headers("Purpose", "prefetch")));
  CHECK(viscode::detail::is_prefetch(headers("Sec-Purpose", "prefetch;prerender")));
  CHECK(viscode::detail::is_prefetch(headers("Sec-Purpose", "prefetch")));
  CHECK(viscode::detail::is_prefetch(headers("X-Purpose", "preview")));
  CHECK(viscode::detail::is_prefetch(headers("X-Moz", "prefetch")));
  CHECK(!viscode::detail::is_prefetch(headers("Accept", "text/html")));
}

TEST_CASE("serve reload cookie: sealed, bound to its path, expiring, unforgeable",
          "[serve][unit]") {
  using viscode::detail::ScanTicket;
  const viscode::detail::TicketSealer sealer, other;
  ScanTicket t;
  t.verdict = viscode::detail::Verdict::seen_before;
  t.scan_id = 1234567890123;
  t.scans = 3;
  t.expires = 2000;
  t.at = "2026-12-04T21:05:00Z";
  const std::string value = sealer.seal(t, "/a/S1.SIG");
  CHECK(
      value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  const auto opened = sealer.open(value, "/a/S1.SIG", 1999);
  REQUIRE(opened);
  CHECK(opened->verdict == viscode::detail::Verdict::seen_before);
  CHECK(opened->scan_id == 1234567890123);
  CHECK(opened->scans == 3);
  CHECK(opened->at == "2026-12-04T21:05:00Z");
  CHECK(!sealer.open(value, "/a/S1.SIG", 2000));  // expired
  CHECK(!sealer.open(value, "/a/S2.SIG", 1999));  // another code
  CHECK(!other.open(value, "/a/S1.SIG", 1999));   // another process's key
  std::string tampered = value;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  CHECK(!sealer.open(tampered, "/a/S1.SIG", 1999));
  CHECK(!sealer.open("", "/a/S1.SIG", 1999));
  CHECK(!sealer.open(std::string(500, 'A'), "/a/S1.SIG", 1999));
}
