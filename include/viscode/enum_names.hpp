// viscode/enum_names.hpp — the library's enumerations to their names and back: the names
// the CLI accepts, reports print and the batch settings file stores. One table per
// enumeration; a name is looked up one way, an unknown name is refused one way (nullopt),
// and each caller words its own one-line message. Names never change: files store them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "viscode/capture.hpp"
#include "viscode/encode.hpp"
#include "viscode/ledger.hpp"
#include "viscode/render.hpp"
#include "viscode/sign.hpp"
#include "viscode/verify.hpp"

namespace viscode {

// Specialised per enumeration with `table`: every enumerator once, in declaration order,
// with its name. A name is what users type and files store, so a name never changes.
template <typename E>
struct EnumNames;

// Tables list the enumerators in declaration order (0, 1, 2, ...), so that a missing one
// shows as a gap; tests/unit/test_enum_names.cpp checks that none is missing at the end.
namespace detail {
template <typename E>
constexpr bool in_declaration_order() {
  const auto& t = EnumNames<E>::table;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (static_cast<std::size_t>(t[i].first) != i) return false;
  }
  return true;
}
}  // namespace detail

// The enumerator's name; "?" for a value outside the enumeration (a cast from a number),
// which no name parses back to.
template <typename E>
constexpr std::string_view enum_name(E value) {
  static_assert(detail::in_declaration_order<E>());
  for (const auto& [e, n] : EnumNames<E>::table) {
    if (e == value) return n;
  }
  return "?";
}

// The enumerator of that exact name (case matters), or nullopt.
template <typename E>
constexpr std::optional<E> parse_enum(std::string_view text) {
  static_assert(detail::in_declaration_order<E>());
  for (const auto& [e, n] : EnumNames<E>::table) {
    if (n == text) return e;
  }
  return std::nullopt;
}

// Every enumerator, in declaration order.
template <typename E>
constexpr auto enum_values() {
  std::array<E, EnumNames<E>::table.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = EnumNames<E>::table[i].first;
  return out;
}

// Every name, in declaration order: the choices a command line flag accepts.
template <typename E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const auto& [e, n] : EnumNames<E>::table) out.emplace_back(n);
  return out;
}

// "a, b or c" (last = " or "), for messages that list the accepted names.
template <typename E>
std::string enum_name_list(std::string_view last = " or ") {
  const auto& t = EnumNames<E>::table;
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i > 0) out += i + 1 == t.size() ? last : std::string_view(", ");
    out += t[i].second;
  }
  return out;
}

template <>
struct EnumNames<EcLevel> {
  static constexpr std::array<std::pair<EcLevel, std::string_view>, 4> table{{
      {EcLevel::L, "L"},
      {EcLevel::M, "M"},
      {EcLevel::Q, "Q"},
      {EcLevel::H, "H"},
  }};
};

template <>
struct EnumNames<ModuleRole> {
  static constexpr std::array<std::pair<ModuleRole, std::string_view>, 8> table{{
      {ModuleRole::finder, "finder"},
      {ModuleRole::separator, "separator"},
      {ModuleRole::timing, "timing"},
      {ModuleRole::alignment, "alignment"},
      {ModuleRole::format, "format"},
      {ModuleRole::version, "version"},
      {ModuleRole::data, "data"},
      {ModuleRole::ec, "ec"},
  }};
};

template <>
struct EnumNames<Style> {
  static constexpr std::array<std::pair<Style, std::string_view>, 4> table{{
      {Style::halftone, "halftone"},
      {Style::dots, "dots"},
      {Style::center, "center"},
      {Style::plain, "plain"},
  }};
};

template <>
struct EnumNames<Fit> {
  static constexpr std::array<std::pair<Fit, std::string_view>, 2> table{{
      {Fit::cover, "cover"},
      {Fit::contain, "contain"},
  }};
};

template <>
struct EnumNames<LogoArea> {
  static constexpr std::array<std::pair<LogoArea, std::string_view>, 2> table{{
      {LogoArea::symbol, "symbol"},
      {LogoArea::full, "full"},
  }};
};

template <>
struct EnumNames<Format> {
  static constexpr std::array<std::pair<Format, std::string_view>, 3> table{{
      {Format::png, "png"},
      {Format::svg, "svg"},
      {Format::pdf, "pdf"},
  }};
};

template <>
struct EnumNames<Ink> {
  static constexpr std::array<std::pair<Ink, std::string_view>, 3> table{{
      {Ink::rgb, "rgb"},
      {Ink::k, "k"},
      {Ink::cmyk, "cmyk"},
  }};
};

template <>
struct EnumNames<Severity> {
  static constexpr std::array<std::pair<Severity, std::string_view>, 4> table{{
      {Severity::pristine, "pristine"},
      {Severity::mild, "mild"},
      {Severity::moderate, "moderate"},
      {Severity::hard, "hard"},
  }};
};

template <>
struct EnumNames<Reader> {
  static constexpr std::array<std::pair<Reader, std::string_view>, 4> table{{
      {Reader::ours, "ours"},
      {Reader::zxing, "zxing"},
      {Reader::wechat, "wechat"},
      {Reader::zbar, "zbar"},
  }};
};

template <>
struct EnumNames<Authenticity> {
  static constexpr std::array<std::pair<Authenticity, std::string_view>, 3> table{{
      {Authenticity::genuine, "genuine"},
      {Authenticity::forged, "forged"},
      {Authenticity::unsigned_, "unsigned"},
  }};
};

template <>
struct EnumNames<ScanVerdict> {
  static constexpr std::array<std::pair<ScanVerdict, std::string_view>, 4> table{{
      {ScanVerdict::not_issued, "not issued"},
      {ScanVerdict::first_scan, "first scan"},
      {ScanVerdict::seen_before, "seen before"},
      {ScanVerdict::not_authentic, "not authentic"},
  }};
};

template <>
struct EnumNames<ScanOutcome> {
  static constexpr std::array<std::pair<ScanOutcome, std::string_view>, 5> table{{
      {ScanOutcome::first_scan, "first_scan"},
      {ScanOutcome::seen_before, "seen_before"},
      {ScanOutcome::not_issued, "not_issued"},
      {ScanOutcome::forged, "forged"},
      {ScanOutcome::unsigned_, "unsigned"},
  }};
};

}  // namespace viscode
