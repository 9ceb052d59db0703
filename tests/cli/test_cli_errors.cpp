// Every way a designer or a script can get 'viscode encode' wrong: the exit code a script
// branches on, the exact message a person reads, and no output (not even a temporary) left
// where the code would have gone.

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "cli_harness.hpp"

using namespace viscode::cli_test;

namespace {

void check_fails(const TempDir& t, const CliResult& r, int exit_code, const std::string& err) {
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK_FALSE(r.signalled);
  CHECK(r.exit_code == exit_code);
  CHECK(r.err == err);
  CHECK(r.out.empty());
  CHECK(listing(t.out_dir()).empty());
}

// For messages that quote a third-party parser (librsvg/libxml2), whose wording is not ours
// to pin down: only our framing is checked.
void check_fails_framed(const TempDir& t, const CliResult& r, int exit_code,
                        const std::string& prefix, const std::string& suffix) {
  INFO("stderr: " << r.err);
  CHECK_FALSE(r.signalled);
  CHECK(r.exit_code == exit_code);
  CHECK(r.err.rfind(prefix, 0) == 0);
  CHECK(r.err.size() >= prefix.size() + suffix.size());
  CHECK(r.err.compare(r.err.size() - std::min(r.err.size(), suffix.size()), suffix.size(),
                      suffix) == 0);
  CHECK(r.out.empty());
  CHECK(listing(t.out_dir()).empty());
}

std::string random_bytes(std::size_t n) {
  std::mt19937 rng(12345);  // fixed: the same "corrupt file" on every run
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

}  // namespace

// ---- logo -------------------------------------------------------------------------------

TEST_CASE("cli: a missing logo file is an input error", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("nope.png").string();
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
  check_fails(t, r, 3,
              "viscode: logo file '" + logo + "' does not exist: check the path given to --logo\n");
}

TEST_CASE("cli: a directory as logo is an input error", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("").parent_path().string();
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
  check_fails(t, r, 3,
              "viscode: logo '" + logo + "' is a directory: give an image file to --logo\n");
}

TEST_CASE("cli: an empty logo file is an input error", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("empty.png").string();
  write_bytes(logo, "");
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
  check_fails(
      t, r, 3,
      "viscode: logo file '" + logo + "' is empty: export the logo again (PNG, JPEG or SVG)\n");
}

TEST_CASE("cli: a corrupt raster logo is an input error", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("corrupt.png").string();
  write_bytes(logo, random_bytes(4096));
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
  check_fails(t, r, 3,
              "viscode: logo file '" + logo +
                  "' is not a readable image (corrupt or unsupported format): use PNG, JPEG or "
                  "SVG\n");
}

TEST_CASE("cli: a truncated PNG logo is an input error", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("truncated.png").string();
  write_bytes(logo, read_bytes(kBrandPng).substr(0, 2000));
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
  // libpng prints its own complaint to stderr before ours; only our line is pinned down.
  check_fails_framed(t, r, 3, "",
                     "viscode: logo file '" + logo +
                         "' is not a readable image (corrupt or unsupported format): use PNG, "
                         "JPEG or SVG\n");
}

TEST_CASE("cli: an SVG logo that is not well-formed is an input error", "[cli][error][logo]") {
  TempDir t;
  // By extension, by content sniffing (a .png that starts like an SVG), and not XML at all.
  const std::vector<std::pair<std::string, std::string>> files = {
      {"garbage.svg", "<svg garbage"}, {"sniffed.png", "<svg garbage"}, {"x.svg", "not xml"}};
  for (const auto& [name, content] : files) {
    INFO(name);
    const std::string logo = t.in(name).string();
    write_bytes(logo, content);
    const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
    check_fails_framed(t, r, 3, "viscode: logo file '" + logo + "' is not a readable SVG (",
                       "): fix the file or export it as PNG\n");
  }
}

TEST_CASE("cli: an SVG logo without any size is an input error", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("nosize.svg").string();
  write_bytes(logo, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n");
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.svg").string()});
  check_fails(t, r, 3,
              "viscode: logo file '" + logo +
                  "' has no size: give the <svg> element a viewBox or width and height\n");
}

// libxml2's messages end in a newline; viscode promises one-line messages (error.hpp).
TEST_CASE("cli: an unreadable SVG's message is one line", "[cli][error][logo]") {
  TempDir t;
  const std::string logo = t.in("x.svg").string();
  write_bytes(logo, "not xml");
  const auto r = encode({"--logo", logo, "--data", "hello", "-o", t.out("code.png").string()});
  REQUIRE(r.exit_code == 3);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

// ---- payload ----------------------------------------------------------------------------

TEST_CASE("cli: a payload too large for any version is an encode error", "[cli][error][payload]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("3000 bytes at EC H") {
    const auto r = encode({"--data", std::string(3000, 'a'), "--ec", "H", "-o", out});
    check_fails(t, r, 4,
                "viscode: payload is 3000 bytes but EC level H holds at most 1273 bytes (byte "
                "mode) up to version 40: shorten the payload or lower --ec\n");
  }
  SECTION("8000 bytes at EC L, beyond what any mode holds") {
    const std::string file = t.in("big.txt").string();
    write_bytes(file, std::string(8000, 'a'));
    const auto r = encode({"--data-file", file, "--ec", "L", "-o", out});
    check_fails(t, r, 4,
                "viscode: payload is 8000 bytes but EC level L holds at most 2953 bytes (byte "
                "mode) up to version 40: shorten the payload\n");
  }
}

TEST_CASE("cli: --max-version caps the capacity", "[cli][error][payload]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("3000 bytes") {
    const auto r =
        encode({"--data", std::string(3000, 'a'), "--ec", "H", "--max-version", "5", "-o", out});
    check_fails(t, r, 4,
                "viscode: payload is 3000 bytes but EC level H holds at most 44 bytes (byte "
                "mode) up to version 5: shorten the payload, lower --ec or raise "
                "--max-version\n");
  }
  SECTION("100 bytes, which would fit without the cap") {
    const auto r =
        encode({"--data", std::string(100, 'a'), "--ec", "H", "--max-version", "5", "-o", out});
    check_fails(t, r, 4,
                "viscode: payload is 100 bytes but EC level H holds at most 44 bytes (byte "
                "mode) up to version 5: shorten the payload, lower --ec or raise "
                "--max-version\n");
  }
}

TEST_CASE("cli: a payload is required, from one source", "[cli][error][payload]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("none") {
    check_fails(t, encode({"-o", out}), 2,
                "viscode: no payload: give --data TEXT or --data-file FILE\n");
  }
  SECTION("empty --data") {
    check_fails(t, encode({"--data", "", "-o", out}), 2,
                "viscode: no payload: give --data TEXT or --data-file FILE\n");
  }
  SECTION("both --data and --data-file") {
    const std::string file = t.in("payload.txt").string();
    write_bytes(file, "hello");
    check_fails(t, encode({"--data", "hello", "--data-file", file, "-o", out}), 2,
                "viscode: --data excludes --data-file\n"
                "Run 'viscode encode --help' for the options.\n");
  }
}

