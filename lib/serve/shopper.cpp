#include "serve/shopper.hpp"

#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "serve/admin.hpp"
#include "serve/gs1_route.hpp"
#include "sign/common.hpp"
#include "text.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"
#include "viscode/sign.hpp"

namespace viscode::detail {
namespace {

// Link-preview bots and crawlers, by a distinctive part of their User-Agent (matched
// case-insensitively). Apple's iMessage previews announce themselves as
// "facebookexternalhit/1.1 Facebot Twitterbot/1.0"; Microsoft Teams and Skype as
// SkypeUriPreview. Generic words ("bot", "crawler") are left out on purpose: some phones'
// browsers carry a model name such as "CUBOT" in theirs.
constexpr std::string_view kPreviewAgents[] = {
    "facebookexternalhit",
    "Facebot",
    "meta-externalagent",
    "Twitterbot",
    "Slackbot",
    "Slack-ImgProxy",
    "WhatsApp",
    "TelegramBot",
    "Discordbot",
    "LinkedInBot",
    "SkypeUriPreview",
    "MicrosoftPreview",
    "Googlebot",
    "Google-InspectionTool",
    "GoogleOther",
    "AdsBot-Google",
    "bingbot",
    "BingPreview",
    "Applebot",
    "redditbot",
    "Pinterestbot",
    "Embedly",
    "Iframely",
    "vkShare",
    "Viber",
    "Mastodon",
    "Snapchat",
    "YandexBot",
    "Baiduspider",
    "Bytespider",
    "DuckDuckBot",
    "Yahoo! Slurp",
    "Petalbot",
    "Sogou",
    "360Spider",
    "W3C_Validator",
};

bool contains_nocase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                     }) != haystack.end();
}

// The script behind the optional "share my location" button. It is constant (its words
// are the button's data- attributes), so the page's Content-Security-Policy allows exactly
// it by its SHA-256. It rounds to 0.1 degree before anything leaves the phone.
constexpr std::string_view kPlaceScript =
    "(function(){var b=document.getElementById('geo'),m=document.getElementById('geo-msg');"
    "if(!b||!navigator.geolocation||!window.fetch)return;b.hidden=false;"
    "var f=function(){m.textContent=b.getAttribute('data-failed');b.disabled=false};"
    "b.onclick=function(){b.disabled=true;navigator.geolocation.getCurrentPosition("
    "function(p){var r=function(x){return(Math.round(x*10)/10).toFixed(1)};"
    "fetch(location.pathname+'/place'+location.search,{method:'POST',credentials:'same-origin',"
    "headers:{'Content-Type':'application/x-www-form-urlencoded'},"
    "body:'lat='+r(p.coords.latitude)+'&lon='+r(p.coords.longitude)})"
    ".then(function(x){if(x.ok){m.textContent=b.getAttribute('data-thanks');b.hidden=true}"
    "else f()},f)},f,{enableHighAccuracy:false,maximumAge:600000,timeout:30000})}})();";

const std::string& place_script_csp() {
  static const std::string csp = [] {
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(kPlaceScript.data()),
                       kPlaceScript.size());
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
    return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
           std::string(b64) + "'; connect-src 'self'; base-uri 'none'; form-action 'none'";
  }();
  return csp;
}
constexpr const char* kPageCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-04T21:05:00Z" as a shopper reads it: "2026-12-04 21:05 UTC".
std::string shown_time(std::string_view at) {
  if (at.size() != 20 || at[10] != 'T') return std::string(at);
  return std::string(at.substr(0, 10)) + " " + std::string(at.substr(11, 5)) + " UTC";
}

std::string_view verdict_key(Verdict v) {
  switch (v) {
    case Verdict::first_scan:
      return "verdict.first_scan";
    case Verdict::seen_before:
      return "verdict.seen_before";
    case Verdict::not_issued:
      return "verdict.not_issued";
    case Verdict::forged:
      return "verdict.forged";
    case Verdict::unsigned_:
      break;
  }
  return "verdict.unsigned";
}

std::string_view colour_of(Verdict v) {
  switch (v) {
    case Verdict::first_scan:
      return "#1b7f3b";
    case Verdict::seen_before:
      return "#b35c00";
    default:
      return "#b3261e";
  }
}

