// viscode/encode.hpp — turning a payload into a QR symbol whose every module knows its role.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace viscode {

enum class EcLevel { L, M, Q, H };

// What a module is for. Rendering draws function patterns at full contrast and lets the
// image show through data and error-correction modules.
enum class ModuleRole : std::uint8_t {
  finder,     // the three 7x7 position patterns
  separator,  // the light ring around each finder
  timing,     // row 6 / column 6 alternating patterns
  alignment,  // 5x5 alignment patterns (version >= 2)
  format,     // the two copies of the 15-bit format information, and the dark module
  version,    // the two 6x3 version-information blocks (version >= 7)
  data,       // data codeword bits (and remainder bits)
  ec,         // error-correction codeword bits
};

struct EncodeOptions {
  // Unset: H when a picture lies under the modules (design_symbol, Design and make_code with
  // a logo: the picture takes contrast from the modules, and H's 30% of correction buys it
  // back), M for a plain code (encode(), encode_bytes(), no logo), as `viscode encode` does.
  std::optional<EcLevel> ec = std::nullopt;
  int min_version = 1;   // 1..40; the smallest version that fits, at least this one, is used
  int max_version = 40;  // 1..40; a payload that needs more is an ErrorCategory::encode error
  int mask = -1;         // 0..7 forces a mask; -1 picks the ISO 18004 lowest-penalty mask
};

// A QR symbol: size x size modules, row-major, without quiet zone.
struct Symbol {
  int version = 0;  // 1..40
  EcLevel ec = EcLevel::H;
  int mask = 0;                    // 0..7
  int size = 0;                    // modules per side: 17 + 4 * version
  std::vector<std::uint8_t> dark;  // 1 = dark module
  std::vector<ModuleRole> roles;   // role of each module
  std::size_t payload_bytes = 0;   // length of the encoded payload in bytes
  // Empty, or row-major: 1 for the modules of codewords given to a picture (picture_errors).
  // Readers correct those codewords whatever their modules show, so a renderer may draw
  // them as picture alone.
  std::vector<std::uint8_t> spent;

  bool is_dark(int x, int y) const { return dark[static_cast<std::size_t>(y * size + x)] != 0; }
  ModuleRole role(int x, int y) const { return roles[static_cast<std::size_t>(y * size + x)]; }
  bool is_spent(int x, int y) const {
    return !spent.empty() && spent[static_cast<std::size_t>(y * size + x)] != 0;
  }
  bool is_function(int x, int y) const {
    const ModuleRole r = role(x, y);
    return r != ModuleRole::data && r != ModuleRole::ec;
  }
};

// Encodes UTF-8 text, choosing numeric/alphanumeric/byte segments to keep the symbol small.
// Throws Error(encode) naming the payload size and the capacity when it does not fit, and
// Error(usage) for out-of-range options.
Symbol encode(std::string_view text, const EncodeOptions& options = {});

// Encodes arbitrary bytes (may contain NUL) in byte mode.
Symbol encode_bytes(std::span<const std::uint8_t> data, const EncodeOptions& options = {});

// The same data under another mask (0..7): data/EC modules re-masked, format info rewritten.
Symbol with_mask(const Symbol& symbol, int mask);

// ISO 18004 mask penalty (N1 runs, N2 blocks, N3 finder-like patterns, N4 balance).
struct Penalty {
  int n1 = 0, n2 = 0, n3 = 0, n4 = 0;
  int total() const { return n1 + n2 + n3 + n4; }
};
Penalty penalty(const Symbol& symbol);

// Error-correction structure of a version and level (ISO 18004 table 9).
struct BlockLayout {
  int ec_per_block = 0;     // error-correction codewords in every block
  int blocks1 = 0;          // blocks in group 1 ...
  int data_per_block1 = 0;  // ... each with this many data codewords
  int blocks2 = 0;          // blocks in group 2 (may be 0) ...
  int data_per_block2 = 0;  // ... each with one more data codeword than group 1
  int blocks() const { return blocks1 + blocks2; }
  int data_codewords() const { return blocks1 * data_per_block1 + blocks2 * data_per_block2; }
  int total_codewords() const { return data_codewords() + blocks() * ec_per_block; }
};
BlockLayout block_layout(int version, EcLevel ec);

