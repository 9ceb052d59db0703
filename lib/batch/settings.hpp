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
// Options by their names ("fit cover area symbol"); numbers only where they are numbers.
std::string settings_text(const Design& design, const BatchOptions& o, std::size_t total);
// The settings file's text; empty when it cannot be read.
std::string read_settings(const std::filesystem::path& file);
// Empty when `recorded` (a run's settings file) is this run's settings_text(), or the text
// runs wrote before --fit and --logo-area had names ("fit 0 area 0"): those runs resume.
// Otherwise the first line that differs, for the refusal message: "'...' then, '...' now".
std::string settings_difference(const std::string& recorded, const Design& design,
                                const BatchOptions& o, std::size_t total);

}  // namespace viscode::detail
