// Image-aware pad codewords (free_pad_bits, choose_pad): QArt's idea at any EC level. The pad
// codewords after the terminator are free; every module of their block is an affine function
// of their bits over GF(2) (data modules directly, EC modules through Reed-Solomon, which is
// linear), so picking modules greedily by weight and keeping those still independent of the
// ones picked is a matroid greedy: no later module can be bought by giving up an earlier one.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "encode/checks.hpp"
#include "encode/mask.hpp"
#include "encode/placement.hpp"
#include "encode/reed_solomon.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

// A symbol's codewords, unmasked and de-interleaved: block b's data then its EC codewords
// from block_start[b].
struct Codewords {
  BlockLayout layout;
  std::span<const int> order;        // detail::cached_placement_order
  std::vector<std::uint8_t> mask;    // row-major, 1 where the symbol's mask inverts
  std::vector<int> block_start;      // blocks + 1 entries
  std::vector<int> codeword_block;   // per interleaved codeword: its block ...
  std::vector<int> codeword_offset;  // ... and its index within that block
  std::vector<std::uint8_t> bytes;   // block-major

  int data_length(int block) const {
    return block < layout.blocks1 ? layout.data_per_block1 : layout.data_per_block2;
  }
  std::uint8_t& at(std::size_t k) {
    return bytes[static_cast<std::size_t>(block_start[static_cast<std::size_t>(codeword_block[k])] +
                                          codeword_offset[k])];
  }
};

Codewords extract(const Symbol& symbol) {
  Codewords c;
  c.layout = block_layout(symbol.version, symbol.ec);
  const int blocks = c.layout.blocks();
  const int total = c.layout.total_codewords();
  c.order = detail::cached_placement_order(symbol);
  if (c.order.size() / 8 != static_cast<std::size_t>(total)) {
    throw Error(ErrorCategory::internal, "version " + std::to_string(symbol.version) + " has " +
                                             std::to_string(c.order.size()) + " data modules but " +
                                             std::to_string(total) +
                                             " codewords in its block layout");
  }
  const auto size = static_cast<std::size_t>(symbol.size);
  c.mask.resize(size * size);
  for (int y = 0; y < symbol.size; ++y) {
    detail::mask_row(symbol.mask, y, symbol.size,
                     c.mask.data() + static_cast<std::size_t>(y) * size);
  }
  c.block_start.push_back(0);
  for (int b = 0; b < blocks; ++b) {
    c.block_start.push_back(c.block_start.back() + c.data_length(b) + c.layout.ec_per_block);
  }
  // ISO 18004 8.6: data codeword i of every block in turn (group 2's extra one last), then
  // EC codeword i of every block in turn.
  c.codeword_block.reserve(static_cast<std::size_t>(total));
  c.codeword_offset.reserve(static_cast<std::size_t>(total));
  for (int i = 0; i <= c.layout.data_per_block1; ++i) {
    for (int b = 0; b < blocks; ++b) {
      if (i < c.data_length(b)) {
        c.codeword_block.push_back(b);
        c.codeword_offset.push_back(i);
      }
    }
  }
  for (int i = 0; i < c.layout.ec_per_block; ++i) {
    for (int b = 0; b < blocks; ++b) {
      c.codeword_block.push_back(b);
      c.codeword_offset.push_back(c.data_length(b) + i);
    }
  }
  c.bytes.assign(static_cast<std::size_t>(total), 0);
  for (std::size_t k = 0; k < static_cast<std::size_t>(total) * 8; ++k) {
    const auto m = static_cast<std::size_t>(c.order[k]);
    const auto bit = static_cast<std::uint8_t>((symbol.dark[m] ^ c.mask[m]) & 1u);
    std::uint8_t& byte = c.at(k / 8);
    byte = static_cast<std::uint8_t>(byte | bit << (7 - k % 8));
  }
  return c;
}

