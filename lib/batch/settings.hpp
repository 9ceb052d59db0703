// batch-settings.txt: what a run was started with, so that --resume continues only the
// same run (docs/batch.md, "What a run writes").
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "viscode/batch.hpp"
#include "viscode/design.hpp"

namespace viscode::detail {

// Everything that decides a code's bytes or its place: a resumed run must match it.
std::string settings_text(const Design& design, const BatchOptions& o, std::size_t total);
// The settings file's text; empty when it cannot be read.
std::string read_settings(const std::filesystem::path& file);
// The first line on which two settings texts differ, for the refusal message.
std::string first_difference(const std::string& a, const std::string& b);

}  // namespace viscode::detail
