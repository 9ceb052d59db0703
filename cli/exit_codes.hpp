// The CLI's exit codes, the one place they are defined (docs/cli.md lists them). The
// library reports an ErrorCategory; what a process exits with is the CLI's business.
#pragma once

#include "viscode/error.hpp"

namespace viscode::cli {

enum ExitCode : int {
  kOk = 0,
  kInternal = 1,            // a bug or the environment (out of memory, disk full)
  kUsage = 2,               // a bad option or argument
  kInput = 3,               // an input file missing, unreadable or corrupt
  kCannotCode = 4,          // the payload cannot be encoded, or no code was read
  kVerificationFailed = 5,  // verify, batch --check or --check-scan found a problem
  kNotAuthentic = 6,        // authenticate or ledger scan: not genuine, or seen before
};

inline int exit_code(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::usage:
      return kUsage;
    case ErrorCategory::input:
      return kInput;
    case ErrorCategory::encode:
    case ErrorCategory::decode:
      return kCannotCode;
    case ErrorCategory::internal:
      return kInternal;
  }
  return kInternal;
}

}  // namespace viscode::cli
