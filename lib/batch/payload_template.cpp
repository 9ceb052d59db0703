// Payload templates: "https://v.brand.example/a/{serial}".
#include "viscode/batch.hpp"
#include "viscode/error.hpp"

namespace viscode {

PayloadTemplate::PayloadTemplate(std::string_view text) : text_(text) {
  // The manifest holds one row per line; a payload is a URL or a serial, never a document.
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    throw Error(ErrorCategory::usage,
                "--template has a line break: give the payload on one line (a URL with "
                "{serial})");
  }
  std::string literal;
  int serials = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      throw Error(ErrorCategory::usage, "--template '" + text_ + "' has a lone '}' at " +
                                            std::to_string(i + 1) + ": write }} for a brace");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const std::size_t end = text.find('}', i);
    const std::string name(text.substr(i, end == std::string_view::npos ? end : end - i + 1));
    if (name != "{serial}") {
      throw Error(ErrorCategory::usage, "--template '" + text_ + "' has the unknown placeholder '" +
                                            name + "': use {serial} (and {{ or }} for braces)");
    }
    parts_.push_back(std::move(literal));
    literal.clear();
    ++serials;
    i = end;
  }
  parts_.push_back(std::move(literal));
  if (serials == 0) {
    throw Error(ErrorCategory::usage, "--template '" + text_ +
                                          "' has no {serial}: every code would carry the same "
                                          "payload; put {serial} where the serial goes");
  }
}

std::string PayloadTemplate::apply(std::string_view serial) const {
  std::string out = parts_.front();
  for (std::size_t i = 1; i < parts_.size(); ++i) {
    out += serial;
    out += parts_[i];
  }
  return out;
}

}  // namespace viscode
