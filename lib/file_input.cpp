#include "file_input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string named(const std::filesystem::path& file, const FileInput& input) {
  return std::string(input.what) + " '" + file.string() + "'";
}

[[noreturn]] void too_large(const std::filesystem::path& file, const FileInput& input,
                            std::uint64_t size, bool at_least) {
  throw Error(ErrorCategory::input,
              named(file, input) + " is " + (at_least ? "over " : "") + std::to_string(size) +
                  " bytes, over the " + byte_size_text(input.max_bytes) + " limit for " +
                  std::string(input.what) + "s: " + std::string(input.shrink));
}

}  // namespace

std::string byte_size_text(std::uint64_t bytes) {
  if (bytes >= (1u << 30) && bytes % (1u << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

int open_input_file(const std::filesystem::path& file, const FileInput& input) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
      throw Error(ErrorCategory::input, named(file, input) + " does not exist: check the path");
    }
    throw Error(ErrorCategory::input, named(file, input) + " cannot be opened (" +
                                          std::strerror(e) + "): check its permissions");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw Error(ErrorCategory::input,
                named(file, input) + " cannot be read (" + std::strerror(e) + ")");
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCategory::input,
                named(file, input) + " is a directory: " + std::string(input.give));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCategory::input, named(file, input) + " is " + kind_of(st.st_mode) +
                                          ", not a regular file: " + std::string(input.give));
  }
  if (static_cast<std::uint64_t>(st.st_size) > input.max_bytes) {
    ::close(fd);
    too_large(file, input, static_cast<std::uint64_t>(st.st_size), false);
  }
  // Regular files ignore O_NONBLOCK, but the descriptor may be handed on.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

void check_input_file(const std::filesystem::path& file, const FileInput& input) {
  ::close(open_input_file(file, input));
}

std::ifstream open_input_stream(const std::filesystem::path& file, const FileInput& input) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) check_input_file(file, input);
  return std::ifstream(file, std::ios::binary);
}

std::string read_input_file(const std::filesystem::path& file, const FileInput& input) {
  const int fd = open_input_file(file, input);
  struct stat st {};
  ::fstat(fd, &st);
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t size = 0;
  while (true) {
    if (size == bytes.size()) {
      if (size > input.max_bytes) break;
      bytes.resize(std::min<std::uint64_t>(input.max_bytes + 1, bytes.size() * 2 + 4096));
    }
    const ssize_t n = ::read(fd, bytes.data() + size, bytes.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      throw Error(ErrorCategory::input,
                  named(file, input) + " could not be read (" + std::strerror(e) + ")");
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (size > input.max_bytes) too_large(file, input, input.max_bytes, true);
  bytes.resize(size);
  return bytes;
}

bool read_line(std::istream& in, std::string& line, std::size_t max, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* buf = in.rdbuf();
  if (!in.good() || buf == nullptr) {
    in.setstate(std::ios::failbit);
    return false;
  }
  while (true) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(line.empty() ? std::ios::eofbit | std::ios::failbit : std::ios::eofbit);
      return !line.empty();
    }
    if (c == '\n') return true;
    if (line.size() >= max) {
      too_long = true;
      in.setstate(std::ios::failbit);
      return false;
    }
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace viscode::detail

namespace viscode {

std::string read_payload_file(const std::filesystem::path& file, std::string_view give) {
  static_assert(kMaxPayloadFileBytes == detail::kMaxPayloadFileBytes);
  return detail::read_input_file(
      file, {.what = "data file",
             .give = give,
             .max_bytes = kMaxPayloadFileBytes,
             .shrink = "a QR code holds at most 2953 bytes; give the payload itself"});
}

}  // namespace viscode