TEST_CASE("cli: an unusable --data-file is an input error", "[cli][error][payload]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("missing") {
    const std::string file = t.in("nope.txt").string();
    check_fails(
        t, encode({"--data-file", file, "-o", out}), 3,
        "viscode: data file '" + file + "' cannot be read: check the path given to --data-file\n");
  }
  SECTION("empty") {
    const std::string file = t.in("empty.txt").string();
    write_bytes(file, "");
    check_fails(t, encode({"--data-file", file, "-o", out}), 3,
                "viscode: data file '" + file + "' is empty: put the payload in it\n");
  }
}

// std::ifstream opens a directory without complaint and only the read fails.
TEST_CASE("cli: a directory as --data-file is an input error", "[cli][error][payload]") {
  TempDir t;
  const auto r = encode({"--data-file", t.root().string(), "-o", t.out("code.png").string()});
  check_fails(t, r, 3,
              "viscode: data file '" + t.root().string() +
                  "' is a directory: give a file to --data-file\n");
}

// ---- colours ----------------------------------------------------------------------------

TEST_CASE("cli: colours must be hex and keep contrast", "[cli][error][colour]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("not a colour") {
    check_fails(t, encode({"--data", "hello", "--dark", "zz", "-o", out}), 2,
                "viscode: colour 'zz' is not a hex colour: use #RRGGBB or #RGB, e.g. #1a2b3c\n");
  }
  SECTION("not a colour, light") {
    check_fails(t, encode({"--data", "hello", "--light", "#12345", "-o", out}), 2,
                "viscode: colour '#12345' is not a hex colour: use #RRGGBB or #RGB, e.g. "
                "#1a2b3c\n");
  }
  SECTION("too little contrast") {
    check_fails(
        t, encode({"--data", "hello", "--dark", "#777777", "--light", "#888888", "-o", out}), 2,
        "viscode: --dark #777777 and --light #888888 have a contrast ratio of 1.3:1, "
        "below the 4.5:1 readers need: darken --dark or lighten --light\n");
  }
  SECTION("dark lighter than light") {
    check_fails(t, encode({"--data", "hello", "--dark", "#FFF", "--light", "#000000", "-o", out}),
                2, "viscode: --dark #ffffff is lighter than --light #000000: swap them\n");
  }
}

