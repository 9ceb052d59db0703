// The ledger's ISO 8601 parser on its own (lib/ledger/iso8601.cpp): the forms it takes, the
// instant each one is, and the part it names when it refuses one.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "ledger/iso8601.hpp"

using viscode::detail::parse_iso8601;

namespace {

// Seconds since 1970 of a parsed time, or -1 when refused.
long long seconds(std::string_view text) {
  const auto t = parse_iso8601(text);
  return t ? static_cast<long long>(t->time_since_epoch().count()) : -1;
}

std::string refused_for(std::string_view text) {
  std::string_view why = "(accepted)";
  if (parse_iso8601(text, &why)) return "(accepted)";
  return std::string(why);
}

}  // namespace

TEST_CASE("iso8601: dates, times and zones", "[iso8601]") {
  CHECK(seconds("1970-01-01") == 0);
  CHECK(seconds("2026-11-23") == 1795392000);
  CHECK(seconds("2026-11-23T14:05") == 1795392000 + 14 * 3600 + 5 * 60);
  CHECK(seconds("2026-11-23t14:05:07") == 1795392000 + 14 * 3600 + 5 * 60 + 7);
  CHECK(seconds("2026-11-23 14:05:07.250Z") == 1795392000 + 14 * 3600 + 5 * 60 + 7);
  CHECK(seconds("2026-11-23T14:05:07,9z") == 1795392000 + 14 * 3600 + 5 * 60 + 7);
  CHECK(seconds("2026-11-23T15:05+01:00") == 1795392000 + 14 * 3600 + 5 * 60);
  CHECK(seconds("2026-11-23T09:05-0500") == 1795392000 + 14 * 3600 + 5 * 60);
  CHECK(seconds("2026-11-23T23:59:60Z") == 1795392000 + 86400 - 1);  // leap second as :59
  CHECK(seconds("2024-02-29") == 1709164800);
  CHECK(seconds("2027-01-01T00:30+01:00") == 1798759800);  // the day before, in UTC
}

TEST_CASE("iso8601: the part a refused time gets wrong", "[iso8601]") {
  CHECK(refused_for("") == "year");
  CHECK(refused_for("1969-12-31") == "year");
  CHECK(refused_for("26-11-23") == "year");
  CHECK(refused_for("2026/11/23") == "date as YYYY-MM-DD");
  CHECK(refused_for("2026-13-01") == "month");
  CHECK(refused_for("2026-11-32") == "day");
  CHECK(refused_for("2025-02-29") == "day");
  CHECK(refused_for("2026-04-31") == "day");
  CHECK(refused_for("2026-11-23X10:00") == "time after 'T'");
  CHECK(refused_for("2026-11-23T24:00") == "hour");
  CHECK(refused_for("2026-11-23T10-00") == "time as HH:MM[:SS]");
  CHECK(refused_for("2026-11-23T10:60") == "minute");
  CHECK(refused_for("2026-11-23T10:00:61") == "second");
  CHECK(refused_for("2026-11-23T10:00:00.Z") == "fraction of a second");
  CHECK(refused_for("2026-11-23T10:00+24:00") == "UTC offset");
  CHECK(refused_for("2026-11-23T10:00 CET") == "time zone as Z or +HH:MM");
  CHECK(refused_for("2026-11-23T10:00Zjunk") == "unexpected text at the end");
  CHECK(refused_for("2026-11-23junk") == "time after 'T'");
  CHECK(refused_for("1970-01-01T00:30+01:00") == "before 1970");
}
