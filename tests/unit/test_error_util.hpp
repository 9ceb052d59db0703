// Checking viscode::Error: the category and the exact message a user would see.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "viscode/error.hpp"

namespace viscode::test {

// The message of the viscode::Error f throws, having checked its category; fails the test
// when f throws nothing.
inline std::string message_of(const std::function<void()>& f, ErrorCategory expected) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.category() == expected);
    return e.what();
  }
  FAIL("no viscode::Error thrown");
  return {};
}

}  // namespace viscode::test
