// RFC 4180 fields, one record per line (serials and manifests never hold line breaks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace viscode::detail {

struct CsvLine {
  std::vector<std::string> fields;
  std::vector<bool> quoted;  // per field: it was written in quotes
  // A quoted field runs past the end of the line. RFC 4180 allows a line break inside
  // quotes, but a serial may not hold one (serial_problem() in text.hpp) and a manifest
  // never does, so readers refuse such a line with its number instead of reading on.
  bool open_quote = false;
};
CsvLine parse_csv_record(std::string_view line);
// The fields alone, for readers whose input has no quoted line breaks to report.
std::vector<std::string> parse_csv_line(std::string_view line);

// Quoted only when it must be: a comma, quote, leading/trailing space or CR in it.
void append_csv_field(std::string& out, std::string_view field);

// For a text field of a file people open in spreadsheets (manifest.csv): a field that a
// spreadsheet would evaluate as a formula, one that starts with = + - @ TAB or CR (OWASP's
// list), is written quoted with an apostrophe in front ("'=A1"), which spreadsheets show as
// text. So is a field that starts with an apostrophe before one of those or another
// apostrophe, so that csv_text_field() gives back exactly what was written.
void append_csv_text_field(std::string& out, std::string_view field);
// Field i of a line written by append_csv_text_field(), without the guarding apostrophe.
std::string csv_text_field(const CsvLine& line, std::size_t i);

}  // namespace viscode::detail