// ---- size and geometry ------------------------------------------------------------------

TEST_CASE("cli: bad sizes are usage errors", "[cli][error][size]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("unknown unit") {
    check_fails(t, encode({"--data", "hello", "--size", "10furlongs", "-o", out}), 2,
                "viscode: size '10furlongs' is not a length: use e.g. 25mm, 2.5cm or 1in\n");
  }
  SECTION("zero") {
    check_fails(t, encode({"--data", "hello", "--size", "0mm", "-o", out}), 2,
                "viscode: size '0mm' is out of range: use a length above 0 and at most 2000mm\n");
  }
  SECTION("too small for the modules") {
    check_fails(t, encode({"--data", "hello", "--size", "1mm", "-o", out}), 2,
                "viscode: --size 1.00mm at 600.00 dpi leaves under 2 pixels per module for "
                "this 29-module code: use at least 2.46mm or a higher --dpi\n");
  }
  SECTION("too many pixels") {
    check_fails(t, encode({"--data", "hello", "--size", "2000mm", "--dpi", "4800", "-o", out}), 2,
                "viscode: the code would be 377928 pixels wide, over the 20000-pixel limit: use "
                "a smaller --size, --dpi or --module-px\n");
  }
  SECTION("--size and --module-px together") {
    check_fails(t, encode({"--data", "hello", "--size", "25mm", "--module-px", "8", "-o", out}), 2,
                "viscode: --size excludes --module-px\n"
                "Run 'viscode encode --help' for the options.\n");
  }
  SECTION("dpi out of range") {
    check_fails(t, encode({"--data", "hello", "--dpi", "10000", "-o", out}), 2,
                "viscode: --dpi 10000.00 is out of range: use 72..4800\n");
  }
  SECTION("quiet zone out of range") {
    check_fails(t, encode({"--data", "hello", "--quiet", "41", "-o", out}), 2,
                "viscode: --quiet 41 is out of range: use 0..40 modules (4 is standard)\n");
  }
}

// 0 means "not given" in PrintOptions; negative and huge values must not slip through.
TEST_CASE("cli: --module-px out of range is a usage error", "[cli][error][size]") {
  TempDir t;
  for (const char* v : {"-1", "201"}) {
    const auto r = encode({"--data", "hello", "--module-px", v, "-o", t.out("code.png").string()});
    check_fails(t, r, 2,
                std::string("viscode: --module-px ") + v + " is out of range: use 1..200\n");
  }
}

// ---- output -----------------------------------------------------------------------------

TEST_CASE("cli: output problems", "[cli][error][output]") {
  TempDir t;
  SECTION("--output missing") {
    check_fails(t, encode({"--data", "hello"}), 2,
                "viscode: --output is required\nRun 'viscode encode --help' for the options.\n");
  }
  SECTION("directory does not exist") {
    const auto dir = t.out("missing");
    const auto r = encode({"--data", "hello", "-o", (dir / "code.png").string()});
    check_fails(t, r, 3,
                "viscode: output directory '" + dir.string() +
                    "' does not exist: create it or choose another --output\n");
  }
  SECTION("unknown extension") {
    const std::string out = t.out("code.gif").string();
    check_fails(
        t, encode({"--data", "hello", "-o", out}), 2,
        "viscode: output '" + out + "' has the unknown extension '.gif': use .png, .svg or .pdf\n");
  }
  SECTION("no extension") {
    const std::string out = t.out("code").string();
    check_fails(t, encode({"--data", "hello", "-o", out}), 2,
                "viscode: output '" + out + "' has no extension: use .png, .svg or .pdf\n");
  }
}

TEST_CASE("cli: a failed rename leaves no temporary behind", "[cli][error][output]") {
  TempDir t;
  // The output name is taken by a directory: rendering and the temporary file succeed, and
  // only the final rename fails, which is where a careless writer leaks its temporary.
  std::filesystem::create_directory(t.out("code.png"));
  const std::string out = t.out("code.png").string();
  const auto r = encode({"--data", "hello", "-o", out});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: '" + out + "' is a folder, not a file: choose another --output\n");
  CHECK(r.out.empty());
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"code.png"});
}

