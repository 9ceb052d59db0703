// Reed-Solomon over GF(256) (primitive polynomial 0x11D, generator roots a^0..a^(n-1)), as
// QR codes use it: errors-and-erasures decoding of one block.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace viscode::detail {

struct RsResult {
  bool ok = false;
  int errors = 0;    // codewords corrected at positions the decoder found
  int erasures = 0;  // erasure positions that were in fact wrong and corrected
};

// block: data codewords followed by ec_codewords EC codewords, corrected in place.
// erasures: indices into block known to be unreliable. Succeeds when
// 2 * errors + erasures <= ec_codewords and the corrected block has a zero syndrome;
// otherwise returns ok = false and leaves the block unchanged.
RsResult rs_correct(std::span<std::uint8_t> block, int ec_codewords,
                    std::span<const int> erasures = {});

// The block's syndromes (ec_codewords of them), the first thing rs_correct computes: a
// caller retrying one block with many erasure sets computes them once and passes them.
std::vector<std::uint8_t> rs_syndromes(std::span<const std::uint8_t> block, int ec_codewords);
RsResult rs_correct(std::span<std::uint8_t> block, int ec_codewords, std::span<const int> erasures,
                    std::span<const std::uint8_t> syndromes);

}  // namespace viscode::detail
