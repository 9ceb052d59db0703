#include "render/png.hpp"

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace viscode::detail {
namespace {

// A serialised print run writes a PNG per code, so speed matters more than the last few
// per cent of size: one fixed filter instead of libpng's per-row choice among all five,
// and deflate's fastest level. "Up" suits codes best (a module's rows repeat each other's
// edges); over a picture, files come out about 15% larger than OpenCV's PNG writer at
// level 6, in a fifth of its time. Level 2 or 3 saves 2-4% more and costs up to twice
// the time on a grainy photograph.
constexpr int kLevel = 1;
constexpr std::uint8_t kFilterUp = 2;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// Appends a chunk whose data are the `n` bytes already at the end of `out` after `at`.
void close_chunk(std::vector<std::uint8_t>& out, std::size_t at) {
  const std::size_t n = out.size() - at - 8;
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  put_u32(out, static_cast<std::uint32_t>(crc32(0, out.data() + at + 4, static_cast<uInt>(n + 4))));
}

std::size_t open_chunk(std::vector<std::uint8_t>& out, const char* type) {
  const std::size_t at = out.size();
  out.insert(out.end(), 4, 0);
  out.insert(out.end(), type, type + 4);
  return at;
}

}  // namespace

std::vector<std::uint8_t> encode_png(const unsigned char* rgb24, int width, int height, int stride,
                                     double dpi, bool flat) {
  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::size_t at = open_chunk(out, "IHDR");
  put_u32(out, static_cast<std::uint32_t>(width));
  put_u32(out, static_cast<std::uint32_t>(height));
  out.insert(out.end(), {8, 2, 0, 0, 0});  // 8-bit RGB, deflate, per-row filters, not interlaced
  close_chunk(out, at);
  at = open_chunk(out, "pHYs");
  const auto ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
  put_u32(out, ppm);
  put_u32(out, ppm);
  out.push_back(1);  // unit: metre
  close_chunk(out, at);

  at = open_chunk(out, "IDAT");
  z_stream z{};
  if (deflateInit2(&z, flat ? 1 : kLevel, Z_DEFLATED, 15, 8, flat ? Z_RLE : Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("zlib could not start a PNG stream");
  }
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3;
  std::vector<std::uint8_t> previous(row_bytes, 0), current(row_bytes), line(row_bytes + 1);
  std::vector<std::uint8_t> buffer(1 << 16);
  for (int y = 0; y < height; ++y) {
    const auto* words =
        reinterpret_cast<const std::uint32_t*>(rgb24 + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < width; ++x) {
      const std::uint32_t w = words[x];
      std::uint8_t* px = current.data() + 3 * x;
      px[0] = static_cast<std::uint8_t>(w >> 16);
      px[1] = static_cast<std::uint8_t>(w >> 8);
      px[2] = static_cast<std::uint8_t>(w);
    }
    line[0] = kFilterUp;
    for (std::size_t i = 0; i < row_bytes; ++i) {
      line[i + 1] = static_cast<std::uint8_t>(current[i] - previous[i]);
    }
    std::swap(previous, current);
    z.next_in = line.data();
    z.avail_in = static_cast<uInt>(line.size());
    const int flush = y + 1 == height ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, flush);
      out.insert(out.end(), buffer.data(), buffer.data() + (buffer.size() - z.avail_out));
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  close_chunk(out, at);
  close_chunk(out, open_chunk(out, "IEND"));
  return out;
}

}  // namespace viscode::detail
