// Every enumerator of every named enumeration has a name that parses back to it, and no
// other text does: the names are what users type and what the batch settings file stores.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"

using namespace viscode;

namespace {

// One switch per enumeration, without a default: a new enumerator makes the compiler warn
// here (-Wswitch, an error in CI), and then enumerators_are_named() fails until the table
// in viscode/enum_names.hpp names it too.
bool declared(EcLevel e) {
  switch (e) {
    case EcLevel::L:
    case EcLevel::M:
    case EcLevel::Q:
    case EcLevel::H:
      return true;
  }
  return false;
}
bool declared(ModuleRole e) {
  switch (e) {
    case ModuleRole::finder:
    case ModuleRole::separator:
    case ModuleRole::timing:
    case ModuleRole::alignment:
    case ModuleRole::format:
    case ModuleRole::version:
    case ModuleRole::data:
    case ModuleRole::ec:
      return true;
  }
  return false;
}
bool declared(Style e) {
  switch (e) {
    case Style::halftone:
    case Style::dots:
    case Style::center:
    case Style::plain:
      return true;
  }
  return false;
}
bool declared(Fit e) {
  switch (e) {
    case Fit::cover:
    case Fit::contain:
      return true;
  }
  return false;
}
bool declared(LogoArea e) {
  switch (e) {
    case LogoArea::symbol:
    case LogoArea::full:
      return true;
  }
  return false;
}
bool declared(Format e) {
  switch (e) {
    case Format::png:
    case Format::svg:
    case Format::pdf:
      return true;
  }
  return false;
}
bool declared(Ink e) {
  switch (e) {
    case Ink::rgb:
    case Ink::k:
    case Ink::cmyk:
      return true;
  }
  return false;
}
bool declared(Severity e) {
  switch (e) {
    case Severity::pristine:
    case Severity::mild:
    case Severity::moderate:
    case Severity::hard:
      return true;
  }
  return false;
}
bool declared(Reader e) {
  switch (e) {
    case Reader::ours:
    case Reader::zxing:
    case Reader::wechat:
    case Reader::zbar:
      return true;
  }
  return false;
}
bool declared(Authenticity e) {
  switch (e) {
    case Authenticity::genuine:
    case Authenticity::forged:
    case Authenticity::unsigned_:
      return true;
  }
  return false;
}
bool declared(ScanVerdict e) {
  switch (e) {
    case ScanVerdict::not_issued:
    case ScanVerdict::first_scan:
    case ScanVerdict::seen_before:
    case ScanVerdict::not_authentic:
      return true;
  }
  return false;
}
bool declared(ScanOutcome e) {
  switch (e) {
    case ScanOutcome::first_scan:
    case ScanOutcome::seen_before:
    case ScanOutcome::not_issued:
    case ScanOutcome::forged:
    case ScanOutcome::unsigned_:
      return true;
  }
  return false;
}

template <typename E>
void check_names() {
  const auto values = enum_values<E>();
  // The enumerations count 0, 1, 2, ... (the table's order is checked when it compiles), so
  // the table names every enumerator when the first value past it is none.
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(declared(static_cast<E>(i)));
  CHECK_FALSE(declared(static_cast<E>(values.size())));

  std::set<std::string_view> names;
  for (const E e : values) {
    const std::string_view n = enum_name(e);
    INFO("enumerator " << static_cast<int>(e) << " named '" << n << "'");
    CHECK(!n.empty());
    CHECK(n != "?");
    CHECK(names.insert(n).second);  // no two share a name
    const auto back = parse_enum<E>(n);
    REQUIRE(back.has_value());
    CHECK(*back == e);
    // Near misses are refused, not guessed at.
    const std::string padded = std::string(n).append(" ");
    CHECK_FALSE(parse_enum<E>(padded).has_value());
    std::string indented(" ");
    indented.append(n);
    CHECK_FALSE(parse_enum<E>(indented).has_value());
    CHECK_FALSE(parse_enum<E>(n.substr(0, n.size() - 1)).has_value());
  }
  CHECK_FALSE(parse_enum<E>("").has_value());
  CHECK_FALSE(parse_enum<E>("?").has_value());
  CHECK_FALSE(parse_enum<E>("nonsense").has_value());
  // A value outside the enumeration (a cast from a number) has the one fallback name.
  CHECK(enum_name(static_cast<E>(values.size())) == "?");
}

}  // namespace

