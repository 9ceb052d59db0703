#include "svg_limits.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "file_input.hpp"
#include "image_signature.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

bool starts_with_nocase(std::string_view s, std::size_t at, std::string_view word) {
  if (s.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != word[i]) return false;
  }
  return true;
}

// The text with XML character references (&#100; &#x64;) replaced by their ASCII
// characters, as libxml2 hands attribute values to librsvg: "&#100;ata:" is a data: URI.
std::string decode_char_refs(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&' && i + 2 < s.size() && s[i + 1] == '#') {
      const bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
      std::size_t j = i + (hex ? 3 : 2);
      std::uint32_t v = 0;
      std::size_t digits = 0;
      while (j < s.size() && digits < 8 &&
             (hex ? std::isxdigit(static_cast<unsigned char>(s[j]))
                  : std::isdigit(static_cast<unsigned char>(s[j])))) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[j])));
        v = v * (hex ? 16 : 10) + static_cast<std::uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
        ++j;
        ++digits;
      }
      if (digits > 0 && j < s.size() && s[j] == ';' && v > 0 && v < 128) {
        out += static_cast<char>(v);
        i = j;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// A data: URI's bytes, from the character after "data:"; stops at the first character
// that cannot be part of it (a quote or a closing parenthesis).
std::optional<std::vector<std::uint8_t>> data_uri_bytes(std::string_view s, std::size_t at) {
  const std::size_t comma = s.find(',', at);
  if (comma == std::string_view::npos || comma - at > 256) return std::nullopt;
  const std::string_view type = s.substr(at, comma - at);
  std::vector<std::uint8_t> out;
  if (type.size() >= 7 && starts_with_nocase(type, type.size() - 7, ";base64")) {
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = comma + 1; i < s.size(); ++i) {
      const char c = s[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\\') continue;
      if (c == '=') continue;
      const int v = base64_value(c);
      if (v < 0) break;
      acc = (acc << 6) | static_cast<std::uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<std::uint8_t>(acc >> bits));
      }
    }
    return out;
  }
  for (std::size_t i = comma + 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"' || c == '\'' || c == ')') break;
    if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(
          static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(static_cast<std::uint8_t>(c));
    }
  }
  return out;
}

