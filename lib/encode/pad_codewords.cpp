// Image-aware pad codewords (free_pad_bits, choose_pad): QArt's idea at any EC level. The pad
// codewords after the terminator are free; every module of their block is an affine function
// of their bits over GF(2) (data modules directly, EC modules through Reed-Solomon, which is
// linear), so picking modules greedily by weight and keeping those still independent of the
// ones picked is a matroid greedy: no later module can be bought by giving up an earlier one.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "encode/mask.hpp"
#include "encode/placement.hpp"
#include "encode/reed_solomon.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

void check_symbol(const Symbol& symbol, const char* what) {
  const auto cells = static_cast<std::size_t>(symbol.size) * static_cast<std::size_t>(symbol.size);
  if (symbol.version < 1 || symbol.version > 40 || symbol.size != 17 + 4 * symbol.version ||
      symbol.dark.size() != cells || symbol.roles.size() != cells || symbol.mask < 0 ||
      symbol.mask > 7) {
    throw Error(ErrorCategory::usage, std::string(what) +
                                          " needs a symbol from encode(): version, size, mask, "
                                          "dark and roles disagree");
  }
}

// A symbol's codewords, unmasked and de-interleaved: block b's data then its EC codewords
// from block_start[b].
struct Codewords {
  BlockLayout layout;
  std::vector<int> order;            // detail::placement_order
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
  c.order = detail::placement_order(symbol);
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

// Greedy Gaussian elimination over one block's free bits. A pad data module pins one bit;
// EC modules are dense rows, at most 8 * 30, kept in reduced row echelon form with pivots
// among the unpinned bits. Rows keep their pinned bits (solve() reads the pinned values), so
// pinning a bit touches the rows only when it was a pivot.
class BlockSolver {
 public:
  void reset(int vars, int ec_bits) {
    vars_ = vars;
    words_ = (vars + 63) / 64;
    rank_ = 0;
    dense_count_ = 0;
    const auto w = static_cast<std::size_t>(words_);
    ec_rows_.assign(static_cast<std::size_t>(ec_bits) * w, 0);
    dense_.resize(static_cast<std::size_t>(ec_bits) * w);
    dense_pivot_.assign(static_cast<std::size_t>(ec_bits), -1);
    dense_target_.assign(static_cast<std::size_t>(ec_bits), 0);
    pivot_row_.assign(static_cast<std::size_t>(vars), -1);
    pinned_.assign(w, 0);
    value_.assign(w, 0);
  }
  // How EC bit r depends on the free bits; filled by the caller before adding rows.
  std::uint64_t* ec_row(int r) { return ec_rows_.data() + static_cast<std::size_t>(r) * w(); }
  bool full() const { return rank_ == vars_; }

  // Asks free bit i to be `target`; false when earlier choices already decide it.
  bool add_unit(int i, bool target) {
    const int d = pivot_row_[static_cast<std::size_t>(i)];
    // The row whose pivot is i decides bit i alone iff i is its only unpinned bit.
    if (d >= 0 && lowest_unpinned(dense(d), i + 1) < 0 && lowest_unpinned(dense(d), 0) == i) {
      return false;
    }
    flip(pinned_.data(), i);
    if (target) flip(value_.data(), i);
    if (d >= 0) {
      // Row d lost its pivot; another unpinned bit of it, free of other pivots (reduced
      // form), takes over once the other rows are cleared of it.
      pivot_row_[static_cast<std::size_t>(i)] = -1;
      eliminate(d, lowest_unpinned(dense(d), 0));
    }
    ++rank_;
    return true;
  }

  // Asks EC bit r, whose value is `constant` XOR its row times the free bits, to be `target`.
  bool add_dense(int r, bool target) {
    std::uint64_t* v = dense(dense_count_);
    const std::uint64_t* src = ec_row(r);
    std::copy(src, src + w(), v);
    std::uint8_t t = target ? 1 : 0;
    for (int k = 0; k < dense_count_; ++k) {
      if (test(v, dense_pivot_[static_cast<std::size_t>(k)])) {
        xor_into(v, dense(k));
        t ^= dense_target_[static_cast<std::size_t>(k)];
      }
    }
    // Nothing unpinned left: the pinned bits and earlier rows decide this one.
    const int q = lowest_unpinned(v, 0);
    if (q < 0) return false;
    const int d = dense_count_++;
    dense_target_[static_cast<std::size_t>(d)] = t;
    eliminate(d, q);
    ++rank_;
    return true;
  }

