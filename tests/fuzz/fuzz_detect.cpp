// libFuzzer target: arbitrary bytes as an image file, through the same path `viscode decode`
// takes (header check, decode, detect). Any crash, hang or sanitizer report is a bug; errors
// thrown as viscode::Error are the expected answer to garbage.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "viscode/detect.hpp"
#include "viscode/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // read_image() takes a path, as the CLI does; a per-process scratch file keeps it so.
  static const std::string path = "/tmp/viscode-fuzz-" + std::to_string(getpid()) + ".img";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  viscode::ReadOptions options;
  options.max_megapixels = 4;  // keep each input fast; the limit itself is under test too
  try {
    (void)viscode::read_codes(viscode::read_image(path, options), options);
  } catch (const viscode::Error&) {
  }
  return 0;
}