class BitReader {
 public:
  explicit BitReader(const std::vector<std::uint8_t>& data)
      : data_(data), total_(static_cast<int>(data.size()) * 8) {}
  int position() const { return pos_; }
  int available() const { return total_ - pos_; }
  // False (and nothing read) when fewer than n bits remain.
  bool read(int n, std::uint32_t& out) {
    if (n > available()) return false;
    out = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      const auto byte = data_[static_cast<std::size_t>(pos_ / 8)];
      out = out << 1 | static_cast<std::uint32_t>((byte >> (7 - pos_ % 8)) & 1);
    }
    return true;
  }
  bool skip(long n) {
    if (n > available()) return false;
    pos_ += static_cast<int>(n);
    return true;
  }

 private:
  const std::vector<std::uint8_t>& data_;
  int total_;
  int pos_ = 0;
};

// Where the terminator starts in the data bitstream: the bits the segments use. When fewer
// than 4 bits remain readers stop there too, so that position is returned. Empty for a mode
// this parser does not know or a segment running past the end: nothing is provably free.
std::optional<int> terminator_position(const std::vector<std::uint8_t>& data, int version) {
  // ISO 18004 table 3: character count bits for versions 1-9, 10-26, 27-40.
  const int range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  constexpr int kNumeric[] = {10, 12, 14};
  constexpr int kAlphanumeric[] = {9, 11, 13};
  constexpr int kByte[] = {8, 16, 16};
  constexpr int kKanji[] = {8, 10, 12};
  BitReader r(data);
  for (;;) {
    if (r.available() < 4) return r.position();
    const int start = r.position();
    std::uint32_t mode = 0;
    std::uint32_t count = 0;
    std::uint32_t value = 0;
    r.read(4, mode);
    long bits = 0;
    switch (mode) {
      case 0x0:
        return start;
      case 0x1:
        if (!r.read(kNumeric[range], count)) return std::nullopt;
        bits = 10L * (count / 3) + (count % 3 == 2 ? 7 : count % 3 == 1 ? 4 : 0);
        break;
      case 0x2:
        if (!r.read(kAlphanumeric[range], count)) return std::nullopt;
        bits = 11L * (count / 2) + 6L * (count % 2);
        break;
      case 0x4:
        if (!r.read(kByte[range], count)) return std::nullopt;
        bits = 8L * count;
        break;
      case 0x8:
        if (!r.read(kKanji[range], count)) return std::nullopt;
        bits = 13L * count;
        break;
      case 0x7:  // ECI: the designator's leading bits give its length (8, 16 or 24 bits)
        if (!r.read(8, value)) return std::nullopt;
        bits = (value & 0x80) == 0      ? 0
               : (value & 0xC0) == 0x80 ? 8
               : (value & 0xE0) == 0xC0 ? 16
                                        : -1;
        if (bits < 0) return std::nullopt;
        break;
      case 0x3:  // structured append: index, count, parity
        bits = 16;
        break;
      case 0x5:  // FNC1 in first position
        break;
      case 0x9:  // FNC1 in second position: the application indicator
        bits = 8;
        break;
      default:
        return std::nullopt;
    }
    if (!r.skip(bits)) return std::nullopt;
  }
}

// The first free data codeword (index into the data bitstream): the one after the codeword
// holding the terminator's last bit. data_codewords when none is free.
int first_free_codeword(const Codewords& c, int version) {
  std::vector<std::uint8_t> data;
  data.reserve(static_cast<std::size_t>(c.layout.data_codewords()));
  for (int b = 0; b < c.layout.blocks(); ++b) {
    const auto start = c.bytes.begin() + c.block_start[static_cast<std::size_t>(b)];
    data.insert(data.end(), start, start + c.data_length(b));
  }
  const int total = c.layout.data_codewords();
  const std::optional<int> end = terminator_position(data, version);
  if (!end || *end + 4 > total * 8) return total;
  return (*end + 4 + 7) / 8;
}

// A module that may set a free bit, in the order the greedy takes them.
struct Candidate {
  float weight;
  int module;  // row-major index
  int row;     // 2 * free bit for a pad data module, 2 * EC bit + 1 for an EC module
};

