// RFC 4180 fields, one record per line (serials and manifests never hold line breaks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace viscode::detail {

std::vector<std::string> parse_csv_line(std::string_view line);
// Quoted only when it must be: a comma, quote, leading/trailing space or CR in it.
void append_csv_field(std::string& out, std::string_view field);

}  // namespace viscode::detail
