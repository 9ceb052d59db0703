#include "serve/admin.hpp"

#include <fmt/core.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>

#include "file_input.hpp"
#include "text.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

// Bounds of what one admin request reads from the ledger (docs/serve.md).
constexpr std::size_t kMaxBatches = 1000;     // batches on the overview and in stats.json
constexpr std::size_t kPageCopies = 100;      // copies on a batch's page
constexpr std::size_t kDefaultExport = 1000;  // copies in an export without ?limit=
constexpr std::size_t kMaxExport = 10000;     // the largest ?limit=
constexpr std::size_t kHistory = 20;          // scans listed per copy

std::string_view scan_verdict(std::int64_t count) {
  return enum_name(count == 1 ? ScanOutcome::first_scan : ScanOutcome::seen_before);
}

Answer text_answer(int status, std::string content_type, std::string body) {
  Answer a;
  a.status = status;
  a.content_type = std::move(content_type);
  a.body = std::move(body);
  // The admin is the brand's alone: never in another site's frame.
  a.headers.emplace_back("X-Frame-Options", "DENY");
  return a;
}

const char* kStyle =
    "body{font-family:sans-serif;margin:1.5em;line-height:1.4;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
    "td.n{text-align:right}.copy{color:#b35c00}svg{max-width:100%;height:auto}";

std::string admin_page(std::string_view title, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0} - viscode admin</title><style>{1}</style></head><body><h1>{0}</h1>{2}"
      "</body></html>\n",
      html_escape(title), kStyle, body);
}

Answer error(int status, std::string_view reason, Format format) {
  if (format == Format::json) {
    return text_answer(status, "application/json", "{\"error\": " + json_string(reason) + "}\n");
  }
  return text_answer(
      status, "text/html; charset=utf-8",
      admin_page(reason.substr(0, reason.find(':')), "<p>" + html_escape(reason) + "</p>"));
}

// ?limit= of an export: kDefaultExport when absent, else 1..kMaxExport.
std::optional<std::size_t> export_limit(const AdminRequest& request) {
  if (!request.has_limit) return kDefaultExport;
  std::size_t value = 0;
  const char* end = request.limit.data() + request.limit.size();
  const auto [ptr, ec] = std::from_chars(request.limit.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > kMaxExport) return std::nullopt;
  return value;
}

// The signed product id of a copy, read from its logged scans (all carry the same one).
std::string product_of(const CopyRecord& copy, std::span<const PublicKey> keys) {
  if (keys.empty()) return {};
  for (const CopyScan& scan : copy.history) {
    const Authentication a = authenticate(scan.payload, keys);
    if (a.verdict == Authenticity::genuine) return a.product;
  }
  return {};
}

std::string day_text(std::chrono::sys_days d) {
  const std::chrono::year_month_day ymd(d);
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::optional<std::chrono::sys_days> parse_day(std::string_view s) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (std::from_chars(s.data(), s.data() + 4, y).ptr != s.data() + 4 ||
      std::from_chars(s.data() + 5, s.data() + 7, m).ptr != s.data() + 7 ||
      std::from_chars(s.data() + 8, s.data() + 10, d).ptr != s.data() + 10) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

// 1, 2, 5, 10, 20, 50, ...: the smallest at or above v, for the chart's scale.
std::int64_t nice_ceiling(std::int64_t v) {
  std::int64_t step = 1;
  for (;;) {
    for (const std::int64_t m : {1, 2, 5}) {
      if (step * m >= v) return step * m;
    }
    step *= 10;
  }
}

std::string counts_sentence(std::int64_t issued, std::int64_t scanned, std::int64_t seen_before,
                            std::int64_t scans) {
  return fmt::format(
      "<p>{} codes issued, {} scanned, <span class=\"copy\">{} scanned more than once</span>; "
      "{} scans.</p>",
      issued, scanned, seen_before, scans);
}

std::string batch_link(std::string_view batch) {
  return "<a href=\"/admin/batch/" + html_escape(percent_encode(batch)) + "\">" +
         html_escape(batch) + "</a>";
}

std::string query_of(std::string_view batch) {
  return batch.empty() ? std::string() : "?batch=" + percent_encode(batch);
}

std::string exports_links(std::string_view batch) {
  const std::string q = html_escape(query_of(batch));
  return "<p>Suspected copies for enforcement teams and partners: <a href=\"/admin/copies.csv" + q +
         "\">CSV</a>, <a href=\"/admin/copies.json" + q +
         "\">JSON</a>. Scans per day: <a href=\"/admin/chart.svg" + q +
         "\">SVG</a>. Counts: <a href=\"/admin/stats.json\">JSON</a>.</p>";
}

Answer overview(Ledger& ledger) {
  const LedgerStats total = ledger.stats();
  const std::vector<BatchStats> batches = ledger.batch_stats({}, kMaxBatches + 1);
  std::string body = counts_sentence(total.issued, total.scanned, total.seen_before, total.scans);
  body += fmt::format("<p>{} scans of codes not issued, forged or unsigned.</p>",
                      total.not_issued_scans);
  body += chart_svg(ledger.scans_per_day({}, kChartMaxDays), "Scans per day, every batch", false);
  body +=
      "<h2>Batches</h2><table><tr><th>Batch</th><th>Imported</th><th>Codes issued</th>"
      "<th>Scanned</th><th>Scanned more than once</th><th>Scans</th><th>Last scan</th></tr>";
  for (std::size_t i = 0; i < batches.size() && i < kMaxBatches; ++i) {
    const BatchStats& b = batches[i];
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n copy\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
        batch_link(b.batch), html_escape(b.issued_at), b.issued, b.scanned, b.seen_before, b.scans,
        html_escape(b.last_at.empty() ? "-" : b.last_at));
  }
  body += "</table>";
  if (batches.size() > kMaxBatches) {
    body += fmt::format("<p>The {} latest imported batches are shown.</p>", kMaxBatches);
  }
  body += exports_links({});
  return text_answer(200, "text/html; charset=utf-8",
                     admin_page("Scans of the brand's codes", body));
}

