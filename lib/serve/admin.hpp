// The brand's view (/admin, docs/serve.md): the token check, the routes, and what they
// answer (HTML pages, CSV and JSON exports of the copies, an SVG chart of scans per day).
// No sockets here: server.cpp checks the token on its I/O thread and hands an authorised
// request to a ledger worker, which calls admin_answer().
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "serve/page.hpp"
#include "viscode/ledger.hpp"
#include "viscode/sign.hpp"

namespace viscode::detail {

// A secret kept in a file (the admin token, the webhook secret): the file's text without
// its trailing newline, 16..4096 visible ASCII characters, in a file that other users
// cannot read or write and its group cannot write. `what` names it in messages ("admin
// token"), `flag` is the option that gave the file. Error(input) naming the file and the fix.
std::string read_secret_file(const std::string& path, std::string_view what, std::string_view flag);

// Checks an Authorization header against the admin token: "Bearer TOKEN", or "Basic" with
// any user name and the token as password (what a browser sends). Keeps only a hash of the
// token and compares hashes in constant time, so neither the token's bytes nor its length
// show in the time a check takes.
class AdminAuth {
 public:
  explicit AdminAuth(std::string_view token);
  bool check(const char* authorization) const;  // nullptr: no header, refused

 private:
  std::array<unsigned char, 32> hash_{};
};

// Admin requests waiting for a worker; one more is answered 503 with Retry-After. They run
// one at a time (server.cpp), so more waiting would only wait longer.
inline constexpr std::size_t kMaxAdminQueued = 16;

// "/admin" and every path under "/admin/": checked against the token, whatever follows.
bool is_admin_path(std::string_view path);
// The route as the access log names it: "/admin", "/admin/batch/{batch}", "/admin/copies.csv",
// "/admin/copies.json", "/admin/chart.svg", "/admin/stats.json", or "/admin/other".
std::string admin_route_name(std::string_view path);

struct AdminRequest {
  std::string path;   // percent-decoded, without the query
  std::string batch;  // ?batch=, decoded; empty: every batch
  std::string limit;  // ?limit= as sent; empty when absent
  bool has_limit = false;
};

// 401 with WWW-Authenticate: Basic realm="viscode admin".
Answer admin_unauthorized(Format format);
// 405 with Allow: GET.
Answer admin_method_not_allowed(Format format);
// The answer of an authorised GET (200, or 400/404 with a one-line reason). keys: the
// brand's, to read the signed product id of a copy from its scans.
Answer admin_answer(Ledger& ledger, const AdminRequest& request, std::span<const PublicKey> keys);

// Exposed for the tests.
// A CSV field (RFC 4180) that a spreadsheet shows as text: quoted when it holds a comma, a
// quote, CR or LF, and prefixed with ' (then quoted) when it starts with = + - @, a tab or
// CR, which a spreadsheet would take for a formula.
std::string csv_field(std::string_view value);
// Scans per day as a standalone SVG bar chart (kChartWidth x kChartHeight px), or the <svg>
// element alone for inlining in a page (standalone = false).
inline constexpr int kChartWidth = 720, kChartHeight = 240;
inline constexpr std::size_t kChartMaxDays = 366;
std::string chart_svg(const std::vector<DayScans>& days, std::string_view title,
                      bool standalone = true);
// Every byte but A-Z a-z 0-9 - . _ ~ as %XX: a batch name in a link's path or query.
std::string percent_encode(std::string_view s);

}  // namespace viscode::detail