TEST_CASE("cli: a failed run leaves an existing output untouched", "[cli][error][output]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  write_bytes(out, "previous contents");
  const auto r = encode({"--logo", t.in("nope.png").string(), "--data", "hello", "-o", out});
  CHECK(r.exit_code == 3);
  CHECK(read_bytes(out) == "previous contents");
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"code.png"});
}

// ---- encoding and style options -----------------------------------------------------------

TEST_CASE("cli: bad encoding options are usage errors", "[cli][error][options]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("--mask 9") {
    check_fails(t, encode({"--data", "hello", "--mask", "9", "-o", out}), 2,
                "viscode: --mask 9 is not a mask: use auto or 0..7\n");
  }
  SECTION("--mask -1") {
    check_fails(t, encode({"--data", "hello", "--mask", "-1", "-o", out}), 2,
                "viscode: --mask -1 is not a mask: use auto or 0..7\n");
  }
  SECTION("--ec X") {
    check_fails(t, encode({"--data", "hello", "--ec", "X", "-o", out}), 2,
                "viscode: --ec X is not a level: use L, M, Q or H\n");
  }
  SECTION("--min-version 41") {
    check_fails(t, encode({"--data", "hello", "--min-version", "41", "-o", out}), 2,
                "viscode: --min-version 41 is out of range: use 1..40\n");
  }
  SECTION("--min-version above --max-version") {
    check_fails(
        t, encode({"--data", "hello", "--min-version", "5", "--max-version", "2", "-o", out}), 2,
        "viscode: --min-version 5 is above --max-version 2: lower --min-version or "
        "raise --max-version\n");
  }
}

TEST_CASE("cli: bad rendering options are usage errors", "[cli][error][options]") {
  TempDir t;
  const std::string out = t.out("code.png").string();
  SECTION("--strength 2") {
    check_fails(t, encode({"--data", "hello", "--strength", "2", "-o", out}), 2,
                "viscode: --strength must be between 0 and 1 (0 shows the most of the image, 1 "
                "scans best)\n");
  }
  SECTION("--picture-ec 0.6") {
    check_fails(t, encode({"--data", "hello", "--picture-ec", "0.6", "-o", out}), 2,
                "viscode: --picture-ec must be between 0 and "
                "0.5: at least half of each block's error correction stays for the capture\n");
  }
  SECTION("--style nosuch") {
    check_fails(t, encode({"--data", "hello", "--style", "nosuch", "-o", out}), 2,
                "viscode: --style nosuch is not a style: use halftone, dots, center or plain\n");
  }
  SECTION("--style halftone without a logo") {
    check_fails(t, encode({"--data", "hello", "--style", "halftone", "-o", out}), 2,
                "viscode: --style halftone needs an image: give --logo FILE, or use --style "
                "plain\n");
  }
  SECTION("--fit bogus") {
    check_fails(t, encode({"--data", "hello", "--fit", "bogus", "-o", out}), 2,
                "viscode: --fit: bogus not in {cover,contain}\n"
                "Run 'viscode encode --help' for the options.\n");
  }
  SECTION("--logo-area Full") {
    check_fails(t, encode({"--data", "hello", "--logo-area", "Full", "-o", out}), 2,
                "viscode: --logo-area: Full not in {symbol,full}\n"
                "Run 'viscode encode --help' for the options.\n");
  }
}

// The center style sizes its patch from the EC budget; at EC L a version-1 code affords a
// 1x1-module patch, too small to show a logo. A designer who asked for a logo must not get a
// plain code without noticing, so this is an encode error that says what to change.
TEST_CASE("cli: --style center without room for the logo is an encode error", "[cli][options]") {
  TempDir t;
  const auto r = encode({"--logo", kBrandPng, "--data", "hello", "--style", "center", "--ec", "L",
                         "-o", t.out("code.png").string()});
  check_fails(t, r, 4,
              "viscode: the center style has no room for a logo in a version-1 symbol at EC L "
              "(the error-correction budget allows a 1x1-module patch at most): use --ec H, a "
              "larger --min-version or a lower --strength\n");
  const auto ok = encode({"--logo", kBrandPng, "--data", "hello", "--style", "center", "--ec", "H",
                          "-o", t.out("code.png").string()});
  CHECK(ok.exit_code == 0);
  check_reads_back(t.out("code.png"), "hello");
}

TEST_CASE("cli: no subcommand is a usage error", "[cli][error]") {
  const auto r = run_cli({});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: A subcommand is required\nRun 'viscode --help' for the options.\n");
  CHECK(r.out.empty());
}