TEST_CASE("enum names: every enumerator round-trips and unknown names are refused",
          "[enum_names]") {
  check_names<EcLevel>();
  check_names<ModuleRole>();
  check_names<Style>();
  check_names<Fit>();
  check_names<LogoArea>();
  check_names<Format>();
  check_names<Ink>();
  check_names<Severity>();
  check_names<Reader>();
  check_names<Authenticity>();
  check_names<ScanVerdict>();
  check_names<ScanOutcome>();
}

TEST_CASE("enum names: the names files and flags use", "[enum_names]") {
  // Stored in batch settings files and typed on command lines: these must never change.
  CHECK(enum_name(Fit::cover) == "cover");
  CHECK(enum_name(Fit::contain) == "contain");
  CHECK(enum_name(LogoArea::symbol) == "symbol");
  CHECK(enum_name(LogoArea::full) == "full");
  CHECK(enum_name(Format::png) == "png");
  CHECK(enum_name(Format::svg) == "svg");
  CHECK(enum_name(Format::pdf) == "pdf");
  CHECK(enum_name(ScanVerdict::not_authentic) == "not authentic");
  CHECK(enum_name(Authenticity::unsigned_) == "unsigned");
  CHECK(enum_name_list<Style>() == "halftone, dots, center or plain");
  CHECK(enum_name_list<Severity>(", ") == "pristine, mild, moderate, hard");
  // The choices the CLI's flags accept (CLI11's IsMember), in the order --help lists them.
  CHECK(enum_names<Format>() == std::vector<std::string>{"png", "svg", "pdf"});
  CHECK(enum_names<Fit>() == std::vector<std::string>{"cover", "contain"});
  CHECK(enum_names<LogoArea>() == std::vector<std::string>{"symbol", "full"});
}

TEST_CASE("enum names: the public parse functions keep their rules and messages", "[enum_names]") {
  CHECK(parse_ec_level("h") == EcLevel::H);
  CHECK(parse_ec_level("Q") == EcLevel::Q);
  CHECK(to_char(EcLevel::M) == 'M');
  CHECK(parse_ink("CMYK") == Ink::cmyk);  // inks in either case
  CHECK(parse_style("dots") == Style::dots);
  CHECK(format_from_path("a/b.SVG") == Format::svg);
  const auto message = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      CHECK(e.category() == ErrorCategory::usage);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message([] { parse_ec_level("X"); }) ==
        "EncodeOptions.ec X is not a level: use L, M, Q or H");
  CHECK(message([] { parse_ec_level(""); }) == "EncodeOptions.ec is empty: use L, M, Q or H");
  CHECK(message([] { parse_ec_level("hh"); }) ==
        "EncodeOptions.ec hh is not a level: use L, M, Q or H");
  CHECK(message([] { parse_style("Dots"); }) ==
        "RenderOptions.style Dots is not a style: use halftone, dots, center or plain");
  CHECK(message([] { parse_ink("cmy"); }) ==
        "PrintOptions.ink 'cmy' is not an ink: use rgb, k or cmyk");
  CHECK(message([] { parse_severity("easy"); }) ==
        "unknown severity 'easy': choose from pristine, mild, moderate, hard");
  CHECK(message([] { parse_reader("quirc"); }) ==
        "unknown reader 'quirc': choose from ours, zxing, wechat, zbar");
  CHECK(message([] { format_from_path("x.jpg"); }) ==
        "output 'x.jpg' has the unknown extension '.jpg': use .png, .svg or .pdf");
  CHECK(message([] { format_from_path("x."); }) ==
        "output 'x.' has the unknown extension '.': use .png, .svg or .pdf");
}
