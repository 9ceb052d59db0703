// What the library's own batch writer needs from a prepared Design beyond its public API.
#pragma once

#include "render/compose.hpp"
#include "viscode/design.hpp"

namespace viscode::detail {

struct DesignAccess {
  // The composition of a code, with the Design's cached analysis of the logo.
  static Plan plan(const Design& design, const Symbol& symbol);
};

}  // namespace viscode::detail