  // The free bits: pinned ones as asked, those no row decides as `x` has them, and each
  // dense row's pivot from the rest of its row.
  void solve(std::vector<std::uint64_t>& x) const {
    for (std::size_t k = 0; k < w(); ++k) x[k] = (x[k] & ~pinned_[k]) | value_[k];
    for (int d = 0; d < dense_count_; ++d) {
      const std::uint64_t* row = dense_.data() + static_cast<std::size_t>(d) * w();
      int parity = dense_target_[static_cast<std::size_t>(d)];
      for (std::size_t k = 0; k < w(); ++k) parity ^= std::popcount(row[k] & x[k]) & 1;
      // The sum included the pivot's own stale value; no other row has that bit.
      if (parity != 0) flip(x.data(), dense_pivot_[static_cast<std::size_t>(d)]);
    }
  }

 private:
  std::size_t w() const { return static_cast<std::size_t>(words_); }
  std::uint64_t* dense(int d) { return dense_.data() + static_cast<std::size_t>(d) * w(); }
  // The lowest unpinned set bit of v at or above `from`, or -1.
  int lowest_unpinned(const std::uint64_t* v, int from) const {
    for (std::size_t k = static_cast<std::size_t>(from) / 64; k < w(); ++k) {
      std::uint64_t bits = v[k] & ~pinned_[k];
      if (k == static_cast<std::size_t>(from) / 64) bits &= ~std::uint64_t{0} << (from % 64);
      if (bits != 0) return static_cast<int>(k) * 64 + std::countr_zero(bits);
    }
    return -1;
  }
  void xor_into(std::uint64_t* dst, const std::uint64_t* src) const {
    for (std::size_t k = 0; k < w(); ++k) dst[k] ^= src[k];
  }
  // Makes column q row d's pivot and clears it from every other dense row.
  void eliminate(int d, int q) {
    dense_pivot_[static_cast<std::size_t>(d)] = q;
    pivot_row_[static_cast<std::size_t>(q)] = d;
    const std::uint64_t* row = dense(d);
    const std::uint8_t t = dense_target_[static_cast<std::size_t>(d)];
    for (int k = 0; k < dense_count_; ++k) {
      if (k != d && test(dense(k), q)) {
        xor_into(dense(k), row);
        dense_target_[static_cast<std::size_t>(k)] ^= t;
      }
    }
  }