// The text with references to the declared internal entities replaced by their values, as
// libxml2 expands them for librsvg: "&d;&rest;" can spell a data: URI no declaration holds.
// Values hold no markup and no references (check_svg_limits refuses those), so one pass
// is the whole expansion; it may grow the text to at most twice the file limit.
template <typename Refuse>
std::string expand_entities(const std::string& text,
                            const std::map<std::string, std::string, std::less<>>& entities,
                            const Refuse& refuse) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const std::size_t semicolon = text.find(';', i + 1);
      if (semicolon != std::string::npos && semicolon - i <= 256) {
        const auto it = entities.find(std::string_view(text).substr(i + 1, semicolon - i - 1));
        if (it != entities.end()) {
          out += it->second;
          i = semicolon;
          if (out.size() > 2 * kMaxSvgFileBytes) {
            refuse("expands its entities to over " + byte_size_text(2 * kMaxSvgFileBytes));
          }
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

void check_svg_limits(std::string_view svg, const std::string& named, std::string_view fix) {
  const auto refuse = [&](const std::string& why) {
    throw Error(ErrorCategory::input, named + " " + why + ": " + std::string(fix));
  };
  if (svg.size() > kMaxSvgFileBytes) {
    refuse("is " + std::to_string(svg.size()) + " bytes, over the " +
           byte_size_text(kMaxSvgFileBytes) + " limit for SVG files");
  }
  std::string text = decode_char_refs(svg);
  std::map<std::string, std::string, std::less<>> entities;
  std::size_t elements = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '<') continue;
    const unsigned char next = static_cast<unsigned char>(text[i + 1]);
    if (std::isalpha(next) || next == '_' || next == ':') {
      if (++elements > kMaxSvgElements) {
        refuse("has over " + std::to_string(kMaxSvgElements) +
               " elements, the limit for SVG files");
      }
    } else if (next == '!' && starts_with_nocase(text, i + 2, "entity")) {
      // Entities that expand to markup or to other entities multiply elements past any
      // count of the text; plain ones (Illustrator names its namespaces so) are harmless.
      const std::size_t end = text.find('>', i);
      const std::string_view decl =
          std::string_view(text).substr(i, end == std::string::npos ? std::string::npos : end - i);
      const std::size_t quote = decl.find_first_of("\"'");
      const bool external = decl.find("SYSTEM") != std::string_view::npos ||
                            decl.find("PUBLIC") != std::string_view::npos;
      const bool parameter =
          decl.size() > 8 &&
          decl.substr(8).find_first_not_of(" \t\r\n") != std::string_view::npos &&
          decl[decl.find_first_not_of(" \t\r\n", 8)] == '%';
      if (external || parameter || quote == std::string_view::npos ||
          decl.find_first_of("<&%", quote) != std::string_view::npos) {
        refuse("declares an entity that expands to markup, another entity or a file");
      }
      const std::size_t name_at = decl.find_first_not_of(" \t\r\n", 8);
      const std::size_t name_end = decl.find_first_of(" \t\r\n\"'", name_at);
      const std::size_t close = decl.find(decl[quote], quote + 1);
      if (name_end != std::string_view::npos && close != std::string_view::npos) {
        entities.emplace(decl.substr(name_at, name_end - name_at),
                         decl.substr(quote + 1, close - quote - 1));
      }
    }
  }
  if (!entities.empty()) text = expand_entities(text, entities, refuse);
  // Numbers inside tags, data: URIs skipped (base64 has runs of digits).
  bool in_tag = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') in_tag = true;
    if (c == '>') in_tag = false;
    if (!in_tag) continue;
    if ((c == 'd' || c == 'D') && starts_with_nocase(text, i, "data:")) {
      const std::size_t end = text.find_first_of("\"')", i);
      if (end == std::string::npos) break;
      i = end;
      continue;
    }
    const bool starts_number =
        std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])));
    if (!starts_number) continue;
    const char before = i > 0 ? text[i - 1] : ' ';
    if (std::isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '#' ||
        before == '.') {
      continue;  // part of a name, an id or a colour
    }
    const std::string token = text.substr(i, 40);
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    const std::size_t length = static_cast<std::size_t>(end - token.c_str());
    if (!(std::abs(v) < kMaxSvgNumber)) {
      refuse("has the number " + token.substr(0, std::min<std::size_t>(length, 24)) +
             " in a tag; coordinates and sizes may be at most 100000000");
    }
    i += length > 0 ? length - 1 : 0;
  }
  // URI schemes are case-insensitive: librsvg reads "DATA:" too.
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double embedded = 0;
  for (std::size_t at = lower.find("ata:"); at != std::string::npos;
       at = lower.find("ata:", at + 4)) {
    if (at == 0 || lower[at - 1] != 'd') continue;
    // A URI starts a quoted attribute value or a CSS url(): "metadata:" in prose does not.
    std::size_t before = at - 1;
    while (before > 0 && std::isspace(static_cast<unsigned char>(text[before - 1]))) --before;
    if (before == 0) continue;
    const char opener = text[before - 1];
    if (opener != '"' && opener != '\'' && opener != '(' && opener != '=') continue;
    const std::optional<std::vector<std::uint8_t>> bytes = data_uri_bytes(text, at + 4);
    if (!bytes) refuse("has a data: URI without its comma");
    std::size_t first = 0;
    while (first < bytes->size() && std::isspace((*bytes)[first])) ++first;
    if (first < bytes->size() && (*bytes)[first] == '<') {
      refuse("embeds an SVG or XML document in a data: URI (librsvg would draw it unchecked)");
    }
    const std::optional<ImageHeader> header = read_image_header(*bytes);
    if (!header) {
      refuse(
          "embeds data in a data: URI that is not a PNG, JPEG, WebP, BMP, TIFF or PNM image "
          "whose size can be read");
    }
    embedded += header->width * header->height;
    if (embedded > kMaxSvgEmbeddedPixels) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "embeds a %.0fx%.0f image; images embedded in an SVG may have %.0f "
                    "megapixels in all",
                    header->width, header->height, kMaxSvgEmbeddedPixels / 1e6);
      refuse(buf);
    }
  }
}

}  // namespace viscode::detail
