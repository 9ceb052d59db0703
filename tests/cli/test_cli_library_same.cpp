// `viscode encode` and the library's front door make the same file from the same choices:
// the CLI's defaults (EC H with a logo, M without, plain without a logo) live in the library.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "viscode/code.hpp"

using namespace viscode::cli_test;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kPayload = "https://brand.example/p/77";

}  // namespace

TEST_CASE("encode without --logo writes make_code's plain EC M code, byte for byte", "[cli]") {
  TempDir dir;
  for (const char* name : {"plain.png", "plain.svg", "plain.pdf"}) {
    INFO(name);
    const auto r = encode({"--data", kPayload, "-o", dir.out(name).string()});
    REQUIRE(r.exit_code == 0);
    const viscode::Code code = viscode::make_code(kPayload);
    CHECK(code.symbol().ec == viscode::EcLevel::M);
    CHECK(file_bytes(dir.out(name)) == code.bytes(viscode::format_from_path(name)));
  }
}

TEST_CASE("encode --logo writes make_code's halftone EC H code, byte for byte", "[cli]") {
  TempDir dir;
  const fs::path logo = fs::path(VISCODE_SOURCE_DIR) / "samples" / "brand.png";
  const auto r = encode({"--logo", logo.string(), "--data", kPayload, "--size", "20mm", "-o",
                         dir.out("code.png").string()});
  REQUIRE(r.exit_code == 0);
  viscode::CodeOptions options;
  options.logo = viscode::Logo::load(logo);
  options.print.size_mm = 20;
  const viscode::Code code = viscode::make_code(kPayload, options);
  CHECK(code.symbol().ec == viscode::EcLevel::H);
  CHECK(file_bytes(dir.out("code.png")) == code.bytes(viscode::Format::png));
}
