// Ed25519 keys and their PEM files (RFC 8410), readable by OpenSSL as they are.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include "file_input.hpp"
#include "sha256.hpp"
#include "sign/common.hpp"
#include "viscode/error.hpp"
#include "viscode/sign.hpp"

namespace viscode {
namespace {

namespace fs = std::filesystem;

// The DER of an Ed25519 key is a fixed prefix and the 32 key bytes (RFC 8410 section 10).
constexpr std::array<std::uint8_t, 12> kSpkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                      0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr std::array<std::uint8_t, 16> kPkcs8Prefix = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
constexpr std::string_view kPublicLabel = "PUBLIC KEY", kPrivateLabel = "PRIVATE KEY";

// Scrubs a buffer that held secret bytes when it goes out of scope.
template <class Buffer>
struct Scrub {
  Buffer& b;
  ~Scrub() { sodium_memzero(b.data(), b.size()); }
};

// The PEM text of `der`. For a private key the base64 is secret: it is built in buffers
// reserved up front (so no reallocation leaves a copy in freed memory) and the temporary
// is wiped; the caller wipes the result.
std::string pem(std::string_view label, std::span<const std::uint8_t> der) {
  std::string b64(sodium_base64_ENCODED_LEN(der.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  Scrub<std::string> scrub{b64};
  sodium_bin2base64(b64.data(), b64.size(), der.data(), der.size(), sodium_base64_VARIANT_ORIGINAL);
  const std::size_t chars = std::strlen(b64.c_str());
  constexpr std::string_view kBegin = "-----BEGIN ", kEnd = "-----END ", kDashes = "-----\n";
  std::string out;
  out.reserve(kBegin.size() + kEnd.size() + 2 * (label.size() + kDashes.size()) + chars +
              chars / 64 + 1);
  out.append(kBegin).append(label).append(kDashes);
  for (std::size_t i = 0; i < chars; i += 64) {
    out.append(b64, i, std::min<std::size_t>(64, chars - i)).push_back('\n');
  }
  out.append(kEnd).append(label).append(kDashes);
  return out;
}

// Creates `file` exclusively and writes `text`; Error(input) naming the file otherwise.
void write_new_file(const fs::path& file, std::string_view text, mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      throw Error(ErrorCategory::input, "'" + file.string() +
                                            "' already exists: keys are never overwritten; "
                                            "choose another name or move the old key away");
    }
    throw Error(ErrorCategory::input, "cannot create '" + file.string() +
                                          "': " + std::strerror(err) +
                                          ": check that the directory exists and is writable");
  }
  std::size_t done = 0;
  int err = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    std::error_code ec;
    fs::remove(file, ec);
    throw Error(ErrorCategory::input, "cannot write '" + file.string() +
                                          "': " + std::strerror(err) +
                                          (err == ENOSPC ? " (disk full)" : ""));
  }
}

// Built by appends: GCC 12 warns (-Wrestrict, wrongly) about "'" + std::string here.
std::string quoted(const fs::path& file) {
  std::string s = "'";
  s += file.string();
  s += '\'';
  return s;
}

fs::path with_suffix(const fs::path& stem, std::string_view suffix) {
  return fs::path(stem.string() + std::string(suffix));
}

// The DER of a private key is secret: wiped when the block goes, whatever path it takes.
struct PemBlock {
  std::string label;
  std::vector<std::uint8_t> der;
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  PemBlock(PemBlock&&) = default;  // moves the buffer: the source is left empty
  PemBlock& operator=(PemBlock&&) = default;
  ~PemBlock() { sodium_memzero(der.data(), der.size()); }
};

// The file's first PEM block. nullopt when the file has none (or it is not base64).
std::optional<PemBlock> read_pem(const fs::path& file, std::string_view kind) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw Error(ErrorCategory::input,
                std::string(kind) + " file '" + file.string() +
                    "' does not exist: check the path (viscode keygen --out NAME writes "
                    "NAME.key and NAME.pub)");
  }
  if (fs::is_directory(file, ec)) {
    throw Error(ErrorCategory::input, std::string(kind) + " file '" + file.string() +
                                          "' is a directory: give the key file");
  }
  const std::string kind_file = std::string(kind) + " file";
  // Read with read(2) straight into one buffer, wiped when this returns: a stream would
  // keep a copy of the key in its own buffer. A key file is a few hundred bytes; past the
  // buffer's size it is something else.
  std::array<char, 16384> buffer;
  Scrub<decltype(buffer)> scrub{buffer};
  std::size_t size = 0;
  // A FIFO or device is refused before reading (a FIFO would block); a key file larger than
  // the buffer is read only as far as the buffer, and is not a key.
  const int fd = detail::open_input_file(file, {.what = kind_file,
                                                .give = "give the key file",
                                                .max_bytes = buffer.size(),
                                                .shrink = "that is not a viscode key file"});
  bool read_ok = fd >= 0;
  while (read_ok && size < buffer.size()) {
    const ssize_t n = ::read(fd, buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      read_ok = n == 0;
      break;
    }
    size += static_cast<std::size_t>(n);
  }
  if (fd >= 0) ::close(fd);
  if (!read_ok) {
    throw Error(ErrorCategory::input, std::string(kind) + " file '" + file.string() +
                                          "' cannot be read: check its permissions");
  }
  const std::string_view text(buffer.data(), size);
  const std::size_t begin = text.find("-----BEGIN ");
  if (begin == std::string_view::npos) return std::nullopt;
  const std::size_t label_end = text.find("-----", begin + 11);
  if (label_end == std::string_view::npos) return std::nullopt;
  PemBlock block;
  block.label = std::string(text.substr(begin + 11, label_end - begin - 11));
  const std::string end_line = "-----END " + block.label + "-----";
  const std::size_t body = label_end + 5;
  const std::size_t end = text.find(end_line, body);
  if (end == std::string_view::npos) return std::nullopt;
  block.der.resize(end - body);
  std::size_t n = 0;
  const char* b64_end = nullptr;
  if (sodium_base642bin(block.der.data(), block.der.size(), text.data() + body, end - body,
                        " \t\r\n", &n, &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      b64_end != text.data() + end) {
    return std::nullopt;
  }
  block.der.resize(n);
  return block;
}

