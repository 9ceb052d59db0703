#include <array>
#include <mutex>
#include <string>

#include "encode/placement.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace detail {

std::vector<int> placement_order(const Symbol& symbol) {
  const int size = symbol.size;
  std::vector<int> order;
  order.reserve(static_cast<std::size_t>(size) * static_cast<std::size_t>(size));
  bool upward = true;
  for (int right = size - 1; right >= 1; right -= 2) {
    // The vertical timing pattern would split a column pair, so the walk shifts left by one.
    if (right == 6) right = 5;
    for (int step = 0; step < size; ++step) {
      const int y = upward ? size - 1 - step : step;
      for (int x = right; x >= right - 1; --x) {
        if (!symbol.is_function(x, y)) order.push_back(y * size + x);
      }
    }
    upward = !upward;
  }
  return order;
}

const std::vector<int>& cached_placement_order(const Symbol& symbol) {
  static std::array<std::once_flag, 41> once;
  static std::array<std::vector<int>, 41> orders;
  const auto v = static_cast<std::size_t>(symbol.version);
  std::call_once(once.at(v), [&] { orders[v] = placement_order(symbol); });
  return orders[v];
}

}  // namespace detail

std::vector<int> module_blocks(const Symbol& symbol) {
  const auto cells = static_cast<std::size_t>(symbol.size) * static_cast<std::size_t>(symbol.size);
  if (symbol.version < 1 || symbol.version > 40 || symbol.size != 17 + 4 * symbol.version ||
      symbol.roles.size() != cells) {
    throw Error(ErrorCategory::usage,
                "module_blocks needs a symbol from encode(): version, size and roles disagree");
  }
  const BlockLayout layout = block_layout(symbol.version, symbol.ec);
  const int blocks = layout.blocks();

  // The interleaved sequence: data codeword i of every block in turn (group-2 blocks have
  // one extra at the end), then EC codeword i of every block in turn.
  std::vector<int> codeword_block;
  codeword_block.reserve(static_cast<std::size_t>(layout.total_codewords()));
  const int longest = layout.blocks2 > 0 ? layout.data_per_block2 : layout.data_per_block1;
  for (int i = 0; i < longest; ++i) {
    for (int b = 0; b < blocks; ++b) {
      const int length = b < layout.blocks1 ? layout.data_per_block1 : layout.data_per_block2;
      if (i < length) codeword_block.push_back(b);
    }
  }
  for (int i = 0; i < layout.ec_per_block; ++i) {
    for (int b = 0; b < blocks; ++b) codeword_block.push_back(b);
  }

  const std::vector<int>& order = detail::cached_placement_order(symbol);
  if (order.size() / 8 != codeword_block.size()) {
    throw Error(ErrorCategory::internal, "version " + std::to_string(symbol.version) + " has " +
                                             std::to_string(order.size()) + " data modules but " +
                                             std::to_string(codeword_block.size()) +
                                             " codewords in its block layout");
  }
  std::vector<int> result(cells, -1);
  // Bits past the last whole codeword are remainder bits and keep -1.
  for (std::size_t k = 0; k < codeword_block.size() * 8; ++k) {
    result[static_cast<std::size_t>(order[k])] = codeword_block[k / 8];
  }
  return result;
}

}  // namespace viscode
