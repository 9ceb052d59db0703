#include "serve/page.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstring>
#include <ctime>

#include "serve/gs1_route.hpp"
#include "text.hpp"

namespace viscode::detail {
namespace {

bool upper_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}
bool base32_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
}

// Length of the run of upper_alnum characters at the start of s.
std::size_t alnum_run(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && upper_alnum(s[n])) ++n;
  return n;
}

std::string page(std::string_view title, std::string_view colour, std::string_view body,
                 Lang lang) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{3}\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0}</title><style>body{{font-family:sans-serif;margin:1.5em auto;max-width:32em;"
      "padding:0 1em;line-height:1.4}}h1{{color:{1};font-size:1.5em}}dt{{font-weight:bold}}"
      "</style></head><body><h1>{0}</h1>{2}</body></html>\n",
      html_escape(title), colour, body, lang_tag(lang));
}

}  // namespace

Route match_route(std::string_view path, std::string_view prefix) {
  if (path == "/healthz") return {RouteKind::healthz};
  if (const RouteKind gs1 = match_gs1_route(path); gs1 != RouteKind::none) return {gs1};
  if (!path.starts_with(prefix)) return {};
  std::string_view rest = path.substr(prefix.size());
  RouteKind kind = RouteKind::code;
  std::size_t run = alnum_run(rest);
  if (run >= 1 && run <= kMaxProductChars && run < rest.size() && rest[run] == '/') {
    kind = RouteKind::product_code;
    rest.remove_prefix(run + 1);
    run = alnum_run(rest);
  }
  if (run < kMinSerialChars || run > kMaxSerialChars || run >= rest.size() || rest[run] != '.') {
    return {};
  }
  const std::string_view sig = rest.substr(run + 1);
  if (sig.size() != kSignatureChars) return {};
  for (const char c : sig) {
    if (!base32_char(c)) return {};
  }
  return {kind};
}

std::string route_name(RouteKind kind, std::string_view prefix) {
  switch (kind) {
    case RouteKind::healthz:
      return "/healthz";
    case RouteKind::code:
      return std::string(prefix) + "{serial}.{sig}";
    case RouteKind::product_code:
      return std::string(prefix) + "{product}/{serial}.{sig}";
    case RouteKind::gs1:
    case RouteKind::gs1_lot:
      return gs1_route_name(kind);
    case RouteKind::none:
      break;
  }
  return "other";
}

Format wanted_format(const char* accept) {
  return accept != nullptr && std::strstr(accept, "application/json") != nullptr ? Format::json
                                                                                 : Format::html;
}

Answer healthz_answer() {
  Answer a;
  a.content_type = "application/json";
  a.body = "{\"status\": \"ok\"}\n";
  return a;
}

Answer error_answer(int status, Format format, Lang lang) {
  std::string_view key = "error.500";
  switch (status) {
    case 404:
      key = "error.404";
      break;
    case 405:
      key = "error.405";
      break;
    case 413:
      key = "error.413";
      break;
    case 429:
      key = "error.429";
      break;
    case 503:
      key = "error.503";
      break;
    default:
      break;
  }
  const std::string_view reason = text(lang, key);
  Answer a;
  a.status = status;
  if (format == Format::json) {
    a.content_type = "application/json";
    a.body = "{\"error\": " + json_string(reason) + "}\n";
  } else {
    a.content_type = "text/html; charset=utf-8";
    a.body = page(text(lang, std::string(key) + ".title"), "#333",
                  "<p>" + html_escape(reason) + "</p>", lang);
  }
  return a;
}

std::string json_or_null(std::string_view s) {
  return s.empty() ? "null" : json_string(s);
}

std::string log_time_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms));
}

std::string json_string(std::string_view s) {
  if (!valid_utf8(s)) return json_string(hex_text(s));
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace viscode::detail
