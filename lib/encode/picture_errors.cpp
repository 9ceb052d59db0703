// Picture errors (correctable_per_block, picture_errors): a share of each Reed-Solomon
// block's correction capacity spent on letting the picture win where it disagrees most.
// Readers correct the flipped codewords like any capture damage, so the share spent here is
// taken from what is left for blur, glare and print defects.
#include <algorithm>
#include <string>
#include <vector>

#include "encode/checks.hpp"
#include "encode/placement.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode {

int correctable_per_block(int version, EcLevel ec) {
  const BlockLayout layout = block_layout(version, ec);
  // ISO 18004 table 9, note: the smallest symbols keep a few EC codewords (p) to detect
  // rather than correct errors, so that a random pattern is not decoded as a payload.
  int p = 0;
  if (version == 1) p = ec == EcLevel::L ? 3 : ec == EcLevel::M ? 2 : 1;
  if (version == 2 && ec == EcLevel::L) p = 2;
  if (version == 3 && ec == EcLevel::L) p = 1;
  return (layout.ec_per_block - p) / 2;
}

Symbol picture_errors(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                      std::span<const float> weight, int per_block) {
  detail::check_symbol(symbol, "picture_errors");
  detail::check_module_spans(symbol, wanted_dark, weight, "picture_errors");
  const int capacity = correctable_per_block(symbol.version, symbol.ec);
  if (per_block < 0 || per_block > capacity) {
    throw Error(ErrorCategory::usage, "picture_errors: per_block " + std::to_string(per_block) +
                                          " is outside 0.." + std::to_string(capacity) +
                                          ", what a version-" + std::to_string(symbol.version) +
                                          "-" + std::string(1, to_char(symbol.ec)) +
                                          " block corrects");
  }
  if (per_block == 0) return symbol;

  const std::vector<int>& order = detail::cached_placement_order(symbol);
  const std::vector<int> blocks = module_blocks(symbol);
  const std::size_t codewords = order.size() / 8;
  // What the picture gains per codeword: the weight of its modules that disagree with it.
  std::vector<double> gain(codewords, 0);
  for (std::size_t k = 0; k < codewords * 8; ++k) {
    const auto m = static_cast<std::size_t>(order[k]);
    const float w = weight[m];
    if (w > 0 && (wanted_dark[m] != 0) != (symbol.dark[m] != 0)) gain[k / 8] += w;
  }
  const BlockLayout layout = block_layout(symbol.version, symbol.ec);
  std::vector<std::vector<int>> by_block(static_cast<std::size_t>(layout.blocks()));
  for (std::size_t i = 0; i < codewords; ++i) {
    if (gain[i] > 0) {
      const int b = blocks[static_cast<std::size_t>(order[i * 8])];
      by_block[static_cast<std::size_t>(b)].push_back(static_cast<int>(i));
    }
  }
  std::vector<std::uint8_t> flip(codewords, 0);
  for (auto& list : by_block) {
    // Largest gain first; ties by placement order, so the choice is deterministic.
    std::stable_sort(list.begin(), list.end(), [&](int a, int b) {
      return gain[static_cast<std::size_t>(a)] > gain[static_cast<std::size_t>(b)];
    });
    const auto n = std::min(list.size(), static_cast<std::size_t>(per_block));
    for (std::size_t j = 0; j < n; ++j) flip[static_cast<std::size_t>(list[j])] = 1;
  }
  Symbol out = symbol;
  if (out.spent.empty()) out.spent.assign(symbol.dark.size(), 0);
  for (std::size_t k = 0; k < codewords * 8; ++k) {
    if (!flip[k / 8]) continue;
    const auto m = static_cast<std::size_t>(order[k]);
    out.spent[m] = 1;
    if (weight[m] > 0) out.dark[m] = wanted_dark[m] != 0 ? 1 : 0;
  }
  return out;
}

}  // namespace viscode