bool test(const std::uint64_t* v, int i) {
  return ((v[i >> 6] >> (i & 63)) & 1u) != 0;
}
void flip(std::uint64_t* v, int i) {
  v[i >> 6] ^= std::uint64_t{1} << (i & 63);
}

// The greedy works on whichever of the matroid and its dual has the shorter vectors. A
// block's free bits x (F of them) set its pad data modules to x and its R = 8 * EC modules
// to constant + A x: generator [I | A^T]. Greedy in descending weight picks a basis B of
// that matroid; its complement is the basis the greedy picks in ascending order from the
// dual, whose parity-check columns are A's columns (pad bits) and unit vectors (EC bits).
// With F >= R the dual's vectors are R <= 240 bits, not F <= 944, and only R are needed;
// solving is expressing one vector in the dual basis, the EC modules outside B taking up
// the slack. With F < R the primal's F-bit vectors are the shorter, and back-substitution
// solves. Both paths give the same B: a matroid's greedy basis is unique for a total order.
constexpr int kMaxWords = 4;  // min(F, R) <= 8 * 30 bits

class DualBasis {
 public:
  void reset(int bits) {
    bits_ = bits;
    words_ = (bits + 63) / 64;
    count_ = 0;
    vec_.assign(static_cast<std::size_t>(bits * kMaxWords), 0);
    comb_.assign(static_cast<std::size_t>(bits * kMaxWords), 0);
    pivot_.assign(static_cast<std::size_t>(bits), -1);
    element_.assign(static_cast<std::size_t>(bits), -1);
  }
  bool full() const { return count_ == bits_; }
  int size() const { return count_; }
  int element(int k) const { return element_[static_cast<std::size_t>(k)]; }
  // The basis row whose lowest bit is `bit` (every bit has one in a full basis), its vector
  // and the added elements (bit k: the k-th) it sums.
  int row_of(int bit) const { return pivot_[static_cast<std::size_t>(bit)]; }
  const std::uint64_t* vec(int row) const { return at(vec_, row); }
  const std::uint64_t* comb(int row) const { return at(comb_, row); }

  // Adds element e with vector v when it is independent of the basis so far.
  bool add(const std::uint64_t* v, int e) {
    std::uint64_t r[kMaxWords] = {};
    std::uint64_t c[kMaxWords] = {};
    std::copy(v, v + words_, r);
    flip(c, count_);
    // Each basis row's lowest bit is its pivot, so every XOR only raises r's lowest bit.
    for (int low = lowest(r); low >= 0; low = lowest(r)) {
      const int row = pivot_[static_cast<std::size_t>(low)];
      if (row < 0) {
        std::copy(r, r + words_, at(vec_, count_));
        std::copy(c, c + words_, at(comb_, count_));
        pivot_[static_cast<std::size_t>(low)] = count_;
        element_[static_cast<std::size_t>(count_)] = e;
        ++count_;
        return true;
      }
      xor_into(r, at(vec_, row));
      xor_into(c, at(comb_, row));
    }
    return false;
  }

  // The basis elements (bit k: the k-th added) whose vectors sum to v; needs a full basis.
  void express(const std::uint64_t* v, std::uint64_t* coords) const {
    std::uint64_t r[kMaxWords] = {};
    std::copy(v, v + words_, r);
    std::fill(coords, coords + words_, 0);
    for (int low = lowest(r); low >= 0; low = lowest(r)) {
      const int row = pivot_[static_cast<std::size_t>(low)];
      xor_into(r, at(vec_, row));
      xor_into(coords, at(comb_, row));
    }
  }

