// serve's GS1 Digital Link route: /[path/]01/{gtin}[/10/{lot}]/21/{serial}[?s={sig}]
// (docs/serve.md#gs1-digital-link). Kept apart from page.cpp and server.cpp, which call it.
#pragma once

#include <string>
#include <string_view>

#include "serve/page.hpp"

namespace viscode::detail {

// gs1 or gs1_lot for a path (without its query) with /01/ and a segment of digits and, after
// them, a /21/ segment: malformed ones included (a wrong check digit, a serial outside set
// 82), so that they get the scan's forged (or unsigned) answer rather than a 404. none
// otherwise: a path without /21/ is a product's address, not a code's.
RouteKind match_gs1_route(std::string_view path);
bool is_gs1_route(RouteKind kind);
// "/01/{gtin}/21/{serial}" or "/01/{gtin}/10/{lot}/21/{serial}" for the access log.
std::string gs1_route_name(RouteKind kind);

// What Ledger::scan gets for a GS1 request, from the request's URI as the client sent it
// (not unescaped: an encoded '/' in a serial must stay one): the path and s= parameter in the
// form batch wrote them into the payload (Gs1Link::canonical(), minus scheme and host), so
// that the ledger sees the same serial and text. Other query parameters are left out. A
// malformed link is passed as it came, and authenticate() finds it forged or unsigned.
std::string gs1_scan_path(std::string_view raw_uri);

}  // namespace viscode::detail
