// ISO 8601 times as the ledger takes them: YYYY-MM-DD, optionally followed by T (or t, or
// a space) HH:MM[:SS[.fraction]] and Z or +HH:MM / +HHMM / -HH:MM; no zone means UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace viscode::detail {

// The time, to the second (a fraction is dropped, a leap second :60 counts as :59), from
// 1970 on; nullopt for anything else, with *why (when given) naming the part that is wrong:
// "year", "month", "day", "hour", "minute", "second", "fraction of a second", "UTC offset",
// "date as YYYY-MM-DD", "time as HH:MM[:SS]", "time after 'T'", "time zone as Z or +HH:MM",
// "unexpected text at the end" or "before 1970".
std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view text,
                                                      std::string_view* why = nullptr);

}  // namespace viscode::detail