Answer batch_page(Ledger& ledger, const std::string& batch, std::span<const PublicKey> keys) {
  const std::vector<BatchStats> found = ledger.batch_stats(batch, 1);
  if (found.empty()) return error(404, "Not found: the ledger has no batch of that name", {});
  const BatchStats& b = found.front();
  std::string body = counts_sentence(b.issued, b.scanned, b.seen_before, b.scans);
  body += "<p>Imported " + html_escape(b.issued_at) + ". <a href=\"/admin\">All batches</a>.</p>";
  body += chart_svg(ledger.scans_per_day(batch, kChartMaxDays), "Scans per day", false);
  const std::vector<CopyRecord> copies = ledger.copies(batch, kPageCopies, kHistory);
  body += "<h2>Copies: serials scanned more than once</h2>";
  if (copies.empty()) body += "<p>None yet.</p>";
  if (b.seen_before > static_cast<std::int64_t>(copies.size())) {
    body += fmt::format("<p>The {} latest scanned of {} are shown; the exports hold more.</p>",
                        copies.size(), b.seen_before);
  }
  for (const CopyRecord& c : copies) {
    const std::string product = product_of(c, keys);
    body += "<h3>" + html_escape(c.serial) + "</h3><p>" + std::to_string(c.scans) + " scans";
    if (!product.empty()) body += ", product " + html_escape(product);
    body += "</p><table><tr><th>Time (UTC)</th><th>Place</th><th>Verdict</th></tr>";
    for (const CopyScan& s : c.history) {
      body +=
          "<tr><td>" + html_escape(s.at) + "</td><td>" +
          html_escape(s.where.empty() ? "unknown" : s.where) + "</td><td" +
          (s.count == 1 ? ">first scan"
                        : " class=\"copy\">seen before (scan " + std::to_string(s.count) + ")") +
          "</td></tr>";
    }
    body += "</table>";
    if (c.scans > static_cast<std::int64_t>(c.history.size())) {
      body +=
          fmt::format("<p>Its first and its {} latest scans are shown.</p>", c.history.size() - 1);
    }
  }
  body += exports_links(batch);
  return text_answer(200, "text/html; charset=utf-8", admin_page("Batch " + batch, body));
}

std::string copy_json(const CopyRecord& c, std::span<const PublicKey> keys) {
  std::string history;
  for (const CopyScan& s : c.history) {
    if (!history.empty()) history += ", ";
    history += fmt::format("{{\"at\": {}, \"place\": {}, \"verdict\": {}, \"count\": {}}}",
                           json_string(s.at), json_or_null(s.where),
                           json_string(scan_verdict(s.count)), s.count);
  }
  return fmt::format(
      "{{\"serial\": {}, \"batch\": {}, \"product\": {}, \"scans\": {}, \"first_at\": {}, "
      "\"first_where\": {}, \"last_at\": {}, \"last_where\": {}, \"history\": [{}]}}",
      json_string(c.serial), json_string(c.batch), json_or_null(product_of(c, keys)), c.scans,
      json_or_null(c.first_at), json_or_null(c.first_where), json_or_null(c.last_at),
      json_or_null(c.last_where), history);
}

