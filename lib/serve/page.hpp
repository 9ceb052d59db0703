// What the verification service answers: routes, the verdict in words as HTML or JSON, and
// the small error pages. No sockets here, so that it reads (and could be tested) alone.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/catalogue.hpp"
#include "viscode/ledger.hpp"

namespace viscode::detail {

enum class RouteKind { none, healthz, code, product_code, gs1, gs1_lot };  // gs1: gs1_route.hpp

struct Route {
  RouteKind kind = RouteKind::none;
};

// The route of a request path (without its query): "/healthz", or prefix followed by
// [{product}/]{serial}.{sig} in the signed layout (product 1..20 and serial 4..40 characters
// of 0-9 A-Z, signature 103 of A-Z 2-7), nothing after it. Anything else is none (404).
Route match_route(std::string_view path, std::string_view prefix);
// The route as the access log names it: "/healthz", "/a/{serial}.{sig}", ..., "other".
std::string route_name(RouteKind kind, std::string_view prefix);

enum class Format { html, json };
// JSON when the Accept header names application/json, HTML otherwise (a browser).
Format wanted_format(const char* accept);

// The verdict as the service reports it: the library's (scan_outcome(), named by
// enum_name()), so that its ids are those of `ledger scan --json`.
using Verdict = ScanOutcome;

struct Answer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the common ones
};

// The verdict page and JSON are the shopper's side: shopper_verdict_answer (shopper.hpp).
Answer healthz_answer();
// 404, 405, 413, 429, 500, 503 with a one-line reason, as a small page or {"error": ...}, in
// `lang` (the reasons are in the catalogue, catalogue.cpp).
Answer error_answer(int status, Format format, Lang lang = Lang::en);

std::string json_string(std::string_view s);
// The JSON string, or null for an empty value.
std::string json_or_null(std::string_view s);
// Now, UTC, to the millisecond ("2026-12-04T20:29:07.026Z"): the time of log lines.
std::string log_time_now();
std::string html_escape(std::string_view s);

}  // namespace viscode::detail
