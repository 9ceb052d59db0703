// The library names an option by its field ("RenderOptions.strength") or, for a function's
// argument, by the call ("Ledger::open(url)"); a CLI user knows the flag ("--strength").
// This table is the one place the two meet.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace viscode::cli {

struct OptionFlag {
  std::string_view token;  // as the library's messages spell it
  std::string_view flag;   // the CLI's flag; empty: no flag, the token is shown as it is
};

// Every token the library's messages use (tests/unit/test_option_flags.cpp checks that).
std::span<const OptionFlag> option_flags();

// The library's message with each token replaced by its flag, the longest token first, so
// that "Options.size_mm" is never read as "Options.size" followed by "_mm".
std::string with_flags(std::string_view message);

}  // namespace viscode::cli
