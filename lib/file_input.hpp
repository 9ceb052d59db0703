// Reading the files a user names (images, logos, payloads, serials, manifests, keys) with a
// cap on what each may be: a print pipeline receives these files from outside, and
// `/dev/zero`, a FIFO or a 1 GB "logo" must be an input error, not a process that grows
// until it is killed. Limits are documented in docs/cli.md ("Input limits").
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <string_view>

namespace viscode::detail {

// Images to decode, verify or scan, and raster logos: a 100-megapixel scan is well under
// this as PNG or JPEG (16-bit RGBA PNG of it, uncompressed, would be 800 MB).
inline constexpr std::uint64_t kMaxImageFileBytes = 256ull << 20;
// SVG logos and SVG files to read: text that librsvg holds as a tree (kilobytes per
// element), so much smaller than a raster's cap. docs/cli.md lists the SVG limits.
inline constexpr std::uint64_t kMaxSvgFileBytes = 16ull << 20;
// --data-file, --expect-file: a QR code holds at most 7,089 digits (2,953 bytes); a little
// more leaves room for the message that says by how much a payload is too long.
inline constexpr std::uint64_t kMaxPayloadFileBytes = 64ull << 10;
// --serials and a batch's manifest.csv, streamed line by line: 4 GiB holds 100 million rows
// (batch --count's limit) of 40 bytes.
inline constexpr std::uint64_t kMaxListFileBytes = 4ull << 30;
// One line of those files: a serial is at most 256 bytes and a manifest row at most
// a few kilobytes (its payload is quoted), so a longer line is not a row.
inline constexpr std::size_t kMaxListLineBytes = 64u << 10;

// How a file input is named in messages.
struct FileInput {
  std::string_view what;    // "image", "logo file", "data file"
  std::string_view give;    // the fix for a wrong kind of file: "give an image file to --logo"
  std::uint64_t max_bytes;  // larger files are refused
  std::string_view shrink;  // the fix for a file over max_bytes: "scale it down"
};

// Opens the file read-only without blocking (a FIFO with no writer would hang open()),
// and refuses it with Error(input) unless it is a regular file of at most max_bytes.
// Returns the open descriptor; the caller closes it.
int open_input_file(const std::filesystem::path& file, const FileInput& input);

// The whole file, after open_input_file's checks; a file that grows past max_bytes while it
// is read is refused too. Never reads more than max_bytes + 1 bytes.
std::string read_input_file(const std::filesystem::path& file, const FileInput& input);

// open_input_file's checks only, for files streamed by another reader.
void check_input_file(const std::filesystem::path& file, const FileInput& input);

// A stream on a file read line by line (serials, manifests), after open_input_file's checks;
// a missing file is left to the stream (a failed one), so that its reader's own message
// says what is missing.
std::ifstream open_input_stream(const std::filesystem::path& file, const FileInput& input);

// std::getline with a cap: false at the end of the input (as getline, with eof set; a last
// line without its newline is still returned, with eof set), and `too_long` set (and false
// returned) when a line is longer than max bytes, so that one 4 GB line is not read into
// memory.
bool read_line(std::istream& in, std::string& line, std::size_t max, bool& too_long);

// "256 MiB", "64 KiB" or "1234 bytes", for messages.
std::string byte_size_text(std::uint64_t bytes);

}  // namespace viscode::detail
