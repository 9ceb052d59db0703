#include <algorithm>
#include <array>
#include <mutex>
#include <numeric>
#include <utility>

#include "detect/bitstream.hpp"
#include "detect/format_info.hpp"
#include "detect/model1.hpp"
#include "detect/reed_solomon.hpp"
#include "encode/mask.hpp"
#include "encode/placement.hpp"
#include "viscode/detect.hpp"

namespace viscode {

int Decoded::errors_corrected() const {
  return std::accumulate(blocks.begin(), blocks.end(), 0,
                         [](int sum, const BlockMargin& b) { return sum + b.errors + b.erasures; });
}

int Decoded::error_capacity() const {
  return std::accumulate(blocks.begin(), blocks.end(), 0,
                         [](int sum, const BlockMargin& b) { return sum + b.capacity / 2; });
}

namespace {

// ISO 18004 table 9 holds back p "misdecode protection" codewords in the smallest symbols,
// whose short blocks would otherwise too often correct a damaged word into a wrong one.
int misdecode_protection(int version, EcLevel ec) {
  if (version == 1) return ec == EcLevel::L ? 3 : ec == EcLevel::M ? 2 : 1;
  if (version == 2 && ec == EcLevel::L) return 2;
  if (version == 3 && ec == EcLevel::L) return 1;
  return 0;
}

// Erasure decoding is retried with many erasure sets, and each retry is another chance to
// land on a wrong codeword. Keeping this many EC codewords unused as a pure check bounds
// that chance to about 256^-4 per retry.
constexpr int kErasureGuard = 4;

// Module indices in codeword-bit order for a version. The function-pattern layout depends
// only on the version, so any symbol the encoder makes at that version provides it.
const std::vector<int>& module_order(int version) {
  static std::array<std::once_flag, 41> once;
  static std::array<std::vector<int>, 41> orders;
  const auto v = static_cast<std::size_t>(version);
  std::call_once(once[v], [&] {
    EncodeOptions options;
    options.ec = EcLevel::L;
    options.min_version = version;
    options.max_version = version;
    orders[v] = detail::placement_order(encode("1", options));
  });
  return orders[v];
}

float confidence_at(const ModuleGrid& grid, int index) {
  return grid.confidence.empty() ? 1.0f : grid.confidence[static_cast<std::size_t>(index)];
}

std::optional<BlockMargin> correct_block(std::vector<std::uint8_t>& block,
                                         const std::vector<float>& confidence, int ec, int p) {
  BlockMargin margin;
  margin.capacity = ec - p;
  std::vector<std::uint8_t> work = block;
  const detail::RsResult plain = detail::rs_correct(work, ec);
  if (plain.ok && 2 * plain.errors <= ec - p) {
    block = std::move(work);
    margin.errors = plain.errors;
    return margin;
  }

  // Least confident codewords first; fully confident ones are no better guesses than any
  // other codeword, so erasing them would only spend redundancy.
  std::vector<int> suspects;
  for (std::size_t i = 0; i < confidence.size(); ++i) {
    if (confidence[i] < 1.0f) suspects.push_back(static_cast<int>(i));
  }
  std::stable_sort(suspects.begin(), suspects.end(), [&](int a, int b) {
    return confidence[static_cast<std::size_t>(a)] < confidence[static_cast<std::size_t>(b)];
  });
  const int budget = ec - std::max(p, kErasureGuard);
  const int most = std::min(static_cast<int>(suspects.size()), budget);
  const std::vector<std::uint8_t> syndromes = detail::rs_syndromes(block, ec);
  for (int e = 1; e <= most; ++e) {
    work = block;
    const detail::RsResult r = detail::rs_correct(
        work, ec, std::span<const int>(suspects.data(), static_cast<std::size_t>(e)), syndromes);
    if (r.ok && 2 * r.errors + e <= budget) {
      block = std::move(work);
      margin.errors = r.errors;
      margin.erasures = r.erasures;
      return margin;
    }
  }
  return std::nullopt;
}

std::optional<Decoded> decode_data(const ModuleGrid& grid, int version, EcLevel ec, int mask) {
  const int size = grid.size;
  const std::vector<int>& order = module_order(version);
  const BlockLayout layout = block_layout(version, ec);
  const int total = layout.total_codewords();
  if (order.size() < static_cast<std::size_t>(total) * 8) return std::nullopt;

  std::vector<std::uint8_t> codewords(static_cast<std::size_t>(total), 0);
  std::vector<float> codeword_confidence(static_cast<std::size_t>(total), 1.0f);
  for (std::size_t k = 0; k < static_cast<std::size_t>(total) * 8; ++k) {
    const int index = order[k];
    const int x = index % size;
    const int y = index / size;
    const bool bit = grid.is_dark(x, y) != detail::mask_inverts(mask, y, x);
    if (bit) codewords[k / 8] |= static_cast<std::uint8_t>(0x80u >> (k % 8));
    float& c = codeword_confidence[k / 8];
    c = std::min(c, confidence_at(grid, index));
  }

  // Undo the interleaving: data codeword i of each block in turn (group-2 blocks have one
  // more), then EC codeword i of each block in turn.
  const int blocks = layout.blocks();
  auto data_length = [&](int b) {
    return b < layout.blocks1 ? layout.data_per_block1 : layout.data_per_block2;
  };
  std::vector<std::vector<std::uint8_t>> block_words(static_cast<std::size_t>(blocks));
  std::vector<std::vector<float>> block_confidence(static_cast<std::size_t>(blocks));
  for (int b = 0; b < blocks; ++b) {
    const auto length = static_cast<std::size_t>(data_length(b) + layout.ec_per_block);
    block_words[static_cast<std::size_t>(b)].resize(length);
    block_confidence[static_cast<std::size_t>(b)].resize(length);
  }
  std::size_t next = 0;
  std::vector<std::pair<int, int>> placed(static_cast<std::size_t>(total));  // (block, index)
  auto take = [&](int b, int i) {
    placed[next] = {b, i};
    block_words[static_cast<std::size_t>(b)][static_cast<std::size_t>(i)] = codewords[next];
    block_confidence[static_cast<std::size_t>(b)][static_cast<std::size_t>(i)] =
        codeword_confidence[next];
    ++next;
  };
  const int longest =
      std::max(layout.data_per_block1, layout.blocks2 > 0 ? layout.data_per_block2 : 0);
  for (int i = 0; i < longest; ++i) {
    for (int b = 0; b < blocks; ++b) {
      if (i < data_length(b)) take(b, i);
    }
  }
  for (int i = 0; i < layout.ec_per_block; ++i) {
    for (int b = 0; b < blocks; ++b) take(b, data_length(b) + i);
  }

  Decoded out;
  out.version = version;
  out.ec = ec;
  out.mask = mask;
  const int p = misdecode_protection(version, ec);
  std::vector<std::uint8_t> data;
  data.reserve(static_cast<std::size_t>(layout.data_codewords()));
  for (int b = 0; b < blocks; ++b) {
    auto& words = block_words[static_cast<std::size_t>(b)];
    const auto margin =
        correct_block(words, block_confidence[static_cast<std::size_t>(b)], layout.ec_per_block, p);
    if (!margin) return std::nullopt;
    out.blocks.push_back(*margin);
    data.insert(data.end(), words.begin(), words.begin() + data_length(b));
  }

  // The modules whose bits correction changed: where this capture was misread.
  out.wrong_modules.assign(static_cast<std::size_t>(size) * static_cast<std::size_t>(size), 0);
  for (std::size_t k = 0; k < static_cast<std::size_t>(total); ++k) {
    const auto [b, i] = placed[k];
    const auto diff = static_cast<std::uint8_t>(
        codewords[k] ^ block_words[static_cast<std::size_t>(b)][static_cast<std::size_t>(i)]);
    for (std::size_t bit = 0; bit < 8; ++bit) {
      if (diff & (0x80u >> bit))
        out.wrong_modules[static_cast<std::size_t>(order[k * 8 + bit])] = 1;
    }
  }

  auto payload = detail::parse_bitstream(data, version);
  if (!payload) return std::nullopt;
  payload->move_into(out);
  return out;
}

// The grid taken as it stands (not transposed): format, then version, then data.
std::optional<Decoded> decode_as_read(const ModuleGrid& grid) {
  const int size = grid.size;
  const int version = (size - 17) / 4;

  const detail::FormatPositions pos = detail::format_positions(size);
  std::uint16_t first = 0;
  std::uint16_t second = 0;
  for (std::size_t i = 0; i < 15; ++i) {
    if (grid.is_dark(pos.first[i][0], pos.first[i][1])) {
      first |= static_cast<std::uint16_t>(1u << i);
    }
    if (grid.is_dark(pos.second[i][0], pos.second[i][1])) {
      second |= static_cast<std::uint16_t>(1u << i);
    }
  }
  std::vector<detail::FormatInfo> formats;
  for (const auto bits : {first, second}) {
    if (const auto f = detail::decode_format(bits)) formats.push_back(*f);
  }
  // The nearer copy first; when both copies are readable but disagree, the other is a fallback.
  std::stable_sort(formats.begin(), formats.end(),
                   [](const auto& a, const auto& b) { return a.distance < b.distance; });
  if (formats.size() == 2 && formats[0].ec == formats[1].ec && formats[0].mask == formats[1].mask) {
    formats.pop_back();
  }
  if (formats.empty()) return std::nullopt;

  if (version >= 7) {
    // Version bit i (least significant first) sits in a 3-wide, 6-tall block left of the
    // top-right finder and in its mirror image across the diagonal above the bottom-left one.
    std::uint32_t top_right = 0;
    std::uint32_t bottom_left = 0;
    for (int i = 0; i < 18; ++i) {
      if (grid.is_dark(size - 11 + i % 3, i / 3)) top_right |= 1u << i;
      if (grid.is_dark(i / 3, size - 11 + i % 3)) bottom_left |= 1u << i;
    }
    if (detail::decode_version(top_right) != version &&
        detail::decode_version(bottom_left) != version) {
      return std::nullopt;
    }
  }

  for (const auto& f : formats) {
    if (auto decoded = decode_data(grid, version, f.ec, f.mask)) return decoded;
  }
  return std::nullopt;
}

ModuleGrid transposed(const ModuleGrid& grid) {
  ModuleGrid t = grid;
  const auto n = static_cast<std::size_t>(grid.size);
  for (std::size_t y = 0; y < n; ++y) {
    for (std::size_t x = 0; x < n; ++x) {
      t.darkness[y * n + x] = grid.darkness[x * n + y];
      if (!grid.confidence.empty()) t.confidence[y * n + x] = grid.confidence[x * n + y];
    }
  }
  return t;
}

}  // namespace

std::optional<Decoded> decode_grid(const ModuleGrid& grid) {
  if (grid.size < 21 || grid.size > 177 || (grid.size - 17) % 4 != 0) return std::nullopt;
  const auto cells = static_cast<std::size_t>(grid.size) * static_cast<std::size_t>(grid.size);
  if (grid.darkness.size() != cells) return std::nullopt;
  if (!grid.confidence.empty() && grid.confidence.size() != cells) return std::nullopt;

  if (auto decoded = decode_as_read(grid)) return decoded;
  // A symbol seen from behind is the transpose of the real one: the finders stay put.
  if (auto decoded = decode_as_read(transposed(grid))) {
    decoded->mirrored = true;
    return decoded;
  }
  // Model 1 only after Model 2 failed both ways: Model 2 reads stay exactly as they were.
  for (const bool mirrored : {false, true}) {
    if (auto decoded = detail::decode_model1(mirrored ? transposed(grid) : grid, correct_block)) {
      decoded->mirrored = mirrored;
      return decoded;
    }
  }
  return std::nullopt;
}

}  // namespace viscode