  int vars_ = 0;
  int words_ = 0;
  int rank_ = 0;
  int dense_count_ = 0;
  std::vector<std::uint64_t> ec_rows_, dense_, pinned_, value_;
  std::vector<int> dense_pivot_, pivot_row_;
  std::vector<std::uint8_t> dense_target_;
};

// Transposes an 8x8 bit matrix (byte i, bit j) -> (byte j, bit i) (Hacker's Delight 7-3).
std::uint64_t transpose8(std::uint64_t x) {
  std::uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  return x ^ t ^ (t << 28);
}

// Chooses block b's free codewords (data positions from `first` on) and rewrites its EC.
// Appends the modules it set to `chosen`.
void choose_block(Codewords& c, int b, int first, std::vector<Candidate>& candidates,
                  std::span<const std::uint8_t> wanted, BlockSolver& solver,
                  std::vector<int>& chosen) {
  const int length = c.data_length(b);
  const int ec = c.layout.ec_per_block;
  const int free_bytes = length - first;
  const int vars = 8 * free_bytes;
  std::uint8_t* data = c.bytes.data() + c.block_start[static_cast<std::size_t>(b)];
  std::uint8_t* ec_bytes = data + length;

  solver.reset(vars, 8 * ec);
  // Each free bit's EC contribution, transposed to one row of free bits per EC bit.
  std::vector<std::uint8_t> responses(static_cast<std::size_t>(free_bytes * ec));
  detail::rs_unit_responses(length, first, ec, responses);
  // y[j][k]: EC codeword k's response to free bit j (value 1 << (7 - j)) of a codeword.
  std::uint8_t y[8][30];
  for (int q = 0; q < free_bytes; ++q) {
    std::copy_n(responses.data() + static_cast<std::size_t>(q * ec), ec, y[7]);
    for (int j = 6; j >= 0; --j) {
      for (int k = 0; k < ec; ++k) y[j][k] = detail::gf_double(y[j + 1][k]);
    }
    // Per EC codeword, the 8x8 matrix (free bit j, EC bit) transposed gives each EC bit's
    // row one whole byte: free bits 8q..8q+7.
    const auto word = static_cast<std::size_t>(q / 8);
    const int shift = 8 * (q % 8);
    for (int k = 0; k < ec; ++k) {
      std::uint64_t m = 0;
      for (int j = 0; j < 8; ++j) m |= std::uint64_t{y[j][k]} << (8 * j);
      m = transpose8(m);
      // Byte `bit` of m: the EC bit with value 1 << bit, bit 7 - bit of codeword k.
      for (int bit = 0; bit < 8; ++bit) {
        solver.ec_row(8 * k + 7 - bit)[word] |= ((m >> (8 * bit)) & 0xFFu) << shift;
      }
    }
  }
  // What the EC would be with every free bit 0: the constant of each EC module's function.
  std::vector<std::uint8_t> base(data, data + length);
  std::fill(base.begin() + first, base.end(), std::uint8_t{0});
  std::uint8_t base_ec[30];
  detail::rs_ec_codewords(base, std::span(base_ec, static_cast<std::size_t>(ec)));

  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b2) {
    return a.weight != b2.weight ? a.weight > b2.weight : a.module < b2.module;
  });
  for (const Candidate& cand : candidates) {
    if (solver.full()) break;
    const auto m = static_cast<std::size_t>(cand.module);
    // The module is dark when its unmasked bit differs from the mask.
    const bool bit = (wanted[m] != 0) != (c.mask[m] != 0);
    bool taken = false;
    if (cand.row % 2 == 0) {
      taken = solver.add_unit(cand.row / 2, bit);
    } else {
      const int r = cand.row / 2;
      const bool constant = ((base_ec[r / 8] >> (7 - r % 8)) & 1) != 0;
      taken = solver.add_dense(r, bit != constant);
    }
    if (taken) chosen.push_back(cand.module);
  }

  std::vector<std::uint64_t> x(static_cast<std::size_t>((vars + 63) / 64), 0);
  for (int var = 0; var < vars; ++var) {
    if (((data[first + var / 8] >> (7 - var % 8)) & 1) != 0) flip(x.data(), var);
  }
  solver.solve(x);
  for (int q = 0; q < free_bytes; ++q) {
    std::uint8_t byte = 0;
    for (int j = 0; j < 8; ++j) {
      byte = static_cast<std::uint8_t>(byte << 1 | (test(x.data(), 8 * q + j) ? 1 : 0));
    }
    data[first + q] = byte;
  }
  detail::rs_ec_codewords(std::span(data, static_cast<std::size_t>(length)),
                          std::span(ec_bytes, static_cast<std::size_t>(ec)));
}

}  // namespace

int free_pad_bits(const Symbol& symbol) {
  check_symbol(symbol, "free_pad_bits");
  const Codewords c = extract(symbol);
  return 8 * (c.layout.data_codewords() - first_free_codeword(c, symbol.version));
}

Symbol choose_pad(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                  std::span<const float> weight) {
  check_symbol(symbol, "choose_pad");
  const auto cells = symbol.dark.size();
  if (wanted_dark.size() != cells || weight.size() != cells) {
    throw Error(ErrorCategory::usage,
                "choose_pad needs wanted_dark and weight with one entry per module (" +
                    std::to_string(cells) + " for version " + std::to_string(symbol.version) +
                    "), got " + std::to_string(wanted_dark.size()) + " and " +
                    std::to_string(weight.size()));
  }
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

  BlockSolver solver;
  std::vector<int> chosen;
  for (int b = 0; b < blocks; ++b) {
    const auto ub = static_cast<std::size_t>(b);
    if (first[ub] == c.data_length(b)) continue;
    choose_block(c, b, first[ub], candidates[ub], wanted_dark, solver, chosen);
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
