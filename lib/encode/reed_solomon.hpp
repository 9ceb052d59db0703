// Internal: Reed-Solomon encoding as QR codes use it: GF(256) over x^8+x^4+x^3+x^2+1, the
// generator's roots a^0..a^(n-1). The encode stage has its own because lib/detect is
// downstream of it, and an encoder needs only the generator and a shift register.
#pragma once

#include <cstdint>
#include <span>

namespace viscode::detail {

// The EC codewords (ec.size() of them, 1..30, highest degree first) of `data`: the
// remainder of data(x) * x^n divided by the generator.
void rs_ec_codewords(std::span<const std::uint8_t> data, std::span<std::uint8_t> ec);

// EC codewords are linear in the data, so a block's EC is the XOR of what each data codeword
// contributes alone. For every position p in [first, data_length): the EC codewords of a
// block whose only nonzero data codeword is 1 at p, at out[(p - first) * ec_length ...].
// Another value v at p contributes v times that (gf_double builds the bit multiples).
void rs_unit_responses(int data_length, int first, int ec_length, std::span<std::uint8_t> out);

// a * x in GF(256): the contribution of bit k + 1 from that of bit k.
inline std::uint8_t gf_double(std::uint8_t a) {
  return static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80) != 0 ? 0x1D : 0));
}

}  // namespace viscode::detail