// For every module of the symbol (row-major): the error-correction block its codeword
// belongs to (0-based), or -1 for function modules and remainder bits. Lets a renderer
// count how many codewords per block an occlusion touches.
std::vector<int> module_blocks(const Symbol& symbol);

// Image-aware pad codewords. Readers stop at the terminator, so the whole data codewords
// after the one holding its end (the 0xEC/0x11 pad) carry nothing: they can be chosen so
// that the modules they set — their own data modules, and through Reed-Solomon's linearity
// the EC modules of their block — agree with a picture, at any EC level, with no error
// correction spent.
//
// How many bits of the symbol are free: 8 * the data codewords after the one that holds the
// end of the 4-bit terminator. 0 when the data leaves no room for a whole terminator, and
// when the bitstream has a mode this parser does not know (numeric, alphanumeric, byte,
// kanji, ECI, FNC1 and structured append are known). Throws Error(usage) for a symbol whose
// size, dark and roles disagree.
int free_pad_bits(const Symbol& symbol);

// The symbol with its free pad codewords chosen so that, taking the data/EC modules of the
// blocks holding free codewords in descending weight (ties: lower row-major index first),
// each module whose colour can still be set independently of the modules taken before it
// gets wanted_dark's colour (greedy Gaussian elimination over GF(2), per block). Freedom the
// weighted modules leave keeps pad data modules, then EC modules, as they were, so all-zero
// weights return the symbol unchanged. Payload, version, EC level, mask, function modules
// and remainder bits are unchanged; every Reed-Solomon block stays a valid codeword;
// deterministic. wanted_dark (nonzero = dark) and weight are row-major, size * size; entries
// for function modules are ignored, weight <= 0 (or NaN) means "don't care". Throws
// Error(usage) when a span has the wrong size or the symbol's size, dark and roles disagree.
Symbol choose_pad(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                  std::span<const float> weight);

// Codeword errors every Reed-Solomon block of this version and level corrects: half its EC
// codewords, less the misdecode-protection codewords of versions 1-3 (ISO 18004 table 9).
int correctable_per_block(int version, EcLevel ec);

// Spends error correction on a picture: in every RS block, the per_block codewords (0..
// correctable_per_block) whose modules disagree with wanted_dark by the largest total weight
// (ties: earlier in placement order) get those modules set to wanted_dark's colour, and every
// module of those codewords marked in Symbol::spent. Readers
// correct them as they correct capture damage, so each one spent is one fewer left for the
// capture: the result decodes to the same payload only while the capture's own errors stay
// within the rest. Codewords with no weighted disagreement are never touched; per_block 0
// returns the symbol unchanged; deterministic. Spans as for choose_pad, which must come first:
// it recomputes EC codewords from the data and would undo the errors. Throws Error(usage)
// for a per_block out of range, spans of the wrong size or an inconsistent symbol.
Symbol picture_errors(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                      std::span<const float> weight, int per_block);

// Largest payload in bytes (byte mode) that fits at this level up to max_version.
int byte_capacity(EcLevel ec, int max_version);

// A payload file's bytes (the CLI's --data-file and --expect-file). A QR code holds at most
// 2,953 bytes, so files over kMaxPayloadFileBytes are refused before they are read, as are
// directories, devices and FIFOs: Error(input) naming the file, and `give` as the fix
// ("give a file to --data-file").
inline constexpr std::size_t kMaxPayloadFileBytes = 64 * 1024;
std::string read_payload_file(const std::filesystem::path& file, std::string_view give);

char to_char(EcLevel ec);                  // 'L', 'M', 'Q', 'H'
EcLevel parse_ec_level(std::string_view);  // "L".."H" (either case); throws Error(usage)
std::string_view to_string(ModuleRole role);

}  // namespace viscode