Answer copies_export(Ledger& ledger, const AdminRequest& request, bool csv,
                     std::span<const PublicKey> keys) {
  const Format format = csv ? Format::html : Format::json;
  const std::optional<std::size_t> limit = export_limit(request);
  if (!limit) {
    return error(400, fmt::format("Bad request: limit must be a number from 1 to {}", kMaxExport),
                 format);
  }
  if (!request.batch.empty() && ledger.batch_stats(request.batch, 1).empty()) {
    return error(404, "Not found: the ledger has no batch of that name", format);
  }
  std::vector<CopyRecord> copies = ledger.copies(request.batch, *limit + 1, kHistory);
  const bool truncated = copies.size() > *limit;
  if (truncated) copies.pop_back();
  if (csv) {
    std::string body =
        "serial,batch,product,scans,first_at,first_where,last_at,last_where,at,place,verdict\r\n";
    for (const CopyRecord& c : copies) {
      const std::string head = csv_field(c.serial) + "," + csv_field(c.batch) + "," +
                               csv_field(product_of(c, keys)) + "," + std::to_string(c.scans) +
                               "," + csv_field(c.first_at) + "," + csv_field(c.first_where) + "," +
                               csv_field(c.last_at) + "," + csv_field(c.last_where) + ",";
      if (c.history.empty()) body += head + ",,\r\n";
      for (const CopyScan& s : c.history) {
        body += head + csv_field(s.at) + "," + csv_field(s.where) + "," +
                std::string(scan_verdict(s.count)) + "\r\n";
      }
    }
    Answer a = text_answer(200, "text/csv; charset=utf-8", std::move(body));
    a.headers.emplace_back("Content-Disposition", "attachment; filename=\"viscode-copies.csv\"");
    return a;
  }
  std::string body = fmt::format(
      "{{\"generated_at\": {}, \"batch\": {}, \"limit\": {}, \"truncated\": {}, \"copies\": [",
      json_string(utc_text(std::time(nullptr))), json_or_null(request.batch), *limit,
      truncated ? "true" : "false");
  for (std::size_t i = 0; i < copies.size(); ++i) {
    body += (i == 0 ? "\n" : ",\n") + copy_json(copies[i], keys);
  }
  body += copies.empty() ? "]}\n" : "\n]}\n";
  return text_answer(200, "application/json", std::move(body));
}

Answer stats_json(Ledger& ledger) {
  const LedgerStats t = ledger.stats();
  std::vector<BatchStats> batches = ledger.batch_stats({}, kMaxBatches + 1);
  const bool truncated = batches.size() > kMaxBatches;
  if (truncated) batches.pop_back();
  std::string body = fmt::format(
      "{{\"generated_at\": {}, \"issued\": {}, \"scanned\": {}, \"seen_before\": {}, "
      "\"scans\": {}, \"not_issued_scans\": {}, \"truncated\": {}, \"batches\": [",
      json_string(utc_text(std::time(nullptr))), t.issued, t.scanned, t.seen_before, t.scans,
      t.not_issued_scans, truncated ? "true" : "false");
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const BatchStats& b = batches[i];
    body += fmt::format(
        "{}{{\"batch\": {}, \"issued_at\": {}, \"issued\": {}, \"scanned\": {}, "
        "\"seen_before\": {}, \"scans\": {}, \"first_at\": {}, \"last_at\": {}}}",
        i == 0 ? "\n" : ",\n", json_string(b.batch), json_string(b.issued_at), b.issued, b.scanned,
        b.seen_before, b.scans, json_or_null(b.first_at), json_or_null(b.last_at));
  }
  body += batches.empty() ? "]}\n" : "\n]}\n";
  return text_answer(200, "application/json", std::move(body));
}

Answer chart(Ledger& ledger, const AdminRequest& request) {
  if (!request.batch.empty() && ledger.batch_stats(request.batch, 1).empty()) {
    return error(404, "Not found: the ledger has no batch of that name", Format::html);
  }
  const std::string title = request.batch.empty() ? "Scans per day, every batch"
                                                  : "Scans per day, batch " + request.batch;
  return text_answer(200, "image/svg+xml",
                     chart_svg(ledger.scans_per_day(request.batch, kChartMaxDays), title));
}

}  // namespace