std::string page(Lang lang, std::string_view title, std::string_view colour,
                 std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{3}\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0}</title><style>body{{font-family:sans-serif;margin:1.5em auto;max-width:32em;"
      "padding:0 1em;line-height:1.4}}h1{{color:{1};font-size:1.5em}}h2{{font-size:1.2em}}"
      "dt{{font-weight:bold}}img{{max-width:100%;height:auto}}button{{font-size:1em;"
      "padding:.5em 1em}}small{{color:#555}}</style></head><body><h1>{0}</h1>{2}</body>"
      "</html>\n",
      html_escape(title), colour, body, lang_tag(lang));
}

Answer shopper_headers(Answer a, Lang lang) {
  a.headers.emplace_back("Vary", "Accept, Accept-Language, Cookie");
  a.headers.emplace_back("Content-Language", std::string(lang_tag(lang)));
  return a;
}

std::optional<double> number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const std::size_t int_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == int_start || i - int_start > 3) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac_start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == frac_start || i - frac_start > 10) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

// Little-endian fixed fields, so the sealed bytes do not depend on the machine.
void put64(std::string& out, std::int64_t v) {
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
}
std::int64_t get64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  return static_cast<std::int64_t>(v);
}
constexpr std::size_t kTicketBytes = 1 + 1 + 8 + 8 + 8 + 20;

}  // namespace

std::span<const std::string_view> preview_agents() {
  return kPreviewAgents;
}

bool is_preview_agent(std::string_view user_agent) {
  return std::any_of(std::begin(kPreviewAgents), std::end(kPreviewAgents),
                     [&](std::string_view a) { return contains_nocase(user_agent, a); });
}

bool is_prefetch(const std::function<const char*(const char*)>& header) {
  const auto has = [&](const char* name, std::string_view word) {
    const char* v = header(name);
    return v != nullptr && contains_nocase(v, word);
  };
  return has("Purpose", "prefetch") || has("Sec-Purpose", "prefetch") ||
         has("Sec-Purpose", "prerender") || has("X-Purpose", "preview") || has("X-Moz", "prefetch");
}

std::optional<std::string> coarse_place(double lat, double lon) {
  if (!std::isfinite(lat) || !std::isfinite(lon) || lat < -90 || lat > 90 || lon < -180 ||
      lon > 180) {
    return std::nullopt;
  }
  const auto round1 = [](double x) {
    const double r = std::round(x * 10) / 10;
    return r == 0 ? 0.0 : r;  // no "-0.0"
  };
  return fmt::format("{:.1f},{:.1f}", round1(lat), round1(lon));
}

std::optional<std::string> parse_place_body(std::string_view body) {
  if (body.size() > kMaxPlaceBody || !body.starts_with("lat=")) return std::nullopt;
  const std::size_t amp = body.find("&lon=");
  if (amp == std::string_view::npos) return std::nullopt;
  const auto lat = number(body.substr(4, amp - 4)), lon = number(body.substr(amp + 5));
  if (!lat || !lon) return std::nullopt;
  return coarse_place(*lat, *lon);
}

bool is_place_path(std::string_view path, std::string_view prefix, std::string_view* code_path) {
  constexpr std::string_view kSuffix = "/place";
  if (!path.ends_with(kSuffix)) return false;
  const std::string_view code = path.substr(0, path.size() - kSuffix.size());
  const RouteKind kind = match_route(code, prefix).kind;
  if (kind != RouteKind::code && kind != RouteKind::product_code && !is_gs1_route(kind)) {
    return false;
  }
  *code_path = code;
  return true;
}

TicketSealer::TicketSealer() {
  ensure_sodium();  // its random generator
  crypto_auth_keygen(key_.data());
}

TicketSealer::TicketSealer(std::string_view shared_secret) {
  ensure_sodium();
  // A key for this use only, whatever else the brand keeps the secret for.
  static constexpr std::string_view kContext = "viscode reload cookie v1";
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, key_.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kContext.data()),
                            kContext.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(shared_secret.data()),
                            shared_secret.size());
  crypto_generichash_final(&state, key_.data(), key_.size());
}

std::optional<ScanTicket> Shopper::reload_ticket(const std::string& cookie,
                                                 std::string_view path) const {
  if (cookie.empty()) return std::nullopt;
  return sealer_.open(cookie, path, unix_now());
}