 private:
  static std::uint64_t* at(std::vector<std::uint64_t>& m, int row) {
    return m.data() + static_cast<std::size_t>(row) * kMaxWords;
  }
  static const std::uint64_t* at(const std::vector<std::uint64_t>& m, int row) {
    return m.data() + static_cast<std::size_t>(row) * kMaxWords;
  }
  int lowest(const std::uint64_t* v) const {
    for (int k = 0; k < words_; ++k) {
      if (v[k] != 0) return k * 64 + std::countr_zero(v[k]);
    }
    return -1;
  }
  void xor_into(std::uint64_t* dst, const std::uint64_t* src) const {
    for (int k = 0; k < words_; ++k) dst[k] ^= src[k];
  }

  int bits_ = 0;
  int words_ = 0;
  int count_ = 0;
  std::vector<std::uint64_t> vec_, comb_;
  std::vector<int> pivot_, element_;
};

// Reused across blocks and calls' blocks, so a block costs no allocation after the first.
struct BlockScratch {
  DualBasis dual;
  std::vector<std::uint8_t> responses;
  std::vector<std::uint64_t> columns;  // per free bit: its EC response, kMaxWords words
  std::vector<std::uint8_t> target;    // per element (2 * bit, 2 * EC bit + 1): wanted bit
  std::vector<std::uint8_t> weighted;  // per element: a candidate with weight > 0
  std::vector<std::uint8_t> in_dual;   // per element: in the dual basis
  std::vector<std::uint64_t> rows;     // per EC bit: the free bits it depends on
};

int parity(const std::uint64_t* a, const std::uint64_t* b) {
  int p = 0;
  for (int k = 0; k < kMaxWords; ++k) p ^= std::popcount(a[k] & b[k]) & 1;
  return p;
}

