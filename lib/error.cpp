#include "viscode/error.hpp"

namespace viscode {

int exit_code(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::usage:
      return 2;
    case ErrorCategory::input:
      return 3;
    case ErrorCategory::encode:
    case ErrorCategory::decode:
      return 4;
    case ErrorCategory::internal:
      break;
  }
  return 1;
}

}  // namespace viscode