std::string TicketSealer::seal(const ScanTicket& t, std::string_view path) const {
  std::string blob;
  blob += '\x01';  // format version
  blob += t.verdict == Verdict::seen_before ? 's' : 'f';
  put64(blob, t.scan_id);
  put64(blob, t.scans);
  put64(blob, t.expires);
  std::string at = t.at;
  at.resize(20, ' ');
  blob += at;
  std::string signed_text = blob + std::string(path);
  unsigned char mac[crypto_auth_BYTES];
  crypto_auth(mac, reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(),
              key_.data());
  blob.append(reinterpret_cast<const char*>(mac), sizeof mac);
  std::string out(sodium_base64_encoded_len(blob.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(blob.data()),
                    blob.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<ScanTicket> TicketSealer::open(std::string_view value, std::string_view path,
                                             std::int64_t now) const {
  unsigned char blob[kTicketBytes + crypto_auth_BYTES];
  std::size_t len = 0;
  if (value.size() > 200 ||
      sodium_base642bin(blob, sizeof blob, value.data(), value.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      len != sizeof blob) {
    return std::nullopt;
  }
  const std::string_view fields(reinterpret_cast<const char*>(blob), kTicketBytes);
  const std::string signed_text = std::string(fields) + std::string(path);
  if (crypto_auth_verify(blob + kTicketBytes,
                         reinterpret_cast<const unsigned char*>(signed_text.data()),
                         signed_text.size(), key_.data()) != 0) {
    return std::nullopt;
  }
  if (fields[0] != '\x01') return std::nullopt;
  ScanTicket t;
  t.verdict = fields[1] == 's' ? Verdict::seen_before : Verdict::first_scan;
  t.scan_id = get64(fields.substr(2));
  t.scans = get64(fields.substr(10));
  t.expires = get64(fields.substr(18));
  t.at = std::string(fields.substr(26, 20));
  if (now >= t.expires) return std::nullopt;
  return t;
}

Answer shopper_verdict_answer(Verdict verdict, const ScanResult& r, Format format, Lang lang,
                              const Product* product, bool offer_place) {
  const bool genuine = verdict == Verdict::first_scan || verdict == Verdict::seen_before;
  const std::string product_id =
      genuine && r.authentication ? r.authentication->product : std::string();
  // GS1 Digital Link codes: the lot and the product's own Digital Link address.
  const std::string lot = genuine && r.authentication ? r.authentication->lot : std::string();
  const std::string gs1_url =
      genuine && r.authentication ? r.authentication->product_url : std::string();
  const std::string_view title = text(lang, verdict_key(verdict));
  if (!genuine) product = nullptr;
  // The brand's page for the product: the products file's, else the code's own GS1 address.
  const std::string link = product != nullptr && !product->url.empty() ? product->url : gs1_url;
  Answer a;
  if (format == Format::json) {
    a.content_type = "application/json";
    a.body = fmt::format(
        "{{\"verdict\": {}, \"genuine\": {}, \"message\": {}, \"serial\": {}, \"product\": {}, "
        "\"batch\": {}, \"scans\": {}, \"at\": {}, \"first_at\": {}, \"first_where\": {}, "
        "\"lot\": {}, \"product_url\": {}, \"lang\": {}, \"name\": {}, \"description\": {}, "
        "\"production_date\": {}, \"url\": {}}}\n",
        json_string(enum_name(verdict)), genuine ? "true" : "false", json_string(title),
        json_or_null(r.serial), json_or_null(product_id), json_or_null(genuine ? r.batch : ""),
        r.scans, json_string(r.at), json_or_null(genuine ? r.first_at : ""),
        json_or_null(genuine ? r.first_where : ""), json_or_null(lot), json_or_null(gs1_url),
        json_string(lang_tag(lang)), json_or_null(product ? product->name : ""),
        json_or_null(product ? product->description : ""),
        json_or_null(product ? product->production_date : ""),
        json_or_null(product ? product->url : ""));
    a.headers.emplace_back("Content-Security-Policy", kPageCsp);
    return shopper_headers(std::move(a), lang);
  }
  std::string body =
      "<p>" + html_escape(text(lang, std::string(verdict_key(verdict)) + ".advice")) + "</p>";
  if (product != nullptr) {
    if (!product->picture.empty()) {
      body += "<img src=\"" + html_escape(product->picture) + "\" alt=\"" +
              html_escape(product->name) + "\">";
    }
    body += "<h2>" + html_escape(product->name) + "</h2>";
    if (!product->description.empty()) body += "<p>" + html_escape(product->description) + "</p>";
  }
  body += "<dl>";
  const auto item = [&](std::string_view key, std::string_view value) {
    if (!value.empty())
      body += "<dt>" + html_escape(text(lang, key)) + "</dt><dd>" + html_escape(value) + "</dd>";
  };
  item("label.serial", r.serial);
  item("label.product", product_id);
  item("label.lot", lot);
  if (genuine) {
    item("label.batch", r.batch);
    if (product != nullptr) item("label.production_date", product->production_date);
    item("label.scanned_at", shown_time(r.at));
    if (verdict == Verdict::seen_before) {
      const std::int64_t before = r.scans - 1;
      const std::string count = std::to_string(before), since = shown_time(r.first_at);
      item("label.scanned_before",
           text(lang, before == 1 ? "value.scanned_before.one" : "value.scanned_before.other",
                {{"count", count}, {"since", since}}));
      item("label.first_place", r.first_where);
    }
  }
  body += "</dl>";
  if (!link.empty()) {
    body += "<p><a href=\"" + html_escape(link) + "\" rel=\"noopener noreferrer\">" +
            html_escape(text(lang, "link.product_page")) + "</a></p>";
  }
  if (verdict == Verdict::seen_before) {
    body += "<p>" + html_escape(text(lang, "next.seen_before")) + "</p>";
  } else if (!genuine) {
    body += "<p>" + html_escape(text(lang, "next.not_genuine")) + "</p>";
  }
  if (offer_place) {
    body += "<p><button id=\"geo\" type=\"button\" hidden data-thanks=\"" +
            html_escape(text(lang, "place.thanks")) + "\" data-failed=\"" +
            html_escape(text(lang, "place.failed")) + "\">" +
            html_escape(text(lang, "place.button")) + "</button> <span id=\"geo-msg\"></span>" +
            "<br><small>" + html_escape(text(lang, "place.note")) + "</small></p><script>" +
            std::string(kPlaceScript) + "</script>";
  }
  a.content_type = "text/html; charset=utf-8";
  a.body = page(lang, title, colour_of(verdict), body);
  a.headers.emplace_back("Content-Security-Policy", offer_place ? place_script_csp() : kPageCsp);
  return shopper_headers(std::move(a), lang);
}

Answer preview_answer(Format format, Lang lang) {
  const std::string_view title = text(lang, "preview.title");
  Answer a;
  if (format == Format::json) {
    a.content_type = "application/json";
    a.body = "{\"verdict\": \"preview\", \"genuine\": null, \"message\": " + json_string(title) +
             ", \"lang\": " + json_string(lang_tag(lang)) + "}\n";
  } else {
    a.content_type = "text/html; charset=utf-8";
    a.body = page(lang, title, "#333", "<p>" + html_escape(text(lang, "preview.advice")) + "</p>");
  }
  a.headers.emplace_back("Content-Security-Policy", kPageCsp);
  return shopper_headers(std::move(a), lang);
}

Answer malformed_answer(Format format, Lang lang) {
  ScanResult r;
  r.at = utc_text(static_cast<std::time_t>(unix_now()));
  Answer a = shopper_verdict_answer(Verdict::forged, r, format, lang, nullptr, false);
  a.status = 404;
  return a;
}

namespace {
TicketSealer make_sealer(const ServeOptions& options) {
  if (options.cookie_key_file.empty()) return TicketSealer();
  return TicketSealer(
      read_secret_file(options.cookie_key_file, "cookie key", "ServeOptions.cookie_key_file"));
}
}  // namespace

Shopper::Shopper(const ServeOptions& options) : options_(options), sealer_(make_sealer(options)) {
  if (!options.products.empty()) products_ = Products::load(options.products);
}

Answer Shopper::scan(Ledger& ledger, std::string_view path, std::string_view cookie_path,
                     Format format, Lang lang, const std::optional<ScanTicket>& reload,
                     std::string_view& log_verdict, std::string& log_serial, ScanResult* recorded) {
  const std::int64_t now = unix_now();
  if (const auto& ticket = reload) {
    // A reload within the window: the first verdict again, read-only. The cookie was set
    // on a genuine scan of exactly this path, and the signature check is cheap.
    ScanResult r;
    r.authentication = authenticate(path, options_.keys);
    if (r.authentication->verdict == Authenticity::genuine) {
      r.verdict = ticket->verdict == Verdict::seen_before ? ScanVerdict::seen_before
                                                          : ScanVerdict::first_scan;
      r.serial = r.authentication->serial;
      r.scans = ticket->scans;
      r.at = ticket->at;
      r.scan_id = ticket->scan_id;
      const SerialStatus status = ledger.status(r.serial);
      r.batch = status.batch;
      r.first_at = status.first_at;
      r.first_where = status.first_where;
      log_verdict = "reload";
      log_serial = r.serial;
      return shopper_verdict_answer(ticket->verdict, r, format, lang,
                                    products_.find(r.authentication->product, r.batch), true);
    }
  }
  ScanContext context;
  context.keys = options_.keys;
  const ScanResult result = ledger.scan(path, context);
  if (recorded != nullptr) *recorded = result;
  const Verdict verdict = scan_outcome(result);
  log_verdict = verdict_id(result);
  log_serial = result.serial;
  const bool counted =
      result.scan_id > 0 && (verdict == Verdict::first_scan || verdict == Verdict::seen_before);
  const std::string_view shown_path = cookie_path.empty() ? path : cookie_path;
  // A path that could break out of the Set-Cookie header (a raw ';' in a GS1 serial) gets
  // no cookie: its reloads count, which is what happened before cookies.
  const bool cookie_safe = shown_path.find_first_not_of(
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789/._~%-") == std::string_view::npos;
  // The place is sent with the cookie, so only a page that sets one offers the button.
  const bool placeable = counted && cookie_safe;
  const std::string product_id = result.authentication ? result.authentication->product : "";
  Answer a = shopper_verdict_answer(verdict, result, format, lang,
                                    products_.find(product_id, result.batch), placeable);
  if (counted && cookie_safe) {
    const ScanTicket ticket{verdict, result.scan_id, result.scans,
                            now + options_.reload_window.count(), result.at};
    a.headers.emplace_back(
        "Set-Cookie",
        fmt::format("{}={}; Max-Age={}; Path={}; HttpOnly; SameSite=Lax", kTicketCookie,
                    sealer_.seal(ticket, path), options_.reload_window.count(), shown_path));
  }
  return a;
}

Answer Shopper::place(Ledger& ledger, std::string_view code_path, std::string_view body, Lang lang,
                      const std::string& cookie, std::string_view& log_verdict) {
  Answer a;
  a.content_type = "application/json";
  log_verdict = "refused";
  const auto ticket = cookie.empty() ? std::nullopt : sealer_.open(cookie, code_path, unix_now());
  if (!ticket) {
    a.status = 403;
    a.body = "{\"error\": " + json_string(text(lang, "place.error.no_scan")) + "}\n";
    return a;
  }
  const auto place = parse_place_body(body);
  if (!place) {
    a.status = 400;
    a.body = "{\"error\": " + json_string(text(lang, "place.error.body")) + "}\n";
    return a;
  }
  if (!ledger.set_scan_place(ticket->scan_id, *place)) {
    a.status = 404;
    a.body = "{\"error\": " + json_string(text(lang, "place.error.gone")) + "}\n";
    return a;
  }
  log_verdict = "place";
  a.body = "{\"place\": " + json_string(*place) + "}\n";
  return a;
}

void check_shopper_options(const ServeOptions& o) {
  if (o.reload_window.count() < 1 || o.reload_window.count() > 86400) {
    throw Error(
        ErrorCategory::usage,
        fmt::format("ServeOptions.reload_window {} s is out of range: give 1 to 86400 seconds",
                    o.reload_window.count()));
  }
  if (o.retention_days < 0 || o.retention_days > 36500) {
    throw Error(
        ErrorCategory::usage,
        fmt::format("ServeOptions.retention_days {} is out of range: give 0 (keep places) to 36500",
                    o.retention_days));
  }
}

Retention::Retention(const ServeOptions& options, std::function<void(std::string_view)> log)
    : options_(options), log_(std::move(log)) {
  if (options.retention_days <= 0) return;
  Ledger ledger = Ledger::open(options.db);
  run_once(ledger);
  thread_ = std::thread([this, l = std::move(ledger)]() mutable {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (wake_.wait_for(lock, std::chrono::hours(1), [&] { return stopping_; })) return;
      lock.unlock();
      try {
        run_once(l);
      } catch (const std::exception& e) {
        if (log_) {
          log_(fmt::format("{{\"time\": {}, \"error\": {}}}",
                           json_string(utc_text(static_cast<std::time_t>(unix_now()))),
                           json_string(e.what())));
        }
      }
      lock.lock();
    }
  });
}

Retention::~Retention() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Retention::run_once(Ledger& ledger) {
  const std::string before = utc_text(
      static_cast<std::time_t>(unix_now() - std::int64_t{options_.retention_days} * 86400));
  const std::int64_t cleared = ledger.clear_places_before(before);
  if (log_) {
    log_(fmt::format("{{\"time\": {}, \"retention\": {{\"before\": {}, \"places_cleared\": {}}}}}",
                     json_string(utc_text(static_cast<std::time_t>(unix_now()))),
                     json_string(before), cleared));
  }
}

}  // namespace viscode::detail
