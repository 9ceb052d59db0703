// decode_grid end to end: symbols made by the encoder (and by the qrencode tool, for kanji
// and structured append) are sampled into module grids, damaged, and read back. Beyond
// capacity the decoder must say nothing rather than something wrong.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

#include "test_encode_util.hpp"
#include "viscode/detect.hpp"
#include "viscode/encode.hpp"

using viscode::decode_grid;
using viscode::Decoded;
using viscode::EcLevel;
using viscode::EncodeOptions;
using viscode::ModuleGrid;
using viscode::Symbol;
namespace t = viscode::test;
namespace fs = std::filesystem;

namespace {

ModuleGrid grid_of(const Symbol& s) {
  ModuleGrid g;
  g.size = s.size;
  for (const std::uint8_t d : s.dark) g.darkness.push_back(d ? 1.0f : 0.0f);
  g.confidence.assign(g.darkness.size(), 1.0f);
  return g;
}

void flip(ModuleGrid& g, int index, float confidence = 1.0f) {
  auto& d = g.darkness[static_cast<std::size_t>(index)];
  d = 1.0f - d;
  g.confidence[static_cast<std::size_t>(index)] = confidence;
}

// ISO 18004 table 9's misdecode protection codewords, restated for the tests.
int protection(int version, EcLevel ec) {
  if (version == 1) return ec == EcLevel::L ? 3 : ec == EcLevel::M ? 2 : 1;
  if (version == 2 && ec == EcLevel::L) return 2;
  if (version == 3 && ec == EcLevel::L) return 1;
  return 0;
}

// Codewords per block that plain (errors-only) correction may fix.
int error_budget(int version, EcLevel ec) {
  return (viscode::block_layout(version, ec).ec_per_block - protection(version, ec)) / 2;
}

struct Payload {
  std::string text;
  std::vector<std::uint8_t> bytes;
  bool binary = false;
};

// A payload of about `bytes` bytes: UTF-8 text, digits, alphanumerics or random binary.
Payload make_payload(int kind, int bytes, std::mt19937& rng) {
  Payload p;
  const auto n = static_cast<std::size_t>(bytes);
  switch (kind % 4) {
    case 0: {
      static const std::vector<std::string> chars = {"h", "é", "l", "l", "o", " ", "世", "界", " "};
      for (std::size_t i = 0;; ++i) {
        const std::string& c = chars[i % chars.size()];
        if (p.text.size() + c.size() > n) break;
        p.text += c;
      }
      break;
    }
    case 1:
      for (std::size_t i = 0; i < n; ++i) p.text += static_cast<char>('0' + rng() % 10);
      break;
    case 2: {
      const std::string set = "HELLO WORLD $%*+-./:0123456789";
      for (std::size_t i = 0; i < n; ++i) p.text += set[rng() % set.size()];
      break;
    }
    default:
      p.binary = true;
      for (std::size_t i = 0; i < n; ++i) p.bytes.push_back(static_cast<std::uint8_t>(rng()));
      return p;
  }
  p.bytes.assign(p.text.begin(), p.text.end());
  return p;
}

Symbol encode_payload(const Payload& p, int version, EcLevel ec) {
  EncodeOptions o;
  o.ec = ec;
  o.min_version = version;
  o.max_version = version;
  return p.binary ? viscode::encode_bytes(p.bytes, o) : viscode::encode(p.text, o);
}

void check_payload(const Decoded& d, const Payload& p) {
  CHECK(d.bytes == p.bytes);
  if (!p.binary) CHECK(d.text == p.text);
}

// For every codeword of the symbol (interleaved order), its 8 modules and its block.
struct Codewords {
  std::vector<std::array<int, 8>> modules;
  std::vector<int> block;
};
Codewords codewords_of(const Symbol& s) {
  const std::vector<int> order = t::walk(s);
  const std::vector<int> blocks = viscode::module_blocks(s);
  Codewords c;
  for (std::size_t k = 0; k + 8 <= order.size(); k += 8) {
    if (blocks[static_cast<std::size_t>(order[k])] < 0) break;  // remainder bits
    std::array<int, 8> m{};
    std::copy(order.begin() + static_cast<std::ptrdiff_t>(k),
              order.begin() + static_cast<std::ptrdiff_t>(k + 8), m.begin());
    c.modules.push_back(m);
    c.block.push_back(blocks[static_cast<std::size_t>(order[k])]);
  }
  return c;
}

// `per_block[b]` distinct codewords of each block b, chosen at random.
std::vector<int> pick_codewords(const Codewords& c, const std::vector<int>& per_block,
                                std::mt19937& rng) {
  std::vector<int> all(c.block.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<int> left = per_block;
  std::vector<int> chosen;
  for (const int k : all) {
    int& n = left[static_cast<std::size_t>(c.block[static_cast<std::size_t>(k)])];
    if (n > 0) {
      chosen.push_back(k);
      --n;
    }
  }
  return chosen;
}

// Damages one random module of each chosen codeword.
void damage(ModuleGrid& g, const Codewords& c, const std::vector<int>& chosen, std::mt19937& rng,
            float confidence = 1.0f) {
  for (const int k : chosen) flip(g, c.modules[static_cast<std::size_t>(k)][rng() % 8], confidence);
}

ModuleGrid transpose(const ModuleGrid& g) {
  ModuleGrid out = g;
  const auto n = static_cast<std::size_t>(g.size);
  for (std::size_t y = 0; y < n; ++y) {
    for (std::size_t x = 0; x < n; ++x) {
      out.darkness[y * n + x] = g.darkness[x * n + y];
      out.confidence[y * n + x] = g.confidence[x * n + y];
    }
  }
  return out;
}

bool have_qrencode_tool() {
  return std::system("qrencode -V > /dev/null 2>&1") == 0;
}

// A qrencode PNG written with -s 4 -m 0: one module per 4x4 pixels, no quiet zone.
ModuleGrid grid_from_png(const fs::path& file) {
  const cv::Mat img = cv::imread(file.string(), cv::IMREAD_GRAYSCALE);
  REQUIRE_FALSE(img.empty());
  REQUIRE(img.cols == img.rows);
  ModuleGrid g;
  g.size = img.cols / 4;
  for (int y = 0; y < g.size; ++y) {
    for (int x = 0; x < g.size; ++x) {
      g.darkness.push_back(img.at<std::uint8_t>(4 * y + 2, 4 * x + 2) < 128 ? 1.0f : 0.0f);
    }
  }
  g.confidence.assign(g.darkness.size(), 1.0f);
  return g;
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("viscode-detect-" + name + "-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("Every version and level decodes what the encoder wrote", "[detect][decode]") {
  std::mt19937 rng(11);
  for (int version = 1; version <= 40; ++version) {
    for (const EcLevel ec : t::kLevels) {
      const int kind = version + static_cast<int>(ec);
      // Full symbols for small versions; large ones need not be full to fill every block.
      const int capacity = viscode::byte_capacity(ec, version);
      const Payload p = make_payload(kind, std::min(capacity, 40 + version * 10), rng);
      const Symbol s = encode_payload(p, version, ec);
      REQUIRE(s.version == version);
      const auto d = decode_grid(grid_of(s));
      INFO("version " << version << "-" << viscode::to_char(ec) << " kind " << kind % 4);
      REQUIRE(d);
      check_payload(*d, p);
      CHECK(d->version == version);
      CHECK(d->ec == ec);
      CHECK(d->mask == s.mask);
      CHECK_FALSE(d->mirrored);
      CHECK_FALSE(d->structured_append);
      CHECK(d->errors_corrected() == 0);
      const auto layout = viscode::block_layout(version, ec);
      REQUIRE(static_cast<int>(d->blocks.size()) == layout.blocks());
      for (const auto& b : d->blocks) {
        CHECK(b.capacity == layout.ec_per_block - protection(version, ec));
      }
      CHECK(d->error_capacity() == layout.blocks() * error_budget(version, ec));
    }
  }
}

TEST_CASE("Full-capacity payloads and every mask", "[detect][decode]") {
  std::mt19937 rng(12);
  for (const int version : {1, 2, 6, 7, 13, 26, 27, 40}) {
    for (const EcLevel ec : {EcLevel::L, EcLevel::H}) {
      for (int kind = 0; kind < 4; ++kind) {
        const Payload p = make_payload(kind, viscode::byte_capacity(ec, version), rng);
        const Symbol s = encode_payload(p, version, ec);
        const auto d = decode_grid(grid_of(s));
        INFO("version " << version << " kind " << kind);
        REQUIRE(d);
        check_payload(*d, p);
      }
    }
  }
  const Payload p = make_payload(0, 30, rng);
  const Symbol base = encode_payload(p, 8, EcLevel::Q);
  for (int mask = 0; mask < 8; ++mask) {
    const auto d = decode_grid(grid_of(viscode::with_mask(base, mask)));
    REQUIRE(d);
    CHECK(d->mask == mask);
    check_payload(*d, p);
  }
}

TEST_CASE("Damage within capacity is corrected and counted", "[detect][decode]") {
  std::mt19937 rng(13);
  const std::vector<std::pair<int, EcLevel>> cases = {
      {1, EcLevel::L},  {1, EcLevel::H},  {2, EcLevel::L},  {3, EcLevel::M},
      {5, EcLevel::Q},  {7, EcLevel::M},  {10, EcLevel::H}, {15, EcLevel::L},
      {22, EcLevel::Q}, {27, EcLevel::M}, {33, EcLevel::H}, {40, EcLevel::L}};
  for (const auto& [version, ec] : cases) {
    const Payload p = make_payload(version, viscode::byte_capacity(ec, version) / 2 + 1, rng);
    const Symbol s = encode_payload(p, version, ec);
    const Codewords c = codewords_of(s);
    const auto layout = viscode::block_layout(version, ec);
    for (int trial = 0; trial < 4; ++trial) {
      // Random damage up to each block's budget, the last trial exactly at it.
      std::vector<int> per_block(static_cast<std::size_t>(layout.blocks()));
      for (int& n : per_block) {
        n = trial == 3
                ? error_budget(version, ec)
                : 1 + static_cast<int>(rng() % static_cast<unsigned>(error_budget(version, ec)));
      }
      const auto chosen = pick_codewords(c, per_block, rng);
      ModuleGrid g = grid_of(s);
      damage(g, c, chosen, rng);
      const auto d = decode_grid(g);
      INFO("version " << version << " trial " << trial << ": " << chosen.size() << " codewords");
      REQUIRE(d);
      check_payload(*d, p);
      CHECK(d->errors_corrected() == static_cast<int>(chosen.size()));
      for (std::size_t b = 0; b < d->blocks.size(); ++b) {
        CHECK(d->blocks[b].errors == per_block[b]);
        CHECK(d->blocks[b].erasures == 0);
      }
    }
  }
}

TEST_CASE("Damage beyond capacity yields nothing, never a wrong payload", "[detect][decode]") {
  std::mt19937 rng(14);
  int rejected = 0;
  int lucky = 0;
  int trials = 0;
  for (const int version : {1, 2, 3, 4, 5, 6, 7, 10, 15}) {
    for (const EcLevel ec : t::kLevels) {
      const Payload p =
          make_payload(version + 1, std::min(100, viscode::byte_capacity(ec, version) - 1), rng);
      const Symbol s = encode_payload(p, version, ec);
      const Codewords c = codewords_of(s);
      const auto layout = viscode::block_layout(version, ec);
      const int budget = error_budget(version, ec);
      const int erasure_budget = layout.ec_per_block - std::max(protection(version, ec), 4);
      for (int trial = 0; trial < 60; ++trial) {
        // Every block damaged up to well past its budget, and one block just past it, where a
        // decoder is most tempted to guess. Three ways: every module trusted (plain
        // correction only); random modules doubted (erasure retries that mostly erase the
        // wrong codewords); the damaged modules doubted, with one block past even what
        // erasures can fix.
        const int mode = trial % 3;
        std::vector<int> per_block(static_cast<std::size_t>(layout.blocks()));
        for (int& n : per_block)
          n = static_cast<int>(rng() % static_cast<unsigned>(2 * budget + 3));
        per_block[rng() % per_block.size()] =
            (mode == 2 ? erasure_budget : budget) + 1 + static_cast<int>(rng() % 3);
        ModuleGrid g = grid_of(s);
        if (mode == 1) {
          for (float& conf : g.confidence) {
            if (rng() % 4 == 0) conf = static_cast<float>(1 + rng() % 9) / 10.0f;
          }
        }
        damage(g, c, pick_codewords(c, per_block, rng), rng, mode == 2 ? 0.2f : 1.0f);
        const auto d = decode_grid(g);
        ++trials;
        if (!d) {
          ++rejected;
        } else {
          INFO("version " << version << viscode::to_char(ec) << " trial " << trial);
          REQUIRE(d->bytes == p.bytes);  // anything else would be a miscorrection
          // Only random doubts can help: they sometimes land on enough damaged codewords
          // to bring a block back within erasure decoding's reach.
          REQUIRE(mode == 1);
          ++lucky;
        }
      }
    }
  }
  CHECK(rejected + lucky == trials);
  CHECK(lucky < trials / 50);
}

TEST_CASE("Noise and scrambled data never decode", "[detect][decode]") {
  std::mt19937 rng(15);
  for (int trial = 0; trial < 200; ++trial) {
    ModuleGrid g;
    g.size = 21 + 4 * static_cast<int>(rng() % 8);
    for (int i = 0; i < g.size * g.size; ++i) g.darkness.push_back(static_cast<float>(rng() % 2));
    g.confidence.assign(g.darkness.size(), static_cast<float>(rng() % 100) / 100.0f);
    CHECK_FALSE(decode_grid(g));
  }
  // Real function patterns and format information around random data modules.
  for (const int version : {1, 3, 8}) {
    const Symbol s = encode_payload(make_payload(0, 10, rng), version, EcLevel::M);
    for (int trial = 0; trial < 100; ++trial) {
      ModuleGrid g = grid_of(s);
      for (int i = 0; i < s.size * s.size; ++i) {
        if (s.is_function(i % s.size, i / s.size)) continue;
        g.darkness[static_cast<std::size_t>(i)] = static_cast<float>(rng() % 2);
        g.confidence[static_cast<std::size_t>(i)] = static_cast<float>(rng() % 100) / 100.0f;
      }
      CHECK_FALSE(decode_grid(g));
    }
  }
}

TEST_CASE("Malformed grids are refused", "[detect][decode]") {
  std::mt19937 rng(19);
  const Symbol s = encode_payload(make_payload(0, 5, rng), 2, EcLevel::M);
  ModuleGrid g = grid_of(s);
  g.size = 26;
  CHECK_FALSE(decode_grid(g));
  g = grid_of(s);
  g.darkness.pop_back();
  CHECK_FALSE(decode_grid(g));
  g = grid_of(s);
  g.confidence.pop_back();
  CHECK_FALSE(decode_grid(g));
  // Confidence is optional: without it every module is trusted.
  g = grid_of(s);
  g.confidence.clear();
  CHECK(decode_grid(g));
  // A version 7+ size with version information that names another version.
  const Symbol v8 = encode_payload(make_payload(0, 5, rng), 8, EcLevel::M);
  g = grid_of(v8);
  for (int i = 0; i < 18; ++i) {
    const std::uint32_t bit = (t::version_word(9) >> i) & 1u;
    g.darkness[static_cast<std::size_t>((i / 3) * v8.size + v8.size - 11 + i % 3)] =
        static_cast<float>(bit);
    g.darkness[static_cast<std::size_t>((v8.size - 11 + i % 3) * v8.size + i / 3)] =
        static_cast<float>(bit);
  }
  CHECK_FALSE(decode_grid(g));
}

TEST_CASE("Damaged format and version information", "[detect][decode]") {
  std::mt19937 rng(16);
  const Payload p = make_payload(0, 40, rng);
  const Symbol s = encode_payload(p, 9, EcLevel::Q);
  const ModuleGrid clean = grid_of(s);
  // Index of format bit i in copy 1 and copy 2 (test_encode_util's layout).
  auto first = [&](int i) {
    const int x = i <= 7 ? 8 : i == 8 ? 7 : 14 - i;
    const int y = i <= 5 ? i : i == 6 ? 7 : 8;
    return y * s.size + x;
  };
  auto second = [&](int i) {
    return i < 8 ? 8 * s.size + s.size - 1 - i : (s.size - 15 + i) * s.size + 8;
  };

  // Copy 1 destroyed entirely: copy 2 still gives the format.
  ModuleGrid g = clean;
  for (int i = 0; i < 15; ++i) flip(g, first(i));
  auto d = decode_grid(g);
  REQUIRE(d);
  check_payload(*d, p);
  // Three wrong bits in each copy, and one version block destroyed.
  g = clean;
  for (const int i : {0, 7, 14}) flip(g, first(i));
  for (const int i : {2, 3, 11}) flip(g, second(i));
  for (int i = 0; i < 18; ++i) flip(g, (i / 3) * s.size + s.size - 11 + i % 3);
  d = decode_grid(g);
  REQUIRE(d);
  check_payload(*d, p);
  // Both copies four bits away from their codeword: no format, no guess... unless four
  // errors land within three of another codeword, which the decoder cannot know.
  g = clean;
  for (const int i : {0, 1, 2, 3}) flip(g, first(i));
  for (const int i : {4, 5, 6, 8}) flip(g, second(i));
  d = decode_grid(g);
  if (d) check_payload(*d, p);
  // Both version blocks destroyed: the size alone is not trusted.
  g = clean;
  for (int i = 0; i < 18; ++i) {
    flip(g, (i / 3) * s.size + s.size - 11 + i % 3);
    flip(g, (s.size - 11 + i % 3) * s.size + i / 3);
  }
  CHECK_FALSE(decode_grid(g));
}

TEST_CASE("A transposed grid (a mirrored symbol) decodes with mirrored set", "[detect][decode]") {
  std::mt19937 rng(17);
  for (const int version : {1, 4, 7, 21, 40}) {
    const Payload p =
        make_payload(version, std::min(50, viscode::byte_capacity(EcLevel::M, version)), rng);
    const Symbol s = encode_payload(p, version, EcLevel::M);
    const auto d = decode_grid(transpose(grid_of(s)));
    INFO("version " << version);
    REQUIRE(d);
    CHECK(d->mirrored);
    check_payload(*d, p);
    CHECK(d->mask == s.mask);
  }
}

TEST_CASE("Low confidence turns errors into erasures and doubles what can be fixed",
          "[detect][decode]") {
  std::mt19937 rng(18);
  const std::vector<std::pair<int, EcLevel>> cases = {
      {1, EcLevel::H}, {4, EcLevel::Q}, {7, EcLevel::M}, {20, EcLevel::H}, {40, EcLevel::Q}};
  for (const auto& [version, ec] : cases) {
    const Payload p = make_payload(version, std::min(60, viscode::byte_capacity(ec, version)), rng);
    const Symbol s = encode_payload(p, version, ec);
    const Codewords c = codewords_of(s);
    const auto layout = viscode::block_layout(version, ec);
    // Past plain correction in every block, within erasure decoding's guarded budget
    // (ec - max(p, 4)) with one error on top.
    const int ec_words = layout.ec_per_block;
    const int plain = error_budget(version, ec);
    const int erasures = ec_words - std::max(protection(version, ec), 4) - 2;
    REQUIRE(erasures > plain);
    const std::vector<int> per_block(static_cast<std::size_t>(layout.blocks()), erasures);
    const auto chosen = pick_codewords(c, per_block, rng);
    INFO("version " << version << ": " << erasures << " damaged codewords per block, plain "
                    << "correction fixes " << plain);

    ModuleGrid sure = grid_of(s);
    std::mt19937 same(99);
    damage(sure, c, chosen, same);
    CHECK_FALSE(decode_grid(sure));

    ModuleGrid unsure = grid_of(s);
    same.seed(99);
    damage(unsure, c, chosen, same, 0.1f);
    // Some trustworthy modules are doubted too, and one confident module per block is
    // wrong: an erasure that was right costs capacity, an error costs two.
    const auto doubted = pick_codewords(c, std::vector<int>(per_block.size(), 1), rng);
    for (const int k : doubted) {
      if (std::find(chosen.begin(), chosen.end(), k) != chosen.end()) continue;
      unsure.confidence[static_cast<std::size_t>(c.modules[static_cast<std::size_t>(k)][0])] = 0.5f;
    }
    std::vector<int> remaining;
    for (std::size_t k = 0; k < c.block.size(); ++k) {
      const int ki = static_cast<int>(k);
      if (std::find(chosen.begin(), chosen.end(), ki) == chosen.end() &&
          std::find(doubted.begin(), doubted.end(), ki) == doubted.end()) {
        remaining.push_back(ki);
      }
    }
    std::vector<int> left(per_block.size(), 1);
    std::vector<int> errors;
    for (const int k : remaining) {
      int& n = left[static_cast<std::size_t>(c.block[static_cast<std::size_t>(k)])];
      if (n > 0) {
        errors.push_back(k);
        --n;
      }
    }
    damage(unsure, c, errors, rng);

    const auto d = decode_grid(unsure);
    REQUIRE(d);
    check_payload(*d, p);
    for (const auto& b : d->blocks) {
      CHECK(b.erasures > plain);
      CHECK(b.errors + b.erasures == erasures + 1);
    }
  }
}

TEST_CASE("Kanji mode symbols from the qrencode tool", "[detect][decode]") {
  if (!have_qrencode_tool()) {
    WARN("qrencode command-line tool not installed: kanji interop not checked");
    return;
  }
  const fs::path dir = scratch_dir("kanji");
  // 点茗 (the standard's example) and 漢字, in Shift JIS.
  const std::string sjis = "\x93\x5F\xE4\xAA\x8A\xBF\x8E\x9A";
  { std::ofstream(dir / "in.txt", std::ios::binary) << sjis; }
  for (const char level : {'L', 'H'}) {
    const fs::path png = dir / (std::string("kanji-") + level + ".png");
    const std::string cmd = "qrencode -k -l " + std::string(1, level) + " -s 4 -m 0 -r '" +
                            (dir / "in.txt").string() + "' -o '" + png.string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const auto d = decode_grid(grid_from_png(png));
    REQUIRE(d);
    CHECK(d->text == "点茗漢字");
    // The bytes are Shift JIS, which only kanji mode (not byte mode) turns into this text.
    CHECK(d->bytes == std::vector<std::uint8_t>(sjis.begin(), sjis.end()));
  }
  fs::remove_all(dir);
}

TEST_CASE("Structured append symbols from the qrencode tool", "[detect][decode]") {
  if (!have_qrencode_tool()) {
    WARN("qrencode command-line tool not installed: structured append not checked");
    return;
  }
  const fs::path dir = scratch_dir("sa");
  const std::string message = "Structured append splits one message over several symbols";
  const std::string cmd =
      "qrencode -S -v 1 -l M -s 4 -m 0 -o '" + (dir / "part.png").string() + "' '" + message + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::vector<fs::path> parts;
  for (const auto& entry : fs::directory_iterator(dir)) parts.push_back(entry.path());
  std::sort(parts.begin(), parts.end());
  REQUIRE(parts.size() >= 2);

  int parity = 0;
  for (const char ch : message) parity ^= static_cast<unsigned char>(ch);
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto d = decode_grid(grid_from_png(parts[i]));
    REQUIRE(d);
    REQUIRE(d->structured_append);
    CHECK(d->structured_append->index == static_cast<int>(i));
    CHECK(d->structured_append->count == static_cast<int>(parts.size()));
    CHECK(d->structured_append->parity == parity);
    joined += d->text;
  }
  CHECK(joined == message);
  fs::remove_all(dir);
}