std::string read_secret_file(const std::string& path, std::string_view what,
                             std::string_view flag) {
  const std::string example = "e.g. head -c 32 /dev/urandom | base64 > " + path;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    throw Error(ErrorCategory::input, std::string(flag) + " '" + path +
                                          "': " + std::strerror(errno) +
                                          ": give the file that holds the " + std::string(what));
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorCategory::input, std::string(flag) + " '" + path +
                                          "' is not a regular file: give the file that holds "
                                          "the " +
                                          std::string(what));
  }
  if ((st.st_mode & 0027) != 0) {
    throw Error(ErrorCategory::input,
                fmt::format("the {} file '{}' can be read or changed by other users (mode {:04o}): "
                            "run chmod 600 {} (or 640 for a group of its readers)",
                            what, path, st.st_mode & 07777, path));
  }
  // Capped: a secret is at most 4096 characters, so a bigger file is not one.
  const std::string named = std::string(what) + " file";
  std::string text =
      read_input_file(path, {.what = named,
                             .give = "give the file that holds the secret",
                             .max_bytes = 16 * 1024,
                             .shrink = "put a random secret of 16 to 4096 characters in it"});
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) {
    throw Error(ErrorCategory::input, "the " + std::string(what) + " file '" + path +
                                          "' is empty: put a random " + std::string(what) +
                                          " of 16 or more characters in it, " + example);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7f) {
      throw Error(ErrorCategory::input,
                  fmt::format("the {} in '{}' has a space, a control character or a non-ASCII "
                              "byte at byte {}: use visible ASCII characters only, {}",
                              what, path, i + 1, example));
    }
  }
  if (text.size() < 16 || text.size() > 4096) {
    throw Error(ErrorCategory::input,
                fmt::format("the {} in '{}' has {} characters: use 16 to 4096 random ones, {}",
                            what, path, text.size(), example));
  }
  return text;
}

AdminAuth::AdminAuth(std::string_view token) {
  if (sodium_init() < 0) throw Error(ErrorCategory::internal, "libsodium cannot start");
  crypto_hash_sha256(hash_.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
}

bool AdminAuth::check(const char* authorization) const {
  if (authorization == nullptr) return false;
  std::string_view header(authorization);
  const std::size_t space = header.find(' ');
  if (space == std::string_view::npos) return false;
  std::string scheme(header.substr(0, space));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view credentials = header.substr(space);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  std::string presented;
  if (scheme == "bearer") {
    presented = credentials;
  } else if (scheme == "basic") {
    std::string decoded(credentials.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          credentials.data(), credentials.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
      return false;
    }
    decoded.resize(length);
    const std::size_t colon = decoded.find(':');  // any user name; the token is the password
    if (colon == std::string::npos) return false;
    presented = decoded.substr(colon + 1);
  } else {
    return false;
  }
  std::array<unsigned char, 32> hash{};
  crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(presented.data()),
                     presented.size());
  sodium_memzero(presented.data(), presented.size());
  return sodium_memcmp(hash.data(), hash_.data(), hash.size()) == 0;
}

bool is_admin_path(std::string_view path) {
  return path == "/admin" || path.starts_with("/admin/");
}

std::string admin_route_name(std::string_view path) {
  if (path == "/admin" || path == "/admin/") return "/admin";
  if (path.starts_with("/admin/batch/") && path.size() > 13) return "/admin/batch/{batch}";
  for (const std::string_view route :
       {"/admin/copies.csv", "/admin/copies.json", "/admin/chart.svg", "/admin/stats.json"}) {
    if (path == route) return std::string(route);
  }
  return "/admin/other";
}

Answer admin_unauthorized(Format format) {
  Answer a = error(401, "Unauthorized: this address needs the admin token", format);
  a.headers.emplace_back("WWW-Authenticate", "Basic realm=\"viscode admin\"");
  return a;
}

Answer admin_method_not_allowed(Format format) {
  Answer a = error(405, "Method not allowed: open this address with GET", format);
  a.headers.emplace_back("Allow", "GET");
  return a;
}

Answer admin_answer(Ledger& ledger, const AdminRequest& request, std::span<const PublicKey> keys) {
  const std::string route = admin_route_name(request.path);
  if (route == "/admin") return overview(ledger);
  if (route == "/admin/batch/{batch}") return batch_page(ledger, request.path.substr(13), keys);
  if (route == "/admin/copies.csv") return copies_export(ledger, request, true, keys);
  if (route == "/admin/copies.json") return copies_export(ledger, request, false, keys);
  if (route == "/admin/chart.svg") return chart(ledger, request);
  if (route == "/admin/stats.json") return stats_json(ledger);
  return error(404, "Not found: no such page of the admin", Format::html);
}

std::string csv_field(std::string_view value) {
  const bool formula =
      !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
  const bool quote = formula || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) return std::string(value);
  std::string out = formula ? "\"'" : "\"";
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(c));
    }
  }
  return out;
}

