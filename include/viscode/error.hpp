// viscode/error.hpp — the one exception type the library throws.
#pragma once

#include <stdexcept>
#include <string>

namespace viscode {

// What went wrong, coarse enough for a program to act on (the viscode CLI maps each to an
// exit code, in cli/exit_codes.hpp).
enum class ErrorCategory {
  usage,     // an option or argument is invalid (bad colour, bad size, unknown format)
  input,     // an input file is missing, unreadable, empty or corrupt
  encode,    // the payload cannot be encoded (too large for the allowed versions)
  decode,    // no code could be read
  internal,  // a bug or an environment failure (out of memory, disk full)
};

// Thrown by every viscode function. what() is a one-line, human message that names the
// problem and, where there is one, the fix.
class Error : public std::runtime_error {
 public:
  Error(ErrorCategory category, const std::string& message)
      : std::runtime_error(message), category_(category) {}
  ErrorCategory category() const noexcept { return category_; }

 private:
  ErrorCategory category_;
};

}  // namespace viscode
