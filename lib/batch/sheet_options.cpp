// Press sheet sizes.
#include <cctype>
#include <cmath>

#include "viscode/batch.hpp"
#include "viscode/error.hpp"

namespace viscode {

SheetOptions parse_sheet(std::string_view text) {
  std::string s;
  for (const char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  SheetOptions o;
  if (s == "a4") return o;
  if (s == "a3") {
    o.width_mm = 297;
    o.height_mm = 420;
    return o;
  }
  if (s == "letter") {
    o.width_mm = 215.9;
    o.height_mm = 279.4;
    return o;
  }
  const auto bad = [&] {
    return Error(ErrorCategory::usage, "parse_sheet(text) '" + std::string(text) +
                                           "' is not a sheet: use A4, A3, Letter or WxH with a "
                                           "unit, e.g. 320x450mm");
  };
  const std::size_t x = s.find('x');
  if (x == std::string::npos) throw bad();
  std::string unit;
  std::string height = s.substr(x + 1);
  while (!height.empty() && std::isalpha(static_cast<unsigned char>(height.back()))) {
    unit.insert(unit.begin(), height.back());
    height.pop_back();
  }
  if (unit.empty()) unit = "mm";
  try {
    o.width_mm = parse_length_mm(s.substr(0, x) + unit);
    o.height_mm = parse_length_mm(height + unit);
  } catch (const Error&) {
    throw bad();
  }
  if (o.width_mm < 20 || o.height_mm < 20 || o.width_mm > 2000 || o.height_mm > 2000) {
    throw Error(ErrorCategory::usage, "parse_sheet(text) '" + std::string(text) +
                                          "' is out of range: each side 20mm to 2000mm");
  }
  return o;
}

}  // namespace viscode
