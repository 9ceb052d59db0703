#include "serve/gs1_route.hpp"

#include "viscode/gs1.hpp"

namespace viscode::detail {

RouteKind match_gs1_route(std::string_view path) {
  if (!looks_like_gs1_link(path)) return RouteKind::none;
  // The segments after "/01/<digits>": the lot is the next pair when it starts with 10.
  const std::size_t at = path.find("/21/");
  if (at == std::string_view::npos && !path.ends_with("/21")) return RouteKind::none;
  std::size_t gtin = path.find("/01/");
  while (gtin != std::string_view::npos) {
    std::size_t stop = path.find('/', gtin + 4);
    if (stop == std::string_view::npos) return RouteKind::none;  // /01/{gtin} and nothing
    const std::string_view digits = path.substr(gtin + 4, stop - gtin - 4);
    bool all = !digits.empty();
    for (const char c : digits) all = all && c >= '0' && c <= '9';
    if (all) {
      if (path.find("/21", stop) == std::string_view::npos) return RouteKind::none;
      return path.substr(stop).starts_with("/10/") ? RouteKind::gs1_lot : RouteKind::gs1;
    }
    gtin = path.find("/01/", gtin + 1);
  }
  return RouteKind::none;
}

bool is_gs1_route(RouteKind kind) {
  return kind == RouteKind::gs1 || kind == RouteKind::gs1_lot;
}

std::string gs1_route_name(RouteKind kind) {
  return kind == RouteKind::gs1_lot ? "/01/{gtin}/10/{lot}/21/{serial}" : "/01/{gtin}/21/{serial}";
}

std::string gs1_scan_path(std::string_view raw_uri) {
  raw_uri = raw_uri.substr(0, raw_uri.find('#'));
  if (const auto link = parse_gs1_link(raw_uri)) return link->canonical();
  return std::string(raw_uri);
}

}  // namespace viscode::detail