std::string chart_svg(const std::vector<DayScans>& days, std::string_view title, bool standalone) {
  // Plot area inside the picture, in px: room on the left for the scale, above for the
  // title and the legend, below for the dates.
  constexpr double left = 56, right = 12, top = 36, bottom = 28;
  constexpr double plot_w = kChartWidth - left - right, plot_h = kChartHeight - top - bottom;
  std::string svg = standalone ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : "";
  svg += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">"
      "<title>{2}</title><rect width=\"{0}\" height=\"{1}\" fill=\"#fff\"/>"
      "<text x=\"{3}\" y=\"18\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">{2}</text>",
      kChartWidth, kChartHeight, html_escape(title), left);
  // Legend, top right.
  svg += fmt::format(
      "<rect x=\"{0}\" y=\"8\" width=\"10\" height=\"10\" fill=\"#1b7f3b\"/>"
      "<text x=\"{1}\" y=\"17\" fill=\"#222\">first scans</text>"
      "<rect x=\"{2}\" y=\"8\" width=\"10\" height=\"10\" fill=\"#b35c00\"/>"
      "<text x=\"{3}\" y=\"17\" fill=\"#222\">seen before</text>",
      kChartWidth - 190, kChartWidth - 176, kChartWidth - 96, kChartWidth - 82);

  // Consecutive days from the first to the last with scans, at most the last kChartMaxDays.
  std::vector<std::pair<std::chrono::sys_days, const DayScans*>> bars;
  std::optional<std::chrono::sys_days> first, last;
  for (const DayScans& d : days) {
    if (const auto day = parse_day(d.day)) {
      if (!first || *day < *first) first = day;
      if (!last || *day > *last) last = day;
    }
  }
  if (!first) {
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666\">No scans yet</text></svg>",
        left + plot_w / 2, top + plot_h / 2);
    return svg + (standalone ? "\n" : "");
  }
  const std::chrono::days span_limit(static_cast<int>(kChartMaxDays) - 1);
  if (*last - *first > span_limit) first = *last - span_limit;
  for (auto d = *first; d <= *last; d += std::chrono::days(1)) bars.emplace_back(d, nullptr);
  std::int64_t peak = 0;
  for (const DayScans& d : days) {
    const auto day = parse_day(d.day);
    if (!day || *day < *first) continue;
    bars[static_cast<std::size_t>((*day - *first).count())].second = &d;
    peak = std::max(peak, d.scans);
  }
  const std::int64_t scale = nice_ceiling(std::max<std::int64_t>(peak, 1));
  // Scale: 0, half and full, with grid lines.
  for (const std::int64_t v : {std::int64_t{0}, scale / 2, scale}) {
    if (v == scale / 2 && scale % 2 != 0) continue;
    const double y = top + plot_h - plot_h * static_cast<double>(v) / static_cast<double>(scale);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#444\">{5}</text>",
        left, y, left + plot_w, left - 6, y + 4, v);
  }
  const double slot = plot_w / static_cast<double>(bars.size());
  const double bar_w = std::clamp(slot * 0.8, 1.0, 40.0);  // a few days: bars, not blocks
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const DayScans* d = bars[i].second;
    if (d == nullptr || d->scans == 0) continue;
    const double x = left + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    const double h_all = plot_h * static_cast<double>(d->scans) / static_cast<double>(scale);
    const double h_copy = plot_h * static_cast<double>(d->seen_before) / static_cast<double>(scale);
    const std::string tip = fmt::format("{}: {} scans, {} seen before", day_text(bars[i].first),
                                        d->scans, d->seen_before);
    svg += fmt::format(
        "<g><title>{0}</title><rect x=\"{1:.1f}\" y=\"{2:.1f}\" width=\"{3:.1f}\" "
        "height=\"{4:.1f}\" fill=\"#1b7f3b\"/>",
        tip, x, top + plot_h - h_all, bar_w, h_all - h_copy);
    if (d->seen_before > 0) {
      svg += fmt::format(
          "<rect x=\"{0:.1f}\" y=\"{1:.1f}\" width=\"{2:.1f}\" height=\"{3:.1f}\" "
          "fill=\"#b35c00\"/>",
          x, top + plot_h - h_copy, bar_w, h_copy);
    }
    svg += "</g>";
  }
  // The first and the last day under the axis.
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#444\"/>"
      "<text x=\"{0}\" y=\"{3}\" fill=\"#444\">{4}</text>",
      left, top + plot_h, left + plot_w, top + plot_h + 18, day_text(*first));
  if (*last != *first) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444\">{}</text>",
                       left + plot_w, top + plot_h + 18, day_text(*last));
  }
  return svg + "</svg>" + (standalone ? "\n" : "");
}

}  // namespace viscode::detail
