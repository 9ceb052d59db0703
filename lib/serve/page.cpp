#include "serve/page.hpp"

#include <fmt/core.h>

#include <cstring>

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

struct Words {
  std::string_view title, colour, advice;
};

Words words_of(Verdict v) {
  switch (v) {
    case Verdict::first_scan:
      return {"Genuine, first scan", "#1b7f3b",
              "This code was issued by the brand, and this is the first time it has been "
              "scanned."};
    case Verdict::seen_before:
      return {"Genuine serial, seen before: possible copy", "#b35c00",
              "This serial was issued by the brand, but its code has been scanned before. If "
              "you have just bought this product, its code may have been copied."};
    case Verdict::not_issued:
      return {"Not issued", "#b3261e", "The brand never issued this serial."};
    case Verdict::forged:
      return {"Forged", "#b3261e",
              "The code's signature does not verify with the brand's key: the brand did not "
              "make this code."};
    case Verdict::unsigned_:
      break;
  }
  return {"Unsigned", "#b3261e", "The code carries no signature from the brand."};
}

std::string json_or_null(std::string_view s) {
  return s.empty() ? "null" : json_string(s);
}

std::string page(std::string_view title, std::string_view colour, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0}</title><style>body{{font-family:sans-serif;margin:1.5em auto;max-width:32em;"
      "padding:0 1em;line-height:1.4}}h1{{color:{1};font-size:1.5em}}dt{{font-weight:bold}}"
      "</style></head><body><h1>{0}</h1>{2}</body></html>\n",
      html_escape(title), colour, body);
}

}  // namespace

Route match_route(std::string_view path, std::string_view prefix) {
  if (path == "/healthz") return {RouteKind::healthz};
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
    case RouteKind::none:
      break;
  }
  return "other";
}

Format wanted_format(const char* accept) {
  return accept != nullptr && std::strstr(accept, "application/json") != nullptr ? Format::json
                                                                                 : Format::html;
}

Verdict verdict_of(const ScanResult& result) {
  switch (result.verdict) {
    case ScanVerdict::first_scan:
      return Verdict::first_scan;
    case ScanVerdict::seen_before:
      return Verdict::seen_before;
    case ScanVerdict::not_authentic:
      return result.authentication && result.authentication->verdict == Authenticity::unsigned_
                 ? Verdict::unsigned_
                 : Verdict::forged;
    case ScanVerdict::not_issued:
      break;
  }
  return Verdict::not_issued;
}

std::string_view verdict_id(Verdict v) {
  switch (v) {
    case Verdict::first_scan:
      return "first_scan";
    case Verdict::seen_before:
      return "seen_before";
    case Verdict::not_issued:
      return "not_issued";
    case Verdict::forged:
      return "forged";
    case Verdict::unsigned_:
      break;
  }
  return "unsigned";
}

Answer verdict_answer(Verdict verdict, const ScanResult& r, Format format) {
  const Words w = words_of(verdict);
  const bool genuine = verdict == Verdict::first_scan || verdict == Verdict::seen_before;
  const std::string product =
      genuine && r.authentication ? r.authentication->product : std::string();
  Answer a;
  a.headers.emplace_back("Vary", "Accept");
  if (format == Format::json) {
    a.content_type = "application/json";
    a.body = fmt::format(
        "{{\"verdict\": {}, \"genuine\": {}, \"message\": {}, \"serial\": {}, \"product\": {}, "
        "\"batch\": {}, \"scans\": {}, \"at\": {}, \"first_at\": {}, \"first_where\": {}}}\n",
        json_string(verdict_id(verdict)), genuine ? "true" : "false", json_string(w.title),
        json_or_null(r.serial), json_or_null(product), json_or_null(genuine ? r.batch : ""),
        r.scans, json_string(r.at), json_or_null(genuine ? r.first_at : ""),
        json_or_null(genuine ? r.first_where : ""));
    return a;
  }
  std::string body = "<p>" + html_escape(w.advice) + "</p><dl>";
  const auto item = [&](std::string_view name, std::string_view value) {
    if (!value.empty())
      body += "<dt>" + html_escape(name) + "</dt><dd>" + html_escape(value) + "</dd>";
  };
  item("Serial", r.serial);
  item("Product", product);
  if (genuine) {
    item("Batch", r.batch);
    if (verdict == Verdict::seen_before) {
      const std::int64_t before = r.scans - 1;
      item("Scanned before",
           fmt::format("{} time{} since {}", before, before == 1 ? "" : "s", r.first_at));
      item("First scanned at", r.first_where);
    }
  }
  body += "</dl>";
  a.content_type = "text/html; charset=utf-8";
  a.body = page(w.title, w.colour, body);
  return a;
}

Answer healthz_answer() {
  Answer a;
  a.content_type = "application/json";
  a.body = "{\"status\": \"ok\"}\n";
  return a;
}

Answer error_answer(int status, Format format) {
  std::string_view reason = "Internal error: the ledger could not record this scan; try again";
  switch (status) {
    case 404:
      reason = "Not found: this address is not a code of this brand";
      break;
    case 405:
      reason = "Method not allowed: open this address with GET";
      break;
    case 413:
      reason = "Request body not allowed: these addresses take none";
      break;
    case 429:
      reason = "Too many requests from your address: wait a little, then open the code again";
      break;
    case 503:
      reason = "Busy: too many requests at once; try again in a second";
      break;
    default:
      break;
  }
  Answer a;
  a.status = status;
  if (format == Format::json) {
    a.content_type = "application/json";
    a.body = "{\"error\": " + json_string(reason) + "}\n";
  } else {
    a.content_type = "text/html; charset=utf-8";
    a.body = page(reason.substr(0, reason.find(':')), "#333", "<p>" + html_escape(reason) + "</p>");
  }
  return a;
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
