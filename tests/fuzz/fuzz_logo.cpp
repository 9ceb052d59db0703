// libFuzzer target: arbitrary bytes as a --logo file, raster or SVG, through Logo::load and
// one small raster of it, as `viscode encode --logo` does. Run it with -rss_limit_mb: a logo
// that makes the process grow past the documented bound is a bug, as is any crash.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "viscode/error.hpp"
#include "viscode/render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Logo::load() takes a path; the extension decides nothing when the bytes say SVG, and an
  // input starting like a raster image is read as one whatever its name.
  static const std::string path = "/tmp/viscode-fuzz-logo-" + std::to_string(getpid()) + ".svg";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const viscode::Logo logo = viscode::Logo::load(path);
    (void)logo.raster(48, 48);
  } catch (const viscode::Error&) {
  }
  return 0;
}