// Chooses block b's free codewords (data positions from `first` on) and rewrites its EC.
// Appends the modules it set to `chosen`. EC bits are numbered 8 * codeword + (7 - bit
// from the most significant), so a codeword's response bytes are its bits as they are.
void choose_block(Codewords& c, int b, int first, std::vector<Candidate>& candidates,
                  std::span<const std::uint8_t> wanted, BlockScratch& s, std::vector<int>& chosen) {
  const int length = c.data_length(b);
  const int ec = c.layout.ec_per_block;
  const int free_bytes = length - first;
  const int vars = 8 * free_bytes;
  const int ec_bits = 8 * ec;
  const int elements = 2 * std::max(vars, ec_bits);
  std::uint8_t* data = c.bytes.data() + c.block_start[static_cast<std::size_t>(b)];
  std::uint8_t* ec_bytes = data + length;
  const auto column = [&](int var) {
    return s.columns.data() + static_cast<std::size_t>(var) * kMaxWords;
  };
  const auto data_bit = [&](int var) { return (data[first + var / 8] >> (7 - var % 8)) & 1; };

  s.responses.resize(static_cast<std::size_t>(free_bytes * ec));
  detail::rs_unit_responses(length, first, ec, s.responses);
  s.columns.assign(static_cast<std::size_t>(vars) * kMaxWords, 0);
  for (int q = 0; q < free_bytes; ++q) {
    // Free bit 8q + 7 has value 1; each bit to its left doubles it, eight bytes at a time.
    std::uint64_t* col = column(8 * q + 7);
    const std::uint8_t* y = s.responses.data() + static_cast<std::size_t>(q * ec);
    for (int k = 0; k < ec; ++k) col[k / 8] |= std::uint64_t{y[k]} << (8 * (k % 8));
    for (int j = 6; j >= 0; --j) {
      const std::uint64_t* from = col;
      col = column(8 * q + j);
      for (int k = 0; k < kMaxWords; ++k) {
        const std::uint64_t v = from[k];
        col[k] = ((v & 0x7F7F7F7F7F7F7F7Full) << 1) ^ (((v >> 7) & 0x0101010101010101ull) * 0x1D);
      }
    }
  }

  // The EC with every free bit 0: the constant in each EC module's affine function.
  std::vector<std::uint8_t> base(data, data + length);
  std::fill(base.begin() + first, base.end(), std::uint8_t{0});
  std::uint8_t base_ec[30];
  detail::rs_ec_codewords(base, std::span(base_ec, static_cast<std::size_t>(ec)));

  s.target.assign(static_cast<std::size_t>(elements), 0);
  s.weighted.assign(static_cast<std::size_t>(elements), 0);
  s.in_dual.assign(static_cast<std::size_t>(elements), 0);
  const auto element_of = [](int row) {
    // Candidate rows number EC bits from the most significant; elements as above.
    return row % 2 == 0 ? row : 2 * (8 * (row / 2 / 8) + 7 - row / 2 % 8) + 1;
  };
  for (const Candidate& cand : candidates) {
    const auto m = static_cast<std::size_t>(cand.module);
    const auto e = static_cast<std::size_t>(element_of(cand.row));
    s.weighted[e] = 1;
    // The module is dark when its unmasked bit differs from the mask.
    s.target[e] = (wanted[m] != 0) != (c.mask[m] != 0) ? 1 : 0;
  }
  // Primal order: weighted modules by descending weight (ties: lower index), then the other
  // pad bits, then the other EC bits, each keeping its current value.
  const auto before = [](const Candidate& x, const Candidate& y) {
    return x.weight != y.weight ? x.weight > y.weight : x.module < y.module;
  };
  std::vector<std::uint8_t> x(static_cast<std::size_t>(vars), 0);
  for (int r = 0; r < ec_bits; ++r) {
    const auto e = static_cast<std::size_t>(2 * r + 1);
    if (s.weighted[e] == 0)
      s.target[e] = static_cast<std::uint8_t>((ec_bytes[r / 8] >> (r % 8)) & 1);
  }
  std::uint64_t unit[kMaxWords];
  if (vars < ec_bits) {
    // Fewer free bits than EC bits: the primal's vectors are the shorter, and it needs
    // only `vars` of them.
    s.rows.assign(static_cast<std::size_t>(ec_bits) * kMaxWords, 0);
    for (int var = 0; var < vars; ++var) {
      const std::uint64_t* col = column(var);
      for (int k = 0; k < kMaxWords; ++k) {
        for (std::uint64_t v = col[k]; v != 0; v &= v - 1) {
          const auto r = static_cast<std::size_t>(64 * k + std::countr_zero(v));
          flip(s.rows.data() + r * kMaxWords, var);
        }
      }
    }
    std::fill(s.in_dual.begin(), s.in_dual.end(), std::uint8_t{1});  // outside the basis
    s.dual.reset(vars);
    std::uint64_t rhs_of[kMaxWords] = {};  // bit k: what the k-th basis element must sum to
    const auto add = [&](int e) {
      const auto ue = static_cast<std::size_t>(e);
      const std::uint64_t* v = unit;
      int rhs = s.target[ue];
      if (e % 2 == 0) {
        std::fill(unit, unit + kMaxWords, 0);
        flip(unit, e / 2);
      } else {
        const int r = e / 2;
        v = s.rows.data() + static_cast<std::size_t>(r) * kMaxWords;
        rhs ^= (base_ec[r / 8] >> (r % 8)) & 1;
      }
      const int k = s.dual.size();
      if (!s.dual.add(v, e)) return;
      s.in_dual[ue] = 0;
      if (rhs != 0) flip(rhs_of, k);
    };
    const auto after = [&](const Candidate& p, const Candidate& q) { return before(q, p); };
    std::make_heap(candidates.begin(), candidates.end(), after);
    for (auto end = candidates.end(); end != candidates.begin() && !s.dual.full(); --end) {
      std::pop_heap(candidates.begin(), end, after);
      add(element_of((end - 1)->row));
    }
    for (int var = 0; var < vars && !s.dual.full(); ++var) {
      const auto e = static_cast<std::size_t>(2 * var);
      if (s.weighted[e] != 0) continue;
      s.target[e] = static_cast<std::uint8_t>(data_bit(var));
      add(2 * var);
    }
    for (int r = 0; r < ec_bits && !s.dual.full(); ++r) {
      if (s.weighted[static_cast<std::size_t>(2 * r + 1)] == 0) add(2 * r + 1);
    }
    if (!s.dual.full()) {
      throw Error(ErrorCategory::internal, "choose_pad: a block's modules have rank " +
                                               std::to_string(s.dual.size()) + ", not its " +
                                               std::to_string(vars) + " free bits");
    }
    // Each basis row's lowest bit is its pivot: from the top bit down, every other bit of
    // a row is already known.
    std::uint64_t xs[kMaxWords] = {};
    for (int bit = vars - 1; bit >= 0; --bit) {
      const int row = s.dual.row_of(bit);
      if ((parity(s.dual.comb(row), rhs_of) ^ parity(s.dual.vec(row), xs)) != 0) flip(xs, bit);
    }
    for (int var = 0; var < vars; ++var) x[static_cast<std::size_t>(var)] = test(xs, var) ? 1 : 0;
  } else {
    // The dual takes the order backwards, and needs only the last few hundred weighted
    // modules: a heap with the last on top rather than a sort of all of them.
    std::make_heap(candidates.begin(), candidates.end(), before);
    s.dual.reset(ec_bits);
    for (int r = ec_bits - 1; r >= 0 && !s.dual.full(); --r) {
      const auto e = static_cast<std::size_t>(2 * r + 1);
      if (s.weighted[e] != 0) continue;
      std::fill(unit, unit + kMaxWords, 0);
      flip(unit, r);
      s.in_dual[e] = s.dual.add(unit, 2 * r + 1) ? 1 : 0;
    }
    for (int var = vars - 1; var >= 0 && !s.dual.full(); --var) {
      const auto e = static_cast<std::size_t>(2 * var);
      if (s.weighted[e] != 0) continue;
      s.in_dual[e] = s.dual.add(column(var), 2 * var) ? 1 : 0;
    }
    for (auto end = candidates.end(); end != candidates.begin() && !s.dual.full(); --end) {
      std::pop_heap(candidates.begin(), end, before);
      const int e = element_of((end - 1)->row);
      if (e % 2 == 0) {
        s.in_dual[static_cast<std::size_t>(e)] = s.dual.add(column(e / 2), e) ? 1 : 0;
      } else {
        std::fill(unit, unit + kMaxWords, 0);
        flip(unit, e / 2);
        s.in_dual[static_cast<std::size_t>(e)] = s.dual.add(unit, e) ? 1 : 0;
      }
    }
    if (!s.dual.full()) {
      throw Error(ErrorCategory::internal, "choose_pad: a block's parity checks have rank " +
                                               std::to_string(s.dual.size()) + ", not " +
                                               std::to_string(ec_bits));
    }

    // Pad bits outside the dual basis are set directly; the EC bits outside it need
    // A x = target + constant, i.e. the dual-basis pad bits' columns must sum to the target
    // plus the constant plus the set bits' columns, up to the slack of the dual EC bits.
    std::uint64_t rhs[kMaxWords] = {};
    for (int k = 0; k < ec; ++k) rhs[k / 8] |= std::uint64_t{base_ec[k]} << (8 * (k % 8));
    for (int r = 0; r < ec_bits; ++r) {
      const auto e = static_cast<std::size_t>(2 * r + 1);
      if (s.in_dual[e] == 0 && s.target[e] != 0) flip(rhs, r);
    }
    for (int var = 0; var < vars; ++var) {
      const auto e = static_cast<std::size_t>(2 * var);
      if (s.in_dual[e] != 0) continue;
      const int bit = s.weighted[e] != 0 ? s.target[e] : data_bit(var);
      x[static_cast<std::size_t>(var)] = static_cast<std::uint8_t>(bit);
      if (bit != 0) {
        for (int k = 0; k < kMaxWords; ++k) rhs[k] ^= column(var)[k];
      }
    }
    std::uint64_t coords[kMaxWords];
    s.dual.express(rhs, coords);
    for (int k = 0; k < ec_bits; ++k) {
      const int e = s.dual.element(k);
      if (e % 2 == 0) x[static_cast<std::size_t>(e / 2)] = test(coords, k) ? 1 : 0;
    }
  }
  for (int q = 0; q < free_bytes; ++q) {
    std::uint8_t byte = 0;
    for (int j = 0; j < 8; ++j) {
      byte = static_cast<std::uint8_t>(byte << 1 | x[static_cast<std::size_t>(8 * q + j)]);
    }
    data[first + q] = byte;
  }
  detail::rs_ec_codewords(std::span(data, static_cast<std::size_t>(length)),
                          std::span(ec_bytes, static_cast<std::size_t>(ec)));
  for (const Candidate& cand : candidates) {
    if (s.in_dual[static_cast<std::size_t>(element_of(cand.row))] == 0) {
      chosen.push_back(cand.module);
    }
  }
}

}  // namespace