template <std::size_t N>
bool has_layout(const std::vector<std::uint8_t>& der, const std::array<std::uint8_t, N>& prefix) {
  return der.size() == N + 32 && std::equal(prefix.begin(), prefix.end(), der.begin());
}

}  // namespace

std::string PublicKey::id() const {
  return detail::sha256_hex(bytes).substr(0, 16);
}

SecretKey::~SecretKey() {
  sodium_memzero(seed.data(), seed.size());
}

PublicKey SecretKey::public_key() const {
  detail::ensure_sodium();
  PublicKey pub;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk;
  Scrub<decltype(sk)> scrub{sk};
  crypto_sign_seed_keypair(pub.bytes.data(), sk.data(), seed.data());
  return pub;
}

SecretKey generate_key() {
  detail::ensure_sodium();
  SecretKey key;
  randombytes_buf(key.seed.data(), key.seed.size());
  return key;
}

void write_key_files(const SecretKey& key, const fs::path& stem) {
  // Without a name of its own the pair would be the hidden files ".key" and ".pub" (or
  // "..key") of some folder.
  if (stem.empty()) {
    throw Error(
        ErrorCategory::usage,
        "write_key_files(stem) is empty: give the key pair a name, e.g. write_key_files(stem) "
        "brand (writes brand.key and brand.pub)");
  }
  const fs::path name = stem.filename();
  if (name.empty() || name == "." || name == "..") {
    const std::string s = stem.string();
    const std::string example = s + (s.ends_with('/') ? "" : "/") + "brand";
    throw Error(ErrorCategory::usage, "write_key_files(stem) '" + s +
                                          "' names a folder, not the key pair: add a name, "
                                          "e.g. write_key_files(stem) " +
                                          example + " (writes " + example + ".key and " + example +
                                          ".pub)");
  }
  const fs::path key_file = with_suffix(stem, ".key"), pub_file = with_suffix(stem, ".pub");
  std::error_code ec;
  // Checked before anything is created, so that a refusal leaves nothing behind.
  for (const fs::path& f : {key_file, pub_file}) {
    if (fs::exists(fs::symlink_status(f, ec))) {
      throw Error(ErrorCategory::input, "'" + f.string() +
                                            "' already exists: keys are never overwritten; "
                                            "choose another name or move the old key away");
    }
  }
  std::array<std::uint8_t, kPkcs8Prefix.size() + 32> der;
  Scrub<decltype(der)> scrub_der{der};
  std::copy(kPkcs8Prefix.begin(), kPkcs8Prefix.end(), der.begin());
  std::copy(key.seed.begin(), key.seed.end(), der.begin() + kPkcs8Prefix.size());
  std::string key_pem = pem(kPrivateLabel, der);
  Scrub<std::string> scrub{key_pem};
  const PublicKey pub = key.public_key();
  std::vector<std::uint8_t> spki(kSpkiPrefix.begin(), kSpkiPrefix.end());
  spki.insert(spki.end(), pub.bytes.begin(), pub.bytes.end());

  write_new_file(key_file, key_pem, 0600);
  try {
    write_new_file(pub_file, pem(kPublicLabel, spki), 0644);
  } catch (...) {
    fs::remove(key_file, ec);
    throw;
  }
}

SecretKey load_secret_key(const fs::path& file) {
  std::optional<PemBlock> block = read_pem(file, "private key");
  const std::string name = quoted(file);
  if (block && block->label == kPublicLabel) {
    throw Error(ErrorCategory::input,
                name +
                    " is a public key: signing needs the private key, the NAME.key file "
                    "written by viscode keygen");
  }
  if (block && block->label == "ENCRYPTED PRIVATE KEY") {
    throw Error(ErrorCategory::input,
                name + " is encrypted: viscode needs an unencrypted key (openssl pkey -in " +
                    file.string() + " -out plain.key), kept with mode 0600");
  }
  if (!block || block->label != kPrivateLabel || !has_layout(block->der, kPkcs8Prefix)) {
    throw Error(ErrorCategory::input,
                name +
                    " is not an Ed25519 private key (PEM \"PRIVATE KEY\", RFC 8410): give "
                    "the NAME.key file written by viscode keygen");
  }
  SecretKey key;
  std::copy(block->der.begin() + kPkcs8Prefix.size(), block->der.end(), key.seed.begin());
  return key;  // the block's destructor wipes the DER
}

PublicKey load_public_key(const fs::path& file) {
  std::optional<PemBlock> block = read_pem(file, "public key");
  const std::string name = quoted(file);
  if (block && (block->label == kPrivateLabel || block->label == "ENCRYPTED PRIVATE KEY")) {
    throw Error(ErrorCategory::input,
                name +
                    " is a private key: checking needs only the public key, the NAME.pub "
                    "file written by viscode keygen (keep the .key private)");
  }
  if (!block || block->label != kPublicLabel || !has_layout(block->der, kSpkiPrefix)) {
    throw Error(ErrorCategory::input,
                name +
                    " is not an Ed25519 public key (PEM \"PUBLIC KEY\", RFC 8410): give the "
                    "NAME.pub file written by viscode keygen");
  }
  PublicKey key;
  std::copy(block->der.begin() + kSpkiPrefix.size(), block->der.end(), key.bytes.begin());
  return key;
}

}  // namespace viscode
