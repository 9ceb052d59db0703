#include "csv.hpp"

namespace viscode::detail {
namespace {

bool formula_start(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool needs_guard(std::string_view f) {
  return !f.empty() && (formula_start(f.front()) || (f.front() == '\'' && f.size() > 1 &&
                                                     (formula_start(f[1]) || f[1] == '\'')));
}

void append_quoted(std::string& out, std::string_view field, bool guard = false) {
  out += '"';
  if (guard) out += '\'';
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

CsvLine parse_csv_record(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  CsvLine out;
  out.fields.emplace_back();
  out.quoted.push_back(false);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        out.fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        out.fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
      out.quoted.back() = true;
    } else if (c == ',') {
      out.fields.emplace_back();
      out.quoted.push_back(false);
    } else {
      out.fields.back() += c;
    }
  }
  out.open_quote = quoted;
  return out;
}

std::vector<std::string> parse_csv_line(std::string_view line) {
  return parse_csv_record(line).fields;
}

void append_csv_field(std::string& out, std::string_view field) {
  const bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out += field;
    return;
  }
  append_quoted(out, field);
}

void append_csv_text_field(std::string& out, std::string_view field) {
  if (!needs_guard(field)) {
    append_csv_field(out, field);
    return;
  }
  append_quoted(out, field, true);
}

std::string csv_text_field(const CsvLine& line, std::size_t i) {
  const std::string& f = line.fields[i];
  // Only a quoted field can carry the guard: manifests written before it existed read as
  // they were, unless a quoted field of theirs started with one of these pairs.
  if (line.quoted[i] && f.size() > 1 && f.front() == '\'' &&
      (formula_start(f[1]) || f[1] == '\'')) {
    return f.substr(1);
  }
  return f;
}

}  // namespace viscode::detail