int free_pad_bits(const Symbol& symbol) {
  detail::check_symbol(symbol, "free_pad_bits");
  const Codewords c = extract(symbol);
  return 8 * (c.layout.data_codewords() - first_free_codeword(c, symbol.version));
}

Symbol choose_pad(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                  std::span<const float> weight) {
  detail::check_symbol(symbol, "choose_pad");
  detail::check_module_spans(symbol, wanted_dark, weight, "choose_pad");
  Codewords c = extract(symbol);
  const int first_free = first_free_codeword(c, symbol.version);
  if (first_free >= c.layout.data_codewords()) return symbol;

  // Each block's first free data position: data codewords are in block order.
  const int blocks = c.layout.blocks();
  std::vector<int> first(static_cast<std::size_t>(blocks));
  for (int b = 0, start = 0; b < blocks; ++b) {
    first[static_cast<std::size_t>(b)] = std::clamp(first_free - start, 0, c.data_length(b));
    start += c.data_length(b);
  }
  std::vector<std::vector<Candidate>> candidates(static_cast<std::size_t>(blocks));
  const std::size_t bits = static_cast<std::size_t>(c.layout.total_codewords()) * 8;
  for (std::size_t k = 0; k < bits; ++k) {
    const auto ub = static_cast<std::size_t>(c.codeword_block[k / 8]);
    const int offset = c.codeword_offset[k / 8];
    const int length = c.data_length(static_cast<int>(ub));
    if (first[ub] == length || offset < first[ub]) continue;
    const int m = c.order[k];
    const float w = weight[static_cast<std::size_t>(m)];
    if (!(w > 0)) continue;
    const int bit =
        8 * (offset < length ? offset - first[ub] : offset - length) + static_cast<int>(k % 8);
    candidates[ub].push_back({w, m, 2 * bit + (offset < length ? 0 : 1)});
  }

  BlockScratch scratch;
  std::vector<int> chosen;
  for (int b = 0; b < blocks; ++b) {
    const auto ub = static_cast<std::size_t>(b);
    if (first[ub] == c.data_length(b)) continue;
    choose_block(c, b, first[ub], candidates[ub], wanted_dark, scratch, chosen);
  }

  Symbol out = symbol;
  for (std::size_t k = 0; k < bits; ++k) {
    const auto m = static_cast<std::size_t>(c.order[k]);
    const auto bit = static_cast<std::uint8_t>((c.at(k / 8) >> (7 - k % 8)) & 1);
    out.dark[m] = static_cast<std::uint8_t>(bit ^ c.mask[m]);
  }
  // The elimination promised these modules; a miss means the linear model and the
  // placement disagree, which must not ship as a silently worse code.
  for (const int m : chosen) {
    const auto um = static_cast<std::size_t>(m);
    if ((out.dark[um] != 0) != (wanted_dark[um] != 0)) {
      throw Error(ErrorCategory::internal, "choose_pad: module " + std::to_string(m) +
                                               " of a version-" + std::to_string(symbol.version) +
                                               " symbol missed its chosen colour");
    }
  }
  return out;
}

}  // namespace viscode
