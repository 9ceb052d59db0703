// The ISO 8601 times `viscode ledger` accepts (--at, --before), apart from the ledger so
// that the parser is tested on its own (tests/unit/test_iso8601.cpp).
#include "ledger/iso8601.hpp"

#include <algorithm>

namespace viscode::detail {

std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view text,
                                                      std::string_view* why) {
  struct Bad {
    std::string_view part;
  };
  const auto bad = [](std::string_view what) { return Bad{what}; };
  try {
    std::size_t pos = 0;
    const auto number = [&](int digits, int lo, int hi, std::string_view what) {
      int v = 0;
      for (int k = 0; k < digits; ++k, ++pos) {
        if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') throw bad(what);
        v = v * 10 + (text[pos] - '0');
      }
      if (v < lo || v > hi) throw bad(what);
      return v;
    };
    const auto expect = [&](char c, std::string_view what) {
      if (pos >= text.size() || text[pos] != c) throw bad(what);
      ++pos;
    };
    const int year = number(4, 1970, 9999, "year");
    expect('-', "date as YYYY-MM-DD");
    const int month = number(2, 1, 12, "month");
    expect('-', "date as YYYY-MM-DD");
    const int day = number(2, 1, 31, "day");
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) throw bad("day");  // 31 April, 29 February of a common year
    int hour = 0, minute = 0, second = 0, offset_minutes = 0;
    if (pos < text.size()) {
      if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') throw bad("time after 'T'");
      ++pos;
      hour = number(2, 0, 23, "hour");
      expect(':', "time as HH:MM[:SS]");
      minute = number(2, 0, 59, "minute");
      if (pos < text.size() && text[pos] == ':') {
        ++pos;
        second = number(2, 0, 60, "second");
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
          ++pos;
          const std::size_t start = pos;
          while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
          if (pos == start) throw bad("fraction of a second");
        }
      }
      if (pos < text.size()) {
        const char z = text[pos];
        if (z == 'Z' || z == 'z') {
          ++pos;
        } else if (z == '+' || z == '-') {
          ++pos;
          const int oh = number(2, 0, 23, "UTC offset");
          if (pos < text.size() && text[pos] == ':') ++pos;
          const int om = number(2, 0, 59, "UTC offset");
          offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
        } else {
          throw bad("time zone as Z or +HH:MM");
        }
      }
    }
    if (pos != text.size()) throw bad("unexpected text at the end");
    // A leap second (:60) is stored as :59.
    const std::chrono::sys_seconds t = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                                       std::chrono::minutes(minute - offset_minutes) +
                                       std::chrono::seconds(std::min(second, 59));
    if (t < std::chrono::sys_seconds{}) throw bad("before 1970");
    return t;
  } catch (const Bad& b) {
    if (why != nullptr) *why = b.part;
    return std::nullopt;
  }
}

}  // namespace viscode::detail
